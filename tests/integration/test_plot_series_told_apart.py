"""Plot series can be told apart, in the script and in what the real gnuplot draws:
- on the text terminal (dumb) each subflow has its own glyph: the script draws each subflow's
  series with its own character (upper case towards the server, lower case towards the client),
  the legend of the picture shows that character after the subflow's title, and each appears in
  the plotted area (dsn, throughput, mptcp-attr on two-subflow captures);
- dss: the two directions have one marker each (different point types, solid and dashed bars),
  named in the legend, and on the text terminal different glyphs;
- throughput and goodput draw no series that is zero throughout: zero-ness is read from the data
  files (and agrees with the wire / new / application bytes of mptcp-summary), every series that is not
  all zero is drawn, and the title names the ones left out, which the legend does not list."""

import json
import os
import re
import tempfile

from common import DATA_DIR, Checker, run_program
from plot_helpers import (glyph_of, kept_script, kept_series, plot_area, plot_parts, rate_files, script_title,
                          text_frame)

DIRECTIONS = ("to_server", "to_client")
LABEL = {"to_server": "(to server)", "to_client": "(to client)"}
# What gnuplot's dumb terminal draws lines, borders, ticks and the grid with.
DUMB_DRAWING = set("*#$%@&=+-|:. ")


def draw(tmp, name, kind, capture, stream, *options, image=None):
    keep = os.path.join(tmp, name)
    output = ["-o", image] if image else ["--size", "1200x700"]
    text = run_program("plot", kind, "-r", capture, str(stream), *options, *output, "--keep-script", keep).stdout
    return text, kept_script(keep), kept_series(keep)


def legend_lines(text):
    lines, _, bottom, _, _ = text_frame(text)
    return lines[bottom + 1:]


def check_glyphs(checker, what, text, script, subflows, directions):
    """Each subflow series (title "tcp.stream N ... (dir)") has its own glyph, shown in the legend
    after its title and drawn in the plot area."""
    titled = [(title, glyph_of(style)) for _, _, style, title in plot_parts(script) if title and title.startswith("tcp.stream")]
    want = {(sf, d) for sf in subflows for d in directions}
    got = {(int(t.split()[1]), d): g for t, g in titled for d in directions if LABEL[d] in t}
    checker.check(set(got) == want, f"{what}: one legend entry per subflow and direction: {sorted(got)}")
    glyphs = list(got.values())
    checker.check(None not in glyphs and len(set(glyphs)) == len(glyphs),
                  f"{what}: every subflow series has its own glyph: {got}")
    checker.check(not set(glyphs) & DUMB_DRAWING, f"{what}: glyphs differ from the terminal's own drawing characters")
    for d in directions:
        for sf in subflows:
            g = got.get((sf, d))
            checker.check(g is not None and g.isupper() == (d == "to_server"),
                          f"{what}: tcp.stream {sf} {d}: upper case towards the server, lower towards the client ({g})")
    legend = legend_lines(text)
    area = plot_area(text)
    for title, g in titled:
        shown = [line for line in legend if title in line]
        checker.check(shown and re.search(re.escape(title) + r"\s+" + re.escape(g or "?") + r"(\s|$)", shown[0]),
                      f"{what}: the legend shows {g!r} after {title!r}: {shown}")
        checker.check(g is not None and g in area, f"{what}: {g!r} ({title}) is drawn in the picture")


