"""Running out of memory (ulimit -v) while loading a valid cache entry exits 9 with a clear message,
keeps the entry, and leaves no temporary folder behind. Running out while libwireshark reads the
capture is printed as a known gap (GLib aborts, 134, or the dissector crashes, 139), not checked.

Needs a build without AddressSanitizer (its shadow memory does not fit under any ulimit -v): ctest
registers it only in such builds (the release preset), and CI runs it on the release program
(tools/dev/test.sh, hardening block). The limits are found by bisection on this machine, not
pasted: the lowest limit the program starts under, and the lowest one a cached run needs; limits
in between must each end in success or exit 9, and at least one in exit 9."""

import glob
import os
import resource
import shutil
import subprocess
import sys
import tempfile

from common import DATA_DIR, PROGRAM, Checker

SOURCE = os.path.join(DATA_DIR, "basic.client.pcapng")
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
    if "asan" in subprocess.run(["ldd", PROGRAM], capture_output=True, text=True).stdout:
        print(f"{PROGRAM} is built with AddressSanitizer: ulimit -v cannot apply (run on a release build)")
        sys.exit(77)
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
        before = os.stat(entry)
        print(f"cache entry: {before.st_size} bytes")

        starts = lowest_passing(16 * 1024, 4 * 1024 * 1024, lambda kb: run(["version"], env, kb).returncode == 0)
        cached = lowest_passing(starts, 4 * 1024 * 1024,
                                lambda kb: run(["list-tcp", "-r", big], env, kb).returncode == 0)
        print(f"starts under {starts} KB, a cached run needs {cached} KB")
        c.check(cached - starts > 4096, f"loading the entry needs memory of its own: {starts} -> {cached} KB")

        def check_limits(label, args, low, high, expect_entry_kept):
            codes = []
            for i in range(1, 9):
                kb = low + (high - low) * i // 9
                p = run(args, env, kb)
                codes.append(p.returncode)
                what = f"{label} under {kb} KB"
                c.check(p.returncode in (0, 9), f"{what}: exit 0 or 9, not {p.returncode}: {p.stderr[-300:]}")
                if p.returncode == 9:
                    c.check("error: out of memory" in p.stderr and p.stderr.count("\n") == 1,
                            f"{what}: one clear line: {p.stderr[-300:]!r}")
                c.check(os.listdir(tmp) == [], f"{what}: no temporary left in TMPDIR: {os.listdir(tmp)}")
                if expect_entry_kept:
                    now = os.stat(entry) if os.path.exists(entry) else None
                    c.check(now is not None and now.st_ino == before.st_ino and now.st_size == before.st_size,
                            f"{what}: the valid cache entry is kept")
            c.check(9 in codes, f"{label}: some limit ran out of memory (exit 9): {codes}")

        check_limits("cached run", ["list-tcp", "-r", big], starts, cached, True)
        unlimited_nocache = lowest_passing(starts, 8 * 1024 * 1024,
                                           lambda kb: run(["--no-cache", "list-tcp", "-r", big], env, kb).returncode == 0)
        # Inside libwireshark a failed allocation is GLib's abort (its allocator logs through
        # Wireshark's log writer, past our handler) or a crash of the dissector: not fixed yet
        # (docs/exit-codes.md, 9). Shown, not failed, so CI keeps checking the rest.
        for i in range(1, 9):
            kb = starts + (unlimited_nocache - starts) * i // 9
            p = run(["--no-cache", "list-tcp", "-r", big], env, kb)
            print(f"known gap: reading the capture under {kb} KB: exit {p.returncode}, "
                  f"temporaries left: {len(os.listdir(tmp))}")
            for name in os.listdir(tmp):
                shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
