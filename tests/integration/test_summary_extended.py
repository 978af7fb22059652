"""summary-extended and `plot goodput --peer` on the corpus pairs (client and server captures of
the same traffic), against ground truth, never against our own output:

* per connection and data direction, the bytes that arrived first at the receiver add up to the
  bytes the sending application wrote (manifest `app_bytes`; every scenario here delivered them
  whole), and equal the receiver's own application-bytes count;
* per subflow and direction: sent = tshark's sum of tcp.len on that subflow's TCP direction in the
  sender's capture; arrived = the same sum in the receiver's capture (no capture here lost a
  frame: manifest `capture_kernel_drops`); lost = the payload of the frames the relay dropped on
  that subflow and direction while the sender's capture ran (manifest `dropped`); sent = arrived
  + lost;
* per subflow, arrived_first and redundant bytes = a walk of the receiver's data segments in
  capture order (DSNs from tshark's raw DSS fields, as test_reinjection_qualification.py), each
  DSN byte credited to the subflow whose segment brought it first;
* the same with the captures swapped (-r server --peer client): the sender of each direction is
  the other capture, the figures do not change;
* `plot goodput -r CLIENT --peer SERVER` renders a PNG of the asked size through the real gnuplot,
  and its aggregate series integrate, per direction, to the application bytes of the manifest.
* a connection without a twin in the peer capture is refused with exit 2 and a message naming it;
  `plot goodput --peer` with `--tcp` (one TCP connection: no receiver goodput) too;
* on the shared v0 pair (../shared/captures client_2.pcap / server_2.pcap, skipped when absent;
  stream numbers differ between the files): every connection with a twin delivers, per direction,
  arrived-first bytes equal to the application bytes of the twin's mptcp-summary in the
  receiver's capture, and qualify-reinjections classifies exactly list-reinjections' segments of
  the sender's capture."""

import json
import os
import subprocess
import tempfile
from collections import defaultdict

from common import DATA_DIR, PROGRAM, SHARED_CAPTURES, Checker, manifest, stream_numbers, tshark_env
from plot_helpers import kept_series, png_size, window_step
from test_reinjection_qualification import data_segments, tshark as tshark_dss

checker = Checker("summary_extended")
SCENARIOS = ["basic", "reqresp", "concurrent", "reinject", "pathfail", "mptcp_retrans", "path_recovers", "backup",
             "addaddr", "checksum", "ipv6", "port_reuse"]
SWAPPED = ["reinject", "pathfail", "path_recovers", "concurrent"]
DIRECTION_KEY = {"to_server": "client_to_server", "to_client": "server_to_client"}


def env():
    e = dict(os.environ)
    e.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    return e


def run_json(*args):
    p = subprocess.run([PROGRAM, *args, "--json"], capture_output=True, text=True, env=env(), timeout=900)
    if not checker.check(p.returncode == 0, f"{' '.join(args)}: exit {p.returncode}: {p.stderr[-400:]}"):
        return None
    return json.loads(p.stdout)


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def tshark_payload(capture):
    """({(tcp.stream, source endpoint, destination endpoint): sum of tcp.len}, last frame's time)
    over the capture (tcp.stream tells apart the connections of a reused 4-tuple)."""
    cmd = ["tshark", "-n", "-r", capture, "-Y", "tcp", "-T", "fields", "-E", "separator=\t", "-e", "ip.src",
           "-e", "ipv6.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport", "-e", "tcp.len",
           "-e", "tcp.stream", "-e", "frame.time_epoch"]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=tshark_env()).stdout
    sums = defaultdict(int)
    last = 0.0
    # tshark's tcp.stream as the program numbers it (the same with 4.0; common.stream_numbers).
    ours = stream_numbers(capture)[0]
    for line in out.splitlines():
        r = line.split("\t") + [""] * 9
        sums[(ours.get(int(r[7]), int(r[7])), endpoint(r[0] or r[1], r[2]), endpoint(r[3] or r[4], r[5]))] += int(r[6] or 0)
        last = max(last, float(r[8]))
    return sums, last


