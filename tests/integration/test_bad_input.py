"""Bad inputs give one clear message naming the file, the documented exit code
(docs/exit-codes.md), no crash and no output file left behind; damaged-but-usable inputs
(a capture cut off in the middle of a packet, a gzip-compressed capture) work.

Every capture used here is derived from the smallest capture of tests/data (the corpus), copied
into a temporary folder first; the test fails when tests/data holds no capture."""

import csv
import glob
import gzip
import io
import os
import random
import shutil
import stat
import subprocess
import tempfile
import time

from common import DATA_DIR, PROGRAM, Checker, tshark_env

# Exit codes of analyzer/include/mptcpanalyzer/util/error.hpp.
OK, FAILURE, USAGE, INPUT_MISSING, INPUT_INVALID, NO_DATA, OUTPUT_FAILED = 0, 1, 2, 3, 4, 5, 6

SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "MemorySanitizer",
                   "UndefinedBehaviorSanitizer", "runtime error:", "Segmentation fault", "core dumped",
                   "terminate called", "internal error")
ERROR_PREFIX = "mptcpanalyzer: error:"
# libwireshark's init.lua prints this when run as root; it is not our message (see the report).
FOREIGN_NOISE = ('Running as user "root"',)

checker = Checker("bad input")
WORK = tempfile.mkdtemp(prefix="mptcp-test-badinput-")
os.chmod(WORK, 0o755)  # the unprivileged run must reach its files
ENV = {"HOME": os.path.join(WORK, "home"), "XDG_CACHE_HOME": os.path.join(WORK, "xdg-cache")}


def pick_capture():
    """The smallest uncompressed capture of tests/data, or None."""
    files = [f for f in glob.glob(os.path.join(DATA_DIR, "*.pcap*"))
             if f.endswith((".pcap", ".pcapng")) and os.path.isfile(f) and os.path.getsize(f) > 0]
    return min(files, key=os.path.getsize) if files else None


def run(args, env=None, prefix=(), timeout=300):
    e = dict(os.environ)
    e.update(ENV)
    if env:
        e.update(env)
    return subprocess.run([*prefix, PROGRAM, *args], capture_output=True, text=True, errors="replace",
                          env=e, timeout=timeout, cwd=WORK)


def no_crash(proc, what):
    ok = checker.check(proc.returncode >= 0 and proc.returncode < 128,
                       f"{what}: killed by a signal (exit {proc.returncode})")
    marks = [m for m in SANITIZER_MARKS if m in proc.stderr]
    return checker.check(not marks, f"{what}: crash/sanitizer report in stderr ({marks}): {proc.stderr[-2000:]}") and ok


def our_lines(stderr):
    """stderr lines, without -v debug lines and libwireshark's root notice."""
    return [l for l in stderr.splitlines()
            if l.strip() and not l.startswith(FOREIGN_NOISE) and not l.startswith("mptcpanalyzer: debug:")]


def leftovers(folder, name):
    return sorted(f for f in os.listdir(folder) if f == name or f.startswith(f".{name}.tmp-"))


def expect_error(what, args, code, names=(), out_dir=None, out_name=None, env=None, prefix=()):
    """Runs the program, expects exit `code`, one `mptcpanalyzer: error:` line naming every
    string of `names`, no crash, and no output (nor temporary) left in out_dir."""
    proc = run(args, env=env, prefix=prefix)
    no_crash(proc, what)
    checker.check(proc.returncode == code, f"{what}: exit {proc.returncode}, expected {code}; stderr: {proc.stderr.strip()}")
    lines = our_lines(proc.stderr)
    errors = [l for l in lines if l.startswith(ERROR_PREFIX)]
    # One error line (a usage error may add a "Run with --help" hint).
    others = [l for l in lines if not l.startswith(ERROR_PREFIX) and not l.startswith("Run with --help")]
    checker.check(len(errors) == 1 and not others,
                  f"{what}: expected exactly one line starting with '{ERROR_PREFIX}', got: {lines}")
    for n in names:
        checker.check(any(n in l for l in errors), f"{what}: the error message does not name {n!r}: {lines}")
    if out_dir is not None:
        left = leftovers(out_dir, out_name)
        checker.check(not left, f"{what}: output left behind in {out_dir}: {left}")
    checker.check(proc.stdout == "", f"{what}: unexpected standard output: {proc.stdout[:200]!r}")
    print(f"{what}: exit {proc.returncode}: {' | '.join(lines)}")
    return proc


