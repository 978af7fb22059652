"""The connection model agrees with the ground truth of the corpus (tests/data/manifest.json:
what the applications, `ip mptcp monitor` and the kernel's MIB counters recorded, never what an
analyzer said), with Wireshark's grouping and reinjection links on the reference captures of
../shared/captures, and degrades without aborting on damaged captures derived at test time.

For every scenario of the manifest and both of its captures:
  * connections: `list-tcp` lists exactly the subflows the side's kernel reported (4-tuple,
    oriented client -> server); `list-mptcp` lists the MPTCP connections the manifest expects
    (a connection that fell back at the handshake is listed with fallback no_mp_capable_* and
    counted out, and must be one the manifest says fell back at the handshake), each with
    exactly its subflows (4-tuple and role), its tokens, its fallback, its backup flags;
  * application bytes per direction (`mptcp-summary`): equal to what the application sent when
    the transfer was complete; for a truncated or corrupted transfer, between what the receiving
    application read and what the sending one wrote (both captures saw every byte the receiver
    read: the sender's capture sees all it sent, the receiver's all it received);
  * events: ADD_ADDR (address, id, port), REMOVE_ADDR, MP_PRIO, MP_FASTCLOSE, MP_TCPRST, MP_FAIL
    are in the capture exactly as many times as the kernel counted sending (sender's capture) or
    receiving (receiver's capture) them, with the content the monitor reported; DATA_FIN in both
    directions exactly for the connections that closed cleanly at the MPTCP level; the infinite
    mapping exactly where the kernel counted one;
  * resent data: see check_resends() for the relation of reinjected and MPTCP-retransmitted
    bytes with the kernel counters, derived from the kernel's semantics and checked on this
    corpus; mptcp-summary's TCP-retransmitted bytes are tcp-summary's; no listed reinjection or
    MPTCP-level retransmission counts a byte its subflow's sequence numbers say is a TCP
    retransmission (check_no_tcp_retransmission_listed);
  * every command exits 0 with valid JSON and consistent CSV.
Then Wireshark (one tshark pass, mptcp.analyze_mappings + intersubflows_retransmission) on the
corpus and on ../shared/captures/{client,server}_2.pcap (skipped with a message when absent):
same mptcp.stream grouping, and every mptcp.reinjection_of link is in our reinjection list.
Finally degraded captures (no handshake, no SYN/ACK, one direction, mid-connection start):
exit 0, anomaly reported, orientation right when inferable, no mis-attachment."""

import csv
import io
import ipaddress
import json
import os
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from common import DATA_DIR, PROGRAM, SHARED_CAPTURES, Checker, manifest, tshark_env, tshark_fields

checker = Checker("connection_model")
WORK = tempfile.mkdtemp(prefix="mptcp-test-model-")
ENV = dict(os.environ)
ENV["XDG_CACHE_HOME"] = os.path.join(WORK, "cache")  # one cache for the whole test
HANDSHAKE_FALLBACKS = ("no_mp_capable_reply", "no_mp_capable_ack")
DATA_FALLBACKS = ("no_dss", "infinite_mapping", "mp_fail_no_dss")
# The generator's fallback reason -> the only kind of ours that describes it.
FALLBACK_OF_REASON = {"mp_fail_infinite_mapping": "infinite_mapping", "mp_fail_dss_stopped": "mp_fail_no_dss"}
SIDES = ("client", "server")
OTHER = {"client": "server", "server": "client"}
# direction of the data -> (sending side, receiving side, manifest key)
DIRECTIONS = {"to_server": ("client", "server", "client_to_server"),
              "to_client": ("server", "client", "server_to_client")}
T0 = time.time()


# ---------------------------------------------------------------------------------------------
# Running the program
# ---------------------------------------------------------------------------------------------

_results = {}


def run(args):
    """(returncode, stdout, stderr) of the program, memoised (the captures do not change)."""
    key = tuple(args)
    if key not in _results:
        p = subprocess.run([PROGRAM, *args], capture_output=True, text=True, env=ENV, timeout=300)
        _results[key] = (p.returncode, p.stdout, p.stderr)
    return _results[key]


def prog_json(capture, *args):
    """The program's JSON for `CMD ... -r capture --json`, or None (a failed check) when it exits
    non-zero or prints invalid JSON."""
    argv = [*args, "-r", capture, "--json"]
    code, out, err = run(argv)
    what = f"{os.path.basename(capture)}: {' '.join(args)} --json"
    if not checker.check(code == 0, f"{what}: exit {code}: {err.strip()[-500:]}"):
        return None
    try:
        return json.loads(out)
    except ValueError as e:
        checker.check(False, f"{what}: invalid JSON ({e}): {out[:200]!r}")
        return None


def prog_csv(capture, *args):
    """Rows (header first) of `CMD ... --csv`, checked: exit 0, a header, every row as wide."""
    argv = [*args, "-r", capture, "--csv"]
    code, out, err = run(argv)
    what = f"{os.path.basename(capture)}: {' '.join(args)} --csv"
    if not checker.check(code == 0, f"{what}: exit {code}: {err.strip()[-500:]}"):
        return None
    rows = list(csv.reader(io.StringIO(out)))
    if not checker.check(bool(rows) and all(h for h in rows[0]), f"{what}: no CSV header: {out[:200]!r}"):
        return None
    bad = [i for i, r in enumerate(rows) if len(r) != len(rows[0])]
    checker.check(not bad, f"{what}: rows {bad[:5]} have not the {len(rows[0])} columns of the header")
    return rows


def prefetch(arglists, workers=8):
    """Runs independent invocations in parallel (results memoised); the cache entry of each
    capture exists already, so parallel runs only read it."""
    todo = [a for a in arglists if tuple(a) not in _results]
    with ThreadPoolExecutor(max_workers=workers) as ex:
        for a, res in zip(todo, ex.map(lambda a: subprocess.run([PROGRAM, *a], capture_output=True, text=True,
                                                                 env=ENV, timeout=300), todo)):
            _results[tuple(a)] = (res.returncode, res.stdout, res.stderr)


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------

def ep(text):
    """'10.0.0.1:80' or '[fd00::1]:80' -> (ip_address, port)."""
    host, _, port = text.rpartition(":")
    return ipaddress.ip_address(host.strip("[]")), int(port)


def mep(addr, port):
    return ipaddress.ip_address(addr), int(port)


def sf_tuple(sf):
    """A manifest subflow as (client endpoint, server endpoint)."""
    return mep(sf["saddr"], sf["sport"]), mep(sf["daddr"], sf["dport"])


