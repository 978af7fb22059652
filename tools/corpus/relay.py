#!/usr/bin/python3
"""User-space impairment relay (the kernel here has no netem).

Runs inside the router namespace and bridges Ethernet frames between two
interfaces that carry no IP address (AF_PACKET raw sockets, promiscuous).  Per
direction it can delay (heap scheduler), rate-limit with a drop-tail queue,
drop TCP segments at random (seeded random.Random, SYNs optionally spared),
black-hole everything while switched on (SIGUSR1 on, SIGUSR2 off), strip the
MPTCP option (kind 30 overwritten with NOPs, TCP checksum fixed) from every
segment (strip_mptcp true) or only from segments carrying data ("data"), and corrupt
one payload byte of the n-th data segment (TCP checksum fixed, so only the
MPTCP DSS checksum can notice).  Stripping can be limited to pure ACKs
("ack"), switched on/off during the run (SIGRTMIN on, SIGRTMIN+1 off), or start
in one direction once an MP_FAIL was seen in the other (strip_after_mp_fail).
Segments carrying an MP_FAIL or an infinite mapping are logged (mptcp_seen).

Every dropped or modified frame is recorded (time, direction, reason, TCP
4-tuple, seq, payload length, flags) and written as JSON to the log file on
SIGTERM/SIGINT.

usage: relay.py CONFIG.json     (see generate.py for the keys)
"""

import heapq
import json
import random
import selectors
import signal
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_IGNORE_OUTGOING = 23


def csum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def parse(frame):
    """Return dict with TCP details or None.  Offsets refer to the frame."""
    if len(frame) < 14:
        return None
    et = struct.unpack_from("!H", frame, 12)[0]
    if et == 0x0800:
        ihl = (frame[14] & 0x0F) * 4
        if frame[23] != 6:
            return None
        tot = struct.unpack_from("!H", frame, 16)[0]
        src = socket.inet_ntop(socket.AF_INET, frame[26:30])
        dst = socket.inet_ntop(socket.AF_INET, frame[30:34])
        l4 = 14 + ihl
        end = 14 + tot
        pseudo = frame[26:34] + struct.pack("!BBH", 0, 6, end - l4)
    elif et == 0x86DD:
        if frame[20] != 6:
            return None
        plen = struct.unpack_from("!H", frame, 18)[0]
        src = socket.inet_ntop(socket.AF_INET6, frame[22:38])
        dst = socket.inet_ntop(socket.AF_INET6, frame[38:54])
        l4 = 54
        end = 54 + plen
        pseudo = frame[22:54] + struct.pack("!IxxxB", plen, 6)
    else:
        return None
    sport, dport, seq, ack, off_flags = struct.unpack_from("!HHIIH", frame, l4)
    doff = (off_flags >> 12) * 4
    flags = off_flags & 0x1FF
    return {"src": src, "dst": dst, "sport": sport, "dport": dport, "seq": seq,
            "ack": ack, "flags": flags, "l4": l4, "doff": doff, "end": end,
            "len": end - l4 - doff, "pseudo": pseudo}


def fix_tcp_csum(buf, p):
    struct.pack_into("!H", buf, p["l4"] + 16, 0)
    c = csum16(bytes(p["pseudo"]) + bytes(buf[p["l4"]:p["end"]]))
    struct.pack_into("!H", buf, p["l4"] + 16, c)


def tcp_options(buf, p):
    """(kind, offset, length) of every TCP option of the segment but NOP, up to EOL or the first
    malformed length."""
    i, end = p["l4"] + 20, p["l4"] + p["doff"]
    while i < end:
        kind = buf[i]
        if kind == 0:
            break
        if kind == 1:
            i += 1
            continue
        if i + 1 >= end:
            break
        ln = buf[i + 1]
        if ln < 2:
            break
        yield kind, i, ln
        i += ln


def strip_mptcp(buf, p):
    """Overwrite every MPTCP option (kind 30) with NOPs; return number stripped."""
    n = 0
    for kind, i, ln in list(tcp_options(buf, p)):
        if kind == 30:
            for k in range(i, min(i + ln, p["l4"] + p["doff"])):
                buf[k] = 1
            n += 1
    return n


def mptcp_options(buf, p):
    """(subtype, offset) of every MPTCP option (kind 30) of the segment."""
    return [(buf[i + 2] >> 4, i, ln) for kind, i, ln in tcp_options(buf, p) if kind == 30 and ln >= 3]


