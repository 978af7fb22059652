"""Our resent-data figures against the kernel's own counters, on every corpus scenario
(tests/data/manifest.json: per subflow `tcp_info` read by the applications through MPTCP_TCPINFO,
per connection MPTCP_INFO, per namespace the MIB; tools/corpus/README.md says what each counts).

Per scenario, direction and subflow, the table printed first puts our figures from the SENDER's
capture next to the sender's kernel, and the RECEIVER's capture next to the receiver's kernel:
  * TCP level: tcp-summary's payload bytes and retransmitted bytes of the subflow's sending
    direction == the sender's tcpi_bytes_sent and tcpi_bytes_retrans (kind 1). The capture point
    is on the sending host, so it sees every byte the kernel sent. Exact wherever the kernel's
    last read of that subflow came after its last data segment; a subflow that closed before the
    application's last read (`read: poll`) keeps an older value, so there ours >= kernel.
  * MPTCP level: the bytes we classify as MPTCP-retransmitted (kind 2) + reinjected (kind 3) over
    the connection's subflows == the sender's mptcpi_bytes_retrans, when the connection re-sent
    data only from its retransmission timer. Data the kernel pushes again when a subflow closes
    or goes stale (__mptcp_retransmit_pending_data: `pathfail`, `path_recovers`) is in neither
    mptcpi_bytes_retrans nor MPTcpExtMPTCPRetrans but is in the capture, so there ours >= kernel.
    MPTcpExtMPTCPRetrans counts timer rounds, not segments or bytes: > 0 => ours > 0.
  * Receiver: MPTcpExtDuplicateData counts received segments whose data the MPTCP layer already
    had; each is a segment with kind-2 or kind-3 bytes in the receiver's capture, so
    DuplicateData <= those segments (a copy whose original never arrived is not a duplicate).
  * Nothing re-sent by the kernel (no bytes_retrans, no MPTCPRetrans, no subflow closed or stale)
    and no duplicate received => we show no kind 1/2/3 byte in either capture.
Connections after MP_FAIL (`mpfail*`) are left out of the MPTCP-level checks: the client socket
often stalls after the fallback and its counters stop meaning anything (tools/corpus/README.md).
"""

import json
import os
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, manifest

