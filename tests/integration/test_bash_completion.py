"""The bash completion script of the one-shot mode is generated from the program's own command
definitions (`mptcpanalyzer completion bash`, also written into the build tree for installation):
sourced into a real bash and called as bash calls it (COMP_WORDS/COMP_CWORD), it proposes every
command and alias `--help` lists (and no hidden one), every option a command's `--help` lists,
the fixed choices of an option, subcommands (plot kinds), and file names for -r."""

import os
import re
import subprocess
import tempfile

from common import PROGRAM, Checker, run_program

checker = Checker("bash completion")
WORK = tempfile.mkdtemp(prefix="mptcp-test-bashcomp-")


def complete(script, words):
    """COMPREPLY for the command line `words`, the last one being completed."""
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    code = (f"source '{script}'\nCOMP_WORDS=({quoted})\nCOMP_CWORD={len(words) - 1}\n"
            "_mptcpanalyzer\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    proc = subprocess.run(["bash", "--norc", "--noprofile", "-c", code], capture_output=True, text=True, cwd=WORK)
    checker.check(proc.returncode == 0 and proc.stderr == "", f"completion of {words} runs cleanly: {proc.stderr}")
    return {l for l in proc.stdout.splitlines() if l}


def help_commands(args):
    """Command names and aliases of the Subcommands section of `ARGS --help` (CLI11's format)."""
    text = run_program(*args, "--help").stdout
    names, inside = set(), False
    for line in text.splitlines():
        if line.strip().upper().startswith("SUBCOMMANDS"):
            inside = True
            continue
        if inside:
            if not line.strip():
                break
            if not re.match(r"  \S", line):  # a description wrapped onto its own line
                continue
            first = re.split(r"\s{2,}", line.strip())[0]
            names.update(n.strip() for n in first.split(","))
    return names


def help_options(args):
    text = run_program(*args, "--help").stdout
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text.split("Subcommands:")[0])) - {"-"}


def main():
    generated = run_program("completion", "bash")
    checker.check(generated.returncode == 0 and "complete -F _mptcpanalyzer mptcpanalyzer" in generated.stdout,
                  "`completion bash` prints a bash completion script")
    script = os.path.join(WORK, "mptcpanalyzer.bash")
    with open(script, "w") as f:
        f.write(generated.stdout)
    # The file the build installs is the same script.
    built = os.path.join(os.path.dirname(PROGRAM), "completion", "mptcpanalyzer")
    if checker.check(os.path.isfile(built), f"the build generated {built}"):
        with open(built) as f:
            checker.check(f.read() == generated.stdout, "the installed script is the generated one")

    commands = help_commands([])
    checker.check({"list-tcp", "list-mptcp", "lm", "lt", "list_mptcp_connections", "plot", "load"} <= commands,
                  f"--help lists the commands and aliases (test premise): {sorted(commands)}")
    got = complete(script, ["mptcpanalyzer", ""])
    checker.check(commands <= got, f"every command of --help completes; missing {sorted(commands - got)}")
    checker.check("completion" not in got, "the hidden `completion` command is not proposed")
    starting = {c for c in commands if c.startswith("list-m")}
    checker.check("list-mptcp" in starting and complete(script, ["mptcpanalyzer", "list-m"]) == starting,
                  f"list-m completes to the commands starting with it, {sorted(starting)}")

    for path in (["list-tcp"], ["list-subflows"], ["plot", "dsn"], ["export"]):
        options = help_options(path)
        got = complete(script, ["mptcpanalyzer", *path, "-"])
        checker.check(len(options) > 2 and options <= got,
                      f"every option of `{' '.join(path)} --help` completes; missing {sorted(options - got)}")
    checker.check("--json" in complete(script, ["mptcpanalyzer", "lm", "--js"]), "an alias completes its options")
    checker.check("--no-cache" in complete(script, ["mptcpanalyzer", "list-tcp", "--no"]),
                  "global options complete after the command")

    kinds = help_commands(["plot"])
    checker.check("dsn" in kinds and complete(script, ["mptcpanalyzer", "plot", ""]) >= kinds,
                  f"plot kinds complete: {sorted(kinds)}")
    m = re.search(r"--direction[^{\n]*\{([^}]*)\}", run_program("plot", "dsn", "--help").stdout)
    if checker.check(m is not None, "plot dsn --help shows the --direction choices"):
        choices = set(m.group(1).split(","))
        checker.check(complete(script, ["mptcpanalyzer", "plot", "dsn", "--direction", ""]) == choices,
                      f"--direction completes to its choices {choices}")
        checker.check(complete(script, ["mptcpanalyzer", "plot", "dsn", "-r", "x.pcap", "--direction", "to_s"])
                      == {c for c in choices if c.startswith("to_s")}, "choices after other options")
    m = re.search(r"attribute TEXT:\{([^}]*)\}", run_program("plot", "tcp-attr", "--help").stdout)
    if checker.check(m is not None, "plot tcp-attr --help shows the attribute names"):
        checker.check(complete(script, ["mptcpanalyzer", "plot", "tcp-attr", "-r", "x.pcap", "0", ""])
                      == set(m.group(1).split(",")), "the second argument (attribute names) completes")
    m = re.search(r"--format[^{\n]*\{([^}]*)\}", run_program("export", "--help").stdout)
    if checker.check(m is not None, "export --help shows the --format choices"):
        checker.check(complete(script, ["mptcpanalyzer", "export", "-f", ""]) == set(m.group(1).split(",")),
                      "a short option's choices complete")

    for name in ("alpha.pcapng", "alpine.pcap", "beta.pcapng"):
        open(os.path.join(WORK, name), "w").close()
    checker.check(complete(script, ["mptcpanalyzer", "list-tcp", "-r", "al"]) == {"alpha.pcapng", "alpine.pcap"},
                  "-r completes file names")
    checker.check(complete(script, ["mptcpanalyzer", "load", "be"]) == {"beta.pcapng"},
                  "load's argument completes file names")
    if "--title" in help_options(["plot", "dsn"]):
        checker.check(complete(script, ["mptcpanalyzer", "plot", "dsn", "--title", ""]) == set(),
                      "a free-text value proposes nothing")
    checker.finish()


if __name__ == "__main__":
    main()
