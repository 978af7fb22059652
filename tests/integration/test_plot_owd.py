"""`plot owd -r CLIENT --peer SERVER N` through the real gnuplot: PNG and SVG of the asked size,
one series per subflow and direction whose points are exactly `owd`'s matched packets (count,
minimum and maximum delay in ms), --direction and --subflow select series, --clock-offset moves
the points like `owd --clock-offset`, and the text terminal draws each series with its glyph."""

import json
import os
import tempfile

from common import DATA_DIR, Checker, run_program
from plot_helpers import kept_series, png_size, svg_size


def main():
    checker = Checker("plot owd")
    client = os.path.join(DATA_DIR, "reinject.client.pcapng")
    server = os.path.join(DATA_DIR, "reinject.server.pcapng")
    report = json.loads(run_program("owd", "-r", client, "--peer", server, "0", "--json").stdout)
    rows = report["subflows"]
    subflows = sorted({r["tcp_stream"] for r in rows})
    with tempfile.TemporaryDirectory() as tmp:
        def plot(name, *options, ext="png"):
            keep = os.path.join(tmp, name)
            image = os.path.join(tmp, f"{name}.{ext}")
            run_program("plot", "owd", "-r", client, "--peer", server, "0", *options, "-o", image, "--keep-script", keep)
            return image, kept_series(keep)

        png, series = plot("all", "--size", "800x500")
        checker.check(png_size(png) == (800, 500), f"a valid 800x500 PNG: {png_size(png)}")
        svg, _ = plot("svg", ext="svg")
        checker.check(svg_size(svg) == (1024, 640), f"a valid SVG of the default size: {svg_size(svg)}")

        # Series order: to_server then to_client, subflows in the connection's order.
        expected = [r for d in ("to_server", "to_client") for r in rows if r["direction"] == d]
        checker.check(len(series) == len(expected) == 2 * len(subflows),
                      f"one series per subflow and direction: {len(series)} for {len(subflows)} subflows")
        for s, r in zip(series, expected):
            what = f"tcp.stream {r['tcp_stream']} {r['direction']}"
            label = r["direction"].replace("_", " ")
            checker.check(s.title is not None and f"tcp.stream {r['tcp_stream']} " in s.title and f"({label})" in s.title,
                          f"{what}: legend {s.title!r}")
            checker.check(len(s.rows) == r["matched"], f"{what}: {len(s.rows)} points == {r['matched']} matched packets")
            delays = s.column(1)
            if r["delay_ns"]:
                checker.check(abs(min(delays) - r["delay_ns"]["min"] / 1e6) < 1e-6
                              and abs(max(delays) - r["delay_ns"]["max"] / 1e6) < 1e-6,
                              f"{what}: delays {min(delays)}..{max(delays)} ms are owd's min/max in ms")
            times = s.column(0)
            checker.check(times == sorted(times) and (not times or times[0] >= 0),
                          f"{what}: points by send time, from the connection's first packet")

        _, only = plot("to_server", "--direction", "to_server")
        checker.check([s.title for s in only] == [s.title for s in series[:len(subflows)]],
                      f"--direction to_server keeps the to_server series: {[s.title for s in only]}")
        _, one = plot("one", "--subflow", str(subflows[1]))
        checker.check(len(one) == 2 and all(f"tcp.stream {subflows[1]} " in s.title for s in one),
                      f"--subflow {subflows[1]}: its two directions only: {[s.title for s in one]}")

        # An imposed offset 1 ms above the estimate: towards the peer 1 ms shorter, back 1 ms longer.
        _, imposed = plot("imposed", f"--clock-offset={report['clock_offset_ns'] + 1_000_000}")
        for s, t, r in zip(series, imposed, expected):
            if not s.rows:
                continue
            sign = -1 if r["sender_capture"] == "first" else 1
            checker.check(abs(min(t.column(1)) - (min(s.column(1)) + sign)) < 1e-6,
                          f"tcp.stream {r['tcp_stream']} {r['direction']}: --clock-offset moves the delays by {sign} ms")

        text = run_program("plot", "owd", "-r", client, "--peer", server, "0", "--terminal", "dumb",
                           "--size", "800x400").stdout
        for glyph in ("A", "B", "a", "b"):
            checker.check(f"    {glyph}" in text or f" {glyph} " in text, f"the text plot shows glyph {glyph}")
    checker.finish()


if __name__ == "__main__":
    main()
