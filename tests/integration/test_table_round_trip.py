"""A table export read back analyses exactly as the capture it came from (issue 16): on every
corpus capture and every capture of ../shared/captures (skipped, saying so, when absent), every
command with `--json` (found from `--help`), on every tcp.stream / mptcp.stream tshark shows (at
most 6 of each), prints the same bytes and exit status with `-r` naming the capture, its CSV
export and its JSON export; the two-capture commands do on every corpus client/server pair with
the CSV of one and the JSON of the other; exporting a table again gives the same export. Each
`load` and `load --peer` of tables work as of captures. Each
variant (captures, CSV tables, JSON tables) runs as one batch (the shell's batch mode:
libwireshark is set up once, each input read once), the error lines included."""

import os
import re
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, corpus_captures, shared_captures, tshark_fields
from common import subcommands as common_subcommands

checker = Checker("table round trip")
WORK = tempfile.mkdtemp(prefix="mptcp-test-tables-")
ENV = dict(os.environ, XDG_CACHE_HOME=os.path.join(WORK, "cache"), XDG_CONFIG_HOME=os.path.join(WORK, "config"),
           XDG_STATE_HOME=os.path.join(WORK, "state"))
MAX_STREAMS = 6


def program(*args, stdin_text=""):
    return subprocess.run([PROGRAM, *args], input=stdin_text, capture_output=True, text=True, env=ENV, cwd=WORK,
                          timeout=1800)


def subcommands():
    return common_subcommands(program("--help").stdout)


def json_commands():
    """(name, stream field or None, needs --peer) of every command whose --help offers --json."""
    found = []
    for name in subcommands():
        text = program(name, "--help").stdout
        if not re.search(r"^\s+--json\b", text, re.M) or not re.search(r"^\s+-r,--read\b", text, re.M):
            continue
        m = re.search(r"^  stream INT REQUIRED +(m?p?tcp\.stream)", text, re.M)
        peer = re.search(r"^  --peer TEXT REQUIRED", text, re.M) is not None
        found.append((name, m.group(1) if m else None, peer))
    return found


def streams(capture):
    """tshark's tcp.stream and mptcp.stream numbers of the capture (the first MAX_STREAMS)."""
    out = {"tcp.stream": set(), "mptcp.stream": set()}
    for row in tshark_fields(capture, ["tcp.stream", "mptcp.stream"]):
        for field, cell in zip(("tcp.stream", "mptcp.stream"), row):
            out[field].update(int(v) for v in cell.split(",") if v != "")
    return {k: sorted(v)[:MAX_STREAMS] for k, v in out.items()}


def export_all(captures):
    """Each capture's CSV and JSON exports under its own name in WORK/c<i>/{csv,json}/ (one batch)."""
    tables, lines = {}, []
    for index, capture in enumerate(captures):
        tables[capture] = {}
        for fmt in ("csv", "json"):
            folder = os.path.join(WORK, f"c{index}", fmt)
            os.makedirs(folder, exist_ok=True)
            tables[capture][fmt] = os.path.join(folder, os.path.basename(capture))
            lines.append(f"export -r {capture} -f {fmt} -o {tables[capture][fmt]}")
    p = batch(lines)
    checker.check(p.returncode == 0, f"exports: exit {p.returncode}: {p.stderr[-500:]}")
    return tables


def batch(lines):
    text = "".join(line + "\n" for line in lines)
    return program("--continue-on-error", "--batch", "-", stdin_text=text)


