"""`load A --peer B` (batch mode; the shell runs the same code, and test_shell_interactive.py
drives its prompt and completion): every two-capture command (found from `--help`: a command
with `--peer` and a stream number) run after it without -r/--peer prints exactly what the one-shot
command with `-r A --peer B` prints; `load --peer B` pairs B with the loaded capture; `load A`
alone forgets the peer. The captures are read once and paired once, however many commands use
them, even after a command on a third capture (-v: the cache is asked once per capture, one
pairing). A bad peer file fails with its documented exit code and a message naming it as the
--peer capture, and nothing is loaded. One-shot `load A --peer B` checks and caches both, with
tshark's TCP packet counts."""

import os
import re
import shutil
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, tshark_fields
from common import subcommands as common_subcommands

checker = Checker("load --peer")
WORK = tempfile.mkdtemp(prefix="mptcp-test-pair-")
ENV = {"XDG_CACHE_HOME": os.path.join(WORK, "cache"), "XDG_STATE_HOME": os.path.join(WORK, "state"),
       "XDG_CONFIG_HOME": os.path.join(WORK, "config")}
FIRST = os.path.join(DATA_DIR, "basic.client.pcapng")
PEER = os.path.join(DATA_DIR, "basic.server.pcapng")
THIRD = os.path.join(DATA_DIR, "reqresp.client.pcapng")  # any other capture


def program(*args, stdin_text="", env=None):
    e = dict(os.environ)
    e.update(ENV)
    if env:
        e.update(env)
    return subprocess.run([PROGRAM, *args], input=stdin_text, capture_output=True, text=True, env=e, cwd=WORK,
                          timeout=900)


def batch(text, *options):
    path = os.path.join(WORK, "pair.batch")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return program(*options, "--batch", path)


def subcommands():
    return common_subcommands(program("--help").stdout)


def two_capture_commands():
    """(name, 'tcp.stream' | 'mptcp.stream') of each command whose --help shows --peer and a
    required stream number: the two-capture commands, whoever wrote them. Commands where --peer is
    optional (reordering, plot goodput) are not: see optional_peer_stays_explicit()."""
    found = []
    for name in subcommands():
        text = program(name, "--help").stdout
        m = re.search(r"^  stream INT REQUIRED +(m?p?tcp\.stream)", text, re.M)
        if m and re.search(r"^  --peer TEXT REQUIRED", text, re.M):
            found.append((name, m.group(1)))
    return found


def first_stream(capture, field):
    """The smallest `field` number of the capture, by tshark."""
    values = {int(v) for row in tshark_fields(capture, [field], display_filter=field.split(".")[0])
              for v in row[0].split(",") if v != ""}
    return min(values)


def lines_for(commands):
    """Batch lines (without -r/--peer) and the one-shot argument lists they stand for."""
    out = []
    for name, field in commands:
        stream = str(first_stream(FIRST, field))
        for extra in ([], ["--json"]):
            out.append((" ".join([name, stream, *extra]), [name, "-r", FIRST, "--peer", PEER, stream, *extra]))
    return out


def one_shot_output(runs):
    """stdout of each one-shot command, concatenated; each must succeed."""
    out = ""
    for _, args in runs:
        proc = program(*args)
        checker.check(proc.returncode == 0, f"one-shot {args} exits 0: {proc.stderr}")
        out += proc.stdout
    return out


