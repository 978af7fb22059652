"""Every field of every report's JSON is documented: each key (at any depth) is a column of
`mptcpanalyzer columns` (the generated report-columns section of docs/output-formats.md), and
each key of an event's `details` is named in the events section of docs/commands.md.

Walks the JSON of list-tcp, list-mptcp, list-subflows (with and without N), tcp-summary N,
mptcp-summary N, list-reinjections and events on corpus captures, and of the two-capture
qualify-reinjections and summary-extended on client/server pairs, chosen to exercise every part
(joins, ADD_ADDR/REMOVE_ADDR, MP_PRIO, fallbacks, MP_FAIL and checksums, fast close,
reinjections, several connections), and of the two-capture owd (MPTCP and --tcp) on client/server pairs."""

import json
import os
import re

from common import DATA_DIR, SOURCE_DIR, Checker, run_program

CAPTURES = ["basic.client", "concurrent.server", "reinject.client", "pathfail.client", "backup.client",
            "addaddr.server", "fallback_tcpserver.client", "fallback_dss_stripped.client", "mpfail.server",
            "checksum.client", "fastclose.client", "port_reuse.server"]


def keys_of(value, path, out, details):
    """Collect (key, path) of every object key; `details` objects go to `details`."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "details" and isinstance(v, dict):
                for dk in v:
                    details.setdefault(dk, path + "/details")
                out.setdefault(k, path)
                continue
            out.setdefault(k, path)
            keys_of(v, f"{path}/{k}", out, details)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, path, out, details)


def main():
    checker = Checker("report fields documented")
    columns = run_program("columns").stdout
    documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", columns, re.M))
    checker.check(len(documented) > 50, f"`columns` documents the report columns ({len(documented)} names)")
    with open(os.path.join(SOURCE_DIR, "docs", "commands.md"), encoding="utf-8") as f:
        commands_md = f.read()
    m = re.search(r"^## events.*?(?=^## )", commands_md, re.M | re.S)
    events_section = m.group(0) if m else ""
    checker.check(bool(events_section), "docs/commands.md has an events section")

    undocumented = {}      # key -> "report on capture at path"
    undocumented_details = {}
    for name in CAPTURES:
        capture = os.path.join(DATA_DIR, f"{name}.pcapng")
        lt = json.loads(run_program("list-tcp", "--json", "-r", capture).stdout)
        lm = json.loads(run_program("list-mptcp", "--json", "-r", capture).stdout)
        runs = [["list-tcp"], ["list-mptcp"], ["list-subflows"], ["list-reinjections"], ["events"]]
        runs += [["tcp-summary", str(t["tcp_stream"])] for t in lt["tcp_connections"][:2]]
        for c in lm["mptcp_connections"]:
            if c["mptcp_stream"] is not None:
                n = str(c["mptcp_stream"])
                runs += [["list-subflows", n], ["mptcp-summary", n], ["list-reinjections", n], ["events", n],
                         ["reordering", n]]
        for args in runs:
            doc = json.loads(run_program(*args, "--json", "-r", capture).stdout)
            keys, details = {}, {}
            keys_of(doc, "", keys, details)
            for k, path in keys.items():
                if k not in documented:
                    undocumented.setdefault(k, f"{' '.join(args)} on {name} at {path or '/'}")
            for k, path in details.items():
                if f"`{k}`" not in events_section:
                    undocumented_details.setdefault(k, f"{' '.join(args)} on {name}")
    # Two-capture reports: the client capture with its server capture as --peer.
    for scenario in ("reinject", "path_recovers"):
        client, server = (os.path.join(DATA_DIR, f"{scenario}.{side}.pcapng") for side in ("client", "server"))
        for command in ("qualify-reinjections", "summary-extended"):
            keys = {}
            keys_of(json.loads(run_program(command, "-r", client, "--peer", server, "0", "--json").stdout), "", keys, {})
            for k, path in keys.items():
                if k not in documented:
                    undocumented.setdefault(k, f"{command} on {scenario} at {path or '/'}")
    # Two-capture reports, on each scenario's client capture with its server capture as --peer.
    for scenario, args in (("reinject", ["owd", "0"]), ("concurrent", ["owd", "3", "--tcp"])):
        client = os.path.join(DATA_DIR, f"{scenario}.client.pcapng")
        server = os.path.join(DATA_DIR, f"{scenario}.server.pcapng")
        doc = json.loads(run_program(*args, "--json", "-r", client, "--peer", server).stdout)
        keys, details = {}, {}
        keys_of(doc, "", keys, details)
        for k, path in keys.items():
            if k not in documented:
                undocumented.setdefault(k, f"{' '.join(args)} on the {scenario} pair at {path or '/'}")
    for k, where in sorted(undocumented.items()):
        checker.check(False, f"JSON field `{k}` ({where}) is no column of `mptcpanalyzer columns`")
    for k, where in sorted(undocumented_details.items()):
        checker.check(False, f"event detail `{k}` ({where}) is not named in the events section of docs/commands.md")
    checker.check(True, "walked the JSON of every report")
    checker.finish()


if __name__ == "__main__":
    main()