def conn_tuple(c):
    return mep(c["client"]["addr"], c["client"]["port"]), mep(c["server"]["addr"], c["server"]["port"])


def fmt_t(t):
    return f"{t[0][0]}:{t[0][1]} -> {t[1][0]}:{t[1][1]}"


def nstat(scn, side, name):
    return scn["nstat"].get(side, {}).get("MPTcpExt" + name, 0)


# ---------------------------------------------------------------------------------------------
# tshark
# ---------------------------------------------------------------------------------------------

WS_PREFS = ["mptcp.analyze_mptcp:TRUE", "mptcp.analyze_mappings:TRUE", "mptcp.intersubflows_retransmission:TRUE",
            "tcp.analyze_sequence_numbers:TRUE"]


def tshark_rows(capture, fields, prefs=WS_PREFS, display_filter="tcp"):
    # tcp.stream / mptcp.stream as the program numbers them (the same with 4.0; common.tshark_fields).
    return tshark_fields(capture, fields, prefs, display_filter)


def check_against_wireshark(capture, label):
    """One tshark pass: our grouping of tcp.streams into MPTCP connections equals Wireshark's
    mptcp.stream grouping, and every mptcp.reinjection_of link (frame X reinjects Y) is in our
    list-reinjections (frame X listed with Y among its originals), unless X is a TCP
    retransmission (all its sequence numbers sent before on its subflow)."""
    rows = tshark_rows(capture, ["frame.number", "tcp.stream", "mptcp.stream", "mptcp.reinjection_of",
                                 "tcp.options.mptcp.subtype", "tcp.flags.syn"])
    ws_group = {}  # tcp.stream -> mptcp.stream
    handshake = {}  # tcp.stream -> saw a SYN with MP_CAPABLE / MP_JOIN
    links = []
    for r in rows:
        r += [""] * (6 - len(r))
        frame, tcp_stream = int(r[0]), int(r[1])
        if r[2]:
            ws_group.setdefault(tcp_stream, int(r[2].split(",")[0]))
        if r[5] in ("1", "True") and set(r[4].split(",")) & {"0", "1"}:
            handshake[tcp_stream] = True
        for y in filter(None, r[3].split(",")):
            links.append((frame, int(y)))
    lt = prog_json(capture, "list-tcp")
    lm = prog_json(capture, "list-mptcp")
    ri = prog_json(capture, "list-reinjections")
    if lt is None or lm is None or ri is None:
        return
    ours = {}
    for m in lm["mptcp_connections"]:
        if m["mptcp_stream"] is None:
            continue  # fell back at the handshake: Wireshark 4.0 gives these no mptcp.stream either
        for sf in m["subflows"]:
            ours[sf["tcp_stream"]] = m["mptcp_stream"]
    unattached = set(lm["unattached_subflows"])
    ws_members = {}
    for t, m in ws_group.items():
        ws_members.setdefault(m, []).append(t)
    for t, m in sorted(ws_group.items()):
        if ours.get(t) == m:
            checker.check(True, "")
            continue
        if t in unattached and len(ws_members[m]) == 1 and not handshake.get(t):
            # Wireshark could not link it either: it made a one-subflow mptcp.stream of a
            # subflow without MP_CAPABLE/MP_JOIN SYN; "unattached" says the same thing.
            print(f"note: {label}: tcp.stream {t} is alone in Wireshark's mptcp.stream {m} (no handshake in the "
                  f"capture); we report it unattached, which is the same grouping")
            checker.check(True, "")
            continue
        checker.check(False, f"{label}: tcp.stream {t}: Wireshark puts it in mptcp.stream {m} (with tcp.streams "
                             f"{sorted(ws_members[m])}), we {'leave it unattached' if t in unattached else 'attach it to mptcp.stream %s' % ours.get(t)}")
    for t, m in ours.items():
        checker.check(t in ws_group, f"{label}: we attach tcp.stream {t} to mptcp.stream {m}, Wireshark to none")
    lt_streams = {t["tcp_stream"]: t["mptcp_stream"] for t in lt["tcp_connections"]}
    for t, m in ours.items():
        checker.check(lt_streams.get(t) == m, f"{label}: list-tcp says tcp.stream {t} is in mptcp.stream "
                                              f"{lt_streams.get(t)}, list-mptcp says {m}")
    originals = {}
    for r in ri["reinjections"]:
        originals.setdefault(r["frame"], set()).update(o["frame"] for o in r["originals"])
    # Wireshark links any segment whose DSNs another subflow sent before, TCP retransmissions
    # included; a segment that only repeats sequence numbers its own subflow sent (tshark's
    # tcp.seq_raw) is a TCP retransmission, which we do not list as a reinjection.
    repeats = own_subflow_repeats(capture) if links else {}
    tcp_retransmissions = {f for f, (covered, ln) in repeats.items() if covered == ln}
    missing = [(x, y, sorted(originals.get(x, ()))) for x, y in links
               if y not in originals.get(x, ()) and x not in tcp_retransmissions]
    excused = sum(1 for x, y in links if y not in originals.get(x, ()) and x in tcp_retransmissions)
    checker.check(not missing, f"{label}: {len(missing)} of Wireshark's {len(links)} reinjection_of links are "
                               f"not in our list and not from a TCP retransmission (frame, original, our "
                               f"originals): {missing[:8]}")
    if excused:
        print(f"{label}: {excused} of Wireshark's reinjection_of links start at a TCP retransmission (its own "
              f"subflow's sequence numbers again), not listed as reinjections")
    print(f"{label}: {len(ws_group)} tcp.streams in {len(ws_members)} Wireshark mptcp.streams; "
          f"{len(links)} reinjection_of links, our list has {len(ri['reinjections'])} reinjections")


# ---------------------------------------------------------------------------------------------
# Per capture of the corpus
# ---------------------------------------------------------------------------------------------

def stream_args(capture, lt, lm):
    """Every invocation of every command on this capture (JSON and CSV)."""
    per = [["list-tcp"], ["list-mptcp"], ["list-subflows"], ["events"], ["list-reinjections"], ["list-mptcp-retransmissions"]]
    for t in lt["tcp_connections"] if lt else []:
        per.append(["tcp-summary", str(t["tcp_stream"])])
    for m in lm["mptcp_connections"] if lm else []:
        if m["mptcp_stream"] is None:
            continue
        n = str(m["mptcp_stream"])
        per += [["list-subflows", n], ["mptcp-summary", n], ["events", n], ["list-reinjections", n],
                ["list-mptcp-retransmissions", n]]
    return per