def dss_infinite_mapping(buf, off, ln):
    """True when the DSS option at `off` carries a mapping with data-level length 0
    (RFC 8684 3.7: the infinite mapping of a fallback)."""
    if ln < 4:
        return False
    flags = buf[off + 3]
    if not flags & 0x04:            # M: no mapping
        return False
    pos = off + 4
    if flags & 0x01:                # A: data ACK, 8 bytes with a
        pos += 8 if flags & 0x02 else 4
    pos += 8 if flags & 0x08 else 4     # DSN, 8 bytes with m
    pos += 4                        # subflow sequence number
    if pos + 2 > off + ln:
        return False
    return struct.unpack_from("!H", buf, pos)[0] == 0


class Direction:
    def __init__(self, name, cfg, rng):
        self.name = name
        self.delay = cfg.get("delay_ms", 0) / 1000.0
        self.loss = cfg.get("loss", 0.0)
        self.spare_syn = cfg.get("spare_syn", True)
        self.rate = cfg.get("rate_bps", 0)
        self.queue = cfg.get("queue_bytes", 200000)
        self.strip = cfg.get("strip_mptcp", False)
        # "data" strips only segments with payload, "ack" only segments without
        # payload and without SYN; strip_switched: stripping starts off and is
        # switched on/off with SIGRTMIN / SIGRTMIN+1; strip_after_mp_fail: strips
        # (like strip_mptcp) every segment of this direction sent after an MP_FAIL
        # was seen in the other direction
        self.strip_on = not cfg.get("strip_switched", False)
        self.strip_after_mp_fail = cfg.get("strip_after_mp_fail", False)
        # DSCP to write into the IPv4 header of the segment carrying an MP_FAIL, so
        # that a host firewall (nft) behind the relay can react to it (0: none)
        self.mark_mp_fail_dscp = cfg.get("mark_mp_fail_dscp", 0)
        self.corrupt_nth = cfg.get("corrupt_nth_data", 0)
        self.corrupt_offset = cfg.get("corrupt_offset", 100)
        self.link_free = 0.0
        self.data_segments = 0
        self.rng = rng
        self.forwarded = 0


