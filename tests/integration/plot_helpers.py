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
