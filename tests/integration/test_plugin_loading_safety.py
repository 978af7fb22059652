"""Plugins are code run as the user: a plugin folder or file that someone else could have written
is refused before it is opened (ssh's rule: writable by group or others, or owned by anyone but
the user or root), and `plugins` lists it as refused with that reason; the example plugin's
command, present when it loads, is then absent. `-v` names each plugin before loading it, so a
plugin that aborts the process is known; `--no-plugins` and MPTCPANALYZER_NO_PLUGINS=1 run with
no third-party plugin at all, so `plugins` can still diagnose."""

import json
import os
import shutil
import subprocess

from common import DATA_DIR, Checker
from xdg_sandbox import Sandbox

EXAMPLE = os.environ.get("MPTCP_EXAMPLE_PLUGIN", "")
ABORTING = os.environ.get("MPTCP_ABORTING_PLUGIN", "")
BASIC = os.path.join(DATA_DIR, "basic.client.pcapng")
OTHER_UID = 65534  # nobody


def plugins_json(box, *extra, env=None):
    p = subprocess.run([*box_cmd(box), *extra, "plugins", "--json"], capture_output=True, text=True,
                       env=env or box.env, timeout=600)
    return p, (json.loads(p.stdout) if p.returncode == 0 else {"plugins": []})


def box_cmd(box):
    from common import PROGRAM
    return [PROGRAM]


def entry(doc, name):
    return next((e for e in doc["plugins"] if os.path.basename(e["path"]) == name), None)


def check_refused(c, box, folder, name, reason_words, what):
    p, doc = plugins_json(box)
    c.check(p.returncode == 0, f"{what}: plugins --json runs ({p.returncode}: {p.stderr[-300:]})")
    e = entry(doc, name)
    c.check(e is not None and e["status"] == "refused", f"{what}: {name} is listed as refused: {e}")
    reason = (e or {}).get("reason", "")
    for word in reason_words:
        c.check(word in reason, f"{what}: the reason says {word!r}: {reason!r}")
    c.check("api_version" not in (e or {}), f"{what}: the plugin was never opened (no API version asked): {e}")
    run = box.run("subflow-count", "-r", BASIC)
    c.check(run.returncode != 0 and "unknown command" in run.stderr,
            f"{what}: the plugin's command is absent ({run.returncode}: {run.stderr[-200:]})")
    c.check(name in run.stderr and "refused" in run.stderr, f"{what}: every command warns of the refusal: {run.stderr[-300:]}")


def main():
    c = Checker("plugin loading safety")
    for var, path in (("MPTCP_EXAMPLE_PLUGIN", EXAMPLE), ("MPTCP_ABORTING_PLUGIN", ABORTING)):
        if not c.check(os.path.isfile(path), f"{var} is built: {path!r}"):
            c.finish()
    box = Sandbox("plugin-safety")
    try:
        folder = box.plugin_folder()
        os.chmod(folder, 0o755)
        target = os.path.join(folder, "example_plugin.so")
        shutil.copy(EXAMPLE, target)
        os.chmod(target, 0o644)

        # Control: owned by us, writable by us alone: loaded, its command works.
        p, doc = plugins_json(box)
        e = entry(doc, "example_plugin.so")
        c.check(e is not None and e["status"] == "loaded", f"control: a 0644 plugin in a 0755 folder loads: {e}")
        run = box.run("subflow-count", "-r", BASIC)
        c.check(run.returncode == 0, f"control: its command runs ({run.returncode}: {run.stderr[-200:]})")

        os.chmod(target, 0o666)
        check_refused(c, box, folder, "example_plugin.so", ["file", "writable by everyone", "0666"], "a 0666 file")
        os.chmod(target, 0o664)
        check_refused(c, box, folder, "example_plugin.so", ["writable by its group", "0664"], "a 0664 file")
        os.chmod(target, 0o644)

        os.chown(target, OTHER_UID, -1)
        check_refused(c, box, folder, "example_plugin.so", [f"owned by uid {OTHER_UID}", "nor root"], "another user's file")
        os.chown(target, os.geteuid(), -1)

        os.chmod(folder, 0o777)
        check_refused(c, box, folder, "example_plugin.so", ["folder", "writable by everyone", folder], "a 0777 folder")
        os.chmod(folder, 0o1777)
        check_refused(c, box, folder, "example_plugin.so", ["folder", "writable by everyone"], "a sticky 1777 folder")
        os.chmod(folder, 0o775)
        check_refused(c, box, folder, "example_plugin.so", ["folder", "writable by its group"], "a 0775 folder")
        os.chmod(folder, 0o755)
        os.chown(folder, OTHER_UID, -1)
        check_refused(c, box, folder, "example_plugin.so", ["folder", f"owned by uid {OTHER_UID}"], "another user's folder")
        os.chown(folder, os.geteuid(), -1)

        # Root's files are trusted like the user's (the system plugin folder is root's).
        p, doc = plugins_json(box)
        e = entry(doc, "example_plugin.so")
        c.check(e is not None and e["status"] == "loaded", f"back to 0644/0755 and ours: loaded again: {e}")

        # A plugin that aborts the process: -v names it before loading it.
        shutil.copy(ABORTING, os.path.join(folder, "aborting_plugin.so"))
        os.chmod(os.path.join(folder, "aborting_plugin.so"), 0o644)
        crash = box.run("-v", "version")
        c.check(crash.returncode != 0, f"the aborting plugin takes the process down ({crash.returncode})")
        loading = [line for line in crash.stderr.splitlines() if "plugins: loading" in line]
        c.check(bool(loading) and loading[-1].endswith("aborting_plugin.so"),
                f"-v names the plugin being loaded, last: {loading[-1:]} ({crash.stderr[-300:]})")
        quiet = box.run("version")
        c.check("plugins: loading" not in quiet.stderr, f"without -v no loading line: {quiet.stderr[-200:]}")

        for how, extra, env in (("--no-plugins", ["--no-plugins"], None),
                                ("MPTCPANALYZER_NO_PLUGINS=1", [], {**box.env, "MPTCPANALYZER_NO_PLUGINS": "1"})):
            p, doc = plugins_json(box, *extra, env=env)
            c.check(p.returncode == 0, f"{how}: plugins runs despite the aborting plugin ({p.returncode}: {p.stderr[-200:]})")
            c.check(doc.get("plugins") == [] and how.split("=")[0] in doc.get("disabled_by", ""),
                    f"{how}: no plugin loaded, and why: {doc}")
            r = subprocess.run([box_cmd(box)[0], *extra, "list-tcp", "-r", BASIC], capture_output=True, text=True,
                               env=env or box.env, timeout=600)
            c.check(r.returncode == 0 and r.stdout, f"{how}: list-tcp runs ({r.returncode}: {r.stderr[-200:]})")
        off = subprocess.run([box_cmd(box)[0], "plugins"], capture_output=True, text=True,
                             env={**box.env, "MPTCPANALYZER_NO_PLUGINS": "0"}, timeout=600)
        c.check(off.returncode != 0, f"MPTCPANALYZER_NO_PLUGINS=0 loads plugins (the aborting one aborts): {off.returncode}")
    finally:
        box.cleanup()
    c.finish()


if __name__ == "__main__":
    main()
