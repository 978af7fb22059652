"""Whatever sits in a cache entry's place is never trusted: a FIFO does not hang the run (the
entry is opened without blocking), a symbolic link is not followed (even to a valid entry), a
folder is ignored; each run gives the same output as --no-cache. `cache clean` removes every one
of them (a folder with its contents; a link, never what it points to, so nothing outside the
cache folder is touched) and stale temporaries, and leaves files not named like ours."""

import glob
import os
import shutil
import subprocess

from common import DATA_DIR, PROGRAM, Checker
from xdg_sandbox import Sandbox

BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")


def main():
    c = Checker("cache entries that are not files")
    box = Sandbox("cache-not-files")
    try:
        cache = os.path.join(box.env["XDG_CACHE_HOME"], "mptcpanalyzer")
        reference = box.run("--no-cache", "list-tcp", "-r", BASIC)
        c.check(reference.returncode == 0, f"reference run: {reference.stderr[-200:]}")
        first = box.run("list-tcp", "-r", BASIC)
        entries = glob.glob(os.path.join(cache, "*.mptable"))
        c.check(first.returncode == 0 and len(entries) == 1, f"a first run stores one entry: {entries}")
        if len(entries) != 1:
            c.finish()
        entry = entries[0]
        outside = os.path.join(box.root, "outside")
        os.makedirs(outside)
        saved = os.path.join(outside, "valid-entry.mptable")
        shutil.move(entry, saved)

        def replace_with(kind):
            if os.path.islink(entry) or os.path.isfile(entry) or (os.path.exists(entry) and not os.path.isdir(entry)):
                os.unlink(entry)
            elif os.path.isdir(entry):
                shutil.rmtree(entry)
            if kind == "fifo":
                os.mkfifo(entry)
            elif kind == "symlink":
                os.symlink(saved, entry)
            elif kind == "folder":
                os.makedirs(os.path.join(entry, "inside"))
                with open(os.path.join(entry, "inside", "f"), "w") as f:
                    f.write("x")

        for kind, reason in (("fifo", "not a regular file"), ("symlink", "symbolic link"), ("folder", "")):
            replace_with(kind)
            try:
                run = subprocess.run([PROGRAM, "-v", "list-tcp", "-r", BASIC], capture_output=True, text=True,
                                     env=box.env, timeout=60)
            except subprocess.TimeoutExpired:
                c.check(False, f"a {kind} in the entry's place: the run finishes (it hung for 60 s)")
                continue
            c.check(run.returncode == 0 and run.stdout == reference.stdout,
                    f"a {kind} in the entry's place: same output as --no-cache ({run.returncode}: {run.stderr[-300:]})")
            c.check("cache: hit" not in run.stderr, f"a {kind} is not a hit: {run.stderr[-300:]}")
            if reason:
                c.check(reason in run.stderr, f"-v says why the {kind} is ignored ({reason!r}): {run.stderr[-400:]}")
        c.check(os.path.isfile(saved), "the link's target, outside the cache folder, is untouched")

        # cache clean: one of each, plus a stale temporary and a file of someone else's.
        names = {}
        for i, kind in enumerate(("fifo", "symlink", "folder")):
            path = os.path.join(cache, f"{i:064x}.mptable")
            names[kind] = path
            if kind == "fifo":
                os.mkfifo(path)
            elif kind == "symlink":
                os.symlink(saved, path)
            else:
                os.makedirs(os.path.join(path, "sub"))
                os.symlink(outside, os.path.join(path, "sub", "link-out"))
        temp = os.path.join(cache, f".{'a' * 64}.mptable.tmp-Ab12Cd")
        os.mkdir(temp)
        names["temporary folder"] = temp
        foreign = os.path.join(cache, "notes.txt")
        with open(foreign, "w") as f:
            f.write("not ours\n")
        clean = box.run("cache", "clean")
        c.check(clean.returncode == 0, f"cache clean runs ({clean.returncode}: {clean.stderr[-300:]})")
        for kind, path in names.items():
            c.check(not os.path.lexists(path), f"cache clean removed the {kind} {os.path.basename(path)}")
        c.check(os.path.isfile(foreign), "cache clean left a file not named like ours")
        c.check(os.path.isfile(saved) and os.path.isdir(outside), "nothing outside the cache folder was removed")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
