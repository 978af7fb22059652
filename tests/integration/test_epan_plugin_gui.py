"""GUI smoke test: Wireshark (Qt) with the plugin shows the MPTCP tables.

Skipped, with a message, when `wireshark`, `Xvfb`, `xdotool` or ImageMagick are not installed
(tools/dev/install-deps.sh installs them, and CI fails on a skipped test). Otherwise, under a
private Xvfb display, Wireshark runs as an unprivileged user with the plugin installed in a
temporary HOME (epan_plugin_harness.py); a sanitizer build of the plugin (the debug preset, what
CI runs) is loaded as in tshark, with the sanitizer runtimes preloaded and no extcap helper, so an
AddressSanitizer/UBSan error in the plugin aborts Wireshark and fails the checks below:

1. It opens a corpus capture and its Statistics menu is opened; the menu is screenshotted with
   and without the plugin, and must be taller with it by three items (the three MPTCP entries).
2. For each of the three views, Wireshark opens the capture with `-z <view>` (what the menu item
   opens: the statistics dialog, filled by a retap); the dialog window must appear with the view's
   title, is screenshotted, and its table is saved with the dialog's "Save as..." button: the
   saved rows must be those `tshark -z <view>` prints for the same capture.

Screenshots go to MPTCP_GUI_SCREENSHOTS (default: a new folder under /tmp, printed), never into
the repository."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from common import DATA_DIR, Checker
from epan_plugin_harness import NOBODY, PLUGIN, TITLES, UNPRIVILEGED, PluginHome, parse_tables

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE
missing = [p for p in ("wireshark", "Xvfb", "xdotool", "import", "convert") if not shutil.which(p)]
if missing:
    print(f"SKIP: GUI smoke test needs {', '.join(missing)} (apt-get install wireshark-qt xvfb xdotool "
          "imagemagick); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE

checker = Checker("epan plugin GUI")
SHOTS = os.environ.get("MPTCP_GUI_SCREENSHOTS") or tempfile.mkdtemp(prefix="mptcp-gui-shots-")
os.makedirs(SHOTS, exist_ok=True)
print(f"screenshots in {SHOTS}")
env = PluginHome()
CAPTURE = env.local_copy(os.path.join(DATA_DIR, "reinject.client.pcapng"))
RUNTIME = os.path.join(env.work, "xdg-runtime")
OUT = os.path.join(env.work, "saved")
for d in (RUNTIME, OUT):
    os.makedirs(d)
    os.chmod(d, 0o700)
    if UNPRIVILEGED:
        os.chown(d, NOBODY, NOBODY)

# A private X display: Xvfb picks a free number and writes it to the pipe.
read_fd, write_fd = os.pipe()
xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1600x1000x24", "-ac", "-nolisten", "tcp"],
                        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
os.close(write_fd)
with os.fdopen(read_fd) as f:
    DISPLAY = ":" + f.readline().strip()
X_ENV = dict(os.environ, DISPLAY=DISPLAY)


def x(*args, check=False):
    return subprocess.run(list(args), capture_output=True, text=True, env=X_ENV, check=check)


def screenshot(name):
    path = os.path.join(SHOTS, name)
    x("import", "-window", "root", path)
    return path


def windows(name):
    out = x("xdotool", "search", "--name", name).stdout.split()
    return [w for w in out if w]


def wait_window(name, timeout=90):
    end = time.time() + timeout
    while time.time() < end:
        found = windows(name)
        if found:
            return found[0]
        time.sleep(0.5)
    return None


def start_wireshark(extra_args=(), with_plugin=True):
    cmd, environment = env.command(["wireshark", "-r", CAPTURE, *extra_args], with_plugin,
                                   {"DISPLAY": DISPLAY, "XDG_RUNTIME_DIR": RUNTIME, "QT_QPA_PLATFORM": "xcb"})
    return subprocess.Popen(cmd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def geometry(window):
    """(x, y, width, height) of a window."""
    values = dict(line.split("=", 1) for line in x("xdotool", "getwindowgeometry", "--shell", window).stdout.split())
    return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])


def drawn_height(path):
    """Height of the part of the screenshot that is not the black root window."""
    out = x("convert", path, "-trim", "-format", "%h", "info:").stdout.strip()
    return int(out) if out.isdigit() else 0


def statistics_menu_height(with_plugin):
    proc = start_wireshark(with_plugin=with_plugin)
    try:
        main = wait_window("^" + os.path.basename(CAPTURE).replace(".", "\\.") + "$")
        if not checker.check(main is not None, f"Wireshark main window did not appear (plugin: {with_plugin})"):
            return 0
        time.sleep(3)  # let it finish reading the capture
        closed = drawn_height(screenshot(f"main_{'plugin' if with_plugin else 'bare'}.png"))
        mx, my, _, _ = geometry(main)
        height = 0
        for _ in range(3):  # keyboard focus may need a click first
            x("xdotool", "mousemove", str(mx + 200), str(my + 300), "click", "1")
            time.sleep(0.5)
            x("xdotool", "key", "alt+s")
            time.sleep(2)
            height = drawn_height(screenshot(f"statistics_menu_{'plugin' if with_plugin else 'bare'}.png"))
            if height > closed:
                break
            x("xdotool", "key", "Escape")
        return height if height > closed else 0
    finally:
        stop(proc)


try:
    # 1. The Statistics menu has three more items with the plugin.
    with_plugin = statistics_menu_height(True)
    without = statistics_menu_height(False)
    grown = with_plugin - without
    checker.check(with_plugin > 0 and without > 0, "the Statistics menu did not open")
    checker.check(3 * 15 <= grown <= 3 * 45,
                  f"Statistics menu is {with_plugin} px tall with the plugin, {without} px without: "
                  f"not three items more (see {SHOTS})")

    # 2. Each dialog opens, is filled, and saves the rows tshark prints.
    for view, title in TITLES.items():
        tshark_rows = parse_tables(env.tshark(["-n", "-r", CAPTURE, "-q", "-z", view]).stdout).get(title, {}).get("rows")
        checker.check(bool(tshark_rows), f"tshark -z {view} printed no row for {CAPTURE}")
        proc = start_wireshark(["-z", view])
        try:
            dialog = wait_window(title)
            if not checker.check(dialog is not None, f"no '{title}' dialog window appeared"):
                continue
            time.sleep(3)
            x("xdotool", "windowraise", dialog)
            time.sleep(1)
            stem = view.replace(",", "_")
            screenshot(f"dialog_{stem}.png")
            dx, dy, dw, dh = geometry(dialog)
            # "Save as..." sits left of "Close" in the dialog's bottom-right corner.
            x("xdotool", "mousemove", str(dx + dw - 144), str(dy + dh - 24), "click", "1")
            if not checker.check(wait_window("Save Statistics As", 20) is not None, f"{title}: no save dialog"):
                continue
            time.sleep(1)
            saved = os.path.join(OUT, stem + ".txt")
            x("xdotool", "type", "--delay", "20", saved)
            x("xdotool", "key", "Return")
            end = time.time() + 20
            while not os.path.exists(saved) and time.time() < end:
                time.sleep(0.5)
            time.sleep(1)
            if not checker.check(os.path.exists(saved), f"{title}: 'Save as...' wrote no file"):
                continue
            with open(saved, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
            # Plain-text export: title, header, a dashed rule, the rows, a dashed rule.
            rules = [i for i, line in enumerate(lines) if line.startswith("-----")]
            gui_rows = [line.split() for line in lines[rules[0] + 1:rules[1]]] if len(rules) >= 2 else []
            want = [[c for c in row.values() if c != ""] for row in (tshark_rows or [])]
            checker.check(gui_rows == want and bool(want),
                          f"{title}: the dialog saved {gui_rows[:3]}..., tshark prints {want[:3]}...")
        finally:
            stop(proc)
finally:
    xvfb.terminate()
    xvfb.wait()
    env.cleanup()
checker.finish()
