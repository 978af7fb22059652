"""1,000 damaged captures, no crash, hang or sanitizer report, and only documented exit codes.

The captures are made from eight corpus captures cut to their first 250 packets (small, so the
whole set stays within a few minutes in the sanitizer build): bit flips (1 to 64 bits, seeded),
cuts at seeded offsets, and `editcap -E` byte errors at four rates (0.001 to 0.2, seeded). Every
one goes through the main commands (list-tcp, list-mptcp --json, list-subflows, mptcp-summary 0,
list-reinjections, events, export) in the program's batch mode, 50 captures per process (one
process per capture would spend the run starting libwireshark); a crash, sanitizer report or hang
fails the chunk, which the message names (each batch error starts with FILE:LINE). The Wireshark
plugin (tshark -z mptcp,...) runs on a deterministic subset, every 20th capture (50 runs: all
1,000 under the preloaded sanitizers would take over 20 minutes), where tshark must end as it
does without the plugin, with no crash or sanitizer mark.

`--part program` or `--part plugin` runs one half (the same seeded captures): ctest registers them
as two tests, so each has its own time limit and the two can run side by side (together, under
load, they once passed ctest's 900 s)."""

import os
import random
import subprocess
import sys
import tempfile

from common import DATA_DIR, PROGRAM, Checker

BASES = ["concurrent.client", "reinject.server", "ipv6.client", "mpfail.server", "addaddr.client",
         "checksum.server", "fastclose.client", "fallback_stripped.client"]
PER_BASE = 125  # 8 x 125 = 1,000
CHUNK = 50
DOCUMENTED = {0, 2, 3, 4, 5}  # 2: mptcp-summary 0 where the damage left no mptcp.stream 0
COMMANDS = ["list-tcp", "list-mptcp --json", "list-subflows", "mptcp-summary 0", "list-reinjections", "events",
            "export -o /dev/null"]
MARKS = ("AddressSanitizer", "runtime error:", "LeakSanitizer", "internal error", "terminate called")


def make_variants(base, out_dir, rng):
    data = open(base, "rb").read()
    stem = os.path.basename(base).rsplit(".", 1)[0]
    variants = []
    for i in range(PER_BASE):
        kind = i % 5
        path = os.path.join(out_dir, f"{stem}.{i:03d}.pcapng")
        if kind in (0, 1):  # bit flips
            flipped = bytearray(data)
            for _ in range(rng.choice((1, 4, 16, 64))):
                at = rng.randrange(len(flipped))
                flipped[at] ^= 1 << rng.randrange(8)
            open(path, "wb").write(flipped)
        elif kind == 2:  # cut
            open(path, "wb").write(data[:rng.randrange(len(data))])
        else:  # editcap -E at several rates
            rate = ("0.001", "0.01", "0.05", "0.2")[i % 4]
            subprocess.run(["editcap", "--seed", str(rng.randrange(1 << 30)), "-E", rate, base, path],
                           check=True, capture_output=True)
        variants.append(path)
    return variants


def run_chunk(checker, chunk, work, index):
    batch = os.path.join(work, f"chunk{index:02d}.txt")
    with open(batch, "w") as f:
        for path in chunk:
            for command in COMMANDS:
                words = command.split(" ")
                f.write(" ".join([words[0], "-r", path, *words[1:]]) + "\n")
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    try:
        proc = subprocess.run([PROGRAM, "--no-cache", "--batch", batch, "--continue-on-error"], capture_output=True,
                              text=True, errors="replace", env=env, timeout=600)
    except subprocess.TimeoutExpired:
        checker.check(False, f"chunk {index} ({os.path.basename(chunk[0])}...): no hang (600 s)")
        return
    last_lines = "\n".join(proc.stderr.splitlines()[-6:])
    checker.check(proc.returncode in DOCUMENTED,
                  f"chunk {index} ({len(chunk)} captures): exit {proc.returncode} is documented; last messages:\n{last_lines}")
    marks = [m for m in MARKS if m in proc.stderr]
    checker.check(not marks, f"chunk {index}: no crash or sanitizer mark {marks}:\n{proc.stderr[-1500:]}")
    print(f"chunk {index}: {len(chunk)} captures, exit {proc.returncode}", flush=True)


def main():
    checker = Checker("damaged captures (1,000)")
    parts = {"program", "plugin"}
    if len(sys.argv) == 3 and sys.argv[1] == "--part" and sys.argv[2] in parts:
        parts = {sys.argv[2]}
    elif len(sys.argv) != 1:
        sys.exit("usage: test_damaged_captures_many.py [--part program|plugin]")
    rng = random.Random(20261206)
    with tempfile.TemporaryDirectory(prefix="mptcp-damaged-") as work:
        variants = []
        for name in BASES:
            source = os.path.join(DATA_DIR, f"{name}.pcapng")
            if not checker.check(os.path.isfile(source), f"corpus capture {name} exists"):
                continue
            base = os.path.join(work, f"{name}.first250.pcapng")
            subprocess.run(["editcap", "-r", source, base, "1-250"], check=True, capture_output=True)
            variants += make_variants(base, work, rng)
        checker.check(len(variants) >= 1000, f"at least 1,000 damaged captures: {len(variants)}")
        if "program" in parts:
            for i in range(0, len(variants), CHUNK):
                run_chunk(checker, variants[i:i + CHUNK], work, i // CHUNK)

        plugin = os.environ.get("MPTCP_EPAN_PLUGIN", "")
        if "plugin" in parts and plugin:
            sys.path.insert(0, os.path.dirname(__file__))
            from epan_plugin_harness import PluginHome, VIEWS, crash_marks
            home = PluginHome()
            try:
                args = ["-n", "-q"]
                for v in VIEWS:
                    args += ["-z", v]
                subset = variants[::20]
                for path in subset:
                    local = home.local_copy(path)
                    try:
                        bare = home.tshark(["-r", local, "-n", "-q"], with_plugin=False, timeout=120)
                        with_plugin = home.tshark(["-r", local, *args], timeout=120)
                    except subprocess.TimeoutExpired:
                        checker.check(False, f"plugin: {os.path.basename(path)}: tshark ended within 120 s")
                        continue
                    name = os.path.basename(path)
                    checker.check(with_plugin.returncode == bare.returncode,
                                  f"plugin: {name}: tshark exit {with_plugin.returncode}, {bare.returncode} without it")
                    checker.check(not crash_marks(with_plugin),
                                  f"plugin: {name}: {crash_marks(with_plugin)} {with_plugin.stderr[-800:]}")
                print(f"plugin: {len(subset)} damaged captures through tshark")
            finally:
                home.cleanup()
        elif parts == {"plugin"}:
            print("SKIPPED: MPTCP_EPAN_PLUGIN unset (plugin not built): nothing to run")
            sys.exit(77)
        elif "plugin" in parts:
            print("note: MPTCP_EPAN_PLUGIN unset (plugin not built): the tshark part did not run")
    checker.finish()


if __name__ == "__main__":
    main()
