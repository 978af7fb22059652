#!/usr/bin/env python3
"""Writes (or checks) every command output and picture of docs/guide.md from the captures that
ship with the project (tests/data), so the guide shows what the commands really print.

    python3 tools/docs/make_guide.py [--program BUILD/analyzer/mptcpanalyzer] [--plugin SO]
                                     [--check] [--no-screenshot] [--guide FILE]

In docs/guide.md, each step that shows a command is a generated region:

    <!-- guide-run: mptcpanalyzer list-tcp -r reinject.client.pcapng -->
    ...generated: the command and its standard output...
    <!-- guide-end -->

The marker may carry options before the colon: `head=N tail=M` keeps the first N and last M
lines of a long output and puts one line `[... K lines not shown ...]` in between (trimmed,
never edited). The command runs in a folder holding the corpus captures under their own names
(symbolic links to tests/data), with a private HOME and XDG folders (no user configuration or
cache changes what it prints), LC_ALL=C.UTF-8 and TZ=UTC:

- `mptcpanalyzer ...` runs the given program (any build type: the outputs are the same);
- `tshark ...` runs the real tshark with the built Wireshark plugin (as the plugin tests do:
  a personal plugin in a temporary HOME, as an unprivileged user when we are root);
- `python3` runs the ```python block just above the marker with Debian's /usr/bin/python3
  (pandas is python3-pandas) and shows its output only.

A picture step is a plot command with `-o NAME.png`: it runs with `--keep-script` added (which
only keeps gnuplot's script and data besides drawing the same image), the PNG is reduced to a
256-colour palette without metadata and written to docs/images/NAME.png, and the region records
the picture's size and a SHA-256 of the plot's data files, so --check notices when the data a
picture draws changed even though PNG bytes differ between gnuplot and cairo versions.

The Wireshark screenshots (docs/images/wireshark-*.png) are taken in write mode only: Wireshark
with the plugin under a private Xvfb display (the GUI test's machinery, tests/integration), the
Statistics menu open, then the MPTCP Reinjections dialog (`-z mptcp,reinjections`, what the menu
item opens), found with xdotool and grabbed with ImageMagick.

--check writes nothing: it exits 1 and prints a diff when a region differs from what its command
prints now, when a picture's data or size changed, when a picture the guide or the README shows
is missing or over 100 KB, or when a command fails. Exit 0 otherwise."""

import argparse
import difflib
import glob
import hashlib
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import time

SOURCE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DATA = os.path.join(SOURCE, "tests", "data")
GUIDE = os.path.join(SOURCE, "docs", "guide.md")
IMAGES = os.path.join(SOURCE, "docs", "images")
README = os.path.join(SOURCE, "README.md")
MAX_PICTURE_BYTES = 100 * 1024
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
DEBIAN_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

MARKER = re.compile(r"^<!-- guide-run(?P<options>[^:]*): (?P<command>.*?) -->\n(?P<body>.*?)^<!-- guide-end -->\n",
                    re.S | re.M)
PYTHON_BLOCK = re.compile(r"```python\n(?P<code>.*?)```\n\s*$", re.S)


class Failure(Exception):
    pass


def parse_options(text):
    options = {}
    for word in text.split():
        key, _, value = word.partition("=")
        if key not in ("head", "tail") or not value.isdigit():
            raise Failure(f"unknown guide-run option '{word}' (head=N, tail=N)")
        options[key] = int(value)
    return options


def trim(lines, head=None, tail=None):
    """The first `head` and last `tail` lines, with one line saying how many are left out."""
    if head is None and tail is None:
        return lines
    head, tail = head or 0, tail or 0
    if head + tail + 1 >= len(lines):
        return lines
    left_out = len(lines) - head - tail
    return lines[:head] + [f"[... {left_out} lines not shown ...]"] + (lines[-tail:] if tail else [])


def png_size(path):
    with open(path, "rb") as f:
        header = f.read(24)
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failure(f"{path}: not a PNG")
    return struct.unpack(">II", header[16:24])


def sanitized(library):
    """Whether a shared object was built with AddressSanitizer (it needs libasan preloaded into
    the uninstrumented tshark/Wireshark)."""
    out = subprocess.run(["readelf", "-d", library], capture_output=True, text=True).stdout
    return "libasan" in out