def same_output_as_one_shot(commands):
    runs = lines_for(commands)
    expected = one_shot_output(runs)
    checker.check(expected.strip() != "", "the one-shot two-capture commands print something (test premise)")
    text = "".join(line + "\n" for line, _ in runs)

    proc = batch(f'load "{FIRST}" --peer "{PEER}"\n' + text)
    checker.check(proc.returncode == 0, f"batch after `load A --peer B` exits 0: {proc.returncode} {proc.stderr}")
    checker.check(proc.stdout == expected, "after `load A --peer B`, the two-capture commands without -r/--peer print "
                  f"what the one-shot commands with them print\n--- batch:\n{proc.stdout[:1500]}\n"
                  f"--- one-shot:\n{expected[:1500]}")

    proc = batch(f'load "{FIRST}"\nload --peer "{PEER}"\n' + text)
    checker.check(proc.returncode == 0 and proc.stdout == expected,
                  f"`load A` then `load --peer B` pairs B with A: same output ({proc.returncode} {proc.stderr})")

    proc = program("--load", FIRST, "--batch", "-", stdin_text=f'load --peer "{PEER}"\n' + text)
    checker.check(proc.returncode == 0 and proc.stdout == expected,
                  f"`--load A` then `load --peer B`: same output ({proc.returncode} {proc.stderr})")

    # `load A` alone forgets the peer: --peer is required again.
    line, args = runs[0]
    proc = batch(f'load "{FIRST}" --peer "{PEER}"\nload "{FIRST}"\n{line}\n')
    alone = program(*[a for a in args if a not in ("--peer", PEER)])
    checker.check(proc.returncode == alone.returncode == 2 and "--peer is required" in proc.stderr
                  and "pair.batch:3:" in proc.stderr,
                  f"after `load A` alone, `{line}` needs --peer again, as one-shot without it (exit "
                  f"{alone.returncode}): {proc.returncode} {proc.stderr}")


def read_once(commands):
    """-v shows each cache lookup (`cache: hit|miss`) and each pairing (`session: pairing`): after
    `load A --peer B` the commands ask for neither again, even when a command on a third capture
    ran in between (two captures stay open besides the loaded pair)."""
    runs = lines_for(commands)
    text = f'load "{FIRST}" --peer "{PEER}"\n' + "".join(line + "\n" for line, _ in runs)
    text += f'list-tcp -r "{THIRD}"\nlist-mptcp -r "{THIRD}"\n' + "".join(line + "\n" for line, _ in runs)
    shutil.rmtree(ENV["XDG_CACHE_HOME"], ignore_errors=True)
    proc = batch(text, "-v")
    checker.check(proc.returncode == 0, f"the batch exits 0: {proc.stderr[-2000:]}")
    lookups = re.findall(r"debug: cache: (?:hit|miss) ", proc.stderr)
    checker.check(len(lookups) == 3, f"the cache is asked once per capture (A, B, the third), not per command: "
                  f"{len(lookups)} lookups for {len(runs) * 2 + 2} commands\n{proc.stderr[-3000:]}")
    pairings = re.findall(r"debug: session: pairing ", proc.stderr)
    checker.check(len(pairings) == 1, f"A and B are paired once (load), then the pair is reused: {len(pairings)}")
    pair_output = one_shot_output(runs)
    third = program("list-tcp", "-r", THIRD).stdout + program("list-mptcp", "-r", THIRD).stdout
    checker.check(proc.stdout == pair_output + third + pair_output,
                  "the batch prints what the one-shot commands print, the pair's commands after the third "
                  "capture's included")

    # Without the cache, each capture is dissected once: `session: opening` once per file.
    proc = batch(text, "-v", "--no-cache")
    opened = re.findall(r"debug: session: opening (.*)", proc.stderr)
    checker.check(proc.returncode == 0 and sorted(opened) == sorted([FIRST, PEER, THIRD]),
                  f"--no-cache: each capture is opened (dissected) once: {opened} {proc.stderr[-1000:]}")


