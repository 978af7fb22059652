"""Network-namespace lab for the mptcpanalyzer capture corpus.

Builds a client, a router and a server namespace joined by veth pairs, optionally
puts an impairment relay (relay.py) on a client-side link, and guarantees that
every namespace and every process it started is removed / ended afterwards
(try/finally + atexit + SIGINT/SIGTERM handlers), ending processes by PID only.

Topology (path i = 1..n on the client side, j = 1..m on the server side):

    client ns                 router ns                          server ns
    c<i> 10.99.<i>.1  ----  r<i> 10.99.<i>.254
                            (or, impaired:  c<i> -- x<i> ~relay~ y<i> -- r<i>)
                            r1<j> 10.99.1<j>.254  ----  s<j> 10.99.1<j>.1

IPv6 uses fd00:99:<i>::1 / fd00:99:<i>::fe and fd00:99:1<j>::1 / fd00:99:1<j>::fe.
Only addresses inside these namespaces are used.  Offloads (tso/gso/gro and tx
checksum) are disabled so segments are MSS-sized with real checksums, and static
neighbour entries keep ARP/NDP out of the captures.
"""

import atexit
import os
import re
import signal
import subprocess
import sys
import threading
import time

PREFIX = "mpa-"
HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = "/usr/bin/python3"


