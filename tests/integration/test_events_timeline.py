"""`events`: repetitions are one event with a count, DSNs are relative to the initial DSN of
their direction (raw ones kept in JSON), and times count from Wireshark's frame.time_relative
base, said in the text header.

Ground truth: tshark. A DATA_FIN the kernel re-sent many times (corpus `mptcp_retrans`: the client
retransmits its DATA_FIN while a middlebox strips the server's DATA_ACKs) must be one event whose count
is the number of frames tshark shows with that DATA_FIN (same subflow, sender and DSN), first and
last frame included. Relative DSNs follow RFC 8684's rule: IDSN = the low 64 bits of SHA-256 of
the sender's key (v1), relative DSN = DSN - IDSN. Relative times equal tshark's
frame.time_relative to the nanosecond."""

import csv
import hashlib
import io
import json
import os
from collections import defaultdict

from common import DATA_DIR, Checker, run_program, tshark_fields


def ns(seconds_text):
    whole, _, frac = seconds_text.partition(".")
    return int(whole) * 10**9 + int((frac + "000000000")[:9])


def idsn(key):
    return int.from_bytes(hashlib.sha256(key.to_bytes(8, "big")).digest()[-8:], "big")


def check_capture(checker, capture):
    label = os.path.basename(capture)
    doc = json.loads(run_program("events", "--json", "-r", capture).stdout)
    events = doc["events"]
    rows = list(csv.DictReader(io.StringIO(run_program("events", "--csv", "-r", capture).stdout)))
    text = run_program("events", "-r", capture).stdout
    lm = json.loads(run_program("list-mptcp", "--json", "-r", capture).stdout)["mptcp_connections"]

    # Times: the base is frame 1 here (the corpus captures hold TCP only), as frame.time_relative.
    rel = {int(f): ns(t) for f, t in tshark_fields(capture, ["frame.number", "frame.time_relative"], preferences=[],
                                                   display_filter="")}
    checker.check(doc["time_base_frame"] == 1, f"{label}: the time base is frame 1 ({doc['time_base_frame']})")
    checker.check(text.startswith("time: seconds since frame 1 (Wireshark's frame.time_relative)\n"),
                  f"{label}: the text header says the time base: {text.splitlines()[0]!r}")
    bad = [e["frame"] for e in events if e["relative_ns"] != rel[e["frame"]]
           or e["relative_ns"] != e["time_ns"] - doc["time_base_ns"]]
    checker.check(not bad, f"{label}: relative_ns equals tshark's frame.time_relative (frames {bad[:5]} differ)")

    # DATA_FIN repetitions against tshark: (tcp.stream, source port, raw DSN) -> frames.
    fins = defaultdict(list)
    for f, stream, sport, dsn in tshark_fields(capture, ["frame.number", "tcp.stream", "tcp.srcport",
                                                         "tcp.options.mptcp.rawdataseqno"], preferences=[],
                                               display_filter="tcp.options.mptcp.datafin.flag == 1"):
        fins[(int(stream), int(sport), int(dsn))].append(int(f))
    client_ports = {}
    for c in lm:
        for sf in c["subflows"]:
            client_ports[sf["tcp_stream"]] = (int(sf["client"].rsplit(":", 1)[1]), sf["mptcpdest"])
    ours = [e for e in events if e["kind"] == "data_fin"]
    checker.check(sum(e["count"] for e in ours) == sum(len(v) for v in fins.values()),
                  f"{label}: DATA_FIN occurrences {sum(e['count'] for e in ours)}, tshark frames "
                  f"{sum(len(v) for v in fins.values())}")
    most = max(fins.items(), key=lambda kv: len(kv[1])) if fins else None
    repeated = len(most[1]) if most else 0
    if most:
        (stream, sport, raw), frames = most
        sf_client_port, mptcpdest = client_ports[stream]
        # the subflow's TCP client is the MPTCP client when the subflow goes towards the server
        sender = "client" if (sport == sf_client_port) == (mptcpdest == "server") else "server"
        match = [e for e in ours if e["tcp_stream"] == stream and e["raw_dsn"] == raw and e["sender"] == sender]
        checker.check(len(match) == 1 and (match[0]["count"], match[0]["frame"], match[0]["last_frame"])
                      == (len(frames), frames[0], frames[-1]),
                      f"{label}: the DATA_FIN of tcp.stream {stream} from the {sender} (DSN {raw}), sent in "
                      f"{len(frames)} frames {frames[0]}..{frames[-1]}, is one event with that count: {match}")
        if match:
            e = match[0]
            line = [l for l in text.splitlines() if f"frame {e['frame']:>6} " in l and "data_fin" in l]
            said = f"({len(frames)} times, last at frame {frames[-1]}," in line[0] if line else False
            checker.check(len(line) == 1 and said == (len(frames) > 1),
                          f"{label}: the text line says the count and the last frame when repeated: {line}")
            row = [r for r in rows if r["kind"] == "data_fin" and r["frame"] == str(e["frame"])]
            checker.check(len(row) == 1 and row[0]["count"] == str(len(frames)) and row[0]["dsn"] == str(e["dsn"]),
                          f"{label}: the CSV row has the count and the relative DSN: {row}")
    checker.check("raw_dsn" not in (rows[0].keys() if rows else {"raw_dsn"}),
                  f"{label}: the CSV has relative DSNs only (no raw_dsn column)")

    # Relative DSNs: DSN - IDSN of the direction the DSN belongs to (the sender's for DSS, the
    # other end's for MP_FAIL), IDSN from the sender's key as tshark shows it (MP_CAPABLE of the
    # SYN/ACK for the server, of the third ACK for the client, v1).
    keys = {}
    for sport, key in tshark_fields(capture, ["tcp.srcport", "tcp.options.mptcp.sendkey"], preferences=[],
                                    display_filter="tcp.options.mptcp.sendkey"):
        keys.setdefault(int(sport), int(key.split(",")[0], 0))
    conn = {c["mptcp_stream"]: c for c in lm}
    checked = 0
    for e in events:
        if e["raw_dsn"] is None or e["mptcp_stream"] not in conn:
            continue
        c = conn[e["mptcp_stream"]]
        owner = e["sender"] if e["kind"] != "mp_fail" else ("server" if e["sender"] == "client" else "client")
        port = int(c[owner].rsplit(":", 1)[1])
        if port not in keys:
            continue
        width = 2**64 if e["raw_dsn"] >= 2**32 else 2**32
        want = (e["raw_dsn"] - idsn(keys[port])) % width
        checked += checker.check(e["dsn"] == want, f"{label}: {e['kind']} frame {e['frame']}: relative DSN {e['dsn']}, "
                                                   f"raw {e['raw_dsn']} - IDSN of the {owner} = {want}")
    checker.check(checked > 0, f"{label}: some relative DSNs were checked against the keys")
    return repeated


def main():
    checker = Checker("events timeline")
    most = 0
    for name in ("mptcp_retrans.client", "mptcp_retrans.server", "pathfail.client", "pathfail.server",
                 "mpfail.server", "mpfail.client", "basic.client"):
        most = max(most, check_capture(checker, os.path.join(DATA_DIR, f"{name}.pcapng")))
    # Otherwise the repetition checks above proved nothing.
    checker.check(most >= 5, f"some capture re-sends one DATA_FIN at least 5 times (most: {most})")
    checker.finish()


if __name__ == "__main__":
    main()
