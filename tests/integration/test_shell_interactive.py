"""The interactive shell, driven through a real pseudo-terminal (tmux): completion of a command
name, an option, an option's fixed choices, a file path and the stream numbers of a loaded corpus
capture (checked against tshark), also after `load A --peer B` (whose prompt shows both names,
and whose --peer completes file names); `help CMD` prints the command's help; an unknown command prints
an error and the shell goes on; a mistyped command or plot kind names the closest ones, a command
missing its stream number lists the capture's, `cache` alone lists its subcommands; Ctrl-D
exits 0; history survives a restart (isolated XDG_STATE_HOME). Every wait polls the screen with a
deadline: no fixed sleeps."""

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import time

from common import DATA_DIR, PROGRAM, Checker, run_program, tshark_fields

checker = Checker("interactive shell")
WORK = tempfile.mkdtemp(prefix="mptcp-test-shell-")
ENV = {"XDG_CACHE_HOME": os.path.join(WORK, "cache"), "XDG_STATE_HOME": os.path.join(WORK, "state"),
       "XDG_CONFIG_HOME": os.path.join(WORK, "config"), "HOME": os.path.join(WORK, "home"),
       "INPUTRC": os.path.join(WORK, "inputrc")}  # no user readline settings
TIMEOUT = 120  # generous: the sanitizer build is slow to start and dissect


class Shell:
    """mptcpanalyzer running in a detached tmux session of its own (private socket)."""

    def __init__(self, name):
        self.socket = os.path.join(WORK, f"tmux-{name}")
        self.status_file = os.path.join(WORK, f"status-{name}")
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in ENV.items())
        command = f"env {env} {shlex.quote(PROGRAM)}; echo $? > {shlex.quote(self.status_file)}"
        self.tmux("new-session", "-d", "-x", "220", "-y", "60", "-s", "shell", command)

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-S", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                              check=check)

    def screen(self):
        proc = self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "shell", check=False)
        return proc.stdout if proc.returncode == 0 else ""

    def lines(self):
        return [l.rstrip() for l in self.screen().splitlines() if l.strip()]

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            lines = self.lines()
            if lines and predicate(lines):
                return lines
            time.sleep(0.05)
        checker.check(False, f"{what}: timed out; screen:\n" + "\n".join(self.lines()[-30:]))
        return None

    def last_line(self, expected, what):
        return self.wait_for(lambda lines: lines[-1] == expected, what)

    def type(self, text):
        self.tmux("send-keys", "-t", "shell", "-l", text)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "shell", *keys)

    def run(self, line, until, what):
        """Type a command and Enter; wait until `until(lines)` and a fresh prompt after the output."""
        before = len(self.lines())
        self.type(line)
        self.keys("Enter")
        return self.wait_for(lambda lines: len(lines) > before and until(lines[before:]) and is_prompt(lines[-1]),
                             what)

    def status(self):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if os.path.exists(self.status_file):
                with open(self.status_file) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        return None

    def kill(self):
        self.tmux("kill-server", check=False)


def is_prompt(line):
    return re.fullmatch(r"mptcpanalyzer( \S+( --peer \S+)?)?>", line) is not None


def listing_after(lines, typed):
    """The words readline listed (two Tabs on an ambiguous word): between the line being completed
    and its copy that readline redraws under the listing."""
    at = [i for i, l in enumerate(lines) if l.endswith("> " + typed.rstrip())]
    if len(at) < 2 or at[-2] + 1 >= at[-1]:
        return set()
    return set(" ".join(lines[at[-2] + 1:at[-1]]).split())


def expect_inline(shell, typed, completed, what):
    shell.type(typed)
    shell.keys("Tab")
    ok = shell.wait_for(lambda lines: lines[-1].endswith("> " + completed), what) is not None
    shell.keys("C-u")  # clear the line for the next test
    shell.wait_for(lambda lines: is_prompt(lines[-1]), "line cleared")
    return ok


def expect_listing(shell, typed, expected, what):
    """Tab Tab on `typed`; the listed candidates must be `expected` (or the one inline completion)."""
    shell.type(typed)
    shell.keys("Tab", "Tab")
    if len(expected) == 1:
        (only,) = expected
        ok = shell.wait_for(lambda lines: lines[-1].endswith("> " + typed + only), what) is not None
    else:
        lines = shell.wait_for(lambda lines: lines[-1].endswith("> " + typed.rstrip())
                               and listing_after(lines, typed) >= set(expected), what)
        ok = lines is not None and checker.check(listing_after(lines, typed) == set(expected),
                                                 f"{what}: listed {sorted(listing_after(lines, typed))}, "
                                                 f"expected {sorted(expected)}")
    shell.keys("C-u")
    shell.wait_for(lambda lines: is_prompt(lines[-1]), "line cleared")
    return ok