class Runner:
    def __init__(self, program, plugin, check):
        self.program = os.path.abspath(program)
        self.plugin = os.path.abspath(plugin) if plugin else ""
        self.check = check
        self.root = tempfile.mkdtemp(prefix="mptcp-guide-")
        self.work = os.path.join(self.root, "work")
        os.makedirs(self.work)
        for capture in sorted(glob.glob(os.path.join(DATA, "*.pcapng"))):
            os.symlink(capture, os.path.join(self.work, os.path.basename(capture)))
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.root,
                    "LC_ALL": "C.UTF-8", "TZ": "UTC", "ASAN_OPTIONS": "detect_leaks=0"}
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            self.env[var] = os.path.join(self.root, var.lower())
            os.makedirs(self.env[var])
        self.plugin_home = None
        self.pictures = []

    def harness(self):
        """The plugin tests' harness (tests/integration/epan_plugin_harness.py), set up for our
        plugin: it reads its settings from the environment when imported."""
        if not self.plugin or not os.path.exists(self.plugin):
            raise Failure("the guide's tshark steps need the built Wireshark plugin (--plugin)")
        os.environ["MPTCP_EPAN_PLUGIN"] = self.plugin
        if sanitized(self.plugin):
            cxx = os.environ.get("CXX", "g++")
            preload = ":".join(subprocess.run([cxx, f"-print-file-name={lib}"], capture_output=True, text=True,
                                              check=True).stdout.strip() for lib in ("libasan.so", "libubsan.so"))
            os.environ.setdefault("MPTCP_EPAN_PLUGIN_SANITIZED", "1")
            os.environ.setdefault("MPTCP_ASAN_PRELOAD", preload)
        sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
        import epan_plugin_harness
        return epan_plugin_harness

    def plugin_env(self):
        if self.plugin_home is None:
            self.plugin_home = self.harness().PluginHome(self.plugin)
        return self.plugin_home

    def run(self, argv, stdin=None):
        """(stdout, stderr, exit code) of one guide command."""
        if argv[0] == "mptcpanalyzer":
            proc = subprocess.run([self.program, *argv[1:]], cwd=self.work, env=self.env, input=stdin,
                                  capture_output=True, text=True, timeout=600)
        elif argv[0] == "tshark":
            home = self.plugin_env()
            for name in argv:
                if name.endswith(".pcapng"):
                    home.local_copy(os.path.join(DATA, name))
            cmd, environment = home.command(argv)
            proc = subprocess.run(cmd, cwd=home.work, env=environment, capture_output=True, text=True, timeout=600)
        elif argv == ["python3"]:
            proc = subprocess.run([DEBIAN_PYTHON, "-"], cwd=self.work, env=self.env, input=stdin,
                                  capture_output=True, text=True, timeout=600)
        else:
            raise Failure(f"the guide can run mptcpanalyzer, tshark and python3, not '{argv[0]}'")
        # A sanitizer report fails the step even where the sanitizer lets the program go on (UBSan).
        marks = [m for m in SANITIZER_MARKS if m in proc.stderr]
        if marks:
            raise Failure(f"'{shlex.join(argv)}' reported {marks[0]}:\n{proc.stderr}")
        return proc.stdout, proc.stderr, proc.returncode

    def picture(self, argv):
        """Runs a plot command that writes NAME.png; returns the region's record of it."""
        name = argv[argv.index("-o") + 1]
        if "/" in name or not name.endswith(".png"):
            raise Failure(f"a guide picture is written as -o NAME.png in the current folder, not {name}")
        kept = os.path.join(self.root, "script-" + name)
        stdout, stderr, code = self.run([*argv, "--keep-script", kept])
        if code != 0:
            raise Failure(f"'{shlex.join(argv)}' exited {code}: {stderr.strip()}")
        drawn = os.path.join(self.work, name)
        width, height = png_size(drawn)
        digest = hashlib.sha256()
        for data in sorted(glob.glob(os.path.join(kept, "*.dat"))):
            digest.update(os.path.basename(data).encode() + b"\0")
            with open(data, "rb") as f:
                digest.update(f.read())
        self.pictures.append(name)
        if not self.check:
            os.makedirs(IMAGES, exist_ok=True)
            reduce_png(drawn, os.path.join(IMAGES, name))
        return stdout, f"<!-- picture docs/images/{name}: {width}x{height}, plot data sha256 {digest.hexdigest()[:16]} -->\n"

    def region(self, options, command, before):
        argv = shlex.split(command)
        opts = parse_options(options)
        if argv == ["python3"]:
            block = PYTHON_BLOCK.search(before[-4000:])
            if not block:
                raise Failure("a 'guide-run: python3' marker must follow a ```python block")
            stdout, stderr, code = self.run(argv, stdin=block.group("code"))
            shown, note = stdout, ""
            prompt = []
        elif argv[0] == "mptcpanalyzer" and len(argv) > 1 and argv[1] == "plot" and "-o" in argv:
            stdout, note = self.picture(argv)
            stderr, code, shown, prompt = "", 0, stdout, [f"$ {command}"]
        else:
            stdout, stderr, code = self.run(argv)
            shown, note = stdout, ""
            prompt = [f"$ {command}"]
        if code != 0:
            raise Failure(f"'{command}' exited {code}: {stderr.strip()}")
        # Nothing of the machine may reach the guide: the work folder's path reads as '.'.
        shown = shown.replace(self.work + "/", "").replace(self.work, ".")
        lines = trim(shown.splitlines(), opts.get("head"), opts.get("tail"))
        fence = "```text" if argv == ["python3"] else "```console"
        return "\n".join([fence, *prompt, *lines, "```"]) + "\n" + note

    def cleanup(self):
        if self.plugin_home is not None:
            self.plugin_home.cleanup()
        shutil.rmtree(self.root, ignore_errors=True)


