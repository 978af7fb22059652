#!/usr/bin/python3
"""MPTCP / TCP client and server used by the corpus generator.

Run inside a namespace.  Both sides get the same traffic arguments and know the
exact byte streams: each direction carries a deterministic pseudo-random stream
(seeded; c2s and s2c differ), so the receiver verifies every byte it reads
against what the sender wrote and both sides record byte counts and the SHA-256
of what they wrote / read.  Results are written as JSON (one entry per
connection) and are the application ground truth of the manifest.

Modes:
  bulk      client writes --c2s bytes (optionally paced), shuts down its write
            side; server reads to EOF, writes --s2c bytes and closes; client
            reads to EOF and closes (clean DATA_FIN both ways).
  reqresp   --rounds rounds; even rounds the client sends a request and the
            server answers, odd rounds the server sends and the client answers
            (sizes drawn from --seed), then a clean close.
  fastclose client writes --c2s bytes as fast as it can and, with data still in
            flight, closes with SO_LINGER {on, 0}; the server reads slowly.
  serverclose
            client writes --c2s bytes; server reads exactly that many, writes
            --s2c bytes and closes first (DATA_FIN from the server); client
            reads to EOF and closes (the server is the active closer, so a
            client reusing its source port has no TIME_WAIT in the way).

Client options for port reuse: --sport P binds every connection to
(--bind or the wildcard address, P) with SO_REUSEADDR; --sequential runs the
connections one after another (each fully closed), --gap seconds apart.
"""

import argparse
import ctypes
import errno
import fcntl
import hashlib
import json
import random
import socket
import struct
import sys
import threading
import time

IPPROTO_MPTCP = 262
SOL_MPTCP = 284
MPTCP_INFO = 1
MPTCP_TCPINFO = 2           # struct mptcp_subflow_data + tcp_info[] (linux/mptcp.h)
MPTCP_SUBFLOW_ADDRS = 3     # struct mptcp_subflow_data + mptcp_subflow_addrs[]
TCP_INFO = 11
SIOCOUTQ = 0x5411           # TIOCOUTQ: unacked + unsent bytes (MPTCP level on an MPTCP socket)
POLL_INTERVAL = 0.05        # s between two reads of the per-subflow counters

# struct tcp_info as in /usr/include/linux/tcp.h (232 bytes, up to tcpi_snd_wnd);
# the kernel copies min(our size, its size), so newer kernels' extra fields are cut.
TCP_INFO_FIELDS = (
    [("state", "B"), ("ca_state", "B"), ("retransmits", "B"), ("probes", "B"),
     ("backoff", "B"), ("options", "B"), ("wscale", "B"), ("flags8", "B")]
    + [(n, "I") for n in ("rto", "ato", "snd_mss", "rcv_mss", "unacked", "sacked", "lost",
                          "retrans", "fackets", "last_data_sent", "last_ack_sent",
                          "last_data_recv", "last_ack_recv", "pmtu", "rcv_ssthresh", "rtt",
                          "rttvar", "snd_ssthresh", "snd_cwnd", "advmss", "reordering",
                          "rcv_rtt", "rcv_space", "total_retrans")]
    + [("pacing_rate", "Q"), ("max_pacing_rate", "Q"), ("bytes_acked", "Q"),
       ("bytes_received", "Q"), ("segs_out", "I"), ("segs_in", "I"), ("notsent_bytes", "I"),
       ("min_rtt", "I"), ("data_segs_in", "I"), ("data_segs_out", "I"),
       ("delivery_rate", "Q"), ("busy_time", "Q"), ("rwnd_limited", "Q"),
       ("sndbuf_limited", "Q"), ("delivered", "I"), ("delivered_ce", "I"),
       ("bytes_sent", "Q"), ("bytes_retrans", "Q"), ("dsack_dups", "I"), ("reord_seen", "I"),
       ("rcv_ooopack", "I"), ("snd_wnd", "I")])
