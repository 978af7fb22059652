"""The data files behind each plot kind (kept with --keep-script) hold the expected series and
numbers, checked against the other commands and the corpus' ground truth:
- dsn: one series per subflow of the connection and direction, DSNs from 1 to the application
  bytes of mptcp-summary, reinjection marks = list-reinjections, DATA_ACKs end just past the data;
- dss: mappings cover exactly the application data (a DATA_FIN may add one byte);
- tcp-attr / mptcp-attr length: payload sums = tcp-summary wire bytes / subflow wire bytes;
- throughput: integral of bit/s = wire bytes of tcp-summary and mptcp-summary (aggregate and per
  subflow), sliding and fixed windows; goodput: integral = the application bytes the manifest says
  were sent; reinjections: counts and bytes = list-reinjections; interarrival: gap counts and
  subflow switches = those of the data packets tshark lists."""

import json
import os
import tempfile

from common import DATA_DIR, Checker, manifest, run_program, tshark_fields
from plot_helpers import plot, rate_files, window_step

CAPTURES = ["basic.client.pcapng", "reinject.client.pcapng", "pathfail.client.pcapng", "pathfail.server.pcapng"]
DIRECTIONS = ["to_server", "to_client"]
LABEL = {"to_server": "(to server)", "to_client": "(to client)"}


def app_bytes_of(capture_name):
    """Ground truth: the bytes each application sent (the capture's single MPTCP connection)."""
    stem = capture_name.split(".")[0]
    for s in manifest()["scenarios"]:
        if s["name"] == stem:
            c = s["connections"][0]
            return {"to_server": c["app_bytes"]["client_to_server"], "to_client": c["app_bytes"]["server_to_client"]}
    raise AssertionError(f"no scenario {stem}")


def integral_bytes(series):
    """Bytes under a rate series: sum(bit/s x step) / 8."""
    _, step = window_step(series.columns)
    return sum(r[1] for r in series.rows) * step / 8


def by_title(series, *needles):
    return [s for s in series if s.title and all(n in s.title for n in needles)]


