"""qualify-reinjections on the corpus pairs whose client reinjected data (reinject, pathfail,
path_recovers), checked against what tshark shows in both captures, never against our own output:

* the sender's segments and their DSN ranges come from tshark's raw DSS fields in the sender's
  capture (rawdataseqno, subflowseqno, datalvllen; as test_resent_data.py), the originals of a
  reinjection being every earlier data segment on another subflow whose DSN range overlaps it;
* each copy is followed to the receiver's capture by a fingerprint of what survives the path
  (ports, raw sequence and acknowledgment numbers, length, TCP timestamps), matched in order, so
  its arrival time is the receiver's frame.time_epoch;
* the expected classification follows the documented rule (docs/commands.md,
  "qualify-reinjections"): useful when the reinjected copy arrived before the arrived originals
  covered the reinjected DSN bytes (or they never did), redundant when they covered them first
  (or only originals arrived), lost when nothing arrived; gain_ns, arrival_ns (since the
  receiver connection's first packet) and data_ack_sooner (the receiver's first DATA_ACK at or
  beyond the reinjected bytes, from its rawdataack, sent before the originals' delivery) are
  recomputed exactly;
* a copy with no twin at the receiver is exactly one the relay dropped (manifest `dropped`);
* useful + redundant + lost = list-reinjections' count on the sender's capture, per direction;
* with the captures swapped (-r server --peer client) each reinjection keeps its classification,
  its frame numbers now refer to the peer capture;
* with the server capture's clock shifted (editcap -t, +1234.5 s and -86400 s), the report is
  exactly the same: every time it compares comes from the receiver's own clock."""

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict, deque

from common import DATA_DIR, PROGRAM, Checker, manifest, tshark_fields

checker = Checker("reinjection_qualification")
SCENARIOS = ["reinject", "pathfail", "path_recovers"]
MOD32 = 1 << 32
MOD64 = 1 << 64

FIELDS = ["frame.number", "frame.time_epoch", "tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.seq", "tcp.seq_raw",
          "tcp.ack_raw", "tcp.len", "tcp.flags.syn", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
          "tcp.options.mptcp.rawdataseqno", "tcp.options.mptcp.subflowseqno", "tcp.options.mptcp.datalvllen",
          "tcp.options.mptcp.rawdataack"]
F = {name: i for i, name in enumerate(FIELDS)}


def tshark(capture):
    rows = tshark_fields(capture, FIELDS, preferences=["tcp.relative_sequence_numbers:TRUE",
                                                       "tcp.analyze_sequence_numbers:TRUE",
                                                       "tcp.desegment_tcp_streams:FALSE",
                                                       "mptcp.analyze_mappings:FALSE"])
    return [r + [""] * (len(FIELDS) - len(r)) for r in rows]


def epoch_ns(text):
    seconds, _, fraction = text.partition(".")
    return int(seconds) * 1_000_000_000 + int((fraction + "000000000")[:9])


def fingerprint(r):
    return tuple(r[F[k]] for k in ("tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw", "tcp.len",
                                    "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr"))


def first_values(text):
    return text.split(",") if text else []


def data_segments(rows):
    """{frame: (tcp.stream, from port, DSN start mod 2^64, length)} of every payload segment, the
    DSN from the mapping the segment carries, else the latest earlier one covering it, else the
    first later one (Linux repeats a mapping on each of its segments)."""
    mappings = defaultdict(list)  # (stream, srcport) -> [(frame, ssn, dsn, length)]
    segs = []
    for r in rows:
        stream, port, frame = int(r[F["tcp.stream"]]), r[F["tcp.srcport"]], int(r[F["frame.number"]])
        dsn, ssn, dll = (first_values(r[F[k]]) for k in ("tcp.options.mptcp.rawdataseqno",
                                                          "tcp.options.mptcp.subflowseqno",
                                                          "tcp.options.mptcp.datalvllen"))
        if dsn and len(dsn) == len(ssn) == len(dll):
            for a, b, c in zip(dsn, ssn, dll):
                mappings[(stream, port)].append((frame, int(b), int(a), int(c)))
        n = int(r[F["tcp.len"]] or 0)
        if n > 0:
            seq = int(r[F["tcp.seq"]]) + (1 if r[F["tcp.flags.syn"]] in ("1", "True") else 0)
            segs.append((frame, stream, port, seq, n))
    out = {}
    for frame, stream, port, seq, n in segs:
        maps = mappings.get((stream, port), [])
        covering = [m for m in maps if m[3] == 0 or (seq - m[1]) % MOD32 < m[3]]
        own = [m for m in covering if m[0] == frame]
        earlier = [m for m in covering if m[0] < frame]
        later = [m for m in covering if m[0] > frame]
        m = own[-1] if own else earlier[-1] if earlier else later[0] if later else None
        if m is not None:
            out[frame] = (stream, port, (m[2] + (seq - m[1]) % MOD32) % MOD64, n)
    return out


