"""`reordering`, `plot hol` and `plot buffer` on the corpus.

- Each direction's vantage is where the capture was taken (the corpus names it): the client's
  capture is the receiver's view of data towards the client and the sender's of data towards the
  server, and the other way round; the sender's view carries a caveat in JSON and text.
- With --peer, each direction comes from its receiver's capture whichever one -r names: its
  figures equal the single-capture report of that capture, and the `capture` field names it.
- CSV has one row per subflow and direction; the plots' data files hold the report's figures
  (HoL points per subflow = its segments, the largest delay, the out-of-order peak).
- The sender's view (estimated from the ACKs coming back) is the receiver's exact figure within
  20 ms plus 5% where paths differ by tens of milliseconds or more.
- The scenarios behave as their impairments say (manifest): basic (no impairment) waits less
  than reinject's configured 20 ms path delay; reinject (20 ms each way + loss on path 1) makes
  data wait at least that delay; pathfail (path 2 black-holed, its endpoint deleted later)
  holds data that arrived before the deletion until after it (the stall until the resend).
"""

import json
import os
import tempfile

from common import DATA_DIR, Checker, manifest, run_program, tshark_fields
from plot_helpers import plot

RECEIVES = {"client": "to_client", "server": "to_server"}
SENDS = {"client": "to_server", "server": "to_client"}


def report(*args):
    return json.loads(run_program("reordering", *args, "--json").stdout)


def by_direction(doc):
    return {d["direction"]: d for d in doc["directions"]}


def without_capture(direction):
    return {k: v for k, v in direction.items() if k != "capture"}


def capture_path(scenario, side):
    return os.path.join(DATA_DIR, f"{scenario}.{side}.pcapng")


