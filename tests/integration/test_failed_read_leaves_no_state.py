"""A read that fails in the middle of the dissection (not through the progress callback) leaves no
libwireshark state behind: in the same process, later captures give exactly the results, and the
tcp.stream / mptcp.stream numbers, of a fresh process.

MPTCPANALYZER_TEST_FAIL_READ=NAME:FRAME (analyzer/src/capture/capture_reader.cpp) makes the read of
a file named NAME throw at the end of frame FRAME from inside libwireshark's tap loop, where an
allocation failure would strike. A batch (one process, one libwireshark) runs, with --no-cache so
every line dissects: good captures, the failing one, a randomly damaged capture (libwireshark's
own exceptions, which would trip over a corrupted exception stack), the failing one again, good
captures again. The failing lines must fail with the injected error; every other line must print
what it prints in a process of its own. In the sanitizer build (debug preset) a use of freed or
leaked dissection state aborts the batch and fails here."""

import os
import shutil
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker

checker = Checker("failed read leaves no state")
WORK = tempfile.mkdtemp(prefix="mptcp-test-failed-read-")
ENV = dict(os.environ, XDG_CACHE_HOME=os.path.join(WORK, "cache"), XDG_STATE_HOME=os.path.join(WORK, "state"),
           XDG_CONFIG_HOME=os.path.join(WORK, "config"))
FAILING = os.path.join(WORK, "fails-midway.pcapng")
shutil.copy(os.path.join(DATA_DIR, "reinject.client.pcapng"), FAILING)
INJECT = {"MPTCPANALYZER_TEST_FAIL_READ": "fails-midway.pcapng:300"}
MULTI = os.path.join(DATA_DIR, "concurrent.client.pcapng")   # several tcp.stream and mptcp.stream
OTHER = os.path.join(DATA_DIR, "reinject.server.pcapng")
DAMAGED = os.path.join(WORK, "damaged.pcapng")
subprocess.run(["editcap", "--seed", "2", "-E", "0.02", os.path.join(DATA_DIR, "ipv6.client.pcapng"), DAMAGED],
               check=True, capture_output=True)


def program(*args, extra_env=None):
    env = dict(ENV, **(extra_env or {}))
    return subprocess.run([PROGRAM, *args], capture_output=True, text=True, env=env, cwd=WORK, timeout=600)


def export(capture, out):
    return ["export", "--no-cache", "-r", capture, "-o", out]


# What each good line prints in a process of its own (with the hook set: it fails nothing else).
good_lines = [
    ["list-tcp", "--no-cache", "-r", MULTI],
    ["list-mptcp", "--no-cache", "-r", MULTI, "--json"],
    ["list-reinjections", "--no-cache", "-r", OTHER, "--json"],
    ["list-mptcp", "--no-cache", "-r", DAMAGED, "--json"],
]
expected = {}
for args in good_lines:
    proc = program(*args, extra_env=INJECT)
    checker.check(proc.returncode == 0 and proc.stdout.strip(), f"one-shot {args[0]} {os.path.basename(args[3])} "
                  f"succeeds and prints something (test premise): {proc.returncode} {proc.stderr[-300:]}")
    expected[tuple(args)] = proc.stdout
# Every packet's tcp.stream and mptcp.stream, as a fresh process numbers them.
fresh_csv = os.path.join(WORK, "fresh.csv")
checker.check(program(*export(MULTI, fresh_csv)).returncode == 0, "one-shot export succeeds (test premise)")

alone = program("list-mptcp", "--no-cache", "-r", FAILING, "--json", extra_env=INJECT)
checker.check(alone.returncode == 1 and "failure injected at frame 300" in alone.stderr,
              f"the hook makes the read fail at frame 300 (exit 1): {alone.returncode} {alone.stderr[-300:]}")
clean = program("list-mptcp", "--no-cache", "-r", FAILING, "--json")
checker.check(clean.returncode == 0, f"without the hook the same file reads (test premise): {clean.stderr[-300:]}")

batch_csv = os.path.join(WORK, "after-failures.csv")
lines = [good_lines[0], ["list-mptcp", "--no-cache", "-r", FAILING, "--json"], good_lines[1], good_lines[2],
         good_lines[3], ["list-tcp", "--no-cache", "-r", FAILING], good_lines[0], export(MULTI, batch_csv),
         good_lines[1]]
script = os.path.join(WORK, "failures.batch")
with open(script, "w", encoding="utf-8") as f:
    f.write("".join(" ".join(f'"{a}"' for a in args) + "\n" for args in lines))
proc = program("--continue-on-error", "--batch", script, extra_env=INJECT)

want_stdout = "".join(expected.get(tuple(args), "") for args in lines)
checker.check(proc.returncode == 1, f"the batch exits with the injected failure's code 1: {proc.returncode} "
              f"{proc.stderr[-600:]}")
checker.check("AddressSanitizer" not in proc.stderr and "runtime error:" not in proc.stderr,
              f"no sanitizer report: {proc.stderr[-1500:]}")
checker.check(proc.stderr.count("failure injected at frame 300") == 2 and f"{script}:2:" in proc.stderr
              and f"{script}:6:" in proc.stderr, f"lines 2 and 6 fail with the injected error: {proc.stderr[-600:]}")
checker.check(proc.stdout == want_stdout, "after failed reads, every other line prints what it prints alone\n"
              f"--- batch:\n{proc.stdout[:1500]}\n--- alone:\n{want_stdout[:1500]}")
if os.path.exists(batch_csv):
    with open(batch_csv, encoding="utf-8") as a, open(fresh_csv, encoding="utf-8") as b:
        checker.check(a.read() == b.read(), "every packet's tcp.stream and mptcp.stream (export) after failed "
                      "reads equal a fresh process's")
else:
    checker.check(False, "the export after the failed reads wrote its file")

shutil.rmtree(WORK, ignore_errors=True)
checker.finish()
