"""A run served from the cache never loads libwireshark (issue 17); a run that dissects loads it
from the capture module, and a missing or unloadable module is a clear error with exit 7.

- The program itself does not need libwireshark, libwiretap or libwsutil (readelf -d: not in its
  DT_NEEDED); the capture module next to it does.
- Cold runs load libwireshark (the dynamic linker's own log, LD_DEBUG=files, names it; and the
  maps of a run stopped in the middle of its read show it); cached runs of every golden command
  do not, and even succeed with the module made unfindable. Their outputs are the golden files
  (tests/golden/), byte for byte.
- The cached run's peak resident memory (the kernel's ru_maxrss) above the program's `--help`
  (which does not load libwireshark either) is below libwireshark's private dirty pages in the cold run (its relocations, which loading
  it alone costs): a run that loaded libwireshark could not be.
- The libwireshark version of a cached entry is tshark's (the same system library) although the
  run did not load it; the record that lets it (libwireshark-identity, in the cache folder) is
  not trusted once what decides the library changes (LD_LIBRARY_PATH, the library file): the
  run then loads libwireshark to ask, still hits the cache, and records the new identity.
- MPTCPANALYZER_CAPTURE_MODULE pointing at a missing file, a file that is not a shared object
  (the message ends with dlerror's own words, as Python's ctypes reports them) or a shared object
  that is not ours: exit 7 (Environment, docs/exit-codes.md) with one line naming the module;
  `version` the same; `checkhealth` reports a failed line and exits 7; `--help` still works."""

import ctypes
import ctypes.util
import os
import re
import shutil
import signal
import subprocess
import tempfile

import golden_cases
from common import DATA_DIR, PROGRAM, SOURCE_DIR, Checker, tshark_env

MODULE = os.path.join(os.path.dirname(PROGRAM), "mptcpanalyzer-capture.so")
WIRESHARK_LIBRARIES = ("libwireshark.so", "libwiretap.so", "libwsutil.so")
GOLDEN_DIR = os.path.join(SOURCE_DIR, "tests", "golden")
CAPTURES = ["basic.client", "reinject.client"]
EXIT_ENVIRONMENT = 7


def env_for(work, **extra):
    env = dict(os.environ, MPTCPANALYZER_NO_PLUGINS="1", TMPDIR=work)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    env.pop("MPTCPANALYZER_CAPTURE_MODULE", None)
    env.update(extra)
    return env


def needed(path):
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def run(args, env):
    """(exit code, stdout bytes, stderr text) of the program."""
    proc = subprocess.run([PROGRAM, *args], env=env, capture_output=True)
    return proc.returncode, proc.stdout, proc.stderr.decode(errors="replace")


def run_peak(args, env):
    """(exit code, stdout bytes, peak resident KiB): ru_maxrss of exactly this child."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([PROGRAM, *args], env=env, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        return proc.returncode, out.read(), usage.ru_maxrss


def libwireshark_loaded(args, env, work):
    """Runs with the dynamic linker's file log: (exit code, stdout, loaded libwireshark?)."""
    log_prefix = os.path.join(work, "ld-debug")
    for name in os.listdir(work):
        if name.startswith("ld-debug"):
            os.unlink(os.path.join(work, name))
    code, out, err = run(args, dict(env, LD_DEBUG="files", LD_DEBUG_OUTPUT=log_prefix))
    text = ""
    for name in os.listdir(work):
        if name.startswith("ld-debug"):
            with open(os.path.join(work, name), errors="replace") as f:
                text += f.read()
    if not text:
        raise AssertionError("LD_DEBUG wrote no log: the probe itself does not work")
    return code, out, err, "libwireshark.so" in text


def golden(name):
    with open(os.path.join(GOLDEN_DIR, name), "rb") as f:
        return f.read()


def wireshark_version():
    """The version tshark reports: the same system libwireshark (ground truth, not our output)."""
    out = subprocess.run(["tshark", "-v"], capture_output=True, text=True, env=tshark_env(), check=True).stdout
    return re.search(r"\b(\d+\.\d+\.\d+)\b", out.splitlines()[0]).group(1)


def libwireshark_kib(pid):
    """{"Rss": KiB, "Private_Dirty": KiB} of the libwireshark mappings of process `pid` (smaps)."""
    total, current = {"Rss": 0, "Private_Dirty": 0}, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            fields = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                current = fields[5] if len(fields) >= 6 else ""
            elif fields and fields[0].rstrip(":") in total and current and "/libwireshark.so" in current:
                total[fields[0].rstrip(":")] += int(fields[1])
    return total


