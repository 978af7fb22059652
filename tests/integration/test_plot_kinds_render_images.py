"""Every plot kind renders with the real gnuplot on corpus captures (clean, lossy with
reinjections, path failure): a valid PNG and a valid SVG of the requested size, a PDF, text on
the terminal; every plotted series has a legend and points."""

import os
import re
import tempfile

from common import DATA_DIR, Checker, run_program
from plot_helpers import is_pdf, kept_series, png_size, svg_size

# (kind, stream argument, extra options); the stream is a tcp.stream where --tcp or tcp-attr.
KINDS = [
    ("dsn", "0", ["--data-acks"]),
    ("tcp-attr", "0", ["seq"]),
    ("tcp-attr", "1", ["window"]),
    ("mptcp-attr", "0", ["data_ack"]),
    ("mptcp-attr", "0", ["dss_length"]),
    ("dss", "0", []),
    ("throughput", "0", []),
    ("throughput", "1", ["--tcp", "--fixed-windows"]),
    ("goodput", "0", ["--window", "20ms"]),
    ("reinjections", "0", []),
    ("interarrival", "0", []),
    ("hol", "0", []),
    ("hol", "0", ["--cdf"]),
    ("buffer", "0", []),
]
CAPTURES = ["basic.client.pcapng", "reinject.client.pcapng", "pathfail.server.pcapng"]


def main():
    checker = Checker("plot kinds render images")
    with tempfile.TemporaryDirectory() as tmp:
        n = 0
        for capture_name in CAPTURES:
            capture = os.path.join(DATA_DIR, capture_name)
            for kind, stream, options in KINDS:
                n += 1
                what = f"{capture_name} plot {kind} {stream} {' '.join(options)}"
                png = os.path.join(tmp, f"{n}.png")
                keep = os.path.join(tmp, f"keep{n}")
                run_program("plot", kind, "-r", capture, stream, *options, "-o", png, "--size", "900x560",
                            "--keep-script", keep)
                checker.check(png_size(png) == (900, 560), f"{what}: a valid 900x560 PNG, got {png_size(png)}")
                series = kept_series(keep)
                plotted = [s for s in series if s.title is not None]
                checker.check(plotted and all(s.rows for s in plotted) and all(s.title for s in plotted),
                              f"{what}: every plotted series has a legend and points: {series}")
                checker.check(all(s.columns for s in series), f"{what}: every data file names its columns")
                svg = os.path.join(tmp, f"{n}.svg")
                run_program("plot", kind, "-r", capture, stream, *options, "-o", svg, "--size", "700x400")
                checker.check(svg_size(svg) == (700, 400), f"{what}: a valid 700x400 SVG, got {svg_size(svg)}")
        # The reinjection delay CDF exists where there are reinjections.
        capture = os.path.join(DATA_DIR, "reinject.client.pcapng")
        svg = os.path.join(tmp, "cdf.svg")
        run_program("plot", "reinjections", "-r", capture, "0", "--cdf", "-o", svg, "--size", "640x480")
        checker.check(svg_size(svg) == (640, 480), "reinjection delay CDF: a valid 640x480 SVG")

        pdf = os.path.join(tmp, "dss.pdf")
        run_program("plot", "dss", "-r", capture, "0", "-o", pdf)
        checker.check(is_pdf(pdf), "a PDF from the .pdf extension")
        forced = os.path.join(tmp, "forced.img")
        run_program("plot", "throughput", "-r", capture, "0", "-o", forced, "--terminal", "svg", "--size", "500x300")
        checker.check(svg_size(forced) == (500, 300), "--terminal svg overrides an unknown extension")

        text = run_program("plot", "goodput", "-r", capture, "0", "-o", "-", "--title", "goodput in text").stdout
        checker.check("goodput in text" in text and "(bit/s" in text and re.search(r"\d [kM] *[|+]", text),
                      f"-o - draws text with the title, the unit and SI-prefixed ticks: {text[:300]!r}")
        text = run_program("plot", "interarrival", "-r", capture, "0", "--terminal", "dumb", "--size", "800x400").stdout
        lines = text.splitlines()
        checker.check(len(lines) >= 15 and max(len(x) for x in lines) <= 80,
                      f"--terminal dumb: text sized from --size ({len(lines)} lines)")
    checker.finish()


if __name__ == "__main__":
    main()
