"""The on-disk cache of dissected captures (analyzer/src/cache/table_cache.cpp): where it lives,
when it hits and misses, that a damaged entry is never trusted, that --no-cache/--regen/--cache-dir
do what they say, `cache info|clean`, and that concurrent runs on one capture agree.

Whatever the cache does, the output must equal the `--no-cache` output byte for byte. Captures
come from tests/data (copied to a temporary folder first); the test fails when it holds none."""

import glob
import os
import re
import shutil
import subprocess
import tempfile

from common import DATA_DIR, PROGRAM, Checker, tshark_env

checker = Checker("cache")
WORK = tempfile.mkdtemp(prefix="mptcp-test-cache-")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "UndefinedBehaviorSanitizer",
                   "runtime error:", "internal error")
CACHE_LINE = re.compile(r"^mptcpanalyzer: debug: cache: (hit|miss|stored|ignoring) (.+?\.mptable)(?:: (.*))?$")


def pick_captures():
    """Uncompressed captures of tests/data, smallest first."""
    files = [f for f in glob.glob(os.path.join(DATA_DIR, "*.pcap*"))
             if f.endswith((".pcap", ".pcapng")) and os.path.isfile(f) and os.path.getsize(f) > 0]
    return sorted(files, key=os.path.getsize)


class Run:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout  # bytes
        self.err = proc.stderr.decode("utf-8", "replace")
        self.events = []  # (event, path, reason)
        for line in self.err.splitlines():
            m = CACHE_LINE.match(line)
            if m:
                self.events.append((m.group(1), m.group(2), m.group(3) or ""))

    def kinds(self):
        return [e[0] for e in self.events]


def env_for(xdg=..., home=None):
    e = dict(os.environ)
    e["HOME"] = home or os.path.join(WORK, "home")
    e.pop("XDG_CACHE_HOME", None)
    if xdg is not ...:
        if xdg is not None:
            e["XDG_CACHE_HOME"] = xdg
    return e


def run(args, env, what):
    proc = subprocess.run([PROGRAM, *args], capture_output=True, env=env, timeout=300, cwd=WORK)
    r = Run(proc)
    checker.check(r.code >= 0 and not any(m in r.err for m in SANITIZER_MARKS),
                  f"{what}: crash (exit {r.code}): {r.err[-2000:]}")
    return r


def export(capture, env, what, *extra, fmt="csv"):
    r = run(["-v", *extra, "export", "-r", capture, "-o", "-", "--format", fmt], env, what)
    checker.check(r.code == 0, f"{what}: exit {r.code}: {r.err}")
    return r


