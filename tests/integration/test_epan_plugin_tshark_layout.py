"""tshark's `-z mptcp,...` tables are laid out as tables: every row's column separators sit where
the header's do, numbers are right-aligned to their column's right edge, words left-aligned.

tshark prints a stat_tap_table column as wide as its title and lets a longer cell push the rest
of its row to the right (ui/cli/tap-simple_stattable.c); the plugin pads each title to its
column's widest cell before tshark prints, and marks every number column right-aligned, 64-bit
counters (text cells) included (epan-plugin/README.md, "Layout").

For every capture of tests/data (and ../shared/captures when present), in one pass and with `-2`,
the three tables are read from tshark's text:
- the " |" separators of every row are at the same offsets as the header's;
- a column is numeric when each of its non-empty cells is a number by rule (a decimal, possibly
  signed, with decimals or a % sign, or an 8/16-digit hexadecimal key or token) or a
  comma-separated list of decimals (frames, tcp.streams): each of those cells, and the column's
  title, ends at the column's right edge (no space before " |");
- every other non-empty cell and title starts at the column's left edge.
The test is registered only where the plugin is built (tests/CMakeLists.txt)."""

import os
import re
import sys

from common import DATA_DIR, Checker, shared_captures
from epan_plugin_harness import PLUGIN, TITLES, VIEWS, PluginHome, crash_marks

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE

NUMBER = re.compile(r"^(-?[0-9]+(\.[0-9]+)?%?|[0-9a-f]{8}|[0-9a-f]{16}|[0-9]+(,[0-9]+)*)$")
SEPARATOR = re.compile(r" \|")

checker = Checker("epan plugin tshark layout")
env = PluginHome()


def raw_tables(stdout):
    """{title: (header line, [row lines])} of tshark's stat_tap_table text: "X:" title,
    "Filter for statistics: F", the header, the table's own title, rows, then "=====..."."""
    lines = stdout.splitlines()
    tables = {}
    for i, line in enumerate(lines):
        if line[:-1] in TITLES.values() and line.endswith(":") and i + 3 < len(lines) \
                and lines[i + 1].startswith("Filter for statistics:"):
            rows = []
            for row in lines[i + 4:]:
                if row.startswith("====="):
                    break
                rows.append(row)
            tables[line[:-1]] = (lines[i + 2], rows)
    return tables


def slots(line):
    """The separator offsets of a line and the text of each column (between separators)."""
    offsets = [m.start() for m in SEPARATOR.finditer(line)]
    texts, start = [], 0
    for offset in offsets:
        texts.append(line[start:offset])
        start = offset + 2
    return offsets, texts


def check_table(what, header, rows):
    """Returns the number of numeric cells checked."""
    header_offsets, titles = slots(header)
    if not checker.check(bool(header_offsets), f"{what}: no column in header {header!r}"):
        return 0
    cells = []
    for row in rows:
        offsets, texts = slots(row)
        if not checker.check(offsets == header_offsets,
                             f"{what}: row separators at {offsets}, header's at {header_offsets}:\n"
                             f"{header}\n{row}"):
            return 0
        cells.append(texts)
    numeric_cells = 0
    for column, title in enumerate(titles):
        values = [r[column] for r in cells if r[column].strip()]
        numeric = bool(values) and all(NUMBER.match(v.strip()) for v in values)
        name = title.strip()
        for text in [title, *values]:
            if numeric:
                checker.check(text == text.rstrip(), f"{what}: column {name!r} holds numbers but {text!r} "
                                                     "does not end at its right edge")
            else:
                checker.check(text == text.lstrip(), f"{what}: column {name!r} holds words but {text!r} "
                                                     "does not start at its left edge")
        if numeric:
            numeric_cells += len(values)
    return numeric_cells


captures = sorted(os.path.join(DATA_DIR, f) for f in os.listdir(DATA_DIR) if f.endswith(".pcapng"))
captures += shared_captures()
checker.check(bool(captures), "tests/data holds no capture")
numeric_checked = {title: 0 for title in TITLES.values()}
for capture in captures:
    name = os.path.basename(capture)
    local = env.local_copy(capture, "layout-" + name)
    for passes in ([], ["-2"]):
        args = ["-n", "-r", local, "-q", *passes]
        for view in VIEWS:
            args += ["-z", view]
        proc = env.tshark(args)
        what = f"{name} {' '.join(passes) or 'one pass'}"
        checker.check(not crash_marks(proc), f"{what}: crash/error marks {crash_marks(proc)}: {proc.stderr[-400:]}")
        if not checker.check(proc.returncode == 0, f"{what}: tshark exited {proc.returncode}: {proc.stderr[-400:]}"):
            continue
        tables = raw_tables(proc.stdout)
        for title in TITLES.values():
            if checker.check(title in tables, f"{what}: no {title} table in tshark's output"):
                header, rows = tables[title]
                numeric_checked[title] += check_table(f"{what} {title}", header, rows)
    os.remove(local)
# Not vacuous: the corpus has connections, subflows and reinjections, so every table had numbers.
for title, count in numeric_checked.items():
    checker.check(count > 0, f"{title}: no numeric cell was checked on any capture")
env.cleanup()
checker.finish()
