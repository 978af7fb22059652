"""Shared helpers of the integration tests: where the program and the captures are, and how to
run tshark reproducibly (empty configuration folder, so no user profile changes results)."""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

SOURCE_DIR = os.environ.get("MPTCP_SOURCE_DIR", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
DATA_DIR = os.path.join(SOURCE_DIR, "tests", "data")
SHARED_CAPTURES = os.environ.get("MPTCP_SHARED_CAPTURES", os.path.join(SOURCE_DIR, "..", "shared", "captures"))
PROGRAM = os.environ.get("MPTCPANALYZER", os.path.join(SOURCE_DIR, "build", "release", "analyzer", "mptcpanalyzer"))



def _geoip_off_preferences():
    """GeoIP off, as this tshark names it: ip.use_geoip/ipv6.use_geoip (Wireshark 4.0), or the one
    nameres.maxmind_geoip of later versions, which have no per-protocol ones (the program picks
    the same by the version it was built against: analyzer/src/capture/wireshark_compat.hpp)."""
    prefs = subprocess.run(["tshark", "-G", "currentprefs"], capture_output=True, text=True,
                           errors="replace").stdout
    if "ip.use_geoip:" in prefs:
        return ["ip.use_geoip:FALSE", "ipv6.use_geoip:FALSE"]
    return ["nameres.maxmind_geoip:FALSE"]


# The preferences mptcpanalyzer applies (analyzer/src/capture/capture_front.cpp), stated here again
# on purpose: the tests' tshark runs must use what the program is meant to use.
OUR_PREFERENCES = [
    "mptcp.analyze_mptcp:TRUE",
    "mptcp.analyze_mappings:FALSE",
    "mptcp.intersubflows_retransmission:FALSE",
    "mptcp.relative_sequence_numbers:FALSE",
    "tcp.analyze_sequence_numbers:FALSE",
    "tcp.relative_sequence_numbers:FALSE",
    "tcp.desegment_tcp_streams:FALSE",
    "tcp.calculate_timestamps:FALSE",
    *_geoip_off_preferences(),
]

_EMPTY_CONFIG = tempfile.mkdtemp(prefix="mptcp-test-wsconf-")


def corpus_captures():
    """Every capture committed in tests/data (the corpus); the corpus must not be empty."""
    files = sorted(glob.glob(os.path.join(DATA_DIR, "*.pcap*")))
    return files


def shared_captures():
    """The reference captures of ../shared/captures, or [] when that folder is absent."""
    if not os.path.isdir(SHARED_CAPTURES):
        return []
    return sorted(glob.glob(os.path.join(SHARED_CAPTURES, "*.pcap*")))


def manifest():
    with open(os.path.join(DATA_DIR, "manifest.json"), encoding="utf-8") as f:
        return json.load(f)


def tshark_env():
    env = dict(os.environ)
    env["WIRESHARK_CONFIG_DIR"] = _EMPTY_CONFIG
    return env


def _raw_tshark_fields(capture, fields, preferences, display_filter, extra=()):
    cmd = ["tshark", "-n", "-r", capture, "-Y", display_filter, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for p in preferences:
        cmd += ["-o", p]
    for f in fields:
        cmd += ["-e", f]
    cmd += list(extra)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=tshark_env()).stdout
    return [line.split("\t") for line in out.splitlines()]


_STREAM_NUMBERS = {}


def stream_numbers(capture, preferences=OUR_PREFERENCES):
    """({tshark tcp.stream: ours}, {tshark mptcp.stream: ours}) for a capture.

    Wireshark 4.4 opens a new TCP conversation (tcp.stream, and with it an mptcp.stream) for a
    handshake packet that 4.0 keeps in the conversation it continues: a SYN sent again with its
    ISN, or a SYN-ACK acknowledging that ISN + 1 after the client sent a bare ACK (the shared
    v0 captures client_2.pcap and server_2.pcap; docs/wireshark-versions.md). The program merges
    them back (analyzer/src/capture/stream_continuity.hpp), so its numbers are the same with both
    versions. This is that rule, stated again from tshark's own fields, in frame order: a new
    tcp.stream whose first packet is the SYN again (same sender and ISN) or the SYN-ACK answering
    the latest SYN of its 4-tuple's current conversation is that conversation; the numbers
    Wireshark gave after a merged one close up; an mptcp.stream first seen on a merged
    conversation is the mptcp.stream of the conversation it joined. With 4.0 it is the identity on
    every capture we have (nothing merges)."""
    key = (os.path.realpath(capture), tuple(preferences))
    if key in _STREAM_NUMBERS:
        return _STREAM_NUMBERS[key]
    rows = _raw_tshark_fields(capture, ["tcp.stream", "mptcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
                                        "ipv6.dst", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw"],
                              preferences, "tcp")
    tcp_of, merged_tcp, current, syn_of, mptcp_of, merged_mptcp, mptcp_on = {}, [], {}, {}, {}, [], {}
    for row in rows:
        # A frame with a TCP header quoted in an ICMP error has two; the program skips the quoted one.
        first = [v.split(",")[0] for v in row]
        stream, mptcp, src4, src6, sport, dst4, dst6, dport, flags, seq, ack = first
        if stream == "":
            continue
        stream, flags, seq, ack = int(stream), int(flags, 16), int(seq), int(ack)
        src, dst = (src4 or src6, int(sport)), (dst4 or dst6, int(dport))
        four_tuple = tuple(sorted([src, dst]))
        syn, is_ack = bool(flags & 0x02), bool(flags & 0x10)
        if stream not in tcp_of:
            previous = current.get(four_tuple)
            syn_before = syn_of.get(previous)
            continues = syn and syn_before is not None and (
                (not is_ack and syn_before == (src, seq)) or (is_ack and syn_before == (dst, (ack - 1) % 2**32)))
            if continues:
                tcp_of[stream] = previous
                merged_tcp.append(stream)
            else:
                tcp_of[stream] = stream - sum(1 for m in merged_tcp if m < stream)
                current[four_tuple] = tcp_of[stream]
        ours = tcp_of[stream]
        if syn and not is_ack:
            syn_of[ours] = (src, seq)
        if mptcp != "":
            mptcp = int(mptcp)
            if mptcp not in mptcp_of:
                if stream in merged_tcp and ours in mptcp_on:
                    mptcp_of[mptcp] = mptcp_on[ours]
                    merged_mptcp.append(mptcp)
                else:
                    mptcp_of[mptcp] = mptcp - sum(1 for m in merged_mptcp if m < mptcp)
            mptcp_on[ours] = mptcp_of[mptcp]
    _STREAM_NUMBERS[key] = (tcp_of, mptcp_of)
    return _STREAM_NUMBERS[key]


def tshark_fields(capture, fields, preferences=OUR_PREFERENCES, display_filter="tcp", extra=()):
    """Rows of `tshark -T fields` (one pass), as lists of strings (multi-values joined by ',').
    tcp.stream and mptcp.stream values are the program's numbering of tshark's conversations
    (stream_numbers: identical to tshark's with Wireshark 4.0). A display filter naming a stream
    number uses tshark's own numbers."""
    rows = _raw_tshark_fields(capture, fields, preferences, display_filter, extra)
    renumber = [i for i, f in enumerate(fields) if f in ("tcp.stream", "mptcp.stream")]
    if not renumber or not rows:
        return rows
    tcp_of, mptcp_of = stream_numbers(capture, preferences)
    for row in rows:
        for i in renumber:
            if i < len(row) and row[i] != "":
                numbers = tcp_of if fields[i] == "tcp.stream" else mptcp_of
                row[i] = ",".join(str(numbers.get(int(v), int(v))) for v in row[i].split(","))
    return rows


def exit_unless_release_build(why):
    """Ends the test with ctest's skip code (77) when PROGRAM is built with AddressSanitizer, saying
    why it needs a release build (ctest registers such tests only in release builds; CI runs them
    on the release program)."""
    if "asan" in subprocess.run(["ldd", PROGRAM], capture_output=True, text=True).stdout:
        print(f"{PROGRAM} is built with AddressSanitizer: {why} (run on a release build)")
        sys.exit(77)


def run_program(*args, env=None, check=True, cwd=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    proc = subprocess.run([PROGRAM, *args], capture_output=True, text=True, env=e, cwd=cwd)
    if check and proc.returncode != 0:
        raise AssertionError(f"{PROGRAM} {' '.join(args)} exited {proc.returncode}: {proc.stderr}")
    return proc


def subcommands(help_text):
    """The command names of the `Subcommands:` section of `mptcpanalyzer --help` (help_text)."""
    names, in_section = [], False
    for line in help_text.splitlines():
        if line == "Subcommands:":
            in_section = True
        elif in_section and not line.strip():
            break
        elif in_section and re.match(r"  \S", line):
            names.append(line[2:].split(",")[0].split()[0])
    return names


class Checker:
    """Counts checks and prints the closing line `N passed, M failed` that CI reads."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAIL: {what}", flush=True)
        return ok

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed or self.passed == 0 else 0)
