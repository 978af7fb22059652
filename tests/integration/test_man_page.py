"""The man page mptcpanalyzer(1) is generated from the program's own command definitions (the
hidden `mptcpanalyzer man-page`, also written into the build tree for installation): rendered by
the real man-db/groff without a warning, it has a section for every command and subcommand that
`--help` lists (no hidden one), naming its aliases and every option its `--help` lists, and the
global options; a page that cannot be written exits 6 (OutputFailed)."""

import os
import re
import subprocess
import tempfile

from common import PROGRAM, Checker, run_program
from test_bash_completion import help_commands, help_options

checker = Checker("man page")


def render(page_file):
    """The page as man shows it (plain text, wide enough not to hyphenate option names)."""
    env = dict(os.environ, MANWIDTH="250", LC_ALL="C.UTF-8", MAN_KEEP_FORMATTING="")
    proc = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", page_file], capture_output=True, text=True, env=env)
    checker.check(proc.returncode == 0 and proc.stderr == "", f"man renders the page without warning: {proc.stderr[:2000]}")
    return proc.stdout


def sections(text):
    """Command path -> its text, from the COMMANDS section's subsection headings (3 spaces in)."""
    body = text.split("\nCOMMANDS\n", 1)[1].split("\nEXIT STATUS\n", 1)[0]
    out, current = {}, None
    for line in body.splitlines():
        m = re.fullmatch(r"   (\S.*)", line)
        if m:
            current = m.group(1).strip()
            out[current] = ""
        elif current is not None:
            out[current] += line + "\n"
    return out


def command_paths(prefix=()):
    """Every command path `--help` shows, recursively (plot dsn, cache clean, ...), with aliases."""
    names = help_commands(list(prefix))
    by_name = {}
    for line in run_program(*prefix, "--help").stdout.split("Subcommands:", 1)[-1].splitlines():
        if re.match(r"  \S", line):
            words = [w.strip() for w in re.split(r"\s{2,}", line.strip())[0].split(",")]
            by_name[words[0]] = words[1:]
    paths = []
    for name, aliases in by_name.items():
        if name not in names:
            continue
        paths.append(((*prefix, name), aliases))
        own = run_program(*prefix, name, "--help").stdout
        # `help --help` is the program's help (help is rewritten to --help): not a command group.
        if f"Usage: mptcpanalyzer {' '.join((*prefix, name))} " in own and "Subcommands:" in own:
            paths.extend(command_paths((*prefix, name)))
    return paths


def main():
    generated = run_program("man-page")
    checker.check(generated.returncode == 0 and generated.stdout.startswith(".TH MPTCPANALYZER 1 "),
                  "`man-page` prints a roff page of section 1")
    work = tempfile.mkdtemp(prefix="mptcp-test-man-")
    page = os.path.join(work, "mptcpanalyzer.1")
    with open(page, "w") as f:
        f.write(generated.stdout)
    built = os.path.join(os.path.dirname(PROGRAM), "man", "mptcpanalyzer.1")
    if checker.check(os.path.isfile(built), f"the build generated {built}"):
        with open(built) as f:
            checker.check(f.read() == generated.stdout, "the installed page is the generated one")

    text = render(page)
    checker.check(text.startswith("MPTCPANALYZER(1)") and "\nNAME\n" in text and "\nSYNOPSIS\n" in text,
                  "NAME and SYNOPSIS sections")
    globals_text = text.split("\nGLOBAL OPTIONS\n", 1)[-1].split("\nCOMMANDS\n", 1)[0]
    wanted = help_options([]) - {"-h", "--help"}
    missing = {o for o in wanted if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", globals_text)}
    checker.check(len(wanted) > 3 and not missing, f"every global option of --help is documented; missing {sorted(missing)}")

    documented = sections(text)
    paths = command_paths()
    checker.check(len(paths) > 20 and any(p == ("plot", "dsn") for p, _ in paths),
                  f"--help lists the commands and plot kinds (test premise): {len(paths)}")
    for path, aliases in paths:
        name = " ".join(path)
        if not checker.check(name in documented, f"`{name}` has its section"):
            continue
        section = documented[name]
        checker.check(all(a in section for a in aliases), f"`{name}` names its aliases {aliases}")
        options = help_options(list(path)) - {"-h", "--help"} - wanted
        missing = {o for o in options if not re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", section)}
        checker.check(not missing, f"`{name}`: every option of its --help is documented; missing {sorted(missing)}")
    hidden = {"completion", "man-page"} & set(documented)
    checker.check(not hidden, f"hidden commands are not documented: {sorted(hidden)}")

    p = run_program("man-page", "-o", os.path.join(work, "no-such-folder", "mptcpanalyzer.1"), check=False)
    checker.check(p.returncode == 6, f"an unwritable page exits 6: {p.returncode} {p.stderr}")
    checker.finish()


if __name__ == "__main__":
    main()