def main():
    checker = Checker("plot data matches analyses")
    with tempfile.TemporaryDirectory() as tmp:
        for name in CAPTURES:
            capture = os.path.join(DATA_DIR, name)
            summary = json.loads(run_program("mptcp-summary", "--json", "-r", capture, "0").stdout)
            reinj = json.loads(run_program("list-reinjections", "--json", "-r", capture, "0").stdout)["reinjections"]
            subflows = [sf["tcp_stream"] for sf in summary["subflows"]]
            dirs = {d["direction"]: d for d in summary["directions"]}
            truth = app_bytes_of(name)
            for d in DIRECTIONS:
                checker.check(dirs[d]["application_bytes"] == truth[d],
                              f"{name} {d}: the capture holds all application data ({truth[d]})")

            # dsn: per direction, a file per subflow, one of reinjections, one of DATA_ACKs; empty
            # files (a subflow without data that way) are left out of the plot, so have no legend.
            _, series = plot(tmp, f"dsn-{name}", "dsn", capture, 0, "--data-acks")
            checker.check(len(series) == 2 * (len(subflows) + 2), f"{name} dsn: {len(series)} files for {subflows}")
            for d in DIRECTIONS:
                app = dirs[d]["application_bytes"]
                carrying = sorted(sf["tcp_stream"] for sf in dirs[d]["subflows"] if sf["data_bytes"] > 0)
                mine = [s for s in series if s.title and LABEL[d] in s.title and s.title.startswith("tcp.stream")]
                checker.check(sorted(int(s.title.split()[1]) for s in mine) == carrying,
                              f"{name} dsn {d}: one series per subflow carrying data {carrying}: {[s.title for s in mine]}")
                values = [r[1] for s in mine for r in s.rows]
                checker.check(values and min(values) == 1 and 0 < app - max(values) <= 65536,
                              f"{name} dsn {d}: DSNs from 1 to just below {app}: {min(values or [0])}..{max(values or [0])}")
                marks = by_title(series, "reinjections", LABEL[d])
                count = sum(1 for r in reinj if r["direction"] == d)
                checker.check((len(marks[0].rows) if marks else 0) == count,
                              f"{name} dsn {d}: {count} reinjection marks as list-reinjections")
                acks = by_title(series, "DATA_ACK", LABEL[d])
                top = max(r[1] for r in acks[0].rows) if acks and acks[0].rows else -1
                checker.check(app + 1 <= top <= app + 2, f"{name} dsn {d}: last DATA_ACK {top} is {app} + 1 (+1 DATA_FIN)")

            # dss: union of the mapped ranges
            _, series = plot(tmp, f"dss-{name}", "dss", capture, 0)
            for d in DIRECTIONS:
                ranges = sorted((r[1], r[1] + r[2]) for s in series if s.title and LABEL[d] in s.title for r in s.rows
                                if len(r) == 3)
                covered, end = 0, 0
                for a, b in ranges:
                    if b > end:
                        covered += b - max(a, end)
                        end = b
                app = dirs[d]["application_bytes"]
                checker.check(ranges and ranges[0][0] == 1 and app <= covered <= app + 1,
                              f"{name} dss {d}: mappings cover {covered} bytes from 1, application {app}")

            # mptcp-attr length per subflow = the subflow's wire bytes in that direction
            _, series = plot(tmp, f"len-{name}", "mptcp-attr", capture, 0, "length")
            for d in DIRECTIONS:
                for sf in dirs[d]["subflows"]:
                    s = by_title(series, f"tcp.stream {sf['tcp_stream']} ", LABEL[d])
                    total = sum(r[1] for r in s[0].rows) if s else -1
                    checker.check(total == sf["wire_bytes"],
                                  f"{name} mptcp-attr length {d} tcp.stream {sf['tcp_stream']}: {total} == {sf['wire_bytes']}")

            # throughput, sliding then fixed windows
            # (a series zero throughout is not drawn, hence has no legend: files by their order)
            for options in ([], ["--fixed-windows", "--window", "50ms"]):
                _, series = plot(tmp, f"tput-{name}-{len(options)}", "throughput", capture, 0, *options)
                files = rate_files(series, subflows)
                for d in DIRECTIONS:
                    agg = by_title(series, "all subflows", LABEL[d])
                    got = integral_bytes(agg[0]) if agg else -1
                    checker.check(abs(got - dirs[d]["wire_bytes"]) < 0.5,
                                  f"{name} throughput {options} {d}: integral {got} == wire bytes {dirs[d]['wire_bytes']}")
                    for sf in dirs[d]["subflows"]:
                        got = integral_bytes(files[(d, sf["tcp_stream"])])
                        checker.check(abs(got - sf["wire_bytes"]) < 0.5,
                                      f"{name} throughput {d} tcp.stream {sf['tcp_stream']}: {got} == {sf['wire_bytes']}")

            # goodput: the application bytes of the ground truth
            _, series = plot(tmp, f"gput-{name}", "goodput", capture, 0)
            for d in DIRECTIONS:
                agg = by_title(series, "all subflows", LABEL[d])
                got = integral_bytes(agg[0]) if agg else -1
                checker.check(abs(got - truth[d]) < 0.5, f"{name} goodput {d}: integral {got} == application bytes {truth[d]}")
                per = sum(integral_bytes(rate_files(series, subflows)[(d, sf)]) for sf in subflows)
                checker.check(abs(per - truth[d]) < 0.5, f"{name} goodput {d}: subflows add up to {truth[d]}: {per}")

            # TCP throughput / goodput of the first subflow = tcp-summary
            tcp = json.loads(run_program("tcp-summary", "--json", "-r", capture, str(subflows[0])).stdout)
            for options, key in ((["throughput"], "wire_bytes"), (["goodput"], "unique_bytes")):
                _, series = plot(tmp, f"tcp-{options[0]}-{name}", options[0], capture, subflows[0], "--tcp")
                for i, td in enumerate(tcp["directions"]):
                    label = "(client to server)" if i == 0 else "(server to client)"
                    s = by_title(series, label)
                    got = integral_bytes(s[0]) if s else -1
                    checker.check(abs(got - td[key]) < 0.5, f"{name} {options[0]} --tcp {label}: {got} == {key} {td[key]}")
            _, series = plot(tmp, f"tcpattr-{name}", "tcp-attr", capture, subflows[0], "length")
            for i, td in enumerate(tcp["directions"]):
                s = by_title(series, "(client to server)" if i == 0 else "(server to client)")
                got = sum(r[1] for r in s[0].rows) if s else -1
                checker.check(got == td["wire_bytes"], f"{name} tcp-attr length direction {i}: {got} == {td['wire_bytes']}")

            # reinjections: count and bytes
            for options, value in (([], lambda r: 1), (["--bytes"], lambda r: r["reinjected_bytes"])):
                _, series = plot(tmp, f"reinj-{name}-{len(options)}", "reinjections", capture, 0, *options)
                for d in DIRECTIONS:
                    want = sum(value(r) for r in reinj if r["direction"] == d)
                    agg = [s for s in series if s.title and LABEL[d] in s.title and
                           (s.title.startswith("all subflows") or s.title.startswith("no reinjection"))]
                    got = agg[0].rows[-1][1] if agg else -1
                    checker.check(got == want, f"{name} reinjections {options} {d}: {got} == list-reinjections {want}")
                    for sf in subflows:
                        s = by_title(series, f"reinjected on tcp.stream {sf} ", LABEL[d])
                        w = sum(value(r) for r in reinj if r["direction"] == d and r["tcp_stream"] == sf)
                        got = s[0].rows[-1][1] if s else 0
                        checker.check(got == w, f"{name} reinjections {options} {d} tcp.stream {sf}: {got} == {w}")
            if reinj:
                _, series = plot(tmp, f"cdf-{name}", "reinjections", capture, 0, "--cdf")
                for d in DIRECTIONS:
                    mine = [r for r in reinj if r["direction"] == d]
                    agg = by_title(series, "all subflows", LABEL[d])
                    if not mine:
                        checker.check(not agg or not agg[0].rows, f"{name} --cdf {d}: no reinjection, no curve")
                        continue
                    rows = agg[0].rows
                    delays = sorted(r["delay_ns"] / 1e6 for r in mine)
                    checker.check(rows[-1][1] == 1 and rows[-1][2] == len(mine) and
                                  abs(rows[-1][0] - delays[-1]) < 1e-3 and abs(rows[0][0] - delays[0]) < 1e-3,
                                  f"{name} --cdf {d}: CDF of the {len(mine)} delays, {delays[0]}..{delays[-1]} ms")

            # interarrival: gaps and switches of the data packets, from tshark
            _, series = plot(tmp, f"ia-{name}", "interarrival", capture, 0)
            rows = tshark_fields(capture, ["tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "tcp.len"])
            client_sides = {(sf["client"].rsplit(":", 1)[0].strip("[]"), sf["client"].rsplit(":", 1)[1]) for sf in summary["subflows"]}
            for d in DIRECTIONS:
                seq = []
                for r in rows:
                    stream, src, port, length = int(r[0]), r[1] or r[2], r[3], int(r[4] or 0)
                    if stream in subflows and length > 0 and (((src, port) in client_sides) == (d == "to_server")):
                        seq.append(stream)
                for sf in subflows:
                    s = by_title(series, f"tcp.stream {sf} ", LABEL[d])
                    want = max(0, seq.count(sf) - 1)
                    got = int(s[0].rows[-1][2]) if s and s[0].rows else 0
                    checker.check(got == want, f"{name} interarrival {d} tcp.stream {sf}: {got} gaps == {want}")
                switches = sum(1 for a, b in zip(seq, seq[1:]) if a != b)
                s = by_title(series, "across subflow switches", LABEL[d])
                got = int(s[0].rows[-1][2]) if s and s[0].rows else 0
                checker.check(got == switches, f"{name} interarrival {d}: {got} switches == {switches}")
    checker.finish()


if __name__ == "__main__":
    main()
