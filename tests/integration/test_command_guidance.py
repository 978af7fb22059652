"""What the program says to an incomplete or mistyped command line, in one-shot and batch modes
(the interactive shell: test_shell_interactive.py). Each is a usage error (exit 2), prints nothing
on standard output, and tells what to type:
  * a command that needs a stream number, given none, names the capture and lists its valid
    tcp.stream or mptcp.stream numbers, exactly the set tshark reports, runs of three or more
    written as ranges (docs/commands.md); every such command, plot kinds included, found from the
    `--help` texts;
  * a command that needs a subcommand (`cache`, `plot`, `config`), given none, lists its
    subcommands with the one-line descriptions its `--help` shows;
  * an unknown command, plot kind or subcommand names the closest ones by edit distance (commands,
    aliases and plugin commands alike), and nothing when none is close."""

import functools
import os
import re
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, shared_captures, tshark_fields
from xdg_sandbox import Sandbox

checker = Checker("command guidance")
WORK = tempfile.mkdtemp(prefix="mptcp-test-guidance-")
ENV = {"XDG_CACHE_HOME": os.path.join(WORK, "cache"), "XDG_STATE_HOME": os.path.join(WORK, "state"),
       "XDG_CONFIG_HOME": os.path.join(WORK, "config"), "XDG_DATA_HOME": os.path.join(WORK, "data")}
# The preferences the issue names for Wireshark's view of mptcp.stream.
MPTCP_PREFERENCES = ["mptcp.analyze_mptcp:TRUE", "mptcp.analyze_mappings:TRUE", "mptcp.intersubflows_retransmission:TRUE"]
EXAMPLE_PLUGIN = os.environ.get("MPTCP_EXAMPLE_PLUGIN", "")


def program(*args, stdin_text="", env=None):
    e = dict(os.environ)
    e.update(ENV)
    e.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    if env:
        e.update(env)
    return subprocess.run([PROGRAM, *args], input=stdin_text, capture_output=True, text=True, env=e, cwd=WORK,
                          timeout=600)


