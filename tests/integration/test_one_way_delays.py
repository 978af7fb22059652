"""`owd -r A --peer B N` on real two-capture pairs whose truth is known:
- the corpus pairs are captured on one clock: every connection's estimated offset is within its
  uncertainty of 0 (client or server capture first), and no drift is applied;
- `editcap -t` shifts one capture's clock: the estimate moves by exactly the shift (the capture's
  timestamp resolution allowed), the other way when the first capture is shifted, and the
  corrected delays and counts stay the same; `--clock-offset` imposes an offset;
- the server capture's clock made to run 100 ppm fast (timestamps rewritten): the drift is
  found and applied, the delays stay those of one clock;
- reinject delays path 1 (the client's 10.99.1.1) by 20 ms each way (manifest `relays`): that
  subflow's minimum delays are >= 20 ms both ways, the other subflow's p99 < 20 ms;
- the relay's dropped frames (manifest `dropped`) present in the sender's capture are exactly
  the unmatched sent packets of their subflow and direction;
- frames deleted from the server capture (editcap) are unmatched on their subflow and direction
  only, as sent or as received depending on which end sent them;
- with the server's own frames deleted from its capture, packets match one way only: the
  one_direction method, no uncertainty, the smallest delay that way taken as 0;
- --tcp, CSV and text, and bad input (same capture twice, unknown stream);
- the shared v0 pair (client_2.pcap / server_2.pcap, one clock) when ../shared/captures is there."""

import json
import os
import struct
import subprocess
import tempfile
from collections import Counter

from common import DATA_DIR, SHARED_CAPTURES, Checker, manifest, run_program, tshark_fields


def owd(first, peer, stream, *options):
    return json.loads(run_program("owd", "-r", first, "--peer", peer, str(stream), "--json", *options).stdout)


def pair(scenario):
    return (os.path.join(DATA_DIR, f"{scenario}.client.pcapng"), os.path.join(DATA_DIR, f"{scenario}.server.pcapng"))


def mptcp_streams(capture):
    listing = json.loads(run_program("list-mptcp", "-r", capture, "--json").stdout)
    return [c["mptcp_stream"] for c in listing["mptcp_connections"] if c["mptcp_stream"] is not None]


def tcp_endpoints(capture):
    """tcp.stream -> (client "addr:port", server "addr:port")."""
    listing = json.loads(run_program("list-tcp", "-r", capture, "--json").stdout)
    return {c["tcp_stream"]: (c["client"], c["server"]) for c in listing["tcp_connections"]}


def timestamp_resolution_ns(capture):
    """The coarsest power of ten dividing every timestamp of the capture (1000 for microseconds)."""
    times = [int(row[0].replace(".", "")) for row in tshark_fields(capture, ["frame.time_epoch"], display_filter="")]
    resolution = 1
    while resolution < 10**9 and all(t % (resolution * 10) == 0 for t in times):
        resolution *= 10
    return resolution


def shifted(capture, seconds, folder, name):
    out = os.path.join(folder, name)
    subprocess.run(["editcap", "-t", seconds, capture, out], check=True, capture_output=True)
    return out


def rows_by_key(report):
    return {(r["tcp_stream"], r["direction"]): r for r in report["subflows"]}


def check_one_clock(checker):
    scenarios = sorted({os.path.basename(f).split(".")[0] for f in os.listdir(DATA_DIR) if f.endswith(".client.pcapng")})
    for scenario in scenarios:
        client, server = pair(scenario)
        for stream in mptcp_streams(client):
            for first, peer, side in ((client, server, "client"), (server, client, "server")):
                if first == server:
                    # The server capture's stream numbers are its own: take the twin's.
                    report_c = owd(client, server, stream)
                    if report_c["peer_stream"] is None:
                        continue
                    report = owd(first, peer, report_c["peer_stream"])
                else:
                    report = owd(first, peer, stream)
                clock = report["clock"]
                what = f"{scenario} mptcp.stream {report['stream']} (-r {side})"
                if clock["method"] != "symmetric_minimum":
                    checker.check(False, f"{what}: estimated from both directions, got {clock['method']}")
                    continue
                checker.check(report["first_capture_side"] == side, f"{what}: first capture on the {side} side")
                checker.check(abs(report["clock_offset_ns"]) <= clock["uncertainty_ns"],
                              f"{what}: one clock, offset {report['clock_offset_ns']} within +/- "
                              f"{clock['uncertainty_ns']} of 0")
                checker.check(clock["drift"] != "applied" and clock["drift_ns_per_s"] == 0,
                              f"{what}: one clock, no drift applied ({clock['drift']}, {clock['drift_ns_per_s']})")


