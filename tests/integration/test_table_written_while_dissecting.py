"""The cold path writes the packet table to disk while libwireshark dissects (issue 17): the rows
go to unnamed files in the cache folder (--no-cache: in $TMPDIR) as they are read, so the table
is never whole in memory. Proved without timing: MPTCPANALYZER_TEST_PAUSE_READ stops the run
(SIGSTOP, which the parent waits for) just before the last frames of the capture are read, and
the test looks at the files the stopped process holds open. MPTCPANALYZER_TEST_SPILL_ROWS makes
a small corpus capture spill many times.

Also: a run ended by SIGTERM in the middle leaves no cache entry and no temporary; --no-cache
leaves nothing in the cache folder (not even the folder) nor in $TMPDIR; and the outputs and the
cache file itself are byte-identical whether the table was spilled in chunks of 7 rows or built
whole in memory, cold, cached and with --no-cache."""

import os
import shutil
import signal
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, tshark_fields

SPILL_ROWS = 64
CAPTURE = os.path.join(DATA_DIR, "path_recovers.client.pcapng")
OUTPUT_CAPTURES = ["path_recovers.client.pcapng", "reinject.server.pcapng", "addaddr.client.pcapng",
                   "ipv6.client.pcapng", "mpfail.client.pcapng"]


def env_for(tmp, **extra):
    env = dict(os.environ, TMPDIR=tmp, MPTCPANALYZER_NO_PLUGINS="1")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.update(extra)
    return env


def unnamed_files_in(pid, folder):
    """Sizes of the files the process `pid` holds open in `folder` that have no name any more."""
    sizes = []
    fd_dir = f"/proc/{pid}/fd"
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, fd))
            size = os.stat(os.path.join(fd_dir, fd)).st_size
        except OSError:
            continue
        if target.startswith(folder + "/") and target.endswith(" (deleted)"):
            sizes.append(size)
    return sizes


