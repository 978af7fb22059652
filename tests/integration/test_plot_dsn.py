"""`plot dsn` renders with the real gnuplot: valid PNG/SVG images of the requested size, one
data series per subflow and direction whose DSN ranges match mptcp-summary, and a hostile title
that appears literally and runs nothing."""

import json
import os
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, run_program
from plot_helpers import png_size


def main():
    checker = Checker("plot dsn")
    capture = os.path.join(DATA_DIR, "reinject.client.pcapng")
    summary = json.loads(run_program("mptcp-summary", "--json", "-r", capture, "0").stdout)
    with tempfile.TemporaryDirectory() as tmp:
        png = os.path.join(tmp, "dsn.png")
        run_program("plot", "dsn", "-r", capture, "0", "-o", png, "--size", "800x500")
        checker.check(png_size(png) == (800, 500), f"a valid 800x500 PNG: {png_size(png)}")

        svg = os.path.join(tmp, "dsn.svg")
        keep = os.path.join(tmp, "keep")
        run_program("plot", "dsn", "-r", capture, "0", "-o", svg, "--keep-script", keep)
        with open(svg, encoding="utf-8") as f:
            text = f.read()
        checker.check(text.lstrip().startswith("<?xml") and "<svg" in text and 'width="1024"' in text,
                      "a valid SVG of the default size")
        checker.check(os.path.exists(os.path.join(keep, "plot.gp")), "--keep-script keeps the script")
        # Re-running the kept script reproduces the image: users can restyle it.
        subprocess.run(["gnuplot", "plot.gp"], cwd=keep, check=True, capture_output=True)
        checker.check(os.path.getsize(os.path.join(keep, "plot.out")) > 0, "the kept script runs by itself")

        # One series file per subflow and direction, plus one per direction for reinjections.
        subflows = len(summary["subflows"])
        series = sorted(f for f in os.listdir(keep) if f.startswith("series"))
        checker.check(len(series) == 2 * (subflows + 1), f"{len(series)} series files for {subflows} subflows")
        for d, direction in enumerate(summary["directions"]):
            top = 0
            for i in range(subflows):
                with open(os.path.join(keep, f"series{d * (subflows + 1) + i}.dat")) as f:
                    values = [int(line.split()[1]) for line in f if line.strip() and not line.startswith("#")]
                if values:
                    top = max(top, max(values))
            # Plotted points are segment starts: the highest lies within one segment of the end.
            app = direction["application_bytes"]
            checker.check(app == 0 or 0 < app - top <= 65536,
                          f"{direction['direction']}: highest plotted DSN {top} just below the {app} application bytes")

        # A hostile title: shown literally, executes nothing.
        marker = os.path.join(tmp, "pwned")
        title = f"it's \"quoted\" \\ `touch {marker}1` system(\"touch {marker}2\") @x\nnew line ; ! touch {marker}3"
        hostile = os.path.join(tmp, "hostile.svg")
        run_program("plot", "dsn", "-r", capture, "0", "-o", hostile, "--title", title)
        with open(hostile, encoding="utf-8") as f:
            svgtext = f.read()
        checker.check(not any(os.path.exists(marker + n) for n in "123"), "the hostile title ran nothing")
        for piece in ["`touch", "@x", "new line ; ! touch", "it's"]:
            checker.check(piece in svgtext, f"the title text {piece!r} appears literally in the SVG")
        checker.check('system("touch' in svgtext or "system(&quot;touch" in svgtext,
                      "the title's system(...) call appears literally in the SVG")

        # Errors: unknown extension, missing gnuplot (with the script kept).
        bad = run_program("plot", "dsn", "-r", capture, "0", "-o", os.path.join(tmp, "x.bmp"), check=False)
        checker.check(bad.returncode == 2 and "unknown image type" in bad.stderr, f"unknown image type: {bad.stderr}")
        keep2 = os.path.join(tmp, "keep2")
        proc = subprocess.run([PROGRAM, "plot", "dsn", "-r", capture, "0", "-o", os.path.join(tmp, "y.png"),
                               "--keep-script", keep2], capture_output=True, text=True,
                              env={**os.environ, "PATH": "/nonexistent"})
        checker.check(proc.returncode == 7 and "gnuplot-nox" in proc.stderr and os.path.exists(os.path.join(keep2, "plot.gp")),
                      f"missing gnuplot: exit 7, names the package, script kept: {proc.returncode} {proc.stderr}")
        checker.check(not os.path.exists(os.path.join(tmp, "y.png")), "no image file left when gnuplot is missing")
    checker.finish()


if __name__ == "__main__":
    main()