def check_all_commands(capture, lt, lm):
    label = os.path.basename(capture)
    per = stream_args(capture, lt, lm)
    prefetch([[*a, "-r", capture, fmt] for a in per for fmt in ("--json", "--csv")])
    for a in per:
        j = prog_json(capture, *a)
        rows = prog_csv(capture, *a)
        if j is None or rows is None:
            continue
        # The CSV has one row per item of the JSON list where there is one.
        items = {"list-tcp": lambda j: len(j["tcp_connections"]),
                 "list-mptcp": lambda j: len(j["mptcp_connections"]),
                 # list-subflows N: that connection's; without N: every connection's
                 "list-subflows": lambda j: len(j["subflows"]) if "subflows" in j
                 else sum(len(m["subflows"]) for m in j["mptcp_connections"]),
                 "events": lambda j: len(j["events"]),
                 "list-reinjections": lambda j: len(j["reinjections"]),
                 "list-mptcp-retransmissions": lambda j: len(j["mptcp_retransmissions"])}
        if a[0] in items:
            checker.check(len(rows) - 1 == items[a[0]](j), f"{label}: {' '.join(a)}: {len(rows) - 1} CSV rows, "
                                                           f"{items[a[0]](j)} JSON items")
    for a in (["list-subflows", "999"], ["mptcp-summary", "999"], ["tcp-summary", "999"]):
        code, _, err = run([*a, "-r", capture, "--json"])
        checker.check(code > 0 and err.strip(), f"{label}: {' '.join(a)} (no such stream): exit {code}, stderr "
                                                f"{err.strip()[:200]!r}: expected an error, no crash")


def match_connections(scn, side, lm, label):
    """Pairs (manifest connection, our connection) for the MPTCP connections of this capture."""
    conns = [c for c in scn["connections"] if c["kind"] == "mptcp"]
    # A reused 4-tuple (scenario port_reuse) carries several connections, in capture order.
    by_tuple = {}
    for c in conns:
        by_tuple.setdefault(conn_tuple(c), []).append(c)
    expected = scn["expected"][side]["mptcp_connections"]
    ours_mptcp, pairs = [], []
    for m in lm["mptcp_connections"]:
        t = (ep(m["client"]), ep(m["server"]))
        candidates = by_tuple.get(t) or []
        c = candidates.pop(0) if candidates else None
        if m["fallback"] in HANDSHAKE_FALLBACKS:
            checker.check(c is not None and c["fallback"] and c["fallback_at"] == "handshake",
                          f"{label}: we report {fmt_t(t)} as fallen back at the handshake ({m['fallback']}), "
                          f"the manifest says {'no such connection' if c is None else 'fallback=%s at %s' % (c['fallback'], c['fallback_at'])}")
            checker.check(m["mptcp_stream"] is None,
                          f"{label}: {fmt_t(t)} fell back at the handshake but has mptcp.stream {m['mptcp_stream']}")
            continue
        ours_mptcp.append(m)
        if not checker.check(c is not None, f"{label}: our MPTCP connection {m['mptcp_stream']} ({fmt_t(t)}) is "
                                            f"not an MPTCP connection of the manifest"):
            continue
        checker.check(c["fallback_at"] != "handshake",
                      f"{label}: {fmt_t(t)}: the kernel fell back at the handshake, we report an MPTCP "
                      f"connection (fallback {m['fallback']})")
        pairs.append((c, m))
    checker.check(len(ours_mptcp) == expected,
                  f"{label}: {len(ours_mptcp)} MPTCP connections (handshake fallbacks counted out), "
                  f"the manifest expects {expected}")
    for c in conns:
        if c["fallback_at"] == "handshake":
            continue
        found = [m for cc, m in pairs if cc is c]
        checker.check(len(found) == 1, f"{label}: the manifest's MPTCP connection {fmt_t(conn_tuple(c))} is found "
                                       f"{len(found)} times")
    return pairs


def check_tcp(scn, side, lt, label):
    expected = scn["expected"][side]["tcp_connections"]
    got = lt["tcp_connections"]
    checker.check(len(got) == expected, f"{label}: list-tcp lists {len(got)} TCP connections, the manifest "
                                        f"expects {expected}")
    truth, reused = {}, set()
    for c in scn["connections"]:
        for sf in c["subflows"]:
            if side in sf["seen_by"]:
                if sf_tuple(sf) in truth:
                    reused.add(sf_tuple(sf))
                truth[sf_tuple(sf)] = c
    ours = {}
    for t in got:
        tup = (ep(t["client"]), ep(t["server"]))
        ours[tup] = t
        checker.check(tup in truth, f"{label}: tcp.stream {t['tcp_stream']} {fmt_t(tup)} is no subflow of the "
                                    f"manifest (or is oriented the wrong way)")
        checker.check(t["orientation"] == "syn" and not t["orientation_inferred"],
                      f"{label}: tcp.stream {t['tcp_stream']}: orientation {t['orientation']} (inferred "
                      f"{t['orientation_inferred']}) in a capture with complete handshakes")
    for tup in truth:
        checker.check(tup in ours, f"{label}: subflow {fmt_t(tup)} of the manifest is missing from list-tcp")
    for tup, t in ours.items():
        c = truth.get(tup)
        allowed = {"fallback", "missing_key"} if c is not None and c["fallback"] else set()
        if tup in reused:
            allowed.add("port_reuse")  # a second connection on the same 4-tuple is worth saying
        checker.check("anomalies" in t and anomaly_kinds(t) <= allowed,
                      f"{label}: tcp.stream {t['tcp_stream']}: anomalies {sorted(anomaly_kinds(t)) if 'anomalies' in t else 'not reported'}"
                      f" in a complete capture (allowed: {sorted(allowed)})")