def reduce_png(source, destination):
    """A palette PNG without metadata (time stamps, software versions): small, and the same bytes
    for the same drawing."""
    tmp = destination + ".tmp.png"
    subprocess.run(["convert", source, "-strip", "-define", "png:exclude-chunks=date,time", "PNG8:" + tmp],
                   check=True)
    os.replace(tmp, destination)


def fill(text, runner):
    out, last = [], 0
    for match in MARKER.finditer(text):
        out.append(text[last:match.start()])
        out.append(text[match.start():match.start("body")])
        out.append(runner.region(match.group("options"), match.group("command"), text[:match.start()]))
        out.append("<!-- guide-end -->\n")
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def shown_pictures(text):
    return re.findall(r"!\[[^\]]*\]\((?:docs/)?(images/[^)\s]+\.png)\)", text)


def check_pictures(problems, guide, pictures):
    with open(guide, encoding="utf-8") as f:
        shown = shown_pictures(f.read())
    for name in pictures:
        if f"images/{name}" not in shown:
            problems.append(f"{os.path.relpath(guide, SOURCE)} draws docs/images/{name} but does not show it")
    for doc in (guide, README):
        with open(doc, encoding="utf-8") as f:
            text = f.read()
        for rel in shown_pictures(text):
            path = os.path.join(SOURCE, "docs", rel)
            if not os.path.exists(path):
                problems.append(f"{os.path.relpath(doc, SOURCE)} shows {rel}, which does not exist")
            elif os.path.getsize(path) > MAX_PICTURE_BYTES:
                problems.append(f"docs/{rel} is {os.path.getsize(path)} bytes (at most {MAX_PICTURE_BYTES})")
            else:
                png_size(path)


# --- Wireshark screenshots (write mode) ---------------------------------------------------------

