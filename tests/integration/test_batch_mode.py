"""Batch mode (`mptcpanalyzer --batch FILE`, `--batch -`, piped standard input): a script of
commands prints exactly what the same commands print one by one; the first failing line stops the
batch with that command's exit code and a message naming the file and line, unless
--continue-on-error (then the exit code is the first failure's). Aliases of the Python tool work
in one-shot and batch modes; `help CMD` is `CMD --help`."""

import os
import re
import shutil
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, run_program

checker = Checker("batch mode")
WORK = tempfile.mkdtemp(prefix="mptcp-test-batch-")
ENV = {"XDG_CACHE_HOME": os.path.join(WORK, "cache"), "XDG_STATE_HOME": os.path.join(WORK, "state"),
       "XDG_CONFIG_HOME": os.path.join(WORK, "config")}


def program(*args, stdin_text=None):
    env = dict(os.environ)
    env.update(ENV)
    return subprocess.run([PROGRAM, *args], input=stdin_text if stdin_text is not None else "",
                          capture_output=True, text=True, env=env, cwd=WORK, timeout=600)


def one_shot_outputs(commands):
    """stdout of each command run alone, concatenated; every command must succeed."""
    out = ""
    for args in commands:
        proc = program(*args)
        checker.check(proc.returncode == 0, f"one-shot {args} exits 0: {proc.stderr}")
        out += proc.stdout
    return out


