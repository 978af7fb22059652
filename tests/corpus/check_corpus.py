#!/usr/bin/python3
"""Check that the committed capture corpus is complete and consistent with its manifest.

usage: check_corpus.py [--data-dir tests/data] [--tshark tshark]

Needs only the Python 3 standard library and tshark.  For every scenario of
manifest.json it checks that both capture files exist, stay under the size
limit and parse with tshark (one pass, with a private empty configuration
directory so no user profile interferes), that tshark sees exactly the expected
number of TCP connections (tcp.stream) and MPTCP connections (mptcp.stream),
that every subflow the ground truth says a side saw is a TCP connection of that
side's capture, that the MPTCP option subtypes the kernel counters prove were
sent/received appear, and that the application ground truth is coherent
(SHA-256 sent == received wherever the manifest says the stream arrived
intact).  It also checks the total size of the data directory and that no
capture file is left out of the manifest.

Kernel counters (schema 2): every connection has each side's per-subflow
tcp_info (read by the applications), attached to a subflow whose 4-tuple the
capture holds; the counters are coherent with each other (a receiver never got
more distinct bytes than the sender sent, retransmitted bytes are counted in the
TCP MIB, MPTCP-level retransmitted bytes in MPTcpExtMPTCPRetrans) and, where no
subflow went stale or was closed before the last read, the subflows' new bytes
add up to the MPTCP level's new + retransmitted bytes (mptcp_info).  A fallback
after the handshake has its fallback point located in both captures.

Prints one line per check and finally "N passed, M failed"; exits 1 on any
failure.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "corpus"))

MAX_CAPTURE = int(1.2 * 1024 * 1024)
MAX_TOTAL = 20 * 1024 * 1024
DIRECTIONS = ("client_to_server", "server_to_client")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
HEX8 = re.compile(r"^[0-9a-f]{8}$")
SCHEMA = 2
FALLBACK_REASONS = ("server_not_mptcp", "option_stripped", "mp_fail_infinite_mapping",
                    "mp_fail_dss_stopped")
TCP_INFO_KEYS = ("bytes_sent", "bytes_retrans", "bytes_acked", "bytes_received", "segs_out",
                 "segs_in", "total_retrans")
FINAL_READS = ("before_shutdown", "before_close")


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("PASS %s" % what)
        else:
            self.failed += 1
            print("FAIL %s%s" % (what, (": " + detail) if detail else ""))
        return ok


def tshark_fields(tshark, path, cfgdir):
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=cfgdir)
    env.pop("WIRESHARK_PLUGIN_DIR", None)
    cmd = [tshark, "-n", "-r", path, "-o", "mptcp.analyze_mappings:TRUE",
           "-o", "mptcp.intersubflows_retransmission:TRUE", "-T", "fields",
           "-E", "separator=/t", "-e", "tcp.stream", "-e", "mptcp.stream",
           "-e", "ip.src", "-e", "ipv6.src", "-e", "tcp.srcport",
           "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.dstport",
           "-e", "tcp.options.mptcp.subtype", "-e", "mptcp.expected_token",
           "-e", "tcp.options.mptcp.recvtok"]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    return res


def parse_view(text):
    tcp, mp, tuples, subtypes, packets = set(), set(), set(), set(), 0
    keytok, recvtok = set(), set()
    for line in text.splitlines():
        f = line.split("\t") + [""] * 11
        packets += 1
        if f[0]:
            tcp.add(int(f[0]))
        if f[1]:
            mp.add(int(f[1]))
        src, dst = f[2] or f[3], f[5] or f[6]
        if src and dst and f[4] and f[7]:
            a, b = (src, int(f[4])), (dst, int(f[7]))
            tuples.add((a, b) if a < b else (b, a))
        for st in filter(None, f[8].split(",")):
            subtypes.add(int(st))
        for t in filter(None, f[9].split(",")):
            keytok.add("%08x" % int(t, 0))
        for t in filter(None, f[10].split(",")):
            recvtok.add("%08x" % int(t, 0))
    return {"packets": packets, "tcp": tcp, "mptcp": mp, "tuples": tuples,
            "subtypes": subtypes, "keytok": keytok, "recvtok": recvtok}


from mptcp_mib import SUBTYPE_MIB  # noqa: E402  (shared with the other side)


def derive_expected(s, side):
    """Recompute a side's expected counts from the ground truth (README rules)."""
    tcp_n = mptcp_n = 0
    for c in s["connections"]:
        if c["kind"] == "tcp" or c.get("fallback_at") == "handshake":
            tcp_n += 1
        else:
            tcp_n += sum(1 for sf in c["subflows"] if side in sf["seen_by"])
            mptcp_n += 1
    mib = s["nstat"][side]
    subtypes = sorted(st for st, (tx, rx) in SUBTYPE_MIB.items()
                      if mib.get(tx, 0) > 0 or mib.get(rx, 0) > 0)
    return {"tcp_connections": tcp_n, "mptcp_connections": mptcp_n, "mptcp_subtypes": subtypes}


