#!/usr/bin/env python3
"""Lists the tests that ctest did not run to completion as passed or failed: skipped (exit 77,
SKIP_RETURN_CODE), not run (missing executable, failed fixture, ...) or disabled, read from the
JUnit file of `ctest --output-junit FILE`. One line per test: its name and why (the test's own
"SKIP: ..." line when it printed one). Exit status 0 when there is none, 1 when there are some,
2 when the file is missing or unreadable. tools/dev/test.sh fails CI on status 1."""

import sys
import xml.etree.ElementTree as ET


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: ctest_skipped.py CTEST_JUNIT_FILE")
    try:
        root = ET.parse(sys.argv[1]).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"ctest_skipped: cannot read {sys.argv[1]}: {e}", file=sys.stderr)
        return 2
    not_run = []
    for case in root.iter("testcase"):
        skipped = case.find("skipped")
        if case.get("status", "run") in ("run", "fail") and skipped is None:
            continue
        lines = [line.strip() for line in (case.findtext("system-out") or "").splitlines() if line.strip()]
        reasons = [line for line in lines if line.startswith("SKIP")]
        reason = (reasons[0] if reasons else None) or (skipped.get("message") if skipped is not None else None) \
            or (lines[0] if lines else "")
        not_run.append(f"{case.get('name')} ({case.get('status', 'skipped')}): {reason or 'no reason given'}")
    for line in not_run:
        print(line)
    return 1 if not_run else 0


if __name__ == "__main__":
    sys.exit(main())