def check_connection(scn, side, capture, c, m, label):
    name = f"{label}: mptcp.stream {m['mptcp_stream']}"
    # subflows: 4-tuple and role, nothing missing, nothing extra
    truth = {sf_tuple(sf): sf for sf in c["subflows"] if side in sf["seen_by"]}
    ours = {(ep(sf["client"]), ep(sf["server"])): sf for sf in m["subflows"]}
    for tup, sf in truth.items():
        o = ours.get(tup)
        if checker.check(o is not None, f"{name}: subflow {fmt_t(tup)} ({sf['role']}) is missing"):
            checker.check(o["role"] == sf["role"], f"{name}: subflow {fmt_t(tup)} is {o['role']}, the manifest "
                                                   f"says {sf['role']}")
            checker.check(o["mptcpdest"] == "server", f"{name}: subflow {fmt_t(tup)} goes towards the "
                                                      f"{o['mptcpdest']}, the client opened it")
    for tup in ours:
        checker.check(tup in truth, f"{name}: extra subflow {fmt_t(tup)}")
    # tokens
    for who in SIDES:
        want = c["tokens"][who]
        if want is not None:
            checker.check(m[f"{who}_token"] == want, f"{name}: {who}_token {m[f'{who}_token']}, the {who}'s "
                                                     f"kernel says {want}")
    # fallback
    if not c["fallback"]:
        checker.check(m["fallback"] == "none", f"{name}: fallback {m['fallback']} (frame {m['fallback_frame']}), "
                                               f"the kernel did not fall back")
    else:
        checker.check(m["fallback"] in DATA_FALLBACKS,
                      f"{name}: fallback {m['fallback']}, the kernel fell back after the handshake "
                      f"({c['fallback_reason']} at {c['fallback_at']}): expected one of {DATA_FALLBACKS}")
        if c["fallback_reason"] in FALLBACK_OF_REASON:
            checker.check(m["fallback"] == FALLBACK_OF_REASON[c["fallback_reason"]],
                          f"{name}: fallback {m['fallback']}, the kernel's is {c['fallback_reason']}")
    checker.check(m["checksums"] == bool(int(scn["sysctls"].get("net.mptcp.checksum_enabled", "0"))),
                  f"{name}: checksums {m['checksums']}, sysctls {scn['sysctls']}")
    # backup flags and MP_PRIO
    for tup, sf in truth.items():
        o = ours.get(tup)
        if o is None:
            continue
        final = sf["priority_changes"][-1]["backup"] if sf["priority_changes"] else sf["backup"]
        checker.check(o["backup"] == final, f"{name}: subflow {fmt_t(tup)}: backup {o['backup']}, the kernel "
                                            f"says {final} (joined {sf['backup']}, then {sf['priority_changes']})")
        joins = [b["backup"] for b in o["backup_changes"] if b["by"] == "MP_JOIN"]
        prios = [b["backup"] for b in o["backup_changes"] if b["by"] == "MP_PRIO"]
        if sf["role"] == "join":
            checker.check(joins == [sf["backup"]], f"{name}: subflow {fmt_t(tup)}: MP_JOIN backup {joins}, the "
                                                   f"server's kernel says {sf['backup']}")
        checker.check(prios == [p["backup"] for p in sf["priority_changes"]],
                      f"{name}: subflow {fmt_t(tup)}: MP_PRIO changes {prios}, the kernel's SF_PRIO events say "
                      f"{[p['backup'] for p in sf['priority_changes']]}")
    # application bytes
    ms = prog_json(capture, "mptcp-summary", str(m["mptcp_stream"]))
    if ms is None:
        return
    dirs = {d["direction"]: d for d in ms["directions"]}
    for dname, (sender, receiver, key) in DIRECTIONS.items():
        d = dirs.get(dname)
        if not checker.check(d is not None, f"{name}: mptcp-summary has no direction {dname}"):
            continue
        got, sent, read = d["application_bytes"], c["app_bytes"][key], c["received_bytes"][key]
        integ = c["integrity"][key]
        if integ == "match":
            checker.check(got == sent, f"{name} {dname}: application_bytes {got}, the {sender} application "
                                       f"wrote {sent} and the {receiver} read all of it"
                                       f"{' (unmapped segments: %d)' % d['unmapped_segments'] if d['unmapped_segments'] else ''}")
        else:
            print(f"{label} {dname}: integrity {integ}: {sender} wrote {sent}, {receiver} read {read}; asserting "
                  f"{read} <= application_bytes ({got}) <= {sent}: every byte read crossed both capture points, "
                  f"and nothing beyond what was written can be on the wire")
            checker.check(read <= got <= sent, f"{name} {dname} ({integ}): application_bytes {got} outside "
                                               f"[{read} read by the {receiver}, {sent} written by the {sender}]"
                                               f"{' (unmapped segments: %d)' % d['unmapped_segments'] if d['unmapped_segments'] else ''}")


# Event kinds counted by the kernel: kind -> (MIB counter when sent, MIB counter when received).
COUNTED_EVENTS = {"add_addr": ("AddAddrTx", "AddAddr"), "add_addr_echo": ("EchoAddTx", "EchoAdd"),
                  "remove_addr": ("RmAddrTx", "RmAddr"), "mp_prio": ("MPPrioTx", "MPPrioRx"),
                  "mp_fail": ("MPFailTx", "MPFailRx"), "mp_fastclose": ("MPFastcloseTx", "MPFastcloseRx"),
                  "mp_tcprst": ("MPRstTx", "MPRstRx")}


