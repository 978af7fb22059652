"""Running out of memory (ulimit -v) exits 9 with one clear line naming the capture, keeps valid cache
entries, and leaves no temporary folder behind: while loading a valid cache entry (our code), and in
cold runs, where libwireshark reads the capture (GLib's failed g_malloc, which used to abort with
134 or crash with 139 and leave the temporary Wireshark folder). A crash signal (SIGSEGV, SIGBUS)
still ends the process as that signal, after the temporary folder is removed.

Needs a build without AddressSanitizer (its shadow memory does not fit under any ulimit -v): ctest
registers it only in such builds (the release preset), and CI runs it on the release program
(tools/dev/test.sh, hardening block). The limits are found by bisection on this machine, not
pasted: the lowest limit the program starts under, and the lowest one a cached run needs; limits
in between must each end in success or exit 9, and at least one in exit 9."""

import glob
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from common import DATA_DIR, PROGRAM, Checker, exit_unless_release_build

SOURCE = os.path.join(DATA_DIR, "basic.client.pcapng")
# GLib 2.74's reports of its own failed allocations, printed before it aborts by itself.
# (gslice.c surrounds its line with empty ones.)
GLIB_SELF_ABORT = re.compile(r"^(\*\*\*MEMORY-ERROR\*\*\*: .*GSlice: failed to allocate \d+ bytes.*"
                             r"|GLib \(gthread-posix\.c\): Unexpected error from C library during '\w+': "
                             r"Cannot allocate memory\.  Aborting\."
                             # GLib 2.84 (Debian 13): g_vasprintf's own check
                             r"|\S*glib/gprintf\.c:\d+: failed to allocate memory)$")
COPIES = 600  # ~330,000 packets: a cache entry of tens of MB


def limited(limit_kb):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit_kb * 1024, limit_kb * 1024))
    return apply


def run(args, env, limit_kb=None):
    return subprocess.run([PROGRAM, *args], capture_output=True, text=True, errors="replace", env=env, timeout=600,
                          preexec_fn=limited(limit_kb) if limit_kb else None)


def lowest_passing(low, high, passes):
    """The lowest limit in (low, high] for which passes(limit) holds (monotonic), to 1 MB."""
    while high - low > 1024:
        mid = (low + high) // 2
        if passes(mid):
            high = mid
        else:
            low = mid
    return high