def bad_peer(commands):
    missing = os.path.join(WORK, "no-such-peer.pcapng")
    text_file = os.path.join(WORK, "notes.pcapng")
    with open(text_file, "w", encoding="utf-8") as f:
        f.write("not a capture\n")
    for peer, code in ((missing, 3), (text_file, 4)):  # docs/exit-codes.md: input missing, not a capture
        alone = program("list-tcp", "-r", peer)
        checker.check(alone.returncode == code, f"test premise: -r {peer} fails with {code}: {alone.returncode}")
        proc = program("load", FIRST, "--peer", peer)
        checker.check(proc.returncode == code and proc.stdout == "", f"one-shot `load A --peer {peer}` exits {code} "
                      f"and prints nothing: {proc.returncode} {proc.stdout!r}")
        checker.check(re.search(rf"error: {re.escape(peer)}: .*\(the --peer capture\)$", proc.stderr, re.M),
                      f"the message starts with the peer's path and says it is the --peer capture: {proc.stderr}")
        # In a batch the previous load stays: the commands without -r read it, and no peer is set.
        line, _ = lines_for(commands)[0]
        proc = batch(f'load "{THIRD}"\nload "{FIRST}" --peer "{peer}"\nlist-tcp\n{line}\n', "--continue-on-error")
        checker.check(proc.returncode == code and "pair.batch:2:" in proc.stderr and peer in proc.stderr,
                      f"in a batch, line 2 fails with {code} naming the peer: {proc.returncode} {proc.stderr}")
        checker.check(proc.stdout == program("list-tcp", "-r", THIRD).stdout,
                      "nothing of the failed load is loaded: `list-tcp` still reads the capture loaded before")
        checker.check("pair.batch:4:" in proc.stderr and "--peer is required" in proc.stderr,
                      f"no peer was set by the failed load: {proc.stderr}")

    proc = batch(f'load --peer "{PEER}"\n')
    checker.check(proc.returncode == 2 and "no capture is loaded" in proc.stderr,
                  f"`load --peer B` with no capture loaded is a usage error: {proc.returncode} {proc.stderr}")
    proc = program("load", FIRST, "--peer", FIRST)
    checker.check(proc.returncode == 2 and "same capture" in proc.stderr,
                  f"`load A --peer A` is a usage error: {proc.returncode} {proc.stderr}")
    proc = program("load")
    checker.check(proc.returncode == 2 and "load needs a capture file" in proc.stderr,
                  f"`load` alone is a usage error: {proc.returncode} {proc.stderr}")


def one_shot_load_caches_both():
    shutil.rmtree(ENV["XDG_CACHE_HOME"], ignore_errors=True)
    proc = program("load", FIRST, "--peer", PEER)
    checker.check(proc.returncode == 0, f"one-shot `load A --peer B` exits 0: {proc.stderr}")
    lines = proc.stdout.splitlines()
    for prefix, capture, line in (("loaded", FIRST, lines[0] if lines else ""),
                                  ("loaded --peer", PEER, lines[1] if len(lines) > 1 else "")):
        packets = len(tshark_fields(capture, ["frame.number"]))
        checker.check(line.startswith(f"{prefix} {capture}: {packets} TCP packets,"),
                      f"`{prefix} {capture}: N TCP packets` with tshark's count {packets}: {line!r}")
    for capture in (FIRST, PEER):
        proc = program("-v", "list-tcp", "-r", capture)
        checker.check(re.search(r"debug: cache: hit ", proc.stderr) is not None,
                      f"one-shot load cached {capture}: {proc.stderr}")


def optional_peer_stays_explicit():
    """Where --peer is optional it selects another analysis (reordering from each direction's
    receiver capture): after `load A --peer B`, `reordering N` is still the one-capture report of A,
    and `reordering N --peer B` the two-capture one."""
    alone = program("reordering", "-r", FIRST, "0", "--json").stdout
    paired = program("reordering", "-r", FIRST, "--peer", PEER, "0", "--json").stdout
    if not checker.check(alone and paired and alone != paired, "test premise: reordering differs with --peer"):
        return
    proc = batch(f'load "{FIRST}" --peer "{PEER}"\nreordering 0 --json\nreordering 0 --json --peer "{PEER}"\n')
    checker.check(proc.returncode == 0 and proc.stdout == alone + paired,
                  f"after load --peer, reordering without --peer is the one-capture report: {proc.returncode} {proc.stderr}")


def main():
    for path in (FIRST, PEER, THIRD):
        if not checker.check(os.path.isfile(path), f"{path} exists"):
            checker.finish()
    commands = two_capture_commands()
    if not checker.check(commands != [], "test premise: `--help` lists two-capture commands (--peer and a stream)"):
        checker.finish()
    print("two-capture commands:", ", ".join(f"{n} ({f})" for n, f in commands))
    same_output_as_one_shot(commands)
    read_once(commands)
    bad_peer(commands)
    one_shot_load_caches_both()
    optional_peer_stays_explicit()
    shutil.rmtree(WORK, ignore_errors=True)
    checker.finish()


if __name__ == "__main__":
    main()
