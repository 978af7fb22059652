"""Plot axes read well, in the script and in what the real gnuplot draws (dumb terminal):
- counts (reinjections) tick on whole numbers only: with no reinjection the axis shows exactly
  the ticks 0 and 1 (it showed 0, 0, 0, 1, 1, 1); with reinjections the labels are distinct,
  evenly spaced integers up to the first tick at or above the count list-reinjections gives;
- byte and bit/s axes (dsn, dss, reinjections --bytes, throughput, goodput, mptcp-attr length)
  write large values with an SI prefix ("500 k", "2.5 M") while the unit stays in the axis label
  ("(bytes)", "(bit/s"): every label parses as such a number, labels are distinct and evenly
  spaced (the decimals written are enough to tell them apart), and the axis ends at the first
  tick at or above the largest value of the data files."""

import json
import os
import re
import tempfile

from common import DATA_DIR, Checker, manifest, run_program
from plot_helpers import kept_script, kept_series, si_value, y_tick_labels


def app_bytes(stem):
    for s in manifest()["scenarios"]:
        if s["name"] == stem:
            return s["connections"][0]["app_bytes"]
    raise AssertionError(f"no scenario {stem}")


def draw_text(tmp, name, kind, capture, *options):
    """Runs a plot kind on the text terminal, keeping its script: (picture, script, series)."""
    keep = os.path.join(tmp, name)
    text = run_program("plot", kind, "-r", capture, "0", *options, "--size", "1000x800", "--keep-script", keep).stdout
    return text, kept_script(keep), kept_series(keep)


def evenly_spaced(values):
    steps = {round(b - a, 6) for a, b in zip(values, values[1:])}
    return len(values) >= 2 and len(steps) == 1 and steps.pop() > 0


def check_integer_axis(checker, what, text, script, top_value):
    fmt = re.search(r"^set format y '([^']*)'", script, re.M)
    tics = re.search(r"^set ytics (\S+), (\S+), (\S+)$", script, re.M)
    checker.check(fmt and fmt.group(1) == "%.0f", f"{what}: integer labels in the script ({fmt and fmt.group(1)})")
    checker.check(tics and all(float(x) == int(float(x)) for x in tics.groups()) and float(tics.group(2)) >= 1,
                  f"{what}: integer tick start, step >= 1 and end in the script ({tics and tics.groups()})")
    labels = y_tick_labels(text)
    values = [int(x) for x in labels if re.fullmatch(r"\d+", x)]
    checker.check(len(values) == len(labels), f"{what}: every printed y label is an integer: {labels}")
    values.reverse()  # bottom to top
    checker.check(evenly_spaced(values) and values[0] == 0, f"{what}: distinct, evenly spaced labels from 0: {values}")
    step = values[1] - values[0] if len(values) > 1 else 0
    checker.check(values and values[-1] >= top_value and values[-1] - step < max(top_value, 1),
                  f"{what}: the axis ends at the first tick at or above {top_value}: {values}")
    return values


def check_si_axis(checker, what, text, script, top_value, unit):
    fmt = re.search(r"^set format y '([^']*)'", script, re.M)
    checker.check(fmt and re.fullmatch(r"%\.\ds %c", fmt.group(1)), f"{what}: SI-prefixed labels in the script ({fmt and fmt.group(1)})")
    checker.check(unit in text, f"{what}: the unit {unit!r} stays in the axis label")
    labels = y_tick_labels(text)
    values = [si_value(x) for x in labels]
    checker.check(None not in values, f"{what}: every printed y label is a number with an SI prefix: {labels}")
    values = [v for v in values if v is not None][::-1]
    checker.check(evenly_spaced(values), f"{what}: distinct, evenly spaced labels: {labels}")
    if top_value >= 1000:
        checker.check(any(re.search(r" [kMGT]$", x) for x in labels), f"{what}: values >= 1000 get a prefix: {labels}")
    step = values[1] - values[0] if len(values) > 1 else 0
    checker.check(values and values[-1] >= top_value and values[-1] - step < top_value,
                  f"{what}: the axis ends at the first tick at or above the largest value {top_value}: {labels}")


def main():
    checker = Checker("plot axis ticks")
    with tempfile.TemporaryDirectory() as tmp:
        # Counts: no reinjection at all on basic; some on reinject (counted by list-reinjections).
        for stem in ("basic", "reinject"):
            capture = os.path.join(DATA_DIR, f"{stem}.client.pcapng")
            reinj = json.loads(run_program("list-reinjections", "--json", "-r", capture, "0").stdout)["reinjections"]
            text, script, _ = draw_text(tmp, f"count-{stem}", "reinjections", capture)
            top = max(sum(1 for r in reinj if r["direction"] == d) for d in ("to_server", "to_client"))
            values = check_integer_axis(checker, f"{stem} reinjection count", text, script, top)
            if top == 0:
                checker.check(values == [0, 1], f"{stem}: no reinjection, the count axis shows 0 and 1 only: {values}")
            if reinj:
                text, script, series = draw_text(tmp, f"bytes-{stem}", "reinjections", capture, "--bytes")
                top = max(r[1] for s in series for r in s.rows)
                check_si_axis(checker, f"{stem} reinjected bytes", text, script, top, "(bytes)")

        # Byte axes: the largest DSN is below the application bytes of the ground truth.
        for stem in ("basic", "reinject"):
            capture = os.path.join(DATA_DIR, f"{stem}.client.pcapng")
            text, script, series = draw_text(tmp, f"dsn-{stem}", "dsn", capture, "--data-acks")
            top = max(r[1] for s in series for r in s.rows)
            checker.check(top <= max(app_bytes(stem).values()) + 2, f"{stem} dsn: largest value {top} is a DSN")
            check_si_axis(checker, f"{stem} dsn", text, script, top, "(bytes)")
            text, script, series = draw_text(tmp, f"dss-{stem}", "dss", capture)
            top = max(r[1] + (r[2] if len(r) > 2 else 0) for s in series for r in s.rows)
            check_si_axis(checker, f"{stem} dss", text, script, top, "(bytes)")
            text, script, series = draw_text(tmp, f"len-{stem}", "mptcp-attr", capture, "length")
            top = max(r[1] for s in series for r in s.rows)
            check_si_axis(checker, f"{stem} mptcp-attr length", text, script, top, "(bytes)")

        # Rates: data files hold bit/s; the axis keeps bit/s and writes "10 M".
        for stem in ("basic", "reinject"):
            capture = os.path.join(DATA_DIR, f"{stem}.client.pcapng")
            for kind in ("throughput", "goodput"):
                text, script, series = draw_text(tmp, f"{kind}-{stem}", kind, capture)
                top = max(r[1] for s in series for r in s.rows)
                check_si_axis(checker, f"{stem} {kind}", text, script, top, f"{kind} (bit/s")
                checker.check(not re.search(r"[kMG]bit/s", text), f"{stem} {kind}: no rescaled unit on the axis label")
    checker.finish()


if __name__ == "__main__":
    main()