def main():
    checker = Checker("plot series told apart")
    with tempfile.TemporaryDirectory() as tmp:
        # Glyphs: two subflows carrying data in both directions (basic), and towards the server
        # on reinject (in both, each subflow carried data: see mptcp-summary).
        for stem, kind, options, directions in (
                ("reinject", "dsn", ["--direction", "to_server"], ("to_server",)),
                ("basic", "throughput", [], DIRECTIONS),
                ("reinject", "goodput", ["--direction", "to_server"], ("to_server",)),
                ("basic", "mptcp-attr", ["length"], DIRECTIONS)):
            capture = os.path.join(DATA_DIR, f"{stem}.client.pcapng")
            summary = json.loads(run_program("mptcp-summary", "--json", "-r", capture, "0").stdout)
            dirs = {d["direction"]: d for d in summary["directions"]}
            subflows = [sf["tcp_stream"] for sf in summary["subflows"]]
            checker.check(len(subflows) == 2 and all(sf["wire_bytes"] > 0 for d in directions for sf in dirs[d]["subflows"]),
                          f"{stem}: two subflows, each carrying data {directions}")
            text, script, _ = draw(tmp, f"glyph-{stem}-{kind}", kind, capture, 0, *options)
            check_glyphs(checker, f"{stem} {kind} text", text, script, subflows, directions)

        # dss: one marker and bar style per direction, both directions with data (basic).
        capture = os.path.join(DATA_DIR, "basic.client.pcapng")
        _, script, _ = draw(tmp, "dss-png", "dss", capture, 0, image=os.path.join(tmp, "dss.png"))
        parts = plot_parts(script)
        markers, bars = {}, {}
        for d in DIRECTIONS:
            titled = [(f, style) for f, _, style, title in parts if title and title.startswith("tcp.stream") and LABEL[d] in title]
            files = {f for f, _ in titled}
            markers[d] = {re.search(r"pointtype (\S+)", style).group(1) if "pointtype" in style else None for _, style in titled}
            bars[d] = {re.search(r"dashtype (\S+)", style).group(1) if "dashtype" in style else None
                       for f, _, style, title in parts if f in files and style.startswith("vectors")}
            checker.check(len(titled) == 2, f"dss {d}: a legend entry per subflow naming the direction: {titled}")
        checker.check(all(len(m) == 1 and None not in m for m in markers.values()) and
                      markers["to_server"] != markers["to_client"],
                      f"dss: one point type per direction, different between directions: {markers}")
        checker.check(all(len(b) == 1 and None not in b for b in bars.values()) and bars["to_server"] != bars["to_client"],
                      f"dss: the mapping bars of each direction have their own dash pattern: {bars}")
        text, script, _ = draw(tmp, "dss-text", "dss", capture, 0)
        subflows = [0, 1]
        glyphs = {d: {glyph_of(style) for _, _, style, title in plot_parts(script) if title and LABEL[d] in title}
                  for d in DIRECTIONS}
        checker.check(None not in glyphs["to_server"] | glyphs["to_client"] and
                      not glyphs["to_server"] & glyphs["to_client"] and len(glyphs["to_server"]) == len(subflows),
                      f"dss text: glyphs differ between directions and subflows: {glyphs}")

        # Zero rates: subflows that carried nothing (concurrent: three idle joins; pathfail: the
        # second subflow sends nothing to the client; fastclose: no data to the client at all).
        omitted_seen = 0
        for stem in ("basic", "concurrent", "pathfail", "fastclose"):
            capture = os.path.join(DATA_DIR, f"{stem}.client.pcapng")
            summary = json.loads(run_program("mptcp-summary", "--json", "-r", capture, "0").stdout)
            subflows = [sf["tcp_stream"] for sf in summary["subflows"]]
            dirs = {d["direction"]: d for d in summary["directions"]}
            for kind, agg_key, sf_key in (("throughput", "wire_bytes", "wire_bytes"),
                                          ("goodput", "application_bytes", "new_bytes")):
                what = f"{stem} {kind}"
                text, script, series = draw(tmp, f"{kind}-{stem}", kind, capture, 0)
                files = rate_files(series, subflows)
                drawn = {p[0] for p in plot_parts(script) if p[3] is not None}
                named = set()
                m = re.search(r"zero throughout, not drawn: (.*)", script_title(script))
                for part in (m.group(1).split("; ") if m else []):
                    pm = re.fullmatch(r"(?:tcp\.stream ([\d, ]+)|every series) \((to server|to client)\)", part)
                    checker.check(pm is not None, f"{what}: the title names what it left out: {part!r}")
                    if not pm:
                        continue
                    d = "to_server" if pm.group(2) == "to server" else "to_client"
                    for k in ([int(x) for x in pm.group(1).split(", ")] if pm.group(1) else ["all"] + subflows):
                        named.add((d, k))
                for (d, k), s in files.items():
                    zero = all(r[1] == 0 for r in s.rows)
                    key = agg_key if k == "all" else sf_key
                    bytes_ = dirs[d][key] if k == "all" else next(sf[key] for sf in dirs[d]["subflows"] if sf["tcp_stream"] == k)
                    checker.check(zero == (bytes_ == 0), f"{what} {d} {k}: zero throughout ({zero}) iff {key} is 0 ({bytes_})")
                    checker.check((s.file in drawn) == (not zero),
                                  f"{what} {d} {k}: {'not ' if zero else ''}drawn ({'zero' if zero else 'data'} in {s.file})")
                    checker.check((zero and s.title is None) or (not zero and s.title),
                                  f"{what} {d} {k}: in the legend only when drawn ({s.title!r})")
                    checker.check(((d, k) in named) == zero, f"{what} {d} {k}: named in the title as left out iff zero")
                    omitted_seen += zero
                    if zero and k != "all":
                        checker.check(not any(line.lstrip().startswith(f"tcp.stream {k} ") and LABEL[d] in line
                                              for line in legend_lines(text)),
                                      f"{what} {d} tcp.stream {k}: not in the legend of the picture")
        checker.check(omitted_seen >= 10, f"series zero throughout were met and left out: {omitted_seen}")
    checker.finish()


if __name__ == "__main__":
    main()