def stream_numbers(capture, field):
    rows = tshark_fields(capture, [field], display_filter=field.split(".")[0])
    return {v for row in rows for v in row[0].split(",") if v != ""}


def first_session(capture, plain_name):
    shell = Shell("first")
    try:
        checker.check(shell.wait_for(lambda lines: lines[-1] == "mptcpanalyzer>", "the shell starts with its prompt")
                      is not None, "prompt shown")
        checker.check(expect_inline(shell, "list-m", "list-mptcp", "a command name completes"), "command completion")
        checker.check(expect_inline(shell, "list-tcp --js", "list-tcp --json", "an option name completes"),
                      "option completion")
        checker.check(expect_inline(shell, "help list-s", "help list-subflows", "help's argument completes"),
                      "help completion")
        checker.check(expect_inline(shell, "cache cl", "cache clean", "a subcommand completes"), "subcommand completion")
        # The choices of --direction, as `plot dsn --help` shows them.
        helptext = run_program("plot", "dsn", "--help").stdout
        m = re.search(r"--direction[^{\n]*\{([^}]*)\}", helptext)
        if checker.check(m is not None, f"plot dsn --help shows the --direction choices: {helptext}"):
            choices = set(m.group(1).split(","))
            to = {c for c in choices if c.startswith("to_")}
            expect_listing(shell, "plot dsn --direction to_", to, "an option's fixed choices complete")
        # File paths.
        checker.check(expect_inline(shell, "load " + os.path.join(os.path.dirname(capture), plain_name[:5]),
                                    "load " + os.path.join(os.path.dirname(capture), plain_name),
                                    "a file path completes"), "file completion")

        # help CMD prints the command's own help (CLI11's, as `CMD --help`).
        expected_help = [l.rstrip() for l in run_program("list-tcp", "--help").stdout.splitlines() if l.strip()]
        lines = shell.run("help list-tcp", lambda out: any("--read" in l for l in out), "help list-tcp")
        if lines:
            checker.check(all(l in lines for l in expected_help),
                          f"`help list-tcp` shows `list-tcp --help`:\n" + "\n".join(expected_help))

        # An unknown command: an error, and the shell goes on.
        lines = shell.run("frobnicate --now", lambda out: any("unknown command 'frobnicate'" in l for l in out),
                          "an unknown command prints an error")
        checker.check(lines is not None, "unknown command reported")
        lines = shell.run("version", lambda out: any(l.startswith("mptcpanalyzer 0") or l.startswith("mptcpanalyzer 1")
                                                      for l in out), "the shell goes on after an error")
        checker.check(lines is not None, "a command after an error runs")

        # What a mistyped or incomplete line gets (one-shot and batch: test_command_guidance.py).
        lines = shell.run("list-mptpc", lambda out: any(
            l.endswith("unknown command 'list-mptpc'; did you mean 'list-mptcp'?") for l in out),
            "a mistyped command names the closest one")
        checker.check(lines is not None, "unknown command suggestion in the shell")
        lines = shell.run("plot dns", lambda out: any("unknown plot kind 'dns'; did you mean 'dsn'" in l for l in out),
                          "a mistyped plot kind names the closest ones")
        checker.check(lines is not None, "unknown plot kind suggestion in the shell")
        numbers = sorted(int(n) for n in stream_numbers(capture, "mptcp.stream"))
        listed = ", ".join(str(n) for n in numbers) if len(numbers) < 3 or numbers[-1] - numbers[0] != len(numbers) - 1 \
            else f"{numbers[0]}-{numbers[-1]}"
        lines = shell.run(f"mptcp-summary -r {capture}", lambda out: any(
            l.endswith(f"{capture}: mptcp-summary needs an mptcp.stream number; valid: {listed}") for l in out),
            "a command missing its stream lists the capture's mptcp.stream numbers")
        checker.check(lines is not None, "missing stream number in the shell")
        lines = shell.run("cache", lambda out: any(l.endswith("cache needs a cache subcommand, one of:") for l in out)
                          and any(l.startswith("  clean ") for l in out), "`cache` alone lists its subcommands")
        checker.check(lines is not None, "`cache` alone in the shell")

        # load: the prompt shows the capture; stream numbers complete from it.
        lines = shell.run(f"load {capture}", lambda out: any(l.startswith("loaded ") for l in out), "load")
        checker.check(lines is not None and lines[-1] == f"mptcpanalyzer {os.path.basename(capture)}>",
                      f"the prompt shows the loaded capture: {lines[-1] if lines else None}")
        mptcp = stream_numbers(capture, "mptcp.stream")
        tcp = stream_numbers(capture, "tcp.stream")
        checker.check(len(mptcp) >= 2 and len(tcp) >= 2, f"test premise: several streams {mptcp} {tcp}")
        expect_listing(shell, "list-subflows ", mptcp, "mptcp.stream numbers of the loaded capture complete")
        expect_listing(shell, "tcp-summary ", tcp, "tcp.stream numbers of the loaded capture complete")
        expect_listing(shell, "mptcp_summary ", mptcp, "an alias completes its arguments like its command")
        m = re.search(r"attribute TEXT:\{([^}]*)\}", run_program("plot", "tcp-attr", "--help").stdout)
        if checker.check(m is not None, "plot tcp-attr --help shows the attribute names"):
            attrs = {a for a in m.group(1).split(",") if a.startswith("ts")}
            expect_listing(shell, "plot tcp-attr 1 ts", attrs, "attribute names complete after the stream")
        load_peer(shell, capture, tcp)
        # A command without -r uses the loaded capture.
        expected = run_program("list-mptcp", "-r", capture).stdout.splitlines()[0].rstrip()
        lines = shell.run("lm", lambda out: expected in out, "`lm` lists the loaded capture's MPTCP connections")
        checker.check(lines is not None, "alias + loaded capture")

        shell.type("version")  # typed, not run: Ctrl-D only exits on an empty line
        shell.keys("C-u")
        shell.wait_for(lambda lines: is_prompt(lines[-1]), "line cleared")
        shell.keys("C-d")
        status = shell.status()
        checker.check(status == 0, f"Ctrl-D leaves the shell with exit code 0: {status}")
    finally:
        shell.kill()