class Relay:
    def __init__(self, cfg):
        self.cfg = cfg
        self.rng = random.Random(cfg.get("seed", 1))
        self.log = {"dropped": [], "modified": [], "blackhole": [], "forwarded": {},
                    "strip_switch": [], "mptcp_seen": []}
        self.blackhole = False
        self.mp_fail_seen = {}          # direction name -> time an MP_FAIL was first seen
        self.seen_counts = {}
        self.running = True
        self.socks = {}
        for ifn in (cfg["a"], cfg["b"]):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8 << 20)
            s.bind((ifn, 0))
            s.setblocking(False)
            self.socks[ifn] = s
        # direction named by where the frame comes from: a = client side
        self.dirs = {cfg["a"]: (Direction("c2s", cfg.get("c2s", {}), self.rng), cfg["b"]),
                     cfg["b"]: (Direction("s2c", cfg.get("s2c", {}), self.rng), cfg["a"])}
        self.heap = []
        self.seq = 0

    def record(self, kind, d, p, reason, extra=None):
        e = {"time": round(time.time(), 6), "dir": d.name, "reason": reason}
        if p:
            e.update({"saddr": p["src"], "sport": p["sport"], "daddr": p["dst"],
                      "dport": p["dport"], "seq": p["seq"], "ack": p["ack"], "len": p["len"],
                      "flags": p["flags"]})
        if extra:
            e.update(extra)
        self.log[kind].append(e)

    def on_frame(self, ifn, frame):
        d, out = self.dirs[ifn]
        now = time.monotonic()
        p = parse(frame)
        if p is not None:
            syn = bool(p["flags"] & 0x02)
            if self.blackhole:
                self.record("dropped", d, p, "blackhole")
                return
            if d.loss and not (syn and d.spare_syn) and d.rng.random() < d.loss:
                self.record("dropped", d, p, "random_loss")
                return
            buf = None
            found = self.watch(d, frame, p)
            other = "s2c" if d.name == "c2s" else "c2s"
            if d.mark_mp_fail_dscp and "mp_fail" in found and frame[12:14] == b"\x08\x00":
                buf = bytearray(frame)
                buf[15] = (d.mark_mp_fail_dscp << 2) | (buf[15] & 0x03)
                ihl = (buf[14] & 0x0F) * 4
                struct.pack_into("!H", buf, 24, 0)
                struct.pack_into("!H", buf, 24, csum16(bytes(buf[14:14 + ihl])))
                self.record("modified", d, p, "mp_fail_dscp_marked",
                            {"dscp": d.mark_mp_fail_dscp})
                frame = bytes(buf)
                buf = None
            strip = d.strip if d.strip_on else False
            if d.strip_after_mp_fail and other in self.mp_fail_seen:
                strip = d.strip_after_mp_fail
            if strip and (strip is True or (strip == "data" and p["len"] > 0)
                          or (strip == "ack" and p["len"] == 0 and not syn)):
                buf = bytearray(frame)
                n = strip_mptcp(buf, p)
                if n:
                    fix_tcp_csum(buf, p)
                    self.record("modified", d, p, "mptcp_option_stripped", {"options": n})
                else:
                    buf = None
            if d.corrupt_nth and p["len"] > 0:
                d.data_segments += 1
                if d.data_segments == d.corrupt_nth:
                    buf = bytearray(frame) if buf is None else buf
                    off = p["l4"] + p["doff"] + min(d.corrupt_offset, p["len"] - 1)
                    old = buf[off]
                    buf[off] ^= 0xFF
                    fix_tcp_csum(buf, p)
                    self.record("modified", d, p, "payload_byte_corrupted",
                                {"payload_offset": off - p["l4"] - p["doff"],
                                 "old": old, "new": buf[off]})
            if buf is not None:
                frame = bytes(buf)
        due = now + d.delay
        if d.rate:
            backlog = max(0.0, d.link_free - now) * d.rate / 8.0
            if backlog > d.queue:
                if p is not None:
                    self.record("dropped", d, p, "queue_overflow")
                return
            due = max(due, d.link_free)
            d.link_free = due + len(frame) * 8.0 / d.rate
        d.forwarded += 1
        if due <= now:
            self.send(out, frame)
        else:
            self.seq += 1
            heapq.heappush(self.heap, (due, self.seq, out, frame))

    def watch(self, d, frame, p):
        """Record (at most 20 of each per direction) the segments that carry an
        MP_FAIL or an infinite mapping, and the data segments without any MPTCP
        option sent after an MP_FAIL went the other way, as they arrive at the
        relay; returns the reasons found in this segment."""
        found = []
        other = "s2c" if d.name == "c2s" else "c2s"
        opts = mptcp_options(frame, p) if p["doff"] > 20 else []
        if not opts and p["len"] > 0 and other in self.mp_fail_seen:
            # data without any MPTCP option after an MP_FAIL went the other way
            k = (d.name, "data_without_mptcp_option")
            self.seen_counts[k] = self.seen_counts.get(k, 0) + 1
            if self.seen_counts[k] <= 20:
                self.record("mptcp_seen", d, p, "data_without_mptcp_option")
        for subtype, off, ln in opts:
            reason = None
            if subtype == 6:
                reason = "mp_fail"
                self.mp_fail_seen.setdefault(d.name, time.time())
            elif subtype == 2 and dss_infinite_mapping(frame, off, ln):
                reason = "infinite_mapping"
            if reason:
                found.append(reason)
                k = (d.name, reason)
                self.seen_counts[k] = self.seen_counts.get(k, 0) + 1
                if self.seen_counts[k] <= 20:
                    self.record("mptcp_seen", d, p, reason)
        return found

    def send(self, out, frame):
        try:
            self.socks[out].send(frame)
        except (BlockingIOError, OSError):
            pass

    def run(self):
        sel = selectors.DefaultSelector()
        for ifn, s in self.socks.items():
            sel.register(s, selectors.EVENT_READ, ifn)
        while self.running:
            now = time.monotonic()
            while self.heap and self.heap[0][0] <= now:
                _, _, out, frame = heapq.heappop(self.heap)
                self.send(out, frame)
            timeout = max(0.0, self.heap[0][0] - now) if self.heap else 0.2
            for key, _ in sel.select(timeout):
                s = key.fileobj
                for _ in range(64):
                    try:
                        frame = s.recv(65536)
                    except BlockingIOError:
                        break
                    self.on_frame(key.data, frame)

    def dump(self):
        for ifn, (d, _) in self.dirs.items():
            self.log["forwarded"][d.name] = d.forwarded
        with open(self.cfg["log"], "w") as f:
            json.dump(self.log, f, indent=1)


def main():
    with open(sys.argv[1]) as f:
        cfg = json.load(f)
    relay = Relay(cfg)

    def on_term(signum, frame):
        relay.running = False

    def on_bh(signum, frame):
        relay.blackhole = signum == signal.SIGUSR1
        relay.log["blackhole"].append({"time": round(time.time(), 6), "on": relay.blackhole})
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    def on_strip(signum, frame):
        on = signum == signal.SIGRTMIN
        for d, _ in relay.dirs.values():
            d.strip_on = on
        relay.log["strip_switch"].append({"time": round(time.time(), 6), "on": on})
    signal.signal(signal.SIGUSR1, on_bh)
    signal.signal(signal.SIGUSR2, on_bh)
    signal.signal(signal.SIGRTMIN, on_strip)
    signal.signal(signal.SIGRTMIN + 1, on_strip)
    with open(cfg["log"] + ".ready", "w") as f:
        f.write("ok\n")
    try:
        relay.run()
    finally:
        relay.dump()


if __name__ == "__main__":
    main()