def norm_tuple(sf):
    a, b = (sf["saddr"], int(sf["sport"])), (sf["daddr"], int(sf["dport"]))
    return (a, b) if a < b else (b, a)


def check_connection(ck, sname, k, c):
    label = "%s connection %d" % (sname, k)
    ck.check(c.get("kind") in ("mptcp", "tcp"), "%s kind is mptcp|tcp" % label)
    # application ground truth: bytes and SHA-256 per direction
    for d in DIRECTIONS:
        want = c.get("integrity", {}).get(d)
        sent, recv = c["app_bytes"][d], c["received_bytes"][d]
        sha = c["sha256"][d]
        mism = c["mismatched_bytes"][d]
        ok_hex = bool(HEX64.match(sha["sent"] or "")) and bool(HEX64.match(sha["received"] or ""))
        ck.check(ok_hex, "%s %s sha256 fields are hex digests" % (label, d))
        if want == "match":
            ck.check(sent == recv and sha["sent"] == sha["received"] and mism == 0,
                     "%s %s received == sent (%d bytes, sha256 equal)" % (label, d, sent),
                     "sent %d %s, received %d %s, %d mismatched" % (
                         sent, sha["sent"][:12], recv, sha["received"][:12], mism))
        elif want == "truncated":
            ck.check(recv < sent and mism == 0,
                     "%s %s is a clean prefix (%d of %d bytes, documented truncation)" % (
                         label, d, recv, sent))
        elif want == "corrupted":
            ck.check(mism > 0,
                     "%s %s has corrupted bytes as documented (%d mismatched)" % (
                         label, d, mism))
        else:
            ck.check(False, "%s %s integrity class" % (label, d), "unknown %r" % want)
    initial = [sf for sf in c.get("subflows", []) if sf.get("role") == "initial"]
    ok = (len(initial) == 1 and initial[0]["saddr"] == c["client"]["addr"]
          and int(initial[0]["sport"]) == int(c["client"]["port"])
          and initial[0]["daddr"] == c["server"]["addr"]
          and int(initial[0]["dport"]) == int(c["server"]["port"]))
    ck.check(ok, "%s has one initial subflow equal to its client/server endpoints" % label)
    if c["kind"] == "mptcp" and c.get("fallback_at") != "handshake":
        t = c.get("tokens", {})
        ck.check(bool(HEX8.match(t.get("client") or "")) and bool(HEX8.match(t.get("server") or ""))
                 and t["client"] != t["server"],
                 "%s has distinct client and server tokens" % label, str(t))
    if c.get("fallback"):
        ck.check(c.get("fallback_reason") in FALLBACK_REASONS
                 and c.get("fallback_at") in ("handshake", "data"),
                 "%s fallback is documented (%s at %s)" % (label, c.get("fallback_reason"),
                                                           c.get("fallback_at")))