TCP_INFO_FMT = "@" + "".join(f for _, f in TCP_INFO_FIELDS)
TCP_INFO_LEN = struct.calcsize(TCP_INFO_FMT)
assert TCP_INFO_LEN == 232, TCP_INFO_LEN
# what the manifest keeps of tcp_info: the counters the reconciliation needs
TCP_INFO_KEPT = ("state", "bytes_sent", "bytes_retrans", "bytes_acked", "bytes_received",
                 "segs_out", "segs_in", "data_segs_out", "data_segs_in", "total_retrans",
                 "retrans", "lost", "dsack_dups", "reord_seen", "rcv_ooopack", "snd_mss",
                 "rcv_mss", "unacked", "notsent_bytes")
SUBFLOW_DATA_LEN = 16       # struct mptcp_subflow_data, aligned(8)
SUBFLOW_ADDRS_LEN = 256     # 2 x struct __kernel_sockaddr_storage
MAX_SUBFLOWS = 16
_libc = ctypes.CDLL(None, use_errno=True)


def _getsockopt_in_out(sock, level, name, elem_size):
    """getsockopt with an input header (struct mptcp_subflow_data) that the kernel
    reads before writing: Python's socket.getsockopt passes a zeroed buffer, which
    the kernel refuses (EINVAL), so call libc directly.  Returns the elements."""
    size = SUBFLOW_DATA_LEN + MAX_SUBFLOWS * elem_size
    buf = ctypes.create_string_buffer(size)
    struct.pack_into("=IIII", buf, 0, SUBFLOW_DATA_LEN, 0, 0, elem_size)
    optlen = ctypes.c_uint32(size)
    if _libc.getsockopt(sock.fileno(), level, name, buf, ctypes.byref(optlen)) != 0:
        e = ctypes.get_errno()
        raise OSError(e, errno.errorcode.get(e, str(e)))
    _, num, size_kernel, size_user = struct.unpack_from("=IIII", buf, 0)
    raw = buf.raw
    return [raw[SUBFLOW_DATA_LEN + i * size_user: SUBFLOW_DATA_LEN + (i + 1) * size_user]
            for i in range(min(num, MAX_SUBFLOWS))], num


def _sockaddr(raw):
    fam = struct.unpack_from("=H", raw, 0)[0]
    port = struct.unpack_from("!H", raw, 2)[0]
    if fam == socket.AF_INET:
        return socket.inet_ntop(socket.AF_INET, raw[4:8]), port
    if fam == socket.AF_INET6:
        return socket.inet_ntop(socket.AF_INET6, raw[8:24]), port
    return None, port


def parse_tcp_info(raw):
    raw = raw[:TCP_INFO_LEN].ljust(TCP_INFO_LEN, b"\0")
    v = dict(zip((n for n, _ in TCP_INFO_FIELDS), struct.unpack(TCP_INFO_FMT, raw)))
    return {k: v[k] for k in TCP_INFO_KEPT}


def subflow_counters(sock):
    """Per-subflow tcp_info of an MPTCP socket, keyed by (local addr, local port,
    remote addr, remote port).  Only subflows still attached to the socket are
    listed.  The address list is read before and after the tcp_info list (two
    getsockopt calls) and the read is retried when a subflow came or went in
    between, so entry i of both lists is the same subflow."""
    for _ in range(5):
        addrs1, _n = _getsockopt_in_out(sock, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, SUBFLOW_ADDRS_LEN)
        infos, _n = _getsockopt_in_out(sock, SOL_MPTCP, MPTCP_TCPINFO, TCP_INFO_LEN)
        addrs2, _n = _getsockopt_in_out(sock, SOL_MPTCP, MPTCP_SUBFLOW_ADDRS, SUBFLOW_ADDRS_LEN)
        if addrs1 == addrs2 and len(addrs1) == len(infos):
            break
    else:
        raise OSError(errno.EAGAIN, "subflow list kept changing")
    out = {}
    for a, ti in zip(addrs1, infos):
        la, lp = _sockaddr(a[:128])
        ra, rp = _sockaddr(a[128:256])
        out[(norm(la), lp, norm(ra), rp)] = parse_tcp_info(ti)
    return out


def tcp_counters(sock):
    """tcp_info of a plain TCP socket (or of an MPTCP socket that fell back: the
    kernel hands SOL_TCP options of a fallback socket to its TCP subflow)."""
    raw = sock.getsockopt(socket.IPPROTO_TCP, TCP_INFO, TCP_INFO_LEN)
    la, lp = sock.getsockname()[:2]
    ra, rp = sock.getpeername()[:2]
    return {(norm(la), lp, norm(ra), rp): parse_tcp_info(raw)}