def merged(intervals):
    out = []
    for s, e in sorted(tuple(i) for i in intervals if i[0] < i[1]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return out


def covers(have, want):
    return all(any(h[0] <= w[0] and w[1] <= h[1] for h in have) for w in want)


def run_json(*args):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    p = subprocess.run([PROGRAM, *args, "--json"], capture_output=True, text=True, env=env, timeout=900)
    if not checker.check(p.returncode == 0, f"{' '.join(args)}: exit {p.returncode}: {p.stderr[-400:]}"):
        return None
    return json.loads(p.stdout)


def check_scenario(scenario, truth):
    client = os.path.join(DATA_DIR, scenario + ".client.pcapng")
    server = os.path.join(DATA_DIR, scenario + ".server.pcapng")
    rows = {"client": tshark(client), "server": tshark(server)}
    by_frame = {side: {int(r[F["frame.number"]]): r for r in rows[side]} for side in rows}
    segments = {side: data_segments(rows[side]) for side in rows}
    # The receiver's twin of each sender frame, identical fingerprints matched in order.
    twins = {}
    for sender, receiver in (("client", "server"), ("server", "client")):
        waiting = defaultdict(deque)
        for r in rows[receiver]:
            waiting[fingerprint(r)].append(int(r[F["frame.number"]]))
        twins[sender] = {}
        for r in rows[sender]:
            q = waiting.get(fingerprint(r))
            if q:
                twins[sender][int(r[F["frame.number"]])] = q.popleft()
    # One MPTCP connection per scenario here: its first packet is the capture's first TCP packet.
    checker.check(len(truth["connections"]) == 1, f"{scenario}: one connection in the manifest")
    start = {side: min(epoch_ns(r[F["frame.time_epoch"]]) for r in rows[side]) for side in rows}
    dropped = {(d["sport"], d["dport"], d["seq"], d["ack"], d["len"]) for d in truth["dropped"]}
    server_port = str(truth["connections"][0]["server"]["port"])

    for first, peer in (("client", "server"), ("server", "client")):
        doc = run_json("qualify-reinjections", "-r", {"client": client, "server": server}[first], "--peer",
                       {"client": client, "server": server}[peer], "0")
        if doc is None:
            continue
        checker.check(doc["first_side"] == first, f"{scenario} -r {first}: first_side {doc['first_side']}")
        listed = {}
        for side in ("client", "server"):
            lr = run_json("list-reinjections", "-r", {"client": client, "server": server}[side], "0")
            listed[side] = lr["reinjections"] if lr else []
        for direction, sender in (("to_server", "client"), ("to_client", "server")):
            receiver = "server" if sender == "client" else "client"
            mine = [r for r in doc["reinjections"] if r["direction"] == direction]
            summary = doc["summary"][direction]
            expected_capture = "first" if sender == first else "peer"
            checker.check(summary["sender_capture"] == expected_capture,
                          f"{scenario} -r {first} {direction}: sender_capture {summary['sender_capture']}")
            sender_listed = [r for r in listed[sender] if r["direction"] == direction]
            checker.check(summary["useful"] + summary["redundant"] + summary["lost"] == len(sender_listed) == len(mine),
                          f"{scenario} -r {first} {direction}: useful {summary['useful']} + redundant "
                          f"{summary['redundant']} + lost {summary['lost']} vs list-reinjections {len(sender_listed)}")
            checker.check(sorted(r["frame"] for r in mine) == sorted(r["frame"] for r in sender_listed),
                          f"{scenario} -r {first} {direction}: the qualified frames are list-reinjections' of the "
                          f"{sender} capture")
            # The receiver's DATA_ACKs of this direction: (time, raw DATA_ACK), capture order.
            acks = []
            for r in rows[receiver]:
                from_receiver = (r[F["tcp.srcport"]] == server_port) == (receiver == "server")
                if from_receiver and r[F["tcp.options.mptcp.rawdataack"]]:
                    for a in first_values(r[F["tcp.options.mptcp.rawdataack"]]):
                        acks.append((epoch_ns(r[F["frame.time_epoch"]]), int(a)))
            segs = segments[sender]
            for q in mine:
                what = f"{scenario} -r {first} {direction} frame {q['frame']}"
                checker.check(q["capture"] == expected_capture, f"{what}: capture {q['capture']}")
                frame = q["frame"]
                if not checker.check(frame in segs, f"{what}: tshark sees no mapped data segment there"):
                    continue
                stream, port, dsn, n = segs[frame]
                own = (dsn, dsn + n)
                originals = sorted(f for f, (s2, p2, d2, n2) in segs.items()
                                   if f < frame and s2 != stream and d2 < own[1] and own[0] < d2 + n2)
                checker.check(sorted(o["frame"] for o in q["originals"]) == originals,
                              f"{what}: originals {[o['frame'] for o in q['originals']]}, tshark's DSNs say {originals}")
                reinjected = merged((max(own[0], segs[o][2]), min(own[1], segs[o][2] + segs[o][3])) for o in originals)

                def arrival(f):
                    t = twins[sender].get(f)
                    return None if t is None else epoch_ns(by_frame[receiver][t][F["frame.time_epoch"]]) - start[receiver]

                def was_dropped(f):
                    r = by_frame[sender][f]
                    return (int(r[F["tcp.srcport"]]), int(r[F["tcp.dstport"]]), int(r[F["tcp.seq_raw"]]),
                            int(r[F["tcp.ack_raw"]]), int(r[F["tcp.len"]])) in dropped

                copy_at = arrival(frame)
                checker.check(q["arrival_ns"] == copy_at, f"{what}: arrival_ns {q['arrival_ns']}, tshark {copy_at}")
                for f in [frame, *originals]:
                    checker.check((arrival(f) is None) == was_dropped(f),
                                  f"{what}: frame {f} has {'no' if arrival(f) is None else 'a'} twin at the receiver "
                                  f"but the relay {'dropped' if was_dropped(f) else 'did not drop'} it")
                arrived = sorted((arrival(o), o) for o in originals if arrival(o) is not None)
                delivered, have = None, []
                for t, o in arrived:
                    have = merged(have + [(segs[o][2], segs[o][2] + segs[o][3])])
                    if covers(have, reinjected):
                        delivered = t
                        break
                if copy_at is not None:
                    expected = "redundant" if delivered is not None and delivered <= copy_at else "useful"
                else:
                    expected = "redundant" if arrived else "lost"
                checker.check(q["classification"] == expected,
                              f"{what}: classified {q['classification']}, the receiver's capture says {expected} "
                              f"(copy at {copy_at}, originals delivered at {delivered})")
                gain = delivered - copy_at if delivered is not None and copy_at is not None else None
                checker.check(q["gain_ns"] == gain, f"{what}: gain_ns {q['gain_ns']}, tshark {gain}")
                end = reinjected[-1][1] if reinjected else own[1]
                ack_at = next((t - start[receiver] for t, a in acks
                               if (a - end) % (MOD64 if a >= MOD32 else MOD32) < (1 << 31)), None)
                checker.check(q["data_ack_ns"] == ack_at, f"{what}: data_ack_ns {q['data_ack_ns']}, tshark {ack_at}")
                sooner = expected == "useful" and ack_at is not None and (delivered is None or ack_at < delivered)
                checker.check(q["data_ack_sooner"] == sooner, f"{what}: data_ack_sooner {q['data_ack_sooner']}, "
                                                              f"tshark says {sooner}")
            counts = {c: sum(1 for q in mine if q["classification"] == c) for c in ("useful", "redundant", "lost")}
            checker.check(all(summary[c] == counts[c] for c in counts), f"{scenario} {direction}: summary {summary} "
                                                                        f"vs the rows' {counts}")
    return rows


def check_clock_shift(scenario):
    client = os.path.join(DATA_DIR, scenario + ".client.pcapng")
    server = os.path.join(DATA_DIR, scenario + ".server.pcapng")
    reference = run_json("qualify-reinjections", "-r", client, "--peer", server, "0")
    with tempfile.TemporaryDirectory() as tmp:
        for shift in ("1234.5", "-86400"):
            shifted = os.path.join(tmp, f"{scenario}.server{shift}.pcapng")
            subprocess.run(["editcap", "-t", shift, server, shifted], check=True, capture_output=True)
            for args in (["-r", client, "--peer", shifted], ["-r", shifted, "--peer", client]):
                doc = run_json("qualify-reinjections", *args, "0")
                if args[1] == client:
                    checker.check(doc == reference, f"{scenario}: server clock shifted by {shift} s: the same report")
                else:
                    mine = {q["frame"]: (q["classification"], q["gain_ns"], q["arrival_ns"], q["data_ack_sooner"])
                            for q in (doc or {}).get("reinjections", [])}
                    theirs = {q["frame"]: (q["classification"], q["gain_ns"], q["arrival_ns"], q["data_ack_sooner"])
                              for q in reference["reinjections"]}
                    checker.check(doc is not None and doc["first_side"] == "server" and mine == theirs,
                                  f"{scenario}: shifted server capture as -r: the same classifications and times")


def main():
    scenarios = {s["name"]: s for s in manifest()["scenarios"]}
    kinds = set()
    for name in SCENARIOS:
        check_scenario(name, scenarios[name])
        doc = run_json("qualify-reinjections", "-r", os.path.join(DATA_DIR, name + ".client.pcapng"), "--peer",
                       os.path.join(DATA_DIR, name + ".server.pcapng"), "0")
        if doc:
            kinds |= {q["classification"] for q in doc["reinjections"]}
            print(f"{name}: " + ", ".join(f"{d}: {doc['summary'][d]['useful']} useful, {doc['summary'][d]['redundant']} "
                                          f"redundant, {doc['summary'][d]['lost']} lost" for d in ("to_server", "to_client")))
    # The corpus shows both outcomes that its relays can produce (no copy of reinjected data was
    # dropped twice in these captures, so nothing is lost).
    check_clock_shift("path_recovers")
    checker.check({"useful", "redundant"} <= kinds, f"the corpus shows useful and redundant reinjections: {kinds}")
    checker.finish()


if __name__ == "__main__":
    main()