def check_kernel_counters(ck, s, k, c):
    """Schema-2 kernel counters of one connection (see the module docstring)."""
    label = "%s connection %d" % (s["name"], k)
    sides = ("client", "server")
    kr = c.get("kernel_read") or {}
    ck.check(all((kr.get(sd) or {}).get("method") in ("mptcp_tcpinfo", "tcp_info",
                                                      "tcp_info_fallback") for sd in sides),
             "%s: both applications read the kernel's per-subflow counters" % label, str(kr))
    subflows = c.get("subflows", [])
    init = [sf for sf in subflows if sf.get("role") == "initial"]
    ck.check(all(sf.get("kernel", {}).get(sd) for sf in init for sd in sides),
             "%s: the initial subflow has tcp_info from both sides" % label)
    bad = []
    for sf in subflows:
        recs = sf.get("kernel") or {}
        for sd in sides:
            r = recs.get(sd)
            if r is None:
                continue
            ti = r.get("tcp_info") or {}
            if any(not isinstance(ti.get(x), int) for x in TCP_INFO_KEYS) \
                    or r.get("read") not in ("poll",) + FINAL_READS:
                bad.append("%s:%s %s record malformed" % (sf["saddr"], sf["sport"], sd))
                continue
            if ti["bytes_retrans"] > ti["bytes_sent"]:
                bad.append("%s:%s %s retransmitted more than sent" % (sf["saddr"], sf["sport"], sd))
            if ti["bytes_acked"] > ti["bytes_sent"] + 2:       # + SYN and FIN
                bad.append("%s:%s %s acked more than sent" % (sf["saddr"], sf["sport"], sd))
        # the receiver got no more distinct bytes than the sender sent (+1 for a FIN)
        for snd, rcv in (("client", "server"), ("server", "client")):
            a, b = recs.get(snd), recs.get(rcv)
            if a and b and a["read"] in FINAL_READS:
                sent = a["tcp_info"]["bytes_sent"] - a["tcp_info"]["bytes_retrans"]
                if b["tcp_info"]["bytes_received"] > sent + 1:
                    bad.append("%s:%s %s received %d bytes, %s sent %d distinct" % (
                        sf["saddr"], sf["sport"], rcv, b["tcp_info"]["bytes_received"], snd,
                        sent))
    ck.check(not bad, "%s: per-subflow tcp_info is coherent" % label, "; ".join(bad))
    # the MIB counts what the per-socket counters say happened
    mib_bad = []
    for sd in sides:
        retrans = sum((sf.get("kernel", {}).get(sd) or {}).get("tcp_info", {})
                      .get("bytes_retrans", 0) for sf in subflows)
        if retrans and s["nstat"][sd].get("TcpRetransSegs", 0) < 1:
            mib_bad.append("%s retransmitted %d TCP bytes but TcpRetransSegs is 0" % (sd, retrans))
        mi = (c.get("mptcp_info") or {}).get(sd) or {}
        if mi.get("bytes_retrans") and s["nstat"][sd].get("MPTcpExtMPTCPRetrans", 0) < 1:
            mib_bad.append("%s mptcpi_bytes_retrans %d but MPTcpExtMPTCPRetrans is 0" % (
                sd, mi["bytes_retrans"]))
    ck.check(not mib_bad, "%s: retransmissions in tcp_info / mptcp_info are in the MIB" % label,
             "; ".join(mib_bad))
    if c["kind"] != "mptcp" or c.get("fallback"):
        return
    # per-subflow new bytes == MPTCP-level new + retransmitted bytes, when every
    # subflow was read at the end and none went stale (a stale subflow's data is
    # pushed again without counting as an MPTCP retransmission)
    for sd, d in (("client", "client_to_server"), ("server", "server_to_client")):
        mi = (c.get("mptcp_info") or {}).get(sd) or {}
        recs = [(sf.get("kernel") or {}).get(sd) for sf in subflows if sd in sf["seen_by"]]
        if "bytes_sent" not in mi:
            continue
        ck.check(mi["bytes_sent"] == c["app_bytes"][d] or c["integrity"][d] != "match",
                 "%s: %s mptcpi_bytes_sent == bytes its application wrote (%d)" % (
                     label, sd, c["app_bytes"][d]), "mptcpi_bytes_sent %d" % mi["bytes_sent"])
        if any(r is None or r["read"] not in FINAL_READS for r in recs) \
                or s["nstat"][sd].get("MPTcpExtSubflowStale", 0) \
                or c.get("kernel_unlisted_subflows"):
            continue
        sub = sum(r["tcp_info"]["bytes_sent"] - r["tcp_info"]["bytes_retrans"] for r in recs)
        want = mi["bytes_sent"] + mi["bytes_retrans"]
        ck.check(sub == want,
                 "%s: %s subflows' new bytes (tcpi_bytes_sent - tcpi_bytes_retrans) == "
                 "mptcpi_bytes_sent + mptcpi_bytes_retrans (%d)" % (label, sd, want),
                 "subflows %d" % sub)


