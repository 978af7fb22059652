"""Every mptcp.stream Wireshark shows can be asked about. On every capture of tests/data and of
../shared/captures (when present), the set of mptcp.stream values tshark reports equals the set
`list-mptcp --json` lists, and each of them is accepted by list-subflows, mptcp-summary, events
and list-reinjections. A number that no identified connection has (server_2.pcap: mptcp.stream 1,
the DSS-only ACKs of a join whose handshake was not captured) is a connection of its own: its
subflows are those tshark puts in it, attached by `wireshark_stream`, with keys, tokens and
version unknown and a `partial_connection` anomaly saying why; the summaries, events and plots
of such a connection work."""

import json
import os
import subprocess
import tempfile

from common import PROGRAM, Checker, corpus_captures, shared_captures, tshark_fields

checker = Checker("every mptcp.stream reachable")
WORK = tempfile.mkdtemp(prefix="mptcp-test-reachable-")
ENV = {"XDG_CACHE_HOME": os.path.join(WORK, "cache"), "XDG_STATE_HOME": os.path.join(WORK, "state"),
       "XDG_CONFIG_HOME": os.path.join(WORK, "config"), "XDG_DATA_HOME": os.path.join(WORK, "data")}
# Wireshark's own view of mptcp.stream, with the preferences the issue names.
MPTCP_PREFERENCES = ["mptcp.analyze_mptcp:TRUE", "mptcp.analyze_mappings:TRUE", "mptcp.intersubflows_retransmission:TRUE"]
STREAM_COMMANDS = ("list-subflows", "mptcp-summary", "events", "list-reinjections")
PLOT_KINDS = ("dsn", "dss", "throughput", "goodput", "reinjections", "interarrival")


def program(*args):
    env = dict(os.environ)
    env.update(ENV)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    return subprocess.run([PROGRAM, *args], capture_output=True, text=True, env=env, cwd=WORK, timeout=900)


def wireshark_groups(capture):
    """mptcp.stream -> the tcp.streams tshark gives it."""
    groups = {}
    for tcp_stream, mptcp_streams in tshark_fields(capture, ["tcp.stream", "mptcp.stream"], MPTCP_PREFERENCES,
                                                   display_filter="mptcp.stream"):
        for s in mptcp_streams.split(","):
            if s != "":
                groups.setdefault(int(s), set()).add(int(tcp_stream))
    return groups


def load_json(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        checker.check(False, f"{what}: no JSON ({e})")
        return None


def check_capture(capture, index):
    name = os.path.basename(capture)
    groups = wireshark_groups(capture)
    out = os.path.join(WORK, f"c{index}")
    os.makedirs(out)
    # One batch per capture: the capture is dissected and analysed once for all its commands.
    lines = [f'load "{capture}"', f'list-mptcp --json -o "{out}/list-mptcp.json"']
    for s in sorted(groups):
        lines += [f'{command} {s} --json -o "{out}/{command}-{s}.json"' for command in STREAM_COMMANDS]
    script = os.path.join(out, "commands.batch")
    with open(script, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    proc = program("--continue-on-error", "--batch", script)
    checker.check(proc.returncode == 0, f"{name}: every mptcp.stream tshark reports is accepted by "
                                        f"{', '.join(STREAM_COMMANDS)}: {proc.returncode} {proc.stderr[-1500:]}")
    listing = load_json(os.path.join(out, "list-mptcp.json"), f"{name}: list-mptcp")
    if listing is None:
        return []
    connections = {c["mptcp_stream"]: c for c in listing["mptcp_connections"] if c["mptcp_stream"] is not None}
    checker.check(set(connections) == set(groups),
                  f"{name}: list-mptcp lists exactly tshark's mptcp.stream values: {sorted(connections)} vs {sorted(groups)}")
    for s in sorted(groups):
        doc = load_json(os.path.join(out, f"list-subflows-{s}.json"), f"{name}: list-subflows {s}")
        checker.check(doc is not None and doc.get("mptcp_stream") == s, f"{name}: list-subflows {s} is that connection")
        events = load_json(os.path.join(out, f"events-{s}.json"), f"{name}: events {s}")
        checker.check(events is not None and all(e["mptcp_stream"] == s for e in events["events"]),
                      f"{name}: events {s} are that connection's")
    partial = []
    for s, c in sorted(connections.items()):
        kinds = {sf["attachment"] for sf in c["subflows"]}
        if "wireshark_stream" not in kinds:
            continue
        partial.append((capture, s))
        what = f"{name}: mptcp.stream {s}, known only by Wireshark's number"
        checker.check(kinds == {"wireshark_stream"}, f"{what}: every subflow attached by wireshark_stream: {kinds}")
        checker.check({sf["tcp_stream"] for sf in c["subflows"]} <= groups.get(s, set()),
                      f"{what}: its subflows are tcp.streams tshark puts in mptcp.stream {s}: "
                      f"{[sf['tcp_stream'] for sf in c['subflows']]} vs {sorted(groups.get(s, set()))}")
        checker.check(all(c[k] is None for k in ("version", "client_key", "server_key", "client_token", "server_token")),
                      f"{what}: version, keys and tokens unknown (null)")
        first_anomalies = {a["kind"] for a in c["subflows"][0]["anomalies"]}
        checker.check("partial_connection" in first_anomalies,
                      f"{what}: a partial_connection anomaly says why: {first_anomalies}")
        unattached = set(listing["unattached_subflows"])
        checker.check(not unattached & {sf["tcp_stream"] for sf in c["subflows"]},
                      f"{what}: its subflows are no longer listed as unattached: {sorted(unattached)}")
    return partial


def check_partial_downstream(capture, stream):
    """Summaries, events, reinjections and plots work without keys or handshake (all formats)."""
    name = f"{os.path.basename(capture)} mptcp.stream {stream}"
    for command in STREAM_COMMANDS:
        for fmt in ("--text", "--csv"):
            proc = program(command, "-r", capture, str(stream), fmt)
            checker.check(proc.returncode == 0 and proc.stdout != "", f"{name}: {command} {fmt}: {proc.returncode} "
                                                                      f"{proc.stderr[-500:]}")
    for kind in PLOT_KINDS:
        image = os.path.join(WORK, f"partial-{kind}.svg")
        proc = program("plot", kind, "-r", capture, str(stream), "-o", image)
        # A connection without data has nothing to draw: that is exit 5 (no data), never a crash.
        checker.check(proc.returncode in (0, 5) and "runtime error" not in proc.stderr
                      and "AddressSanitizer" not in proc.stderr,
                      f"{name}: plot {kind}: exit {proc.returncode} {proc.stderr[-500:]}")
        if proc.returncode == 0:
            checker.check(os.path.getsize(image) > 0, f"{name}: plot {kind} wrote its image")


def main():
    captures = corpus_captures() + shared_captures()
    if not checker.check(bool(corpus_captures()), "tests/data holds captures"):
        checker.finish()
    if not shared_captures():
        print("SKIP: ../shared/captures absent: only the corpus is checked (server_2.pcap's mptcp.stream 1 is not)")
    partial = []
    for i, capture in enumerate(captures):
        partial += check_capture(capture, i)
    server_2 = [c for c in shared_captures() if os.path.basename(c) == "server_2.pcap"]
    if server_2:
        checker.check((server_2[0], 1) in partial,
                      f"server_2.pcap: mptcp.stream 1 (tcp.stream 2, frames 22 and 35) is a connection of its own: {partial}")
    for capture, stream in partial:
        check_partial_downstream(capture, stream)
    checker.finish()


if __name__ == "__main__":
    main()
