"""Plugin API versions (docs/plugins.md, "Versions"): real plugins built as real .so files and
loaded by the real program.

- older_minor_plugin is built against minor 0 of our major (MPA_PLUGIN_API_TARGET_MINOR 0): its
  structs are smaller, its option array has the smaller stride, and a canary after its mpa_packet
  catches a host writing past the end. It loads and computes the right totals.
- newer_minor_plugin claims the next minor: its structs (command, options, packet) carry a field
  the host does not know. It loads, its 2.1 fields (aliases, value names) are read at the right
  place, the host fills its packet only as far as the host's own and says so, and the plugin
  sees that a next-minor host function is not offered.
- Plugins of another major (the next one, and the single-number API 1 before major.minor) are
  refused with the reason; their register function (which aborts) is never called.

Both loaded plugins' totals are checked against tshark and against the program's own commands."""

import json
import os
import shutil

from common import DATA_DIR, Checker, tshark_fields
from xdg_sandbox import Sandbox

PLUGINS = {name: os.environ.get(var, "") for name, var in (
    ("older_minor_plugin.so", "MPTCP_OLDER_MINOR_PLUGIN"),
    ("newer_minor_plugin.so", "MPTCP_NEWER_MINOR_PLUGIN"),
    ("wrong_version_plugin.so", "MPTCP_WRONG_VERSION_PLUGIN"),
    ("api1_plugin.so", "MPTCP_API1_PLUGIN"))}
CAPTURES = [os.path.join(DATA_DIR, name) for name in ("basic.client.pcapng", "concurrent.client.pcapng")]


