"""Our outputs are the same with libwireshark 4.0 and 4.4 (issue 19; docs/wireshark-versions.md).

Run by tools/dev/test-trixie.sh once both builds exist: `write DIR` with the Debian 12 program
(4.0) on the host and again with the Debian 13 program (4.4) in the trixie root, then
`compare DIR_40 DIR_44`, which fails on any byte that differs. On every capture of tests/data and
../shared/captures: list-tcp, list-mptcp, and for every tcp.stream / mptcp.stream they list,
tcp-summary / mptcp-summary, list-subflows, list-reinjections and events, all in JSON, plus
map-mptcp and owd of the shared client/server pair. The captures are read from the same paths
in both (test-trixie.sh mounts them there), so the outputs may name them."""

import json
import os
import subprocess
import sys
import tempfile

from common import PROGRAM, SHARED_CAPTURES, Checker, corpus_captures, shared_captures

PER_MPTCP_STREAM = ("mptcp-summary", "list-subflows", "list-reinjections", "events")


def program(work, *args):
    env = dict(os.environ)
    for name in ("CACHE", "STATE", "CONFIG", "DATA"):
        env[f"XDG_{name}_HOME"] = os.path.join(work, name.lower())
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    return subprocess.run([PROGRAM, *args], capture_output=True, text=True, env=env, cwd=work, timeout=1800)


def write(out_dir):
    # Absolute: the program runs in a scratch folder, and the batch's -o paths are its arguments
    # (a relative one made every per-stream command fail the same way on both sides, unnoticed).
    out_dir = os.path.abspath(out_dir)
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="mptcp-cross-version-")
    for capture in corpus_captures() + shared_captures():
        name = os.path.basename(capture)
        target = os.path.join(out_dir, name)
        os.makedirs(target, exist_ok=True)
        lines = [f'load "{capture}"']
        listings = {}
        for command in ("list-tcp", "list-mptcp"):
            proc = program(work, command, "-r", capture, "--json")
            with open(os.path.join(target, f"{command}.json"), "w", encoding="utf-8") as f:
                f.write(f"exit {proc.returncode}\n{proc.stdout}{proc.stderr}")
            listings[command] = json.loads(proc.stdout) if proc.returncode == 0 else {}
        for c in listings["list-tcp"].get("tcp_connections", []):
            lines.append(f'tcp-summary {c["tcp_stream"]} --json -o "{target}/tcp-summary-{c["tcp_stream"]}.json"')
        for c in listings["list-mptcp"].get("mptcp_connections", []):
            if c["mptcp_stream"] is None:
                continue
            for command in PER_MPTCP_STREAM:
                lines.append(f'{command} {c["mptcp_stream"]} --json -o "{target}/{command}-{c["mptcp_stream"]}.json"')
        script = os.path.join(work, f"{name}.batch")
        with open(script, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        proc = program(work, "--continue-on-error", "--batch", script)
        # The scratch folder's name differs between the two runs: keep it out of the compared text.
        with open(os.path.join(target, "batch.status"), "w", encoding="utf-8") as f:
            f.write(f"exit {proc.returncode}\n{proc.stderr.replace(work, '<work>')}")
    client, server = (os.path.join(SHARED_CAPTURES, f) for f in ("client_2.pcap", "server_2.pcap"))
    if os.path.exists(client) and os.path.exists(server):
        target = os.path.join(out_dir, "pair")
        os.makedirs(target, exist_ok=True)
        for command in ("map-mptcp", "owd"):
            for stream in range(4):
                proc = program(work, command, "-r", client, "--peer", server, str(stream), "--json")
                with open(os.path.join(target, f"{command}-{stream}.json"), "w", encoding="utf-8") as f:
                    f.write(f"exit {proc.returncode}\n{proc.stdout}{proc.stderr}")


def compare(first, second):
    checker = Checker("outputs identical across libwireshark versions")
    files = lambda d: sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
    left, right = files(first), files(second)
    checker.check(left == right, f"the same output files: only in {first}: {sorted(set(left) - set(right))[:10]}, "
                                 f"only in {second}: {sorted(set(right) - set(left))[:10]}")
    checker.check(len(left) > 100, f"{len(left)} output files compared")
    # Identical failures prove nothing: every batch of per-stream commands must have succeeded on
    # both sides, and there must be per-stream outputs (every file but the two listings and the
    # batch status) to compare.
    for directory, rels in ((first, left), (second, right)):
        for rel in rels:
            if os.path.basename(rel) != "batch.status":
                continue
            with open(os.path.join(directory, rel), encoding="utf-8") as f:
                status = f.read()
            checker.check(status.startswith("exit 0\n"), f"{directory}/{rel}: the batch succeeded: {status[:300]!r}")
    per_stream = [rel for rel in left
                  if os.path.basename(rel) not in ("list-tcp.json", "list-mptcp.json", "batch.status")]
    checker.check(len(per_stream) > 100, f"{len(per_stream)} per-stream outputs compared")
    for rel in sorted(set(left) & set(right)):
        with open(os.path.join(first, rel), "rb") as a, open(os.path.join(second, rel), "rb") as b:
            checker.check(a.read() == b.read(), f"{rel}: identical")
    checker.finish()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: cross_version_outputs.py write DIR | compare DIR_A DIR_B")


if __name__ == "__main__":
    main()
