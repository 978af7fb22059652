#!/usr/bin/env python3
"""The Debian packages of dist/ (tools/dev/package.sh), installed with apt into a fresh Debian root
(tools/dev/debian-root.sh, bookworm unless --suite says otherwise), work as a user gets them:

- `apt-get install --no-install-recommends ./dist/*.deb` pulls every dependency (Depends alone);
- the installed `mptcpanalyzer list-mptcp -r` on a shipped capture finds the connections tshark
  finds, with the tokens the kernel reported (tests/data/manifest.json), as an unprivileged user;
- `man mptcpanalyzer` shows the page, documenting every command of `--help`;
- bash-completion's own loader finds the completion, which completes a command;
- the system tshark, as an unprivileged user, loads the installed plugin (version = the program's)
  and its `-z mptcp,conns` table has tshark's mptcp.stream connections with the manifest's tokens;
- examples/plugin builds against the installed SDK (find_package finds the packaged CMake
  package, the installed headers are used) and the installed program loads it and runs its
  command, whose output agrees with tshark;
- `apt-get purge --autoremove` of the packages (and of what the test installed) leaves no file
  behind: every file the packages had is gone, and the root's file list is the one before the
  install (apt/dpkg state, logs and caches excepted);
- upgrading from the previous build (the same packages at a lower version) to these works, and
  leaves exactly the files of a fresh install.

Needs root (chroot). Prints `N passed, M failed`; exit 1 on a failure."""

import argparse
import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
from common import Checker, manifest  # noqa: E402
from epan_plugin_harness import parse_tables  # noqa: E402
from test_plugins_example import parse_subflow_count  # noqa: E402

ROOT_TOOL = os.path.join(SOURCE, "tools", "dev", "debian-root.sh")
PACKAGES = ["mptcpanalyzer", "mptcpanalyzer-wireshark", "mptcpanalyzer-dev"]
# What a user of the packages brings along to use them (not dependencies of ours): tshark,
# man-db, bash-completion, and a compiler with make for the plugin SDK.
USER_TOOLS = ["tshark", "man-db", "bash-completion", "g++", "make"]
USER = "mptcpuser"
CAPTURE = "basic.client.pcapng"
# Not files of any package: apt and dpkg state, logs, caches, the test user's home, and
# /etc/hosts, which netbase's postinst writes when it is missing (trixie's minimal root has no
# netbase, a dependency brings it) and, as a system file, leaves on purge.
STATE = ("/var/lib/dpkg/", "/var/lib/apt/", "/var/cache/", "/var/log/", f"/home/{USER}/",
         "/etc/ld.so.cache", "/var/lib/ucf/", "/var/lib/systemd/deb-systemd-", "/etc/hosts")

checker = Checker("installed packages")
timings = []


