"""A run ended by a signal (SIGTERM, SIGINT, SIGHUP) while it reads a capture leaves none of its
temporary folders behind (the private Wireshark configuration folder, mptcpanalyzer-wsconf-*),
and still ends by that signal (the parent sees the usual status). Without the cleanup handler
the folder stays in $TMPDIR for every killed run."""

import os
import shutil
import signal
import subprocess
import tempfile
import time

from common import DATA_DIR, PROGRAM, Checker

SOURCE = os.path.join(DATA_DIR, "concurrent.client.pcapng")


def main():
    c = Checker("temporaries removed on signals")
    work = tempfile.mkdtemp(prefix="mptcp-signals-")
    try:
        big = os.path.join(work, "big.pcapng")
        subprocess.run(["mergecap", "-a", "-w", big, *([SOURCE] * 30)], check=True, capture_output=True)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            tmp = os.path.join(work, f"tmp-{sig.name}")
            os.makedirs(tmp)
            env = dict(os.environ, TMPDIR=tmp, MPTCPANALYZER_NO_PLUGINS="1")
            env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
            proc = subprocess.Popen([PROGRAM, "--no-cache", "export", "-r", big, "-o", os.devnull], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 120
            while not os.listdir(tmp) and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            seen = os.listdir(tmp)
            c.check(any(n.startswith("mptcpanalyzer-wsconf-") for n in seen),
                    f"{sig.name}: the run made its temporary folder: {seen}")
            time.sleep(0.3)  # into the dissection
            still_running = proc.poll() is None
            proc.send_signal(sig)
            try:
                _, err = proc.communicate(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
                _, err = proc.communicate()
                c.check(False, f"{sig.name}: the run ended on the signal")
                continue
            c.check(still_running, f"{sig.name}: the signal came while the capture was read")
            c.check(proc.returncode == -sig, f"{sig.name}: ended by the signal (status {proc.returncode}): {err[-300:]}")
            c.check(os.listdir(tmp) == [], f"{sig.name}: no temporary left: {os.listdir(tmp)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