def check_events(scn, side, capture, pairs, label):
    ev = prog_json(capture, "events")
    if ev is None:
        return
    events = ev["events"]
    # 1. Counts against the kernel's MIB counters (per namespace, so over all connections):
    #    in the sender's capture every transmission, in the receiver's every reception.
    for kind, (tx, rx) in COUNTED_EVENTS.items():
        for sender in SIDES:
            if kind.startswith("add_addr"):
                echo = "yes" if kind == "add_addr_echo" else "no"
                n = sum(e["count"] for e in events if e["kind"] == "add_addr" and e["sender"] == sender
                        and e["details"].get("echo") == echo)
            else:
                n = sum(e["count"] for e in events if e["kind"] == kind and e["sender"] == sender)
            want = nstat(scn, sender, tx) if side == sender else nstat(scn, side, rx)
            checker.check(n == want, f"{label}: {n} {kind} sent by the {sender}, the {side}'s kernel counted "
                                     f"{want} ({'MPTcpExt' + (tx if side == sender else rx)})")
    # 2. Content, per connection, against the monitor events.
    by_stream = {m["mptcp_stream"]: c for c, m in pairs}
    fastclose = any(nstat(scn, s, n) for s in SIDES for n in ("MPFastcloseTx", "MPFastcloseRx"))
    for c, m in pairs:
        ce = [e for e in events if e["mptcp_stream"] == m["mptcp_stream"]]
        name = f"{label}: mptcp.stream {m['mptcp_stream']}"
        server_port = c["server"]["port"]
        announced = set()
        removed = []
        for e in c["events"]:
            if e["type"] == "ANNOUNCED":
                addr = e.get("daddr4") or e.get("daddr6")
                port = int(e["dport"]) if e.get("dport") and int(e["dport"]) != server_port else None
                # the monitor of the receiving side reports the announcement, sent by the other side
                announced.add((OTHER[e["side"]], int(e["remid"]), str(ipaddress.ip_address(addr)), port))
            if e["type"] == "REMOVED":
                removed.append((OTHER[e["side"]], int(e["remid"])))
        ours_ann = set()
        for e in ce:
            if e["kind"] == "add_addr" and e["details"].get("echo") == "no":
                p = e["details"].get("port")
                ours_ann.add((e["sender"], int(e["details"]["address_id"]),
                              str(ipaddress.ip_address(e["details"]["address"])), int(p) if p else None))
        checker.check(ours_ann == announced, f"{name}: ADD_ADDR (sender, id, address, port) {sorted(ours_ann, key=str)}"
                                             f", the kernel's ANNOUNCED events say {sorted(announced, key=str)}")
        ours_rm = set()
        for e in ce:
            if e["kind"] == "remove_addr":
                for i in filter(None, e["details"].get("address_ids", "").split(";")):
                    ours_rm.add((e["sender"], int(i)))
        checker.check(ours_rm == set(removed), f"{name}: REMOVE_ADDR (sender, id) {sorted(ours_rm)}, the kernel's "
                                               f"REMOVED events say {sorted(set(removed))}")
        # DATA_FIN: both ways exactly when the connection closed at the MPTCP level (no fallback,
        # no MP_FASTCLOSE abort).
        clean = not c["fallback"] and not fastclose
        for who in SIDES:
            has = any(e["kind"] == "data_fin" and e["sender"] == who for e in ce)
            checker.check(has == clean, f"{name}: DATA_FIN from the {who} {'present' if has else 'absent'}; the "
                                        f"connection {'closed cleanly' if clean else 'fell back or was fast-closed'}")
        # infinite mapping: where the kernel sent/received one; for a fallback after the handshake
        # the manifest's fallback_point says whether one was on the wire (the kernel counts
        # InfiniteMapTx also when a host firewall removes it, as in mpfail_dss_stripped)
        fp = c.get("fallback_point") or {}
        for who in SIDES:
            has = any(e["kind"] == "infinite_mapping" and e["sender"] == who for e in ce)
            if "infinite_mapping" in fp:
                want = bool(fp["infinite_mapping"]) and fp["infinite_mapping"]["sent_by"] == who
            else:
                want = nstat(scn, who, "InfiniteMapTx") > 0 or nstat(scn, OTHER[who], "InfiniteMapRx") > 0
            checker.check(has == want, f"{name}: infinite mapping from the {who} {'present' if has else 'absent'}, "
                                       f"the manifest (fallback_point, else InfiniteMapTx/Rx) says {want}")
        # fallback event where (and only where) we report a fallback
        has_fb = any(e["kind"] == "fallback" for e in ce)
        checker.check(has_fb == (m["fallback"] != "none"), f"{name}: fallback event {has_fb}, fallback {m['fallback']}")
    for e in events:
        if e["mptcp_stream"] is not None:
            checker.check(e["mptcp_stream"] in by_stream or e["kind"] in ("mp_capable", "fallback"),
                          f"{label}: event {e['kind']} frame {e['frame']} of mptcp.stream {e['mptcp_stream']}, "
                          f"which is no connection of the manifest")


def tcp_retransmitted(capture, m, direction):
    """TCP-level retransmitted bytes of this direction, summed over the subflows (tcp-summary)."""
    total = 0
    for sf in m["subflows"]:
        ts = prog_json(capture, "tcp-summary", str(sf["tcp_stream"]))
        if ts is None:
            continue
        want = "client_to_server" if (direction == "to_server") == (sf["mptcpdest"] == "server") else "server_to_client"
        total += sum(d["retransmitted_bytes"] for d in ts["directions"] if d["direction"] == want)
    return total


def check_resends(scn, captures, pairs_by_side, label):
    """Reinjections against the kernel's counters.

    What the kernel counts (net/mptcp): MPTcpExtMPTCPRetrans is incremented for every segment
    __mptcp_retrans() sends when the MPTCP retransmission timer fires; the subflow it picks may be
    the one that carried the original (then the capture shows the same DSN again on the same
    subflow under a new subflow sequence number: an MPTCP-level retransmission, not a cross-subflow
    reinjection; `basic` shows exactly this) or another one (a reinjection). Data is also re-sent
    WITHOUT that counter when a subflow is closed with data pending (__mptcp_retransmit_pending_data,
    e.g. MPTcpExtRmSubflow in `pathfail`) or reset. MPTcpExtDuplicateData counts data the
    receiver got twice at the MPTCP level (a same-subflow TCP retransmission is dropped by TCP
    before MPTCP sees it, so it never counts).

    So, per direction, with resent = reinjected_bytes + mptcp_retransmitted_bytes (mptcp-summary:
    DSN bytes sent again on another subflow, or on the same one under new subflow sequence
    numbers), i.e. data the MPTCP layer sent again:
      (a) sender MPTCPRetrans > 0            => resent > 0 in the sender's capture;
      (b) reinjections listed in the sender's capture => the sender's kernel re-sent data at the
          MPTCP level (MPTCPRetrans > 0 or a subflow removed: RmSubflow > 0);
      (c) receiver DuplicateData > 0         => resent > 0 in the receiver's capture;
      (d) no kernel counter of either side reports a re-send or a duplicate and the network
          dropped no data segment of that direction => no reinjection and resent == 0 in both
          captures;
      (e) a data segment the network dropped whose bytes never reached the receiver on its own
          subflow, in a transfer the application received complete, was necessarily re-sent on
          another subflow: one of its transmissions is among the originals of a reinjection in
          the sender's capture."""
    for dname, (sender, receiver, key) in DIRECTIONS.items():
        retrans = nstat(scn, sender, "MPTCPRetrans")
        removed = nstat(scn, sender, "RmSubflow")
        dup = nstat(scn, receiver, "DuplicateData")
        dir_flag = "c2s" if sender == "client" else "s2c"
        drops = [d for d in scn["dropped"] if d["dir"] == dir_flag and d["len"] > 0]
        for side in SIDES:
            capture = captures[side]
            cl = f"{label}.{side} {dname}"
            ri = prog_json(capture, "list-reinjections")
            if ri is None:
                continue
            for c, m in pairs_by_side[side]:
                ms = prog_json(capture, "mptcp-summary", str(m["mptcp_stream"]))
                if ms is None:
                    continue
                d = next(x for x in ms["directions"] if x["direction"] == dname)
                n_reinj = sum(1 for r in ri["reinjections"] if r["mptcp_stream"] == m["mptcp_stream"]
                              and r["direction"] == dname)
                same_sf = d["mptcp_retransmitted_bytes"]
                resent = d["reinjected_bytes"] + same_sf
                # TCP-level retransmissions are tcp-summary's, subflow by subflow (the same bytes).
                tcp_retx = tcp_retransmitted(capture, m, dname)
                checker.check(d["tcp_retransmitted_bytes"] == tcp_retx,
                              f"{cl}: mptcp-summary counts {d['tcp_retransmitted_bytes']} TCP-retransmitted bytes, "
                              f"the subflows' tcp-summary {tcp_retx}")
                print(f"{cl}: {n_reinj} reinjections ({d['reinjected_bytes']} bytes), {same_sf} bytes re-sent on "
                      f"the same subflow at the MPTCP level; kernel: {sender} MPTCPRetrans={retrans} "
                      f"RmSubflow={removed}, {receiver} DuplicateData={dup}, {len(drops)} data segments dropped")
                if side == sender:
                    if retrans:
                        checker.check(resent > 0, f"{cl}: the {sender}'s kernel re-sent {retrans} segments "
                                                  f"(MPTCPRetrans) but the capture shows no data sent twice")
                    if n_reinj:
                        checker.check(retrans > 0 or removed > 0,
                                      f"{cl}: {n_reinj} reinjections but the {sender}'s kernel re-sent nothing")
                elif dup:
                    checker.check(resent > 0, f"{cl}: the {receiver}'s kernel got duplicate data "
                                              f"(DuplicateData={dup}) but the capture shows no data sent twice")
                if not retrans and not removed and not dup and not drops:
                    checker.check(n_reinj == 0 and resent == 0,
                                  f"{cl}: {n_reinj} reinjections / {resent} bytes re-sent, the kernels report no "
                                  f"re-sending and the network dropped nothing")
        check_dropped_segments(scn, captures, pairs_by_side, dname, drops, label)


