"""shell.history_size of the configuration file bounds the interactive shell's history file
(the shell runs on a real pseudo-terminal); without the key the default (1000) keeps them all."""

import os
import pty
import select
import subprocess
import time

from common import PROGRAM, Checker
from xdg_sandbox import Sandbox

COMMANDS = ["version", "plugins", "config show", "cache info", "help"]


def run_shell(box, args=()):
    """Types COMMANDS then `quit` into the shell on a pty; returns (exit code, history lines)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([PROGRAM, *args], stdin=slave, stdout=slave, stderr=slave, env=box.env, close_fds=True)
    os.close(slave)
    screen = b""

    def read_until(marker_count, deadline):
        nonlocal screen
        while time.monotonic() < deadline and screen.count(b"> ") < marker_count:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    screen += os.read(master, 65536)
                except OSError:
                    return

    deadline = time.monotonic() + 120
    read_until(1, deadline)  # the first prompt
    for i, line in enumerate(COMMANDS + ["quit"]):
        os.write(master, (line + "\r").encode())
        if line != "quit":
            read_until(i + 2, deadline)
    try:
        code = proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        code = None
    os.close(master)
    path = os.path.join(box.env["XDG_STATE_HOME"], "mptcpanalyzer", "history")
    lines = []
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [l.rstrip("\n") for l in f if l.strip()]
    return code, lines


def main():
    c = Checker("history size")
    box = Sandbox("history")
    try:
        code, lines = run_shell(box)
        c.check(code == 0, f"shell exits 0 after quit: {code}")
        c.check(all(cmd in lines for cmd in COMMANDS), f"default history keeps every command: {lines}")
        os.unlink(os.path.join(box.env["XDG_STATE_HOME"], "mptcpanalyzer", "history"))
        cfg = box.write("hist.ini", "[shell]\nhistory_size = 3\n")
        code, lines = run_shell(box, ("--config", cfg))
        c.check(code == 0, f"shell with history_size=3 exits 0: {code}")
        entered = COMMANDS + ["quit"]
        # The last three lines typed (whether or not the shell records `quit` itself).
        c.check(lines in (entered[-3:], COMMANDS[-3:]), f"history_size=3 keeps the last 3 lines: {lines}")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