def write_script(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def same_output_as_one_shot(capture):
    expected = one_shot_outputs([
        ["list-tcp", "-r", capture],
        ["list-mptcp", "-r", capture, "--json"],
        ["list-mptcp", "-r", capture],
        ["mptcp-summary", "-r", capture, "0"],
        ["tcp-summary", "-r", capture, "0", "--csv"],
        ["list-reinjections", "-r", capture],
    ])
    checker.check(expected.strip() != "", "the one-shot commands print something (test premise)")
    script = write_script("ok.batch", f"""# comments, blank lines, quoting and the Python tool's names
list-tcp -r "{capture}"

list-mptcp -r '{capture}' --json   # a trailing comment
  lm -r "{capture}"
mptcp_summary -r "{capture}" 0
tcp-summary -r "{capture}" 0 --csv
lr -r "{capture}"
""")
    proc = program("--batch", script)
    checker.check(proc.returncode == 0, f"batch exits 0: {proc.returncode} {proc.stderr}")
    checker.check(proc.stdout == expected, "a batch prints exactly what the one-shot commands print\n"
                  f"--- batch:\n{proc.stdout[:1500]}\n--- one-shot:\n{expected[:1500]}")
    checker.check("error" not in proc.stderr, f"no error on a good batch: {proc.stderr}")

    # The same script from standard input: `--batch -` and plain piped input (no terminal).
    with open(script, encoding="utf-8") as f:
        text = f.read()
    for args in (["--batch", "-"], []):
        proc = program(*args, stdin_text=text)
        checker.check(proc.returncode == 0 and proc.stdout == expected,
                      f"batch from standard input {args}: same output ({proc.returncode} {proc.stderr})")

    # `load` makes -r optional for the following lines.
    expected = one_shot_outputs([["list-tcp", "-r", capture], ["list-subflows", "-r", capture, "0"],
                                 ["list-tcp", "-r", capture]])
    proc = program("--batch", write_script("load.batch", f'load "{capture}"\nlist-tcp\nls 0\nlt\n'))
    checker.check(proc.returncode == 0 and proc.stdout == expected,
                  f"after `load`, commands without -r use the loaded capture ({proc.returncode} {proc.stderr})")
    proc = program("--load", capture, "--batch", write_script("noload.batch", "list-tcp\n"))
    checker.check(proc.returncode == 0 and proc.stdout == one_shot_outputs([["list-tcp", "-r", capture]]),
                  f"--load FILE loads before the batch ({proc.returncode} {proc.stderr})")


def failures(capture):
    missing = os.path.join(WORK, "no-such-capture.pcapng")
    alone = program("list-tcp", "-r", missing)
    checker.check(alone.returncode not in (0, 1), f"a missing capture fails with its own code: {alone.returncode}")
    first = one_shot_outputs([["list-tcp", "-r", capture]])
    version = one_shot_outputs([["version"]])
    script = write_script("stop.batch", f'list-tcp -r "{capture}"\n\nlist-tcp -r "{missing}"\nversion\n')
    proc = program("--batch", script)
    checker.check(proc.returncode == alone.returncode,
                  f"the batch exits with the failed command's code {alone.returncode}: {proc.returncode}")
    checker.check(f"{script}:3:" in proc.stderr and missing in proc.stderr,
                  f"the message names the file and line 3 and the command's problem: {proc.stderr}")
    checker.check(proc.stdout == first, f"the batch stops at the failure (nothing after line 3 ran): {proc.stdout!r}")

    usage = program("list-tcp", "-r", capture, "--bogus")
    script = write_script("usage.batch", f'version\nlist-tcp -r "{capture}" --bogus\nversion\n')
    proc = program("--batch", script)
    checker.check(proc.returncode == usage.returncode == 2 and f"{script}:2:" in proc.stderr,
                  f"a command-line error stops at line 2 with exit 2: {proc.returncode} {proc.stderr}")

    script = write_script("continue.batch", f'list-tcp -r "{missing}"\nlist-tcp -r "{capture}" --bogus\nversion\n')
    proc = program("--continue-on-error", "--batch", script)
    checker.check(proc.returncode == alone.returncode,
                  f"--continue-on-error exits with the first failure's code {alone.returncode}: {proc.returncode}")
    checker.check(proc.stdout == version, f"--continue-on-error runs the lines after failures: {proc.stdout!r}")
    checker.check(f"{script}:1:" in proc.stderr and f"{script}:2:" in proc.stderr,
                  f"each failure names its line: {proc.stderr}")

    script = write_script("quote.batch", 'version\nlist-tcp -r "unterminated\n')
    proc = program("--batch", script)
    checker.check(proc.returncode == 2 and f"{script}:2:" in proc.stderr,
                  f"an unmatched quote is a usage error naming line 2: {proc.returncode} {proc.stderr}")

    proc = program("--batch", script, "version")
    checker.check(proc.returncode == 2 and proc.stdout == "" and "--batch" in proc.stderr,
                  f"--batch with a command is a usage error, and nothing runs: {proc.returncode} {proc.stdout!r}")
    proc = program("--batch", os.path.join(WORK, "no-such.batch"))
    checker.check(proc.returncode == 3 and "no-such.batch" in proc.stderr,
                  f"a missing batch file: exit 3 naming it: {proc.returncode} {proc.stderr}")

    proc = program("--batch", "-", stdin_text="frobnicate\n")
    checker.check(proc.returncode == 2 and "standard input:1:" in proc.stderr and "frobnicate" in proc.stderr,
                  f"an unknown command names it and the line: {proc.returncode} {proc.stderr}")


def aliases_and_help(capture):
    for alias, name in (("lt", "list-tcp"), ("list_tcp_connections", "list-tcp"), ("lm", "list-mptcp"),
                        ("list_mptcp_connections", "list-mptcp")):
        a, b = program(alias, "-r", capture), program(name, "-r", capture)
        checker.check(a.returncode == 0 and a.stdout == b.stdout, f"one-shot `{alias}` is `{name}`")
    for alias, name in (("ls", "list-subflows"), ("list_subflows", "list-subflows"), ("mptcp_summary", "mptcp-summary")):
        a, b = program(alias, "-r", capture, "0"), program(name, "-r", capture, "0")
        checker.check(a.returncode == 0 and a.stdout == b.stdout, f"one-shot `{alias}` is `{name}`")
    # The Python tool's two-capture names (its scripts keep working with -r/--peer).
    peer = os.path.join(DATA_DIR, "basic.server.pcapng")
    for alias, name in (("map_tcp_connection", "map-tcp"), ("map_mptcp_connection", "map-mptcp"),
                        ("print_owds", "owd"), ("qualify_reinjections", "qualify-reinjections"),
                        ("summary_extended", "summary-extended")):
        a, b = program(alias, "-r", capture, "--peer", peer, "0"), program(name, "-r", capture, "--peer", peer, "0")
        checker.check(a.returncode == 0 and a.stdout == b.stdout and a.stdout, f"one-shot `{alias}` is `{name}`")
    # The cache holds this test's entries: `clean_cache` empties it, so `cache clean` then finds nothing.
    a, b = program("clean_cache"), program("cache", "clean")
    checker.check(a.returncode == 0 and re.match(r"removed [1-9]", a.stdout) and b.stdout.startswith("removed 0 ")
                  and a.stdout.split(" from ")[1] == b.stdout.split(" from ")[1],
                  f"`clean_cache` is `cache clean`: {a.stdout!r} {b.stdout!r}")
    a, b = program("help", "list-tcp"), program("list-tcp", "--help")
    checker.check(a.returncode == 0 and a.stdout == b.stdout and "--read" in a.stdout, "`help list-tcp` is `list-tcp --help`")
    a = program("help")
    checker.check(a.returncode == 0 and "list-mptcp" in a.stdout and "lm" in a.stdout,
                  "`help` lists the commands and their aliases")


def main():
    source = os.path.join(DATA_DIR, "basic.client.pcapng")
    if not checker.check(os.path.isfile(source), f"{source} exists"):
        checker.finish()
    folder = os.path.join(WORK, "a folder with spaces")
    os.makedirs(folder)
    capture = os.path.join(folder, "basic client.pcapng")
    shutil.copy(source, capture)
    same_output_as_one_shot(capture)
    failures(capture)
    aliases_and_help(capture)
    shutil.rmtree(WORK, ignore_errors=True)
    checker.finish()


if __name__ == "__main__":
    main()
