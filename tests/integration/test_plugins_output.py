"""A plugin command's output goes where a built-in command's goes (docs/plugins.md, "Output and
errors"): `-o FILE` is written atomically (renamed into place: a hard link to the old file keeps
the old content, no temporary is left, a failed run leaves the old file as it was), `-o -` is
standard output, a symbolic link keeps pointing at the new file, the capture being read is never
overwritten (exit 2), an unwritable destination exits 6 before the capture is read, and the
plugin's statuses exit with the documented codes (docs/exit-codes.md)."""

import os
import shutil

from common import DATA_DIR, Checker
from xdg_sandbox import Sandbox

EXAMPLE = os.environ.get("MPTCP_EXAMPLE_PLUGIN", "")
NEWER = os.environ.get("MPTCP_NEWER_MINOR_PLUGIN", "")
BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def leftovers(folder):
    return sorted(n for n in os.listdir(folder) if ".tmp-" in n)


def main():
    c = Checker("plugin output")
    for path in (EXAMPLE, NEWER):
        if not c.check(os.path.isfile(path), f"the plugin is built: {path!r}"):
            c.finish()
    box = Sandbox("plugins-output")
    try:
        shutil.copy(EXAMPLE, box.plugin_folder())
        shutil.copy(NEWER, box.plugin_folder())
        out_dir = box.path("out")
        os.makedirs(out_dir)

        p = box.run("subflow-count", "-r", BASIC)
        c.check(p.returncode == 0 and p.stdout.startswith("mptcp.stream 0:"), f"subflow-count runs: {p.stderr!r}")
        expected = p.stdout.encode()
        p = box.run("subflow-count", "-r", BASIC, "-o", "-")
        c.check(p.returncode == 0 and p.stdout.encode() == expected, "-o - is standard output")

        out = os.path.join(out_dir, "subflows.txt")
        p = box.run("subflow-count", "-r", BASIC, "-o", out)
        c.check(p.returncode == 0 and p.stdout == "" and os.path.exists(out) and read(out) == expected,
                f"-o FILE gets exactly what standard output would: {p.returncode} {p.stderr!r}")

        # Replaced by rename, not rewritten in place: a hard link to the old file keeps the old bytes.
        with open(out, "wb") as f:
            f.write(b"old content\n")
        os.link(out, os.path.join(out_dir, "old-link.txt"))
        p = box.run("subflow-count", "-r", BASIC, "-o", out)
        c.check(p.returncode == 0 and read(out) == expected and read(os.path.join(out_dir, "old-link.txt")) == b"old content\n",
                "an existing -o FILE is replaced atomically (renamed into place)")
        c.check(leftovers(out_dir) == [], f"no temporary file is left: {leftovers(out_dir)}")

        # A failed run leaves the existing file untouched, creates nothing, prints nothing.
        p = box.run("subflow-count", "-r", BASIC, "--mptcp-stream", "99", "-o", out)
        c.check(p.returncode == 2 and "no mptcp.stream 99" in p.stderr and p.stdout == "" and read(out) == expected,
                f"a failed run keeps the old -o FILE: {p.returncode} {p.stderr!r}")
        fresh = os.path.join(out_dir, "never.txt")
        p = box.run("subflow-count", "-r", BASIC, "--mptcp-stream", "99", "-o", fresh)
        c.check(p.returncode == 2 and not os.path.exists(fresh), "a failed run creates no -o FILE")
        c.check(leftovers(out_dir) == [], f"no temporary file is left after failures: {leftovers(out_dir)}")

        # A symbolic link keeps pointing at the (new) file.
        target = os.path.join(out_dir, "target.txt")
        link = os.path.join(out_dir, "link.txt")
        with open(target, "w") as f:
            f.write("old\n")
        os.symlink(target, link)
        p = box.run("subflow-count", "-r", BASIC, "-o", link)
        c.check(p.returncode == 0 and os.path.islink(link) and read(target) == expected,
                "-o through a symbolic link writes the file it points at")

        # Never over the capture being read, by its name or through a link.
        capture = box.path("capture.pcapng")
        shutil.copy(BASIC, capture)
        before = read(capture)
        p = box.run("subflow-count", "-r", capture, "-o", capture)
        c.check(p.returncode == 2 and "refusing to overwrite" in p.stderr and read(capture) == before,
                f"-o the capture itself is refused with exit 2: {p.returncode} {p.stderr!r}")
        capture_link = box.path("capture-link.pcapng")
        os.symlink(capture, capture_link)
        p = box.run("subflow-count", "-r", capture, "-o", capture_link)
        c.check(p.returncode == 2 and read(capture) == before, "-o a link to the capture is refused too")

        # An unwritable destination fails with 6, naming it, and nothing is read.
        bad = "/nonexistent-dir/out.txt"
        p = box.run("subflow-count", "-r", "/nonexistent-capture.pcapng", "-o", bad)
        c.check(p.returncode == 6 and p.stderr.startswith(f"mptcpanalyzer: error: {bad}"),
                f"an unwritable -o exits 6 before the capture is opened: {p.returncode} {p.stderr!r}")
        p = box.run("subflow-count", "-r", "/nonexistent-capture.pcapng")
        c.check(p.returncode == 3, f"a missing capture exits 3 as for built-in commands: {p.returncode}")

        # The plugin's statuses are the program's exit codes; an unknown one is a failure (1).
        for status, code in ((1, 1), (2, 2), (5, 5), (7, 7), (99, 1), (-3, 1)):
            written = os.path.join(out_dir, f"status-{status}.txt")
            p = box.run("newer-minor-totals", "-r", BASIC, "--fail-with", str(status), "-o", written)
            c.check(p.returncode == code and "failing on purpose" in p.stderr and not os.path.exists(written),
                    f"status {status} exits {code}, writes nothing: {p.returncode} {p.stderr!r}")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
