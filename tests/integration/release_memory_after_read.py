"""A cold run gives back libwireshark's per-capture memory before its analysis starts (issue 17).

While a capture is dissected, libwireshark's file-scope state (conversations, TCP and MPTCP
analysis, frame data) grows with the capture: that is the whole of a cold run's growth above
tshark's floor, since the rows go to disk as they are read. The cold peak stays at tshark's only
if that state is released once the pass is over, before the table is mapped and analysed: the
epan session freed (capture_reader.cpp), and the freed memory given back to the system rather
than kept by the allocator. This test looks at the process' own memory, no timing:
MPTCPANALYZER_TEST_PAUSE_READ stops the run after the first frame (libwireshark started, the
session open: the floor; the process' peak, VmHWM, is reset there through /proc/PID/clear_refs)
and MPTCPANALYZER_TEST_PAUSE_AFTER_READ once the read has returned. By then VmHWM holds what the
pass added; the rule is that at least three quarters of it is gone from the resident memory
(VmRSS) again. Kept, it would all still be there. Checked cold with a cache, with --no-cache, and
for the second capture a batch loads cold into the same process: there, before malloc_trim after
the read (table_loader.cpp), about 70% of the pass' growth stayed resident (glibc served that
read's large blocks from its heap and kept them once freed).

Needs a build without AddressSanitizer, whose allocator keeps freed memory in quarantine:
ctest registers it only in such builds, CI runs it on the release program (tools/dev/test.sh,
hardening block)."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile

from common import DATA_DIR, PROGRAM, Checker, exit_unless_release_build

SOURCE = os.path.join(DATA_DIR, "basic.client.pcapng")
COPIES = 600  # ~330,000 packets: libwireshark's per-capture state reaches tens of MB
# The rows are spilled every SPILL_ROWS, so that the table the reader keeps in memory (up to 64K
# rows otherwise, ~7 MB) is small beside what libwireshark holds.
SPILL_ROWS = 4096
LEAST_GROWTH_KB = 32 * 1024  # below that the capture is too small for the rule to mean much
RELEASED_SHARE = 0.75


def memory(pid):
    """VmRSS and VmHWM (KiB) of a process, from /proc."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def wait_stopped(proc):
    _, status = os.waitpid(proc.pid, os.WUNTRACED)
    return os.WIFSTOPPED(status)


def check_released(c, what, args, env, paused_name):
    """Runs the program and compares its memory after the first frame of the read of the capture
    named `paused_name` with its memory once that read has returned."""
    env = dict(env, MPTCPANALYZER_TEST_PAUSE_READ=f"{paused_name}:1",
               MPTCPANALYZER_TEST_PAUSE_AFTER_READ=paused_name)
    proc = subprocess.Popen([PROGRAM, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if not c.check(wait_stopped(proc), f"{what}: the run stopped after the first frame"):
            return
        # VmHWM from here on: the second capture of a batch starts above the first one's floor.
        with open(f"/proc/{proc.pid}/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        floor = memory(proc.pid)
        os.kill(proc.pid, signal.SIGCONT)
        if not c.check(wait_stopped(proc), f"{what}: the run stopped after the read"):
            return
        after = memory(proc.pid)
        os.kill(proc.pid, signal.SIGCONT)
        grown = after["VmHWM"] - floor["VmRSS"]
        kept = after["VmRSS"] - floor["VmRSS"]
        print(f"{what}: after the first frame {floor['VmRSS']} KiB resident; the pass peaked {grown} KiB above; "
              f"{kept} KiB of it still resident after the read")
        if c.check(grown >= LEAST_GROWTH_KB, f"{what}: the pass grew by at least {LEAST_GROWTH_KB} KiB ({grown})"):
            c.check(kept <= (1 - RELEASED_SHARE) * grown,
                    f"{what}: at least {RELEASED_SHARE:.0%} of the pass' growth released after the read "
                    f"({kept} of {grown} KiB still resident)")
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
        _, err = proc.communicate(timeout=600)
    c.check(proc.returncode == 0, f"{what}: exit 0 ({proc.returncode}: {err.decode(errors='replace')[-300:]})")


def main():
    c = Checker("memory released after the read")
    exit_unless_release_build("its allocator keeps freed memory")
    work = tempfile.mkdtemp(prefix="mptcp-test-release-")
    try:
        captures = []
        for name in ("first.pcapng", "second.pcapng"):
            path = os.path.join(work, name)
            subprocess.run(["mergecap", "-a", "-w", path, *[SOURCE] * COPIES], check=True, capture_output=True)
            captures.append(path)
        tmp = os.path.join(work, "tmp")
        os.makedirs(tmp)
        env = dict(os.environ, TMPDIR=tmp, MPTCPANALYZER_NO_PLUGINS="1",
                   MPTCPANALYZER_TEST_SPILL_ROWS=str(SPILL_ROWS))
        first, second = captures
        check_released(c, "cold", ["--cache-dir", os.path.join(work, "cache-cold"), "mptcp-summary", "-r", first, "0"],
                       env, "first.pcapng")
        check_released(c, "--no-cache", ["--no-cache", "mptcp-summary", "-r", first, "0"], env, "first.pcapng")
        # Two cold loads in one process: the second read starts where the first one's analysis left
        # the process, and must give back its own growth as well.
        batch = os.path.join(work, "two.batch")
        with open(batch, "w", encoding="utf-8") as f:
            f.write(f"load {first}\nmptcp-summary 0\nload {second}\nmptcp-summary 0\n")
        check_released(c, "batch, second capture",
                       ["--cache-dir", os.path.join(work, "cache-batch"), "--batch", batch], env, "second.pcapng")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