def start_paused(args, env):
    """Starts the program and waits until it stops itself (SIGSTOP); returns the process."""
    proc = subprocess.Popen([PROGRAM, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status = os.waitpid(proc.pid, os.WUNTRACED)
    return proc, os.WIFSTOPPED(status)


def main():
    c = Checker("table written while dissecting")
    work = tempfile.mkdtemp(prefix="mptcp-test-spool-")
    try:
        name = os.path.basename(CAPTURE)
        tcp_frames = [int(row[0]) for row in tshark_fields(CAPTURE, ["frame.number"])]
        # Stop after the frame that leaves 5 TCP segments unread: rows up to it are known.
        pause_frame = tcp_frames[-6]
        rows_read = sum(1 for f in tcp_frames if f <= pause_frame)
        rows_spilled = rows_read // SPILL_ROWS * SPILL_ROWS
        c.check(rows_spilled >= 2 * SPILL_ROWS, f"the capture spills several times ({rows_read} rows read)")

        # Cold run with a cache: the rows are in unnamed files of the cache folder before the
        # capture is read to its end; the folder names nothing yet. Then SIGTERM.
        tmp = os.path.join(work, "tmp-cold")
        cache = os.path.join(work, "cache-cold")
        os.makedirs(tmp)
        env = env_for(tmp, MPTCPANALYZER_TEST_SPILL_ROWS=str(SPILL_ROWS),
                      MPTCPANALYZER_TEST_PAUSE_READ=f"{name}:{pause_frame}")
        proc, stopped = start_paused(["--cache-dir", cache, "list-tcp", "-r", CAPTURE], env)
        c.check(stopped, "the cold run stopped itself in the middle of the capture")
        if stopped:
            sizes = unnamed_files_in(proc.pid, cache)
            total = sum(sizes)
            c.check(total > 0, f"rows are on disk before the capture is read to its end: {sizes}")
            # Exactly the rows read so far, rounded down to the chunk: a whole number of bytes per row.
            c.check(total % rows_spilled == 0 and 40 <= total // rows_spilled <= 400,
                    f"{total} bytes spooled for {rows_spilled} rows spilled ({rows_read} read)")
            c.check(os.listdir(cache) == [], f"the cache folder names nothing during the read: {os.listdir(cache)}")
            proc.send_signal(signal.SIGTERM)
            os.kill(proc.pid, signal.SIGCONT)
        proc.communicate(timeout=300)
        c.check(proc.returncode == -signal.SIGTERM, f"ended by SIGTERM (status {proc.returncode})")
        c.check(os.listdir(cache) == [], f"no entry and no temporary after SIGTERM: {os.listdir(cache)}")
        c.check(os.listdir(tmp) == [], f"nothing left in TMPDIR after SIGTERM: {os.listdir(tmp)}")

        # --no-cache: the rows go to unnamed files of TMPDIR; the cache folder is never made.
        tmp = os.path.join(work, "tmp-nocache")
        cache = os.path.join(work, "cache-nocache")
        os.makedirs(tmp)
        proc, stopped = start_paused(["--cache-dir", cache, "--no-cache", "list-tcp", "-r", CAPTURE], env_for(
            tmp, MPTCPANALYZER_TEST_SPILL_ROWS=str(SPILL_ROWS), MPTCPANALYZER_TEST_PAUSE_READ=f"{name}:{pause_frame}"))
        c.check(stopped, "the --no-cache run stopped itself in the middle of the capture")
        if stopped:
            total = sum(unnamed_files_in(proc.pid, tmp))
            c.check(total > 0 and total % rows_spilled == 0, f"--no-cache: {total} bytes in TMPDIR for {rows_spilled} rows")
            os.kill(proc.pid, signal.SIGCONT)
        out, err = proc.communicate(timeout=300)
        c.check(proc.returncode == 0, f"--no-cache run completes: {err[-300:]}")
        c.check(not os.path.exists(cache), "--no-cache made no cache folder")
        c.check(os.listdir(tmp) == [], f"--no-cache left nothing in TMPDIR: {os.listdir(tmp)}")

        # Outputs and cache files: spilled in chunks of 7 rows or not at all, cold, cached, --no-cache.
        tmp = os.path.join(work, "tmp-outputs")
        os.makedirs(tmp)
        for capture_name in OUTPUT_CAPTURES:
            capture = os.path.join(DATA_DIR, capture_name)
            if not os.path.exists(capture):
                c.check(False, f"{capture_name} is in tests/data")
                continue
            results = {}
            for spill in ("7", None):
                extra = {"MPTCPANALYZER_TEST_SPILL_ROWS": spill} if spill else {}
                cache = os.path.join(work, f"cache-{capture_name}-{spill}")
                for run in ("cold", "cached", "no-cache"):
                    args = ["--cache-dir", cache] + (["--no-cache"] if run == "no-cache" else [])
                    proc = subprocess.run([PROGRAM, *args, "export", "-r", capture], env=env_for(tmp, **extra),
                                          capture_output=True)
                    c.check(proc.returncode == 0, f"{capture_name} {run} spill={spill}: {proc.stderr[-300:]!r}")
                    results[(spill, run)] = proc.stdout
                entries = [f for f in os.listdir(cache) if f.endswith(".mptable")]
                # The eviction lock and the libwireshark identity record (src/capture/README.md) are kept by design.
                others = [f for f in os.listdir(cache) if f not in entries and f not in (".evict.lock", "libwireshark-identity")]
                c.check(len(entries) == 1 and not others, f"{capture_name}: one entry: {os.listdir(cache)}")
                with open(os.path.join(cache, entries[0]), "rb") as f:
                    results[(spill, "file")] = f.read()
            reference = results[(None, "no-cache")]
            c.check(len(reference) > 0, f"{capture_name}: an export")
            for key, value in results.items():
                if key[1] != "file":
                    c.check(value == reference, f"{capture_name}: export {key} equals the unspilled --no-cache one")
            c.check(results[("7", "file")] == results[(None, "file")],
                    f"{capture_name}: the cache file written in chunks of 7 rows is the one written whole")
        c.check(os.listdir(tmp) == [], f"nothing left in TMPDIR: {os.listdir(tmp)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