def subflow_ends(capture):
    """{tcp.stream: (client endpoint, server endpoint, TCP server is the MPTCP server)} of every subflow."""
    doc = run_json("list-mptcp", "-r", capture)
    out = {}
    for c in doc["mptcp_connections"] if doc else []:
        for sf in c["subflows"]:
            out[sf["tcp_stream"]] = (sf["client"], sf["server"], sf["mptcpdest"] == "server")
    return out


def data_flow(ends, direction):
    """(source, destination) endpoints of a subflow's data in `direction`."""
    client, server, towards_server = ends
    return (client, server) if (direction == "to_server") == towards_server else (server, client)


def merge(intervals):
    out = []
    for b, e in sorted(intervals):
        if out and b <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((b, e))
    return out


def check_pair(scenario, truth, first, peer):
    captures = {side: os.path.join(DATA_DIR, f"{scenario}.{side}.pcapng") for side in ("client", "server")}
    payload, last = {}, {}
    for side in captures:
        payload[side], last[side] = tshark_payload(captures[side])
    ends = {side: subflow_ends(captures[side]) for side in captures}
    dss = {side: data_segments(tshark_dss(captures[side])) for side in captures}
    connections = run_json("list-mptcp", "-r", captures[first])
    # What the relay dropped while the sender's capture ran (it may drop a retransmission sent
    # after the capture stopped, e.g. on pathfail's black-holed subflow).
    dropped = defaultdict(int)
    for d in truth["dropped"]:
        if d["time"] <= last["client" if d["dir"] == "c2s" else "server"]:
            dropped[(endpoint(d["saddr"], d["sport"]), endpoint(d["daddr"], d["dport"]))] += d["len"]
    checker.check(truth["capture_kernel_drops"] == {"client": 0, "server": 0},
                  f"{scenario}: the captures lost no frame ({truth['capture_kernel_drops']})")
    for c in connections["mptcp_connections"] if connections else []:
        if c["mptcp_stream"] is None:
            continue
        app = None
        for m in truth["connections"]:
            if m["kind"] == "mptcp" and {endpoint(m["client"]["addr"], m["client"]["port"]),
                                         endpoint(m["server"]["addr"], m["server"]["port"])} == {c["client"], c["server"]}:
                app = m["app_bytes"]
        if not checker.check(app is not None, f"{scenario}: mptcp.stream {c['mptcp_stream']} in the manifest"):
            continue
        doc = run_json("summary-extended", "-r", captures[first], "--peer", captures[peer], str(c["mptcp_stream"]))
        if doc is None:
            continue
        what = f"{scenario} -r {first} mptcp.stream {c['mptcp_stream']}"
        checker.check(doc["first_side"] == first, f"{what}: first_side {doc['first_side']}")
        for d in doc["directions"]:
            dw = f"{what} {d['direction']}"
            sender = "client" if d["direction"] == "to_server" else "server"
            receiver = "server" if sender == "client" else "client"
            checker.check(d["sender_capture"] == ("first" if sender == first else "peer"),
                          f"{dw}: sender_capture {d['sender_capture']}")
            expected = app[DIRECTION_KEY[d["direction"]]]
            checker.check(d["arrived_first_bytes"] == expected,
                          f"{dw}: arrived first {d['arrived_first_bytes']}, the application sent {expected}")
            checker.check(d["receiver_application_bytes"] == expected,
                          f"{dw}: the receiver's application bytes {d['receiver_application_bytes']} vs {expected}")
            checker.check(sum(s["arrived_first_bytes"] for s in d["subflows"]) == expected,
                          f"{dw}: the subflows' arrived-first bytes add up to {expected}")
            # The receiver's walk: (tcp.stream, source port) of each subflow's data this way.
            carriers = {}
            for s in d["subflows"]:
                rs = s["tcp_stream"] if receiver == first else s["peer_tcp_stream"]
                if rs is not None and rs in ends[receiver]:
                    carriers[(rs, data_flow(ends[receiver][rs], d["direction"])[0].rsplit(":", 1)[1])] = rs
            first_bytes, redundant, covered = defaultdict(int), defaultdict(int), []
            for frame in sorted(dss[receiver]):
                rs, port, dsn, n = dss[receiver][frame]
                if (rs, port) not in carriers:
                    continue
                fresh = n - sum(max(0, min(dsn + n, e) - max(dsn, b)) for b, e in covered)
                covered = merge(covered + [(dsn, dsn + n)])
                first_bytes[rs] += fresh
                redundant[rs] += n - fresh
            for s in d["subflows"]:
                rs = s["tcp_stream"] if receiver == first else s["peer_tcp_stream"]
                checker.check((s["arrived_first_bytes"], s["redundant_bytes"]) == (first_bytes[rs], redundant[rs]),
                              f"{dw} receiver tcp.stream {rs}: (arrived first, redundant) ({s['arrived_first_bytes']}, "
                              f"{s['redundant_bytes']}), tshark's DSNs at the receiver say "
                              f"({first_bytes[rs]}, {redundant[rs]})")
            for s in d["subflows"]:
                stream = {"client": s["tcp_stream"] if first == "client" else s["peer_tcp_stream"],
                          "server": s["tcp_stream"] if first == "server" else s["peer_tcp_stream"]}
                sw = f"{dw} subflow {stream}"
                if not checker.check(None not in stream.values(), f"{sw}: in both captures"):
                    continue
                flows = {side: data_flow(ends[side][stream[side]], d["direction"]) for side in captures}
                checker.check(flows["client"] == flows["server"], f"{sw}: the same 4-tuple in both captures")
                sent = payload[sender].get((stream[sender], *flows[sender]), 0)
                arrived = payload[receiver].get((stream[receiver], *flows[receiver]), 0)
                lost = dropped.get(flows[sender], 0)
                checker.check(s["sent_bytes"] == sent, f"{sw}: sent {s['sent_bytes']}, tshark {sent}")
                checker.check(s["arrived_bytes"] == arrived, f"{sw}: arrived {s['arrived_bytes']}, tshark {arrived}")
                checker.check(s["lost_bytes"] == lost, f"{sw}: lost {s['lost_bytes']}, the relay dropped {lost}")
                checker.check(s["sent_bytes"] == s["arrived_bytes"] + s["lost_bytes"],
                              f"{sw}: sent {s['sent_bytes']} = arrived {s['arrived_bytes']} + lost {s['lost_bytes']}")


