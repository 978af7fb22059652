"""A fallback after MP_FAIL shows as such, with its frame and the end that fell back, in
list-mptcp (text, JSON, CSV) and as the `fallback` event, in the sender's and the receiver's
capture alike.

The corpus scenario `mpfail` is real kernel traffic: after a DSS checksum failure the server
sends MP_FAIL and the client (the data sender) falls back with an explicit infinite mapping. The
other form of RFC 8684 3.7, where the sender simply stops sending DSS on its data, is made from
those same captures: every MPTCP option the data sender sent after the first MP_FAIL is
overwritten with NOPs (TCP checksums fixed; tests/integration/pcapng_edit.py), as a middlebox
stripping the option would. The expected frame and end come from tshark on the rewritten file
by the rule (the first data segment of the data sender after the MP_FAIL that carries no DSS
mapping and no earlier mapping covers), never from our own output."""

import csv
import io
import json
import os
import tempfile

from common import DATA_DIR, Checker, manifest, run_program, tshark_fields
from pcapng_edit import replace_tcp_options

FIELDS = ["frame.number", "tcp.srcport", "tcp.len", "tcp.seq", "tcp.flags.syn", "tcp.flags.ack",
          "tcp.options.mptcp.subtype", "tcp.options.mptcp.subflowseqno", "tcp.options.mptcp.datalvllen"]


def packets(capture):
    """Per frame: number, source port, payload length, relative seq, SYN, ACK, MPTCP subtypes,
    DSS mapping (subflow seq, data-level length) or None."""
    out = []
    # Default tshark preferences: relative sequence numbers, as the DSS subflow sequence number.
    for r in tshark_fields(capture, FIELDS, preferences=[]):
        subtypes = {int(x) for x in r[6].split(",") if x}
        # A v1 MP_CAPABLE carrying data has a data-level length but no subflow sequence number.
        mapping = (int(r[7]) if r[7] else None, int(r[8])) if r[8] else None
        out.append({"frame": int(r[0]), "sport": int(r[1]), "len": int(r[2]), "seq": int(r[3]),
                    "syn": r[4] in ("1", "True"), "ack": r[5] in ("1", "True"), "subtypes": subtypes,
                    "mapping": mapping})
    return out


def client_port(pkts):
    return next(p["sport"] for p in pkts if p["syn"] and not p["ack"])


def role(pkts, port):
    return "client" if port == client_port(pkts) else "server"


def first_mp_fail(pkts):
    return next(p for p in pkts if 6 in p["subtypes"])


def expected_no_dss_fallback(pkts, sender_port, fail_frame):
    """The first payload segment of `sender_port` after `fail_frame` without a DSS mapping that no
    earlier mapping of that sender covers (a mapping may span several segments)."""
    last = None
    for p in pkts:
        if p["sport"] != sender_port:
            continue
        if p["mapping"] and p["mapping"][0] is not None and p["mapping"][1] > 0:
            last = p["mapping"]
        if p["frame"] <= fail_frame or p["len"] == 0 or p["mapping"]:
            continue
        if last and 0 <= (p["seq"] - last[0]) % 2**32 < last[1]:
            continue
        return p["frame"]
    return None


def outputs(capture):
    lm = json.loads(run_program("list-mptcp", "--json", "-r", capture).stdout)
    rows = list(csv.DictReader(io.StringIO(run_program("list-mptcp", "--csv", "-r", capture).stdout)))
    text = run_program("list-mptcp", "-r", capture).stdout
    events = json.loads(run_program("events", "--json", "-r", capture).stdout)["events"]
    return lm, rows, text, events


def check_fallback(checker, label, capture, kind, frame, by):
    lm, rows, text, events = outputs(capture)
    conns = lm["mptcp_connections"]
    if not checker.check(len(conns) == 1 and len(rows) == 1, f"{label}: one MPTCP connection (JSON and CSV)"):
        return
    c = conns[0]
    got = (c["fallback"], c["fallback_frame"], c.get("fallback_by"))
    checker.check(got == (kind, frame, by),
                  f"{label}: list-mptcp JSON fallback, frame, by {got}, expected {(kind, frame, by)}")
    r = rows[0]
    got = (r.get("fallback"), r.get("fallback_frame"), r.get("fallback_by"))
    checker.check(got == (kind, str(frame), by), f"{label}: list-mptcp CSV fallback, frame, by {got}")
    checker.check(f"FALLBACK to TCP ({kind}, frame {frame}, by the {by})" in text,
                  f"{label}: list-mptcp text names the fallback, frame and end: {text.splitlines()[0]}")
    fb = [e for e in events if e["kind"] == "fallback"]
    checker.check(len(fb) == 1 and fb[0]["frame"] == frame and fb[0]["sender"] == by
                  and fb[0]["details"].get("reason") == kind,
                  f"{label}: one fallback event at frame {frame} from the {by} ({kind}): {fb}")


