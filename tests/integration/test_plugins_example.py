"""The example plugin (examples/plugin): its command and its plot kind work on corpus captures
(checked against tshark), and they appear in `help`, in `plot --help`, in the bash completion
script and in `plugins`, whether found in $XDG_DATA_HOME or in a folder of the configuration
file."""

import glob
import json
import os
import shutil

from common import DATA_DIR, Checker, tshark_fields
from xdg_sandbox import Sandbox

EXAMPLE = os.environ.get("MPTCP_EXAMPLE_PLUGIN", "")
BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")
CONCURRENT = os.path.join(DATA_DIR, "concurrent.client.pcapng")


def expected_subflows(capture):
    """mptcp.stream -> sorted tcp.streams, according to tshark."""
    out = {}
    for mptcp_stream, tcp_stream in tshark_fields(capture, ["mptcp.stream", "tcp.stream"], display_filter="mptcp.stream"):
        out.setdefault(int(mptcp_stream), set()).add(int(tcp_stream))
    return {k: sorted(v) for k, v in out.items()}


def parse_subflow_count(text):
    """'mptcp.stream 0: 2 subflows (tcp.stream 0, 1)' lines -> {0: [0, 1]} and the counts."""
    result, counts = {}, {}
    for line in text.splitlines():
        head, _, rest = line.partition(": ")
        count_text, _, streams = rest.partition(" (tcp.stream ")
        stream = int(head.split()[1])
        result[stream] = sorted(int(s) for s in streams.rstrip(")").split(", "))
        counts[stream] = int(count_text.split()[0])
    return result, counts


def check_command(c, box, label):
    for capture in (BASIC, CONCURRENT):
        p = box.run("subflow-count", "-r", capture)
        c.check(p.returncode == 0, f"{label}: subflow-count on {capture}: {p.returncode} {p.stderr}")
        got, counts = parse_subflow_count(p.stdout) if p.returncode == 0 else ({}, {})
        want = expected_subflows(capture)
        c.check(got == want, f"{label}: subflow-count matches tshark's mptcp.stream/tcp.stream pairs: {got} vs {want}")
        c.check(all(counts[k] == len(v) for k, v in got.items()), f"{label}: subflow counts match the lists")
    p = box.run("subflow-count", "-r", CONCURRENT, "--mptcp-stream", "1")
    c.check(p.returncode == 0 and p.stdout.startswith("mptcp.stream 1:") and len(p.stdout.splitlines()) == 1,
            f"{label}: the plugin's own option works: {p.stdout!r}")
    p = box.run("subflow-count", "-r", BASIC, "--mptcp-stream", "99")
    c.check(p.returncode == 2 and "no mptcp.stream 99" in p.stderr and p.stdout == "",
            f"{label}: a plugin's usage error exits 2 with its message: {p.returncode} {p.stderr!r}")


def check_plot(c, box, label):
    png = box.path(f"payload-{label}.png")
    p = box.run("plot", "payload-sizes", "-r", BASIC, "-o", png)
    ok = p.returncode == 0 and os.path.exists(png)
    c.check(ok and open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f"{label}: plot payload-sizes writes a PNG: {p.stderr}")
    keep = box.path(f"kept-{label}")
    p = box.run("plot", "payload-sizes", "-r", BASIC, "-o", png, "--keep-script", keep, "--title", "my title")
    points = []
    for data in sorted(glob.glob(os.path.join(keep, "series*.dat"))):
        with open(data, encoding="utf-8") as f:
            points += [line.split() for line in f if line.strip() and not line.startswith("#")]
    lengths = sorted(int(row[0]) for row in tshark_fields(BASIC, ["tcp.len"], display_filter="tcp.len > 0"))
    c.check(sorted(int(float(p[1])) for p in points) == lengths,
            f"{label}: one point per TCP segment with payload, y = tshark's tcp.len ({len(points)} vs {len(lengths)})")
    script = open(os.path.join(keep, "plot.gp"), encoding="utf-8").read() if os.path.exists(os.path.join(keep, "plot.gp")) else ""
    c.check("'my title'" in script and "TCP payload (bytes)" in script,
            f"{label}: the common --title option and the plugin's labels reach the script")
    p = box.run("plot", "payload-sizes", "-r", BASIC, "--tcp-stream", "12345", "-o", png)
    c.check(p.returncode == 2 and "12345" in p.stderr, f"{label}: plot kind error: {p.returncode} {p.stderr!r}")