def check_plot(scenario, truth, tmp):
    client = os.path.join(DATA_DIR, f"{scenario}.client.pcapng")
    server = os.path.join(DATA_DIR, f"{scenario}.server.pcapng")
    image = os.path.join(tmp, f"{scenario}.png")
    keep = os.path.join(tmp, scenario)
    p = subprocess.run([PROGRAM, "plot", "goodput", "-r", client, "--peer", server, "0", "--size", "800x500",
                        "--window", "100ms", "-o", image, "--keep-script", keep],
                       capture_output=True, text=True, env=env(), timeout=900)
    if not checker.check(p.returncode == 0, f"{scenario}: plot goodput --peer exit {p.returncode}: {p.stderr[-400:]}"):
        return
    checker.check(png_size(image) == (800, 500), f"{scenario}: plot goodput --peer PNG {png_size(image)}")
    series = kept_series(keep)
    app = truth["connections"][0]["app_bytes"]
    for direction, label in (("to_server", "(to server)"), ("to_client", "(to client)")):
        agg = [s for s in series if s.title and s.title.startswith("all subflows") and label in s.title]
        if not checker.check(len(agg) == 1, f"{scenario}: one aggregate goodput series {label}"):
            continue
        _, step = window_step(agg[0].columns)
        got = sum(r[1] for r in agg[0].rows) * step / 8
        expected = app[DIRECTION_KEY[direction]]
        checker.check(abs(got - expected) < 0.5, f"{scenario} plot goodput --peer {direction}: integral {got}, "
                                                 f"the application sent {expected}")
        subflows = [s for s in series if s.title and s.title.startswith("tcp.stream") and label in s.title]
        checker.check(abs(sum(sum(r[1] for r in s.rows) * step / 8 for s in subflows) - expected) < 0.5,
                      f"{scenario} plot goodput --peer {direction}: the subflows add up to {expected}")


