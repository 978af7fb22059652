"""Every configuration key changes behaviour, and the precedence is: an option on the command
line > the configuration file > the default. Also `config show` reports each value's source."""

import glob
import json
import os
import subprocess
import time

from common import DATA_DIR, PROGRAM, Checker
from plot_helpers import png_size
from xdg_sandbox import Sandbox

BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")
REQRESP = os.path.join(DATA_DIR, "reqresp.client.pcapng")
IPV6 = os.path.join(DATA_DIR, "ipv6.client.pcapng")


def is_json(text):
    try:
        json.loads(text)
        return True
    except ValueError:
        return False


def cache_files(folder):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(folder, "*.mptable")))


def check_output_format(c, box):
    p = box.run("list-tcp", "-r", BASIC, "--no-cache")
    c.check(p.returncode == 0 and not is_json(p.stdout) and "tcp.stream" in p.stdout, "default output format is text")
    cfg = box.write("format-json.ini", "[output]\nformat = json\n")
    p = box.run("--config", cfg, "list-tcp", "-r", BASIC, "--no-cache")
    c.check(p.returncode == 0 and "tcp_connections" in json.loads(p.stdout), "output.format=json: JSON output")
    p = box.run("--config", cfg, "list-tcp", "-r", BASIC, "--no-cache", "--text")
    c.check(p.returncode == 0 and not is_json(p.stdout), "--text wins over output.format=json")
    p = box.run("--config", cfg, "list-tcp", "-r", BASIC, "--no-cache", "--csv")
    c.check(p.returncode == 0 and p.stdout.startswith("tcp_stream,"), "--csv wins over output.format=json")
    cfg = box.write("format-csv.ini", "[output]\nformat = csv\n")
    p = box.run("--config", cfg, "mptcp-summary", "-r", BASIC, "--no-cache", "0")
    c.check(p.returncode == 0 and not is_json(p.stdout) and "," in p.stdout.splitlines()[0],
            f"output.format=csv applies to another report command: {p.stdout[:200]!r}")


def export_header(text):
    """The header row of an export (after its `#key: value` metadata lines)."""
    return next((line for line in text.splitlines() if not line.startswith("#")), "")


def check_csv_delimiter(c, box):
    cfg = box.write("tab.ini", "[output]\ncsv_delimiter = \\t\n")
    p = box.run("--config", cfg, "export", "-r", BASIC, "--no-cache")
    header = export_header(p.stdout)
    c.check(p.returncode == 0 and len(header.split("\t")) > 10 and "," not in header,
            f"output.csv_delimiter=\\t: export header is tab-separated: {header[:120]!r}")
    p = box.run("--config", cfg, "export", "-r", BASIC, "--no-cache", "-d", ",")
    header = export_header(p.stdout)
    c.check(p.returncode == 0 and len(header.split(",")) > 10 and "\t" not in header, "-d , wins over the file")
    p = box.run("--config", cfg, "list-tcp", "-r", BASIC, "--no-cache", "--csv")
    header = p.stdout.splitlines()[0] if p.stdout else ""
    c.check(p.returncode == 0 and header.startswith("tcp_stream\tclient\t"), f"report --csv uses the file's delimiter: {header!r}")
    p = box.run("export", "-r", BASIC, "--no-cache")
    c.check(p.returncode == 0 and export_header(p.stdout).startswith("frame_number,"),
            "default delimiter is ','")


def check_cache_folder(c, box):
    mine = box.path("my-cache")
    other = box.path("other-cache")
    default = os.path.join(box.env["XDG_CACHE_HOME"], "mptcpanalyzer")
    cfg = box.write("cache.ini", f"[cache]\nfolder = {mine}\n")
    p = box.run("--config", cfg, "list-tcp", "-r", BASIC)
    c.check(p.returncode == 0 and len(cache_files(mine)) == 1 and not cache_files(default),
            "cache.folder: the entry goes to the configured folder, not the default one")
    p = box.run("--config", cfg, "--cache-dir", other, "list-tcp", "-r", REQRESP)
    c.check(p.returncode == 0 and len(cache_files(other)) == 1 and len(cache_files(mine)) == 1,
            "--cache-dir wins over cache.folder")
    p = box.run("--config", cfg, "cache", "info")
    c.check(mine in p.stdout, f"cache info shows the configured folder: {p.stdout!r}")
    p = box.run("list-tcp", "-r", BASIC)
    c.check(len(cache_files(default)) == 1, "without the file: the default cache folder")


