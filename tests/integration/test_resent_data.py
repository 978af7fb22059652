"""Resent data is classified once (docs/commands.md, "Resent data"): every payload byte of an MPTCP
subflow is TCP-retransmitted, unmapped, MPTCP-retransmitted, reinjected or new. Checked against
rules computed here from tshark's raw fields, never against our own output:

* on every corpus capture, byte by byte from tshark's tcp.seq, tcp.len and the DSS mappings
  (rawdataseqno, subflowseqno, datalvllen): list-reinjections lists exactly the data segments
  with reinjected bytes, and list-mptcp-retransmissions exactly those with MPTCP-retransmitted
  bytes, each with the same byte counts per kind (on reinject.client, subflow 0's TCP
  retransmissions of data subflow 1 also carried were listed as "reinjections" of 0 new bytes:
  they are TCP retransmissions); the per-kind byte counts of every subflow and direction are
  compared too, except on connections that fell back (no mapping on the wire past the fallback);
* on every tcp.stream of every corpus capture and of ../shared/captures (skipped when absent),
  tcp-summary equals tshark: wire_bytes (sum of tcp.len), unique_bytes (union of
  [tcp.seq, tcp.seq + tcp.len)), hole_bytes (span minus that union), retransmitted_bytes, so that
  wire = unique + retransmitted and span = unique + holes; client_2.pcap tcp.stream 5 has a range
  the capture never saw (hole_bytes > 0);
* mptcp-summary, per subflow and direction: wire_bytes and tcp_retransmitted_bytes equal
  tcp-summary's wire_bytes and retransmitted_bytes of that subflow and direction, wire = new +
  reinjected + MPTCP-retransmitted + TCP-retransmitted + unmapped, and each direction's figures
  are the sums of its subflows'."""

import json
import os
import subprocess
import sys
import time

from common import DATA_DIR, PROGRAM, SHARED_CAPTURES, Checker, corpus_captures, shared_captures, tshark_fields

checker = Checker("resent_data")
T0 = time.time()
MOD32 = 1 << 32
KINDS = ("tcp_retransmitted", "unmapped", "mptcp_retransmitted", "reinjected", "new")


# One tshark pass per capture, shared by both computations below.
FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "tcp.seq", "tcp.len", "tcp.flags.syn",
          "tcp.flags.ack", "tcp.options.mptcp.rawdataseqno", "tcp.options.mptcp.subflowseqno",
          "tcp.options.mptcp.datalvllen"]
_tshark_rows = {}


def tshark_rows(capture):
    if capture not in _tshark_rows:
        _tshark_rows.clear()
        _tshark_rows[capture] = tshark(capture, FIELDS)
    return _tshark_rows[capture]


def tshark(capture, fields, display_filter="tcp"):
    rows = tshark_fields(capture, fields, display_filter=display_filter,
                         preferences=["tcp.relative_sequence_numbers:TRUE", "tcp.analyze_sequence_numbers:TRUE",
                                      "tcp.desegment_tcp_streams:FALSE"])
    return [r + [""] * (len(fields) - len(r)) for r in rows]


def batch_json(capture, commands):
    """The JSON documents of `commands` (argument lists, -r added) run as one batch, in order."""
    lines = "".join(" ".join([*c, "-r", capture, "--json"]) + "\n" for c in commands)
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    p = subprocess.run([PROGRAM, "--batch", "-"], input=lines, capture_output=True, text=True, env=env, timeout=900)
    if not checker.check(p.returncode == 0, f"{os.path.basename(capture)}: batch exit {p.returncode}: {p.stderr[-400:]}"):
        return None
    docs, i, dec = [], 0, json.JSONDecoder()
    text = p.stdout
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            break
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)
    if not checker.check(len(docs) == len(commands), f"{os.path.basename(capture)}: {len(docs)} JSON documents "
                                                     f"for {len(commands)} commands"):
        return None
    return docs


# ---------------------------------------------------------------------------------------------
# tcp-summary against tshark's sequence numbers
# ---------------------------------------------------------------------------------------------

