"""Malformed configuration files: a syntax error, a bad value (the error names the key and the
file, exit 8), an unknown group or key (a warning naming file and line, the command runs), a
missing --config file (exit 8), a missing default file (fine)."""

import os

from common import Checker
from xdg_sandbox import Sandbox

CONFIG_EXIT = 8


def main():
    c = Checker("config errors")
    box = Sandbox("config-errors")
    try:
        # No default file: defaults, exit 0.
        p = box.run("config", "show", "--json")
        c.check(p.returncode == 0, f"missing default config file is fine: {p.returncode} {p.stderr}")

        # --config naming a missing file.
        missing = box.path("no-such.ini")
        p = box.run("--config", missing, "version")
        c.check(p.returncode == CONFIG_EXIT and missing in p.stderr and "No such file" in p.stderr,
                f"missing --config file: exit {p.returncode}, stderr {p.stderr!r}")
        p = box.run(f"--config={missing}", "version")
        c.check(p.returncode == CONFIG_EXIT and missing in p.stderr, f"--config=FILE form: {p.returncode} {p.stderr!r}")
        p = box.run("--config", box.root, "version")
        c.check(p.returncode == CONFIG_EXIT and box.root in p.stderr, f"a folder as --config: {p.returncode} {p.stderr!r}")

        # Syntax error, in the default file and in --config.
        for label, make in (("default", box.default_config), ("--config", lambda t: box.write("syntax.ini", t))):
            path = make("[output]\nformat = json\nthis line is not ini\n")
            args = ("version",) if label == "default" else ("--config", path, "version")
            p = box.run(*args)
            c.check(p.returncode == CONFIG_EXIT and f"{path}:3:" in p.stderr and "this line is not ini" in p.stderr,
                    f"syntax error ({label}): exit {p.returncode}, stderr {p.stderr!r}")
            c.check(p.stdout == "", f"syntax error ({label}): nothing runs: {p.stdout!r}")
        os.unlink(box.path("config", "mptcpanalyzer", "config"))

        # Unknown group and key: warnings with file and line; the command runs with the rest.
        path = box.write("unknown.ini", "# comment\n[output]\nformat = json\ncolour = red\n\n[colours]\nx = 1\n")
        p = box.run("--config", path, "config", "show", "--json")
        c.check(p.returncode == 0, f"unknown key is not an error: {p.returncode} {p.stderr!r}")
        c.check(f"{path}:4:" in p.stderr and "colour" in p.stderr, f"unknown key warning names file:line: {p.stderr!r}")
        c.check(f"{path}:6:" in p.stderr and "[colours]" in p.stderr, f"unknown group warning names file:line: {p.stderr!r}")
        c.check('"json"' in p.stdout, "the known key of a file with unknown keys still applies")

        # Bad values: each names the key and the file (and its line), exit 8, nothing runs.
        bad = {
            "output.format": "xml",
            "output.csv_delimiter": ";",
            "cache.folder": "relative/folder",
            "cache.size_limit": "lots",
            "shell.history_size": "-3",
            "plot.terminal": "gif",
            "plot.size": "10x10",
            "plot.font": "Evil'; system('x')",
            "plot.point_size": "0",
            "plot.line_width": "wide",
            "plugins.folders": "relative",
            "wireshark.nodot": "1",
        }
        for key, value in bad.items():
            group, name = key.split(".", 1)
            path = box.write(f"bad-{key}.ini", f"# a bad value\n[{group}]\n{name} = {value}\n")
            p = box.run("--config", path, "config", "show")
            c.check(p.returncode == CONFIG_EXIT, f"bad {key}={value!r}: exit {p.returncode} {p.stderr!r}")
            c.check(f"{path}:3:" in p.stderr and key in p.stderr,
                    f"bad {key}: the message names file:line and key: {p.stderr!r}")
            c.check(p.stdout == "", f"bad {key}: nothing printed on stdout: {p.stdout!r}")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