def check_plot_refuses_tcp():
    client = os.path.join(DATA_DIR, "basic.client.pcapng")
    server = os.path.join(DATA_DIR, "basic.server.pcapng")
    p = subprocess.run([PROGRAM, "plot", "goodput", "-r", client, "--peer", server, "0", "--tcp", "-o", os.devnull],
                       capture_output=True, text=True, env=env(), timeout=900)
    checker.check(p.returncode == 2 and "--peer and --tcp" in p.stderr and not p.stdout,
                  f"plot goodput --peer --tcp: exit {p.returncode}, stderr {p.stderr.strip()!r}")


def check_no_twin():
    # basic.server's connection is not in reinject.client: nothing to compare it with.
    p = subprocess.run([PROGRAM, "summary-extended", "-r", os.path.join(DATA_DIR, "basic.client.pcapng"), "--peer",
                        os.path.join(DATA_DIR, "reinject.server.pcapng"), "0"],
                       capture_output=True, text=True, env=env(), timeout=900)
    checker.check(p.returncode == 2 and "mptcp.stream 0" in p.stderr and "no twin" in p.stderr and not p.stdout,
                  f"a connection without twin: exit {p.returncode}, stderr {p.stderr.strip()!r}")


def check_shared_pair():
    client = os.path.join(SHARED_CAPTURES, "client_2.pcap")
    server = os.path.join(SHARED_CAPTURES, "server_2.pcap")
    if not (os.path.exists(client) and os.path.exists(server)):
        print(f"skipped: the shared v0 pair ({SHARED_CAPTURES}) is absent")
        return
    compared = 0
    listed = run_json("list-mptcp", "-r", client)
    for c in listed["mptcp_connections"] if listed else []:
        n = c["mptcp_stream"]
        if n is None:
            continue
        doc = run_json("summary-extended", "-r", client, "--peer", server, str(n))
        q = run_json("qualify-reinjections", "-r", client, "--peer", server, str(n))
        if doc is None or q is None:
            continue
        captures = {"first": (client, n), "peer": (server, doc["peer_mptcp_stream"])}
        for d in doc["directions"]:
            receiver = captures["peer" if d["sender_capture"] == "first" else "first"]
            summary = run_json("mptcp-summary", "-r", receiver[0], str(receiver[1]))
            app = next(x["application_bytes"] for x in summary["directions"] if x["direction"] == d["direction"])
            checker.check(d["arrived_first_bytes"] == app,
                          f"client_2.pcap mptcp.stream {n} {d['direction']}: arrived first {d['arrived_first_bytes']}, "
                          f"the receiver's mptcp-summary says {app}")
            sender = captures[d["sender_capture"]]
            reinjections = run_json("list-reinjections", "-r", sender[0], str(sender[1]))["reinjections"]
            want = sorted(r["frame"] for r in reinjections if r["direction"] == d["direction"])
            got = sorted(r["frame"] for r in q["reinjections"] if r["direction"] == d["direction"])
            checker.check(got == want, f"client_2.pcap mptcp.stream {n} {d['direction']}: qualified frames "
                                       f"{len(got)}, list-reinjections {len(want)}")
            compared += 1
    checker.check(compared >= 8, f"the shared v0 pair: {compared} connection directions compared")


def main():
    scenarios = {s["name"]: s for s in manifest()["scenarios"]}
    for name in SCENARIOS:
        check_pair(name, scenarios[name], "client", "server")
    for name in SWAPPED:
        check_pair(name, scenarios[name], "server", "client")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("reinject", "pathfail"):
            check_plot(name, scenarios[name], tmp)
    check_no_twin()
    check_plot_refuses_tcp()
    check_shared_pair()
    checker.finish()


if __name__ == "__main__":
    main()
