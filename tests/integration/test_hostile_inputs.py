"""Inputs an attacker or a careless user gives are refused or shown safely:
- stream numbers are parsed strictly: an empty string, a sign, a space on either side and a
  number past 32 bits are refused with exit 2 and a message quoting them (not taken as stream 0,
  nor clamped);
- a plot title beginning (or ending) with a single quote reaches the image as typed;
- a configuration file with a NUL byte is refused (exit 8, naming its line); a 10 MB value is
  echoed cut to a short prefix;
- control characters of a file name (newline, ESC) reach the terminal escaped in messages."""

import os
import subprocess

from common import DATA_DIR, Checker
from xdg_sandbox import Sandbox

BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")


def main():
    c = Checker("hostile inputs")
    box = Sandbox("hostile-inputs")
    try:
        ok = box.run("tcp-summary", "-r", BASIC, "0")
        c.check(ok.returncode == 0, f"control: tcp-summary 0 runs ({ok.returncode}: {ok.stderr[-200:]})")
        for bad in ("", " 0", "0 ", "+0", "0x0", "99999999999999999999", "4294967296", "1e3"):
            for args in (["tcp-summary", "-r", BASIC, bad], ["mptcp-summary", "-r", BASIC, bad],
                         ["list-mptcp", "-r", BASIC, bad], ["plot", "dsn", "-r", BASIC, bad, "-o", os.devnull]):
                p = box.run(*args)
                # An optional stream (list-mptcp [STREAM]) that fails the check is left over by the
                # parser, which refuses it as an unexpected argument: refused all the same.
                said = f"'{bad}' is not a stream number" in p.stderr or (
                    args[0] == "list-mptcp" and f"argument was not expected: {bad}" in p.stderr)
                c.check(p.returncode == 2 and said,
                        f"{args[0]} {bad!r}: refused with exit 2 naming it ({p.returncode}: {p.stderr[-200:]})")
        p = box.run("plot", "dsn", "-r", BASIC, "0", "--subflow", " 1", "--terminal", "dumb", "-o", "-")
        c.check(p.returncode == 2 and "is not a stream number" in p.stderr, f"--subflow ' 1' refused: {p.stderr[-200:]}")
        p = box.run("tcp-summary", "-r", BASIC, "4294967295")
        c.check(p.returncode == 2 and "no tcp.stream 4294967295" in p.stderr,
                f"the largest 32-bit number is a stream number (absent here): {p.returncode} {p.stderr[-200:]}")

        # Plot titles with quotes: the text terminal shows the title line as typed.
        for title in ("'quoted' title", "it's", "ends with '", "''", "a \"double\" one"):
            p = box.run("plot", "dsn", "-r", BASIC, "0", "--terminal", "dumb", "-o", "-", "--title", title)
            c.check(p.returncode == 0 and title in p.stdout,
                    f"plot title {title!r}: drawn as typed ({p.returncode}: {p.stderr[-300:]})")

        # Configuration: NUL byte, long value.
        nul = box.path("nul.ini")
        with open(nul, "wb") as f:
            f.write(b"[output]\nformat = json\n\x00\n[output]\nformat = bogus\n")
        p = box.run("--config", nul, "version")
        c.check(p.returncode == 8 and f"{nul}:3:" in p.stderr and "NUL" in p.stderr,
                f"a NUL byte is refused naming its line ({p.returncode}: {p.stderr[-300:]})")
        long_ini = box.path("long.ini")
        with open(long_ini, "w") as f:
            f.write("[output]\nformat = " + "x" * 10_000_000 + "\n")
        p = box.run("--config", long_ini, "version")
        c.check(p.returncode == 8 and "bad value" in p.stderr and len(p.stderr) < 1000 and "(10000000 bytes)" in p.stderr,
                f"a 10 MB value is echoed cut, with its size ({p.returncode}, {len(p.stderr)} bytes of stderr)")
        long_line = box.path("longline.ini")
        with open(long_line, "w") as f:
            f.write("[output]\n" + "y" * 1_000_000 + "\n")
        p = box.run("--config", long_line, "version")
        c.check(p.returncode == 8 and len(p.stderr) < 1000, f"a 1 MB bad line is quoted cut ({p.returncode}, {len(p.stderr)} bytes)")

        # File names with control characters.
        for raw, shown in (("evil\nmptcpanalyzer: error: forged.pcapng", "evil\\nmptcpanalyzer: error: forged.pcapng"),
                           ("esc\x1b[31mred.pcapng", "esc\\x1b[31mred.pcapng"), ("tab\there.pcapng", "tab\\there.pcapng")):
            path = box.path(raw)
            p = box.run("list-tcp", "-r", path)
            c.check(p.returncode == 3, f"{raw!r}: missing file, exit 3 ({p.returncode})")
            c.check(shown in p.stderr and "\x1b" not in p.stderr and p.stderr.count("\n") == 1,
                    f"{raw!r}: named escaped, on one line: {p.stderr!r}")
            with open(path, "wb") as f:
                f.write(b"not a capture at all\n" * 10)
            p = box.run("list-tcp", "-r", path)
            c.check(p.returncode == 4 and shown in p.stderr and p.stderr.count("\n") == 1,
                    f"{raw!r}: not a capture, exit 4, named escaped: {p.stderr!r}")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
