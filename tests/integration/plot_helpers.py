"""Helpers of the plot tests: image headers (PNG IHDR, SVG width/height, PDF magic) and reading
what `--keep-script` kept: each series' legend (from plot.gp), its `#` column line and rows."""

import os
import re
import struct

from common import run_program


def png_size(path):
    """(width, height) of a PNG file, or None when it is not a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", head[16:24])


def svg_size(path):
    """(width, height) of an SVG file's root element, or None when it is not an SVG."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"<svg\b[^>]*>", text)
    if not text.lstrip().startswith("<?xml") or not m:
        return None
    w = re.search(r'\bwidth="(\d+)', m.group(0))
    h = re.search(r'\bheight="(\d+)', m.group(0))
    if not w or not h or "</svg>" not in text:
        return None
    return int(w.group(1)), int(h.group(1))


def is_pdf(path):
    with open(path, "rb") as f:
        data = f.read()
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


class Series:
    def __init__(self, file, title, columns, rows):
        self.file = file
        self.title = title
        self.columns = columns
        self.rows = rows

    def column(self, i):
        return [r[i] for r in self.rows]

    def __repr__(self):
        return f"Series({self.file}, {self.title!r}, {len(self.rows)} rows)"


_PLOT_PART = re.compile(r"'(series\d+\.dat)' using \S+ with .*? title '((?:[^']|'')*)'")


def kept_series(folder):
    """Every series file of a kept script, in file order, with its legend when it is plotted
    (None when empty, hence not in the plot command)."""
    with open(os.path.join(folder, "plot.gp"), encoding="utf-8") as f:
        script = f.read()
    titles = {m.group(1): m.group(2).replace("''", "'") for m in _PLOT_PART.finditer(script)}
    files = sorted((f for f in os.listdir(folder) if re.fullmatch(r"series\d+\.dat", f)),
                   key=lambda f: int(f[6:-4]))
    out = []
    for name in files:
        columns = ""
        rows = []
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    columns = line[1:].strip()
                elif line.strip():
                    rows.append([float(x) for x in line.split()])
        out.append(Series(name, titles.get(name), columns, rows))
    return out


def plot(tmp, name, kind, capture, stream, *options, ext="png"):
    """Runs `plot KIND` keeping its script in tmp/name/; returns (image path, series)."""
    keep = os.path.join(tmp, name)
    image = os.path.join(tmp, f"{name}.{ext}")
    run_program("plot", kind, "-r", capture, str(stream), *options, "-o", image, "--keep-script", keep)
    return image, kept_series(keep)


def window_step(columns):
    """(window_s, step_s) written in a rate series' column line."""
    w = re.search(r"window_s ([0-9.]+)", columns)
    s = re.search(r"step_s ([0-9.]+)", columns)
    window = float(w.group(1))
    return window, float(s.group(1)) if s else window


def kept_script(folder):
    with open(os.path.join(folder, "plot.gp"), encoding="utf-8") as f:
        return f.read()


# One drawing of the plot command: its file, `using`, `with` style, and legend (None: notitle).
_PART = re.compile(r"'(series\d+\.dat)' using (\S+) with (.*?) (?:notitle|title '((?:[^']|'')*)')(?:, \\)?$")


def plot_parts(script):
    """(file, using, style, title or None) of every drawing of the script's plot command."""
    out = []
    for line in script.splitlines():
        m = _PART.search(line)
        if m:
            out.append((m.group(1), m.group(2), m.group(3), m.group(4).replace("''", "'") if m.group(4) is not None else None))
    return out


def script_title(script):
    """The plot title as the script sets it (its pieces joined by newlines)."""
    m = re.search(r"^set title (.*) noenhanced$", script, re.M)
    pieces = re.findall(r"'((?:[^']|'')*)'", m.group(1))
    return "\n".join(p.replace("''", "'") for p in pieces)


def glyph_of(style):
    """The character a text-terminal drawing uses for its points (`pointtype 'X'`), or None."""
    m = re.search(r"pointtype '(.)'", style)
    return m.group(1) if m else None


def text_frame(text):
    """The frame of a picture drawn by gnuplot's dumb terminal: (lines, top, bottom, left, right),
    the rows of the top and bottom border and the columns of the left and right border."""
    lines = text.splitlines()
    borders = [i for i, line in enumerate(lines) if re.search(r"\+-{10,}\+", line)]
    if len(borders) < 2:
        raise AssertionError(f"no plot frame in the text picture:\n{text}")
    top, bottom = borders[0], borders[-1]
    left = lines[top].index("+-")
    right = lines[top].rindex("-+") + 1
    return lines, top, bottom, left, right


def y_tick_labels(text):
    """The y axis tick labels of a dumb-terminal picture, top to bottom."""
    lines, top, bottom, left, _ = text_frame(text)
    return [line[:left].strip() for line in lines[top:bottom + 1] if line[:left].strip()]


def plot_area(text):
    """What is drawn inside the frame of a dumb-terminal picture (borders excluded)."""
    lines, top, bottom, left, right = text_frame(text)
    return "\n".join(line[left + 1:right] for line in lines[top + 1:bottom])


_SI = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}


def si_value(label):
    """The value of a tick label written with an SI prefix ("2.5 M", "500 k", "0.0"), or None
    when the label is not of that form."""
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?: ([kMGT]))?", label)
    return float(m.group(1)) * _SI[m.group(2) or ""] if m else None


def rate_files(series, subflows, directions=("to_server", "to_client")):
    """The files of an MPTCP throughput/goodput plot by (direction, "all" or tcp.stream), in the
    documented order: per direction the aggregate, then each subflow. Series not drawn (zero
    throughout) have no legend, so their place in the order is what says which they are."""
    keys = [(d, k) for d in directions for k in ["all"] + list(subflows)]
    if len(keys) != len(series):
        raise AssertionError(f"{len(series)} rate files for {keys}")
    return dict(zip(keys, series))
