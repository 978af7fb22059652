"""The Wireshark plugin never changes how tshark ends, on any capture.

Real tshark with the built plugin (see epan_plugin_harness.py) computes the three MPTCP tables
(`-z mptcp,conns -z mptcp,subflows -z mptcp,reinjections`) over every capture of tests/data and
../shared/captures (when present), and over damaged captures: random byte errors
(`editcap -E 0.05 --seed N`), files cut in the middle of a block, cut inside the file header,
empty and garbage files. Each time the exit status must be the one tshark has without the plugin,
nothing may crash or report a sanitizer error, no failed analysis ("mptcpanalyzer plugin:") may
be printed, and whenever tshark read packets the three tables must be printed.

In a sanitizer build of the plugin (MPTCP_EPAN_PLUGIN_SANITIZED=1, see epan-plugin/README.md)
tshark runs with the sanitizer runtimes preloaded, and a sanitizer report is a failure."""

import os
import subprocess
import sys

from common import Checker, corpus_captures, shared_captures
from epan_plugin_harness import PLUGIN, SANITIZED, TITLES, VIEWS, PluginHome, crash_marks

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (path of the built mptcpanalyzer.so plugin); nothing tested")
    sys.exit(77)  # ctest SKIP_RETURN_CODE

checker = Checker("epan plugin robustness")
main_env = PluginHome()
homes = [("sanitized plugin" if SANITIZED else "plugin", main_env, {})]

ARGS = ["-n", "-q"]
for v in VIEWS:
    ARGS += ["-z", v]


def run(label, env, extra_env, path, with_plugin=True):
    try:
        return env.tshark(["-r", path, *ARGS] if with_plugin else ["-r", path, "-n", "-q"],
                          with_plugin=with_plugin, env=extra_env, timeout=300)
    except subprocess.TimeoutExpired:
        checker.check(False, f"{label}: {os.path.basename(path)}: tshark did not end within 300 s")
        return None


def compare(path, read_packets_expected):
    name = os.path.basename(path)
    bare = run("no plugin", main_env, {}, path, with_plugin=False)
    if bare is None:
        return
    for label, env, extra_env in homes:
        proc = run(label, env, extra_env, path)
        if proc is None:
            continue
        what = f"{label}: {name}"
        checker.check(proc.returncode == bare.returncode,
                      f"{what}: tshark exited {proc.returncode} with the plugin, {bare.returncode} without: "
                      f"{proc.stderr[-400:]}")
        checker.check(not crash_marks(proc), f"{what}: crash/error marks {crash_marks(proc)}: {proc.stderr[-600:]}")
        if read_packets_expected:
            missing = [t for t in TITLES.values() if t + ":" not in proc.stdout]
            checker.check(not missing, f"{what}: tables {missing} not printed")


captures = corpus_captures() + shared_captures()
checker.check(len(corpus_captures()) > 0, "tests/data holds no capture")
for capture in captures:
    compare(main_env.local_copy(capture), True)

# Damaged captures, made from the largest corpus capture and the largest shared one.
sources = [max(corpus_captures(), key=os.path.getsize)]
if shared_captures():
    sources.append(max(shared_captures(), key=os.path.getsize))
for source in sources:
    stem, ext = os.path.splitext(os.path.basename(source))
    data = open(source, "rb").read()
    damaged = []
    for seed in (1, 42):
        out = os.path.join(main_env.work, f"{stem}.errors{seed}{ext}")
        subprocess.run(["editcap", "-E", "0.05", "--seed", str(seed), source, out], check=True, capture_output=True)
        damaged.append((out, True))
    cut = os.path.join(main_env.work, f"{stem}.cut{ext}")
    with open(cut, "wb") as f:
        f.write(data[: len(data) * 2 // 3 + 7])  # in the middle of a block
    damaged.append((cut, True))
    header_cut = os.path.join(main_env.work, f"{stem}.headercut{ext}")
    with open(header_cut, "wb") as f:
        f.write(data[:20])
    damaged.append((header_cut, False))
    for path, has_packets in damaged:
        main_env.local_copy(path)
        compare(path, has_packets)
for name, content in (("empty.pcapng", b""), ("garbage.pcapng", bytes(range(256)) * 64)):
    path = os.path.join(main_env.work, name)
    with open(path, "wb") as f:
        f.write(content)
    main_env.local_copy(path)
    compare(path, False)

main_env.cleanup()
checker.finish()