def sh(cmd, check=True, capture=True, timeout=60):
    """Run a command (list) in the root namespace and return stdout."""
    res = subprocess.run(cmd, stdout=subprocess.PIPE if capture else None,
                         stderr=subprocess.PIPE if capture else None,
                         text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise RuntimeError("command failed (%d): %s\n%s" % (res.returncode, " ".join(cmd),
                                                            (res.stderr or "").strip()))
    return res.stdout if capture else ""


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def cleanup_leftovers():
    """Delete namespaces of our prefix whose creating generator process is gone."""
    out = sh(["ip", "netns", "list"], check=False)
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.match(r"^%s(\d+)-" % re.escape(PREFIX), name)
        if m and not _pid_alive(int(m.group(1))):
            # end processes still living in that namespace, by PID
            pids = sh(["ip", "netns", "pids", name], check=False).split()
            for p in pids:
                try:
                    os.kill(int(p), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh(["ip", "netns", "del", name], check=False)


class Proc:
    """A process we started, tracked by PID."""

    def __init__(self, name, popen):
        self.name = name
        self.popen = popen
        self.pid = popen.pid


class Lab:
    """Namespaces + processes owned by one generator run."""

    _active = []
    _handlers_installed = False

    def __init__(self, tag="lab"):
        self.tag = tag
        self.base = "%s%d-%s" % (PREFIX, os.getpid(), tag)
        self.ns = {}            # role -> namespace name
        self.procs = []         # Proc
        self.closed = False
        self.info = {}          # addresses, macs...
        Lab._active.append(self)
        Lab._install_handlers()

    # ------------------------------------------------------------------ safety
    @classmethod
    def _install_handlers(cls):
        if cls._handlers_installed:
            return
        cls._handlers_installed = True
        atexit.register(cls._cleanup_all)

        def handler(signum, frame):
            cls._cleanup_all()
            sys.exit(128 + signum)
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, handler)

    @classmethod
    def _cleanup_all(cls):
        for lab in list(cls._active):
            lab.cleanup()

    def cleanup(self):
        if self.closed:
            return
        self.closed = True
        for p in reversed(self.procs):
            self.stop(p, sig=signal.SIGTERM, wait=3)
        for name in list(self.ns.values()):
            # anything still running inside (should be nothing): end by PID
            for pid in sh(["ip", "netns", "pids", name], check=False).split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh(["ip", "netns", "del", name], check=False)
        self.ns.clear()
        if self in Lab._active:
            Lab._active.remove(self)

    # --------------------------------------------------------------- processes
    def spawn(self, name, role, argv, stdout=None, stderr=None, stdin=subprocess.DEVNULL,
              text=True):
        cmd = ["ip", "netns", "exec", self.ns[role]] + list(argv)
        po = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, stdin=stdin, text=text,
                              start_new_session=True)
        p = Proc(name, po)
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, wait=5):
        if p.popen.poll() is None:
            try:
                os.kill(p.pid, sig)
            except ProcessLookupError:
                pass
            try:
                p.popen.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.popen.wait(timeout=5)
        if p in self.procs:
            self.procs.remove(p)
        return p.popen.returncode

    def wait(self, p, timeout):
        try:
            return p.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def run(self, role, argv, check=True, timeout=60):
        return sh(["ip", "netns", "exec", self.ns[role]] + list(argv), check=check,
                  timeout=timeout)

    # ---------------------------------------------------------------- topology
    def add_ns(self, role):
        name = "%s-%s" % (self.base, role)
        sh(["ip", "netns", "add", name])
        self.ns[role] = name
        self.run(role, ["ip", "link", "set", "lo", "up"])
        return name

    def _veth(self, a_role, a_if, b_role, b_if):
        sh(["ip", "link", "add", a_if, "netns", self.ns[a_role], "type", "veth", "peer",
            "name", b_if, "netns", self.ns[b_role]])
        for role, ifn in ((a_role, a_if), (b_role, b_if)):
            self.run(role, ["sysctl", "-qw", "net.ipv6.conf.%s.accept_dad=0" % ifn], check=False)
            self.run(role, ["ethtool", "-K", ifn, "tso", "off", "gso", "off", "gro", "off",
                            "tx", "off", "rx", "off"], check=False)
            self.run(role, ["ip", "link", "set", ifn, "up"])

    def mac(self, role, ifn):
        out = self.run(role, ["cat", "/sys/class/net/%s/address" % ifn])
        return out.strip()

    def build(self, client_paths=2, server_paths=1, impaired=(), sysctls=None):
        """Create the three namespaces.  `impaired` lists client path numbers
        (1-based) whose link goes through an impairment relay in the router."""
        for role in ("cli", "rtr", "srv"):
            self.add_ns(role)
        sysctls = dict(sysctls or {})
        for role in ("cli", "rtr", "srv"):
            for k, v in sysctls.items():
                self.run(role, ["sysctl", "-qw", "%s=%s" % (k, v)])
            self.run(role, ["sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0"], check=False)
            self.run(role, ["sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0"], check=False)
        self.run("rtr", ["sysctl", "-qw", "net.ipv4.ip_forward=1"])
        self.run("rtr", ["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])
        for role in ("cli", "srv"):
            # no router solicitations etc.
            self.run(role, ["sysctl", "-qw", "net.ipv6.conf.default.router_solicitations=0"],
                     check=False)
        cli_addrs, srv_addrs = [], []
        for i in range(1, client_paths + 1):
            c, r = "c%d" % i, "r%d" % i
            if i in impaired:
                x, y = "x%d" % i, "y%d" % i
                self._veth("cli", c, "rtr", x)
                self._veth("rtr", y, "rtr", r)
                for ifn in (x, y):
                    self.run("rtr", ["ip", "link", "set", ifn, "promisc", "on"])
                    self.run("rtr", ["sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % ifn],
                             check=False)
                    self.run("rtr", ["sysctl", "-qw", "net.ipv4.conf.%s.forwarding=0" % ifn],
                             check=False)
            else:
                self._veth("cli", c, "rtr", r)
            a4, g4 = "10.99.%d.1" % i, "10.99.%d.254" % i
            a6, g6 = "fd00:99:%d::1" % i, "fd00:99:%d::fe" % i
            self.run("cli", ["ip", "addr", "add", a4 + "/24", "dev", c])
            self.run("cli", ["ip", "-6", "addr", "add", a6 + "/64", "dev", c, "nodad"])
            self.run("rtr", ["ip", "addr", "add", g4 + "/24", "dev", r])
            self.run("rtr", ["ip", "-6", "addr", "add", g6 + "/64", "dev", r, "nodad"])
            cmac, rmac = self.mac("cli", c), self.mac("rtr", r)
            for a, g in ((a4, g4), (a6, g6)):
                self.run("cli", ["ip", "neigh", "replace", g, "lladdr", rmac, "dev", c,
                                 "nud", "permanent"])
                self.run("rtr", ["ip", "neigh", "replace", a, "lladdr", cmac, "dev", r,
                                 "nud", "permanent"])
            # per-source policy routing so subflow i leaves through path i
            tbl = str(100 + i)
            for fam, a, g in (("-4", a4, g4), ("-6", a6, g6)):
                self.run("cli", ["ip", fam, "rule", "add", "from", a, "table", tbl])
                self.run("cli", ["ip", fam, "route", "add", "default", "via", g, "dev", c,
                                 "table", tbl])
                if i == 1:
                    self.run("cli", ["ip", fam, "route", "add", "default", "via", g, "dev", c])
            cli_addrs.append({"path": i, "if": c, "v4": a4, "v6": a6, "gw4": g4, "gw6": g6,
                              "impaired": i in impaired})
        for j in range(1, server_paths + 1):
            s, r = "s%d" % j, "r1%d" % j
            self._veth("srv", s, "rtr", r)
            a4, g4 = "10.99.1%d.1" % j, "10.99.1%d.254" % j
            a6, g6 = "fd00:99:1%d::1" % j, "fd00:99:1%d::fe" % j
            self.run("srv", ["ip", "addr", "add", a4 + "/24", "dev", s])
            self.run("srv", ["ip", "-6", "addr", "add", a6 + "/64", "dev", s, "nodad"])
            self.run("rtr", ["ip", "addr", "add", g4 + "/24", "dev", r])
            self.run("rtr", ["ip", "-6", "addr", "add", g6 + "/64", "dev", r, "nodad"])
            smac, rmac = self.mac("srv", s), self.mac("rtr", r)
            for a, g in ((a4, g4), (a6, g6)):
                self.run("srv", ["ip", "neigh", "replace", g, "lladdr", rmac, "dev", s,
                                 "nud", "permanent"])
                self.run("rtr", ["ip", "neigh", "replace", a, "lladdr", smac, "dev", r,
                                 "nud", "permanent"])
            tbl = str(200 + j)
            for fam, a, g in (("-4", a4, g4), ("-6", a6, g6)):
                self.run("srv", ["ip", fam, "rule", "add", "from", a, "table", tbl])
                self.run("srv", ["ip", fam, "route", "add", "default", "via", g, "dev", s,
                                 "table", tbl])
                if j == 1:
                    self.run("srv", ["ip", fam, "route", "add", "default", "via", g, "dev", s])
            srv_addrs.append({"path": j, "if": s, "v4": a4, "v6": a6})
        self.info = {"client": cli_addrs, "server": srv_addrs}
        return self.info

    # ------------------------------------------------------------------- mptcp
    def mptcp(self, role, *args):
        return self.run(role, ["ip", "mptcp"] + [str(a) for a in args])

    def mib(self, role):
        """Absolute MPTcpExt* and TcpExt* (/proc/net/netstat) and Tcp* (/proc/net/snmp:
        RetransSegs, OutSegs, InSegs, ...) counters of a namespace, named as nstat
        names them (MPTcpExtMPTCPRetrans, TcpExtTCPLostRetransmit, TcpRetransSegs)."""
        text = self.run(role, ["cat", "/proc/net/netstat", "/proc/net/snmp"])
        vals = {}
        lines = text.splitlines()
        for k in range(0, len(lines) - 1):
            hdr, val = lines[k].split(), lines[k + 1].split()
            if not hdr or not val or hdr[0] != val[0] or not val[1:2] \
                    or not val[1].lstrip("-").isdigit():
                continue
            pfx = hdr[0].rstrip(":")
            if pfx not in ("MPTcpExt", "TcpExt", "Tcp"):
                continue
            for h, v in zip(hdr[1:], val[1:]):
                if pfx == "Tcp" and h in ("RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn",
                                          "CurrEstab"):
                    continue        # constants and gauges, not event counters
                vals[pfx + h] = int(v)
        return vals


class Monitor:
    """`ip mptcp monitor` in a namespace; lines time-stamped on arrival."""

    LINE = re.compile(r"^\[\s*(\w+)\]\s*(.*)$")

    def __init__(self, lab, role):
        self.lab, self.role = lab, role
        self.events = []
        self.proc = lab.spawn("monitor-" + role, role, ["ip", "mptcp", "monitor"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.proc.popen.stdout:
            t = time.time()
            m = self.LINE.match(line.strip())
            if not m:
                continue
            ev = {"time": round(t, 6), "side": "client" if self.role == "cli" else "server",
                  "type": m.group(1)}
            for kv in m.group(2).split():
                if "=" in kv:
                    k, v = kv.split("=", 1)
                    ev[k] = v
            self.events.append(ev)

    def stop(self):
        time.sleep(0.3)
        self.lab.stop(self.proc, sig=signal.SIGTERM)
        self.thread.join(timeout=3)
        return self.events


class Capture:
    """tcpdump on all interfaces (`-i any`) of a namespace."""

    def __init__(self, lab, role, path, snaplen=0, filt="tcp", bufsize_kb=32768):
        self.lab, self.role, self.path = lab, role, path
        self.errpath = path + ".log"
        self.err = open(self.errpath, "w+")
        argv = ["tcpdump", "-i", "any", "-n", "-U", "-B", str(bufsize_kb), "-w", path]
        if snaplen:
            argv += ["-s", str(snaplen)]
        argv.append(filt)
        self.proc = lab.spawn("tcpdump-" + role, role, argv, stdout=subprocess.DEVNULL,
                              stderr=self.err)
        deadline = time.time() + 10
        while time.time() < deadline:
            self.err.seek(0)
            if "listening on" in self.err.read():
                break
            if self.proc.popen.poll() is not None:
                raise RuntimeError("tcpdump failed in %s" % role)
            time.sleep(0.05)
        else:
            raise RuntimeError("tcpdump did not start in %s" % role)

    def stop(self):
        time.sleep(0.2)
        self.lab.stop(self.proc, sig=signal.SIGINT, wait=10)
        self.err.seek(0)
        text = self.err.read()
        self.err.close()
        os.unlink(self.errpath)
        m = re.search(r"(\d+) packets? dropped by kernel", text)
        return {"kernel_dropped": int(m.group(1)) if m else None}