def main():
    checker = Checker("reordering")
    scenarios = {s["name"]: s for s in manifest()["scenarios"]}
    single = {}
    for scenario in ("basic", "reinject", "pathfail"):
        for side in ("client", "server"):
            path = capture_path(scenario, side)
            doc = report("-r", path, "0")
            single[(scenario, side)] = by_direction(doc)
            dirs = single[(scenario, side)]
            what = f"{scenario}.{side}"
            checker.check(list(dirs) == ["to_server", "to_client"], f"{what}: both directions, to_server first")
            checker.check(dirs[RECEIVES[side]]["vantage"] == "receiver" and dirs[RECEIVES[side]]["caveat"] is None,
                          f"{what}: the receiver's view of {RECEIVES[side]}, no caveat")
            checker.check(dirs[SENDS[side]]["vantage"] == "sender" and "sender's view" in dirs[SENDS[side]]["caveat"],
                          f"{what}: the sender's view of {SENDS[side]}, with its caveat")
            checker.check(all(d["capture"] is None for d in dirs.values()), f"{what}: no capture named with one capture")
            text = run_program("reordering", "-r", path, "0").stdout
            checker.check(text.count("caveat: sender's view") == 1 and "receiver's view" in text,
                          f"{what}: the text says whose view each direction is and gives the caveat once")
            csv = run_program("reordering", "-r", path, "0", "--csv").stdout.strip().splitlines()
            subflows = sum(len(d["subflows"]) for d in dirs.values())
            checker.check(len(csv) == 1 + subflows, f"{what}: one CSV row per subflow and direction: {len(csv) - 1}")

            # Plot data files hold the report's figures.
            with tempfile.TemporaryDirectory() as tmp:
                _, hol = plot(tmp, "hol", "hol", path, 0)
                receiver = dirs[RECEIVES[side]]
                points = [s for s in hol if RECEIVES[side].replace("_", " ") in (s.title or "")]
                counted = sorted(len(s.rows) for s in points)
                want = sorted(sf["suffered_ns"]["segments"] for sf in receiver["subflows"] if sf["suffered_ns"]["segments"])
                checker.check(counted == want, f"{what}: plot hol has each subflow's segments: {counted} == {want}")
                largest = max((r[1] for s in points for r in s.rows), default=None)
                hol_max = receiver["hol_delay_ns"]["max"]
                checker.check(largest is not None and abs(largest - hol_max / 1e6) < 1e-6,
                              f"{what}: the largest plotted delay is the report's max: {largest} ms vs {hol_max} ns")
                _, buf = plot(tmp, "buffer", "buffer", path, 0)
                peaks = sorted(max(r[1] for r in s.rows) for s in buf)
                want = sorted(d["max_out_of_order_bytes"] for d in dirs.values() if d["segments"])
                checker.check(peaks == want, f"{what}: plot buffer peaks are the report's maxima: {peaks} == {want}")

        # --peer: each direction from its receiver's capture, whichever one -r names.
        client, server = capture_path(scenario, "client"), capture_path(scenario, "server")
        for first, peer in ((client, server), (server, client)):
            dirs = by_direction(report("-r", first, "0", "--peer", peer))
            what = f"{scenario} -r {os.path.basename(first)} --peer {os.path.basename(peer)}"
            for direction, side, path in (("to_server", "server", server), ("to_client", "client", client)):
                got = dirs[direction]
                checker.check(got["capture"] == path and got["vantage"] == "receiver",
                              f"{what}: {direction} from {os.path.basename(path)}, the receiver's: {got['capture']}")
                checker.check(without_capture(got) == without_capture(single[(scenario, side)][direction]),
                              f"{what}: {direction} equals the single-capture report of its receiver's capture")

    # The scenarios' impairments (manifest relays), seen by each direction's receiver.
    def worst(scenario, direction):
        side = "server" if direction == "to_server" else "client"
        return single[(scenario, side)][direction]["hol_delay_ns"]["max"] or 0

    delay_ms = scenarios["reinject"]["relays"]["1"]["c2s"]["delay_ms"]
    checker.check(all(not r for r in (scenarios["basic"]["relays"] or {}).values()) or not scenarios["basic"]["relays"],
                  "basic has no impairment")
    for direction in ("to_server", "to_client"):
        checker.check(worst("basic", direction) < delay_ms * 1_000_000,
                      f"basic {direction}: HoL delays stay below reinject's {delay_ms} ms path delay: {worst('basic', direction)} ns")
    checker.check(worst("reinject", "to_server") >= delay_ms * 1_000_000,
                  f"reinject to_server: data waits at least the {delay_ms} ms path delay: {worst('reinject', 'to_server')} ns")
    # pathfail: the server receives the upload; data that arrived before the client deleted the
    # dead path's endpoint became in order only after it (the resend on subflow 1).
    deleted = [a["time"] for a in scenarios["pathfail"]["actions"] if "endpoint delete" in a["action"]]
    checker.check(len(deleted) == 1, f"pathfail: one endpoint deletion: {deleted}")
    path = capture_path("pathfail", "server")
    start = float(tshark_fields(path, ["frame.time_epoch"], display_filter="tcp.stream == 0")[0][0])
    with tempfile.TemporaryDirectory() as tmp:
        _, hol = plot(tmp, "hol", "hol", path, 0, "--direction", "to_server")
        across = [(t, d) for s in hol for t, d in s.rows if start + t < deleted[0] < start + t + d / 1000]
    checker.check(len(across) > 0, f"pathfail: {len(across)} segments waited across the endpoint deletion")

    # The sender's view estimates the receiver's from the ACKs coming back. Where paths differ
    # by tens of milliseconds or more (reinject's 20 ms delay; pathfail and path_recovers, a path
    # lost or stalled for hundreds of ms), its largest HoL delay is the receiver's exact one
    # within 20 ms plus 5%: what is left is the return paths' delay difference and ACK timing.
    for scenario in ("reinject", "pathfail", "path_recovers"):
        for direction, sender_side, receiver_side in (("to_server", "client", "server"), ("to_client", "server", "client")):
            if scenario not in ("reinject",) and direction == "to_client":
                continue  # pathfail/path_recovers send their bulk towards the server only
            if (scenario, sender_side) not in single:
                single[(scenario, sender_side)] = by_direction(report("-r", capture_path(scenario, sender_side), "0"))
                single[(scenario, receiver_side)] = by_direction(report("-r", capture_path(scenario, receiver_side), "0"))
            estimate = single[(scenario, sender_side)][direction]["hol_delay_ns"]["max"]
            exact = single[(scenario, receiver_side)][direction]["hol_delay_ns"]["max"]
            tolerance = 20_000_000 + exact // 20
            checker.check(exact > 20_000_000 and abs(estimate - exact) <= tolerance,
                          f"{scenario} {direction}: the sender's estimate {estimate} ns is the receiver's {exact} ns "
                          f"within {tolerance} ns")
    checker.finish()


if __name__ == "__main__":
    main()
