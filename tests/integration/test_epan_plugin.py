"""The Wireshark plugin (epan-plugin/) gives the same numbers as the terminal program.

The plugin is built elsewhere: its path comes from MPTCP_EPAN_PLUGIN (the test is skipped, with
a printed reason, only when that is unset). It is installed as a personal plugin in a temporary
HOME and tshark runs as an unprivileged user (uid 65534 through setpriv when we are root: tshark
ignores personal plugins when run as root). For every capture of tests/data, the tables of
`tshark -q -z mptcp,conns -z mptcp,subflows -z mptcp,reinjections` (default Wireshark
preferences, as a user would have them) are compared with `mptcpanalyzer list-mptcp --json`
and `mptcpanalyzer mptcp-summary N --json`. A truncated capture and one damaged with
`editcap -E 0.05` must give tshark's normal exit status (the one it has without the plugin) and
no crash."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

from common import DATA_DIR, PROGRAM, Checker

PLUGIN = os.environ.get("MPTCP_EPAN_PLUGIN", "")
SANITIZER_REPORTS = []
if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(0)

checker = Checker("epan plugin")
CRASH_MARKS = ("Segmentation fault", "core dumped", "terminate called", "AddressSanitizer",
               "runtime error:", "Aborted", "mptcpanalyzer plugin:")
VIEWS = ("mptcp,conns", "mptcp,subflows", "mptcp,reinjections")

WORK = tempfile.mkdtemp(prefix="mptcp-test-plugin-")
HOME = os.path.join(WORK, "home")          # with the plugin
BARE_HOME = os.path.join(WORK, "barehome")  # without it (reference exit statuses)
PLUGIN_DIR = os.path.join(HOME, ".local", "lib", "wireshark", "plugins", "4.0", "epan")
os.makedirs(PLUGIN_DIR)
os.makedirs(BARE_HOME)
shutil.copy(PLUGIN, os.path.join(PLUGIN_DIR, "mptcpanalyzer.so"))
UNPRIVILEGED = os.geteuid() == 0
for root, dirs, files in os.walk(WORK):
    for name in dirs + files + [""]:
        path = os.path.join(root, name)
        os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
        if UNPRIVILEGED:
            os.chown(path, 65534, 65534)


def tshark(args, home=HOME):
    cmd = ["tshark", *args]
    if UNPRIVILEGED:
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", f"HOME={home}", *cmd]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    SANITIZER_REPORTS.extend(line for line in proc.stderr.splitlines()
                             if "AddressSanitizer" in line or "runtime error:" in line)
    return proc


def local_copy(path, name=None):
    dst = os.path.join(WORK, name or os.path.basename(path))
    shutil.copy(path, dst)
    os.chmod(dst, 0o644)
    return dst


def parse_tables(stdout):
    """{title: [row dict]} from the ===== framed blocks (header line is the third line)."""
    tables, lines, i = {}, stdout.splitlines(), 0
    while i < len(lines):
        if lines[i].startswith("=" * 80) and i + 3 < len(lines) and lines[i + 1].startswith("MPTCP "):
            title, header, rows = lines[i + 1].split(" (")[0], lines[i + 3].split(), []
            i += 4
            while i < len(lines) and not lines[i].startswith("=" * 80):
                cells = lines[i].split()
                if len(cells) == len(header):
                    rows.append(dict(zip(header, cells)))
                i += 1
            tables[title] = rows
        i += 1
    return tables


def program_json(*args):
    import json
    proc = subprocess.run([PROGRAM, "--no-cache", *args, "--json"], capture_output=True, text=True)
    if proc.returncode != 0:
        return None
    return json.loads(proc.stdout)


def dash(v):
    return "-" if v is None or v == "" else str(v)


def no_crash(proc, what):
    checker.check(proc.returncode >= 0 and proc.returncode not in (134, 139),
                  f"{what}: tshark died (status {proc.returncode})")
    marks = [m for m in CRASH_MARKS if m in proc.stderr or m in proc.stdout]
    checker.check(not marks, f"{what}: crash/error marks {marks}: {proc.stderr[-400:]}")


# The plugin loads.
plugins = tshark(["-G", "plugins"])
checker.check("mptcpanalyzer.so" in plugins.stdout, f"tshark -G plugins does not list the plugin: {plugins.stdout}")

captures = sorted(glob.glob(os.path.join(DATA_DIR, "*.pcapng")))
checker.check(bool(captures), "tests/data holds no capture")
for capture in captures:
    name = os.path.basename(capture)
    local = local_copy(capture)
    args = ["-n", "-r", local, "-q"]
    for v in VIEWS:
        args += ["-z", v]
    proc = tshark(args)
    no_crash(proc, name)
    if not checker.check(proc.returncode == 0, f"{name}: tshark exited {proc.returncode}: {proc.stderr[-400:]}"):
        continue
    tables = parse_tables(proc.stdout)
    conns = tables.get("MPTCP Connections", [])
    subs = tables.get("MPTCP Subflows", [])
    reinj = tables.get("MPTCP Reinjections", [])
    checker.check(all(t in tables for t in ("MPTCP Connections", "MPTCP Subflows", "MPTCP Reinjections")),
                  f"{name}: missing tables in {list(tables)}")
    listing = program_json("list-mptcp", "-r", capture)
    if not checker.check(listing is not None, f"{name}: list-mptcp failed"):
        continue
    expected = listing["mptcp_connections"]
    checker.check(len(conns) == len(expected), f"{name}: {len(conns)} connection rows, program has {len(expected)}")
    expected_subflows = []
    for row, m in zip(conns, expected):
        what = f"{name} mptcp.stream {m['mptcp_stream']}"
        want = {"Stream": dash(m["mptcp_stream"]), "Client": m["client"], "Server": m["server"],
                "Version": dash(m["version"]), "Client_token": dash(m["client_token"]),
                "Server_token": dash(m["server_token"]), "Subflows": str(len(m["subflows"])),
                "Fallback": m["fallback"]}
        if m["mptcp_stream"] is not None:
            summary = program_json("mptcp-summary", "-r", capture, str(m["mptcp_stream"]))
            if checker.check(summary is not None, f"{what}: mptcp-summary failed"):
                d = {x["direction"]: x for x in summary["directions"]}
                want.update({"Bytes_to_server": str(d["to_server"]["wire_bytes"]),
                             "Bytes_to_client": str(d["to_client"]["wire_bytes"]),
                             "App_bytes_to_server": str(d["to_server"]["application_bytes"]),
                             "App_bytes_to_client": str(d["to_client"]["application_bytes"]),
                             "Reinjections": str(sum(s["reinjections"] for x in summary["directions"]
                                                     for s in x["subflows"]))})
            checker.check(sum(1 for r in reinj if r["Stream"] == row["Stream"]) == int(row["Reinjections"]),
                          f"{what}: reinjection rows differ from the Reinjections column {row['Reinjections']}")
        for key, value in want.items():
            checker.check(row.get(key) == value, f"{what}: {key} is {row.get(key)}, program says {value}")
        for sf in m["subflows"]:
            expected_subflows.append((dash(m["mptcp_stream"]), str(sf["tcp_stream"]), sf["client"], sf["server"],
                                      sf["role"], str(sf["packets_client_to_server"]),
                                      str(sf["bytes_client_to_server"]), str(sf["packets_server_to_client"]),
                                      str(sf["bytes_server_to_client"])))
    got_subflows = [(r["Stream"], r["Tcp_stream"], r["Client"], r["Server"], r["Role"], r["Packets_up"],
                     r["Bytes_up"], r["Packets_down"], r["Bytes_down"]) for r in subs]
    checker.check(got_subflows == expected_subflows,
                  f"{name}: subflows table differs:\n  plugin  {got_subflows}\n  program {expected_subflows}")

# Damaged inputs: the plugin must not change tshark's exit status, nor crash it.
if captures:
    source = max(captures, key=os.path.getsize)
    size = os.path.getsize(source)
    truncated = os.path.join(WORK, "truncated.pcapng")
    with open(source, "rb") as f, open(truncated, "wb") as out:
        out.write(f.read(size * 2 // 3 + 7))  # cut in the middle of a block
    damaged = os.path.join(WORK, "damaged.pcapng")
    subprocess.run(["editcap", "-E", "0.05", "--seed", "42", source, damaged], check=True, capture_output=True)
    for path in (truncated, damaged):
        os.chmod(path, 0o644)
        what = os.path.basename(path)
        args = ["-n", "-r", path, "-q"]
        bare = tshark(args, home=BARE_HOME)
        for v in VIEWS:
            args += ["-z", v]
        proc = tshark(args)
        no_crash(proc, what)
        checker.check(proc.returncode == bare.returncode,
                      f"{what}: tshark exited {proc.returncode} with the plugin, {bare.returncode} without")
        checker.check("MPTCP Connections" in proc.stdout, f"{what}: no connections table printed")

shutil.rmtree(WORK, ignore_errors=True)
checker.check(not SANITIZER_REPORTS, f"no sanitizer report while tshark ran the plugin: {SANITIZER_REPORTS[:5]}")
checker.finish()