def main():
    checker = Checker("fallback after MP_FAIL")
    with tempfile.TemporaryDirectory(prefix="mptcp-mpfail-") as tmp:
        for side in ("client", "server"):
            original = os.path.join(DATA_DIR, f"mpfail.{side}.pcapng")
            pkts = packets(original)
            fail = first_mp_fail(pkts)
            # MP_FAIL is sent by the receiver of the failed data: the data sender is the other end.
            sender_port = next(p["sport"] for p in pkts if p["sport"] != fail["sport"])
            sender = role(pkts, sender_port)

            # The explicit form, as the kernel sent it: an infinite mapping (data-level length 0).
            infinite = next(p for p in pkts if p["mapping"] and p["mapping"][1] == 0)
            check_fallback(checker, f"mpfail.{side}", original, "infinite_mapping", infinite["frame"],
                           role(pkts, infinite["sport"]))

            # The implicit form: no DSS from the data sender after the MP_FAIL.
            strip = {p["frame"] for p in pkts if p["sport"] == sender_port and p["frame"] > fail["frame"]}
            rewritten = os.path.join(tmp, f"mpfail-no-dss.{side}.pcapng")
            changed = replace_tcp_options(original, rewritten, strip)
            checker.check(len(changed) > 0, f"mpfail.{side}: the rewrite removed MPTCP options ({len(changed)} frames)")
            after = packets(rewritten)
            checker.check(not any(p["subtypes"] for p in after if p["frame"] in strip),
                          f"mpfail.{side}: tshark sees no MPTCP option on the rewritten frames")
            checker.check(not any(p["mapping"] and p["mapping"][1] == 0 for p in after),
                          f"mpfail.{side}: no infinite mapping is left")
            frame = expected_no_dss_fallback(after, sender_port, first_mp_fail(after)["frame"])
            if checker.check(frame is not None, f"mpfail.{side}: tshark shows data without DSS after the MP_FAIL"):
                check_fallback(checker, f"mpfail.{side} without DSS", rewritten, "mp_fail_no_dss", frame, sender)
        check_corpus_no_dss_scenario(checker)
    checker.finish()


def check_corpus_no_dss_scenario(checker):
    """`mpfail_dss_stripped`: real kernel traffic whose data sender's segments leave its host without
    MPTCP option after the MP_FAIL (tools/corpus/README.md). The manifest (the generator's relay log)
    names the end and the first such segment in each capture; that segment may still lie inside the
    last mapping the sender announced (its tail), so the fallback is at the first segment from there
    that no mapping covers, by the rule, on tshark's fields."""
    scn = next((s for s in manifest()["scenarios"] if s["name"] == "mpfail_dss_stripped"), None)
    if not checker.check(scn is not None, "the corpus has the mpfail_dss_stripped scenario"):
        return
    point = scn["connections"][0]["fallback_point"]
    stripped = point["first_data_without_dss"]
    for side in ("client", "server"):
        capture = os.path.join(DATA_DIR, scn["captures"][side])
        pkts = packets(capture)
        sender_port = stripped["sport"]
        checker.check(role(pkts, sender_port) == stripped["sent_by"],
                      f"mpfail_dss_stripped.{side}: the manifest's sender is the {stripped['sent_by']}")
        checker.check(first_mp_fail(pkts)["frame"] == point["mp_fail"]["frames"][side],
                      f"mpfail_dss_stripped.{side}: tshark's first MP_FAIL is the manifest's")
        frame = expected_no_dss_fallback(pkts, sender_port, point["mp_fail"]["frames"][side])
        if checker.check(frame is not None and frame >= stripped["frames"][side],
                         f"mpfail_dss_stripped.{side}: the fallback segment {frame} is at or after the first "
                         f"stripped one ({stripped['frames'][side]})"):
            check_fallback(checker, f"mpfail_dss_stripped.{side}", capture, "mp_fail_no_dss", frame,
                           stripped["sent_by"])


if __name__ == "__main__":
    main()