def parse_totals(text):
    """'packets: 12' lines -> {'packets': 12}; other lines ignored."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep and value.isdigit():
            out[key] = int(value)
    return out


def expected_totals(box, capture, tcp_stream=None):
    """The totals according to tshark (packets, payload, streams) and to the program itself."""
    rows = tshark_fields(capture, ["tcp.stream", "tcp.len", "mptcp.stream"])
    if tcp_stream is not None:
        rows = [r for r in rows if int(r[0]) == tcp_stream]
    p = box.run("list-mptcp", "-r", capture, "--json")
    mptcp = json.loads(p.stdout)["mptcp_connections"] if p.returncode == 0 else []
    p = box.run("export", "-r", capture, "--format", "json")
    packets = json.loads(p.stdout)["packets"] if p.returncode == 0 else []
    packets = [x for x in packets if tcp_stream is None or x.get("tcp_stream") == tcp_stream]
    mappings = [x for x in packets if x.get("mptcp_dsn") is not None]
    all_rows = tshark_fields(capture, ["tcp.stream", "mptcp.stream"])
    return {
        # Seen only by the newer plugin (fields of 2.1); from the program's own export.
        "packets with MP_JOIN": sum("1" in (x.get("mptcp_subtypes") or "").split(",") for x in packets),
        "sum of mapping subflow_seq": sum(x.get("mptcp_subflow_seq") or 0 for x in mappings),
        "packets": len(rows),
        "payload bytes": sum(int(r[1]) for r in rows),
        "mappings": len(mappings),
        "tcp connections": len({r[0] for r in all_rows}),
        "mptcp connections": len({r[1] for r in all_rows if r[1]}),
        "subflows": sum(len(c["subflows"]) for c in mptcp),
    }


def main():
    c = Checker("plugin API versions")
    for name, path in PLUGINS.items():
        if not c.check(os.path.isfile(path), f"{name} is built: {path!r}"):
            c.finish()
    box = Sandbox("plugins-versions")
    try:
        folder = box.plugin_folder()
        for name, path in PLUGINS.items():
            shutil.copy(path, os.path.join(folder, name))

        p = box.run("plugins", "--json")
        c.check(p.returncode == 0, f"plugins --json runs: {p.returncode} {p.stderr}")
        doc = json.loads(p.stdout) if p.returncode == 0 else {}
        host = doc.get("api_version", {})
        major, minor = host.get("major", -1), host.get("minor", -1)
        c.check(major >= 2 and minor >= 1, f"the program provides a major.minor API, minor >= 1: {host}")
        by_name = {os.path.basename(e["path"]): e for e in doc.get("plugins", [])}

        older = by_name.get("older_minor_plugin.so", {})
        c.check(older.get("status") == "loaded" and older.get("api_version") == {"major": major, "minor": 0}
                and older.get("commands") == ["older-minor-totals"],
                f"a plugin of an older minor ({major}.0) loads: {older}")
        newer = by_name.get("newer_minor_plugin.so", {})
        c.check(newer.get("status") == "loaded" and newer.get("api_version") == {"major": major, "minor": minor + 1}
                and newer.get("commands") == ["newer-minor-totals"],
                f"a plugin of a newer minor ({major}.{minor + 1}) loads: {newer}")
        other = by_name.get("wrong_version_plugin.so", {})
        want = f"built for plugin API {major + 1}.0, this mptcpanalyzer provides {major}.{minor}: another major version"
        c.check(other.get("status") == "refused" and want in other.get("reason", ""),
                f"a plugin of the next major is refused with '{want}': {other}")
        api1 = by_name.get("api1_plugin.so", {})
        want1 = f"built for plugin API 1.0, this mptcpanalyzer provides {major}.{minor}"
        c.check(api1.get("status") == "refused" and want1 in api1.get("reason", ""),
                f"a plugin of the single-number API 1 is refused with '{want1}': {api1}")

        p = box.run("plugins")
        lines = p.stdout.splitlines()
        c.check(lines[:1] == [f"plugin API version {major}.{minor}"], f"plugins (text) names the API version: {lines[:1]}")
        c.check(any(line.startswith("loaded ") and "older_minor_plugin.so" in line and f"(API {major}.0)" in line
                    for line in lines), "plugins (text) shows the older-minor plugin loaded, with its version")
        c.check(any(line.startswith("refused ") and "wrong_version_plugin.so" in line and want in line for line in lines),
                "plugins (text) shows the other major refused with the reason")

        for capture in CAPTURES:
            want_totals = expected_totals(box, capture)
            newer_only = ("packets with MP_JOIN", "sum of mapping subflow_seq")
            for command in ("older-minor-totals", "newer-minor-totals"):
                p = box.run(command, "-r", capture, "--heading", "my heading")
                got = parse_totals(p.stdout)
                want = {k: v for k, v in want_totals.items() if command.startswith("newer") or k not in newer_only}
                c.check(p.returncode == 0 and p.stdout.startswith("my heading\n") and got == want,
                        f"{command} on {os.path.basename(capture)}: {p.returncode} {p.stderr!r} {got} vs {want}")
            stream = 1 if "concurrent" in capture else 0
            want_one = expected_totals(box, capture, tcp_stream=stream)
            for command in ("older-minor-totals", "newer-minor-totals"):
                p = box.run(command, "-r", capture, "--tcp-stream", str(stream))
                got = parse_totals(p.stdout)
                c.check(p.returncode == 0 and got["packets"] == want_one["packets"]
                        and got["payload bytes"] == want_one["payload bytes"] and got["mappings"] == want_one["mappings"],
                        f"{command} --tcp-stream {stream} (the second option of the array): {got} vs {want_one}")

        basic = CAPTURES[0]
        p = box.run("older-minor-totals", "-r", basic)
        c.check(f"plugin API {major}.0, host API {major}.{minor}" in p.stdout,
                f"the older plugin sees the host's version: {p.stdout.splitlines()[:1]}")
        p = box.run("newer-minor-totals", "-r", basic)
        c.check(f"plugin API {major}.{minor + 1}, host API {major}.{minor}" in p.stdout,
                f"the newer plugin sees the host's version: {p.stdout.splitlines()[:1]}")
        filled = [line.split() for line in p.stdout.splitlines() if line.startswith("mpa_packet: host filled ")]
        # "mpa_packet: host filled N of M bytes": the plugin's packet is the host's plus one uint64.
        c.check(len(filled) == 1 and int(filled[0][3]) + 8 == int(filled[0][5]),
                f"the host fills a larger mpa_packet only as far as its own and says so: {p.stdout!r}")
        c.check("next-minor host function: not offered" in p.stdout,
                "the host table's struct_size tells the plugin a next-minor function is missing")
        c.check(any(line.startswith("mptcpanalyzer: warning: command 'newer-minor-totals'") and "newer plugin API minor" in line
                    for line in p.stderr.splitlines()),
                f"a 2.1 host function (warn) called by the plugin reports like the program: {p.stderr!r}")
        p = box.run("newer_minor_totals", "-r", basic)
        c.check(p.returncode == 0 and "packets: " in p.stdout, f"the alias read from the larger mpa_command works: {p.stderr!r}")
        p = box.run("help", "newer-minor-totals")
        c.check(p.returncode == 0 and "STREAM" in p.stdout and "LINE" in p.stdout and "STATUS" in p.stdout,
                f"value names read from the larger options (stride of the plugin): {p.stdout!r}")
        p = box.run("help", "older-minor-totals")
        c.check(p.returncode == 0 and "--tcp-stream" in p.stdout and "--heading" in p.stdout and "-o" in p.stdout,
                f"the older plugin's options (2.0 stride) and the host's -o appear: {p.stdout!r}")
        p = box.run("older-minor-totals", "-r", basic, "--tcp-stream", "999")
        c.check(p.returncode == 2 and "no tcp.stream 999" in p.stderr and p.stdout == "",
                f"an older plugin's usage error exits 2: {p.returncode} {p.stderr!r}")
        p = box.run("newer-minor-totals", "-r", basic, "--tcp-stream", "999")
        c.check(p.returncode == 5 and "no tcp.stream 999" in p.stderr and p.stdout == "",
                f"MPA_NO_DATA (2.1) exits 5 like the program's 'no data': {p.returncode} {p.stderr!r}")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