def check_shifts(checker, tmp):
    for scenario in ("basic", "reinject"):
        client, server = pair(scenario)
        resolution = max(timestamp_resolution_ns(client), timestamp_resolution_ns(server))
        base = owd(client, server, 0)
        for seconds, ns in (("12.345678", 12_345_678_000), ("-3600.5", -3_600_500_000_000)):
            moved = owd(client, shifted(server, seconds, tmp, f"{scenario}.server{seconds}.pcapng"), 0)
            delta = moved["clock_offset_ns"] - base["clock_offset_ns"]
            checker.check(abs(delta - ns) <= resolution,
                          f"{scenario}: peer clock shifted {seconds} s moves the offset by {delta} ns (+/- {resolution})")
            checker.check(moved["clock"]["uncertainty_ns"] == base["clock"]["uncertainty_ns"],
                          f"{scenario}: the shift leaves the uncertainty alone")
            checker.check(moved["subflows"] == base["subflows"],
                          f"{scenario}: peer shifted {seconds} s, corrected delays and counts unchanged")
            back = owd(shifted(client, seconds, tmp, f"{scenario}.client{seconds}.pcapng"), server, 0)
            delta = back["clock_offset_ns"] - base["clock_offset_ns"]
            checker.check(abs(delta + ns) <= resolution,
                          f"{scenario}: first clock shifted {seconds} s moves the offset by {delta} ns, the other way")
            checker.check(back["subflows"] == base["subflows"],
                          f"{scenario}: first shifted {seconds} s, corrected delays and counts unchanged")
        # Imposed: every delay moves by the difference, towards the peer down, back up.
        imposed_offset = base["clock_offset_ns"] + 1_000_000
        imposed = owd(client, server, 0, f"--clock-offset={imposed_offset}")
        checker.check(imposed["clock_offset_ns"] == imposed_offset and imposed["clock"]["method"] == "imposed"
                      and imposed["clock"]["uncertainty_ns"] is None and imposed["clock"]["drift_ns_per_s"] == 0,
                      f"{scenario}: --clock-offset is imposed as given: {imposed['clock']}")
        for key, row in rows_by_key(base).items():
            other = rows_by_key(imposed)[key]
            if row["delay_ns"] is None:
                continue
            sign = -1 if row["sender_capture"] == "first" else 1
            checker.check(other["delay_ns"]["min"] == row["delay_ns"]["min"] + sign * 1_000_000,
                          f"{scenario} {key}: imposing 1 ms more moves the minimum delay by {sign} ms")


