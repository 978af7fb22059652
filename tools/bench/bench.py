#!/usr/bin/env python3
"""Benchmark: `mptcpanalyzer export` and `mptcp-summary` cold (empty cache) and warm (cached)
against `tshark -T fields` exporting the same columns with the same preferences, in one run.

Reports wall time and peak RSS (from /usr/bin/time) of each, and the ratios against tshark.
Usage: tools/bench/bench_export.py CAPTURE [--program PATH] [--repeat N]
Large captures: tools/corpus/generate.py --scenario large (about 1M packets), or mergecap -a.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
from common import OUR_PREFERENCES  # noqa: E402  (the preferences mptcpanalyzer applies)
from test_export_matches_tshark import FIELDS  # noqa: E402  (the same columns)


def measure(cmd, env, out_path):
    """Runs cmd with stdout to out_path; returns (seconds, peak KiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        with open(out_path, "wb") as out:
            subprocess.run(["/usr/bin/time", "-o", tf.name, "-f", "%e %M", *cmd], stdout=out,
                           stderr=subprocess.DEVNULL, env=env, check=True)
        secs, kib = tf.read().split()[-2:]
        return float(secs), int(kib)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("capture")
    ap.add_argument("--program", default=os.path.join(SOURCE, "build", "release", "analyzer", "mptcpanalyzer"))
    ap.add_argument("--repeat", type=int, default=1, help="runs of each; the best time is kept")
    ap.add_argument("--stream", type=int, default=0, help="mptcp.stream for mptcp-summary")
    args = ap.parse_args()
    if not os.path.exists("/usr/bin/time"):
        sys.exit("bench_export: /usr/bin/time is needed (apt-get install time)")

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
        return min(r[0] for r in runs), max(r[1] for r in runs)

    def empty_cache():
        shutil.rmtree(env["XDG_CACHE_HOME"], ignore_errors=True)

    try:
        packets = int(subprocess.run(["capinfos", "-c", "-M", "-T", "-r", args.capture], capture_output=True,
                                     text=True, check=True).stdout.split("\t")[-1])
    except Exception:  # capinfos missing or odd output: the count is only informative
        packets = -1
    t_time, t_mem = best(tshark_cmd)
    c_time, c_mem = best(ours, empty_cache)
    w_time, w_mem = best(ours)
    d_time, d_mem = best(ours[:1] + ["--no-cache"] + ours[1:])
    summary = [args.program, "mptcp-summary", "-r", args.capture, str(args.stream)]
    sc_time, sc_mem = best(summary, empty_cache)
    sw_time, sw_mem = best(summary)
    shutil.rmtree(work, ignore_errors=True)

    print(f"capture: {args.capture} ({packets} packets)")
    print(f"{'run':34} {'seconds':>8} {'peak MiB':>9} {'time/tshark':>12} {'mem/tshark':>11}")
    for name, t, m in [("tshark -T fields (same columns)", t_time, t_mem),
                       ("mptcpanalyzer export, cold", c_time, c_mem),
                       ("mptcpanalyzer export, cached", w_time, w_mem),
                       ("mptcpanalyzer export, --no-cache", d_time, d_mem),
                       (f"mptcp-summary {args.stream}, cold", sc_time, sc_mem),
                       (f"mptcp-summary {args.stream}, cached", sw_time, sw_mem)]:
        print(f"{name:34} {t:8.2f} {m / 1024:9.1f} {t / t_time:12.2f} {m / t_mem:11.2f}")
    print(f"cached / cold time: {w_time / c_time:.3f}")


if __name__ == "__main__":
    main()