def main():
    c = Checker("cached run without libwireshark")
    work = tempfile.mkdtemp(prefix="mptcp-test-lazyepan-")
    try:
        # The executable and the module: who needs libwireshark.
        program_needs = needed(PROGRAM)
        c.check(not [n for n in program_needs if n.startswith(WIRESHARK_LIBRARIES)],
                f"the program needs none of {WIRESHARK_LIBRARIES}: {program_needs}")
        c.check(os.path.isfile(MODULE), f"the capture module is next to the program: {MODULE}")
        if os.path.isfile(MODULE):
            c.check(any(n.startswith("libwireshark.so") for n in needed(MODULE)),
                    f"the module needs libwireshark: {needed(MODULE)}")

        # Cold then cached runs of the golden commands, outputs byte for byte the golden files.
        for capture in CAPTURES:
            path = os.path.join(DATA_DIR, capture + ".pcapng")
            cache = os.path.join(work, "cache-" + capture)
            env = env_for(work, XDG_CACHE_HOME=cache)
            for i, (name, args) in enumerate(golden_cases.COMMANDS):
                argv = [args[0], "-r", path, *args[1:]]
                code, out, err, loaded = libwireshark_loaded(argv, env, work)
                what = f"{capture} {' '.join(args)} ({'cold' if i == 0 else 'cached'})"
                c.check(code == 0, f"{what}: exit {code}: {err}")
                c.check(out == golden(f"{capture}.{name}"), f"{what}: output is the golden file's")
                if i == 0:
                    c.check(loaded, f"{what}: libwireshark is loaded to dissect")
                else:
                    c.check(not loaded, f"{what}: libwireshark is not loaded")

        # The version in a cached entry is the loaded library's, known without loading it.
        path = os.path.join(DATA_DIR, "basic.client.pcapng")
        env = env_for(work, XDG_CACHE_HOME=os.path.join(work, "cache-basic.client"))
        code, out, err, loaded = libwireshark_loaded(["export", "-r", path], env, work)
        exported = re.search(rb'^#libwireshark_version: "([^"]*)"$', out, flags=re.M)
        c.check(code == 0 and not loaded and exported and exported.group(1).decode() == wireshark_version(),
                f"a cached export names tshark's libwireshark {wireshark_version()} without loading it: "
                f"{exported.group(1) if exported else None} (exit {code}, loaded {loaded}): {err}")

        # The record is trusted only while what decides the library stays the same.
        record = os.path.join(work, "cache-basic.client", "mptcpanalyzer", "libwireshark-identity")
        c.check(os.path.isfile(record), f"a cold run records the libwireshark it loaded: {record}")
        other_dir = os.path.join(work, "empty-libs")
        os.makedirs(other_dir)
        moved = dict(env, LD_LIBRARY_PATH=other_dir)
        argv = ["mptcp-summary", "-r", path, "0"]
        entries_before = sorted(os.listdir(os.path.dirname(record)))
        code, out, err, loaded = libwireshark_loaded(argv, moved, work)
        c.check(code == 0 and loaded and out == golden("basic.client.mptcp-summary-0.txt"),
                f"another LD_LIBRARY_PATH: libwireshark is loaded to learn its version (exit {code}, loaded {loaded})")
        c.check(sorted(os.listdir(os.path.dirname(record))) == entries_before,
                f"... and the entry still serves the run (no new entry): {os.listdir(os.path.dirname(record))}")
        code, out, err, loaded = libwireshark_loaded(argv, moved, work)
        c.check(code == 0 and not loaded, f"... recorded: the next run with it does not load it (loaded {loaded})")
        if os.path.isfile(record):
            with open(record) as f:
                text = f.read()
            with open(record, "w") as f:
                f.write(re.sub(r"^libwireshark_file=.*$", "libwireshark_file=0 0 0 0", text, flags=re.M))
            code, out, err, loaded = libwireshark_loaded(argv, moved, work)
            c.check(code == 0 and loaded and out == golden("basic.client.mptcp-summary-0.txt"),
                    f"a replaced libwireshark file: it is loaded to learn its version (exit {code}, loaded {loaded})")
            with open(record) as f:
                c.check(f.read() == text, "... and its identity recorded again")

        # Peak memory. The rule: what a cached run adds to the program's own floor (its `--help`,
        # same binary, same sanitizers) is less than libwireshark's private dirty pages, which
        # merely loading it costs (its relocations, written at load). A run that loaded it could
        # not be under that bound.
        capture = os.path.join(DATA_DIR, "reinject.client.pcapng")
        cold_env = env_for(work, XDG_CACHE_HOME=os.path.join(work, "cache-peak"),
                           MPTCPANALYZER_TEST_PAUSE_READ="reinject.client.pcapng:20")
        proc = subprocess.Popen([PROGRAM, "mptcp-summary", "-r", capture, "0"], env=cold_env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status = os.waitpid(proc.pid, os.WUNTRACED)
        lib = {"Rss": 0, "Private_Dirty": 0}
        if c.check(os.WIFSTOPPED(status), "the cold run stopped itself in the middle of its read"):
            with open(f"/proc/{proc.pid}/maps") as f:
                c.check("/libwireshark.so" in f.read(), "a cold run in the middle of its read maps libwireshark")
            lib = libwireshark_kib(proc.pid)
            os.kill(proc.pid, signal.SIGCONT)
            _, status = os.waitpid(proc.pid, 0)
            c.check(os.waitstatus_to_exitcode(status) == 0, "the cold run then ends well")
        cached_env = env_for(work, XDG_CACHE_HOME=os.path.join(work, "cache-peak"))
        code, out, peak = run_peak(["mptcp-summary", "-r", capture, "0"], cached_env)
        c.check(code == 0 and out == golden("reinject.client.mptcp-summary-0.txt"), "the cached run's output")
        # The floor is libwireshark-free (else the bound would hide a loaded libwireshark).
        code, _, _, loaded = libwireshark_loaded(["--help"], cached_env, work)
        c.check(code == 0 and not loaded, f"--help does not load libwireshark (exit {code}, loaded {loaded})")
        _, _, floor = run_peak(["--help"], cached_env)
        c.check(lib["Private_Dirty"] > 0 and peak - floor < lib["Private_Dirty"],
                f"a cached run adds {peak - floor} KiB to the program's floor ({floor} KiB), less than the "
                f"{lib['Private_Dirty']} KiB of libwireshark's private dirty pages (resident: {lib['Rss']} KiB)")
        print(f"cached run: peak {peak} KiB, --help {floor} KiB; libwireshark in the cold run: {lib['Rss']} KiB "
              f"resident, {lib['Private_Dirty']} KiB private dirty")

        # A missing, unloadable or foreign module: exit 7 with one line naming it.
        cold = os.path.join(DATA_DIR, "ipv6.client.pcapng")
        no_cache = ["--no-cache", "list-tcp", "-r", cold]
        missing = os.path.join(work, "no-such-module.so")
        env = env_for(work, XDG_CACHE_HOME=os.path.join(work, "cache-missing"), MPTCPANALYZER_CAPTURE_MODULE=missing)
        for argv in (no_cache, ["list-tcp", "-r", cold], ["version"]):
            code, out, err = run(argv, env)
            c.check(code == EXIT_ENVIRONMENT and err == (
                        "mptcpanalyzer: error: the capture module mptcpanalyzer-capture.so (libwireshark's part of "
                        f"mptcpanalyzer, needed to dissect a capture) is missing: looked for {missing}\n"),
                    f"{' '.join(argv)} with the module missing: exit {code}, {err!r}")
        code, out, err = run(["checkhealth"], env)
        c.check(code == EXIT_ENVIRONMENT and b"[FAIL] libwireshark: the capture module mptcpanalyzer-capture.so" in out,
                f"checkhealth with the module missing: a failed line, exit {code}: {out!r}")
        code, out, err = run(["--help"], env)
        c.check(code == 0 and b"Subcommands:" in out, f"--help without the module: exit {code}")

        not_elf = os.path.realpath(os.path.join(work, "not-a-module.so"))
        with open(not_elf, "w") as f:
            f.write("this is not a shared object\n" * 100)
        try:
            ctypes.CDLL(not_elf)
            dl_error = None
        except OSError as e:
            dl_error = str(e)
        code, out, err = run(no_cache, dict(env, MPTCPANALYZER_CAPTURE_MODULE=not_elf))
        c.check(code == EXIT_ENVIRONMENT and dl_error is not None and
                err == f"mptcpanalyzer: error: cannot load the capture module {not_elf}: {dl_error}\n",
                f"a file that is not a shared object: exit {code}, {err!r} (dlerror: {dl_error!r})")

        # Any system shared object stands for a module that is not ours.
        foreign = ctypes.util.find_library("z")
        foreign_path = next((os.path.join(d, foreign) for d in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                                                  "/lib", "/usr/lib")
                             if foreign and os.path.exists(os.path.join(d, foreign))), None)
        if c.check(foreign_path is not None, "a system shared object to stand for a foreign module (libz)"):
            code, out, err = run(no_cache, dict(env, MPTCPANALYZER_CAPTURE_MODULE=foreign_path))
            # The message names the file loaded: its real path.
            c.check(code == EXIT_ENVIRONMENT and err.startswith(
                        f"mptcpanalyzer: error: cannot load the capture module {os.path.realpath(foreign_path)}: "
                        "not the capture module "
                        "of mptcpanalyzer"),
                    f"a shared object that is not ours: exit {code}, {err!r}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