def out_args(tag):
    folder = os.path.join(WORK, "out-" + tag)
    os.makedirs(folder, exist_ok=True)
    return folder, "out.csv", ["-o", os.path.join(folder, "out.csv")]


def bad_capture(what, path, code, extra_args=(), **kw):
    folder, name, o = out_args(what.replace(" ", "_").replace("/", "_"))
    return expect_error(what, ["export", "-r", path, *o, *extra_args], code, names=(path,),
                        out_dir=folder, out_name=name, **kw)


def tshark_frames(capture):
    """Frame numbers of the TCP frames tshark reads (one pass), even from a cut-off file."""
    proc = subprocess.run(["tshark", "-n", "-r", capture, "-Y", "tcp", "-T", "fields", "-e", "frame.number"],
                          capture_output=True, text=True, env=tshark_env())
    return [int(x) for x in proc.stdout.split()], proc


def csv_frames(text):
    # (The export's `#key: value` metadata lines come before the header.)
    rows = csv.DictReader(line for line in io.StringIO(text) if not line.startswith("#"))
    return sorted({int(r["frame_number"]) for r in rows})


def make_zero_packets(real, dest):
    for cmd in (["editcap", "-r", real, dest, "0"], ["tshark", "-r", real, "-Y", "frame.number==0", "-w", dest]):
        if os.path.exists(dest):
            os.unlink(dest)
        p = subprocess.run(cmd, capture_output=True, text=True, env=tshark_env())
        if p.returncode == 0 and os.path.exists(dest):
            count = subprocess.run(["tshark", "-r", dest], capture_output=True, text=True, env=tshark_env())
            if count.returncode == 0 and count.stdout.strip() == "":
                return True
    return False


