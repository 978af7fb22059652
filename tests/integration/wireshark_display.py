"""Wireshark (Qt) with our plugin on a private Xvfb display, driven with xdotool and grabbed with
ImageMagick: what the GUI test (test_epan_plugin_gui.py) and the guide's screenshots
(tools/docs/make_guide.py) both need. Wireshark runs through a PluginHome of epan_plugin_harness.py
(unprivileged user, plugin in a temporary HOME, sanitizer runtimes preloaded when the plugin was
built with them)."""

import os
import shutil
import subprocess
import time

# What a display needs; missing ones are named so the caller can skip or fail with the package.
TOOLS = ("wireshark", "Xvfb", "xdotool", "import", "convert")
PACKAGES = "apt-get install wireshark-qt xvfb xdotool imagemagick"


def missing_tools():
    return [p for p in TOOLS if not shutil.which(p)]


class WiresharkDisplay:
    """One Xvfb server (width x 1000 pixels) and the Wireshark processes started on it."""

    def __init__(self, home, capture, width, uid=None):
        self.home = home
        self.capture = capture
        # Wireshark wants its own XDG runtime folder, owned by whoever runs it.
        self.runtime = os.path.join(home.work, "xdg-runtime")
        os.makedirs(self.runtime, exist_ok=True)
        os.chmod(self.runtime, 0o700)
        if uid is not None:
            os.chown(self.runtime, uid, uid)
        # Xvfb picks a free display number and writes it to the pipe.
        read_fd, write_fd = os.pipe()
        self.xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x1000x24", "-ac",
                                      "-nolisten", "tcp"], pass_fds=(write_fd,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            self.display = ":" + f.readline().strip()
        self.env = dict(os.environ, DISPLAY=self.display)

    def x(self, *args, check=False):
        """Runs an X client (xdotool, import, convert) on this display."""
        return subprocess.run(list(args), capture_output=True, text=True, env=self.env, check=check)

    def windows(self, name):
        return [w for w in self.x("xdotool", "search", "--name", name).stdout.split() if w]

    def wait_window(self, name, timeout=90):
        """The first window whose name matches the regular expression `name`, or None."""
        end = time.time() + timeout
        while time.time() < end:
            found = self.windows(name)
            if found:
                return found[0]
            time.sleep(0.5)
        return None

    def geometry(self, window):
        """(x, y, width, height) of a window."""
        values = dict(line.split("=", 1)
                      for line in self.x("xdotool", "getwindowgeometry", "--shell", window).stdout.split())
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    def screenshot(self, path, crop=None):
        """The root window (or the `crop` geometry of it, WxH+X+Y) as a PNG at `path`."""
        args = ["import", "-window", "root"]
        if crop:
            args += ["-crop", crop, "+repage"]
        self.x(*args, path)
        return path

    def drawn_height(self, path):
        """Height of the part of a screenshot that is not the black root window."""
        out = self.x("convert", path, "-trim", "-format", "%h", "info:").stdout.strip()
        return int(out) if out.isdigit() else 0

    def start_wireshark(self, extra_args=(), with_plugin=True):
        cmd, environment = self.home.command(["wireshark", "-r", self.capture, *extra_args], with_plugin,
                                             {"DISPLAY": self.display, "XDG_RUNTIME_DIR": self.runtime,
                                              "QT_QPA_PLATFORM": "xcb"})
        return subprocess.Popen(cmd, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    @staticmethod
    def stop(proc):
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def close(self):
        self.xvfb.terminate()
        self.xvfb.wait()