checker = Checker("kernel reconciliation")
ENV = dict(os.environ)
ENV["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="mptcp-test-recon-")
SIDES = ("client", "server")
OTHER = {"client": "server", "server": "client"}
_memo = {}


def prog_json(capture, *args):
    key = (capture, args)
    if key not in _memo:
        p = subprocess.run([PROGRAM, *args, "-r", capture, "--json"], capture_output=True, text=True, env=ENV,
                           timeout=300)
        _memo[key] = json.loads(p.stdout) if checker.check(p.returncode == 0, f"{os.path.basename(capture)} "
                                                           f"{' '.join(args)}: exit {p.returncode} {p.stderr[-300:]}") else None
    return _memo[key]


def endpoint(addr, port):
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def four_tuple(sf):
    return endpoint(sf["saddr"], sf["sport"]), endpoint(sf["daddr"], sf["dport"])


def tcp_stream_of(lt, sf, nth):
    """The tcp.stream of the manifest subflow (its client->server 4-tuple) in a list-tcp: the
    nth connection on that 4-tuple (`port_reuse` reuses one; the manifest lists them in order)."""
    found = [t["tcp_stream"] for t in lt["tcp_connections"] if (t["client"], t["server"]) == four_tuple(sf)]
    return found[nth] if nth < len(found) else None


def reuse_index(scn, ci, sf):
    """How many earlier connections of the scenario had a subflow on this 4-tuple."""
    return sum(1 for c in scn["connections"][:ci] for x in c["subflows"] if four_tuple(x) == four_tuple(sf))


def sending_direction(sf, sender):
    """tcp-summary direction name of the subflow's traffic sent by `sender` (client/server of the
    MPTCP connection; a subflow's TCP client is the MPTCP client in this corpus)."""
    return "client_to_server" if sender == "client" else "server_to_client"


def nstat(scn, side, name):
    return scn["nstat"].get(side, {}).get(name, 0)


def mptcp_stream_of(scn, ci, side):
    """mptcp.stream of the scenario's connection ci in side's capture (by its initial subflow)."""
    conn = scn["connections"][ci]
    capture = os.path.join(DATA_DIR, scn["captures"][side])
    initial = next((sf for sf in conn["subflows"] if sf["role"] == "initial"), None)
    lt = prog_json(capture, "list-tcp")
    lm = prog_json(capture, "list-mptcp")
    if initial is None or lt is None or lm is None:
        return None
    ts = tcp_stream_of(lt, initial, reuse_index(scn, ci, initial))
    for m in lm["mptcp_connections"]:
        if any(x["tcp_stream"] == ts for x in m["subflows"]):
            return m["mptcp_stream"]
    return None


def resent_in(capture, mptcp_stream, direction):
    """(MPTCP-retransmitted bytes, reinjected bytes, segments holding either) of one connection and
    direction of a capture."""
    ms = prog_json(capture, "mptcp-summary", str(mptcp_stream))
    ri = prog_json(capture, "list-reinjections", str(mptcp_stream))
    mr = prog_json(capture, "list-mptcp-retransmissions", str(mptcp_stream))
    if ms is None or ri is None or mr is None:
        return None
    d = next(x for x in ms["directions"] if x["direction"] == direction)
    frames = {r["frame"] for r in ri["reinjections"] if r["direction"] == direction}
    frames |= {r["frame"] for r in mr["mptcp_retransmissions"] if r["direction"] == direction}
    return d["mptcp_retransmitted_bytes"], d["reinjected_bytes"], len(frames)


def collect_mptcp_level(scn, out):
    for ci, conn in enumerate(scn["connections"]):
        if conn["kind"] != "mptcp" or conn["fallback"]:
            continue
        for sender in SIDES:
            receiver = OTHER[sender]
            direction = "to_server" if sender == "client" else "to_client"
            figures = {}
            for side in SIDES:
                ms = mptcp_stream_of(scn, ci, side)
                if not checker.check(ms is not None, f"{scn['name']}[{ci}] {side}: the connection is in list-mptcp"):
                    break
                figures[side] = resent_in(os.path.join(DATA_DIR, scn["captures"][side]), ms, direction)
            if len(figures) != 2 or None in figures.values():
                continue
            info = (conn.get("mptcp_info") or {}).get(sender) or {}
            out.append({
                "scenario": scn["name"], "conn": ci, "direction": direction, "sender": sender,
                "ours_kind2": figures[sender][0], "ours_kind3": figures[sender][1],
                "kernel_bytes_retrans": info.get("bytes_retrans"),
                "mptcp_retrans_rounds": nstat(scn, sender, "MPTcpExtMPTCPRetrans"),
                "receiver_resent_segments": figures[receiver][2],
                "duplicate_data": nstat(scn, receiver, "MPTcpExtDuplicateData"),
                "single_connection": len(scn["connections"]) == 1,
                "subflow_gone": any(((sf.get("kernel") or {}).get(sender) or {}).get("read") == "poll"
                                    for sf in conn["subflows"]) or nstat(scn, sender, "MPTcpExtSubflowStale") > 0
                                or nstat(scn, sender, "MPTcpExtRmSubflow") > 0,
                "mp_fail": nstat(scn, "client", "MPTcpExtMPFailTx") + nstat(scn, "server", "MPTcpExtMPFailTx") > 0,
            })


def check_mptcp_level(rows):
    print(f"{'scenario':22} {'conn':>4} {'direction':9} {'kind2':>7} {'kind3':>7} {'ours 2+3':>8} "
          f"{'mptcpi_bytes_retrans':>20} {'MPTCPRetrans':>12} {'rcv segs 2/3':>12} {'DuplicateData':>13}")
    for r in rows:
        ours = r["ours_kind2"] + r["ours_kind3"]
        kernel = r["kernel_bytes_retrans"]
        print(f"{r['scenario']:22} {r['conn']:>4} {r['direction']:9} {r['ours_kind2']:>7} {r['ours_kind3']:>7} "
              f"{ours:>8} {str(kernel):>20} {r['mptcp_retrans_rounds']:>12} {r['receiver_resent_segments']:>12} "
              f"{r['duplicate_data']:>13}")
        label = f"{r['scenario']}[{r['conn']}] {r['direction']}"
        if r["mp_fail"] or kernel is None:
            continue
        if r["subflow_gone"]:
            checker.check(ours >= kernel, f"{label}: a subflow closed or went stale, so the capture holds the "
                                          f"timer's re-sends and the re-pushed data: ours {ours} >= kernel {kernel}")
        else:
            checker.check(ours == kernel, f"{label}: MPTCP-retransmitted + reinjected bytes {ours} in the "
                                          f"{r['sender']}'s capture, mptcpi_bytes_retrans {kernel}")
        if not r["single_connection"]:
            continue  # the MIB is per namespace
        if r["mptcp_retrans_rounds"]:
            checker.check(ours > 0, f"{label}: MPTCPRetrans {r['mptcp_retrans_rounds']} but no data re-sent at "
                                    f"the MPTCP level in the sender's capture")
        checker.check(r["duplicate_data"] <= r["receiver_resent_segments"],
                      f"{label}: DuplicateData {r['duplicate_data']} > {r['receiver_resent_segments']} segments "
                      f"with MPTCP-retransmitted or reinjected bytes in the receiver's capture")


def main():
    rows = []
    rows2 = []
    for scn in manifest()["scenarios"]:
        name = scn["name"]
        captures = {s: os.path.join(DATA_DIR, scn["captures"][s]) for s in SIDES}
        listings = {s: prog_json(captures[s], "list-tcp") for s in SIDES}
        mptcp_lists = {s: prog_json(captures[s], "list-mptcp") for s in SIDES}
        if None in listings.values() or None in mptcp_lists.values():
            continue
        one_connection = len(scn["connections"]) == 1
        for ci, conn in enumerate(scn["connections"]):
            for sender in SIDES:
                receiver = OTHER[sender]
                tdir = sending_direction(None, sender)
                ddir = "to_server" if sender == "client" else "to_client"
                ours_kind1 = ours_wire = kern_retrans = kern_sent = 0
                ours_mptcp = {"mptcp_retransmitted_bytes": 0, "reinjected_bytes": 0}
                recv_resent_segments = 0
                exact_tcp = True
                for sf in conn["subflows"]:
                    k = (sf.get("kernel") or {}).get(sender)
                    ts = tcp_stream_of(listings[sender], sf, reuse_index(scn, ci, sf))
                    if ts is None:
                        continue
                    summary = prog_json(captures[sender], "tcp-summary", str(ts))
                    if summary is None:
                        continue
                    d = next(x for x in summary["directions"] if x["direction"] == tdir)
                    if k is None:
                        continue
                    ti = k["tcp_info"]
                    label = f"{name}[{ci}] {sender} {endpoint(sf['saddr'], sf['sport'])}"
                    final = k["read"] != "poll"
                    rows.append((name, ci, sender, f"{sf['saddr']}:{sf['sport']}", k["read"], d["wire_bytes"],
                                 ti["bytes_sent"], d["retransmitted_bytes"], ti["bytes_retrans"]))
                    if final:
                        checker.check(d["wire_bytes"] == ti["bytes_sent"],
                                      f"{label}: {d['wire_bytes']} payload bytes in the sender's capture, "
                                      f"tcpi_bytes_sent {ti['bytes_sent']}")
                        checker.check(d["retransmitted_bytes"] == ti["bytes_retrans"],
                                      f"{label}: {d['retransmitted_bytes']} TCP-retransmitted bytes in the sender's "
                                      f"capture, tcpi_bytes_retrans {ti['bytes_retrans']}")
                    else:
                        checker.check(d["wire_bytes"] >= ti["bytes_sent"] and
                                      d["retransmitted_bytes"] >= ti["bytes_retrans"],
                                      f"{label}: the kernel's last read (poll) is older than the capture's end, yet "
                                      f"it counts more: sent {ti['bytes_sent']} > {d['wire_bytes']} or retrans "
                                      f"{ti['bytes_retrans']} > {d['retransmitted_bytes']}")
    for scn in manifest()["scenarios"]:
        collect_mptcp_level(scn, rows2)
    check_mptcp_level(rows2)
    print(f"{'scenario':22} {'conn':>4} {'sender':6} {'subflow':22} {'read':13} {'ours sent':>10} "
          f"{'tcpi sent':>10} {'ours retx':>9} {'tcpi retx':>9}")
    for r in rows:
        print(f"{r[0]:22} {r[1]:>4} {r[2]:6} {r[3]:22} {r[4]:13} {r[5]:>10} {r[6]:>10} {r[7]:>9} {r[8]:>9}")
    checker.finish()


if __name__ == "__main__":
    main()
