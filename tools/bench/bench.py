#!/usr/bin/env python3
"""Benchmark: `mptcpanalyzer export` and `mptcp-summary` cold (empty cache) and warm (cached)
against `tshark -T fields` exporting the same columns with the same preferences, in one run.

Reports wall time and peak RSS (from /usr/bin/time) of each, and the ratios against tshark.

--session: the analysis-session target instead (issue 11: "a batch of five commands on one
loaded capture with --no-cache takes at most 1.5x the time of one command"). Times one command
(`--no-cache mptcp-summary -r CAPTURE N`), a batch file `load CAPTURE` + five commands
(`--no-cache --batch FILE`) and the same tshark run, and prints batch / one command.

--pair [DIR ...]: the two-capture commands (issue 13) on the largest client/server pair
(DIR/NAME.client.pcapng + DIR/NAME.server.pcapng, by total size; default: tests/data and, when
present, /var/tmp/mptcpanalyzer-corpus where `generate.py --scenario large` writes), each cold
(empty cache) and cached, and a batch `load A --peer B` + all of them, against tshark exporting
the same columns from both captures. The commands are the program's own: those whose `--help`
shows --peer and a stream number; the issue's commands missing from the build are named, skipped.

--table [CAPTURE]: issue 16, reading a table export instead of dissecting the capture. Exports
CAPTURE (default: the largest capture of tests/data) as CSV and JSON, then times `list-tcp` on the
capture with --no-cache (dissection), on the CSV and on the JSON, and prints table / capture.
--memory CAPTURE ...: the memory targets of issue 17, for each capture (e.g. 1M, 3M and 10M
packets, to show the growth): tshark as above, then `mptcp-summary` cold (empty cache: dissect,
write the cache file) and cached (the cache file read in place), with peak RSS, the ratios, and
whether the issue's targets are met (cold peak <= 1.25x tshark's, cached peak <= 120 MiB,
cached time <= 0.05x the cold time).

Usage: tools/bench/bench.py CAPTURE [--session] [--program PATH] [--repeat N] [--stream N]
       tools/bench/bench.py --table [CAPTURE] [--program PATH] [--repeat N]
       tools/bench/bench.py --memory CAPTURE... [--program PATH]
       tools/bench/bench.py --pair [DIR ...] [--program PATH] [--repeat N] [--stream N] [--tcp-stream N]
Large captures: tools/corpus/generate.py --scenario large (about 1M packets), or mergecap -a.
"""

import argparse
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
from common import OUR_PREFERENCES, subcommands  # noqa: E402  (the preferences mptcpanalyzer applies)
from test_export_matches_tshark import FIELDS  # noqa: E402  (the same columns)