def check_dropped_segments(scn, captures, pairs_by_side, dname, drops, label):
    sender, receiver, key = DIRECTIONS[dname]
    if not drops:
        return
    conn_of_port = {}
    for c in scn["connections"]:
        for sf in c["subflows"]:
            conn_of_port[sf["sport"]] = c
    fields = ["frame.number", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.len"]
    recv = {}
    for r in tshark_rows(captures[receiver], fields, prefs=[], display_filter="tcp.len > 0"):
        recv.setdefault((int(r[1]), int(r[2])), []).append((int(r[3]), int(r[4])))
    sent = {}
    for r in tshark_rows(captures[sender], fields, prefs=[], display_filter="tcp.len > 0"):
        sent.setdefault((int(r[1]), int(r[2])), []).append((int(r[0]), int(r[3]), int(r[4])))
    ri = prog_json(captures[sender], "list-reinjections")
    if ri is None:
        return
    originals = set()
    for r in ri["reinjections"]:
        if r["direction"] == dname:
            originals.update(o["frame"] for o in r["originals"])

    def overlap(a, alen, b, blen):
        """Bytes of [a, a+alen) covered by [b, b+blen), modulo 2^32 -> list of offsets range."""
        off = (b - a) % (1 << 32)
        if off < alen:
            return (off, min(alen, off + blen))
        off = (a - b) % (1 << 32)
        if off < blen:
            return (0, min(alen, blen - off))
        return None

    checked = 0
    for d in drops:
        c = conn_of_port.get(d["sport"] if sender == "client" else d["dport"])
        if c is None or c["integrity"][key] != "match":
            continue
        k = (d["sport"], d["dport"])
        spans = sorted(filter(None, (overlap(d["seq"], d["len"], s, n) for s, n in recv.get(k, []))))
        covered = 0
        for a, b in spans:
            if a > covered:
                break
            covered = max(covered, b)
        if covered >= d["len"]:
            continue  # delivered on its own subflow by a TCP retransmission
        frames = [f for f, s, n in sent.get(k, []) if overlap(d["seq"], d["len"], s, n)]
        checked += 1
        checker.check(bool(set(frames) & originals),
                      f"{label}.{sender} {dname}: the segment seq {d['seq']} len {d['len']} of {d['saddr']}:{d['sport']}"
                      f" dropped by the network ({d['reason']}) never reached the {receiver} on its subflow, yet "
                      f"the application got every byte: it must be the original of a reinjection (its frames "
                      f"{frames[:6]} are not among our reinjections' originals)")
    print(f"{label} {dname}: {len(drops)} data segments dropped, {checked} never delivered on their subflow "
          f"(each must have been reinjected)")


_repeats = {}


def own_subflow_repeats(capture):
    """{frame: (bytes of its payload whose sequence numbers earlier segments of the same
    tcp.stream and direction carried, payload length)}, from tshark's tcp.seq_raw and tcp.len:
    the bytes of a TCP retransmission."""
    if capture in _repeats:
        return _repeats[capture]
    rows = tshark_rows(capture, ["frame.number", "tcp.stream", "tcp.srcport", "tcp.seq_raw", "tcp.len"], prefs=[],
                       display_filter="tcp.len > 0")
    out = {}
    sent = {}  # (tcp.stream, srcport) -> [(seq, len)]
    for r in rows:
        frame, key, seq, ln = int(r[0]), (int(r[1]), int(r[2])), int(r[3]), int(r[4])
        offsets = set()
        for q, n in sent.get(key, []):
            d = (q - seq) % (1 << 32)
            d = d - (1 << 32) if d >= (1 << 31) else d  # where q starts, relative to seq
            offsets.update(range(max(0, d), min(ln, d + n)))
        out[frame] = (len(offsets), ln)
        sent.setdefault(key, []).append((seq, ln))
    _repeats[capture] = out
    return out


def check_no_tcp_retransmission_listed(capture, label):
    """'A resent byte is one of three things' (the issue): a byte repeating sequence numbers its
    own subflow already sent is a TCP retransmission, never reinjected nor MPTCP-retransmitted.
    For every segment list-reinjections or list-mptcp-retransmissions lists, the bytes of its
    sequence range that earlier segments of its subflow and direction covered (tshark's
    tcp.seq_raw and tcp.len) are exactly its tcp_retransmitted_bytes, and it has bytes of the
    kind it is listed for."""
    listings = [(name, prog_json(capture, name), key, kind)
                for name, key, kind in (("list-reinjections", "reinjections", "reinjected_bytes"),
                                        ("list-mptcp-retransmissions", "mptcp_retransmissions",
                                         "mptcp_retransmitted_bytes"))]
    if not any(doc and doc[key] for _, doc, key, _ in listings):
        return
    earlier = {frame: covered for frame, (covered, _) in own_subflow_repeats(capture).items()}
    for name, doc, key, kind in listings:
        if not doc:
            continue
        bad = [(r["frame"], r["tcp_retransmitted_bytes"], earlier.get(r["frame"]), r[kind]) for r in doc[key]
               if r["tcp_retransmitted_bytes"] != earlier.get(r["frame"]) or r[kind] == 0]
        checker.check(not bad, f"{label}: {name}: {len(bad)} listed segments whose TCP-retransmitted bytes disagree "
                               f"with the subflow's sequence numbers, or without {kind} (frame, ours, by tshark's "
                               f"sequence numbers, {kind}): {bad[:6]}")


def check_scenario(scn):
    name = scn["name"]
    captures = {side: os.path.join(DATA_DIR, scn["captures"][side]) for side in SIDES}
    pairs_by_side = {}
    for side in SIDES:
        capture = captures[side]
        label = f"{name}.{side}"
        if not checker.check(os.path.isfile(capture), f"{label}: {capture} missing"):
            pairs_by_side[side] = []
            continue
        lt = prog_json(capture, "list-tcp")
        lm = prog_json(capture, "list-mptcp")
        check_all_commands(capture, lt, lm)
        if lt is None or lm is None:
            pairs_by_side[side] = []
            continue
        check_tcp(scn, side, lt, label)
        checker.check(lm["unattached_subflows"] == [], f"{label}: unattached subflows {lm['unattached_subflows']} "
                                                        f"in a complete capture")
        pairs = match_connections(scn, side, lm, label)
        pairs_by_side[side] = pairs
        for c, m in pairs:
            check_connection(scn, side, capture, c, m, label)
        check_events(scn, side, capture, pairs, label)
        check_against_wireshark(capture, label)
        check_no_tcp_retransmission_listed(capture, label)
    if all(os.path.isfile(p) for p in captures.values()):
        check_resends(scn, captures, pairs_by_side, name)


# ---------------------------------------------------------------------------------------------
# Degraded captures
# ---------------------------------------------------------------------------------------------

def tool(*cmd):
    subprocess.run(list(cmd), check=True, capture_output=True, env=tshark_env())


def anomaly_kinds(t):
    """Kinds of the anomalies list-tcp --json reports for one TCP connection."""
    return {a.get("kind") for a in t.get("anomalies", [])}


def reported_somewhere(capture, words):
    """True when an output of list-tcp/list-mptcp (JSON keys named *anomal*, text) or their
    stderr mentions one of `words`."""
    texts = []
    for a in (["list-tcp"], ["list-mptcp"]):
        for fmt in ([], ["--json"]):
            code, out, err = run([*a, "-r", capture, *fmt])
            texts += [out, err]
    blob = "\n".join(texts).lower()
    return any(w.lower() in blob for w in words)


def check_degraded(scn, full_capture, kind, derived, client_side_truth):
    """`derived`: a capture made from `full_capture`. Every command exits 0; orientation is
    right; every subflow we attach is attached where the complete capture attaches it."""
    label = f"{kind} ({os.path.basename(full_capture)})"
    lt = prog_json(derived, "list-tcp")
    lm = prog_json(derived, "list-mptcp")
    check_all_commands(derived, lt, lm)
    if lt is None or lm is None:
        return None, None
    # orientation: the real client whenever a SYN, a SYN/ACK or the port numbers tell it
    for t in lt["tcp_connections"]:
        tup = (ep(t["client"]), ep(t["server"]))
        checker.check(tup in client_side_truth, f"{label}: tcp.stream {t['tcp_stream']} oriented {fmt_t(tup)} "
                                                f"({t['orientation']}): the client is the other end")
        checker.check(t["orientation_inferred"] == (t["orientation"] != "syn"),
                      f"{label}: tcp.stream {t['tcp_stream']}: orientation {t['orientation']} but "
                      f"orientation_inferred {t['orientation_inferred']}")
    # attachment: never elsewhere than in the complete capture
    full = prog_json(full_capture, "list-mptcp")
    home = {}
    for m in full["mptcp_connections"] if full else []:
        init = next(sf for sf in m["subflows"] if sf["role"] == "initial")
        for sf in m["subflows"]:
            home[(ep(sf["client"]), ep(sf["server"]))] = ((ep(init["client"]), ep(init["server"])), sf["role"])
    for m in lm["mptcp_connections"]:
        if all(sf["attachment"] == "wireshark_stream" for sf in m["subflows"]):
            # Known only by Wireshark's number (no handshake nor known token left in this capture):
            # the subflows it groups are subflows of one connection of the complete capture.
            homes = set()
            for sf in m["subflows"]:
                tup = (ep(sf["client"]), ep(sf["server"]))
                found = home.get(tup) or home.get((tup[1], tup[0]))
                homes.add(found[0] if found else None)
            checker.check(len(homes) == 1 and None not in homes,
                          f"{label}: mptcp.stream {m['mptcp_stream']}, known only by Wireshark's number, groups "
                          f"subflows of these connections of the complete capture: {homes}")
            continue
        init = [sf for sf in m["subflows"] if sf["role"] == "initial"]
        checker.check(len(init) == 1, f"{label}: mptcp.stream {m['mptcp_stream']} has {len(init)} initial subflows")
        if len(init) != 1:
            continue
        it = (ep(init[0]["client"]), ep(init[0]["server"]))
        for sf in m["subflows"]:
            tup = (ep(sf["client"]), ep(sf["server"]))
            checker.check(home.get(tup) == (it, sf["role"]),
                          f"{label}: subflow {fmt_t(tup)} attached as {sf['role']} to the connection of {fmt_t(it)}; "
                          f"the complete capture says {home.get(tup)}")
    return lt, lm


def degraded_captures():
    by_name = {s["name"]: s for s in manifest()["scenarios"]}
    tmp = os.path.join(WORK, "degraded")
    os.makedirs(tmp, exist_ok=True)
    for name in ("basic", "concurrent"):
        scn = by_name.get(name)
        if scn is None:
            continue
        full = os.path.join(DATA_DIR, scn["captures"]["client"])
        truth, mptcp_subflows = set(), set()
        client_addrs, server_addrs = set(), set()
        for c in scn["connections"]:
            for sf in c["subflows"]:
                truth.add(sf_tuple(sf))
                if c["kind"] == "mptcp" and c["fallback_at"] != "handshake":
                    mptcp_subflows.add(sf_tuple(sf))
                client_addrs.add(sf["saddr"])
                server_addrs.add(sf["daddr"])
        ipf = "ipv6" if scn["ip_version"] == 6 else "ip"
        p = lambda k: os.path.join(tmp, f"{name}.{k}.pcapng")  # noqa: E731
        tool("editcap", full, p("no_handshake"), "1-3")
        tool("editcap", full, p("no_synack"), "2")
        tool("tshark", "-n", "-r", full, "-Y", " || ".join(f"{ipf}.src=={a}" for a in sorted(client_addrs)),
             "-w", p("client_only"))
        tool("tshark", "-n", "-r", full, "-Y", " || ".join(f"{ipf}.src=={a}" for a in sorted(server_addrs)),
             "-w", p("server_only"))
        info = subprocess.run(["capinfos", "-c", "-M", full], capture_output=True, text=True, check=True).stdout
        n = int(next(l for l in info.splitlines() if "Number of packets" in l).split()[-1])
        tool("editcap", "-r", full, p("mid_connection"), f"{n // 3}-{n}")

        lt, lm = check_degraded(scn, full, "no handshake", p("no_handshake"), truth)
        if lt:
            first = lt["tcp_connections"][0]
            checker.check(first["orientation_inferred"] and first["orientation"] == "port_numbers",
                          f"no handshake ({name}): tcp.stream 0 lost its SYN and SYN/ACK but its orientation is "
                          f"{first['orientation']} (inferred {first['orientation_inferred']})")
            checker.check("missing_handshake" in anomaly_kinds(first),
                          f"no handshake ({name}): tcp.stream 0 lost its handshake, list-tcp reports the anomalies "
                          f"{sorted(anomaly_kinds(first))}, expected missing_handshake")
        if lm:
            sfs = {sf["tcp_stream"]: sf for m in lm["mptcp_connections"] for sf in m["subflows"]}
            checker.check(0 in lm["unattached_subflows"] or (0 in sfs and sfs[0]["orientation_inferred"]),
                          f"no handshake ({name}): the initial subflow without handshake is neither unattached "
                          f"nor marked inferred")
        lt, lm = check_degraded(scn, full, "no SYN/ACK", p("no_synack"), truth)
        if lt:
            first = lt["tcp_connections"][0]
            checker.check("missing_syn_ack" in anomaly_kinds(first),
                          f"no SYN/ACK ({name}): tcp.stream 0 lost its SYN/ACK, list-tcp reports the anomalies "
                          f"{sorted(anomaly_kinds(first))}, expected missing_syn_ack")
            checker.check(reported_somewhere(p("no_synack"), ["SYN/ACK", "syn_ack"]),
                          f"no SYN/ACK ({name}): the text of list-tcp/list-mptcp does not mention the missing SYN/ACK")
        lt, lm = check_degraded(scn, full, "client direction only", p("client_only"), truth)
        if lt:
            checker.check(all(t["orientation"] == "syn" for t in lt["tcp_connections"]),
                          f"client direction only ({name}): orientations "
                          f"{[t['orientation'] for t in lt['tcp_connections']]}, every SYN is there")
            for t in lt["tcp_connections"]:
                checker.check("missing_syn_ack" in anomaly_kinds(t),
                              f"client direction only ({name}): tcp.stream {t['tcp_stream']} has no packet from the "
                              f"server, list-tcp reports the anomalies {sorted(anomaly_kinds(t))}, expected "
                              f"missing_syn_ack")
        lt, lm = check_degraded(scn, full, "server direction only", p("server_only"), truth)
        if lt:
            checker.check(all(t["orientation"] == "syn_ack" and t["orientation_inferred"]
                              for t in lt["tcp_connections"]),
                          f"server direction only ({name}): orientations "
                          f"{[(t['orientation'], t['orientation_inferred']) for t in lt['tcp_connections']]}, "
                          f"expected syn_ack (inferred)")
            for t in lt["tcp_connections"]:
                checker.check("missing_handshake" in anomaly_kinds(t),
                              f"server direction only ({name}): tcp.stream {t['tcp_stream']} has no SYN, list-tcp "
                              f"reports the anomalies {sorted(anomaly_kinds(t))}, expected missing_handshake")
        lt, lm = check_degraded(scn, full, "mid-connection start", p("mid_connection"), truth)
        if lt and lm:
            attached = {sf["tcp_stream"]: sf for m in lm["mptcp_connections"] for sf in m["subflows"]}
            for t in lt["tcp_connections"]:
                if t["orientation"] == "syn":
                    continue
                checker.check(t["orientation_inferred"], f"mid-connection start ({name}): tcp.stream "
                                                         f"{t['tcp_stream']} has no SYN, orientation not inferred")
                checker.check("missing_handshake" in anomaly_kinds(t),
                              f"mid-connection start ({name}): tcp.stream {t['tcp_stream']} has no SYN, list-tcp "
                              f"reports the anomalies {sorted(anomaly_kinds(t))}, expected missing_handshake")
                s = t["tcp_stream"]
                tup = (ep(t["client"]), ep(t["server"]))
                if tup in mptcp_subflows or t["mptcp_stream"] is not None or s in attached:
                    checker.check(s in lm["unattached_subflows"] or (s in attached and attached[s]["orientation_inferred"]),
                                  f"mid-connection start ({name}): MPTCP subflow tcp.stream {s} without handshake is "
                                  f"neither unattached nor marked inferred")


# ---------------------------------------------------------------------------------------------

def main():
    if not checker.check(os.access(PROGRAM, os.X_OK), f"the program {PROGRAM} is missing (set MPTCPANALYZER)"):
        checker.finish()
    data = manifest()
    scenarios = data["scenarios"]
    checker.check(len(scenarios) > 0, "the manifest lists no scenario")
    # Warm the cache one capture at a time; the rest of the runs may then go in parallel.
    for scn in scenarios:
        for side in SIDES:
            cap = os.path.join(DATA_DIR, scn["captures"][side])
            if os.path.isfile(cap):
                run(["list-tcp", "-r", cap, "--json"])
    for scn in scenarios:
        check_scenario(scn)
    print(f"corpus done in {time.time() - T0:.1f} s")

    shared = [os.path.join(SHARED_CAPTURES, f) for f in ("client_2.pcap", "server_2.pcap")]
    if not os.path.isdir(SHARED_CAPTURES):
        print(f"skipped: the Wireshark cross-check of {SHARED_CAPTURES}/client_2.pcap and server_2.pcap "
              f"({SHARED_CAPTURES} is absent)")
    else:
        for cap in shared:
            if not os.path.isfile(cap):
                print(f"skipped: {cap} is absent")
                continue
            lt = prog_json(cap, "list-tcp")
            lm = prog_json(cap, "list-mptcp")
            check_all_commands(cap, lt, lm)
            check_against_wireshark(cap, os.path.basename(cap))
    print(f"shared captures done in {time.time() - T0:.1f} s")

    degraded_captures()
    print(f"degraded captures done in {time.time() - T0:.1f} s")
    checker.finish()


if __name__ == "__main__":
    main()
