"""`cmake --install` gives plugin and tool authors a usable package: the project is installed into
a temporary folder (DESTDIR), then examples/plugin is configured and built on its own with
find_package(mptcpanalyzer) against that folder only, and its command runs in the installed
program (checked against tshark, as test_plugins_example does in the tree). A small tool
(tests/install/consumer) links the installed static libraries and reads a capture with them.

A sanitizer build (debug preset) is installed as it is: the example plugin is built with the
same flags, the tool without them (the installed libraries must bring their runtime at link)."""

import glob
import json
import os
import shlex
import shutil
import subprocess
import tempfile

from common import DATA_DIR, SOURCE_DIR, Checker, tshark_fields
from test_plugins_example import check_command
from xdg_sandbox import Sandbox

CMAKE = os.environ.get("MPTCP_CMAKE", "cmake")
BINARY_DIR = os.environ.get("MPTCP_BINARY_DIR", "")
PREFIX = os.environ.get("MPTCP_INSTALL_PREFIX", "/usr/local")
LIBDIR = os.environ.get("MPTCP_INSTALL_LIBDIR", "lib")
GENERATOR = os.environ.get("MPTCP_CMAKE_GENERATOR", "Ninja")
COMPILER = os.environ.get("MPTCP_CXX_COMPILER", "c++")
BUILD_TYPE = os.environ.get("MPTCP_BUILD_TYPE", "")
CXX_FLAGS = os.environ.get("MPTCP_CXX_FLAGS", "")
MODULE_LINKER_FLAGS = os.environ.get("MPTCP_MODULE_LINKER_FLAGS", "")
EPAN_PLUGIN_DIR = os.environ.get("MPTCP_PLUGIN_INSTALL_DIR", "")
BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")


def run(cmd, **kwargs):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kwargs)
    if p.returncode != 0:
        print(f"$ {shlex.join(cmd)}\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}", flush=True)
    return p


def standalone(c, source, build, *extra):
    """Configures and builds a project of its own against the installed package only."""
    configure = [CMAKE, "-S", source, "-B", build, "-G", GENERATOR, f"-DCMAKE_PREFIX_PATH={STAGED}",
                 f"-DCMAKE_CXX_COMPILER={COMPILER}", f"-DCMAKE_BUILD_TYPE={BUILD_TYPE}",
                 # Only the staged prefix may provide mptcpanalyzer: no user package registry.
                 "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", *extra]
    ok = c.check(run(configure).returncode == 0, f"{source} configures against the installed package")
    cache = open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8").read() if ok else ""
    package_dir = os.path.join(STAGED, LIBDIR, "cmake", "mptcpanalyzer")
    c.check(f"mptcpanalyzer_DIR:PATH={package_dir}\n" in cache, f"{source}: found the staged package ({package_dir})")
    commands = os.path.join(build, "compile_commands.json")
    text = open(commands, encoding="utf-8").read() if os.path.exists(commands) else ""
    c.check(os.path.join(STAGED, "include") in text and os.path.join(SOURCE_DIR, "analyzer") not in text,
            f"{source}: compiled with the installed headers, not the source tree's")
    return ok and c.check(run([CMAKE, "--build", build]).returncode == 0, f"{source} builds")


