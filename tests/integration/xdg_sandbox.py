"""A private XDG world per test (config, data, cache, state folders under one temporary
folder), so neither the user's configuration nor their plugins change what a test sees."""

import os
import shutil
import subprocess
import tempfile

from common import PROGRAM


class Sandbox:
    def __init__(self, name):
        self.root = tempfile.mkdtemp(prefix=f"mptcp-{name}-")
        self.env = dict(os.environ)
        for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                         ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
            path = os.path.join(self.root, sub)
            os.makedirs(path, exist_ok=True)
            self.env[var] = path
        self.env["HOME"] = self.root
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0")

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def write(self, relative, text):
        """Writes a file under the sandbox and returns its path."""
        path = self.path(relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def default_config(self, text):
        return self.write(os.path.join("config", "mptcpanalyzer", "config"), text)

    def plugin_folder(self):
        folder = os.path.join(self.env["XDG_DATA_HOME"], "mptcpanalyzer", "plugins")
        os.makedirs(folder, exist_ok=True)
        return folder

    def run(self, *args, binary=False):
        return subprocess.run([PROGRAM, *args], capture_output=True, text=not binary, env=self.env, timeout=600)

    def cleanup(self):
        shutil.rmtree(self.root, ignore_errors=True)
