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
3. No column is cut at the dialog's opening size (Wireshark's: two thirds of the main window, far
   narrower than the tables): the table is scrolled all the way right (its scroll bar's slider
   dragged), and that view of the header and first rows must be found, pixel for pixel, in the
   same dialog widened until every column fits (a 4000 px wide screen), and must hold the widened
   table's rightmost text. Wireshark sizes every column to its contents but the last, which Qt
   leaves at its default width (about 100 px) when the table is wider than the dialog; without the
   plugin's empty filler column the reinjections' "Reinjected again in" was cut there and this
   check failed. Widening the dialog re-sizes no column but the last, so a cut column would show
   more in the widened dialog than at the opening size. Column geometry constants below are those
   of Wireshark 4.0's tap parameter dialog.

Screenshots go to MPTCP_GUI_SCREENSHOTS (default: a new folder under /tmp, printed), never into
the repository."""

import os
import subprocess
import sys
import tempfile
import time

from common import DATA_DIR, Checker
from wireshark_display import PACKAGES, WiresharkDisplay, missing_tools
from epan_plugin_harness import NOBODY, PLUGIN, TITLES, UNPRIVILEGED, PluginHome, parse_tables

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE
missing = missing_tools()
if missing:
    print(f"SKIP: GUI smoke test needs {', '.join(missing)} ({PACKAGES}); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE

checker = Checker("epan plugin GUI")
SHOTS = os.environ.get("MPTCP_GUI_SCREENSHOTS") or tempfile.mkdtemp(prefix="mptcp-gui-shots-")
os.makedirs(SHOTS, exist_ok=True)
print(f"screenshots in {SHOTS}")
env = PluginHome()
CAPTURE = env.local_copy(os.path.join(DATA_DIR, "reinject.client.pcapng"))
OUT = os.path.join(env.work, "saved")
os.makedirs(OUT)
os.chmod(OUT, 0o700)
if UNPRIVILEGED:
    os.chown(OUT, NOBODY, NOBODY)

# Wide enough for a dialog showing every column of the widest table at once (check 3).
SCREEN_WIDTH = 4000
display = WiresharkDisplay(env, CAPTURE, SCREEN_WIDTH, NOBODY if UNPRIVILEGED else None)
x = display.x
wait_window = display.wait_window
geometry = display.geometry
drawn_height = display.drawn_height
start_wireshark = display.start_wireshark
stop = display.stop


def screenshot(name):
    return display.screenshot(os.path.join(SHOTS, name))


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


# Where the statistics dialog's table sits in its window (Wireshark 4.0's tap parameter dialog:
# the tree on top, its horizontal scroll bar just above the display filter row).
TREE_MARGIN = 12               # the tree's frame from the window's left and right edges
TREE_TOP = 14                  # the tree's header from the window's top
TREE_HSCROLL_FROM_BOTTOM = 82  # the tree's horizontal scroll bar from the window's bottom
STRIP_HEIGHT = 120             # the header and the first rows
RIGHT_EDGE = 20                # the tree's right end: the last header section's edge, a vertical scroll bar


def pixel_rows(path, left, top, width, height):
    """The pixels of a screenshot's area, one bytes object (RGB) per row, or None."""
    proc = subprocess.run(["convert", path, "-crop", f"{width}x{height}+{left}+{top}", "+repage",
                           "-depth", "8", "rgb:-"], capture_output=True, env=display.env)
    if proc.returncode != 0 or len(proc.stdout) != 3 * width * height:
        return None
    return [proc.stdout[3 * width * r:3 * width * (r + 1)] for r in range(height)]


def check_columns_whole(title, dialog, stem):
    """3. No column of the table is cut at the dialog's opening size: scrolled all the way right,
    the table (header and first rows) is drawn exactly as in the same dialog widened until
    everything fits, and it shows the table's rightmost text (the last column's title or cell)."""
    ax, ay, aw, ah = geometry(dialog)
    # Drag the horizontal scroll bar's slider (at its left end: nothing scrolled yet) to the right.
    bar_y = ay + ah - TREE_HSCROLL_FROM_BOTTOM
    x("xdotool", "mousemove", str(ax + 40), str(bar_y), "mousedown", "1")
    x("xdotool", "mousemove", str(ax + aw // 2), str(bar_y))
    x("xdotool", "mousemove", str(ax + aw + 2000), str(bar_y), "mouseup", "1")
    x("xdotool", "mousemove", "0", "999")
    time.sleep(1)
    opened = screenshot(f"dialog_{stem}_scrolled_right.png")
    # The strip compared: the table's header and first rows, inside the tree's frame, without its
    # right end (where the last header section ends at opening size, and a vertical scroll bar).
    width = aw - 2 * TREE_MARGIN - RIGHT_EDGE
    strip = pixel_rows(opened, ax + TREE_MARGIN, ay + TREE_TOP, width, STRIP_HEIGHT)
    x("xdotool", "windowmove", dialog, "0", "0")
    x("xdotool", "windowsize", dialog, str(SCREEN_WIDTH - 40), str(ah))
    time.sleep(2)
    wx, wy, ww, _ = geometry(dialog)
    widened = screenshot(f"dialog_{stem}_widened.png")
    wide = pixel_rows(widened, wx + TREE_MARGIN, wy + TREE_TOP, ww - 2 * TREE_MARGIN, STRIP_HEIGHT)
    if not checker.check(strip is not None and wide is not None, f"{title}: cannot read the screenshots"):
        return
    # The rightmost text of the widened table (dark pixels: title and cell text).
    text_end = max((i // 3 for row in wide for i in range(0, len(row), 3)
                    if row[i] + row[i + 1] + row[i + 2] < 3 * 110), default=-1)
    found = [offset for offset in range(0, len(wide[0]) // 3 - width + 1)
             if all(w[3 * offset:3 * (offset + width)] == r for w, r in zip(wide, strip))]
    checker.check(bool(found), f"{title}: scrolled right at its opening size ({aw} px), the table is not drawn as "
                               f"in the widened dialog: a column is cut (see {SHOTS}/dialog_{stem}_*.png)")
    checker.check(any(offset <= text_end < offset + width for offset in found),
                  f"{title}: scrolled right at its opening size, the table's last text (x={text_end} in the "
                  f"widened dialog) is not in view (matches at {found[:3]}; see {SHOTS})")


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
            check_columns_whole(title, dialog, stem)
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
    display.close()
    env.cleanup()
checker.finish()
