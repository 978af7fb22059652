"""Captures damaged at random (editcap -E: random byte errors, seeded) and cut at many points
never crash the program, never hang, and end with a documented exit code; in the sanitizer
build (CI) any memory error would abort the run and fail here."""

import os
import subprocess
import tempfile

from common import PROGRAM, Checker, corpus_captures

DOCUMENTED = {0, 3, 4, 5}
COMMANDS = [["export", "-o", os.devnull], ["list-mptcp", "--json"], ["list-reinjections"], ["events"]]


def run(args, env):
    try:
        proc = subprocess.run([PROGRAM, "--no-cache", *args], capture_output=True, text=True, timeout=120, env=env)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    return proc.returncode, proc.stderr


def main():
    checker = Checker("damaged captures")
    captures = corpus_captures()
    checker.check(bool(captures), "tests/data holds the corpus captures")
    picks = [c for c in captures if any(k in os.path.basename(c) for k in ("concurrent.client", "reinject.server", "ipv6.client", "mpfail.server"))]
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        variants = []
        for capture in picks:
            base = os.path.basename(capture)
            for seed, prob in ((1, "0.01"), (2, "0.05"), (3, "0.2")):
                out = os.path.join(tmp, f"{seed}-{base}")
                subprocess.run(["editcap", "--seed", str(seed), "-E", prob, capture, out], check=True,
                               capture_output=True)
                variants.append(out)
            size = os.path.getsize(capture)
            for frac in (0.1, 0.37, 0.73, 0.999):
                out = os.path.join(tmp, f"cut{frac}-{base}")
                with open(capture, "rb") as f, open(out, "wb") as g:
                    g.write(f.read(int(size * frac)))
                variants.append(out)
        for path in variants:
            for cmd in COMMANDS:
                args = [cmd[0], "-r", path, *cmd[1:]]
                rc, err = run(args, env)
                name = f"{os.path.basename(path)}: {' '.join(cmd)}"
                checker.check(rc is not None, f"{name}: finished within 120 s")
                if rc is None:
                    continue
                checker.check(rc in DOCUMENTED, f"{name}: exit code {rc} is a documented one ({err[-300:]})")
                checker.check("AddressSanitizer" not in err and "runtime error" not in err,
                              f"{name}: no sanitizer report ({err[-300:]})")
    checker.finish()


if __name__ == "__main__":
    main()
