"""The plugin's three tables share one record stream, and each still sees exactly the packets its
own display filter lets through.

The plugin collects the capture's PacketRecords once (the shared epan collector) and renders all
three views from it; a view with a filter gets the rows of the frames its filter passed, and views
whose filters select the same rows share one table. For several corpus captures, real tshark
(epan_plugin_harness.py) runs all three views together, unfiltered and with two different
filters spread over the three views (one filter shared by two views), in one pass and with `-2`
(which fills the tables on the last frame instead of at draw time). Every table must equal the
table of the same view and filter run alone, and the filtered tables must differ from the
unfiltered ones (so the test would notice a view seeing another view's packets)."""

import os
import sys

from common import DATA_DIR, Checker
from epan_plugin_harness import PLUGIN, TITLES, VIEWS, PluginHome, crash_marks, parse_tables

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE

checker = Checker("epan plugin shared stream")
env = PluginHome()
CAPTURES = ("basic.client.pcapng", "reinject.client.pcapng", "concurrent.client.pcapng")


def tables(local, specs, two_pass=False):
    """{view: rows} of one tshark run with the given (view, filter or None) list."""
    args = (["-2"] if two_pass else []) + ["-n", "-r", local, "-q"]
    for view, flt in specs:
        args += ["-z", view + ("," + flt if flt else "")]
    proc = env.tshark(args)
    what = f"{os.path.basename(local)} {' '.join(args[args.index('-q') + 1:])}"
    checker.check(proc.returncode == 0 and not crash_marks(proc),
                  f"{what}: exit {proc.returncode}, marks {crash_marks(proc)}: {proc.stderr[-400:]}")
    parsed = parse_tables(proc.stdout)
    return {view: parsed.get(TITLES[view], {}).get("rows") for view, _ in specs}


for name in CAPTURES:
    local = env.local_copy(os.path.join(DATA_DIR, name))
    alone = {}

    def reference(view, flt):
        if (view, flt) not in alone:
            alone[(view, flt)] = tables(local, [(view, flt)])[view]
        return alone[(view, flt)]

    unfiltered = {v: reference(v, None) for v in VIEWS}
    checker.check(all(unfiltered[v] is not None for v in VIEWS), f"{name}: every view alone prints its table")
    checker.check(bool(unfiltered["mptcp,subflows"]), f"{name}: the capture has subflows (test premise)")

    # The first subflow alone, and the frames up to the middle of the capture: two different
    # filters, each changing some table, one of them cutting connections in the middle.
    first_stream = unfiltered["mptcp,subflows"][0]["TCP stream"] if unfiltered["mptcp,subflows"] else "0"
    one_subflow = f"tcp.stream=={first_stream}"
    first_half = "frame.number<=150"
    combos = [
        [(v, None) for v in VIEWS],
        [("mptcp,conns", one_subflow), ("mptcp,subflows", first_half), ("mptcp,reinjections", one_subflow)],
        [("mptcp,conns", first_half), ("mptcp,subflows", one_subflow), ("mptcp,reinjections", None)],
        [("mptcp,conns", None), ("mptcp,subflows", "tcp.port==1"), ("mptcp,reinjections", first_half)],
    ]
    for specs in combos:
        for two_pass in (False, True):
            got = tables(local, specs, two_pass)
            for view, flt in specs:
                want = reference(view, flt)
                what = f"{name}{' -2' if two_pass else ''}: {view}{',' + flt if flt else ''} together with the others"
                checker.check(got[view] == want, f"{what}: rows differ from the view alone:\n"
                              f"  together {(got[view] or [])[:3]}\n  alone    {(want or [])[:3]}")

    # Premise: the filters change what the views see (else sharing could not go wrong).
    checker.check(reference("mptcp,subflows", one_subflow) != unfiltered["mptcp,subflows"],
                  f"{name}: {one_subflow} changes the subflow rows (test premise)")
    checker.check(reference("mptcp,subflows", first_half) != unfiltered["mptcp,subflows"],
                  f"{name}: {first_half} changes the subflow rows (test premise)")
    checker.check(reference("mptcp,subflows", "tcp.port==1") == [],
                  f"{name}: a filter that matches nothing leaves the view empty")

env.cleanup()
checker.finish()