def entries(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(f for f in os.listdir(folder) if f.endswith(".mptable") and not f.startswith("."))


def temporaries(folder):
    if not os.path.isdir(folder):
        return []
    return sorted(f for f in os.listdir(folder) if f.startswith(".") and ".tmp-" in f)


def reference(capture, fmt="csv"):
    r = run(["--no-cache", "export", "-r", capture, "-o", "-", "--format", fmt], env_for(None), "reference")
    checker.check(r.code == 0 and len(r.out) > 0, f"--no-cache export of {capture}: exit {r.code}: {r.err}")
    return r.out


def fresh(tag):
    d = os.path.join(WORK, tag)
    os.makedirs(d)
    return d


def expect_miss_store(r, what, folder):
    """A run that read the capture and stored an entry in `folder`."""
    kinds = r.kinds()
    checker.check("hit" not in kinds and "miss" in kinds and "stored" in kinds,
                  f"{what}: expected a miss then stored, got {r.events}")
    stored = [p for k, p, _ in r.events if k == "stored"]
    checker.check(all(os.path.dirname(p) == folder for p in stored),
                  f"{what}: stored outside {folder}: {stored}")


def expect_hit(r, what):
    checker.check(r.kinds() == ["hit"], f"{what}: expected exactly one cache hit, got {r.events}")


def main():
    captures = pick_captures()
    if not checker.check(len(captures) > 0, f"no capture (*.pcap, *.pcapng) in {DATA_DIR}: the corpus is missing"):
        checker.finish()
    os.makedirs(os.path.join(WORK, "home"))
    ext = os.path.splitext(captures[0])[1]
    a = os.path.join(WORK, "a" + ext)
    shutil.copyfile(captures[0], a)
    # A second capture with other content: another corpus capture of another size, or the first
    # half of the packets of the first one.
    b = os.path.join(WORK, "b" + ext)
    other = [c for c in captures[1:] if os.path.getsize(c) != os.path.getsize(a)]
    if other:
        shutil.copyfile(other[0], b)
    else:
        n = len(subprocess.run(["tshark", "-r", a, "-T", "fields", "-e", "frame.number"], capture_output=True,
                               text=True, env=tshark_env()).stdout.split())
        subprocess.run(["editcap", "-r", a, b, f"1-{max(1, n // 2)}"], check=True, capture_output=True)
    print(f"captures: {captures[0]} and {other[0] if other else 'its first half'}")
    ref_a, ref_b = reference(a), reference(b)
    if not checker.check(ref_a != ref_b, "the two test captures must give different tables"):
        checker.finish()

    # --- first run misses and stores, second hits, same bytes -------------------------------
    xdg = fresh("xdg1")
    folder = os.path.join(xdg, "mptcpanalyzer")
    env = env_for(xdg)
    r1 = export(a, env, "first run")
    expect_miss_store(r1, "first run", folder)
    checker.check(r1.out == ref_a, "first run: output differs from --no-cache")
    checker.check(len(entries(folder)) == 1, f"first run: expected one .mptable in {folder}: {entries(folder)}")
    if os.path.isdir(folder):
        checker.check(os.stat(folder).st_mode & 0o077 == 0,
                      f"cache folder {folder} is mode {oct(os.stat(folder).st_mode & 0o777)}, expected private (0700)")
    entry = os.path.join(folder, entries(folder)[0]) if entries(folder) else None
    r2 = export(a, env, "second run")
    expect_hit(r2, "second run")
    checker.check(r2.out == ref_a, "second run (cache hit): output differs byte for byte from the first")
    checker.check(not temporaries(folder), f"temporaries left: {temporaries(folder)}")
    rj1 = export(a, env, "json miss", fmt="json")
    checker.check(rj1.kinds() == ["hit"], f"json after csv: the format must not change the key: {rj1.events}")
    checker.check(rj1.out == reference(a, "json"), "json from the cache differs from --no-cache json")

    # The key is the real path: a relative path or a symbolic link to the same file hits.
    link = os.path.join(WORK, "link-to-a" + ext)
    os.symlink(a, link)
    expect_hit(export(link, env, "symbolic link to the capture"), "symbolic link to the capture")
    expect_hit(export(os.path.basename(a), env, "relative path"), "relative path to the capture")

    # --- touch -> miss ------------------------------------------------------------------------
    st = os.stat(a)
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    r = export(a, env, "after touch")
    expect_miss_store(r, "after touch", folder)
    checker.check(r.out == ref_a, "after touch: output differs")
    expect_hit(export(a, env, "after touch, again"), "after touch, again")

    # --- replaced content under the same name -> miss, new content ---------------------------
    c = os.path.join(WORK, "c" + ext)
    shutil.copyfile(a, c)
    export(c, env, "c: prime")
    shutil.copyfile(b, c)  # rewritten in place (same inode)
    r = export(c, env, "c rewritten in place with another capture")
    expect_miss_store(r, "c rewritten in place", folder)
    checker.check(r.out == ref_b, "c rewritten in place: output is not the new content's")
    tmp = os.path.join(WORK, "c-new" + ext)
    shutil.copyfile(a, tmp)
    os.replace(tmp, c)  # renamed over it (new inode)
    r = export(c, env, "c replaced by rename")
    expect_miss_store(r, "c replaced by rename", folder)
    checker.check(r.out == ref_a, "c replaced by rename: output is not the new content's")

    # --- damaged entries are ignored, removed and rewritten ----------------------------------
    xdg = fresh("xdg-damage")
    folder = os.path.join(xdg, "mptcpanalyzer")
    env = env_for(xdg)
    export(a, env, "damage: prime")
    names = entries(folder)
    if checker.check(len(names) == 1, f"damage: expected one entry, got {names}"):
        path = os.path.join(folder, names[0])
        with open(path, "rb") as f:
            good = f.read()
        mid = len(good) // 2
        damages = {
            "a byte flipped in the middle": good[:mid] + bytes([good[mid] ^ 0x40]) + good[mid + 1:],
            "a byte flipped in the header": good[:10] + bytes([good[10] ^ 0x01]) + good[11:],
            "the last byte flipped": good[:-1] + bytes([good[-1] ^ 0x80]),
            "truncated to half": good[:mid],
            "truncated by one byte": good[:-1],
            "one byte appended": good + b"\0",
            "replaced with garbage": os.urandom(len(good)),
            "replaced with text": b"not a cache file\n",
            "empty": b"",
            "the entry of the other capture": None,
        }
        for what, content in damages.items():
            if content is None:
                # b's entry renamed to a's name: well formed, but written for another key.
                other_xdg = fresh("xdg-other")
                export(b, env_for(other_xdg), "damage: entry of b")
                other_entries = entries(os.path.join(other_xdg, "mptcpanalyzer"))
                if not other_entries:
                    continue
                with open(os.path.join(other_xdg, "mptcpanalyzer", other_entries[0]), "rb") as f:
                    content = f.read()
            with open(path, "wb") as f:
                f.write(content)
            r = export(a, env, f"damaged entry ({what})")
            checker.check("ignoring" in r.kinds() and "hit" not in r.kinds(),
                          f"damaged entry ({what}): expected 'cache: ignoring', got {r.events}")
            checker.check(r.out == ref_a, f"damaged entry ({what}): output differs from --no-cache")
            checker.check(entries(folder) == names and "stored" in r.kinds(),
                          f"damaged entry ({what}): no fresh entry written: {entries(folder)} {r.events}")
            reasons = [x for k, _, x in r.events if k == "ignoring"]
            r = export(a, env, f"damaged entry ({what}), next run")
            expect_hit(r, f"damaged entry ({what}), next run")
            checker.check(r.out == ref_a, f"damaged entry ({what}), next run: output differs")
            print(f"damaged entry ({what}): ignored ({'; '.join(reasons)}), rewritten")
        with open(path, "rb") as f:
            checker.check(f.read() == good, "the rewritten entry differs from the first one (not deterministic)")
        # A folder where the entry should be: ignored, the store fails with a warning, exit 0.
        os.unlink(path)
        os.mkdir(path)
        r = export(a, env, "a folder in place of the entry")
        checker.check(r.out == ref_a and "hit" not in r.kinds(),
                      f"a folder in place of the entry: output differs or hit: {r.events}")
        os.rmdir(path)

    # --- --no-cache neither reads nor writes --------------------------------------------------
    xdg = fresh("xdg-nocache")
    folder = os.path.join(xdg, "mptcpanalyzer")
    env = env_for(xdg)
    r = export(a, env, "--no-cache (empty cache)", "--no-cache")
    checker.check(r.out == ref_a and not r.events and not os.path.exists(folder),
                  f"--no-cache wrote to the cache: {r.events}, {folder} exists: {os.path.exists(folder)}")
    export(a, env, "--no-cache: prime")
    path = os.path.join(folder, entries(folder)[0]) if entries(folder) else None
    if path:
        with open(path, "wb") as f:
            f.write(b"garbage that a reader would report and remove")
        r = export(a, env, "--no-cache (garbage entry)", "--no-cache")
        with open(path, "rb") as f:
            untouched = f.read() == b"garbage that a reader would report and remove"
        checker.check(r.out == ref_a and not r.events and untouched,
                      f"--no-cache read the cache: {r.events}, entry untouched: {untouched}")

    # --- --regen re-dissects and replaces the entry -------------------------------------------
    xdg = fresh("xdg-regen")
    folder = os.path.join(xdg, "mptcpanalyzer")
    env = env_for(xdg)
    export(a, env, "--regen: prime")
    before = os.stat(os.path.join(folder, entries(folder)[0])).st_ino if entries(folder) else None
    r = export(a, env, "--regen", "--regen")
    checker.check("stored" in r.kinds() and "hit" not in r.kinds(), f"--regen: expected stored and no hit: {r.events}")
    checker.check(r.out == ref_a, "--regen: output differs")
    after = os.stat(os.path.join(folder, entries(folder)[0])).st_ino if entries(folder) else None
    checker.check(len(entries(folder)) == 1 and before != after,
                  f"--regen: the entry was not replaced ({entries(folder)}, inode {before} -> {after})")
    expect_hit(export(a, env, "after --regen"), "after --regen")

    # --- where the cache lives ----------------------------------------------------------------
    home = fresh("home-default")
    r = export(a, env_for(home=home), "XDG_CACHE_HOME unset")
    expect_miss_store(r, "XDG_CACHE_HOME unset", os.path.join(home, ".cache", "mptcpanalyzer"))
    checker.check(len(entries(os.path.join(home, ".cache", "mptcpanalyzer"))) == 1,
                  "XDG_CACHE_HOME unset: no entry under $HOME/.cache/mptcpanalyzer")
    home = fresh("home-relative")
    r = export(a, env_for("relative/cache", home=home), "XDG_CACHE_HOME relative")
    expect_miss_store(r, "XDG_CACHE_HOME relative (ignored, XDG rules)", os.path.join(home, ".cache", "mptcpanalyzer"))
    checker.check(not os.path.exists(os.path.join(WORK, "relative")), "a relative XDG_CACHE_HOME was used")

    xdg = fresh("xdg-overridden")
    cache_dir = os.path.join(WORK, "explicit", "cache dir")
    r = export(a, env_for(xdg), "--cache-dir", "--cache-dir", cache_dir)
    expect_miss_store(r, "--cache-dir", cache_dir)
    checker.check(len(entries(cache_dir)) == 1 and not os.path.exists(os.path.join(xdg, "mptcpanalyzer")),
                  f"--cache-dir: entry not (only) in {cache_dir}")
    expect_hit(export(a, env_for(xdg), "--cache-dir, again", "--cache-dir", cache_dir), "--cache-dir, again")

    blocker = os.path.join(WORK, "regular-file")
    with open(blocker, "w") as f:
        f.write("not a folder\n")
    for what, extra, e in (("XDG_CACHE_HOME below a regular file", [], env_for(os.path.join(blocker, "sub"))),
                           ("--cache-dir below a regular file", ["--cache-dir", os.path.join(blocker, "c")],
                            env_for(None))):
        r = run(["-v", *extra, "export", "-r", a, "-o", "-"], e, what)
        warnings = [l for l in r.err.splitlines() if l.startswith("mptcpanalyzer: warning:")]
        checker.check(r.code == 0, f"{what}: exit {r.code}: {r.err}")
        checker.check(r.out == ref_a, f"{what}: output differs")
        checker.check(len(warnings) == 1 and blocker in warnings[0],
                      f"{what}: expected one warning naming the folder, got {warnings}")
        print(f"{what}: {warnings[:1]}")

    # --- cache info / cache clean -------------------------------------------------------------
    xdg = fresh("xdg-info")
    folder = os.path.join(xdg, "mptcpanalyzer")
    env = env_for(xdg)
    r = run(["cache", "info"], env, "cache info (no folder)")
    checker.check(r.code == 0 and re.search(rb"entries: 0\b", r.out) is not None,
                  f"cache info without a folder: exit {r.code}: {r.out!r} {r.err}")
    export(a, env, "two captures: a")
    export(b, env, "two captures: b")
    names = entries(folder)
    checker.check(len(names) == 2, f"two captures: expected two entries, got {names}")
    total = sum(os.path.getsize(os.path.join(folder, n)) for n in names)
    r = run(["cache", "info"], env, "cache info")
    text = r.out.decode()
    checker.check(r.code == 0 and re.search(rf"entries: {len(names)}\b", text) and re.search(rf"bytes: {total}\b", text)
                  and folder in text, f"cache info: expected {len(names)} entries, {total} bytes, {folder}: {text!r}")
    stale = os.path.join(folder, ".0123.mptable.tmp-abcdef")
    foreign = os.path.join(folder, "notes.txt")
    for p in (stale, foreign):
        with open(p, "w") as f:
            f.write("x")
    r = run(["cache", "clean"], env, "cache clean")
    checker.check(r.code == 0 and not entries(folder) and not os.path.exists(stale),
                  f"cache clean: left {entries(folder)} {temporaries(folder)}: {r.out!r} {r.err}")
    checker.check(os.path.exists(foreign), "cache clean removed a file that is not ours")
    r = run(["cache", "info"], env, "cache info after clean")
    checker.check(re.search(rb"entries: 0\b", r.out) is not None and re.search(rb"bytes: 0\b", r.out) is not None,
                  f"cache info after clean: {r.out!r}")
    r = run(["--cache-dir", folder, "cache", "info"], env_for(None), "cache info --cache-dir")
    checker.check(folder.encode() in r.out, f"cache info ignores --cache-dir: {r.out!r}")

    # --- concurrent loads ---------------------------------------------------------------------
    for round_ in range(2):
        xdg = fresh(f"xdg-concurrent-{round_}")
        folder = os.path.join(xdg, "mptcpanalyzer")
        env = env_for(xdg)
        procs = [subprocess.Popen([PROGRAM, "-v", "export", "-r", a, "-o", "-"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=env, cwd=WORK) for _ in range(6)]
        results = [p.communicate(timeout=600) + (p.returncode,) for p in procs]
        for i, (out, err, code) in enumerate(results):
            err = err.decode("utf-8", "replace")
            checker.check(code == 0 and not any(m in err for m in SANITIZER_MARKS),
                          f"concurrent #{i}: exit {code}: {err[-1500:]}")
            checker.check(out == ref_a, f"concurrent #{i}: output differs from --no-cache")
            checker.check("warning" not in err, f"concurrent #{i}: warning: {err}")
        checker.check(len(entries(folder)) == 1 and not temporaries(folder),
                      f"concurrent: expected one entry and no temporaries: {os.listdir(folder) if os.path.isdir(folder) else None}")
        expect_hit(export(a, env, "after concurrent runs"), "after concurrent runs (entry valid)")
    print("concurrent: 2 rounds of 6 processes")

    checker.finish()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
