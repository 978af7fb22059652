"""`mptcpanalyzer export` agrees with `tshark -T fields` (same preferences, one pass) on every
field both have, for every packet of every corpus capture and of ../shared/captures."""

import csv
import io
import sys

from common import Checker, corpus_captures, run_program, shared_captures, tshark_fields

# Our column -> (tshark field, how to normalise tshark's text for comparison).
def as_int(text):
    text = text.strip()
    if text == "":
        return ""
    return str(int(text, 16) if text.lower().startswith("0x") else int(text))


def as_hex_int(text):
    return "" if text == "" else str(int(text, 16))


def first(text):
    return text.split(",")[0] if text else ""


def last(text):
    return text.split(",")[-1] if text else ""


def epoch_ns(text):
    secs, _, frac = text.partition(".")
    return str(int(secs) * 1_000_000_000 + int((frac + "000000000")[:9]))


def flag(text):
    text = first(text)
    if text == "":
        return ""
    return "1" if text in ("1", "True", "true") or (text.isdigit() and int(text) != 0) else "0"


FIELDS = [
    # (our column, tshark field, normalise tshark, normalise ours)
    ("frame_number", "frame.number", str, str),
    ("time_ns", "frame.time_epoch", epoch_ns, str),
    ("ip_src", "ip.src", last, str),
    ("ip_dst", "ip.dst", last, str),
    ("ip_src", "ipv6.src", last, str),
    ("ip_dst", "ipv6.dst", last, str),
    ("tcp_src_port", "tcp.srcport", first, str),
    ("tcp_dst_port", "tcp.dstport", first, str),
    ("tcp_stream", "tcp.stream", first, str),
    ("tcp_seq_raw", "tcp.seq_raw", first, str),
    ("tcp_payload_length", "tcp.len", first, str),
    ("tcp_flags", "tcp.flags", lambda t: as_int(first(t)), str),
    ("tcp_window", "tcp.window_size_value", first, str),
    ("tcp_tsval", "tcp.options.timestamp.tsval", first, str),
    ("tcp_tsecr", "tcp.options.timestamp.tsecr", first, str),
    ("tcp_mss", "tcp.options.mss_val", first, str),
    ("tcp_window_scale", "tcp.options.wscale.shift", first, str),
    ("mptcp_stream", "mptcp.stream", first, str),
    ("mptcp_subtypes", "tcp.options.mptcp.subtype", lambda t: t.replace(",", ";"), str),
    ("mptcp_version", "tcp.options.mptcp.version", first, str),
    ("mptcp_sender_key", "tcp.options.mptcp.sendkey", lambda t: as_int(first(t)), as_hex_int),
    ("mptcp_receiver_key", "tcp.options.mptcp.recvkey", lambda t: as_int(first(t)), as_hex_int),
    ("mptcp_join_token", "tcp.options.mptcp.recvtok", lambda t: as_int(first(t)), as_hex_int),
    ("mptcp_join_nonce", "tcp.options.mptcp.sendrand", lambda t: as_int(first(t)), as_hex_int),
    ("mptcp_data_ack", "tcp.options.mptcp.rawdataack", lambda t: as_int(first(t)), str),
    ("mptcp_dsn", "tcp.options.mptcp.rawdataseqno", lambda t: as_int(first(t)), str),
    ("mptcp_subflow_seq", "tcp.options.mptcp.subflowseqno", lambda t: as_int(first(t)), str),
    ("mptcp_data_level_length", "tcp.options.mptcp.datalvllen", lambda t: as_int(first(t)), str),
    # Wireshark shows a DSS checksum only when it believes checksums were negotiated; we read
    # the option's length (RFC 8684 3.3: the checksum is there iff the length has room for it).
    # Where tshark shows one, ours must be equal (see SUBSET below).
    ("mptcp_dss_checksum", "tcp.options.mptcp.checksum", lambda t: as_int(first(t)), str),
    ("mptcp_data_fin", "tcp.options.mptcp.datafin.flag", flag, str),
    ("mptcp_dsn_8", "tcp.options.mptcp.dseqn8.flag", flag, str),
    ("mptcp_data_ack_8", "tcp.options.mptcp.dataack8.flag", flag, str),
    ("mptcp_add_addr_port", "tcp.options.mptcp.port", first, str),
    ("mptcp_tcprst_reason", "tcp.options.mptcp.rst_reason", lambda t: as_int(first(t)), str),
]

# Columns where tshark may show nothing while we show the value on the wire.
SUBSET = {"mptcp_dss_checksum"}

# Relative sequence numbers: compared against tshark with its sequence analysis on.
RELATIVE = [("tcp_seq", "tcp.seq"), ("tcp_ack", "tcp.ack")]


def compare(capture, checker):
    ours_csv = run_program("export", "--no-cache", "-r", capture, "-o", "-").stdout
    # The `#key: value` metadata lines before the header are test_table_round_trip.py's.
    ours = list(csv.DictReader(line for line in io.StringIO(ours_csv) if not line.startswith("#")))
    theirs = tshark_fields(capture, [f[1] for f in FIELDS])
    # tshark prints one line per frame; a frame with two TCP headers gives us two rows.
    if not checker.check(len(ours) == len(theirs), f"{capture}: {len(ours)} rows vs tshark {len(theirs)}"):
        return
    mismatches = 0
    for row, trow in zip(ours, theirs):
        for i, (col, field, norm_t, norm_o) in enumerate(FIELDS):
            t = norm_t(trow[i] if i < len(trow) else "")
            o = norm_o(row[col])
            if field.startswith("ip.") and row["ip_version"] != "4" or field.startswith("ipv6.") and row["ip_version"] != "6":
                continue
            if col == "mptcp_receiver_key" and o == "":
                # tshark names MP_FASTCLOSE's key recvkey too; we give it its own column.
                o = norm_o(row["mptcp_fastclose_key"])
            if col == "mptcp_dsn" and o == "":
                # ... and MP_FAIL's DSN rawdataseqno.
                o = norm_o(row["mptcp_fail_dsn"])
            if o != t and not (col in SUBSET and t == ""):
                mismatches += 1
                if mismatches <= 10:
                    print(f"  {capture} frame {row['frame_number']}: {col}={o!r} tshark {field}={t!r}")
    checker.check(mismatches == 0, f"{capture}: {mismatches} field mismatches with tshark")

    rel = tshark_fields(capture, [f[1] for f in RELATIVE], preferences=[
        "tcp.analyze_sequence_numbers:TRUE", "tcp.relative_sequence_numbers:TRUE"])
    mismatches = 0
    for row, trow in zip(ours, rel):
        for i, (col, field) in enumerate(RELATIVE):
            t = first(trow[i] if i < len(trow) else "")
            if col == "tcp_ack" and t == "":
                t = "0"
            if row[col] != t:
                mismatches += 1
                if mismatches <= 10:
                    print(f"  {capture} frame {row['frame_number']}: {col}={row[col]!r} tshark {field}={t!r}")
    checker.check(mismatches == 0, f"{capture}: {mismatches} relative seq/ack mismatches with tshark")
    print(f"{capture}: {len(ours)} packets compared")


def main():
    checker = Checker("export matches tshark")
    corpus = corpus_captures()
    checker.check(len(corpus) > 0, "tests/data holds the corpus captures")
    shared = shared_captures()
    if not shared:
        print("../shared/captures absent: reference captures not compared")
    for capture in corpus + shared:
        compare(capture, checker)
    checker.finish()


if __name__ == "__main__":
    main()