def main():
    global STAGED
    c = Checker("install package")
    if not c.check(os.path.isdir(BINARY_DIR), f"MPTCP_BINARY_DIR is the build folder: {BINARY_DIR!r}"):
        c.finish()
    tmp = tempfile.mkdtemp(prefix="mptcp-install-")
    try:
        # DESTDIR also stages what goes to an absolute folder (the Wireshark plugin).
        destdir = os.path.join(tmp, "root")
        STAGED = destdir + PREFIX
        p = run([CMAKE, "--install", BINARY_DIR], env=dict(os.environ, DESTDIR=destdir))
        if not c.check(p.returncode == 0, "cmake --install succeeds"):
            c.finish()
        for relative in ["bin/mptcpanalyzer", "include/mptcpanalyzer/plugin_api.hpp",
                         "include/mptcpanalyzer/version.hpp", "include/mptcpanalyzer/model/packet_record.hpp",
                         "include/mptcpanalyzer/model/tcp_option_parser.hpp",
                         "include/mptcpanalyzer/analysis/summaries.hpp",
                         "share/bash-completion/completions/mptcpanalyzer", "share/man/man1/mptcpanalyzer.1",
                         f"{LIBDIR}/mptcpanalyzer/mptcpanalyzer-capture.so",
                         *(f"{LIBDIR}/libmptcpanalyzer_{lib}.a" for lib in ("util", "model", "analysis", "io", "epan", "capture")),
                         *(f"{LIBDIR}/cmake/mptcpanalyzer/{f}" for f in ("mptcpanalyzerConfig.cmake",
                           "mptcpanalyzerConfigVersion.cmake", "mptcpanalyzerTargets.cmake", "mptcpanalyzerCaptureTargets.cmake"))]:
            c.check(os.path.exists(os.path.join(STAGED, relative)), f"installed: {relative}")
        c.check(not glob.glob(os.path.join(STAGED, "include", "mptcpanalyzer", "**", "*.in"), recursive=True),
                "no template among the installed headers")
        if EPAN_PLUGIN_DIR:
            c.check(os.path.isfile(destdir + os.path.join(EPAN_PLUGIN_DIR, "mptcpanalyzer.so")),
                    f"installed: the Wireshark plugin in {EPAN_PLUGIN_DIR}")
        program = os.path.join(STAGED, "bin", "mptcpanalyzer")

        # The example plugin, on its own, with the flags of this build (it runs in this program).
        example = os.path.join(tmp, "example-build")
        built = standalone(c, os.path.join(SOURCE_DIR, "examples", "plugin"), example,
                           f"-DCMAKE_CXX_FLAGS={CXX_FLAGS}", f"-DCMAKE_MODULE_LINKER_FLAGS={MODULE_LINKER_FLAGS}")
        plugin = os.path.join(example, "example_plugin.so")
        if c.check(built and os.path.isfile(plugin), "the standalone build made example_plugin.so"):
            box = Sandbox("install-example")
            box.run = lambda *args, binary=False: subprocess.run(
                [program, *args], capture_output=True, text=not binary, env=box.env, timeout=600)
            try:
                p = box.run("version")
                c.check(p.returncode == 0, f"the installed program runs: {p.returncode} {p.stderr[-500:]}")
                # It loads the installed capture module (found from its own folder), not the build's.
                module = os.path.join(STAGED, LIBDIR, "mptcpanalyzer", "mptcpanalyzer-capture.so")
                p = box.run("-v", "version")
                c.check(p.returncode == 0 and f"capture module: {module}" in p.stderr,
                        f"the installed program loads the installed capture module {module}: {p.stderr[-500:]}")
                folder = box.plugin_folder()
                shutil.copy(plugin, folder)
                check_command(c, box, "installed program, standalone plugin")
                p = box.run("plugins", "--json")
                doc = json.loads(p.stdout) if p.returncode == 0 else {"plugins": []}
                c.check([e["status"] for e in doc["plugins"]] == ["loaded"], f"plugins --json: {doc}")
            finally:
                box.cleanup()

        # A tool on the installed libraries: no sanitizer flags of its own (see the docstring).
        tool = os.path.join(tmp, "consumer-build")
        if standalone(c, os.path.join(SOURCE_DIR, "tests", "install", "consumer"), tool):
            p = run([os.path.join(tool, "consumer"), BASIC],
                    env=dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0")))
            got = dict(line.split(" ", 1) for line in p.stdout.splitlines()) if p.returncode == 0 else {}
            tcp = tshark_fields(BASIC, ["tcp.stream", "mptcp.stream"])
            want = {"packets": str(len(tcp)), "segments": str(len(tcp)),
                    "tcp": str(len({row[0] for row in tcp})), "mptcp": str(len({row[1] for row in tcp if row[1:] and row[1]}))}
            c.check(p.returncode == 0 and all(got.get(k) == v for k, v in want.items()),
                    f"the tool reads the capture like tshark: {got} vs {want}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    c.finish()


if __name__ == "__main__":
    main()