def norm(addr):
    return addr[7:] if addr and addr.startswith("::ffff:") else addr
BLOCK_LEN = 262139          # prime, so the pattern does not align with MSS


def block_for(seed, direction):
    return random.Random("%s:%s" % (seed, direction)).randbytes(BLOCK_LEN)


class Stream:
    """Deterministic byte stream of one direction, for sending or verifying."""

    def __init__(self, seed, direction):
        self.block = block_for(seed, direction)
        self.double = self.block * 2
        self.offset = 0
        self.sha = hashlib.sha256()
        self.mismatched = 0
        self.first_mismatch = None

    def expected(self, n):
        out = []
        off = self.offset
        while n > 0:
            o = off % BLOCK_LEN
            k = min(n, BLOCK_LEN)
            out.append(self.double[o:o + k])
            off += k
            n -= k
        return b"".join(out)

    def produce(self, n):
        data = self.expected(n)
        self.offset += n
        self.sha.update(data)
        return data

    def consume(self, data):
        exp = self.expected(len(data))
        if exp != data:
            bad = [i for i in range(len(data)) if data[i] != exp[i]]
            self.mismatched += len(bad)
            if self.first_mismatch is None:
                self.first_mismatch = self.offset + bad[0]
        self.offset += len(data)
        self.sha.update(data)


def mptcp_info(sock):
    try:
        raw = sock.getsockopt(SOL_MPTCP, MPTCP_INFO, 256)
    except OSError as e:
        # EOPNOTSUPP: the MPTCP socket fell back to plain TCP
        return {"error": e.strerror, "fallback": e.errno == 95}
    fmt = "@6BIIQQQ3BIQQQQB"
    if len(raw) < struct.calcsize(fmt):
        return {"error": "short mptcp_info (%d bytes)" % len(raw)}
    v = struct.unpack_from(fmt, raw)
    return {"subflows": v[0], "add_addr_signal": v[1], "add_addr_accepted": v[2],
            "flags": v[6], "fallback": bool(v[6] & 1), "token": "%08x" % v[7],
            "csum_enabled": v[13], "retransmits": v[14], "bytes_retrans": v[15],
            "bytes_sent": v[16], "bytes_received": v[17], "bytes_acked": v[18],
            "subflows_total": v[19], "read_at": round(time.time(), 6)}


