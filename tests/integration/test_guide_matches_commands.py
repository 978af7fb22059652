"""docs/guide.md shows what its commands print today, and the README leads with one of its pictures.

1. `tools/docs/make_guide.py --check` (this build's program and Wireshark plugin) reruns every
   command of the guide on the shipped captures and exits 0: every output region equals what the
   command prints now, every picture's plot data and size are those recorded, every picture the
   guide draws is shown, and every picture the guide and the README show exists, is a PNG and is
   at most 100 KB.
2. The check is not blind: a copy of one guide region with one character of its output changed,
   a line dropped, or a trim marker that hides lines the command does not print, makes
   `--check` exit 1 and print the difference.
3. The README's first element after its title is a picture of the guide (the DSN plot with
   reinjections and DATA_ACKs: a `plot dsn ... --data-acks` step), its caption gives that step's
   exact command, and the README links the guide.

Skipped (exit 77) when the plugin is not built or Debian's python3 has no pandas (the guide runs
tshark with the plugin and a pandas snippet; install-deps.sh installs python3-pandas)."""

import os
import re
import subprocess
import sys
import tempfile

from common import PROGRAM, SOURCE_DIR, Checker

SCRIPT = os.path.join(SOURCE_DIR, "tools", "docs", "make_guide.py")
GUIDE = os.path.join(SOURCE_DIR, "docs", "guide.md")
README = os.path.join(SOURCE_DIR, "README.md")
PLUGIN = os.environ.get("MPTCP_EPAN_PLUGIN", "")
PYTHON = "/usr/bin/python3"

if not PLUGIN:
    print("SKIP: MPTCP_EPAN_PLUGIN is not set (the guide's Wireshark step needs the built plugin); nothing tested")
    sys.exit(77)
if subprocess.run([PYTHON, "-c", "import pandas"], capture_output=True).returncode != 0:
    print(f"SKIP: {PYTHON} has no pandas (apt-get install python3-pandas); the guide's pandas step cannot run")
    sys.exit(77)

checker = Checker("guide")


def check(*extra):
    return subprocess.run([sys.executable, SCRIPT, "--check", "--program", PROGRAM, "--plugin", PLUGIN, *extra],
                          capture_output=True, text=True, timeout=1800)


# 1. The committed guide is up to date.
proc = check()
checker.check(proc.returncode == 0, f"make_guide.py --check exited {proc.returncode}:\n{proc.stdout[-6000:]}\n"
                                    f"{proc.stderr[-3000:]}")

# 2. A changed output is noticed.
with open(GUIDE, encoding="utf-8") as f:
    guide = f.read()
region = re.search(r"<!-- guide-run: mptcpanalyzer list-tcp -r (\S+) -->\n```console\n\$ [^\n]*\n(.*?)```\n"
                   r"<!-- guide-end -->\n", guide, re.S)
if checker.check(region is not None, "the guide has no list-tcp step to alter"):
    good = region.group(0)
    first_line = region.group(2).splitlines()[0]
    altered_line = first_line.replace("packets", "packet", 1)
    variants = {
        "one output character changed": good.replace(first_line, altered_line, 1),
        "one output line dropped": good.replace(first_line + "\n", "", 1),
        "a trim marker over lines the command does not print":
            good.replace(first_line, first_line + "\n[... 3 lines not shown ...]", 1),
    }
    with tempfile.TemporaryDirectory(prefix="mptcp-guide-test-") as tmp:
        for what, text in variants.items():
            checker.check(text != good, f"{what}: the variant equals the original")
            path = os.path.join(tmp, "guide.md")
            with open(path, "w", encoding="utf-8") as f:
                f.write("# altered\n\n" + text)
            altered = check("--guide", path)
            checker.check(altered.returncode == 1, f"{what}: --check exited {altered.returncode}, not 1:\n"
                                                   f"{altered.stdout}\n{altered.stderr}")
            checker.check("what the commands print now" in altered.stdout,
                          f"{what}: --check printed no difference:\n{altered.stdout}")
        # The unaltered region alone passes: the failures above are the alterations'.
        with open(os.path.join(tmp, "guide.md"), "w", encoding="utf-8") as f:
            f.write("# altered\n\n" + good)
        same = check("--guide", os.path.join(tmp, "guide.md"))
        checker.check(same.returncode == 0, f"the unaltered list-tcp region alone fails --check:\n{same.stdout}\n{same.stderr}")

# 3. The README leads with the guide's DSN picture and links the guide.
with open(README, encoding="utf-8") as f:
    readme = f.read()
body = readme.split("\n", 1)[1].lstrip("\n")
lead = re.match(r"!\[[^\]]+\]\(docs/(images/[^)]+\.png)\)\n\n\*`([^`]+)`", body)
if checker.check(lead is not None, "the README does not start (after its title) with a picture and its command"):
    picture, command = lead.groups()
    step = re.search(r"<!-- guide-run: (mptcpanalyzer plot dsn [^>]*-o " + re.escape(os.path.basename(picture)) +
                     r"\b[^>]*) -->", guide)
    checker.check(step is not None, f"the README's picture {picture} is not the picture of a plot dsn step of the guide")
    if step:
        checker.check("--data-acks" in step.group(1), f"the README's picture is drawn without --data-acks: {step.group(1)}")
        checker.check(command == step.group(1), f"the README's caption says '{command}', the guide ran '{step.group(1)}'")
        checker.check(re.search(r"!\[[^\]]*\]\(" + re.escape(picture) + r"\)", guide) is not None,
                      f"the guide does not show {picture}")
checker.check("(docs/guide.md)" in readme, "the README does not link docs/guide.md")
checker.finish()