def make_cut(real, dest):
    """`real` cut at ~60% of its size, at a point tshark reports as inside a packet."""
    with open(real, "rb") as f:
        data = f.read()
    for at in range(len(data) * 6 // 10, len(data) * 6 // 10 + 64):
        with open(dest, "wb") as f:
            f.write(data[:at])
        frames, proc = tshark_frames(dest)
        if frames and "cut short" in proc.stderr:
            return frames
    return None


def main():
    real_src = pick_capture()
    if not checker.check(real_src is not None, f"no capture (*.pcap, *.pcapng) in {DATA_DIR}: the corpus is missing"):
        checker.finish()
    print(f"base capture: {real_src}")
    ext = ".pcapng" if real_src.endswith(".pcapng") else ".pcap"
    real = os.path.join(WORK, "real" + ext)
    shutil.copyfile(real_src, real)
    os.makedirs(ENV["HOME"], exist_ok=True)

    reference = run(["--no-cache", "export", "-r", real, "-o", "-"])
    if not checker.check(reference.returncode == 0 and reference.stdout.count("\n") > 1,
                         f"the base capture itself must export: exit {reference.returncode}: {reference.stderr}"):
        checker.finish()
    no_crash(reference, "base capture")

    # --- output to a file and to stdout ------------------------------------------------------
    folder, name, o = out_args("good")
    p = run(["--no-cache", "export", "-r", real, *o])
    checker.check(p.returncode == 0, f"export -o FILE: exit {p.returncode}: {p.stderr}")
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        checker.check(f.read() == reference.stdout, "export -o FILE and -o - differ")
    checker.check(leftovers(folder, name) == [name], f"export -o FILE: temporaries left: {leftovers(folder, name)}")
    checker.check(p.stdout == "", "export -o FILE also wrote to standard output")

    # --- the input file cannot be opened (3) ------------------------------------------------
    bad_capture("missing file", os.path.join(WORK, "no-such-capture.pcapng"), INPUT_MISSING)
    directory = os.path.join(WORK, "a-directory.pcapng")
    os.makedirs(directory)
    bad_capture("directory", directory, INPUT_MISSING)

    unreadable = os.path.join(WORK, "unreadable" + ext)
    shutil.copyfile(real, unreadable)
    os.chmod(unreadable, 0)
    prefix = ()
    reason = None
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        prefix = (setpriv, "--reuid=65534", "--regid=65534", "--clear-groups") if setpriv else ()
        if not setpriv:
            reason = "setpriv is not installed"
        elif subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
            reason = "setpriv cannot switch to uid 65534 here"
        elif subprocess.run([*prefix, PROGRAM, "version"], capture_output=True,
                            env={**os.environ, **ENV}).returncode != 0:
            reason = f"uid 65534 cannot run {PROGRAM} (a parent folder is private?)"
    if reason:
        print(f"SKIP unreadable file: running as root and {reason}")
    else:
        nobody = os.path.join(WORK, "nobody")
        os.makedirs(nobody)
        os.chmod(nobody, 0o777)
        out = os.path.join(nobody, "out.csv")
        expect_error("unreadable file (mode 000)", ["export", "-r", unreadable, "-o", out], INPUT_MISSING,
                     names=(unreadable,), out_dir=nobody, out_name="out.csv", prefix=prefix,
                     env={"HOME": nobody, "XDG_CACHE_HOME": os.path.join(nobody, "cache")})

    # --- not a capture, or a damaged header (4) ---------------------------------------------
    samples = {
        "text file (one line)": b"hello\n",
        "text file (README-like)": b"# mptcpanalyzer\n\nAnalyses MPTCP packet captures.\n" * 20,
        "CSV file": b"frame_number,time_ns\n1,2\n3,4\n",
        # Fixed bytes, not os.urandom: about one random 4 KiB in 200 passes wiretap's ASN.1 BER
        # heuristic and is then a one-frame capture with no TCP (exit 5, as tshark reads it too).
        "random bytes": random.Random(1).randbytes(4096),
    }
    for what, content in samples.items():
        path = os.path.join(WORK, what.replace(" ", "_").replace("(", "").replace(")", "") + ".pcapng")
        with open(path, "wb") as f:
            f.write(content)
        if what == "random bytes":  # the premise, from wiretap's own tool: no format recognises them
            checker.check(subprocess.run(["captype", path], capture_output=True, text=True).stdout.strip()
                          .endswith(": unknown"), f"{what}: captype recognises no capture format in them")
        bad_capture(what, path, INPUT_INVALID)
    empty = os.path.join(WORK, "empty.pcapng")
    open(empty, "wb").close()
    bad_capture("empty (0-byte) file", empty, INPUT_INVALID)

    with open(real, "rb") as f:
        head = f.read(200)
    cuts = [20, 60, 118] if ext == ".pcapng" else [10, 20]
    for n in cuts:
        path = os.path.join(WORK, f"header-cut-{n}{ext}")
        with open(path, "wb") as f:
            f.write(head[:n])
        bad_capture(f"{ext} cut inside its file header at byte {n}", path, INPUT_INVALID)
    if ext == ".pcapng":
        as_pcap = os.path.join(WORK, "real.pcap")
        if subprocess.run(["editcap", "-F", "pcap", real, as_pcap], capture_output=True).returncode == 0:
            with open(as_pcap, "rb") as f:
                phead = f.read(24)
            for n in (10, 20):
                path = os.path.join(WORK, f"header-cut-{n}.pcap")
                with open(path, "wb") as f:
                    f.write(phead[:n])
                bad_capture(f".pcap cut inside its file header at byte {n}", path, INPUT_INVALID)

    # --- no packets / no TCP (5) ------------------------------------------------------------
    zero = os.path.join(WORK, "zero-packets.pcapng")
    if checker.check(make_zero_packets(real, zero), "could not derive a capture with zero packets"):
        bad_capture("capture with zero packets", zero, NO_DATA)
    hexdump = os.path.join(WORK, "udp.hex")
    with open(hexdump, "w") as f:
        f.write("0000  68 65 6c 6c 6f 20 77 6f 72 6c 64 0a\n")
    udp = os.path.join(WORK, "udp-only.pcapng")
    t2p = subprocess.run(["text2pcap", "-q", "-u", "5000,6000", hexdump, udp], capture_output=True, text=True)
    if checker.check(t2p.returncode == 0, f"text2pcap failed: {t2p.stderr}"):
        bad_capture("capture with no TCP (UDP only)", udp, NO_DATA)

    # --- output destination (6): fails before any dissection --------------------------------
    cache_dir = os.path.join(WORK, "output-cache")
    p = expect_error("unwritable output (-o /nonexistent-dir/out.csv)",
                     ["-v", "--cache-dir", cache_dir, "export", "-r", real, "-o", "/nonexistent-dir/out.csv"],
                     OUTPUT_FAILED, names=("/nonexistent-dir/out.csv",))
    # -v adds debug lines: expect_error's one-line check is done again on the non-debug lines.
    checker.check(not any("cache:" in l for l in p.stderr.splitlines()) and not os.path.exists(cache_dir),
                  "unwritable output: the capture was loaded/dissected before the output was opened")
    # A destination that is not a regular file is written to, never replaced (as root, replacing
    # would turn /dev/null into a regular file). Only copies inside WORK are used here.
    fifo = os.path.join(WORK, "out.fifo")
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so the writer's open does not block
    e = dict(os.environ)
    e.update(ENV)
    proc = subprocess.Popen([PROGRAM, "--no-cache", "export", "-r", real, "-o", fifo], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=e, cwd=WORK)
    got = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        running = proc.poll() is None
        try:
            chunk = os.read(reader, 1 << 16)  # read while it runs: the CSV is larger than a pipe
        except BlockingIOError:
            chunk = None
        if chunk:
            got += chunk
        elif not running:
            break
        else:
            time.sleep(0.01)
    if proc.poll() is None:
        proc.kill()
    err = proc.communicate()[1]
    p = subprocess.CompletedProcess(proc.args, proc.returncode, "", err)
    os.close(reader)
    checker.check(stat.S_ISFIFO(os.lstat(fifo).st_mode),
                  "-o FIFO: the FIFO was replaced by a regular file (output renamed over a special file)")
    checker.check(p.returncode == OK and got.decode("utf-8", "replace") == reference.stdout,
                  f"-o FIFO: exit {p.returncode}, {len(got)} bytes received, expected the CSV: {p.stderr}")
    if os.geteuid() == 0:
        devnull = os.path.join(WORK, "null")
        if subprocess.run(["mknod", "-m", "666", devnull, "c", "1", "3"], capture_output=True).returncode == 0:
            p = run(["--no-cache", "export", "-r", real, "-o", devnull])
            checker.check(stat.S_ISCHR(os.lstat(devnull).st_mode),
                          "-o <copy of /dev/null>: the device was replaced by a regular file")
            checker.check(p.returncode == OK, f"-o <copy of /dev/null>: exit {p.returncode}: {p.stderr}")
            full = os.path.join(WORK, "full")
            if subprocess.run(["mknod", "-m", "666", full, "c", "1", "7"], capture_output=True).returncode == 0:
                p = run(["--no-cache", "export", "-r", real, "-o", full])
                checker.check(stat.S_ISCHR(os.lstat(full).st_mode),
                              "-o <copy of /dev/full>: the device was replaced by a regular file")
                checker.check(p.returncode == OUTPUT_FAILED and full in p.stderr,
                              f"-o <copy of /dev/full> (no space left): exit {p.returncode}, expected 6: {p.stderr}")
    # -o - with a full standard output (the real /dev/full, only opened, never replaced).
    if os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode):
        e = dict(os.environ)
        e.update(ENV)
        with open("/dev/full", "wb") as full_out:
            proc = subprocess.run([PROGRAM, "--no-cache", "export", "-r", real, "-o", "-"], stdout=full_out,
                                  stderr=subprocess.PIPE, text=True, env=e, timeout=300)
        no_crash(proc, "-o - to a full device")
        errors = [l for l in our_lines(proc.stderr) if l.startswith(ERROR_PREFIX)]
        checker.check(proc.returncode == OUTPUT_FAILED, f"-o - to a full device: exit {proc.returncode}, expected 6")
        checker.check(len(errors) == 1 and "standard output" in errors[0],
                      f"-o - to a full device: the message must name standard output: {proc.stderr.strip()}")
    # -o naming the input capture itself must not destroy the capture (tshark -w refuses too).
    same = os.path.join(WORK, "same" + ext)
    shutil.copyfile(real, same)
    p = run(["--no-cache", "export", "-r", same, "-o", same])
    with open(same, "rb") as f, open(real, "rb") as g:
        intact = f.read() == g.read()
    checker.check(intact and p.returncode in (USAGE, OUTPUT_FAILED) and same in p.stderr,
                  f"-o <the input capture>: capture intact {intact}, exit {p.returncode} (expected 2 or 6 "
                  f"and a message naming it): {p.stderr.strip()}")
    # Unusual but valid names work.
    odd = os.path.join(WORK, "-a capture with spaces, é.pcapng" if ext == ".pcapng" else "-a capture é.pcap")
    shutil.copyfile(real, odd)
    p = run(["--no-cache", "export", "-r", odd, "-o", os.path.join(WORK, "out é,1.csv")])
    with open(os.path.join(WORK, "out é,1.csv"), encoding="utf-8") as f:
        checker.check(p.returncode == OK and f.read() == reference.stdout, f"unusual file names: exit {p.returncode}: {p.stderr}")
    target_dir = os.path.join(WORK, "link-target")
    os.makedirs(target_dir)
    target = os.path.join(target_dir, "real-out.csv")
    open(target, "w").close()
    link = os.path.join(WORK, "out-link.csv")
    os.symlink(target, link)
    p = run(["--no-cache", "export", "-r", real, "-o", link])
    with open(target, encoding="utf-8") as f:
        through = f.read()
    checker.check(os.path.islink(link) and through == reference.stdout,
                  f"-o SYMLINK: expected the output written through the link into {target} "
                  f"(link kept: {os.path.islink(link)}, target {len(through)} bytes)")

    ro = os.path.join(WORK, "readonly-dir")
    os.makedirs(ro)
    if os.geteuid() != 0:
        os.chmod(ro, 0o555)
        expect_error("output in a read-only folder", ["export", "-r", real, "-o", os.path.join(ro, "out.csv")],
                     OUTPUT_FAILED, names=(os.path.join(ro, "out.csv"),), out_dir=ro, out_name="out.csv")

    # --- usage errors (2) -------------------------------------------------------------------
    folder, name, o = out_args("usage-format")
    expect_error("bad option value (--format xml)", ["export", "-r", real, *o, "--format", "xml"], USAGE,
                 names=("xml",), out_dir=folder, out_name=name)
    folder, name, o = out_args("usage-pref")
    expect_error("bad Wireshark preference", ["--wireshark-pref", "nosuch.pref:1", "export", "-r", real, *o], USAGE,
                 names=("nosuch.pref",), out_dir=folder, out_name=name)

    # --- a capture cut off in the middle of a packet: works, with a warning (0) ----------------
    cut = os.path.join(WORK, "cut" + ext)
    expected = make_cut(real, cut)
    if checker.check(expected is not None, "could not make a capture cut in the middle of a packet"):
        for mode in (["--no-cache"], [], []):  # direct read, then a cache miss, then a cache hit
            folder, name, o = out_args("cut")
            p = run([*mode, "export", "-r", cut, *o])
            what = f"cut-off capture ({' '.join(mode) or 'cache'})"
            no_crash(p, what)
            if not checker.check(p.returncode == OK, f"{what}: exit {p.returncode}: {p.stderr}"):
                continue
            warnings = [l for l in our_lines(p.stderr) if l.startswith("mptcpanalyzer: warning:")]
            checker.check(len(warnings) == 1 and cut in warnings[0] and "cut off" in warnings[0],
                          f"{what}: expected one warning naming {cut} and saying it is cut off: {p.stderr}")
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                ours = csv_frames(f.read())
            checker.check(ours == sorted(set(expected)),
                          f"{what}: frames {ours[:3]}..{ours[-3:]} ({len(ours)}) differ from tshark's "
                          f"{expected[:3]}..{expected[-3:]} ({len(expected)})")
            print(f"{what}: {len(ours)} frames, warning: {warnings[:1]}")

    # --- a gzip-compressed capture works and gives the same CSV ------------------------------
    gz = os.path.join(WORK, "compressed" + ext + ".gz")
    with open(real, "rb") as src, gzip.open(gz, "wb") as dst:
        shutil.copyfileobj(src, dst)
    for mode in (["--no-cache"], []):
        p = run([*mode, "export", "-r", gz, "-o", "-"])
        no_crash(p, "gzip capture")
        checker.check(p.returncode == OK, f"gzip capture {mode}: exit {p.returncode}: {p.stderr}")
        checker.check(p.stdout == reference.stdout, f"gzip capture {mode}: CSV differs from the uncompressed one")

    checker.finish()


if __name__ == "__main__":
    try:
        main()
    finally:
        for root, dirs, files in os.walk(WORK):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(WORK, ignore_errors=True)
