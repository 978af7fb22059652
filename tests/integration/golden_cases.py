"""The golden cases: which command outputs on which corpus captures are pinned in tests/golden/.
Shared by the test (test_golden_outputs.py) and the updater (tools/golden/update.py)."""

import os

CAPTURES = ["basic.client", "reinject.client", "concurrent.server", "fallback_dss_stripped.client",
            "mpfail.server", "ipv6.client", "port_reuse.server"]

# (name, arguments after -r CAPTURE)
COMMANDS = [
    ("list-tcp.txt", ["list-tcp"]),
    ("list-mptcp.json", ["list-mptcp", "--json"]),
    ("mptcp-summary-0.txt", ["mptcp-summary", "0"]),
    ("mptcp-summary-0.csv", ["mptcp-summary", "0", "--csv"]),
    ("list-reinjections.csv", ["list-reinjections", "--csv"]),
    ("list-mptcp-retransmissions.csv", ["list-mptcp-retransmissions", "--csv"]),
    ("events.json", ["events", "--json"]),
    ("events.txt", ["events"]),
    ("list-mptcp.csv", ["list-mptcp", "--csv"]),
    ("reordering-0.txt", ["reordering", "0"]),
    ("reordering-0.json", ["reordering", "0", "--json"]),
]


# Two-capture commands: on each scenario's client capture with its server capture as --peer.
PAIRS = ["basic", "reinject", "port_reuse"]

# (name, arguments after -r CLIENT --peer SERVER)
PAIR_COMMANDS = [
    ("qualify-reinjections-0.json", ["qualify-reinjections", "0", "--json"]),
    ("qualify-reinjections-0.txt", ["qualify-reinjections", "0"]),
    ("summary-extended-0.txt", ["summary-extended", "0"]),
    ("summary-extended-0.csv", ["summary-extended", "0", "--csv"]),
    ("map-tcp-0.txt", ["map-tcp", "0"]),
    ("map-tcp-0.json", ["map-tcp", "0", "--json"]),
    ("map-mptcp-0.txt", ["map-mptcp", "0"]),
    ("map-mptcp-0.json", ["map-mptcp", "0", "--json"]),
    ("map-mptcp-0.csv", ["map-mptcp", "0", "--csv"]),
    ("owd-0.txt", ["owd", "0"]),
    ("owd-0.json", ["owd", "0", "--json"]),
    ("owd-0.csv", ["owd", "0", "--csv"]),
]


def cases(data_dir):
    for capture in CAPTURES:
        path = os.path.join(data_dir, capture + ".pcapng")
        for name, args in COMMANDS:
            yield f"{capture}.{name}", [args[0], "-r", path, *args[1:]]
    for scenario in PAIRS:
        client = os.path.join(data_dir, scenario + ".client.pcapng")
        server = os.path.join(data_dir, scenario + ".server.pcapng")
        for name, args in PAIR_COMMANDS:
            yield f"{scenario}.pair.{name}", [args[0], "-r", client, "--peer", server, *args[1:]]


# Generated documentation: (file under the source tree, marker name, program arguments). The
# text between `<!-- NAME:begin -->` and `<!-- NAME:end -->` is exactly the program's output.
DOC_SECTIONS = [
    ("docs/output-formats.md", "report-columns", ["columns"]),
]


def doc_section_bounds(text, marker):
    """(start, end) offsets of the generated text between a marker pair, or None."""
    begin, end = f"<!-- {marker}:begin -->\n", f"<!-- {marker}:end -->"
    i = text.find(begin)
    j = text.find(end)
    if i < 0 or j < i:
        return None
    return i + len(begin), j
