"""The options every plot kind shares, and its errors: --direction and --subflow select series,
--title is shown literally and runs nothing (quotes, backslashes, newlines, backquotes,
system(...)) in new kinds too, --display fails clearly (exit 7) without a display or a window
terminal, missing gnuplot is exit 7 naming gnuplot-nox with the script still kept, bad values
are exit 2, an unknown stream exit 2, nothing to plot exit 5, and no partial image is left."""

import json
import os
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, run_program
from plot_helpers import kept_series, plot, svg_size


def gnuplot_window_terminals():
    proc = subprocess.run(["gnuplot", "-e", "print GPVAL_TERMINALS"], capture_output=True, text=True)
    words = (proc.stdout + " " + proc.stderr).split()
    return [t for t in ("qt", "wxt", "x11") if t in words]


def main():
    checker = Checker("plot options and errors")
    capture = os.path.join(DATA_DIR, "reinject.client.pcapng")
    summary = json.loads(run_program("mptcp-summary", "--json", "-r", capture, "0").stdout)
    subflows = [sf["tcp_stream"] for sf in summary["subflows"]]
    with tempfile.TemporaryDirectory() as tmp:
        # --direction and --subflow
        _, series = plot(tmp, "dir", "throughput", capture, 0, "--direction", "to_client")
        titles = [s.title for s in series if s.title]
        checker.check(titles and all("(to client)" in t for t in titles) and len(series) == 1 + len(subflows),
                      f"--direction to_client: only to-client series: {titles}")
        _, series = plot(tmp, "sub", "dsn", capture, 0, "--subflow", str(subflows[1]), "--direction", "to_server")
        titles = [s.title for s in series if s.title and s.title.startswith("tcp.stream")]
        checker.check(titles == [t for t in titles if t.startswith(f"tcp.stream {subflows[1]} ")] and len(titles) == 1,
                      f"--subflow {subflows[1]}: only that subflow: {titles}")
        _, series = plot(tmp, "sub2", "interarrival", capture, 0, "--subflow", str(subflows[0]), "--subflow",
                         str(subflows[1]), "--direction", "to_server")
        checker.check(len([s for s in series if s.title and s.title.startswith("tcp.stream")]) == 2,
                      "--subflow repeated selects several subflows")
        bad = run_program("plot", "dsn", "-r", capture, "0", "--subflow", "77", check=False)
        checker.check(bad.returncode == 2 and "--subflow 77" in bad.stderr and str(subflows[1]) in bad.stderr,
                      f"--subflow not of the connection: exit 2 naming the valid ones: {bad.returncode} {bad.stderr}")
        bad = run_program("plot", "tcp-attr", "-r", capture, "0", "seq", "--subflow", "0", check=False)
        checker.check(bad.returncode == 2 and "--subflow" in bad.stderr, f"--subflow refused on a TCP kind: {bad.stderr}")

        # Hostile titles in kinds other than dsn: literal, nothing runs.
        marker = os.path.join(tmp, "pwned")
        title = (f"it's \"quoted\" \\ back\\\\slash `touch {marker}1` system(\"touch {marker}2\") @x\n"
                 f"second line ; ! touch {marker}3 ' ; system('touch {marker}4') '")
        for kind, extra in (("throughput", []), ("interarrival", []), ("tcp-attr", ["window"]),
                            ("reinjections", ["--cdf"])):
            svg = os.path.join(tmp, f"hostile-{kind}.svg")
            stream = "0"
            run_program("plot", kind, "-r", capture, stream, *extra, "-o", svg, "--title", title,
                        "--keep-script", os.path.join(tmp, f"hostile-{kind}"))
            with open(svg, encoding="utf-8") as f:
                text = f.read()
            checker.check(not any(os.path.exists(marker + n) for n in "1234"), f"{kind}: the hostile title ran nothing")
            for piece in ["`touch", "@x", "second line ; ! touch", "back\\\\slash", "\\ back"]:
                checker.check(piece in text, f"{kind}: the title text {piece!r} appears literally in the SVG")
            checker.check("it&#39;s" in text or "it's" in text, f"{kind}: the quote appears")
            checker.check('system(&quot;touch' in text or 'system("touch' in text, f"{kind}: system(...) appears literally")
        # A hostile --keep-script folder name (quotes, newline) is only ever a path, never script text.
        odd = os.path.join(tmp, "odd ' dir\n`touch x`")
        png = os.path.join(tmp, "odd'name $(touch y).png")
        run_program("plot", "dss", "-r", capture, "0", "-o", png, "--keep-script", odd)
        checker.check(os.path.exists(png) and os.path.exists(os.path.join(odd, "plot.gp")),
                      "file and folder names with quotes, newlines and `...` work")
        checker.check(not os.path.exists("x") and not os.path.exists("y") and
                      not os.path.exists(os.path.join(tmp, "x")), "and run nothing")

        # --display
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        proc = subprocess.run([PROGRAM, "plot", "dsn", "-r", capture, "0", "--display"], capture_output=True,
                              text=True, env=env)
        checker.check(proc.returncode == 7 and "DISPLAY" in proc.stderr and "-o FILE" in proc.stderr,
                      f"--display without a display: exit 7, says why: {proc.returncode} {proc.stderr}")
        if not gnuplot_window_terminals():
            keep = os.path.join(tmp, "display-keep")
            proc = subprocess.run([PROGRAM, "plot", "throughput", "-r", capture, "0", "--display", "--keep-script", keep],
                                  capture_output=True, text=True, env={**env, "DISPLAY": ":97"}, timeout=120)
            checker.check(proc.returncode == 7 and "gnuplot-qt" in proc.stderr and os.path.exists(os.path.join(keep, "plot.gp")),
                          f"--display with a gnuplot without window terminal: exit 7 naming gnuplot-qt: {proc.stderr}")
        else:
            print("note: this gnuplot has a window terminal; the gnuplot-qt message is not exercised here")
        bad = run_program("plot", "dsn", "-r", capture, "0", "--display", "-o", os.path.join(tmp, "d.png"), check=False,
                          env={"DISPLAY": ":97"})
        checker.check(bad.returncode == 2 and "--display" in bad.stderr, f"--display with -o: exit 2: {bad.stderr}")

        # Missing gnuplot, for a new kind: exit 7, package named, script and data kept, no image.
        keep = os.path.join(tmp, "nognuplot")
        out = os.path.join(tmp, "nognuplot.png")
        proc = subprocess.run([PROGRAM, "plot", "goodput", "-r", capture, "0", "-o", out, "--keep-script", keep],
                              capture_output=True, text=True, env={**os.environ, "PATH": "/nonexistent"})
        checker.check(proc.returncode == 7 and "gnuplot-nox" in proc.stderr and keep in proc.stderr,
                      f"missing gnuplot: exit 7 naming the package and the kept folder: {proc.returncode} {proc.stderr}")
        kept = kept_series(keep) if os.path.exists(os.path.join(keep, "plot.gp")) else []
        checker.check(kept and any(s.rows for s in kept), "missing gnuplot: the script and data are still written")
        checker.check(not os.path.exists(out), "missing gnuplot: no image file")

        # Bad values: exit 2, no output left behind.
        out = os.path.join(tmp, "bad.png")
        for args, needle in ((["throughput", "0", "--window", "10parsecs"], "--window"),
                             (["throughput", "0", "--window", "0ms"], "--window"),
                             (["throughput", "0", "--window", "1ns"], "too small"),
                             (["dsn", "0", "--size", "50x50"], "--size"),
                             (["dsn", "0", "--size", "800x600x2"], "--size"),
                             (["mptcp-attr", "0", "rtt"], "rtt"),
                             (["dsn", "9"], "mptcp.stream 9"),
                             (["tcp-attr", "99", "seq"], "tcp.stream 99"),
                             (["dsn", "0", "--direction", "up"], "--direction"),
                             (["reinjections", "0", "--cdf", "--bytes"], "--bytes")):
            proc = run_program("plot", args[0], "-r", capture, *args[1:], "-o", out, check=False)
            checker.check(proc.returncode == 2 and needle in proc.stderr, f"{args}: exit 2 mentioning {needle!r}: {proc.returncode} {proc.stderr}")
        proc = run_program("plot", "dsn", "-r", capture, "0", "-o", os.path.join(tmp, "x.bmp"), check=False)
        checker.check(proc.returncode == 2 and "unknown image type" in proc.stderr, "unknown extension: exit 2")
        checker.check(not os.path.exists(out), "no image after a refused command")

        # Nothing to plot: exit 5 (no reinjection in the clean capture).
        basic = os.path.join(DATA_DIR, "basic.client.pcapng")
        proc = run_program("plot", "reinjections", "-r", basic, "0", "--cdf", "-o", out, check=False)
        checker.check(proc.returncode == 5 and "no reinjection" in proc.stderr, f"--cdf without reinjections: exit 5: {proc.stderr}")
        # The count plot still shows a flat zero line there.
        svg, series = plot(tmp, "flat", "reinjections", basic, 0, ext="svg")
        checker.check(svg_size(svg) == (1024, 640) and all(s.rows[-1][1] == 0 for s in series if s.rows),
                      "no reinjection: a flat zero count of the default size")
        # An unwritable destination: exit 6.
        proc = run_program("plot", "dss", "-r", capture, "0", "-o", "/nonexistent-dir/x.png", check=False)
        checker.check(proc.returncode == 6, f"unwritable output: exit 6: {proc.returncode} {proc.stderr}")
    checker.finish()


if __name__ == "__main__":
    main()