def two_capture_commands():
    """(name, 'tcp.stream' | 'mptcp.stream') of the commands whose --help shows --peer and a stream."""
    found = []
    for line in run_program("--help").stdout.split("Subcommands:", 1)[-1].splitlines():
        if not re.match(r"  \S", line):
            continue
        name = line[2:].split(",")[0].split()[0]
        text = run_program(name, "--help").stdout
        m = re.search(r"^  stream INT REQUIRED +(m?p?tcp\.stream)", text, re.M)
        if m and re.search(r"^  --peer ", text, re.M):
            found.append((name, m.group(1)))
    return found


def load_peer(shell, capture, tcp):
    """`load A --peer B`: --peer completes a file path, the prompt shows both names, stream numbers
    still complete from A (B has other ones), also for the two-capture commands; `load A` alone
    forgets the peer (the prompt shows A only)."""
    folder = os.path.dirname(capture)
    peer = os.path.join(folder, "peer-copy.pcapng")
    shutil.copy(os.path.join(DATA_DIR, "basic.server.pcapng"), peer)
    checker.check(stream_numbers(peer, "tcp.stream") != tcp, "test premise: the peer has other tcp.stream numbers")
    checker.check(expect_inline(shell, f"load {capture} --peer {os.path.join(folder, 'peer-')}",
                                f"load {capture} --peer {peer}", "--peer of load completes a file path"),
                  "--peer file completion")
    lines = shell.run(f"load {capture} --peer {peer}", lambda out: any(l.startswith("loaded --peer ") for l in out),
                      "load --peer")
    expected_prompt = f"mptcpanalyzer {os.path.basename(capture)} --peer {os.path.basename(peer)}>"
    checker.check(lines is not None and lines[-1] == expected_prompt,
                  f"the prompt shows both captures: {lines[-1] if lines else None!r}, expected {expected_prompt!r}")
    # (a text not typed before: listing_after reads the screen back to the previous same line)
    expect_listing(shell, "tcp_summary ", tcp, "after load --peer, the first capture's tcp.stream numbers complete")
    for name, field in two_capture_commands():
        expect_listing(shell, f"{name} ", stream_numbers(capture, field),
                       f"{name}: the first capture's {field} numbers complete")
        checker.check(expect_inline(shell, f"{name} --peer {os.path.join(folder, 'peer-')}", f"{name} --peer {peer}",
                                    f"--peer of {name} completes a file path"), f"{name} --peer file completion")
    lines = shell.run(f"load {capture}", lambda out: any(l.startswith("loaded ") for l in out), "load alone")
    checker.check(lines is not None and lines[-1] == f"mptcpanalyzer {os.path.basename(capture)}>",
                  f"`load A` alone forgets the peer: {lines[-1] if lines else None!r}")


