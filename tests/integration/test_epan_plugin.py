"""The Wireshark plugin (epan-plugin/) gives the same numbers as the terminal program.

Real tshark loads the built plugin (personal plugin folder of a temporary HOME, run as an
unprivileged user: see epan_plugin_harness.py). For every capture of tests/data, the three
tables of `tshark -q -z mptcp,conns -z mptcp,subflows -z mptcp,reinjections` (default Wireshark
preferences, as a user would have them) are compared cell by cell with `mptcpanalyzer
list-mptcp --json`, `mptcp-summary N --json` and `list-reinjections --json` on the same capture,
and the tokens and subflow counts with the corpus ground truth (tests/data/manifest.json). A
display filter given after the name restricts the packets the tables see.

The test is registered only where the plugin is built (tests/CMakeLists.txt)."""

import json
import os
import subprocess
import sys

from common import DATA_DIR, PROGRAM, Checker, manifest
from epan_plugin_harness import (PLUGIN, TITLES, VIEWS, PluginHome, crash_marks, parse_tables,
                                 wireshark_version)

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE

checker = Checker("epan plugin")
env = PluginHome()


def program_json(*args):
    proc = subprocess.run([PROGRAM, "--no-cache", *args, "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout)


def text(v):
    return "" if v is None else str(v)


def seconds(ns):
    sign = "-" if ns < 0 else ""
    return f"{sign}{abs(ns) // 1_000_000_000}.{abs(ns) % 1_000_000_000:09d}"


def run_tables(local, extra_filter=None):
    args = ["-n", "-r", local, "-q"]
    for v in VIEWS:
        args += ["-z", v + ("," + extra_filter if extra_filter else "")]
    proc = env.tshark(args)
    return proc, parse_tables(proc.stdout)


# The plugin loads with the project's version (the one `mptcpanalyzer version` prints: both come
# from CMakeLists.txt's project(VERSION)), and its three -z names are registered.
plugins = env.tshark(["-G", "plugins"])
# One line per plugin: "name<TAB>version<TAB>type<TAB>path" (the name padded with spaces).
listed = [line.split("\t") for line in plugins.stdout.splitlines()]
ours = [fields for fields in listed if fields[0].strip() == "mptcpanalyzer.so" and len(fields) >= 2]
checker.check(len(ours) == 1, f"tshark -G plugins does not list the plugin once: {plugins.stdout}")
program_version = subprocess.run([PROGRAM, "version"], capture_output=True, text=True)
version_words = program_version.stdout.split("\n", 1)[0].split()  # "mptcpanalyzer X.Y.Z"
if checker.check(program_version.returncode == 0 and len(version_words) == 2,
                 f"mptcpanalyzer version printed {program_version.stdout!r} (exit {program_version.returncode})"):
    checker.check(bool(ours) and ours[0][1] == version_words[1],
                  f"tshark -G plugins lists the plugin as version {ours[0][1] if ours else None!r}, "
                  f"mptcpanalyzer version says {version_words[1]!r}")
# The plugin declares the Wireshark ABI it was built for: tshark loaded it (listed above), which it
# does only for a plugin whose plugin_want_major/minor equal its own version, from that version's
# folder. Its kind: Wireshark 4.2 on list the kind a plugin describes (plugin_describe(), "tap
# listener" for ours, wsutil/plugins.c flags_to_str); 4.0 lists every epan plugin as "dissector".
ws_major, ws_minor = wireshark_version()
expected_kind = "tap listener" if (ws_major, ws_minor) >= (4, 2) else "dissector"
checker.check(bool(ours) and len(ours[0]) >= 3 and ours[0][2] == expected_kind,
              f"tshark {ws_major}.{ws_minor} -G plugins lists the plugin's kind as "
              f"{ours[0][2] if ours and len(ours[0]) >= 3 else None!r}, not {expected_kind!r}")
# `cmake --install` puts it in the global epan plugin folder of this very Wireshark, as tshark
# itself reports it ("Global Plugins" of `tshark -G folders`, versioned MAJOR.MINOR).
install_dir = os.environ.get("MPTCP_PLUGIN_INSTALL_DIR", "")
if install_dir:
    folders = env.tshark(["-G", "folders"])
    global_plugins = [line.split("\t", 1)[1].strip() for line in folders.stdout.splitlines()
                      if line.startswith("Global Plugins:") and "\t" in line]
    checker.check(len(global_plugins) == 1 and install_dir == global_plugins[0] + "/epan",
                  f"the plugin installs into {install_dir}, tshark's global plugin folder is "
                  f"{global_plugins} (+ /epan)")
listing = env.tshark(["-z", "help"])
for v in VIEWS:
    checker.check(v in listing.stdout + listing.stderr, f"tshark -z help does not list {v}")

ground_truth = {}
for scenario in manifest()["scenarios"]:
    for side, name in scenario["captures"].items():
        ground_truth[name] = (side, scenario)

captures = sorted(f for f in os.listdir(DATA_DIR) if f.endswith(".pcapng"))
checker.check(bool(captures), "tests/data holds no capture")
for name in captures:
    capture = os.path.join(DATA_DIR, name)
    local = env.local_copy(capture)
    proc, tables = run_tables(local)
    checker.check(not crash_marks(proc), f"{name}: crash/error marks {crash_marks(proc)}: {proc.stderr[-400:]}")
    if not checker.check(proc.returncode == 0, f"{name}: tshark exited {proc.returncode}: {proc.stderr[-400:]}"):
        continue
    if not checker.check(all(t in tables for t in TITLES.values()), f"{name}: tables missing, got {list(tables)}"):
        continue
    conns = tables["MPTCP Connections"]["rows"]
    subs = tables["MPTCP Subflows"]["rows"]
    reinj = tables["MPTCP Reinjections"]["rows"]

    listing = program_json("list-mptcp", "-r", capture)
    if not checker.check(listing is not None, f"{name}: list-mptcp failed"):
        continue
    expected = listing["mptcp_connections"]
    checker.check(len(conns) == len(expected), f"{name}: {len(conns)} connection rows, program has {len(expected)}")
    expected_subflows = []
    for row, m in zip(conns, expected):
        what = f"{name} mptcp.stream {m['mptcp_stream']}"
        kinds = sorted({a["kind"] for sf in m["subflows"] for a in sf["anomalies"]})
        want = {"MPTCP stream": text(m["mptcp_stream"]), "Client": m["client"], "Server": m["server"],
                "Version": text(m["version"]), "Client key": text(m["client_key"]),
                "Server key": text(m["server_key"]), "Client token": text(m["client_token"]),
                "Server token": text(m["server_token"]), "Subflows": str(len(m["subflows"])),
                "Fallback": m["fallback"], "Anomalies": ",".join(kinds)}
        shares = {}
        if m["mptcp_stream"] is not None:
            summary = program_json("mptcp-summary", "-r", capture, str(m["mptcp_stream"]))
            if checker.check(summary is not None, f"{what}: mptcp-summary failed"):
                d = {x["direction"]: x for x in summary["directions"]}
                want.update({"Bytes to server": str(d["to_server"]["wire_bytes"]),
                             "Bytes to client": str(d["to_client"]["wire_bytes"]),
                             "App bytes to server": str(d["to_server"]["application_bytes"]),
                             "App bytes to client": str(d["to_client"]["application_bytes"]),
                             "Reinjections": str(sum(s["reinjections"] for x in summary["directions"]
                                                     for s in x["subflows"])),
                             "Reinjected bytes": str(sum(s["reinjected_bytes"] for x in summary["directions"]
                                                         for s in x["subflows"]))})
                for x in summary["directions"]:
                    for s in x["subflows"]:
                        shares.setdefault(s["tcp_stream"], {})[x["direction"]] = s
            checker.check(sum(1 for r in reinj if r["MPTCP stream"] == row["MPTCP stream"]) == int(row["Reinjections"]),
                          f"{what}: reinjection rows differ from the Reinjections column {row['Reinjections']}")
        for key, value in want.items():
            checker.check(row.get(key) == value, f"{what}: {key} is {row.get(key)!r}, program says {value!r}")
        for sf in m["subflows"]:
            contribution = shares.get(sf["tcp_stream"], {})
            expected_subflows.append({
                "MPTCP stream": text(m["mptcp_stream"]), "TCP stream": str(sf["tcp_stream"]),
                "Client": sf["client"], "Server": sf["server"], "Role": sf["role"], "Towards": sf["mptcpdest"],
                "Backup": "yes" if sf["backup"] else "no",
                "Packets from client": str(sf["packets_client_to_server"]),
                "Bytes from client": str(sf["bytes_client_to_server"]),
                "Packets from server": str(sf["packets_server_to_client"]),
                "Bytes from server": str(sf["bytes_server_to_client"]), "End": sf["end"],
                "Reinjected bytes": str(sum(c["reinjected_bytes"] for c in contribution.values())),
                "_shares": {k: c["share_of_wire"] for k, c in contribution.items()}})
    checker.check(len(subs) == len(expected_subflows),
                  f"{name}: {len(subs)} subflow rows, program has {len(expected_subflows)}")
    for got, want in zip(subs, expected_subflows):
        what = f"{name} subflow tcp.stream {want['TCP stream']}"
        for key, value in want.items():
            if key == "_shares":
                continue
            if key == "Reinjected bytes" and not want["_shares"]:
                continue  # no mptcp-summary for a connection Wireshark gave no mptcp.stream
            checker.check(got.get(key) == value, f"{what}: {key} is {got.get(key)!r}, program says {value!r}")
        for direction, column in (("to_server", "Share to server"), ("to_client", "Share to client")):
            if direction in want["_shares"]:
                cell = got.get(column, "")
                ok = cell.endswith("%") and abs(float(cell[:-1]) - 100 * want["_shares"][direction]) <= 0.006
                checker.check(ok, f"{what}: {column} is {cell!r}, program says {want['_shares'][direction]}")

    program_reinjections = program_json("list-reinjections", "-r", capture)
    if checker.check(program_reinjections is not None, f"{name}: list-reinjections failed"):
        want_rows = [{"MPTCP stream": text(r["mptcp_stream"]), "Direction": r["direction"], "Frame": str(r["frame"]),
                      "TCP stream": str(r["tcp_stream"]), "DSN start": str(r["dsn_start"]),
                      "DSN end": str(r["dsn_end"]), "Length": str(r["length"]),
                      "Reinjected bytes": str(r["reinjected_bytes"]),
                      "MPTCP-retransmitted bytes": str(r["mptcp_retransmitted_bytes"]),
                      "TCP-retransmitted bytes": str(r["tcp_retransmitted_bytes"]),
                      "New bytes": str(r["new_bytes"]),
                      "Original frames": ",".join(str(o["frame"]) for o in r["originals"]),
                      "Original TCP streams": ",".join(str(o["tcp_stream"]) for o in r["originals"]),
                      "Delay (s)": seconds(r["delay_ns"]),
                      "Reinjected again in": ",".join(str(f) for f in r["reinjected_again_in"])}
                     for r in program_reinjections["reinjections"]]
        checker.check(reinj == want_rows, f"{name}: reinjections table differs:\n  plugin  {reinj[:3]}\n  program {want_rows[:3]}")

    # Ground truth of the corpus: tokens and the subflows this side saw.
    side, scenario = ground_truth.get(name, (None, None))
    for truth in (scenario or {}).get("connections", []):
        if truth["kind"] != "mptcp" or not (truth.get("tokens") or {}).get("client"):
            continue
        rows = [r for r in conns if r["Client token"] == truth["tokens"]["client"]]
        what = f"{name} (ground truth, token {truth['tokens']['client']})"
        if checker.check(len(rows) == 1, f"{what}: {len(rows)} connection rows with that client token"):
            checker.check(rows[0]["Server token"] == truth["tokens"]["server"], f"{what}: server token {rows[0]['Server token']}")
            seen = sum(1 for sf in truth["subflows"] if side in sf.get("seen_by", [side]))
            checker.check(rows[0]["Subflows"] == str(seen), f"{what}: {rows[0]['Subflows']} subflows, {seen} seen by the {side}")

# A display filter after the name restricts the packets: keeping only the initial subflow of a
# two-subflow capture leaves one subflow row, with the same packet counts as unfiltered, and all
# of the connection's bytes.
basic = env.local_copy(os.path.join(DATA_DIR, "basic.client.pcapng"))
_, unfiltered = run_tables(basic)
rows = unfiltered.get("MPTCP Subflows", {}).get("rows", [])
initial = [r for r in rows if r["Role"] == "initial"]
if checker.check(len(rows) == 2 and len(initial) == 1, f"basic.client: expected 2 subflows, 1 initial: {rows}"):
    flt = f"tcp.stream=={initial[0]['TCP stream']}"
    proc, filtered = run_tables(basic, flt)
    got = filtered.get("MPTCP Subflows", {})
    checker.check(got.get("filter") == flt, f"filtered table shows filter {got.get('filter')!r}")
    alone = [dict(initial[0], **{"Share to server": "100.00%", "Share to client": "100.00%"})]
    checker.check(got.get("rows") == alone, f"filter {flt}: rows {got.get('rows')} instead of {alone}")
    conns = filtered.get("MPTCP Connections", {}).get("rows", [])
    checker.check(len(conns) == 1 and conns[0]["Subflows"] == "1", f"filter {flt}: connections {conns}")
    checker.check(proc.returncode == 0 and not crash_marks(proc), f"filter {flt}: {proc.returncode} {proc.stderr[-300:]}")

# Two-pass tshark (-2) knows every frame ahead: the table is filled on the last frame instead of
# at draw time; same rows.
proc = env.tshark(["-2", "-n", "-r", basic, "-q", "-z", "mptcp,subflows"])
checker.check(parse_tables(proc.stdout).get("MPTCP Subflows", {}).get("rows") == rows,
              f"tshark -2 gives other subflow rows: {proc.stdout[-600:]}")

env.cleanup()
checker.finish()