def drifted(src, dst, ppb):
    """Copy the pcapng `src` to `dst` with its clock running `ppb` parts per billion fast from its
    first packet on: every Enhanced Packet Block's timestamp t becomes t0 + (t - t0) x (1 + ppb/1e9)
    in the capture's own units (only the timestamps change)."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    pos, endian, first = 0, "<", None
    while pos + 12 <= len(data):
        btype = struct.unpack_from(endian + "I", data, pos)[0]
        if btype == 0x0A0D0D0A:
            endian = "<" if data[pos + 8:pos + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack_from(endian + "I", data, pos + 4)[0]
        if btype == 6:
            high, low = struct.unpack_from(endian + "II", data, pos + 12)
            t = (high << 32) | low
            first = t if first is None else first
            t = first + (t - first) + ((t - first) * ppb + 500_000_000) // 1_000_000_000
            struct.pack_into(endian + "II", data, pos + 12, t >> 32, t & 0xFFFFFFFF)
        pos += blen
    with open(dst, "wb") as f:
        f.write(data)


def check_drift(checker, tmp):
    """The server capture's clock made to run 100 ppm fast: owd finds and applies that drift, the
    offset at the reference stays within its uncertainty of 0 and the delays stay those of one clock."""
    ppb = 100_000
    client, server = pair("addaddr")
    base = owd(client, server, 0)
    checker.check(base["clock"]["drift_windows"] >= 8 and base["clock"]["drift"] != "applied",
                  f"test premise: addaddr spans enough windows and has no drift of its own: {base['clock']}")
    fast = os.path.join(tmp, "addaddr.server.fast.pcapng")
    drifted(server, fast, ppb)
    report = owd(client, fast, 0)
    clock = report["clock"]
    # The drift (260 us over the capture) exceeds the round trip between the capture points (a few
    # us): drift-free minima would take the client capture for the server's side.
    checker.check(report["first_capture_side"] == "client",
                  f"a drifting peer clock: the first capture is still on the client side ({report['first_capture_side']})")
    checker.check(clock["drift"] == "applied" and abs(clock["drift_ns_per_s"] - ppb) <= ppb // 50,
                  f"a 100 ppm fast peer clock: drift {clock['drift']} {clock['drift_ns_per_s']} ns/s (within 2 %)")
    checker.check(clock["uncertainty_ns"] is not None and abs(report["clock_offset_ns"]) <= clock["uncertainty_ns"] + 1000,
                  f"the offset at the reference is still 0: {report['clock_offset_ns']} +/- {clock['uncertainty_ns']}")
    for row, other in zip(base["subflows"], report["subflows"]):
        if row["delay_ns"] is None:
            continue
        worst = max(abs(row["delay_ns"][k] - other["delay_ns"][k]) for k in ("min", "p50", "max"))
        checker.check(worst <= 2 * clock["uncertainty_ns"] + 2000,
                      f"addaddr tcp.stream {row['tcp_stream']} {row['direction']}: drift-corrected delays within "
                      f"{worst} ns of one clock's")
    without = owd(client, fast, 0, f"--clock-offset={base['clock_offset_ns']}")
    late = max(r["delay_ns"]["max"] for r in without["subflows"] if r["delay_ns"] and r["sender_capture"] == "first")
    base_late = max(r["delay_ns"]["max"] for r in base["subflows"] if r["delay_ns"] and r["sender_capture"] == "first")
    checker.check(late - base_late > 100_000,
                  f"premise: uncorrected, the drift adds {late - base_late} ns to the late delays towards the peer")


def check_reinject_path_delay(checker):
    client, server = pair("reinject")
    relays = next(s for s in manifest()["scenarios"] if s["name"] == "reinject")["relays"]
    delay_ns = relays["1"]["c2s"]["delay_ms"] * 1_000_000
    checker.check(relays["1"]["s2c"]["delay_ms"] * 1_000_000 == delay_ns, "the manifest delays path 1 alike both ways")
    endpoints = tcp_endpoints(client)
    report = owd(client, server, 0)
    uncertainty = report["clock"]["uncertainty_ns"]
    seen = Counter()
    for row in report["subflows"]:
        delayed_path = endpoints[row["tcp_stream"]][0].startswith("10.99.1.1:")
        seen[delayed_path] += 1
        what = f"reinject tcp.stream {row['tcp_stream']} {row['direction']}"
        if delayed_path:
            checker.check(row["delay_ns"]["min"] >= delay_ns - uncertainty,
                          f"{what}: path 1 delays by {delay_ns} ns, minimum delay {row['delay_ns']['min']}")
        else:
            checker.check(row["delay_ns"]["p99"] < delay_ns,
                          f"{what}: the clean path's p99 {row['delay_ns']['p99']} is below {delay_ns} ns")
    checker.check(seen[True] == 2 and seen[False] == 2, f"both directions of both paths reported: {seen}")


def sender_frames(capture, saddr, sport):
    """(seq, ack, len, flags) of every TCP segment from saddr:sport in `capture`, with multiplicity."""
    rows = tshark_fields(capture, ["tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.flags"],
                         display_filter=f"ip.src=={saddr} && tcp.srcport=={sport}")
    return Counter((int(r[0]), int(r[1]), int(r[2]), int(r[3], 16) & 0xFF) for r in rows)


def check_dropped_frames(checker):
    scenarios = [s for s in manifest()["scenarios"] if s.get("dropped")]
    checker.check(len(scenarios) >= 2, f"the manifest has scenarios with dropped frames: {[s['name'] for s in scenarios]}")
    for s in scenarios:
        client, server = pair(s["name"])
        endpoints = tcp_endpoints(client)
        report = owd(client, server, 0)
        # Dropped frames per (client endpoint, direction), those the sender's capture holds.
        expected = Counter()
        for direction, sender in (("c2s", client), ("s2c", server)):
            mine = [d for d in s["dropped"] if d["dir"] == direction]
            for (saddr, sport), group in Counter((d["saddr"], d["sport"]) for d in mine).items():
                present = sender_frames(sender, saddr, sport)
                for d in (d for d in mine if (d["saddr"], d["sport"]) == (saddr, sport)):
                    key = (d["seq"], d["ack"], d["len"], d["flags"] & 0xFF)
                    if present[key] > 0:
                        present[key] -= 1
                        end = f"{d['saddr']}:{d['sport']}" if direction == "c2s" else f"{d['daddr']}:{d['dport']}"
                        expected[(end, "to_server" if direction == "c2s" else "to_client")] += 1
        for row in report["subflows"]:
            key = (endpoints[row["tcp_stream"]][0], row["direction"])
            checker.check(row["unmatched_sent"] == expected[key],
                          f"{s['name']} tcp.stream {row['tcp_stream']} {row['direction']}: {row['unmatched_sent']} "
                          f"unmatched sent == {expected[key]} frames the relay dropped")
            checker.check(row["unmatched_received"] == 0,
                          f"{s['name']} tcp.stream {row['tcp_stream']} {row['direction']}: nothing received unsent")


def check_deleted_frames(checker, tmp):
    client, server = pair("basic")
    base = owd(client, server, 0)
    target = base["subflows"][0]  # the initial subflow, to_server (sent by the client)
    peer_stream = target["peer_tcp_stream"]
    frames = tshark_fields(server, ["frame.number", "ip.src", "tcp.len"], display_filter=f"tcp.stream=={peer_stream}")
    client_addr = tcp_endpoints(client)[target["tcp_stream"]][0].rsplit(":", 1)[0]
    to_server = [int(f[0]) for f in frames if f[1] == client_addr and int(f[2]) > 0][3:8]
    to_client = [int(f[0]) for f in frames if f[1] != client_addr][2:5]
    edited = os.path.join(tmp, "basic.server.deleted.pcapng")
    subprocess.run(["editcap", server, edited, *map(str, to_server + to_client)], check=True, capture_output=True)
    after = rows_by_key(owd(client, edited, 0))
    for key, row in rows_by_key(base).items():
        got = after[key]
        if key == (target["tcp_stream"], "to_server"):
            want = (row["matched"] - len(to_server), row["unmatched_sent"] + len(to_server), row["unmatched_received"])
        elif key == (target["tcp_stream"], "to_client"):
            # The server sent them: the client capture holds them without their sender's copy.
            want = (row["matched"] - len(to_client), row["unmatched_sent"], row["unmatched_received"] + len(to_client))
        else:
            want = (row["matched"], row["unmatched_sent"], row["unmatched_received"])
        checker.check((got["matched"], got["unmatched_sent"], got["unmatched_received"]) == want,
                      f"basic {key} after deleting {len(to_server)} to_server and {len(to_client)} to_client frames of "
                      f"tcp.stream {peer_stream} from the server capture: (matched, unmatched sent, received) = "
                      f"{(got['matched'], got['unmatched_sent'], got['unmatched_received'])}, want {want}")


def check_one_direction(checker, tmp):
    """Every frame the server sent deleted from the server capture: packets match towards the
    server only, so nothing bounds the offset from below: one_direction, no uncertainty, the
    smallest delay towards the server taken as 0."""
    client, server = pair("basic")
    base = owd(client, server, 0)
    server_addr = "10.99.11.1"
    checker.check(all(server_addr + ":" in e[1] for e in tcp_endpoints(client).values()),
                  f"test premise: every basic subflow's server is {server_addr}")
    frames = [r[0] for r in tshark_fields(server, ["frame.number"], display_filter=f"ip.src=={server_addr}")]
    edited = os.path.join(tmp, "basic.server.no-server-frames.pcapng")
    subprocess.run(["editcap", server, edited, *frames], check=True, capture_output=True)
    report = owd(client, edited, 0)
    clock = report["clock"]
    checker.check(clock["method"] == "one_direction" and clock["uncertainty_ns"] is None
                  and report["first_capture_side"] == "unknown" and clock["towards_first"] == 0,
                  f"matched one way only: one_direction, no uncertainty, side unknown: {clock}")
    # The offset is the smallest (server time - client time) towards the server: the estimated
    # offset plus the smallest delay towards the server of the full pair.
    smallest = min(r["delay_ns"]["min"] for r in base["subflows"] if r["direction"] == "to_server")
    checker.check(report["clock_offset_ns"] == base["clock_offset_ns"] + smallest,
                  f"one_direction offset {report['clock_offset_ns']} == {base['clock_offset_ns']} + {smallest}")
    to_server = [r for r in report["subflows"] if r["direction"] == "to_server"]
    checker.check(min(r["delay_ns"]["min"] for r in to_server) == 0,
                  "one_direction: the smallest delay towards the server is 0 by construction")
    checker.check(all(r["delay_ns"] is None and r["matched"] == 0 for r in report["subflows"]
                      if r["direction"] == "to_client"), "nothing matched towards the client")


def check_formats_and_errors(checker):
    client, server = pair("concurrent")
    listing = json.loads(run_program("list-tcp", "-r", client, "--json").stdout)["tcp_connections"]
    plain = [c["tcp_stream"] for c in listing if c["mptcp_stream"] is None]
    checker.check(len(plain) == 1, f"concurrent has one plain TCP connection: {plain}")
    report = owd(client, server, plain[0], "--tcp")
    checker.check(report["connection"] == "tcp" and report["stream"] == plain[0] and len(report["subflows"]) == 2,
                  f"--tcp reports the TCP connection's two directions: {report['connection']} {len(report['subflows'])}")
    checker.check(report["clock"]["method"] == "symmetric_minimum"
                  and abs(report["clock_offset_ns"]) <= report["clock"]["uncertainty_ns"],
                  f"--tcp: one clock, offset {report['clock_offset_ns']} within {report['clock']['uncertainty_ns']}")
    checker.check(all(r["matched"] > 0 and r["unmatched_sent"] == 0 for r in report["subflows"]),
                  "--tcp: every packet of the plain TCP connection matched")

    client, server = pair("basic")
    data = owd(client, server, 0)
    csv = run_program("owd", "-r", client, "--peer", server, "0", "--csv").stdout.splitlines()
    header = csv[0].split(",")
    checker.check(all(f"delay_ns_{p}" in header for p in ("min", "p50", "p90", "p99", "max"))
                  and "clock_offset_ns" in header and "delay_ns" not in header,
                  f"CSV flattens delay_ns and carries the offset: {header}")
    checker.check(len(csv) == 1 + len(data["subflows"]), f"one CSV row per subflow and direction: {len(csv) - 1}")
    first = dict(zip(header, csv[1].split(",")))
    checker.check(int(first["delay_ns_p90"]) == data["subflows"][0]["delay_ns"]["p90"]
                  and int(first["clock_offset_ns"]) == data["clock_offset_ns"], "CSV cells equal the JSON values")
    text = run_program("owd", "-r", client, "--peer", server, "0").stdout
    checker.check("clock offset (peer - first)" in text and text.count("delay min") == len(data["subflows"]),
                  f"text names the offset and one delay line per subflow and direction:\n{text}")

    same = run_program("owd", "-r", client, "--peer", client, "0", check=False)
    checker.check(same.returncode == 2 and "same capture" in same.stderr and not same.stdout,
                  f"the same capture twice: exit 2 and a message ({same.returncode}: {same.stderr.strip()})")
    unknown = run_program("owd", "-r", client, "--peer", server, "99", check=False)
    checker.check(unknown.returncode == 2 and "99" in unknown.stderr and not unknown.stdout,
                  f"an unknown mptcp.stream: exit 2 naming it ({unknown.returncode}: {unknown.stderr.strip()})")


def check_shared_pair(checker):
    """client_2.pcap / server_2.pcap (v0, GSO, stream numbers differ between the files): one clock."""
    client = os.path.join(SHARED_CAPTURES, "client_2.pcap")
    server = os.path.join(SHARED_CAPTURES, "server_2.pcap")
    if not (os.path.exists(client) and os.path.exists(server)):
        print(f"skipped: the shared v0 pair is not in {SHARED_CAPTURES}")
        return
    streams = mptcp_streams(client)
    checker.check(len(streams) == 4, f"client_2.pcap has 4 MPTCP connections: {streams}")
    for stream in streams:
        report = owd(client, server, stream)
        clock = report["clock"]
        what = f"client_2.pcap mptcp.stream {stream} (peer {report['peer_stream']})"
        checker.check(clock["method"] == "symmetric_minimum" and abs(report["clock_offset_ns"]) <= clock["uncertainty_ns"]
                      and clock["drift"] != "applied",
                      f"{what}: one clock, offset {report['clock_offset_ns']} within +/- {clock['uncertainty_ns']} of 0, "
                      f"drift {clock['drift']}")


def main():
    checker = Checker("one-way delays")
    with tempfile.TemporaryDirectory() as tmp:
        check_one_clock(checker)
        check_shifts(checker, tmp)
        check_drift(checker, tmp)
        check_reinject_path_delay(checker)
        check_dropped_frames(checker)
        check_deleted_frames(checker, tmp)
        check_one_direction(checker, tmp)
        check_formats_and_errors(checker)
        check_shared_pair(checker)
    checker.finish()


if __name__ == "__main__":
    main()