def check_fallback_point(ck, s, k, c):
    if c.get("fallback_at") != "data":
        return
    label = "%s connection %d" % (s["name"], k)
    fp = c.get("fallback_point") or {}
    found = [key for key in ("mp_fail", "infinite_mapping", "first_data_without_dss")
             if fp.get(key) and all(fp[key]["frames"].get(sd) for sd in ("client", "server"))]
    ck.check(bool(found), "%s: the fallback point is located in both captures (%s)" % (
        label, ", ".join(found)), str(fp)[:300])
    if c.get("fallback_reason") == "mp_fail_infinite_mapping":
        ck.check("mp_fail" in found and "infinite_mapping" in found,
                 "%s: MP_FAIL and the infinite mapping are on the wire" % label)
    if c.get("fallback_reason") == "mp_fail_dss_stopped":
        ck.check("mp_fail" in found and "first_data_without_dss" in found,
                 "%s: MP_FAIL, then data without DSS, are on the wire" % label)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__), "..", "data"))
    ap.add_argument("--tshark", default="tshark")
    args = ap.parse_args()
    ck = Checker()
    data = os.path.abspath(args.data_dir)
    mpath = os.path.join(data, "manifest.json")
    try:
        with open(mpath) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        ck.check(False, "%s is readable JSON" % mpath, str(e))
        print("%d passed, %d failed" % (ck.passed, ck.failed))
        return 1
    ck.check(manifest.get("schema") == SCHEMA, "manifest schema is %d" % SCHEMA)
    scenarios = manifest.get("scenarios") or []
    ck.check(len(scenarios) > 0, "manifest lists scenarios (%d)" % len(scenarios))
    names = [s.get("name") for s in scenarios]
    ck.check(len(set(names)) == len(names), "scenario names are unique")
    if shutil.which(args.tshark) is None:
        ck.check(False, "tshark is installed", args.tshark)
        print("%d passed, %d failed" % (ck.passed, ck.failed))
        return 1
    listed = set()
    cfgdir = tempfile.mkdtemp(prefix="check-corpus-ws-")
    try:
        for s in scenarios:
            sname = s.get("name", "?")
            for key in ("description", "ip_version", "captures", "connections", "expected",
                        "nstat", "dropped", "modified", "tshark_crosscheck"):
                ck.check(key in s, "%s has field %s" % (sname, key))
            for k, c in enumerate(s.get("connections", [])):
                check_connection(ck, sname, k, c)
                if "nstat" in s:
                    check_kernel_counters(ck, s, k, c)
                check_fallback_point(ck, s, k, c)
            for side in ("client", "server"):
                if "expected" in s and "connections" in s and "nstat" in s:
                    d = derive_expected(s, side)
                    ck.check(d == s["expected"].get(side),
                             "%s %s expected counts follow from the ground truth %s" % (
                                 sname, side, d), "manifest says %s" % s["expected"].get(side))
            for side in ("client", "server"):
                fname = s.get("captures", {}).get(side)
                path = os.path.join(data, fname or "")
                listed.add(fname)
                label = "%s %s capture %s" % (sname, side, fname)
                if not ck.check(bool(fname) and os.path.isfile(path), "%s exists" % label):
                    continue
                size = os.path.getsize(path)
                ck.check(size <= MAX_CAPTURE, "%s is at most %d bytes (%d)" % (
                    label, MAX_CAPTURE, size))
                res = tshark_fields(args.tshark, path, cfgdir)
                known = set(s.get("tshark_crosscheck", {}).get(side, {})
                            .get("dissector_bug_warnings", []))
                err, tolerated = [], 0
                for line in res.stderr.splitlines():
                    if "Running as user" in line or not line.strip():
                        continue
                    norm = re.sub(r"^.*?-- ", "", re.sub(r"in packet \d+", "in packet N", line))
                    if "Dissector bug" in line and norm in known:
                        tolerated += 1      # a known Wireshark 4.0 defect, listed in the manifest
                        continue
                    err.append(line)
                if not ck.check(res.returncode == 0 and not err,
                                "%s parses with tshark%s" % (
                                    label, " (%d known dissector-bug warnings)" % tolerated
                                    if tolerated else ""),
                                "\n".join(err)[:300]):
                    continue
                v = parse_view(res.stdout)
                exp = s["expected"][side]
                ck.check(v["packets"] > 0, "%s has packets (%d)" % (label, v["packets"]))
                ck.check(len(v["tcp"]) == exp["tcp_connections"],
                         "%s: tshark TCP connections == %d" % (label, exp["tcp_connections"]),
                         "tshark sees %d tcp.stream" % len(v["tcp"]))
                ck.check(len(v["mptcp"]) == exp["mptcp_connections"],
                         "%s: tshark MPTCP connections == %d" % (label, exp["mptcp_connections"]),
                         "tshark sees %d mptcp.stream" % len(v["mptcp"]))
                missing = []
                for c in s["connections"]:
                    for sf in c["subflows"]:
                        if side in sf["seen_by"] and norm_tuple(sf) not in v["tuples"]:
                            missing.append("%s:%s-%s:%s" % (sf["saddr"], sf["sport"],
                                                            sf["daddr"], sf["dport"]))
                ck.check(not missing, "%s contains every subflow the %s kernel reported" % (
                    label, side), "missing " + ", ".join(missing))
                unl = ["%s:%s-%s:%s" % (u["saddr"], u["sport"], u["daddr"], u["dport"])
                       for c in s["connections"] for u in c.get("kernel_unlisted_subflows", [])
                       if u["side"] == side and norm_tuple(u) not in v["tuples"]]
                ck.check(not unl, "%s contains every subflow whose tcp_info the %s read" % (
                    label, side), "missing " + ", ".join(unl))
                # tokens from `ip mptcp monitor` == tokens derived from the keys on the wire
                # (v1: first 32 bits of SHA-256(key)); joins carry the server's token
                bad = []
                for k, c in enumerate(s["connections"]):
                    if c["kind"] != "mptcp" or c.get("fallback_at") == "handshake":
                        continue
                    for who in ("client", "server"):
                        if c["tokens"][who] not in v["keytok"]:
                            bad.append("connection %d %s token %s not derived from any key" % (
                                k, who, c["tokens"][who]))
                    joins = [sf for sf in c["subflows"]
                             if sf["role"] == "join" and side in sf["seen_by"]]
                    if joins and c["tokens"]["server"] not in v["recvtok"]:
                        bad.append("connection %d: no MP_JOIN carries the server token %s" % (
                            k, c["tokens"]["server"]))
                ck.check(not bad, "%s: monitor tokens match the keys and MP_JOINs on the wire"
                         % label, "; ".join(bad))
                want = set(exp.get("mptcp_subtypes", []))
                ck.check(want <= v["subtypes"],
                         "%s has MPTCP subtypes %s proven by the MIB counters" % (
                             label, sorted(want)),
                         "missing %s" % sorted(want - v["subtypes"]))
    finally:
        shutil.rmtree(cfgdir, ignore_errors=True)
    stray = sorted(f for f in os.listdir(data)
                   if f.endswith((".pcap", ".pcapng")) and f not in listed
                   and not f.startswith("large."))
    ck.check(not stray, "every capture in %s is listed in the manifest" % data, ", ".join(stray))
    total = 0
    for root, dirs, files in os.walk(data):
        for f in files:
            if f.startswith("large."):
                continue
            total += os.path.getsize(os.path.join(root, f))
    ck.check(total <= MAX_TOTAL, "total size of %s is under %d bytes (%d)" % (
        data, MAX_TOTAL, total))
    print("%d passed, %d failed" % (ck.passed, ck.failed))
    return 0 if ck.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