def screenshots(runner, capture):
    """docs/images/wireshark-statistics-menu.png (the Statistics menu with the plugin's items) and
    docs/images/wireshark-mptcp-reinjections.png (its MPTCP Reinjections dialog on `capture`)."""
    harness = runner.harness()
    import wireshark_display  # next to the harness (tests/integration), on sys.path once it is imported
    missing = wireshark_display.missing_tools()
    if missing:
        raise Failure(f"the screenshots need {', '.join(missing)} ({wireshark_display.PACKAGES}), or --no-screenshot")
    home = runner.plugin_env()
    path = home.local_copy(os.path.join(DATA, capture))
    display = wireshark_display.WiresharkDisplay(home, path, 1800, harness.NOBODY if harness.UNPRIVILEGED else None)
    x = display.x
    geometry = display.geometry
    stop = display.stop

    def start(extra):
        return display.start_wireshark(extra)

    def wait_window(name, timeout=90):
        window = display.wait_window(name, timeout)
        if window is None:
            raise Failure(f"no window '{name}' appeared")
        return window

    def drawn_height():
        """Height of the screen's part that is not the black root window."""
        return display.drawn_height(display.screenshot(os.path.join(runner.root, "screen.png")))

    def grab(name, crop):
        shot = os.path.join(runner.root, name)
        display.screenshot(shot, crop)
        reduce_png(shot, os.path.join(IMAGES, name))

    os.makedirs(IMAGES, exist_ok=True)
    try:
        # The Statistics menu, opened with the keyboard once the capture is read.
        proc = start([])
        try:
            main = wait_window("^" + re.escape(capture) + "$")
            time.sleep(4)
            x("xdotool", "windowmove", main, "0", "0")
            x("xdotool", "windowsize", main, "1100", "760")
            time.sleep(2)
            closed = drawn_height()
            for _ in range(3):  # keyboard focus may need a click first (as in the GUI test)
                x("xdotool", "mousemove", "500", "400", "click", "1")
                time.sleep(0.5)
                x("xdotool", "key", "alt+s")
                time.sleep(2)
                if drawn_height() > closed:  # the open menu reaches below the main window
                    break
                x("xdotool", "key", "Escape")
            else:
                raise Failure("the Statistics menu did not open")
            grab("wireshark-statistics-menu.png", "720x340+0+0")
        finally:
            stop(proc)
        # The MPTCP Reinjections dialog, wide enough for every column.
        proc = start(["-z", "mptcp,reinjections"])
        try:
            dialog = wait_window("MPTCP Reinjections")
            time.sleep(3)
            x("xdotool", "windowmove", dialog, "0", "0")
            x("xdotool", "windowsize", dialog, "1760", "330")
            x("xdotool", "windowraise", dialog)
            x("xdotool", "mousemove", "1799", "999")
            time.sleep(2)
            dx, dy, dw, dh = geometry(dialog)
            grab("wireshark-mptcp-reinjections.png", f"{dw}x{dh}+{dx}+{dy}")
        finally:
            stop(proc)
    finally:
        display.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--program", help="the mptcpanalyzer program (default: build/release, else build/debug)")
    parser.add_argument("--plugin", help="the Wireshark plugin mptcpanalyzer.so (default: next to the program's build)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the guide is out of date")
    parser.add_argument("--no-screenshot", action="store_true", help="do not retake the Wireshark screenshots")
    parser.add_argument("--guide", default=GUIDE, help="the guide to fill or check (default: docs/guide.md)")
    parser.add_argument("--screenshot-capture", default="pathfail.client.pcapng", help=argparse.SUPPRESS)
    args = parser.parse_args()
    program = args.program
    if not program:
        candidates = [os.path.join(SOURCE, "build", b, "analyzer", "mptcpanalyzer") for b in ("release", "debug")]
        program = next((c for c in candidates if os.path.exists(c)), candidates[0])
    if not os.path.exists(program):
        sys.exit(f"make_guide: no program at {program} (build it, or give --program)")
    plugin = args.plugin or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(program))),
                                         "epan-plugin", "mptcpanalyzer.so")
    runner = Runner(program, plugin, args.check)
    problems = []
    try:
        with open(args.guide, encoding="utf-8") as f:
            text = f.read()
        try:
            new = fill(text, runner)
        except Failure as e:
            sys.exit(f"make_guide: {e}")
        if args.check:
            if new != text:
                sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True),
                                                           args.guide, "what the commands print now"))
                problems.append(f"{args.guide} differs from what its commands print now "
                                "(python3 tools/docs/make_guide.py rewrites it)")
        else:
            with open(args.guide, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"make_guide: wrote {args.guide} and {len(runner.pictures)} pictures")
            if not args.no_screenshot:
                try:
                    screenshots(runner, args.screenshot_capture)
                except Failure as e:
                    sys.exit(f"make_guide: {e}")
                print("make_guide: took the Wireshark screenshots")
        check_pictures(problems, args.guide, runner.pictures)
    finally:
        runner.cleanup()
    for p in problems:
        print(f"make_guide: {p}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
