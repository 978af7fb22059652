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


# The preferences mptcpanalyzer applies (analyzer/src/capture/epan_runtime.cpp).
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


def tshark_fields(capture, fields, preferences=OUR_PREFERENCES, display_filter="tcp", extra=()):
    """Rows of `tshark -T fields` (one pass), as lists of strings (multi-values joined by ',')."""
    cmd = ["tshark", "-n", "-r", capture, "-Y", display_filter, "-T", "fields", "-E", "separator=\t",
           "-E", "occurrence=a", "-E", "aggregator=,"]
    for p in preferences:
        cmd += ["-o", p]
    for f in fields:
        cmd += ["-e", f]
    cmd += list(extra)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=tshark_env()).stdout
    return [line.split("\t") for line in out.splitlines()]


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
