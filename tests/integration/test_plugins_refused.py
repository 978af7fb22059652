"""Plugins that must be refused, each with its reason, while the program and the good plugin
keep working: built for another API version, a corrupt .so (random bytes), an empty .so, one
without the register entry point, one whose register function throws."""

import json
import os
import shutil

from common import DATA_DIR, Checker
from xdg_sandbox import Sandbox

BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")
PLUGINS = {name: os.environ.get(var, "") for name, var in (
    ("example_plugin.so", "MPTCP_EXAMPLE_PLUGIN"),
    ("wrong_version_plugin.so", "MPTCP_WRONG_VERSION_PLUGIN"),
    ("missing_symbol_plugin.so", "MPTCP_MISSING_SYMBOL_PLUGIN"),
    ("throwing_plugin.so", "MPTCP_THROWING_PLUGIN"))}

EXPECTED_REASONS = {
    "wrong_version_plugin.so": "built for plugin API {next_major}.0, this mptcpanalyzer provides {major}.{minor}",
    "missing_symbol_plugin.so": "no mptcpanalyzer_plugin_register symbol",
    "throwing_plugin.so": "deliberate failure in register",
    "corrupt.so": "cannot load",
    "empty.so": "cannot load",
}


def main():
    c = Checker("refused plugins")
    for name, path in PLUGINS.items():
        if not c.check(os.path.isfile(path), f"{name} is built: {path!r}"):
            c.finish()
    box = Sandbox("plugins-refused")
    try:
        folder = box.plugin_folder()
        for name, path in PLUGINS.items():
            shutil.copy(path, os.path.join(folder, name))
        with open(os.path.join(folder, "corrupt.so"), "wb") as f:
            f.write(os.urandom(4096))
        open(os.path.join(folder, "empty.so"), "wb").close()
        with open(os.path.join(folder, "not-a-plugin.txt"), "w") as f:
            f.write("ignored: not a .so\n")

        p = box.run("plugins", "--json")
        c.check(p.returncode == 0, f"plugins --json runs: {p.returncode} {p.stderr}")
        doc = json.loads(p.stdout) if p.returncode == 0 else {"plugins": []}
        by_name = {os.path.basename(e["path"]): e for e in doc["plugins"]}
        host = doc.get("api_version", {})
        version = {"major": host.get("major"), "minor": host.get("minor"), "next_major": (host.get("major") or 0) + 1}
        c.check(sorted(by_name) == sorted(list(PLUGINS) + ["corrupt.so", "empty.so"]),
                f"every .so is listed, nothing else: {sorted(by_name)}")
        c.check(by_name.get("example_plugin.so", {}).get("status") == "loaded", "the good plugin still loads")
        for name, reason in EXPECTED_REASONS.items():
            reason = reason.format(**version)
            e = by_name.get(name, {})
            c.check(e.get("status") == "refused" and reason in e.get("reason", ""), f"{name} refused with '{reason}': {e}")

        p = box.run("plugins")
        for name in EXPECTED_REASONS:
            c.check(any(line.startswith("refused ") and name in line for line in p.stdout.splitlines()),
                    f"plugins (text) shows {name} as refused")

        # Commands run; each refused plugin is reported once on stderr.
        p = box.run("list-mptcp", "-r", BASIC, "--json")
        c.check(p.returncode == 0 and json.loads(p.stdout)["mptcp_connections"], f"built-in commands still work: {p.stderr}")
        for name in EXPECTED_REASONS:
            c.check(sum(name in line and "refused" in line for line in p.stderr.splitlines()) == 1,
                    f"a warning names the refused {name}")
        p = box.run("subflow-count", "-r", BASIC)
        c.check(p.returncode == 0 and p.stdout.startswith("mptcp.stream 0:"), "the good plugin's command still works")
        p = box.run("throwing-command")
        c.check(p.returncode == 2, "nothing of a plugin whose register threw is kept")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