class Conn:
    def __init__(self, args, sock, index, role):
        self.args, self.sock, self.index, self.role = args, sock, index, role
        me, peer = ("c2s", "s2c") if role == "client" else ("s2c", "c2s")
        self.out = Stream(args.seed, me)
        self.inp = Stream(args.seed, peer)
        self.sent = 0
        self.received = 0
        self.error = None
        self.info = None
        self.eof = False
        # kernel counters per subflow: 4-tuple -> last tcp_info read, with when and how
        self.kernel_subflows = {}
        self.kernel_read = {"method": None, "polls": 0, "errors": [],
                            "outq_before_shutdown": None, "outq_before_close": None,
                            "drain_wait_s": None, "poll_interval_s": POLL_INTERVAL}
        self.klock = threading.Lock()
        self.polling = threading.Event()
        self.poller = None

    # helpers ---------------------------------------------------------------
    def send(self, n, pace=0):
        chunk = 16384
        t0 = time.monotonic()
        done = 0
        while done < n:
            k = min(chunk, n - done)
            data = self.out.produce(k)
            self.sock.sendall(data)
            done += k
            self.sent += k
            if pace:
                ahead = done / pace - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)

    def recv_exact(self, n):
        while n > 0:
            data = self.sock.recv(min(n, 65536))
            if not data:
                raise ConnectionError("EOF after %d bytes" % self.received)
            self.inp.consume(data)
            self.received += len(data)
            n -= len(data)

    def recv_eof(self, slow=0.0):
        while True:
            data = self.sock.recv(65536 if not slow else 4096)
            if not data:
                self.eof = True
                return
            self.inp.consume(data)
            self.received += len(data)
            if slow:
                time.sleep(slow)

    def grab_info(self):
        if self.args.proto == "mptcp" and self.info is None:
            self.info = mptcp_info(self.sock)

    # kernel counters ---------------------------------------------------------
    def read_counters(self, when):
        """One read of every subflow's tcp_info; `when` is "poll" or "before_close"."""
        try:
            if self.args.proto == "mptcp":
                try:
                    found = subflow_counters(self.sock)
                    method = "mptcp_tcpinfo"
                except OSError as e:
                    if e.errno not in (errno.EOPNOTSUPP, errno.ENOPROTOOPT, errno.EINVAL):
                        raise
                    # fallen back to TCP: the socket answers SOL_TCP options itself
                    found = tcp_counters(self.sock)
                    method = "tcp_info_fallback"
            else:
                found = tcp_counters(self.sock)
                method = "tcp_info"
        except OSError as e:
            with self.klock:
                msg = "%s: %s" % (when, e)
                if msg not in self.kernel_read["errors"]:
                    self.kernel_read["errors"].append(msg)
            return
        now = round(time.time(), 6)
        with self.klock:
            self.kernel_read["method"] = method
            if when == "poll":
                self.kernel_read["polls"] += 1
            for key, ti in found.items():
                if not key[1] or not key[3]:
                    # a subflow the kernel already disconnected (ports and counters
                    # zeroed, e.g. the first subflow of a closed connection)
                    self.kernel_read["disconnected_entries_skipped"] = \
                        self.kernel_read.get("disconnected_entries_skipped", 0) + 1
                    continue
                prev = self.kernel_subflows.get(key)
                if prev and (ti["segs_out"] < prev["tcp_info"]["segs_out"]
                             or ti["segs_in"] < prev["tcp_info"]["segs_in"]):
                    continue        # counters went back: keep the last complete value
                self.kernel_subflows[key] = {
                    "tcp_info": ti, "read_at": now, "read": when,
                    "first_read_at": prev["first_read_at"] if prev else now}

    def start_polling(self):
        """Poll the per-subflow counters during the transfer, so that a subflow
        closed before the end keeps its last values (the kernel lists only the
        subflows still attached to the socket)."""
        def loop():
            while not self.polling.wait(POLL_INTERVAL):
                self.read_counters("poll")
        self.read_counters("poll")
        self.poller = threading.Thread(target=loop, daemon=True)
        self.poller.start()

    def subflows_idle(self):
        """True when no subflow still holds unacked or unsent bytes at the TCP level
        (a subflow keeps retransmitting data that another subflow already got
        acknowledged at the MPTCP level)."""
        try:
            found = (subflow_counters(self.sock) if self.args.proto == "mptcp"
                     else tcp_counters(self.sock))
        except OSError:
            return True
        return all(ti["unacked"] == 0 and ti["notsent_bytes"] == 0 for ti in found.values())

    def drain(self, limit):
        """Wait (at most `limit` s) until the socket has no unacked or unsent byte
        (SIOCOUTQ, MPTCP level on an MPTCP socket) and no subflow has any left at
        the TCP level, so that every retransmission of the data is already
        counted; returns the last SIOCOUTQ value."""
        t0 = time.monotonic()
        outq = None
        while True:
            try:
                outq = struct.unpack("i", fcntl.ioctl(self.sock.fileno(), SIOCOUTQ,
                                                      b"\0" * 4))[0]
            except OSError:
                return None
            if time.monotonic() - t0 > limit:
                break
            if outq == 0 and self.subflows_idle():
                break
            time.sleep(0.01)
        self.kernel_read["drain_wait_s"] = round(
            (self.kernel_read["drain_wait_s"] or 0) + time.monotonic() - t0, 3)
        return outq

    def shutdown_write(self):
        """Read the counters once all our data is acked and before our DATA_FIN:
        once the connection is closed both ways the kernel closes the subflows
        and stops listing them, so this is the last read that sees them on the
        side that finishes last."""
        self.kernel_read["outq_before_shutdown"] = self.drain(3.0)
        self.read_counters("before_shutdown")
        self.sock.shutdown(socket.SHUT_WR)

    def final_counters(self, drain=True):
        """Stop polling, read the counters one last time before close() (the last
        value seen per 4-tuple is kept), and MPTCP_INFO again."""
        self.polling.set()
        if self.poller is not None:
            self.poller.join(2)
        self.kernel_read["outq_before_close"] = self.drain(0.5 if drain else 0)
        self.read_counters("before_close")
        if self.args.proto == "mptcp":
            info = mptcp_info(self.sock)
            if self.info is None or "error" not in info:
                self.info = info

    # modes -----------------------------------------------------------------
    def run(self):
        a = self.args
        self.start_polling()
        try:
            if a.mode == "bulk":
                if self.role == "client":
                    self.send(a.c2s, a.pace)
                    self.grab_info()
                    self.shutdown_write()
                    self.recv_eof()
                else:
                    self.recv_eof()
                    self.send(a.s2c, a.pace)
                    self.grab_info()
                    self.shutdown_write()
            elif a.mode == "reqresp":
                rng = random.Random("%s:sizes" % a.seed)
                for r in range(a.rounds):
                    req, resp = rng.randint(200, a.c2s), rng.randint(1000, a.s2c)
                    first = "client" if r % 2 == 0 else "server"
                    if self.role == first:
                        self.send(req)
                        self.recv_exact(resp)
                    else:
                        self.recv_exact(req)
                        self.send(resp)
                    time.sleep(a.think)
                self.grab_info()
                if self.role == "client":
                    self.shutdown_write()
                    self.recv_eof()
                else:
                    self.recv_eof()
                    self.shutdown_write()
            elif a.mode == "serverclose":
                if self.role == "client":
                    self.send(a.c2s, a.pace)
                    self.recv_eof()
                    self.grab_info()
                    self.shutdown_write()
                else:
                    self.recv_exact(a.c2s)
                    self.send(a.s2c, a.pace)
                    self.grab_info()
                    self.shutdown_write()
                    self.recv_eof()
            elif a.mode == "fastclose":
                if self.role == "client":
                    self.send(a.c2s)
                    self.grab_info()
                    self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                         struct.pack("ii", 1, 0))
                else:
                    self.recv_eof(slow=0.002)
        except (OSError, ConnectionError) as e:
            self.error = "%s: %s" % (type(e).__name__, e)
        finally:
            self.grab_info()
            # fastclose: the close must abort with data in flight, so no drain wait
            self.final_counters(drain=a.mode != "fastclose")
            try:
                self.sock.close()
            except OSError:
                pass

    def result(self, local, peer, t0):
        return {"index": self.index, "proto": self.args.proto if self.index >= 0 else "tcp",
                "local": list(local[:2]), "peer": list(peer[:2]),
                "sent_bytes": self.sent, "sent_sha256": self.out.sha.hexdigest(),
                "recv_bytes": self.received, "recv_sha256": self.inp.sha.hexdigest(),
                "recv_mismatched_bytes": self.inp.mismatched,
                "recv_first_mismatch": self.inp.first_mismatch,
                "recv_eof": self.eof, "error": self.error,
                "t_start": round(t0, 6), "t_end": round(time.time(), 6),
                "mptcp_info": self.info,
                "kernel_read": dict(self.kernel_read),
                "kernel_subflows": [dict(v, local=[k[0], k[1]], remote=[k[2], k[3]])
                                    for k, v in sorted(self.kernel_subflows.items())]}


