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
            "bytes_sent": v[16], "bytes_received": v[17], "subflows_total": v[19]}


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

    # modes -----------------------------------------------------------------
    def run(self):
        a = self.args
        try:
            if a.mode == "bulk":
                if self.role == "client":
                    self.send(a.c2s, a.pace)
                    self.grab_info()
                    self.sock.shutdown(socket.SHUT_WR)
                    self.recv_eof()
                else:
                    self.recv_eof()
                    self.send(a.s2c, a.pace)
                    self.grab_info()
                    self.sock.shutdown(socket.SHUT_WR)
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
                    self.sock.shutdown(socket.SHUT_WR)
                    self.recv_eof()
                else:
                    self.recv_eof()
                    self.sock.shutdown(socket.SHUT_WR)
            elif a.mode == "serverclose":
                if self.role == "client":
                    self.send(a.c2s, a.pace)
                    self.recv_eof()
                    self.grab_info()
                    self.sock.shutdown(socket.SHUT_WR)
                else:
                    self.recv_exact(a.c2s)
                    self.send(a.s2c, a.pace)
                    self.grab_info()
                    self.sock.shutdown(socket.SHUT_WR)
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
                "mptcp_info": self.info}


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