def check_cache_size_limit(c, box):
    # Sizes and names of the three entries, measured without a limit.
    sizes, names = {}, {}
    for capture in (BASIC, REQRESP, IPV6):
        folder = box.path("measure", os.path.basename(capture))
        box.run("--cache-dir", folder, "list-tcp", "-r", capture)
        [name] = cache_files(folder)
        names[capture] = name
        sizes[capture] = os.path.getsize(os.path.join(folder, name))
    # Room for BASIC plus the larger of the two others: storing the third must evict one.
    limit = sizes[BASIC] + max(sizes[REQRESP], sizes[IPV6])
    folder = box.path("limited")
    cfg = box.write("limit.ini", f"[cache]\nfolder = {folder}\nsize_limit = {limit}\n")
    for step, capture in enumerate((BASIC, REQRESP, BASIC, IPV6)):
        time.sleep(0.05)  # distinct modification times
        p = box.run("--config", cfg, "list-tcp", "-r", capture)
        c.check(p.returncode == 0, f"limited cache, step {step}: {p.stderr}")
    left = cache_files(folder)
    # BASIC was used again after REQRESP: REQRESP is the least recently used.
    c.check(left == sorted([names[BASIC], names[IPV6]]),
            f"cache.size_limit evicts the least recently used entry: left {left}, names {names}")
    total = sum(os.path.getsize(os.path.join(folder, n)) for n in left)
    c.check(total <= limit, f"cache within its limit: {total} <= {limit}")
    # Concurrent processes storing and evicting under one limit: every run succeeds with the same
    # output as without the cache, and the folder ends within its limit.
    folder = box.path("concurrent")
    cfg = box.write("concurrent.ini", f"[cache]\nfolder = {folder}\nsize_limit = {limit}\n")
    reference = {cap: box.run("--no-cache", "list-tcp", "-r", cap).stdout for cap in (BASIC, REQRESP, IPV6)}
    captures = [BASIC, REQRESP, IPV6] * 2
    procs = [subprocess.Popen([PROGRAM, "--config", cfg, "list-tcp", "-r", cap], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=box.env) for cap in captures]
    for cap, proc in zip(captures, procs):
        out, err = proc.communicate(timeout=600)
        c.check(proc.returncode == 0 and out == reference[cap], f"concurrent limited run on {cap}: {proc.returncode} {err}")
    left = cache_files(folder)
    total = sum(os.path.getsize(os.path.join(folder, n)) for n in left)
    c.check(left and total <= limit, f"after concurrent runs the cache is within its limit: {total} <= {limit} ({left})")
    c.check(not glob.glob(os.path.join(folder, ".*.tmp-*")), "no temporary left after concurrent runs")
    # Without a limit (0) nothing is evicted.
    folder = box.path("unlimited")
    cfg = box.write("nolimit.ini", f"[cache]\nfolder = {folder}\nsize_limit = 0\n")
    for capture in (BASIC, REQRESP, IPV6):
        box.run("--config", cfg, "list-tcp", "-r", capture)
    c.check(len(cache_files(folder)) == 3, "cache.size_limit = 0 keeps every entry")
    # A one-byte limit keeps only the entry just stored.
    folder = box.path("tiny")
    cfg = box.write("tiny.ini", f"[cache]\nfolder = {folder}\nsize_limit = 1\n")
    for capture in (BASIC, REQRESP):
        box.run("--config", cfg, "list-tcp", "-r", capture)
    c.check(cache_files(folder) == [names[REQRESP]], f"a tiny limit keeps the newest entry only: {cache_files(folder)}")


def check_plot_settings(c, box):
    out = box.path("plot.img")
    cfg = box.write("plot.ini", "[plot]\nterminal = svg\nsize = 320x240\nfont = DejaVu Sans,11\n"
                                "point_size = 0.8\nline_width = 2.5\n")
    p = box.run("--config", cfg, "plot", "dsn", "-r", BASIC, "0", "-o", out, "--no-cache")
    with open(out, "rb") if os.path.exists(out) else open(os.devnull, "rb") as f:
        head = f.read(400)
    c.check(p.returncode == 0 and b"<svg" in head, f"plot.terminal=svg: an SVG image ({p.stderr})")
    c.check(b'width="320"' in head and b'height="240"' in head, f"plot.size applies to SVG: {head[:300]!r}")
    png = box.path("plot.png")
    p = box.run("--config", cfg, "plot", "dsn", "-r", BASIC, "0", "-o", png, "--terminal", "png", "--no-cache")
    c.check(p.returncode == 0 and png_size(png) == (320, 240), f"--terminal png wins; plot.size 320x240: {png_size(png)}")
    p = box.run("--config", cfg, "plot", "dsn", "-r", BASIC, "0", "-o", png, "--terminal", "png", "--size", "400x300",
                "--no-cache")
    c.check(p.returncode == 0 and png_size(png) == (400, 300), f"--size wins over plot.size: {png_size(png)}")
    p = box.run("plot", "dsn", "-r", BASIC, "0", "-o", png, "--no-cache")
    c.check(p.returncode == 0 and png_size(png) == (1024, 640), f"default size 1024x640: {png_size(png)}")
    keep = box.path("kept")
    p = box.run("--config", cfg, "plot", "dsn", "-r", BASIC, "0", "-o", png, "--terminal", "png", "--keep-script", keep,
                "--no-cache")
    script = open(os.path.join(keep, "plot.gp"), encoding="utf-8").read() if p.returncode == 0 else ""
    c.check("'DejaVu Sans,11'" in script, "plot.font reaches the gnuplot script")
    c.check("point_size = 0.8" in script and "line_width = 2.5" in script,
            "plot.point_size and plot.line_width reach the gnuplot script")