def tshark_tcp_coverage(capture):
    """{(tcp.stream, from_client): (wire, unique, span)} from tshark's relative tcp.seq and tcp.len,
    the client being the SYN's sender (else the first packet's sender, as the program without a
    SYN when ports do not tell; streams without a SYN are skipped)."""
    rows = tshark_rows(capture)
    client = {}
    for r in rows:
        if r[7] in ("1", "True") and r[8] in ("0", "False"):
            client.setdefault(int(r[1]), (r[2] or r[3], r[4]))
    segs = {}
    for r in rows:
        stream = int(r[1])
        if stream not in client or not r[6] or int(r[6]) == 0:
            continue
        key = (stream, (r[2] or r[3], r[4]) == client[stream])
        start = int(r[5]) + (1 if r[7] in ("1", "True") else 0)
        segs.setdefault(key, []).append((start, int(r[6])))
    out = {}
    for key, lst in segs.items():
        # relative numbers near 0: a value past 2^31 is a segment before the first one
        iv = sorted(((s - MOD32 if s >= MOD32 // 2 else s), n) for s, n in lst)
        unique, end = 0, None
        for s, n in iv:
            e = s + n
            if end is None or s >= end:
                unique += n
                end = e
            elif e > end:
                unique += e - end
                end = e
        span = max(s + n for s, n in iv) - min(s for s, _ in iv)
        out[key] = (sum(n for _, n in lst), unique, span)
    return out


def check_tcp_summaries(capture, summaries):
    name = os.path.basename(capture)
    truth = tshark_tcp_coverage(capture)
    compared = 0
    for ts in summaries:
        for d in ts["directions"]:
            what = f"{name} tcp.stream {ts['tcp_stream']} {d['direction']}"
            checker.check(d["wire_bytes"] == d["unique_bytes"] + d["retransmitted_bytes"],
                          f"{what}: wire {d['wire_bytes']} != unique {d['unique_bytes']} + retransmitted "
                          f"{d['retransmitted_bytes']}")
            key = (ts["tcp_stream"], d["direction"] == "client_to_server")
            if ts["orientation"] != "syn" or (d["wire_bytes"] and key not in truth):
                continue
            wire, unique, span = truth.get(key, (0, 0, 0))
            compared += 1
            checker.check((d["wire_bytes"], d["unique_bytes"], d["hole_bytes"], d["retransmitted_bytes"]) ==
                          (wire, unique, span - unique, wire - unique),
                          f"{what}: (wire, unique, hole, retransmitted) bytes ({d['wire_bytes']}, {d['unique_bytes']}, "
                          f"{d['hole_bytes']}, {d['retransmitted_bytes']}), tshark's sequence numbers say "
                          f"({wire}, {unique}, {span - unique}, {wire - unique})")
    checker.check(compared > 0, f"{name}: no TCP direction compared with tshark")
    return truth


# ---------------------------------------------------------------------------------------------
# The byte classification, computed from tshark's raw fields
# ---------------------------------------------------------------------------------------------

def classify_bytes(capture, subflows):
    """{frame: {kind: bytes}} for every payload segment of an MPTCP subflow, byte by byte in
    capture order, from tshark's fields alone. `subflows`: tcp.stream -> (mptcp.stream, whether
    the subflow's TCP client is the MPTCP client), i.e. which data direction each TCP direction is.

    A byte is TCP-retransmitted when its subflow sequence number was seen before on the same
    subflow and direction; else unmapped when no DSS mapping of its subflow and direction covers
    it; else MPTCP-retransmitted when its DSN was carried before by the same subflow, reinjected
    when only by others, new otherwise. A segment's DSN comes from the mapping carried by the
    segment, else the latest earlier mapping covering it, else the first later one (Linux repeats
    a mapping on each of its segments; the first data of v1 rides on MP_CAPABLE, whose mapping
    the next DSS repeats): DSN = mapping DSN + (tcp.seq - mapping subflow sequence number)."""
    rows = tshark_rows(capture)
    client = {}
    for r in rows:
        if r[7] in ("1", "True") and r[8] in ("0", "False"):
            client.setdefault(int(r[1]), (r[2] or r[3], r[4]))
    mappings = {}  # (stream, from_client) -> [(frame, ssn, dsn, length)]
    segments = []  # (frame, stream, from_client, seq, len)
    for r in rows:
        stream = int(r[1])
        if stream not in subflows or stream not in client:
            continue
        frame = int(r[0])
        from_client = (r[2] or r[3], r[4]) == client[stream]
        dsn, ssn, dll = (v.split(",") if v else [] for v in (r[9], r[10], r[11]))
        if dsn and len(dsn) == len(ssn) == len(dll):
            for a, b, c in zip(dsn, ssn, dll):
                mappings.setdefault((stream, from_client), []).append((frame, int(b), int(a), int(c)))
        if r[6] and int(r[6]) > 0:
            segments.append((frame, stream, from_client, int(r[5]) + (1 if r[7] in ("1", "True") else 0), int(r[6])))

    def dsn_of(frame, stream, from_client, seq):
        maps = mappings.get((stream, from_client), [])
        covering = [m for m in maps if m[3] == 0 or (seq - m[1]) % MOD32 < m[3]]
        own = [m for m in covering if m[0] == frame]
        earlier = [m for m in covering if m[0] < frame]
        later = [m for m in covering if m[0] > frame]
        m = own[-1] if own else earlier[-1] if earlier else later[0] if later else None
        return None if m is None else m[2] + (seq - m[1]) % MOD32

    seen_seq = {}    # (stream, from_client) -> set of sequence numbers (mod 2^32)
    carriers = {}    # (mptcp.stream, data direction) -> {DSN mod 2^64: set of tcp.streams}
    out = {}
    for frame, stream, from_client, seq, n in segments:
        mstream, client_is_mptcp_client = subflows[stream]
        direction = "to_server" if from_client == client_is_mptcp_client else "to_client"
        seen = seen_seq.setdefault((stream, from_client), set())
        carried = carriers.setdefault((mstream, direction), {})
        dsn = dsn_of(frame, stream, from_client, seq)
        kinds = dict.fromkeys(KINDS, 0)
        for k in range(n):
            s = (seq + k) % MOD32
            if s in seen:
                kinds["tcp_retransmitted"] += 1
            elif dsn is None:
                kinds["unmapped"] += 1
            else:
                c = carried.get((dsn + k) % (1 << 64))
                kinds["new" if not c else "mptcp_retransmitted" if stream in c else "reinjected"] += 1
        for k in range(n):
            seen.add((seq + k) % MOD32)
            if dsn is not None:
                carried.setdefault((dsn + k) % (1 << 64), set()).add(stream)
        out[frame] = (stream, direction, kinds)
    return out


def check_listings(capture, lm, reinjections, retransmissions):
    name = os.path.basename(capture)
    subflows = {}
    for m in lm["mptcp_connections"]:
        if m["fallback"] != "none":
            # After a fallback no mapping is on the wire: the data continues the DSN space one to
            # one by rule (RFC 8684 3.7), which tshark's fields do not give.
            continue
        for sf in m["subflows"]:
            subflows[sf["tcp_stream"]] = (m["mptcp_stream"], sf["mptcpdest"] == "server")
    truth = classify_bytes(capture, subflows)
    for listing, kind, rows in (("list-reinjections", "reinjected", reinjections["reinjections"]),
                                ("list-mptcp-retransmissions", "mptcp_retransmitted",
                                 retransmissions["mptcp_retransmissions"])):
        want = sorted(f for f, (_, _, k) in truth.items() if k[kind])
        got = [r["frame"] for r in rows]
        checker.check(got == want, f"{name}: {listing} lists frames {got[:20]} ({len(got)}), the segments with "
                                   f"{kind} bytes by tshark's fields are {want[:20]} ({len(want)})")
        for r in rows:
            if r["frame"] not in truth:
                continue
            stream, direction, k = truth[r["frame"]]
            ours = {x: r[f"{x}_bytes"] for x in ("reinjected", "mptcp_retransmitted", "tcp_retransmitted", "new")}
            theirs = {x: k[x] for x in ours}
            checker.check((r["tcp_stream"], r["direction"], ours) == (stream, direction, theirs),
                          f"{name}: {listing} frame {r['frame']}: tcp.stream {r['tcp_stream']} {r['direction']} bytes "
                          f"{ours}, tshark's fields say tcp.stream {stream} {direction} {theirs}")
    return truth


# ---------------------------------------------------------------------------------------------
# mptcp-summary identities
# ---------------------------------------------------------------------------------------------

def check_mptcp_summaries(capture, lm, summaries, tcp_by_stream, truth):
    name = os.path.basename(capture)
    for m, ms in zip(lm_connections_with_stream(lm), summaries):
        for d in ms["directions"]:
            what = f"{name} mptcp.stream {m['mptcp_stream']} {d['direction']}"
            sums = dict.fromkeys(("wire", "new", "reinjected", "mptcp_retransmitted", "tcp_retransmitted", "unmapped"), 0)
            for sf, c in zip(m["subflows"], d["subflows"]):
                sw = f"{what} tcp.stream {c['tcp_stream']}"
                parts = c["new_bytes"] + c["reinjected_bytes"] + c["mptcp_retransmitted_bytes"] + \
                    c["tcp_retransmitted_bytes"] + c["unmapped_bytes"]
                checker.check(c["wire_bytes"] == parts, f"{sw}: wire {c['wire_bytes']} != new + reinjected + "
                                                        f"MPTCP-retransmitted + TCP-retransmitted + unmapped = {parts}")
                ts = tcp_by_stream.get(c["tcp_stream"])
                if ts is not None:
                    tdir = "client_to_server" if (d["direction"] == "to_server") == (sf["mptcpdest"] == "server") \
                        else "server_to_client"
                    t = next(x for x in ts["directions"] if x["direction"] == tdir)
                    checker.check((c["wire_bytes"], c["tcp_retransmitted_bytes"]) ==
                                  (t["wire_bytes"], t["retransmitted_bytes"]),
                                  f"{sw}: mptcp-summary (wire, TCP-retransmitted) ({c['wire_bytes']}, "
                                  f"{c['tcp_retransmitted_bytes']}), tcp-summary {tdir} says "
                                  f"({t['wire_bytes']}, {t['retransmitted_bytes']})")
                # Per subflow and direction, the kinds match the tshark-derived classification.
                if truth is not None and m["fallback"] == "none":
                    want = dict.fromkeys(KINDS, 0)
                    for stream, direction, k in truth.values():
                        if stream == c["tcp_stream"] and direction == d["direction"]:
                            for x in KINDS:
                                want[x] += k[x]
                    ours = {x: c[f"{x}_bytes"] for x in KINDS}
                    checker.check(ours == want, f"{sw}: bytes by kind {ours}, tshark's fields say {want}")
                for x in sums:
                    sums[x] += c[f"{x}_bytes"]
            for x, v in sums.items():
                checker.check(d[f"{x}_bytes"] == v, f"{what}: {x}_bytes {d[f'{x}_bytes']}, its subflows' sum {v}")


def lm_connections_with_stream(lm):
    return [m for m in lm["mptcp_connections"] if m["mptcp_stream"] is not None]


def check_capture(capture, classify):
    name = os.path.basename(capture)
    head = batch_json(capture, [["list-tcp"], ["list-mptcp"]])
    if head is None:
        return
    lt, lm = head
    streams = [t["tcp_stream"] for t in lt["tcp_connections"]]
    conns = lm_connections_with_stream(lm)
    docs = batch_json(capture, [["tcp-summary", str(s)] for s in streams] +
                      [["mptcp-summary", str(m["mptcp_stream"])] for m in conns] +
                      [["list-reinjections"], ["list-mptcp-retransmissions"]])
    if docs is None:
        return
    tcp = docs[:len(streams)]
    mptcp = docs[len(streams):len(streams) + len(conns)]
    reinjections, retransmissions = docs[-2:]
    check_tcp_summaries(capture, tcp)
    truth = check_listings(capture, lm, reinjections, retransmissions) if classify else None
    check_mptcp_summaries(capture, lm, mptcp, {t["tcp_stream"]: t for t in tcp}, truth)
    print(f"{name}: {len(streams)} tcp.streams, {len(conns)} MPTCP connections, "
          f"{len(reinjections['reinjections'])} reinjections, "
          f"{len(retransmissions['mptcp_retransmissions'])} MPTCP retransmissions "
          f"({time.time() - T0:.1f} s)", flush=True)
    return tcp


def main():
    if not checker.check(os.access(PROGRAM, os.X_OK), f"the program {PROGRAM} is missing (set MPTCPANALYZER)"):
        checker.finish()
    corpus = corpus_captures()
    checker.check(len(corpus) > 0, f"no capture in {DATA_DIR}")
    for capture in corpus:
        check_capture(capture, classify=True)
    # reinject.client: subflow 0's TCP retransmissions of data reinjected on subflow 1 are not
    # reinjections (what the issue found listed as "reinjects frame N ... 0 new bytes").
    reinject = os.path.join(DATA_DIR, "reinject.client.pcapng")
    if checker.check(os.path.isfile(reinject), f"{reinject} missing"):
        rows = batch_json(reinject, [["list-reinjections"]])
        if rows:
            zero = [r["frame"] for r in rows[0]["reinjections"] if r["reinjected_bytes"] == 0]
            checker.check(not zero, f"reinject.client: listed reinjections without reinjected bytes: {zero}")
            checker.check(len(rows[0]["reinjections"]) > 0, "reinject.client: no reinjection listed")

    shared = shared_captures()
    if not shared:
        print(f"skipped: the checks on {SHARED_CAPTURES} (absent)")
    for capture in shared:
        tcp = check_capture(capture, classify=False)
        if os.path.basename(capture) == "client_2.pcap" and tcp is not None:
            s5 = next((t for t in tcp if t["tcp_stream"] == 5), None)
            if checker.check(s5 is not None, "client_2.pcap: no tcp.stream 5"):
                holes = sum(d["hole_bytes"] for d in s5["directions"])
                checker.check(holes > 0, "client_2.pcap tcp.stream 5: a range of its sequence space is never "
                                         "captured, yet hole_bytes is 0")
    print(f"done in {time.time() - T0:.1f} s")
    checker.finish()


if __name__ == "__main__":
    main()
