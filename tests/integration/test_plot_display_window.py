"""`plot KIND --display` opens a real gnuplot window on an X display: under Xvfb, with a gnuplot
that has a window terminal (gnuplot-qt), the command returns at once with status 0 and a window
titled "Gnuplot window" exists on that display. Skipped (exit 77) when Xvfb, xdotool or a
gnuplot window terminal is missing (tools/dev/install-deps.sh installs xvfb, xdotool and
gnuplot-qt, and CI fails on a skipped test; the error paths of --display are tested in
test_plot_options_and_errors.py)."""

import os
import shutil
import subprocess
import sys
import tempfile
import time

from common import DATA_DIR, PROGRAM, Checker


def window_terminals():
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        return set()
    out = subprocess.run([gnuplot, "-e", "print GPVAL_TERMINALS"], capture_output=True, text=True)
    return {"qt", "wxt", "x11"} & set((out.stdout + out.stderr).split())


def free_display():
    for n in range(90, 140):
        if not os.path.exists(f"/tmp/.X11-unix/X{n}") and not os.path.exists(f"/tmp/.X{n}-lock"):
            return f":{n}"
    return None


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def windows_named(display, name):
    out = subprocess.run(["xdotool", "search", "--name", name], capture_output=True, text=True,
                         env={**os.environ, "DISPLAY": display})
    return out.stdout.split()


def main():
    missing = [tool for tool in ("Xvfb", "xdotool") if not shutil.which(tool)]
    if not window_terminals():
        missing.append("a gnuplot with a window terminal (gnuplot-qt)")
    if missing:
        print(f"SKIP: --display window test needs {', '.join(missing)}")
        sys.exit(77)  # ctest SKIP_RETURN_CODE
    display = free_display()
    if display is None:
        print("SKIP: no free X display number")
        sys.exit(77)

    checker = Checker("plot --display window")
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1280x900x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ready = wait_for(lambda: os.path.exists(f"/tmp/.X11-unix/X{display[1:]}"), 10)
        checker.check(ready, f"Xvfb started on {display}")
        capture = os.path.join(DATA_DIR, "reinject.client.pcapng")
        with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as runtime:
            env = {**os.environ, "DISPLAY": display, "XDG_RUNTIME_DIR": runtime}
            env.pop("WAYLAND_DISPLAY", None)
            for kind, args in (("dsn", ["0"]), ("throughput", ["0"])):
                before = set(windows_named(display, "Gnuplot window"))
                start = time.monotonic()
                result = subprocess.run([PROGRAM, "plot", kind, "-r", capture, *args, "--display"], cwd=tmp,
                                        env=env, capture_output=True, text=True, timeout=120)
                elapsed = time.monotonic() - start
                checker.check(result.returncode == 0,
                              f"plot {kind} --display exits 0 (got {result.returncode}: {result.stderr.strip()})")
                checker.check(elapsed < 60, f"plot {kind} --display returns without waiting for the window ({elapsed:.1f} s)")
                appeared = wait_for(lambda: set(windows_named(display, "Gnuplot window")) - before, 20)
                checker.check(appeared, f"plot {kind} --display opened a new gnuplot window on {display}")
                checker.check(not os.listdir(tmp),
                              f"plot {kind} --display leaves no file in the working folder: {os.listdir(tmp)}")
    finally:
        xvfb.terminate()  # the persisting gnuplot_qt windows end with their display
        try:
            xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
    checker.finish()


if __name__ == "__main__":
    main()
