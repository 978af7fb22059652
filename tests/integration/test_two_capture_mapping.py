"""map-tcp and map-mptcp (docs/commands.md, "Two captures") on real capture pairs, against ground
truth that is not our own output:

* connection twins: the same SYN (4-tuple and initial sequence number, from tshark) in both
  captures; MPTCP connections by the kernel's tokens in the manifest; every subflow the manifest
  says both ends saw is paired with its twin, and map-tcp finds the twin of every tcp.stream;
* NAT: the server capture's addresses and ports rewritten by tcprewrite: the same twins, and no
  reason is four_tuple or ports;
* port reuse: the two connections on one 4-tuple each map to their own twin (different ISNs);
* a connection the peer capture does not hold (cut by editcap) has no candidate, and says so;
* packet matching: every packet matched on scenarios where the relays dropped nothing; where they
  dropped, the unmatched frames are exactly the dropped ones found in the sender's capture (the
  manifest's `dropped` list); frames deleted from the server capture by editcap leave exactly
  their twins (same header fields in tshark) unmatched, counted per subflow and direction;
* GSO/TSO: frames split into wire-sized pieces (pcapng_edit.split_segments) in either capture are
  matched as super-segments, and nothing else changes;
* the shared v0 pair (../shared/captures/client_2.pcap, server_2.pcap; skipped when absent): every
  connection maps, also those whose stream numbers differ, and no unmatched data segment of one
  capture has an unmatched twin transmission (same TSval, overlapping bytes) in the other."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from common import DATA_DIR, SHARED_CAPTURES, Checker, manifest, run_program, tshark_fields
import pcapng_edit

checker = Checker("two_capture_mapping")
TMP = tempfile.mkdtemp(prefix="mptcp-two-capture-")

FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst", "tcp.dstport",
          "tcp.seq", "tcp.ack", "tcp.len", "tcp.flags", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
          "frame.time_epoch"]
_packets = {}


def packets(capture):
    """Every TCP packet of a capture as a dict, from tshark (raw sequence numbers)."""
    if capture not in _packets:
        out = []
        for r in tshark_fields(capture, FIELDS):
            r = r + [""] * (len(FIELDS) - len(r))
            flags = int(r[11], 16)
            out.append({
                "frame": int(r[0]), "stream": int(r[1]), "src": r[2] or r[3], "sport": int(r[4]),
                "dst": r[5] or r[6], "dport": int(r[7]), "seq": int(r[8]), "ack": int(r[9]) if r[9] else 0,
                "len": int(r[10]), "flags": flags, "tsval": r[12], "tsecr": r[13], "time": float(r[14]),
            })
        _packets[capture] = out
    return _packets[capture]


def fingerprint(p):
    """What a packet keeps across the path (no addresses or ports: NAT)."""
    return (p["seq"], p["ack"] if p["flags"] & 0x10 else 0, p["len"], p["flags"], p["tsval"], p["tsecr"])


def syns(capture):
    """{(client, client port, server, server port, ISN): tcp.stream} of the SYNs of a capture."""
    return {(p["src"], p["sport"], p["dst"], p["dport"], p["seq"]): p["stream"]
            for p in packets(capture) if p["flags"] & 0x12 == 0x02}


def twins(first, peer, by_isn_only=False):
    """{tcp.stream of first: tcp.stream of peer} for the connections whose SYN both captured."""
    key = (lambda k: k[4]) if by_isn_only else (lambda k: k)
    peer_syns = {key(k): s for k, s in syns(peer).items()}
    return {s: peer_syns[key(k)] for k, s in syns(first).items() if key(k) in peer_syns}


def program_json(*args):
    return json.loads(run_program(*args, "--json").stdout)


def map_mptcp(first, peer, stream):
    return program_json("map-mptcp", "-r", first, "--peer", peer, str(stream))


def map_tcp(first, peer, stream):
    return program_json("map-tcp", "-r", first, "--peer", peer, str(stream))


def connections(capture):
    return program_json("list-mptcp", "-r", capture)["mptcp_connections"]


def check_mapping(what, first, peer, twin, forbidden_reasons=(), tokens=None):
    """map-mptcp of every MPTCP connection (with an mptcp.stream) and map-tcp of every tcp.stream of
    `first` against the SYN twins `twin`. Returns the map-mptcp documents by stream."""
    docs = {}
    peer_by_token = {c["client_token"]: c["mptcp_stream"] for c in connections(peer) if c["client_token"]}
    for c in connections(first):
        if c["mptcp_stream"] is None:
            continue
        doc = map_mptcp(first, peer, c["mptcp_stream"])
        docs[c["mptcp_stream"]] = doc
        name = f"{what} mptcp.stream {c['mptcp_stream']}"
        if not checker.check(doc["matches"], f"{name}: a candidate"):
            continue
        best = doc["matches"][0]
        if tokens is None or c["client_token"] in tokens:
            expected = peer_by_token.get(c["client_token"])
            checker.check(expected is not None and best["stream"] == expected,
                          f"{name}: best candidate {best['stream']} is the peer connection with client token "
                          f"{c['client_token']} ({expected})")
        for s in best["subflows"]:
            if s["tcp_stream"] in twin:
                checker.check(s["peer_tcp_stream"] == twin[s["tcp_stream"]],
                              f"{name}: subflow tcp.stream {s['tcp_stream']} -> {s['peer_tcp_stream']}, its SYN's twin "
                              f"is {twin[s['tcp_stream']]}")
            bad = [r for r in s["reasons"] if r in forbidden_reasons]
            checker.check(not bad, f"{name}: subflow {s['tcp_stream']} reasons {s['reasons']} without {bad}")
        bad = [r for r in best["reasons"] if r in forbidden_reasons]
        checker.check(not bad, f"{name}: reasons {best['reasons']} without {bad}")
    tcp_best = {}
    for stream, expected in sorted(twin.items()):
        doc = map_tcp(first, peer, stream)
        best = doc["matches"][0]["stream"] if doc["matches"] else None
        tcp_best[stream] = best
        checker.check(best == expected, f"{what} map-tcp {stream}: best {best}, its SYN's twin is {expected}")
        if doc["matches"]:
            bad = [r for r in doc["matches"][0]["reasons"] if r in forbidden_reasons]
            checker.check(not bad, f"{what} map-tcp {stream}: reasons without {bad}")
    return docs, tcp_best


def unmatched_frames(docs):
    """(frames of the first capture, frames of the peer capture) left unmatched, over all documents."""
    first, peer = set(), set()
    for doc in docs.values():
        for row in doc["packets"]:
            first.update(row["unmatched_frames"])
            peer.update(row["peer_unmatched_frames"])
            checker.check(row["unmatched"] == len(row["unmatched_frames"]) and
                          row["peer_unmatched"] == len(row["peer_unmatched_frames"]),
                          f"counts equal the frame lists: {row}")
    return first, peer


def dropped_frames(scenario, capture, direction):
    """Frames of `capture` (the sender's) the relay dropped in `direction` ("c2s"/"s2c"): each
    `dropped` entry is the packet with its addresses, ports, seq, ack, len and flags nearest its
    time; entries outside the capture (after it stopped) have none."""
    out = set()
    for d in scenario["dropped"]:
        if d["dir"] != direction:
            continue
        same = [p for p in packets(capture)
                if (p["src"], p["sport"], p["dst"], p["dport"], p["seq"], p["len"], p["flags"] & 0xFF) ==
                (d["saddr"], d["sport"], d["daddr"], d["dport"], d["seq"], d["len"], d["flags"]) and
                (not d["flags"] & 0x10 or p["ack"] == d["ack"]) and abs(p["time"] - d["time"]) < 0.005]
        if same:
            out.add(min(same, key=lambda p: abs(p["time"] - d["time"]))["frame"])
    return out


def excess_frames(first, peer, twin):
    """(first's frames, peer's frames) without an equal packet (fingerprint) left in the twin
    subflow of the other capture, identical packets paired in capture order."""
    out = (set(), set())
    for a, b in twin.items():
        groups = ({}, {})
        for side, (capture, stream) in enumerate(((first, a), (peer, b))):
            for p in packets(capture):
                if p["stream"] == stream:
                    groups[side].setdefault(fingerprint(p), []).append(p["frame"])
        for side in (0, 1):
            for key, frames in groups[side].items():
                out[side].update(frames[len(groups[1 - side].get(key, [])):])
    return out


def pair(name):
    return os.path.join(DATA_DIR, name + ".client.pcapng"), os.path.join(DATA_DIR, name + ".server.pcapng")


# --- every corpus scenario ---------------------------------------------------------------------
SCENARIOS = {s["name"]: s for s in manifest()["scenarios"]}
for name, scenario in sorted(SCENARIOS.items()):
    client, server = pair(name)
    twin = twins(client, server)
    tokens = {c["tokens"]["client"] for c in scenario["connections"] if c.get("tokens")}
    docs, tcp_best = check_mapping(name, client, server, twin, tokens=tokens)
    # Every subflow both ends saw (manifest) is a SYN twin, and paired (by map-mptcp, or by map-tcp
    # for connections without an mptcp.stream: fallbacks, plain TCP).
    paired = set(tcp_best.items())
    mptcp_streams = set()
    for doc in docs.values():
        if doc["matches"]:
            paired.update((s["tcp_stream"], s["peer_tcp_stream"]) for s in doc["matches"][0]["subflows"])
        mptcp_streams.update(s for s in twin if any(r["tcp_stream"] == s for r in doc["packets"]))
    syn_of = {s: k for k, s in syns(client).items()}
    for c in scenario["connections"]:
        for sf in c.get("subflows", []):
            if set(sf.get("seen_by", [])) != {"client", "server"}:
                continue
            tuple4 = (sf["saddr"], sf["sport"], sf["daddr"], sf["dport"])
            streams = [s for s, k in syn_of.items() if k[:4] == tuple4]
            checker.check(streams and all((s, twin.get(s)) in paired for s in streams if s in twin) and
                          any(s in twin for s in streams),
                          f"{name}: manifest subflow {tuple4} is paired with its twin")
    # The side of each capture: the client's is nearer the client, and the other way round
    # from the server capture, which maps back the same way.
    for stream, doc in docs.items():
        checker.check(doc["first_side"] == "client", f"{name} mptcp.stream {stream}: first_side {doc['first_side']}")
    back, _ = check_mapping(f"{name} from the server", server, client, twins(server, client), tokens=tokens)
    for stream, doc in back.items():
        checker.check(doc["first_side"] == "server",
                      f"{name} from the server, mptcp.stream {stream}: first_side {doc['first_side']}")
    first_unmatched, peer_unmatched = unmatched_frames(docs)
    # The rule, from tshark: per twin subflow, a packet is unmatched when the other capture has
    # fewer packets with its header fields (identical ones matched in capture order).
    want_first, want_peer = excess_frames(client, server, {s: t for s, t in twin.items() if s in mptcp_streams})
    checker.check(first_unmatched == want_first,
                  f"{name}: client frames unmatched {sorted(first_unmatched)} == tshark's {sorted(want_first)}")
    checker.check(peer_unmatched == want_peer,
                  f"{name}: server frames unmatched {sorted(peer_unmatched)} == tshark's {sorted(want_peer)}")
    if not scenario["dropped"]:
        checker.check(not first_unmatched and not peer_unmatched,
                      f"{name}: nothing dropped, every packet matched (unmatched {sorted(first_unmatched)[:10]}, "
                      f"peer {sorted(peer_unmatched)[:10]})")
    else:
        # Every packet the relay dropped (present in the sender's capture) is unmatched there.
        expected_first = dropped_frames(scenario, client, "c2s")
        expected_peer = dropped_frames(scenario, server, "s2c")
        checker.check(expected_first or expected_peer, f"{name}: the dropped packets are in the captures")
        checker.check(expected_first <= first_unmatched,
                      f"{name}: dropped c2s {sorted(expected_first - first_unmatched)} unmatched in the client capture")
        checker.check(expected_peer <= peer_unmatched,
                      f"{name}: dropped s2c {sorted(expected_peer - peer_unmatched)} unmatched in the server capture")

# --- port reuse: one 4-tuple, two connections, each to its own twin ----------------------------
client, server = pair("port_reuse")
reused = {}
for k, s in syns(client).items():
    reused.setdefault(k[:4], []).append(s)
reused = {k: v for k, v in reused.items() if len(v) > 1}
checker.check(reused, "port_reuse: a 4-tuple with two SYNs in the client capture")
server_isn = {s: k[4] for k, s in syns(server).items()}
client_isn = {s: k[4] for k, s in syns(client).items()}
for tuple4, streams in reused.items():
    bests = []
    for s in streams:
        doc = map_tcp(client, server, s)
        best = doc["matches"][0]["stream"] if doc["matches"] else None
        bests.append(best)
        checker.check(best is not None and server_isn.get(best) == client_isn[s],
                      f"port_reuse: tcp.stream {s} of {tuple4} maps to {best}, the server stream with ISN {client_isn[s]}")
    checker.check(len(set(bests)) == len(bests), f"port_reuse: {tuple4}'s connections map to different twins {bests}")

# --- present in one capture only -------------------------------------------------------------------
# The server capture cut before the second connection's SYN: that connection has no candidate.
second_syn = min(p["frame"] for p in packets(server) if p["flags"] & 0x12 == 0x02 and p["stream"] > 0 and
                 (p["src"], p["sport"]) == next(iter(reused))[:2])
cut = os.path.join(TMP, "port_reuse.server.cut.pcapng")
subprocess.run(["editcap", "-r", server, cut, f"1-{second_syn - 1}"], check=True, capture_output=True)
later = [c for c in connections(client) if c["mptcp_stream"] is not None][-1]
doc = map_mptcp(client, cut, later["mptcp_stream"])
checker.check(doc["matches"] == [], f"cut capture: mptcp.stream {later['mptcp_stream']} has no candidate: {doc['matches']}")
text = run_program("map-mptcp", "-r", client, "--peer", cut, str(later["mptcp_stream"]), "--text").stdout
checker.check("present in " + client + " only" in text, f"cut capture: the text says so: {text!r}")
for sf in later["subflows"]:
    doc = map_tcp(client, cut, sf["tcp_stream"])
    checker.check(doc["matches"] == [], f"cut capture: tcp.stream {sf['tcp_stream']} has no candidate")
    checker.check(all(r["matched"] == 0 for r in doc["packets"]), "cut capture: no packet matched without a twin")

# --- NAT: addresses and ports rewritten in the server capture -----------------------------------
for name in ("basic", "concurrent", "port_reuse", "ipv6"):
    client, server = pair(name)
    ethernet = os.path.join(TMP, name + ".server.eth.pcapng")
    natted = os.path.join(TMP, name + ".server.nat.pcap")
    pcapng_edit.to_ethernet(server, ethernet)
    ports = sorted({p["sport"] for p in packets(server)} | {p["dport"] for p in packets(server)})
    portmap = ",".join(f"{p}:{(p + 1000) % 65536 or 1}" for p in ports)
    pnat = "10.99.0.0/16:172.31.0.0/16,[fd00:99::/32]:[fd00:77::/32]"
    subprocess.run(["tcprewrite", f"--pnat={pnat}", f"--portmap={portmap}", f"--infile={ethernet}",
                    f"--outfile={natted}"], check=True, capture_output=True)
    moved = packets(natted)
    checker.check(all(p["src"] not in {q["src"] for q in packets(server)} and
                      p["sport"] not in ports for p in moved[:5]),
                  f"NAT {name}: tcprewrite rewrote addresses and ports ({moved[0]['src']}:{moved[0]['sport']})")
    twin = twins(client, natted, by_isn_only=True)
    checker.check(len(twin) == len(twins(client, server)), f"NAT {name}: every SYN twin found by ISN")
    docs, _ = check_mapping(f"NAT {name}", client, natted, twin, forbidden_reasons=("four_tuple", "ports"))
    first_unmatched, peer_unmatched = unmatched_frames(docs)
    checker.check(not first_unmatched and not peer_unmatched, f"NAT {name}: every packet matched")

# --- no handshake in the peer capture, and NAT: sequence space and timestamps decide -----------
# concurrent: 16 subflows between the same hosts at the same time (their TCP timestamps overlap).
client, server = pair("concurrent")
no_syn = os.path.join(TMP, "concurrent.server.nosyn.pcapng")
syn_frames = [str(p["frame"]) for p in packets(server) if p["flags"] & 0x02]
subprocess.run(["editcap", server, no_syn] + syn_frames, check=True, capture_output=True)
ethernet = os.path.join(TMP, "concurrent.server.nosyn.eth.pcapng")
natted = os.path.join(TMP, "concurrent.server.nosyn.nat.pcap")
pcapng_edit.to_ethernet(no_syn, ethernet)
ports = sorted({p["sport"] for p in packets(server)} | {p["dport"] for p in packets(server)})
subprocess.run(["tcprewrite", "--pnat=10.99.0.0/16:172.31.0.0/16",
                "--portmap=" + ",".join(f"{p}:{(p + 1000) % 65536 or 1}" for p in ports),
                f"--infile={ethernet}", f"--outfile={natted}"], check=True, capture_output=True)
checker.check(not any(p["flags"] & 0x02 for p in packets(natted)), "no SYN left in the edited capture")
# The twin: the edited capture's stream holding the client stream's first packet after its SYN
# (same header fields, from tshark).
where = {fingerprint(p): p["stream"] for p in packets(natted)}
no_syn_twin = {}
for stream in sorted({p["stream"] for p in packets(client)}):
    first_after_syn = next(p for p in packets(client) if p["stream"] == stream and not p["flags"] & 0x02)
    expected = where.get(fingerprint(first_after_syn))
    doc = map_tcp(client, natted, stream)
    best = doc["matches"][0] if doc["matches"] else {"stream": None, "reasons": []}
    checker.check(expected is not None and best["stream"] == expected,
                  f"no handshake + NAT: tcp.stream {stream} -> {best['stream']}, twin {expected}")
    checker.check("sequence_overlap" in best["reasons"] and not {"four_tuple", "ports"} & set(best["reasons"]),
                  f"no handshake + NAT: tcp.stream {stream} reasons {best['reasons']}")
    no_syn_twin[stream] = expected
# Without their MP_JOIN handshakes the peer capture cannot attach the joins to their connections
# (each is a connection of its own there): map-mptcp still pairs every subflow with its twin.
for c in connections(client):
    if c["mptcp_stream"] is None:
        continue
    doc = map_mptcp(client, natted, c["mptcp_stream"])
    best = doc["matches"][0] if doc["matches"] else {"subflows": [], "reasons": []}
    checker.check("mptcp_keys" in best["reasons"], f"no handshake + NAT: mptcp.stream {c['mptcp_stream']} by its keys")
    pairs = {s["tcp_stream"]: s["peer_tcp_stream"] for s in best["subflows"]}
    want = {s["tcp_stream"]: no_syn_twin[s["tcp_stream"]] for s in c["subflows"]}
    checker.check(pairs == want, f"no handshake + NAT: mptcp.stream {c['mptcp_stream']} subflows {pairs} == twins {want}")
    syn_twins = {p["frame"] for p in packets(client) if p["flags"] & 0x02 and p["stream"] in want}
    first_unmatched, peer_unmatched = unmatched_frames({0: doc})
    checker.check(first_unmatched == syn_twins and not peer_unmatched,
                  f"no handshake + NAT: mptcp.stream {c['mptcp_stream']}: only the deleted SYNs' twins unmatched "
                  f"{sorted(first_unmatched)} == {sorted(syn_twins)}, nothing of the edited capture {sorted(peer_unmatched)}")

# --- frames deleted from the server capture -------------------------------------------------
client, server = pair("basic")
deleted_ranges = [(20, 24), (101, 103), (300, 300)]
deleted = {f for lo, hi in deleted_ranges for f in range(lo, hi + 1)}
edited = os.path.join(TMP, "basic.server.deleted.pcapng")
subprocess.run(["editcap", server, edited] + [f"{lo}-{hi}" for lo, hi in deleted_ranges], check=True,
               capture_output=True)
server_twin = twins(server, client)
by_fingerprint = {}
for p in packets(client):
    by_fingerprint.setdefault((p["stream"], fingerprint(p)), []).append(p["frame"])
expected_frames = set()
expected_counts = {}
for p in packets(server):
    if p["frame"] not in deleted:
        continue
    stream = server_twin[p["stream"]]
    frames = by_fingerprint[(stream, fingerprint(p))]
    checker.check(len(frames) == 1, f"deleted server frame {p['frame']} has one twin in the client capture {frames}")
    expected_frames.update(frames)
    # Direction by the subflow's SYN: from its client is to_server (the corpus' subflows start at the client).
    syn = next(k for k, s in syns(server).items() if s == p["stream"])
    direction = "to_server" if (p["src"], p["sport"]) == syn[:2] else "to_client"
    expected_counts[(stream, direction)] = expected_counts.get((stream, direction), 0) + 1
docs = {}
for c in connections(client):
    docs[c["mptcp_stream"]] = map_mptcp(client, edited, c["mptcp_stream"])
first_unmatched, peer_unmatched = unmatched_frames(docs)
checker.check(first_unmatched == expected_frames,
              f"deleted frames: client unmatched {sorted(first_unmatched)} == their twins {sorted(expected_frames)}")
checker.check(not peer_unmatched, f"deleted frames: nothing of the edited server capture unmatched {peer_unmatched}")
for doc in docs.values():
    for row in doc["packets"]:
        want = expected_counts.get((row["tcp_stream"], row["direction"]), 0)
        checker.check(row["unmatched"] == want,
                      f"deleted frames: tcp.stream {row['tcp_stream']} {row['direction']} unmatched {row['unmatched']} == {want}")


# --- GSO/TSO super-segments --------------------------------------------------------------------
def data_frames(capture, stream, count):
    return [p["frame"] for p in packets(capture) if p["stream"] == stream and p["len"] > 1000][:count]


client, server = pair("basic")
for side in ("server", "client"):
    # Pieces in the capture `side`: the other one holds the (original, larger) super-segment.
    source = server if side == "server" else client
    split_file = os.path.join(TMP, f"basic.{side}.split.pcapng")
    frames = data_frames(source, 0, 5)
    split = pcapng_edit.split_segments(source, split_file, set(frames), 500)
    checker.check(len(split) == len(frames), f"GSO {side}: {len(frames)} frames split into pieces {split}")
    first, peer = (client, split_file) if side == "server" else (split_file, server)
    doc = map_mptcp(first, peer, 0)
    rows = doc["packets"]
    supers = sum(r["super_segments"] for r in rows)
    checker.check(supers == len(split), f"GSO {side}: {supers} super-segments == {len(split)} frames split")
    checker.check(all(r["unmatched"] == 0 and r["peer_unmatched"] == 0 for r in rows),
                  f"GSO {side}: every piece and super-segment matched")
    pieces = sum(split.values())
    matched = {(r["tcp_stream"], r["direction"]): r["matched"] for r in rows}
    unsplit = {(r["tcp_stream"], r["direction"]): r["matched"] for r in map_mptcp(client, server, 0)["packets"]}
    # The first capture's matched count grows by the pieces it holds (client side split) or not at all.
    grown = sum(matched.values()) - sum(unsplit.values())
    checker.check(grown == (pieces - len(split) if side == "client" else 0),
                  f"GSO {side}: matched packets of the first capture grew by {grown}")


# --- the shared v0 pair --------------------------------------------------------------------------
client = os.path.join(SHARED_CAPTURES, "client_2.pcap")
server = os.path.join(SHARED_CAPTURES, "server_2.pcap")
if not (os.path.exists(client) and os.path.exists(server)):
    print(f"skipped: {SHARED_CAPTURES} has no client_2.pcap/server_2.pcap")
else:
    twin = twins(client, server)
    checker.check(any(a != b for a, b in twin.items()), f"v0 pair: some twins have different stream numbers {twin}")
    docs, _ = check_mapping("v0 pair", client, server, twin)
    checker.check(len(docs) == 4 and all(d["matches"] for d in docs.values()), "v0 pair: all 4 connections map")
    by_frame_client = {p["frame"]: p for p in packets(client)}
    by_frame_server = {p["frame"]: p for p in packets(server)}
    for stream, doc in docs.items():
        for row in doc["packets"]:
            mine = [by_frame_client[f] for f in row["unmatched_frames"] if by_frame_client[f]["len"] > 0]
            theirs = [by_frame_server[f] for f in row["peer_unmatched_frames"] if by_frame_server[f]["len"] > 0]
            overlap = [(a["frame"], b["frame"]) for a in mine for b in theirs
                       if a["tsval"] == b["tsval"] and a["seq"] < b["seq"] + b["len"] and b["seq"] < a["seq"] + a["len"]]
            checker.check(not overlap, f"v0 pair tcp.stream {row['tcp_stream']} {row['direction']}: no unmatched data "
                                       f"transmission in both captures {overlap}")
    # GSO on the v0 pair: its 2856-byte segments split in two in the server capture.
    big = [p["frame"] for p in packets(server) if p["len"] == 2856][:20]
    split_file = os.path.join(TMP, "server_2.split.pcapng")
    split = pcapng_edit.split_segments(server, split_file, set(big), 1428)
    streams = {by_frame_server[f]["stream"] for f in split}
    supers = 0
    for stream, doc in docs.items():
        split_doc = map_mptcp(client, split_file, stream)
        supers += sum(r["super_segments"] for r in split_doc["packets"])
        before = {(r["tcp_stream"], r["direction"]): r["unmatched"] for r in doc["packets"]}
        after = {(r["tcp_stream"], r["direction"]): r["unmatched"] for r in split_doc["packets"]}
        checker.check(before == after, f"v0 pair split: mptcp.stream {stream} unmatched counts unchanged")
    checker.check(split and supers == len(split), f"v0 pair split: {supers} super-segments == {len(split)} frames split")

# --- bad input: documented exit codes (docs/exit-codes.md), a message, nothing on stdout ----------
client, server = pair("basic")
valid_tcp = sorted({p["stream"] for p in packets(client)})
for args, code, words in [
    (["map-tcp", "-r", client, "--peer", server, "99"], 2,
     [client, "no tcp.stream 99", "valid: " + ", ".join(map(str, valid_tcp))]),
    (["map-mptcp", "-r", client, "--peer", server, "7"], 2, [client, "no mptcp.stream 7"]),
    (["map-mptcp", "-r", client, "--peer", os.path.join(TMP, "absent.pcapng"), "0"], 3, ["absent.pcapng"]),
    (["map-tcp", "-r", client, "--peer", client, "0"], 2, ["same capture"]),
    (["map-tcp", "-r", client, "0"], 2, ["--peer is required"]),
]:
    proc = run_program(*args, check=False)
    checker.check(proc.returncode == code and proc.stdout == "" and all(w in proc.stderr for w in words),
                  f"{' '.join(args[:1] + args[-1:])}: exit {code} naming {words}: {proc.returncode} {proc.stderr!r}")

# --- every JSON key of both reports is a documented column -------------------------------------
documented = set(re.findall(r"^\| `([a-z0-9_]+)` \|", run_program("columns").stdout, re.M))


def keys_of(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            out.add(k)
            keys_of(v, out)
    elif isinstance(value, list):
        for v in value:
            keys_of(v, out)


client, server = pair("reinject")
keys = set()
keys_of(map_mptcp(client, server, 0), keys)
keys_of(map_tcp(client, server, 0), keys)
keys_of(map_mptcp(pair("port_reuse")[0], cut, 1), keys)
checker.check(keys and keys <= documented, f"map-tcp/map-mptcp JSON keys documented: missing {sorted(keys - documented)}")

shutil.rmtree(TMP, ignore_errors=True)
checker.finish()