def check_listed(c, box, label, folder):
    p = box.run("--help")
    c.check(p.returncode == 0 and "subflow-count" in p.stdout, f"{label}: subflow-count appears in --help")
    c.check("interarrival, payload-sizes)" in p.stdout or ", payload-sizes)" in p.stdout,
            f"{label}: the plot command's list of kinds names payload-sizes")
    p = box.run("help")
    c.check(p.returncode == 0 and "subflow-count" in p.stdout, f"{label}: subflow-count appears in help")
    p = box.run("plot", "--help")
    c.check(p.returncode == 0 and "payload-sizes" in p.stdout and "dsn" in p.stdout,
            f"{label}: payload-sizes appears in plot --help next to the built-in kinds")
    p = box.run("help", "plot", "payload-sizes")
    c.check(p.returncode == 0 and "--tcp-stream" in p.stdout and "--terminal" in p.stdout and "--read" in p.stdout,
            f"{label}: help of the plot kind shows its own and the common options: {p.stdout[:300]!r}")
    p = box.run("completion", "bash")
    c.check(p.returncode == 0 and "subflow-count" in p.stdout and "payload-sizes" in p.stdout and "mptcp-stream" in p.stdout,
            f"{label}: the bash completion script knows the plugin's command, plot kind and options")
    p = box.run("plugins", "--json")
    doc = json.loads(p.stdout) if p.returncode == 0 else {"plugins": []}
    loaded = [e for e in doc["plugins"] if e["status"] == "loaded"]
    c.check(len(loaded) == 1 and loaded[0]["commands"] == ["subflow-count"] and loaded[0]["plot_kinds"] == ["payload-sizes"]
            and os.path.dirname(loaded[0]["path"]) == folder, f"{label}: plugins --json lists it: {doc}")
    c.check(folder in doc.get("folders", []), f"{label}: the folder is among those searched")
    p = box.run("plugins")
    c.check(p.returncode == 0 and "loaded" in p.stdout and "subflow-count" in p.stdout, f"{label}: plugins (text)")


def main():
    c = Checker("example plugin")
    if not c.check(os.path.isfile(EXAMPLE), f"MPTCP_EXAMPLE_PLUGIN is the built example plugin: {EXAMPLE!r}"):
        c.finish()
    # Found in $XDG_DATA_HOME/mptcpanalyzer/plugins.
    box = Sandbox("plugins-example")
    try:
        p = box.run("subflow-count", "-r", BASIC)
        c.check(p.returncode == 2, "without the plugin, subflow-count is not a command")
        folder = box.plugin_folder()
        shutil.copy(EXAMPLE, folder)
        check_command(c, box, "data folder")
        check_plot(c, box, "data folder")
        check_listed(c, box, "data folder", folder)
        # Found through plugins.folders of the configuration file (and not in the data folder).
        os.unlink(os.path.join(folder, os.path.basename(EXAMPLE)))
        configured = box.path("my plugins")
        os.makedirs(configured)
        shutil.copy(EXAMPLE, configured)
        box.default_config(f"[plugins]\nfolders = {configured}\n")
        check_command(c, box, "config folder")
        check_listed(c, box, "config folder", configured)
        # A second copy registers the same names: its entries are skipped and noted, nothing breaks.
        shutil.copy(EXAMPLE, os.path.join(configured, "zz_copy.so"))
        p = box.run("plugins", "--json")
        copy = [e for e in json.loads(p.stdout)["plugins"] if e["path"].endswith("zz_copy.so")]
        c.check(len(copy) == 1 and any("already taken" in n for n in copy[0].get("notes", [])),
                f"a plugin reusing a taken name is noted: {copy}")
        p = box.run("subflow-count", "-r", BASIC)
        c.check(p.returncode == 0, "the first plugin keeps the name")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