def measure(cmd, env, out_path):
    """Runs cmd with stdout to out_path; returns (seconds, peak KiB, CPU seconds: user + system)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        with open(out_path, "wb") as out:
            subprocess.run(["/usr/bin/time", "-o", tf.name, "-f", "%e %M %U %S", *cmd], stdout=out,
                           stderr=subprocess.DEVNULL, env=env, check=True)
        secs, kib, user, system = tf.read().split()[-4:]
        return float(secs), int(kib), float(user) + float(system)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture", nargs="?")
    ap.add_argument("--program", default=os.path.join(SOURCE, "build", "release", "analyzer", "mptcpanalyzer"))
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the best time is kept")
    ap.add_argument("--stream", type=int, default=0, help="mptcp.stream for mptcp-summary")
    ap.add_argument("--session", action="store_true",
                    help="one --no-cache command against a --no-cache batch of five on the loaded capture")
    ap.add_argument("--pair", nargs="*", metavar="DIR",
                    help="two-capture commands on the largest client/server pair of these folders")
    ap.add_argument("--tcp-stream", type=int, default=0, help="tcp.stream for the two-capture TCP commands")
    ap.add_argument("--table", action="store_true", help="reading a CSV/JSON export against dissecting the capture")
    ap.add_argument("--memory", nargs="+", metavar="CAPTURE",
                    help="issue 17's memory targets: tshark, mptcp-summary cold and cached on each capture")
    args = ap.parse_args()
    if args.memory:
        return memory_benchmark(args)
    if args.pair is not None:
        return pair_benchmark(args)
    if args.table:
        return table_benchmark(args)
    if args.capture is None:
        ap.error("a CAPTURE, or --pair")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench: /usr/bin/time is needed (apt-get install time)")

    work = tempfile.mkdtemp(prefix="mptcp-bench-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"), WIRESHARK_CONFIG_DIR=os.path.join(work, "ws"))
    os.makedirs(env["WIRESHARK_CONFIG_DIR"])
    out = os.path.join(work, "out")
    tshark_cmd = ["tshark", "-n", "-r", args.capture, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
                  "-E", "occurrence=a"]
    for p in OUR_PREFERENCES:
        tshark_cmd += ["-o", p]
    for _, field, *_ in FIELDS:
        tshark_cmd += ["-e", field]
    ours = [args.program, "export", "-r", args.capture, "-o", "-"]

    def best(make_cmd, prepare=None):
        runs = []
        for _ in range(args.repeat):
            if prepare:
                prepare()
            runs.append(measure(make_cmd, env, out))
        return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)

    def empty_cache():
        shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)

    try:
        packets = int(subprocess.run(["capinfos", "-c", "-M", "-T", "-r", args.capture], capture_output=True,
                                     text=True, check=True).stdout.split("\t")[-1])
    except Exception:  # capinfos missing or odd output: the count is only informative
        packets = -1
    tshark = best(tshark_cmd)
    t_time, t_mem = tshark[:2]
    if args.session:
        try:
            session(args, packets, tshark, best, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    c_time, c_mem = best(ours, empty_cache)[:2]
    w_time, w_mem = best(ours)[:2]
    d_time, d_mem = best(ours[:1] + ["--no-cache"] + ours[1:])[:2]
    summary = [args.program, "mptcp-summary", "-r", args.capture, str(args.stream)]
    sc_time, sc_mem = best(summary, empty_cache)[:2]
    sw_time, sw_mem = best(summary)[:2]
    # Issue 14: reordering is linear in the data segments (O(n log n) interval map).
    reordering = [args.program, "reordering", "-r", args.capture, str(args.stream)]
    rc_time, rc_mem = best(reordering, empty_cache)[:2]
    rw_time, rw_mem = best(reordering)[:2]
    shutil.rmtree(work, ignore_errors=True)

    print(f"capture: {args.capture} ({packets} packets)")
    print(f"{'run':34} {'seconds':>8} {'peak MiB':>9} {'time/tshark':>12} {'mem/tshark':>11}")
    for name, t, m in [("tshark -T fields (same columns)", t_time, t_mem),
                       ("mptcpanalyzer export, cold", c_time, c_mem),
                       ("mptcpanalyzer export, cached", w_time, w_mem),
                       ("mptcpanalyzer export, --no-cache", d_time, d_mem),
                       (f"mptcp-summary {args.stream}, cold", sc_time, sc_mem),
                       (f"mptcp-summary {args.stream}, cached", sw_time, sw_mem),
                       (f"reordering {args.stream}, cold", rc_time, rc_mem),
                       (f"reordering {args.stream}, cached", rw_time, rw_mem)]:
        print(f"{name:34} {t:8.2f} {m / 1024:9.1f} {t / t_time:12.2f} {m / t_mem:11.2f}")
    print(f"cached / cold time: {w_time / c_time:.3f}")


def table_benchmark(args):
    """--table: `list-tcp` on the capture (--no-cache: dissected) against on its CSV and JSON exports."""
    capture = args.capture or max(glob.glob(os.path.join(SOURCE, "tests", "data", "*.pcap*")), key=os.path.getsize)
    work = tempfile.mkdtemp(prefix="mptcp-bench-table-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"), WIRESHARK_CONFIG_DIR=os.path.join(work, "ws"))
    os.makedirs(env["WIRESHARK_CONFIG_DIR"])
    out = os.path.join(work, "out")
    try:
        tables = {}
        for fmt in ("csv", "json"):
            tables[fmt] = os.path.join(work, f"table.{fmt}")
            subprocess.run([args.program, "--no-cache", "export", "-r", capture, "-f", fmt, "-o", tables[fmt]],
                           env=env, check=True)

        def best(cmd):
            return min((measure(cmd, env, out) for _ in range(args.repeat)), key=lambda r: r[0])

        runs = [("list-tcp, capture dissected (--no-cache)", best([args.program, "--no-cache", "list-tcp", "-r", capture])),
                ("list-tcp, CSV export", best([args.program, "list-tcp", "-r", tables["csv"]])),
                ("list-tcp, JSON export", best([args.program, "list-tcp", "-r", tables["json"]]))]
        sizes = {"capture": os.path.getsize(capture), **{k: os.path.getsize(v) for k, v in tables.items()}}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"capture: {capture} ({sizes['capture']} bytes; CSV {sizes['csv']}, JSON {sizes['json']} bytes)")
    base = runs[0][1]
    print(f"{'run':42} {'seconds':>8} {'CPU s':>7} {'peak MiB':>9} {'time/capture':>13} {'CPU/capture':>12}")
    for name, (t, m, cpu) in runs:
        print(f"{name:42} {t:8.2f} {cpu:7.2f} {m / 1024:9.1f} {t / base[0]:13.3f} {cpu / base[2]:12.3f}")


# The batch of --session: load, then five commands on the loaded capture (docs/shell.md).
SESSION_COMMANDS = ["list-tcp", "list-mptcp", "mptcp-summary {stream}", "list-reinjections", "events"]
SESSION_TARGET = 1.5  # issue 11: the batch takes at most 1.5x the time of one command


def session(args, packets, tshark, best, work):
    """--session: one --no-cache command against a --no-cache batch of five on one capture.
    CPU seconds are printed too: on a busy machine wall time swells with the load, CPU time
    (one thread each) much less."""
    batch = os.path.join(work, "session.batch")
    with open(batch, "w", encoding="utf-8") as f:
        f.write(f"load {shlex.quote(os.path.abspath(args.capture))}\n")
        for line in SESSION_COMMANDS:
            f.write(line.format(stream=args.stream) + "\n")
    one_cmd = [args.program, "--no-cache", "mptcp-summary", "-r", args.capture, str(args.stream)]
    batch_cmd = [args.program, "--no-cache", "--batch", batch]
    one = best(one_cmd)
    many = best(batch_cmd)

    t_time, t_mem, _ = tshark
    print(f"capture: {args.capture} ({packets} packets)")
    print(f"batch: load + {', '.join(c.format(stream=args.stream) for c in SESSION_COMMANDS)}")
    print(f"{'run':40} {'seconds':>8} {'CPU s':>8} {'peak MiB':>9} {'time/tshark':>12} {'mem/tshark':>11}")
    for name, (t, m, c) in [("tshark -T fields (same columns)", tshark),
                            (f"one command: mptcp-summary {args.stream}", one),
                            ("batch: load + 5 commands", many)]:
        print(f"{name:40} {t:8.2f} {c:8.2f} {m / 1024:9.1f} {t / t_time:12.2f} {m / t_mem:11.2f}")
    ratio = many[0] / one[0]
    verdict = "meets" if ratio <= SESSION_TARGET else "does NOT meet"
    print(f"batch / one command: {ratio:.2f}x wall time ({verdict} the {SESSION_TARGET}x target), "
          f"{many[2] / one[2]:.2f}x CPU time")


# The two-capture commands of issue 13. The benchmark runs those the program lists (--help);
# these names are only used to say which ones the build does not have yet.
ISSUE_TWO_CAPTURE_COMMANDS = ["map-tcp", "map-mptcp", "owd", "qualify-reinjections", "summary-extended"]
DEFAULT_PAIR_DIRS = [os.path.join(SOURCE, "tests", "data"), "/var/tmp/mptcpanalyzer-corpus"]


def largest_pair(dirs):
    """(name, client, server, bytes) of the largest DIR/NAME.client.pcapng + .server.pcapng pair."""
    best = None
    for d in dirs:
        for client in glob.glob(os.path.join(d, "*.client.pcapng")):
            server = client[:-len(".client.pcapng")] + ".server.pcapng"
            if not os.path.isfile(server):
                continue
            size = os.path.getsize(client) + os.path.getsize(server)
            if best is None or size > best[3]:
                best = (os.path.basename(client)[:-len(".client.pcapng")], client, server, size)
    return best


def two_capture_commands(program, env):
    """(name, 'tcp' | 'mptcp') of each command whose --help shows --peer and a stream number."""
    def help_text(*words):
        return subprocess.run([program, *words, "--help"], capture_output=True, text=True, env=env).stdout
    names = subcommands(help_text())
    found = []
    for name in names:
        text = help_text(name)
        m = re.search(r"^  stream INT REQUIRED +(m?p?tcp)\.stream", text, re.M)
        if m and re.search(r"^  --peer ", text, re.M):
            found.append((name, m.group(1)))
    return found


def measure_tolerant(cmd, env, out_path):
    """measure(), or (None, reason) when the command fails."""
    try:
        return measure(cmd, env, out_path), None
    except subprocess.CalledProcessError as e:
        return None, f"exit {e.returncode}"


def pair_benchmark(args):
    """--pair: the two-capture commands cold and cached, and one batch of all of them after
    `load A --peer B`, against tshark -T fields on both captures (times added: it reads them one
    after the other, as we do)."""
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench: /usr/bin/time is needed (apt-get install time)")
    dirs = args.pair or [d for d in DEFAULT_PAIR_DIRS if os.path.isdir(d)]
    found = largest_pair(dirs)
    if found is None:
        sys.exit(f"bench: no NAME.client.pcapng + NAME.server.pcapng pair in {dirs}")
    scenario, first, peer, size = found
    work = tempfile.mkdtemp(prefix="mptcp-bench-pair-")
    env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"), WIRESHARK_CONFIG_DIR=os.path.join(work, "ws"))
    os.makedirs(env["WIRESHARK_CONFIG_DIR"])
    out = os.path.join(work, "out")
    try:
        commands = two_capture_commands(args.program, env)
        have = {n for n, _ in commands}
        missing = [n for n in ISSUE_TWO_CAPTURE_COMMANDS if n not in have]

        def packets(path):
            try:
                return int(subprocess.run(["capinfos", "-c", "-M", "-T", "-r", path], capture_output=True, text=True,
                                          check=True).stdout.split("\t")[-1])
            except Exception:  # only informative
                return -1

        def empty_cache():
            shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)

        def best(cmd, prepare=None):
            runs = []
            for _ in range(args.repeat):
                if prepare:
                    prepare()
                r, why = measure_tolerant(cmd, env, out)
                if r is None:
                    return None, why
                runs.append(r)
            return (min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)), None

        def tshark_cmd(path):
            cmd = ["tshark", "-n", "-r", path, "-Y", "tcp", "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a"]
            for p in OUR_PREFERENCES:
                cmd += ["-o", p]
            for _, field, *_ in FIELDS:
                cmd += ["-e", field]
            return cmd

        t_first, _ = best(tshark_cmd(first))
        t_peer, _ = best(tshark_cmd(peer))
        tshark = (t_first[0] + t_peer[0], max(t_first[1], t_peer[1]), t_first[2] + t_peer[2])
        rows = [("tshark -T fields on both (same columns)", tshark, None)]
        rows.append(("load A --peer B, cold", *best([args.program, "load", first, "--peer", peer], empty_cache)))
        rows.append(("load A --peer B, cached", *best([args.program, "load", first, "--peer", peer])))

        def stream_of(kind):
            return str(args.tcp_stream if kind == "tcp" else args.stream)

        for name, kind in commands:
            cmd = [args.program, name, "-r", first, "--peer", peer, stream_of(kind)]
            rows.append((f"{name} {stream_of(kind)}, cold", *best(cmd, empty_cache)))
            rows.append((f"{name} {stream_of(kind)}, cached", *best(cmd)))
        if commands:
            batch = os.path.join(work, "pair.batch")
            with open(batch, "w", encoding="utf-8") as f:
                f.write(f"load {shlex.quote(first)} --peer {shlex.quote(peer)}\n")
                for name, kind in commands:
                    f.write(f"{name} {stream_of(kind)}\n")
            label = f"batch: load A --peer B + {len(commands)} commands"
            rows.append((f"{label}, cold", *best([args.program, "--batch", batch], empty_cache)))
            rows.append((f"{label}, cached", *best([args.program, "--batch", batch])))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"pair: {scenario} (largest of {', '.join(dirs)}; {size / 1e6:.1f} MB)")
    print(f"  A = {first} ({packets(first)} packets)")
    print(f"  B = {peer} ({packets(peer)} packets)")
    print(f"two-capture commands: {', '.join(n for n, _ in commands) or 'none'}"
          f" (mptcp.stream {args.stream}, tcp.stream {args.tcp_stream})")
    if missing:
        print(f"skipped, not in this build: {', '.join(missing)}")
    t_time, t_mem, _ = tshark
    print(f"{'run':48} {'seconds':>8} {'CPU s':>8} {'peak MiB':>9} {'time/tshark':>12} {'mem/tshark':>11}")
    for name, r, why in rows:
        if r is None:
            print(f"{name:48} failed ({why})")
            continue
        t, m, c = r
        print(f"{name:48} {t:8.2f} {c:8.2f} {m / 1024:9.1f} {t / t_time:12.2f} {m / t_mem:11.2f}")


# Issue 17's targets (measured on a 3.45M-packet capture; checked here on every capture given).
COLD_MEMORY_TARGET = 1.25  # cold peak / tshark's peak
CACHED_PEAK_TARGET_MIB = 120
CACHED_TIME_TARGET = 0.05  # cached time / cold time


def memory_benchmark(args):
    """--memory: per capture, tshark, mptcp-summary cold and cached; peaks and targets. Each
    capture's lines are printed as soon as it is measured (a 10M-packet capture takes long)."""
    print(f"{'capture':28} {'packets':>10} {'run':18} {'seconds':>8} {'CPU s':>7} {'peak MiB':>9} "
          f"{'mem/tshark':>10} {'time/cold':>9}", flush=True)
    for capture in args.memory:
        work = tempfile.mkdtemp(prefix="mptcp-bench-")
        try:
            env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"),
                       WIRESHARK_CONFIG_DIR=os.path.join(work, "ws"))
            os.makedirs(env["WIRESHARK_CONFIG_DIR"])
            out = os.path.join(work, "out")
            packets = int(subprocess.run(["capinfos", "-c", "-M", "-T", "-r", capture], capture_output=True,
                                         text=True, check=True).stdout.split("\t")[-1])
            tshark_cmd = ["tshark", "-n", "-r", capture, "-Y", "tcp", "-T", "fields", "-E", "separator=\t",
                          "-E", "occurrence=a"]
            for p in OUR_PREFERENCES:
                tshark_cmd += ["-o", p]
            for _, field, *_ in FIELDS:
                tshark_cmd += ["-e", field]
            summary = [args.program, "mptcp-summary", "-r", capture, str(args.stream)]
            tshark = measure(tshark_cmd, env, out)
            shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)
            cold = measure(summary, env, out)
            cached = min((measure(summary, env, out) for _ in range(max(1, args.repeat))), key=lambda r: r[0])
            cache_bytes = sum(os.path.getsize(f) for f in glob.glob(os.path.join(env["XDG_CACHE_HOME"], "*", "*")))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        name = os.path.basename(capture)
        for run, (t, kib, cpu) in [("tshark -T fields", tshark), ("summary cold", cold), ("summary cached", cached)]:
            print(f"{name:28} {packets:10d} {run:18} {t:8.2f} {cpu:7.2f} {kib / 1024:9.1f} "
                  f"{kib / tshark[1]:10.2f} {t / cold[0]:9.3f}")
        print(f"{name:28} cache file {cache_bytes / packets:.1f} bytes per packet")
        checks = [(f"cold peak <= {COLD_MEMORY_TARGET}x tshark", cold[1] / tshark[1] <= COLD_MEMORY_TARGET),
                  (f"cached peak <= {CACHED_PEAK_TARGET_MIB} MiB", cached[1] / 1024 <= CACHED_PEAK_TARGET_MIB),
                  (f"cached time <= {CACHED_TIME_TARGET}x cold", cached[0] / cold[0] <= CACHED_TIME_TARGET)]
        print(f"{name:28} " + "; ".join(f"{what}: {'met' if ok else 'NOT met'}" for what, ok in checks), flush=True)


if __name__ == "__main__":
    main()
