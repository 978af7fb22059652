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
    ("events.json", ["events", "--json"]),
]


def cases(data_dir):
    for capture in CAPTURES:
        path = os.path.join(data_dir, capture + ".pcapng")
        for name, args in COMMANDS:
            yield f"{capture}.{name}", [args[0], "-r", path, *args[1:]]