class Root:
    def __init__(self, suite, work, binds):
        self.dir = os.path.join(work, "root")
        self.binds = binds
        # passwd for useradd (the test user): bookworm's minimal root has it, trixie's does not.
        subprocess.run(["bash", ROOT_TOOL, "create", suite, self.dir, "passwd"], check=True)

    def run(self, script, user=False, timeout=1800):
        """Runs a bash script in the root (as the unprivileged user with `user`)."""
        argv = ["bash", "-c", script]
        if user:
            argv = ["setpriv", "--reuid", USER, "--regid", USER, "--init-groups", "env", "-i",
                    f"HOME=/home/{USER}", f"USER={USER}", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", *argv]
        cmd = ["bash", ROOT_TOOL, "run", self.dir]
        for host, inside in self.binds:
            cmd += ["--bind", f"{host}:{inside}"]
        return subprocess.run([*cmd, "--", *argv], capture_output=True, text=True, timeout=timeout)

    def ok(self, script, what, **kwargs):
        p = self.run(script, **kwargs)
        checker.check(p.returncode == 0, f"{what}: exit {p.returncode} {p.stderr[-3000:]}")
        return p

    def files(self):
        p = self.run("find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /src -o -path /dist "
                     "-o -path /prev -o -path /tmp -o -path /run \\) -prune -o -print")
        return set(p.stdout.splitlines())

    def versions(self):
        p = self.run("dpkg-query -W -f '${Package} ${Version} ${db:Status-Status}\\n' " + " ".join(PACKAGES) + " 2>/dev/null")
        return {line.split()[0]: (line.split()[1], line.split()[2]) for line in p.stdout.splitlines() if len(line.split()) == 3}

    def installed(self):
        return set(self.run("dpkg-query -W -f '${db:Status-Status} ${Package}\\n'").stdout.split("\n"))

    def package_files(self):
        p = self.run("for p in " + " ".join(PACKAGES) + "; do dpkg -L $p; done")
        return set(p.stdout.splitlines())


def phase(name, start):
    timings.append((name, time.monotonic() - start))
    return time.monotonic()


def apt(packages_or_files, extra=""):
    return ("export DEBIAN_FRONTEND=noninteractive; "
            f"apt-get install -y -q --no-install-recommends {extra} {' '.join(packages_or_files)}")


def previous_build(dist, prev, version):
    """The packages of dist/ at a lower version (VERSION~previous), as the previous build."""
    for deb in sorted(glob.glob(os.path.join(dist, "*.deb"))):
        tree = tempfile.mkdtemp(prefix="mptcp-prevdeb-")
        try:
            subprocess.run(["dpkg-deb", "-R", deb, tree], check=True)
            control = os.path.join(tree, "DEBIAN", "control")
            text = open(control).read()
            text = re.sub(r"(?m)^Version: .*$", f"Version: {version}~previous", text)
            open(control, "w").write(text)
            name = os.path.basename(deb).replace(f"_{version}_", f"_{version}~previous_")
            subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-b", tree, os.path.join(prev, name)],
                           check=True, capture_output=True)
        finally:
            shutil.rmtree(tree, ignore_errors=True)


def hex_token(value):
    if isinstance(value, int):
        return f"{value:08x}"
    return str(value).lower().removeprefix("0x")