def write_script(name, text):
    path = os.path.join(WORK, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def help_subcommands(*words, run=program):
    """name -> (aliases, description) from the `Subcommands:` section of `WORDS --help`."""
    out = run(*words, "--help").stdout.splitlines()
    found, current = {}, None
    in_section = False
    for line in out:
        if line == "Subcommands:":
            in_section = True
            continue
        if not in_section:
            continue
        if not line.strip():
            break
        if re.match(r"  \S", line):
            names_part, _, description = line[2:].partition("  ")
            names = [n.strip() for n in names_part.split(",")]
            current = names[0]
            found[current] = (names[1:], description.strip())
        elif current:  # a description wrapped under long names
            aliases, description = found[current]
            found[current] = (aliases, (description + " " + line.strip()).strip())
    return found


def required_stream(*words):
    """'tcp.stream' or 'mptcp.stream' when `WORDS --help` shows a required stream positional."""
    text = program(*words, "--help").stdout
    m = re.search(r"^  stream INT REQUIRED +(m?p?tcp\.stream)", text, re.M)
    return m.group(1) if m else None


def compact(numbers):
    """The documented rendering: ascending, runs of three or more as 'first-last'."""
    numbers = sorted(numbers)
    parts, i = [], 0
    while i < len(numbers):
        j = i
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{numbers[i]}-{numbers[j]}")
        else:
            parts += [str(n) for n in numbers[i:j + 1]]
        i = j + 1
    return ", ".join(parts)


def expand(text):
    out = set()
    for part in text.split(", "):
        first, _, last = part.partition("-")
        out |= set(range(int(first), int(last or first) + 1))
    return out


def wireshark_streams(capture, field):
    preferences = MPTCP_PREFERENCES if field == "mptcp.stream" else None
    rows = tshark_fields(capture, [field], display_filter=field, **({"preferences": preferences} if preferences else {}))
    return {int(v) for row in rows for v in row[0].split(",") if v != ""}


@functools.lru_cache(maxsize=None)
def needs_peer(*words):
    """Two-capture commands (`--peer FILE` required): the test gives the capture as its own peer
    (the missing stream is reported before the pair is opened)."""
    return re.search(r"^  --peer TEXT REQUIRED", program(*words, "--help").stdout, re.M) is not None


def stream_commands():
    """(words, field) of every command and plot kind whose stream number is required."""
    found = []
    for name in help_subcommands():
        if name in ("plot",):
            continue
        field = required_stream(name)
        if field:
            found.append(([name], field))
    for kind in help_subcommands("plot"):
        field = required_stream("plot", kind)
        if field:
            found.append((["plot", kind], field))
    return found


def missing_stream(captures):
    commands = stream_commands()
    names = {" ".join(w) for w, _ in commands}
    checker.check({"tcp-summary", "mptcp-summary", "plot dsn", "plot tcp-attr"} <= names,
                  f"test premise: the commands needing a stream are found from --help: {sorted(names)}")
    for capture in captures:
        valid = {field: wireshark_streams(capture, field) for field in ("tcp.stream", "mptcp.stream")}
        for words, field in commands:
            what = f"{' '.join(words)} -r {os.path.basename(capture)} without its {field}"
            peer = ["--peer", capture] if needs_peer(*words) else []
            proc = program(*words, "-r", capture, *peer)
            first = proc.stderr.splitlines()[0] if proc.stderr else ""
            article = "an" if field == "mptcp.stream" else "a"
            prefix = f"mptcpanalyzer: error: {capture}: {' '.join(words)} needs {article} {field} number; valid: "
            ok = checker.check(proc.returncode == 2 and proc.stdout == "" and first.startswith(prefix),
                               f"{what}: exit 2, nothing on stdout, the message names the capture: "
                               f"{proc.returncode} {proc.stderr!r}")
            if ok and valid[field]:
                listed = first[len(prefix):]
                checker.check(expand(listed) == valid[field],
                              f"{what}: lists exactly tshark's {field} numbers {sorted(valid[field])}: {listed}")
                checker.check(listed == compact(valid[field]),
                              f"{what}: runs of three or more as ranges: {listed!r} vs {compact(valid[field])!r}")
            elif ok:
                checker.check(first[len(prefix):].startswith("none"), f"{what}: says there is none: {first}")

    # The same in a batch, where `load` gives the capture (the message names it).
    capture = captures[0]
    script = write_script("missing.batch", f'load "{capture}"\nversion\nmptcp-summary\nversion\n')
    proc = program("--batch", script)
    expected = f"{script}:3: {capture}: mptcp-summary needs an mptcp.stream number; valid: " \
               f"{compact(wireshark_streams(capture, 'mptcp.stream'))}"
    checker.check(proc.returncode == 2 and expected in proc.stderr and proc.stdout.count("mptcpanalyzer") == 1,
                  f"batch: the loaded capture's numbers, line 3, the batch stops: {proc.returncode} {proc.stderr!r}")

    # A capture that cannot be read still gets the usage error, saying why there is no list.
    missing = os.path.join(WORK, "no-such.pcapng")
    proc = program("tcp-summary", "-r", missing)
    checker.check(proc.returncode == 2 and "tcp-summary needs a tcp.stream number" in proc.stderr
                  and "No such file" in proc.stderr and len(proc.stderr.splitlines()) == 1,
                  f"an unreadable capture: exit 2, one line naming what is missing and why: {proc.stderr!r}")
    # Only the stream is explained: a missing -r is still the parser's message.
    proc = program("list-subflows")
    checker.check(proc.returncode == 2 and "--read is required" in proc.stderr,
                  f"a missing -r is reported first: {proc.stderr!r}")


def groups_alone():
    # A group's usage line ends with SUBCOMMAND (`help --help` shows the program's help instead).
    groups = [name for name in help_subcommands()
              if f"Usage: mptcpanalyzer {name} [OPTIONS] SUBCOMMAND" in program(name, "--help").stdout]
    checker.check({"cache", "plot", "config"} <= set(groups), f"test premise: the command groups: {groups}")
    for group in groups:
        subs = help_subcommands(group)
        proc = program(group)
        lines = proc.stderr.splitlines()
        checker.check(proc.returncode == 2 and proc.stdout == "" and lines
                      and lines[0].startswith(f"mptcpanalyzer: error: {group} needs a "),
                      f"`{group}` alone: exit 2, the error says a subcommand is needed: {proc.returncode} {proc.stderr!r}")
        listed = {}
        for line in lines[1:]:
            m = re.match(r"  (\S+) +(.*)$", line)
            if m:
                listed[m.group(1)] = m.group(2)
        want = {name: description for name, (_, description) in subs.items()}
        checker.check(listed == want, f"`{group}` alone lists each subcommand with its --help description:\n"
                                      f"{listed}\nvs {want}")
    proc = program("plot")
    checker.check(proc.stderr.startswith("mptcpanalyzer: error: plot needs a plot kind, one of:"),
                  f"`plot` alone speaks of plot kinds: {proc.stderr.splitlines()[:1]}")


def osa_distance(a, b):
    """Edit distance with transpositions of neighbours (optimal string alignment)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def typo_of(name):
    """The name with two neighbouring letters in its middle swapped."""
    i = len(name) // 2
    if name[i] == name[i - 1]:
        i += 1
    return name[:i - 1] + name[i] + name[i - 1] + name[i + 1:]


def check_suggestions(words_before, names, run, label):
    """Every name of at least 4 letters, mistyped, is suggested when no other name is as close."""
    tried = 0
    for name in sorted(names):
        if len(name) < 4:
            continue
        typo = typo_of(name)
        if typo in names or any(osa_distance(typo, other) <= 1 for other in names if other != name):
            continue
        tried += 1
        proc = run(*words_before, typo)
        checker.check(proc.returncode == 2 and f"'{typo}'; did you mean '{name}'?" in proc.stderr
                      and proc.stdout == "",
                      f"{label}: `{' '.join(words_before + [typo])}` suggests '{name}': {proc.returncode} {proc.stderr!r}")
    checker.check(tried >= 2, f"{label}: test premise: several names mistyped ({tried})")


def all_names(subs):
    return {n for name, (aliases, _) in subs.items() for n in [name, *aliases]}


def unknown_words(capture):
    proc = program("list-mptpc", "-r", capture)
    checker.check(proc.returncode == 2 and proc.stdout == "" and proc.stderr ==
                  "mptcpanalyzer: error: unknown command 'list-mptpc'; did you mean 'list-mptcp'?\n",
                  f"the issue's example, one line: {proc.returncode} {proc.stderr!r}")
    # 'dsn' (two letters swapped) and 'dss' (one changed) are both one edit away: both are named.
    proc = program("plot", "dns", "-r", capture, "0")
    checker.check(proc.returncode == 2 and proc.stdout == "" and
                  "unknown plot kind 'dns'; did you mean 'dsn' or 'dss'?" in proc.stderr,
                  f"an unknown plot kind: {proc.returncode} {proc.stderr!r}")
    proc = program("frobnicate", "-r", capture)
    checker.check(proc.returncode == 2 and "unknown command 'frobnicate'" in proc.stderr
                  and "did you mean" not in proc.stderr, f"nothing close, no suggestion: {proc.stderr!r}")
    proc = program("plot", "zzzzzz")
    checker.check(proc.returncode == 2 and "unknown plot kind 'zzzzzz'" in proc.stderr
                  and "did you mean" not in proc.stderr, f"no plot kind close: {proc.stderr!r}")

    # Every command, alias, plot kind and subcommand, mistyped.
    top = help_subcommands()
    check_suggestions([], all_names(top), program, "one-shot commands and aliases")
    check_suggestions(["plot"], all_names(help_subcommands("plot")), program, "plot kinds")
    check_suggestions(["cache"], all_names(help_subcommands("cache")), program, "cache subcommands")

    # Batch mode: the same message after FILE:LINE, and the batch stops with exit 2.
    script = write_script("typo.batch", f'version\nlist-mptpc -r "{capture}"\nplot dns -r "{capture}" 0\n')
    proc = program("--batch", script)
    checker.check(proc.returncode == 2 and
                  f"{script}:2: unknown command 'list-mptpc'; did you mean 'list-mptcp'?" in proc.stderr,
                  f"batch: suggestion with file and line: {proc.returncode} {proc.stderr!r}")
    proc = program("--continue-on-error", "--batch", script)
    checker.check(proc.returncode == 2 and f"{script}:3: unknown plot kind 'dns'; did you mean 'dsn' or 'dss'?" in proc.stderr,
                  f"batch: an unknown plot kind: {proc.returncode} {proc.stderr!r}")


def plugin_words():
    """Commands and plot kinds of a plugin are suggested like built-in ones."""
    if not os.path.isfile(EXAMPLE_PLUGIN):
        print(f"SKIP: plugin suggestions: MPTCP_EXAMPLE_PLUGIN not built ({EXAMPLE_PLUGIN!r})")
        return
    box = Sandbox("guidance-plugin")
    try:
        import shutil
        shutil.copy(EXAMPLE_PLUGIN, box.plugin_folder())
        top = help_subcommands(run=box.run)
        kinds = help_subcommands("plot", run=box.run)
        checker.check("subflow-count" in top and "payload-sizes" in kinds, "test premise: the example plugin loads")
        proc = box.run("subflow-cuont")
        checker.check(proc.returncode == 2 and "did you mean 'subflow-count'?" in proc.stderr,
                      f"a plugin command is suggested: {proc.stderr!r}")
        proc = box.run("plot", "payload-szies")
        checker.check(proc.returncode == 2 and "did you mean 'payload-sizes'?" in proc.stderr,
                      f"a plugin plot kind is suggested: {proc.stderr!r}")
        proc = box.run("plot")
        checker.check(proc.returncode == 2 and re.search(r"^  payload-sizes +\S", proc.stderr, re.M),
                      f"`plot` alone lists the plugin's kind: {proc.stderr!r}")
    finally:
        box.cleanup()


def main():
    captures = [os.path.join(DATA_DIR, n) for n in ("concurrent.client.pcapng", "basic.server.pcapng",
                                                     "fallback_tcpserver.client.pcapng")]
    if not checker.check(all(os.path.isfile(c) for c in captures), f"corpus captures exist: {captures}"):
        checker.finish()
    shared = [c for c in shared_captures() if os.path.basename(c) == "server_2.pcap"]
    if not shared:
        print("SKIP: ../shared/captures/server_2.pcap absent: its 16 tcp.streams (a range) are not checked")
    missing_stream(captures + shared)
    groups_alone()
    unknown_words(captures[0])
    plugin_words()
    checker.finish()


if __name__ == "__main__":
    main()
