"""The program's surroundings: a Wireshark user profile cannot change results, progress is shown
on a terminal only, `version` and `checkhealth` report the libwireshark in use."""

import os
import pty
import subprocess
import tempfile

from common import PROGRAM, Checker, corpus_captures, run_program


def profile_isolation(checker, capture):
    """A profile that disables TCP and MPTCP dissection and changes TCP preferences would change
    tshark's output; ours must stay identical."""
    baseline = run_program("--no-cache", "export", "-r", capture).stdout
    with tempfile.TemporaryDirectory() as home:
        for conf in (os.path.join(home, ".config", "wireshark"), os.path.join(home, "wsconf")):
            os.makedirs(conf)
            with open(os.path.join(conf, "disabled_protos"), "w") as f:
                f.write("mptcp\ntcp\n")
            with open(os.path.join(conf, "preferences"), "w") as f:
                f.write("tcp.relative_sequence_numbers: TRUE\ntcp.analyze_sequence_numbers: TRUE\n"
                        "mptcp.analyze_mptcp: FALSE\n")
        env = {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config"),
               "WIRESHARK_CONFIG_DIR": os.path.join(home, "wsconf")}
        # The profile really would matter to libwireshark: tshark sees no TCP with it.
        tshark = subprocess.run(["tshark", "-r", capture, "-Y", "tcp", "-c", "5"], capture_output=True, text=True,
                                env={**os.environ, **env})
        checker.check(tshark.stdout.strip() == "", "the hostile profile hides TCP from tshark (test premise)")
        ours = run_program("--no-cache", "export", "-r", capture, env=env).stdout
        checker.check(ours == baseline, "a Wireshark user profile does not change export output")


def progress_only_on_terminal(checker, capture):
    plain = run_program("--no-cache", "export", "-r", capture, "-o", os.devnull)
    checker.check("dissecting" not in plain.stderr, "no progress line when stderr is not a terminal")
    master, slave = pty.openpty()
    proc = subprocess.Popen([PROGRAM, "--no-cache", "export", "-r", capture, "-o", os.devnull],
                            stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    checker.check(proc.wait() == 0, "export under a pseudo-terminal exits 0")
    checker.check(b"dissecting" in seen and b"100%" in seen, f"progress shown on a terminal: {seen[:200]!r}")


def version_and_health(checker):
    out = run_program("version").stdout
    tshark = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    # "TShark (Wireshark) 4.0.17 (Git v4.0.17 packaged as ...)." (4.0) or "... 4.4.19." (4.4)
    ws_version = tshark.split("(Wireshark) ")[1].split()[0].rstrip(".")
    checker.check(out.startswith("mptcpanalyzer ") and f"libwireshark {ws_version}" in out,
                  f"version names ours and libwireshark {ws_version}: {out!r}")
    health = run_program("checkhealth", check=False)
    checker.check(health.returncode == 0 and "[ ok ] libwireshark" in health.stdout,
                  f"checkhealth passes here: {health.stdout}{health.stderr}")
    with tempfile.TemporaryDirectory() as empty:
        # Without gnuplot on PATH checkhealth says which package to install and fails (exit 7).
        env = {"PATH": empty}
        sick = run_program("checkhealth", env=env, check=False)
        checker.check(sick.returncode == 7 and "gnuplot-nox" in sick.stdout,
                      f"checkhealth names the missing package and exits 7: {sick.returncode} {sick.stdout}")
    helptext = run_program("--help").stdout
    for cmd in ("list-tcp", "list-mptcp", "list-subflows", "tcp-summary", "mptcp-summary", "list-reinjections",
                "events", "export", "cache", "version", "checkhealth"):
        checker.check(cmd in helptext, f"--help lists {cmd}")


def main():
    checker = Checker("cli basics")
    captures = corpus_captures()
    checker.check(bool(captures), "tests/data holds the corpus captures")
    if captures:
        capture = min(captures, key=os.path.getsize)
        profile_isolation(checker, capture)
        progress_only_on_terminal(checker, capture)
    version_and_health(checker)
    checker.finish()


if __name__ == "__main__":
    main()