def family(args):
    return socket.AF_INET6 if args.family == 6 else socket.AF_INET


def run_server(args):
    proto = IPPROTO_MPTCP if args.proto == "mptcp" else socket.IPPROTO_TCP
    ls = socket.socket(family(args), socket.SOCK_STREAM, proto)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((args.bind or ("::" if args.family == 6 else "0.0.0.0"), args.port))
    ls.listen(64)
    with open(args.ready, "w") as f:
        f.write("ready\n")
    deadline = time.time() + args.timeout
    results, threads = [], []
    lock = threading.Lock()

    running = {}

    def handle(sock, peer, k):
        t0 = time.time()
        sock.settimeout(max(1.0, deadline - time.time()))
        local = sock.getsockname()
        c = Conn(args, sock, k, "server")
        running[k] = (c, local, peer, t0)
        c.run()
        with lock:
            results.append(c.result(local, peer, t0))
            del running[k]

    for k in range(args.conns):
        ls.settimeout(max(0.1, deadline - time.time()))
        try:
            sock, peer = ls.accept()
        except OSError as e:
            print("accept: %s" % e, file=sys.stderr)
            break
        t = threading.Thread(target=handle, args=(sock, peer, k), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join(max(0.1, deadline - time.time()))
    ls.close()
    with lock:
        for k, (c, local, peer, t0) in list(running.items()):
            c.grab_info()
            r = c.result(local, peer, t0)
            r["error"] = "timeout: still running after %.0f s" % args.timeout
            results.append(r)
    with open(args.result, "w") as f:
        json.dump({"role": "server", "connections": sorted(results, key=lambda r: r["t_start"])},
                  f, indent=1)


def run_client(args):
    deadline = time.time() + args.timeout
    results, threads = [], []
    lock = threading.Lock()
    running = {}

    def one(k, plain):
        proto = socket.IPPROTO_TCP if plain or args.proto == "tcp" else IPPROTO_MPTCP
        t0 = time.time()
        sock = socket.socket(family(args), socket.SOCK_STREAM, proto)
        sock.settimeout(max(1.0, deadline - time.time()))
        if args.sport:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((args.bind or ("::" if args.family == 6 else "0.0.0.0"), args.sport))
        elif args.bind:
            sock.bind((args.bind, 0))
        c = Conn(args, sock, -1 if plain else k, "client")
        if plain:
            c.args = argparse.Namespace(**dict(vars(args), proto="tcp"))
        local = peer = ("", 0)
        try:
            sock.connect((args.connect, args.port))
            local, peer = sock.getsockname(), sock.getpeername()
        except OSError as e:
            c.error = "connect: %s" % e
            sock.close()
        else:
            running[k] = (c, local, peer, t0, plain)
            c.run()
        r = c.result(local, peer, t0)
        r["index"] = k
        r["proto"] = "tcp" if plain or args.proto == "tcp" else "mptcp"
        with lock:
            results.append(r)
            running.pop(k, None)

    for k in range(args.conns + args.tcp_conns):
        t = threading.Thread(target=one, args=(k, k >= args.conns), daemon=True)
        t.start()
        threads.append(t)
        if args.sequential:
            t.join(max(0.1, deadline - time.time()))
            time.sleep(args.gap)
        else:
            time.sleep(args.stagger)
    for t in threads:
        t.join(max(0.1, deadline - time.time()))
    with lock:
        for k, (c, local, peer, t0, plain) in list(running.items()):
            c.grab_info()
            r = c.result(local, peer, t0)
            r["index"] = k
            r["proto"] = "tcp" if plain or args.proto == "tcp" else "mptcp"
            r["error"] = "timeout: still running after %.0f s" % args.timeout
            results.append(r)
    with open(args.result, "w") as f:
        json.dump({"role": "client", "connections": sorted(results, key=lambda r: r["index"])},
                  f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("role", choices=["client", "server"])
    ap.add_argument("--family", type=int, default=4, choices=[4, 6])
    ap.add_argument("--proto", default="mptcp", choices=["mptcp", "tcp"])
    ap.add_argument("--bind", default="")
    ap.add_argument("--connect", default="")
    ap.add_argument("--port", type=int, default=5201)
    ap.add_argument("--conns", type=int, default=1)
    ap.add_argument("--tcp-conns", type=int, default=0, help="extra plain TCP connections")
    ap.add_argument("--stagger", type=float, default=0.2)
    ap.add_argument("--sport", type=int, default=0,
                    help="client: fixed source port (SO_REUSEADDR), 0 = ephemeral")
    ap.add_argument("--sequential", action="store_true",
                    help="client: one connection after another, each fully closed")
    ap.add_argument("--gap", type=float, default=1.0,
                    help="client: pause between sequential connections (s)")
    ap.add_argument("--mode", default="bulk",
                    choices=["bulk", "reqresp", "fastclose", "serverclose"])
    ap.add_argument("--c2s", type=int, default=100000)
    ap.add_argument("--s2c", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--think", type=float, default=0.05)
    ap.add_argument("--pace", type=float, default=0, help="bytes/s, 0 = as fast as possible")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--ready", default="/dev/null")
    ap.add_argument("--result", required=True)
    args = ap.parse_args()
    (run_server if args.role == "server" else run_client)(args)


if __name__ == "__main__":
    main()