def main():
    c = Checker("out of memory")
    exit_unless_release_build("ulimit -v cannot apply")
    work = tempfile.mkdtemp(prefix="mptcp-oom-")
    try:
        small = os.path.join(work, "small.pcapng")
        subprocess.run(["editcap", "-s", "96", SOURCE, small], check=True, capture_output=True)
        big = os.path.join(work, "big.pcapng")
        subprocess.run(["mergecap", "-a", "-w", big, *([small] * COPIES)], check=True, capture_output=True)
        tmp = os.path.join(work, "tmp")
        os.makedirs(tmp)
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "cache"), XDG_CONFIG_HOME=os.path.join(work, "config"),
                   XDG_DATA_HOME=os.path.join(work, "data"), TMPDIR=tmp, MPTCPANALYZER_NO_PLUGINS="1")
        cold = run(["list-tcp", "-r", big], env)
        c.check(cold.returncode == 0, f"unlimited cold run ({cold.returncode}: {cold.stderr[-300:]})")
        entries = glob.glob(os.path.join(work, "cache", "mptcpanalyzer", "*.mptable"))
        if not c.check(len(entries) == 1, f"one cache entry stored: {entries}"):
            c.finish()
        entry = entries[0]
        cache_dir = os.path.dirname(entry)
        before = os.stat(entry)
        print(f"cache entry: {before.st_size} bytes")

        def cold_run_passes(kb):
            p = run(["list-tcp", "-r", other], env, kb)
            for name in set(os.listdir(cache_dir)) - {os.path.basename(entry), ".evict.lock", "libwireshark-identity"}:
                os.unlink(os.path.join(cache_dir, name))
            return p.returncode == 0

        # A cold run's floor is `version`'s, which loads libwireshark (the capture module); a cached
        # run never loads it (analyzer/src/capture/README.md): its floor is the program's own, `--help`'s.
        starts = lowest_passing(16 * 1024, 4 * 1024 * 1024, lambda kb: run(["version"], env, kb).returncode == 0)
        starts_cached = lowest_passing(16 * 1024, 4 * 1024 * 1024, lambda kb: run(["--help"], env, kb).returncode == 0)
        cached = lowest_passing(starts_cached, 4 * 1024 * 1024,
                                lambda kb: run(["list-tcp", "-r", big], env, kb).returncode == 0)
        print(f"starts under {starts} KB ({starts_cached} KB without libwireshark), a cached run needs {cached} KB")
        c.check(cached - starts_cached > 4096,
                f"loading the entry needs memory of its own: {starts_cached} -> {cached} KB")

        def check_limits(label, args, low, high, named, fresh_entry=None):
            """Eight limits between low and high: exit 0 or 9, the line, no temporary, the entry kept.
            fresh_entry: the capture whose entry a successful run stores, removed again (cold runs)."""
            codes = []
            for i in range(1, 9):
                kb = low + (high - low) * i // 9
                p = run(args, env, kb)
                codes.append(p.returncode)
                what = f"{label} under {kb} KB"
                c.check(p.returncode in (0, 9), f"{what}: exit 0 or 9, not {p.returncode}: {p.stderr[-300:]}")
                if p.returncode == 9:
                    # GLib 2.74 reports some of its own failed allocations itself before aborting
                    # (docs/exit-codes.md): that one line of GLib's may come first, nothing else.
                    c.check(p.stderr.endswith("\n"), f"{what}: the message ends its line: {p.stderr[-300:]!r}")
                    lines = [line for line in p.stderr.splitlines() if line != ""]
                    glib_report = lines[:-1]
                    c.check(lines[-1:] == [f"mptcpanalyzer: error: {named}: out of memory (raise the memory limit, "
                                           "ulimit -v, or use a machine with more memory; the cache was left intact)"]
                            and (glib_report == [] or (len(glib_report) == 1 and GLIB_SELF_ABORT.match(glib_report[0]))),
                            f"{what}: one clear line naming the capture: {p.stderr[-400:]!r}")
                    if glib_report:
                        print(f"{what}: GLib aborted by itself first: {glib_report[0]}")
                c.check(os.listdir(tmp) == [], f"{what}: no temporary left in TMPDIR: {os.listdir(tmp)}")
                now = os.stat(entry) if os.path.exists(entry) else None
                c.check(now is not None and now.st_ino == before.st_ino and now.st_size == before.st_size,
                        f"{what}: the valid cache entry is kept")
                # Besides the entry: the cache's eviction lock and the libwireshark identity record (kept
                # by design, src/capture/README.md) and nothing else, no
                # temporary of a store that ran out.
                others = sorted(set(os.listdir(cache_dir)) - {os.path.basename(entry), ".evict.lock", "libwireshark-identity"})
                if p.returncode == 0 and fresh_entry:
                    c.check(len(others) == 1 and others[0].endswith(".mptable"),
                            f"{what}: the run stored its entry: {others}")
                    for name in others:
                        os.unlink(os.path.join(cache_dir, name))
                else:
                    c.check(others == [], f"{what}: nothing else in the cache folder: {others}")
            c.check(9 in codes, f"{label}: some limit ran out of memory (exit 9): {codes}")
            return codes

        check_limits("cached run", ["list-tcp", "-r", big], starts_cached, cached, big)

        # Cold runs: a second copy of the capture has no entry, so libwireshark reads it; the
        # first copy's entry must come through untouched.
        other = os.path.join(work, "other.pcapng")
        shutil.copyfile(big, other)
        cold_args = ["list-tcp", "-r", other]
        cold_needs = lowest_passing(starts, 8 * 1024 * 1024, lambda kb: cold_run_passes(kb))
        print(f"a cold run needs {cold_needs} KB")
        codes = check_limits("cold run", cold_args, starts, cold_needs, other, fresh_entry=other)
        # The ones near the top run out inside libwireshark's dissection, past its start-up.
        c.check(codes[-1] == 9 or codes[-2] == 9, f"cold run: the highest limits ran out while reading: {codes}")
        nocache = check_limits("--no-cache run", ["--no-cache", *cold_args], starts,
                               lowest_passing(starts, 8 * 1024 * 1024,
                                              lambda kb: run(["--no-cache", *cold_args], env, kb).returncode == 0),
                               other)
        print(f"exit codes: cold {codes}, --no-cache {nocache}")

        # A crash (or a crash signal sent by someone) removes the temporary Wireshark folder, and
        # the process still ends with that signal (a real crash stays a crash, with its core). An
        # abort with memory to spare stays an abort: only one where memory ran out exits 9.
        for sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT):
            proc = subprocess.Popen([PROGRAM, "--no-cache", "list-tcp", "-r", other], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 60
            while not os.listdir(tmp) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            made = os.listdir(tmp)
            time.sleep(0.2)  # into the dissection
            proc.send_signal(sig)
            proc.communicate(timeout=600)
            c.check(made != [], f"{sig.name}: the run made its temporary folder first: {made}")
            c.check(proc.returncode == -sig, f"{sig.name}: the process ends with that signal: {proc.returncode}")
            c.check(os.listdir(tmp) == [], f"{sig.name}: no temporary left in TMPDIR: {os.listdir(tmp)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