def second_session():
    history = os.path.join(ENV["XDG_STATE_HOME"], "mptcpanalyzer", "history")
    checker.check(os.path.isfile(history), f"history file {history} written")
    if os.path.isfile(history):
        with open(history, encoding="utf-8", errors="replace") as f:
            text = f.read()
        checker.check("frobnicate --now" in text and "lm" in text.splitlines(), f"history holds the commands: {text}")
    shell = Shell("second")
    try:
        shell.wait_for(lambda lines: lines[-1] == "mptcpanalyzer>", "the restarted shell starts")
        shell.keys("Up")
        checker.check(shell.last_line("mptcpanalyzer> lm", "Up recalls the last command of the previous session")
                      is not None, "history survives a restart")
        shell.keys("Up")
        checker.check(shell.wait_for(lambda lines: lines[-1].startswith("mptcpanalyzer> load "),
                                     "Up again recalls the one before") is not None, "history order")
        shell.keys("C-u")
        # Ctrl-C abandons the line being typed; the shell goes on.
        shell.type("list-tcp --bogus")
        shell.keys("C-c")
        lines = shell.wait_for(lambda lines: lines[-1] == "mptcpanalyzer>"
                               and lines[-2] == "mptcpanalyzer> list-tcp --bogus", "Ctrl-C gives a fresh prompt")
        checker.check(lines is not None, "Ctrl-C abandons the line")
        shell.type("quit")
        shell.keys("Enter")
        checker.check(shell.status() == 0, "quit leaves with exit code 0")
    finally:
        shell.kill()


def cache_entries(folder):
    """Every file under the cache folder (entries and any temporary file)."""
    return sorted(os.path.join(d, n) for d, _, files in os.walk(folder) for n in files)


def interrupted_command_session(source):
    """Ctrl-C while a command runs stops that command, not the shell: `load` of a large capture
    (the corpus capture appended 128 times, not in the cache yet) is interrupted once its
    progress line shows, the shell reports it and prompts again, and the next command works."""
    big = os.path.join(WORK, "captures", "large.pcapng")
    merged = subprocess.run(["mergecap", "-a", "-w", big, *([source] * 128)], capture_output=True, text=True)
    if not checker.check(merged.returncode == 0, f"mergecap builds a large capture: {merged.stderr}"):
        return
    shell = Shell("interrupt")
    try:
        shell.wait_for(lambda lines: lines[-1] == "mptcpanalyzer>", "the shell starts")
        cache = ENV["XDG_CACHE_HOME"]
        before = cache_entries(cache)
        shell.type(f"load {big}")
        shell.keys("Enter")
        progress = shell.wait_for(lambda lines: "dissecting" in lines[-1], "the progress line of the load shows")
        if progress is None:
            return
        started = time.monotonic()
        shell.keys("C-c")
        lines = shell.wait_for(lambda lines: lines[-1] == "mptcpanalyzer>", "a fresh prompt after Ctrl-C")
        elapsed = time.monotonic() - started
        text = "\n".join(lines or [])
        checker.check(lines is not None and "interrupted (Ctrl-C)" in text,
                      f"the interrupted command is reported: {text[-400:]}")
        checker.check("loaded " not in text, "the interrupted load did not complete")
        checker.check(elapsed < 30, f"the command stopped soon after Ctrl-C ({elapsed:.1f} s)")
        checker.check(cache_entries(cache) == before,
                      "the interrupted dissection stored no cache entry (nor left a temporary file)")
        listing = shell.run("list-tcp -r " + source, lambda out: any(l.startswith("tcp.stream 0:") for l in out),
                            "a command after the interrupted one")
        checker.check(listing is not None, "the shell keeps working after an interrupted command")
        shell.type("quit")
        shell.keys("Enter")
        checker.check(shell.status() == 0, "quit after an interrupted command exits 0")
    finally:
        shell.kill()


def main():
    if not checker.check(shutil.which("tmux") is not None, "tmux is installed (the pseudo-terminal driver)"):
        checker.finish()
    os.makedirs(ENV["HOME"])
    with open(ENV["INPUTRC"], "w") as f:
        f.write("set bell-style none\n")
    source = os.path.join(DATA_DIR, "concurrent.client.pcapng")
    if not checker.check(os.path.isfile(source), f"{source} exists"):
        checker.finish()
    folder = os.path.join(WORK, "captures")
    os.makedirs(folder)
    plain_name = "concurrent-copy.pcapng"
    capture = os.path.join(folder, plain_name)
    shutil.copy(source, capture)
    first_session(capture, plain_name)
    second_session()
    interrupted_command_session(source)
    shutil.rmtree(WORK, ignore_errors=True)
    checker.finish()


if __name__ == "__main__":
    main()