def check_wireshark_preferences(c, box):
    # Applied: a preference libwireshark refuses fails the command exactly like --wireshark-pref.
    cfg = box.write("ws-bad.ini", "[wireshark]\neth.trailer_length = notanumber\n")
    p = box.run("--config", cfg, "list-tcp", "-r", BASIC, "--no-cache")
    c.check(p.returncode == 2 and "eth.trailer_length:notanumber" in p.stderr,
            f"a refused preference of the file fails like on the command line: {p.returncode} {p.stderr!r}")
    # Option > file on the same name: the file's bad value is not applied at all.
    p = box.run("--config", cfg, "--wireshark-pref", "eth.trailer_length:0", "list-tcp", "-r", BASIC, "--no-cache")
    c.check(p.returncode == 0 and "tcp.stream" in p.stdout, f"--wireshark-pref of the same name wins: {p.stderr!r}")
    # Another name adds to the file's: the file's bad one is still applied.
    p = box.run("--config", cfg, "--wireshark-pref", "tcp.check_checksum:TRUE", "list-tcp", "-r", BASIC, "--no-cache")
    c.check(p.returncode == 2, "a --wireshark-pref of another name does not hide the file's")
    # A valid preference reaches the dissection: it is part of the cache key (a new entry).
    folder = box.path("ws-cache")
    box.run("--cache-dir", folder, "list-tcp", "-r", BASIC)
    cfg = box.write("ws-good.ini", "[wireshark]\ntcp.check_checksum = TRUE\n")
    p = box.run("--config", cfg, "--cache-dir", folder, "list-tcp", "-r", BASIC)
    c.check(p.returncode == 0 and len(cache_files(folder)) == 2,
            f"a file preference changes the dissection's cache key: {cache_files(folder)}")


def check_config_show(c, box):
    cfg = box.write("show.ini", "[output]\n# the format\nformat = json\n[wireshark]\ntcp.check_checksum = TRUE\n")
    other = box.path("cli-cache")
    p = box.run("--config", cfg, "--cache-dir", other, "--wireshark-pref", "ip.defragment:FALSE", "config", "show", "--json")
    c.check(p.returncode == 0, f"config show --json: {p.stderr}")
    doc = json.loads(p.stdout) if p.returncode == 0 else {"settings": []}
    by_key = {s["key"]: s for s in doc["settings"]}
    c.check(doc.get("file") == cfg, "config show names the file read")
    fmt = by_key.get("output.format", {})
    c.check(fmt.get("value") == "json" and fmt.get("source") == "file" and fmt.get("file") == cfg and fmt.get("line") == 3,
            f"output.format comes from file:3: {fmt}")
    folder = by_key.get("cache.folder", {})
    c.check(folder.get("value") == other and folder.get("source") == "command_line", f"cache.folder from the command line: {folder}")
    c.check(by_key.get("plot.size", {}).get("source") == "default", "plot.size is a default")
    c.check(by_key.get("wireshark.tcp.check_checksum", {}).get("line") == 5, "wireshark preference from file:5")
    c.check(by_key.get("wireshark.ip.defragment", {}).get("source") == "command_line", "wireshark preference from the command line")
    p = box.run("--config", cfg, "config", "show")
    c.check(p.returncode == 0 and f"{cfg}:3" in p.stdout and "default" in p.stdout, f"config show text: {p.stdout!r}")


def check_history_size_is_read(c, box):
    cfg = box.write("hist.ini", "[shell]\nhistory_size = 7\n")
    p = box.run("--config", cfg, "config", "show", "--json")
    entry = {s["key"]: s for s in json.loads(p.stdout)["settings"]}.get("shell.history_size", {})
    c.check(entry.get("value") == 7 and entry.get("source") == "file", f"shell.history_size read from the file: {entry}")


def main():
    c = Checker("config keys")
    box = Sandbox("config-keys")
    try:
        for check in (check_output_format, check_csv_delimiter, check_cache_folder, check_cache_size_limit,
                      check_plot_settings, check_wireshark_preferences, check_config_show, check_history_size_is_read):
            check(c, box)
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