def compare(what, lines_of, renames_of, variants):
    """Runs the lines of every item in one batch per variant (the capture, then the tables) and
    compares them with the capture's; on a difference, finds the items that differ."""
    reference = batch([line for item in lines_of for line in lines_of[item]("capture")])
    checker.check(reference.returncode == 0, f"{what}: the captures' batch: exit {reference.returncode}: "
                                             f"{reference.stderr[-500:]}")
    for variant in variants:
        other = batch([line for item in lines_of for line in lines_of[item](variant)])
        out, err = other.stdout, other.stderr
        for table_path, capture in sorted(renames_of(variant), key=lambda r: -len(r[0])):
            out = out.replace(table_path, capture)
            err = err.replace(table_path, capture)
        count = sum(len(lines_of[item](variant)) for item in lines_of)
        if checker.check(other.returncode == reference.returncode and out == reference.stdout and err == reference.stderr,
                         f"{what}, {variant}: {count} commands differ from the captures' output"):
            print(f"{what}, {variant}: {count} commands print what they print on the captures")
            continue
        for item in lines_of:  # which ones: each alone
            ref = batch(lines_of[item]("capture"))
            one = batch(lines_of[item](variant))
            o = one.stdout
            for table_path, capture in renames_of(variant):
                o = o.replace(table_path, capture)
            if o != ref.stdout:
                for i, (a, b) in enumerate(zip(ref.stdout.splitlines(), o.splitlines())):
                    if a != b:
                        print(f"  {item} ({variant}) line {i + 1}:\n    capture: {a[:300]}\n    table:   {b[:300]}")
                        break


def one_capture_lines(capture, commands, tables):
    numbers = streams(capture)
    lines = []
    for name, field in commands:
        for number in ([None] if field is None else numbers[field]):
            lines.append(" ".join(x for x in (name, "-r", "{INPUT}", "" if number is None else str(number), "--json") if x))
    lines.append("export -r {INPUT} -o -")
    lines.append("export -r {INPUT} -f json -o -")
    lines.append("load {INPUT}")  # the shell's load, then a command on the loaded input
    lines.append("list-mptcp --json")
    paths = {"capture": capture, **tables[capture]}
    return lambda variant: [line.replace("{INPUT}", paths[variant]) for line in lines]


def pair_lines(capture, server, commands, tables):
    numbers = streams(capture)
    lines = [f"{name} -r {{A}} --peer {{B}} {number} --json" for name, field in commands for number in numbers[field][:2]]
    # The shell's load A --peer B, then the commands without -r/--peer.
    lines += ["load {A} --peer {B}"] + [f"{name} {number} --json" for name, field in commands for number in numbers[field][:1]]
    paths = {"capture": (capture, server), "csv/json": (tables[capture]["csv"], tables[server]["json"]),
             "json/csv": (tables[capture]["json"], tables[server]["csv"])}
    return lambda variant: [x.replace("{A}", paths[variant][0]).replace("{B}", paths[variant][1]) for x in lines]


def main():
    commands = json_commands()
    checker.check(len(commands) >= 10, f"commands with --json found from --help: {[c[0] for c in commands]}")
    captures = corpus_captures()
    checker.check(len(captures) > 0, "tests/data holds the corpus captures")
    shared = shared_captures()
    if not shared:
        print("../shared/captures absent: reference captures not round-tripped")
    everything = captures + shared
    tables = export_all(everything)

    single = [(name, field) for name, field, peer in commands if not peer]
    lines_of = {capture: one_capture_lines(capture, single, tables) for capture in everything}

    def renames(variant):
        return [(tables[c][variant], c) for c in everything]
    compare("one capture", lines_of, renames, ("csv", "json"))

    two = [(name, field) for name, field, peer in commands if peer]
    checker.check(len(two) > 0, "two-capture commands found from --help")
    pairs = {c: c.replace(".client.", ".server.") for c in captures if c.endswith(".client.pcapng")}
    pair_lines_of = {c: pair_lines(c, s, two, tables) for c, s in pairs.items() if s in tables}

    def pair_renames(variant):
        a, b = variant.split("/")
        return [(tables[c][a], c) for c in pairs] + [(tables[s][b], s) for s in pairs.values()]
    compare("two captures", pair_lines_of, pair_renames, ("csv/json", "json/csv"))
    checker.finish()


if __name__ == "__main__":
    main()