def check_program(root, scenario):
    """list-mptcp of the installed program against tshark (in the root) and the manifest."""
    capture = f"/src/tests/data/{CAPTURE}"
    p = root.ok(f"mptcpanalyzer list-mptcp -r {capture} --json", "list-mptcp -r on a shipped capture", user=True)
    listing = json.loads(p.stdout) if p.returncode == 0 else {"mptcp_connections": []}
    return capture, listing["mptcp_connections"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="bookworm", help="Debian release of the root (default bookworm)")
    parser.add_argument("--dist", default=os.path.join(SOURCE, "dist"), help="folder of the .deb files")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("test_installed_packages.py: needs root (debian-root.sh)")
    dist = os.path.abspath(args.dist)
    debs = sorted(glob.glob(os.path.join(dist, "*.deb")))
    names = {os.path.basename(d).split("_")[0] for d in debs}
    if not checker.check(names == set(PACKAGES), f"{dist} holds the three packages: {sorted(names)}"):
        checker.finish()
    version = os.path.basename(debs[0]).split("_")[1]
    scenario = next(s for s in manifest()["scenarios"] if s["captures"].get("client") == CAPTURE)
    token = scenario["connections"][0]["mptcp_info"]["client"]["token"]

    work = tempfile.mkdtemp(prefix="mptcp-pkgtest-")
    prev = os.path.join(work, "previous")
    os.makedirs(prev)
    start = time.monotonic()
    root = None
    try:
        previous_build(dist, prev, version)
        root = Root(args.suite, work, [(SOURCE, "/src"), (dist, "/dist"), (prev, "/prev")])
        root.ok(f"useradd --create-home --shell /bin/bash {USER} && apt-get update -qq", "test user and apt lists")
        before = root.files()
        packages_before = root.installed()
        start = phase("fresh root", start)

        # 1. The packages alone, with their Depends (no Recommends): the program runs.
        p = root.ok(apt(["/dist/*.deb"]), "apt-get install --no-install-recommends ./dist/*.deb")
        checker.check(root.versions() == {n: (version, "installed") for n in PACKAGES},
                      f"the three packages are installed at {version}: {root.versions()}")
        root.ok("apt-get check -q && test -z \"$(dpkg --audit)\"", "every dependency is satisfied")
        capture, connections = check_program(root, scenario)
        start = phase("install from dist/", start)

        # 2. What a user adds: tshark, man, bash-completion, a compiler.
        root.ok(apt(USER_TOOLS), "tshark, man-db, bash-completion, g++ and make install")
        fields = root.run(f"tshark -n -r {capture} -Y mptcp.stream -T fields -e mptcp.stream", user=True)
        streams = sorted({int(s) for s in fields.stdout.split()})
        checker.check(fields.returncode == 0 and streams and [c["mptcp_stream"] for c in connections] == streams,
                      f"list-mptcp lists tshark's mptcp.streams {streams}: {[c.get('mptcp_stream') for c in connections]}")
        checker.check(any(hex_token(c["client_token"]) == token for c in connections),
                      f"list-mptcp shows the client token the kernel reported ({token})")

        # Each package depends on the libwireshark ABI of its release: the package owning the
        # libwireshark.so.N the installed plugin loads (ldd, dpkg -S: libwireshark16 on Debian 12,
        # libwireshark18 on 13; the plugin, because it links libwireshark whatever way the program
        # loads it), and the plugin on exactly the major.minor of that release's tshark.
        abi = root.run("set -e; plugin=$(dpkg -L mptcpanalyzer-wireshark | grep '/mptcpanalyzer\\.so$'); "
                       "lib=$(ldd \"$plugin\" | awk '$1 ~ /^libwireshark\\.so/ {print $3}'); "
                       "dpkg-query -S \"$(readlink -f \"$lib\")\" | cut -d: -f1; "
                       "tshark --version | sed -n '1s/.* \\([0-9]*\\.[0-9]*\\)\\.[0-9]*.*/\\1/p'; "
                       "for p in mptcpanalyzer mptcpanalyzer-wireshark; do dpkg-query -W -f '${Depends}\\n' $p; done")
        lines = abi.stdout.splitlines()
        if checker.check(abi.returncode == 0 and len(lines) == 4 and re.fullmatch(r"libwireshark\d+", lines[0])
                         and re.fullmatch(r"\d+\.\d+", lines[1]),
                         f"the program's libwireshark package and tshark's version: {lines} {abi.stderr[-500:]}"):
            library, major_minor = lines[0], lines[1]
            major, minor = major_minor.split(".")
            program_depends = {d.strip().split()[0] for d in lines[2].split(",")}
            plugin_depends = [d.strip() for d in lines[3].split(",")]
            checker.check(library in program_depends,
                          f"mptcpanalyzer depends on {library} (dpkg-shlibdeps): {lines[2]}")
            checker.check(f"{library} (>= {major_minor}~)" in plugin_depends
                          and f"{library} (<< {major}.{int(minor) + 1}~)" in plugin_depends,
                          f"mptcpanalyzer-wireshark depends on {library} {major_minor}.x only: {lines[3]}")

        help_text = root.run("mptcpanalyzer --help", user=True).stdout
        commands = [re.split(r"[ ,]", line.strip())[0] for line in help_text.split("Subcommands:", 1)[-1].splitlines()
                    if re.match(r"  \S", line)]
        page = root.run("man -w mptcpanalyzer", user=True)
        checker.check(page.returncode == 0 and page.stdout.strip() == "/usr/share/man/man1/mptcpanalyzer.1.gz",
                      f"man finds the page: {page.stdout.strip()} {page.stderr}")
        shown = root.run("MANWIDTH=200 MANPAGER=cat man mptcpanalyzer", user=True)
        sections = set(re.findall(r"(?m)^   (\S+)$", shown.stdout))
        checker.check(shown.returncode == 0 and "mptcpanalyzer - Multipath TCP analysis of packet captures" in shown.stdout,
                      f"man mptcpanalyzer shows the page: {shown.stderr[-500:]}")
        checker.check(len(commands) > 10 and set(commands) <= sections,
                      f"the page has a section for every command of --help; missing {sorted(set(commands) - sections)}")

        # bash-completion's on-demand loader, as an interactive shell uses it.
        completion = root.run(
            "source /usr/share/bash-completion/bash_completion; __load_completion mptcpanalyzer; "
            "spec=$(complete -p mptcpanalyzer) || exit 3; fn=$(sed -n 's/.*-F \\([^ ]*\\) .*/\\1/p' <<<\"$spec\"); "
            "COMP_WORDS=(mptcpanalyzer list-m); COMP_CWORD=1; COMP_LINE='mptcpanalyzer list-m'; COMP_POINT=${#COMP_LINE}; "
            "\"$fn\" mptcpanalyzer list-m mptcpanalyzer; printf '%s\\n' \"${COMPREPLY[@]}\"", user=True)
        want = {c for c in commands if c.startswith("list-m")}
        got = set(completion.stdout.split())
        checker.check(completion.returncode == 0 and want and got == want,
                      f"bash completes `mptcpanalyzer list-m` to {sorted(want)}: {sorted(got)} {completion.stderr[-500:]}")
        start = phase("program, man page, completion", start)

        # 3. The plugin in the system tshark, as an unprivileged user.
        plugin_files = [f for f in root.run("dpkg -L mptcpanalyzer-wireshark").stdout.splitlines()
                        if f.endswith("/mptcpanalyzer.so")]
        listed = root.run("tshark -G plugins", user=True)
        ours = [line.split("\t") for line in listed.stdout.splitlines() if line.split("\t")[0].strip() == "mptcpanalyzer.so"]
        program_version = root.run("mptcpanalyzer version", user=True).stdout.split("\n", 1)[0].split()
        checker.check(len(plugin_files) == 1 and re.search(r"/wireshark/plugins/\d+\.\d+/epan/mptcpanalyzer\.so$", plugin_files[0]),
                      f"the plugin is in a Wireshark plugins/X.Y/epan folder: {plugin_files}")
        checker.check(len(ours) == 1 and ours[0][1].strip() == program_version[-1] and ours[0][-1].strip() == plugin_files[0],
                      f"tshark -G plugins lists the installed plugin with the program's version {program_version}: {ours}")
        table = root.run(f"tshark -n -q -r {capture} -z mptcp,conns", user=True)
        rows = parse_tables(table.stdout).get("MPTCP Connections", {}).get("rows", [])
        checker.check(table.returncode == 0 and [int(r["MPTCP stream"]) for r in rows] == streams,
                      f"tshark -z mptcp,conns has a row per mptcp.stream {streams}: {table.stdout[-1500:]} {table.stderr[-500:]}")
        checker.check(any(hex_token(r.get("Client token", "")) == token for r in rows),
                      f"tshark -z mptcp,conns shows the kernel's client token {token}")
        start = phase("tshark with the plugin", start)

        # 4. The SDK: examples/plugin on its own, loaded by the installed program.
        build = root.ok("set -e; rm -rf /tmp/ex /tmp/ex-build; cp -r /src/examples/plugin /tmp/ex; "
                        "cmake -S /tmp/ex -B /tmp/ex-build -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null; "
                        "cmake --build /tmp/ex-build >/dev/null; grep '^mptcpanalyzer_DIR' /tmp/ex-build/CMakeCache.txt; "
                        "cat /tmp/ex-build/compile_commands.json", "examples/plugin builds against the installed SDK", user=True)
        checker.check(re.search(r"mptcpanalyzer_DIR:PATH=/usr/lib/[^/]+/cmake/mptcpanalyzer\n", build.stdout) is not None
                      and "/src/" not in build.stdout.split("\n", 1)[-1].replace("/tmp/ex", ""),
                      f"found the packaged CMake package and compiled without the source tree: {build.stdout[:600]}")
        root.ok(f"mkdir -p ~/.local/share/mptcpanalyzer/plugins && cp /tmp/ex-build/example_plugin.so ~/.local/share/mptcpanalyzer/plugins/",
                "the example plugin is copied to the user's plugin folder", user=True)
        plugins = root.run("mptcpanalyzer plugins --json", user=True)
        doc = json.loads(plugins.stdout) if plugins.returncode == 0 else {"plugins": []}
        checker.check([e["status"] for e in doc["plugins"]] == ["loaded"], f"the installed program loads it: {doc}")
        count = root.run(f"mptcpanalyzer subflow-count -r {capture}", user=True)
        pairs = root.run(f"tshark -n -r {capture} -Y mptcp.stream -T fields -e mptcp.stream -e tcp.stream", user=True)
        want = {}
        for line in pairs.stdout.splitlines():
            m, t = line.split("\t")
            want.setdefault(int(m), set()).add(int(t))
        got = parse_subflow_count(count.stdout)[0] if count.returncode == 0 else {}
        checker.check(count.returncode == 0 and got == {k: sorted(v) for k, v in want.items()},
                      f"its command runs in the installed program and agrees with tshark: {got} vs {want} {count.stderr}")
        start = phase("SDK and example plugin", start)

        # 5. Purge: nothing of ours, nor of what came with it, stays.
        ours_files = root.package_files()
        root.run(f"rm -rf /home/{USER}/.local /home/{USER}/.cache /home/{USER}/.config /tmp/ex /tmp/ex-build")
        # Ours, and everything that came since the fresh root (some of the user tools' dependencies,
        # bsdextrautils for man-db, are of priority important: --autoremove keeps them).
        since = sorted(line.split()[1] for line in root.installed() - packages_before if line.startswith("installed "))
        checker.check(set(PACKAGES) <= set(since), f"the packages were installed since the fresh root: {since}")
        root.ok(f"DEBIAN_FRONTEND=noninteractive apt-get purge -y -q --autoremove {' '.join(since)}",
                "apt-get purge --autoremove")
        checker.check(root.installed() == packages_before,
                      f"the root has its packages of before: {sorted(root.installed() ^ packages_before)}")
        after = root.files()
        left = sorted(f for f in ours_files & after if f not in before)
        checker.check(len(ours_files) > 20 and not left, f"no file of the packages is left: {left[:20]}")
        new = sorted(f for f in after - before if not f.startswith(STATE) and f + "/" not in STATE)
        checker.check(not new, f"the root's file list is the one before the install: new {new[:30]}")
        gone = sorted(f for f in before - after if not f.startswith(STATE))
        checker.check(not gone, f"nothing that was there before is gone: {gone[:30]}")
        start = phase("purge", start)

        # 6. Upgrade from the previous build.
        root.ok(apt(["/prev/*.deb"]), "the previous build installs")
        checker.check(root.versions() == {n: (f"{version}~previous", "installed") for n in PACKAGES},
                      f"previous build installed: {root.versions()}")
        root.ok(apt(["/dist/*.deb"]), f"apt-get install ./dist/*.deb upgrades to {version}")
        checker.check(root.versions() == {n: (version, "installed") for n in PACKAGES},
                      f"upgraded to {version}: {root.versions()}")
        upgraded = root.package_files()
        checker.check(upgraded == ours_files, f"the upgrade has the files of a fresh install: "
                      f"{sorted(upgraded ^ ours_files)[:20]}")
        _, connections = check_program(root, scenario)
        checker.check([c["mptcp_stream"] for c in connections] == streams, "the upgraded program lists the connections")
        start = phase("upgrade", start)
    finally:
        if root is not None:
            subprocess.run(["bash", ROOT_TOOL, "remove", root.dir])
        shutil.rmtree(work, ignore_errors=True)
    for name, seconds in timings:
        print(f"  {name}: {seconds:.0f} s")
    checker.finish()


if __name__ == "__main__":
    main()
