"""Running real tshark / Wireshark with the built mptcpanalyzer.so plugin (shared by the
test_epan_plugin*.py tests; not a test itself).

The plugin path comes from MPTCP_EPAN_PLUGIN (set by tests/CMakeLists.txt where the plugin is
built). It is installed as a personal plugin in a temporary HOME, and the Wireshark programs run
as an unprivileged user (uid 65534 through setpriv when we are root): Wireshark ignores personal
plugins when run as root. `home_without_plugin` gives the same setting without the plugin, for
reference exit statuses."""

import os
import re
import shutil
import subprocess
import tempfile

PLUGIN = os.environ.get("MPTCP_EPAN_PLUGIN", "")
# A plugin built with AddressSanitizer/UBSan (debug build with MPTCP_BUILD_PLUGIN=ON): tshark is
# not instrumented, so the sanitizer runtimes must be preloaded (MPTCP_ASAN_PRELOAD), and
# tshark's extcap helpers must not start: they inherit LD_PRELOAD and one of them (androiddump)
# deadlocks under it, which hangs tshark at start-up (epan-plugin/README.md, "Sanitizers").
SANITIZED = os.environ.get("MPTCP_EPAN_PLUGIN_SANITIZED", "") == "1"
UNPRIVILEGED = os.geteuid() == 0
NOBODY = 65534
# What a crash, a sanitizer or a failed analysis of ours leaves in tshark's output.
CRASH_MARKS = ("Segmentation fault", "core dumped", "terminate called", "AddressSanitizer",
               "LeakSanitizer", "runtime error:", "Aborted", "mptcpanalyzer plugin:")
VIEWS = ("mptcp,conns", "mptcp,subflows", "mptcp,reinjections")
TITLES = {"mptcp,conns": "MPTCP Connections", "mptcp,subflows": "MPTCP Subflows",
          "mptcp,reinjections": "MPTCP Reinjections"}


def wireshark_version():
    """(major, minor) of the tshark on PATH, from `tshark -v` ("TShark (Wireshark) 4.4.19 ...").
    Wireshark loads personal plugins from plugins/MAJOR.MINOR/epan, and only those built for that
    MAJOR.MINOR."""
    proc = subprocess.run(["tshark", "-v"], capture_output=True, text=True, errors="replace")
    found = re.search(r"\(Wireshark\) (\d+)\.(\d+)\.", proc.stdout)
    if not found:
        raise RuntimeError(f"cannot tell tshark's version from `tshark -v`: {proc.stdout[:200]!r}")
    return int(found.group(1)), int(found.group(2))


class PluginHome:
    """A temporary HOME with the plugin installed (and one without), readable by nobody."""

    def __init__(self, plugin=PLUGIN):
        self.work = tempfile.mkdtemp(prefix="mptcp-test-plugin-")
        os.chmod(self.work, 0o755)
        self.home = os.path.join(self.work, "home")
        self.bare_home = os.path.join(self.work, "barehome")
        major, minor = wireshark_version()
        self.plugin_dir = os.path.join(self.home, ".local", "lib", "wireshark", "plugins", f"{major}.{minor}", "epan")
        os.makedirs(self.plugin_dir)
        os.makedirs(self.bare_home)
        self.no_extcap = os.path.join(self.work, "no-extcap")
        os.makedirs(self.no_extcap)
        shutil.copy(plugin, os.path.join(self.plugin_dir, "mptcpanalyzer.so"))
        self._share(self.work)

    def _share(self, top):
        for root, dirs, files in os.walk(top):
            for name in dirs + files + [""]:
                path = os.path.join(root, name)
                os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)
                if UNPRIVILEGED:
                    os.chown(path, NOBODY, NOBODY)

    def local_copy(self, path, name=None):
        """A copy of `path` the unprivileged user can read."""
        dst = os.path.join(self.work, name or os.path.basename(path))
        if os.path.abspath(path) != os.path.abspath(dst):
            shutil.copy(path, dst)
        self._share(dst)
        return dst

    def command(self, argv, with_plugin=True, env=None):
        """argv run as the unprivileged user with HOME set; returns (cmd, environment)."""
        home = self.home if with_plugin else self.bare_home
        environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
                       "WIRESHARK_CONFIG_DIR": os.path.join(home, ".config", "wireshark")}
        if SANITIZED and with_plugin:
            environment.update({
                "LD_PRELOAD": os.environ.get("MPTCP_ASAN_PRELOAD", ""),
                # tshark itself leaks at exit and is not instrumented: only our errors count.
                "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
                "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
                "WIRESHARK_EXTCAP_DIR": self.no_extcap})
        environment.update(env or {})
        cmd = list(argv)
        if UNPRIVILEGED:
            cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "env",
                   *[f"{k}={v}" for k, v in environment.items()], *cmd]
        return cmd, environment

    def tshark(self, args, with_plugin=True, env=None, timeout=600):
        cmd, environment = self.command(["tshark", *args], with_plugin, env)
        return subprocess.run(cmd, capture_output=True, text=True, env=environment, timeout=timeout,
                              errors="replace")

    def cleanup(self):
        shutil.rmtree(self.work, ignore_errors=True)


def crash_marks(proc):
    return [m for m in CRASH_MARKS if m in proc.stderr or m in proc.stdout]


def parse_tables(stdout):
    """{title: {"filter": str, "header": [..], "rows": [{column: cell}]}} from tshark's framed
    stat_tap_table output (title line "X:", "Filter for statistics: F", header "a |b |", the
    table's own title, then one "v |v |" line per row)."""
    lines = stdout.splitlines()
    tables, i = {}, 0
    while i < len(lines):
        line = lines[i]
        if line in [t + ":" for t in TITLES.values()] and i + 3 < len(lines) \
                and lines[i + 1].startswith("Filter for statistics:"):
            title = line[:-1]
            display_filter = lines[i + 1][len("Filter for statistics:"):].strip()
            header = [c.strip() for c in lines[i + 2].split(" |")[:-1]]
            rows = []
            i += 4  # skip the table's own title
            while i < len(lines) and not lines[i].startswith("====="):
                cells = [c.strip() for c in lines[i].split(" |")[:-1]]
                if len(cells) == len(header):
                    rows.append(dict(zip(header, cells)))
                i += 1
            tables[title] = {"filter": display_filter, "header": header, "rows": rows}
        i += 1
    return tables
