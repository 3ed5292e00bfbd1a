#!/usr/bin/env python3
"""tcp_netns.py - the tcp module finds a veth peer's namespace that only a process holds (no
/run/netns name: the search goes through /proc/PID/ns/net) without a long stall of its loop:
traced with strace, the agent never looks at more than a few dozen /proc/PID/ns/net files
between two waits of its event loop, on a host with a few hundred processes; and the samples of
a connection in that namespace still carry 0:2209."""
import os
import re
import shutil
import signal
import subprocess
import time

import e2e
from e2e import check
import tcp

MANY = 200            # processes listed in /proc before the namespace's holder, at least
MOST_PER_WAKEUP = 50  # /proc/PID/ns/net files looked at (stat()) between two waits, at most


class TracedAgent(e2e.Agent):
    """The agent under strace from its start: its waits, stat() and open() calls."""

    def __init__(self, conf_text, ns, trace):
        self.conf = e2e.tmpfile("hsflowd.conf", conf_text)
        self.logpath = e2e.tmpfile("hsflowd.conf.log")
        self.logf = open(self.logpath, "w")
        e2e._agent_logs.append(self.logpath)
        # an ASan build: LeakSanitizer cannot work under ptrace (the rest of ASan does)
        opts = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (opts + ":" if opts else "") + "detect_leaks=0"
        self.strace = e2e.start(["strace", "-f", "-qq", "-o", trace, "-e",
                                 "trace=/^epoll_,/stat,openat", e2e.HSFLOWD, "-dd", "-f",
                                 self.conf], ns=ns, stdout=self.logf, stderr=self.logf)
        self.proc = self.strace

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM to the agent (strace's child); strace ends with it, with its exit code."""
        with open("/proc/%d/task/%d/children" % (self.strace.pid, self.strace.pid)) as f:
            kids = [int(k) for k in f.read().split()]
        for k in kids:
            os.kill(k, sig)
        return e2e.stop(self.strace, sig=0, timeout=10) if kids else e2e.stop(self.strace)


def main():
    e2e.need_root()
    e2e.need_binaries()
    for tool in ("strace", "unshare", "nsenter", "ss"):
        e2e.need(shutil.which(tool) is not None, "%s is needed" % tool)
    conf = e2e.tmpfile("check.conf", "sflow { collector { ip = 127.0.0.1 }\n"
                       "  pcap { dev = lo }\n  tcp { }\n}\n")
    r = subprocess.run([e2e.HSFLOWD, "-t", "-f", conf], capture_output=True, text=True)
    e2e.need(r.returncode == 0, "the pcap and tcp modules are built: " + r.stderr.strip())

    # the client's namespace: held by a process alone, listed in /proc after most others. PIDs
    # wrap around on a busy host: when the holder came too early, start more processes (their
    # PIDs follow it) and a new holder after them
    more = MANY
    for _ in range(10):
        for _ in range(more):
            e2e.start(["sleep", "60"])
        holder = e2e.start(["unshare", "-n", "sleep", "60"])
        before = len([d for d in os.listdir("/proc") if d.isdigit() and int(d) < holder.pid])
        if before >= MANY:
            break
        e2e.stop(holder)
        more = MANY - before + 10
    nproc = len([d for d in os.listdir("/proc") if d.isdigit()])
    check(before >= MANY, "%d processes are listed in /proc before the one holding the "
          "namespace" % before)
    time.sleep(0.2)
    pid = holder.pid
    r_ns, c2 = e2e.netns("r"), e2e.netns("c2")
    r1, p1 = e2e.TAG + "r1", e2e.TAG + "p1"
    e2e.sh("ip link add %s type veth peer name %s netns %d" % (r1, p1, pid), ns=r_ns)

    def inside(cmd):
        return e2e.sh("nsenter -t %d -n %s" % (pid, cmd))
    inside("ip link set lo up")
    inside("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % p1)
    inside("ip addr add 198.51.100.2/24 dev %s" % p1)
    inside("ip link set %s up" % p1)
    inside("ip route add default via 198.51.100.1")
    e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % r1, ns=r_ns)
    e2e.sh("ip addr add 198.51.100.1/24 dev %s" % r1, ns=r_ns)
    e2e.sh("ip link set %s up" % r1, ns=r_ns)
    e2e.veth_pair(r_ns, "r2", c2, "p2", "203.0.113.1/24", "203.0.113.2/24")
    e2e.sh("sysctl -qw net.ipv4.ip_forward=1", ns=r_ns)
    e2e.sh("ip route add default via 203.0.113.1", ns=c2)
    check("link-netns" in e2e.sh("ip -d link show %s" % r1, ns=r_ns),
          "%s has a peer netns id" % r1)
    e2e.log("processes on the host: %d" % nproc)

    port = e2e.free_port()
    collector = e2e.Collector(port, ns=r_ns)
    trace = e2e.tmpfile("strace.txt")
    agent = TracedAgent("sflow { polling = 0 collector { ip = 127.0.0.1 udpport = %d }\n"
                        "  pcap { dev = %s sampling = 2 }\n  tcp { }\n}\n" % (port, r1),
                        r_ns, trace)
    check(agent.wait_log("pcap: %s" % r1, 10), "agent sampling " + r1)
    time.sleep(1.0)

    srv = tcp.spawn(["python3", "-c", tcp.SERVER, str(tcp.PORT)], c2, stdout=subprocess.PIPE)
    check(srv.stdout.readline().strip() == "listening", "server listening in " + c2)
    cli = subprocess.Popen(["nsenter", "-t", str(pid), "-n", "python3", "-c", tcp.CLIENT,
                            "203.0.113.2", str(tcp.PORT), str(tcp.TOTAL // 3), str(tcp.CHUNK)],
                           text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    e2e._procs.append(cli)
    cport = int(cli.stdout.readline())
    check(cli.stdout.readline().strip() == "done", "client sent its bytes")
    datagrams = collector.datagrams(2.0)
    cli.stdin.write("\n")
    cli.stdin.close()
    e2e.stop(cli)
    e2e.stop(srv)
    check(agent.stop() == 0, "agent exits 0")

    conn = with_info = 0
    for s in tcp.flow_samples(datagrams):
        t = tcp.tcp_ports(s)
        if t and str(cport) in (t[1], t[3]):
            conn += 1
            with_info += e2e.element(s, "0:2209") is not None
    e2e.log("samples of the connection: %d, with 0:2209: %d" % (conn, with_info))
    check(conn > 20, "the connection was sampled (%d samples)" % conn)
    check(with_info >= conn * 0.9, "0:2209 on at least 90%% of them: the namespace was found "
          "(%d of %d)" % (with_info, conn))

    most = run = waits = files = 0
    with open(trace) as f:
        for line in f:
            if re.search(r"\bepoll_\w*wait", line):
                waits += 1
                run = 0
            elif re.search(r'\b(newfstatat|stat|statx|lstat)\(.*"/proc/\d+/ns/net"', line):
                files += 1
                run += 1
                most = max(most, run)
    e2e.log("strace: %d waits, %d stat() of /proc/PID/ns/net, at most %d between two waits"
            % (waits, files, most))
    check(files > 2 * MOST_PER_WAKEUP, "the namespace was searched for through /proc (%d "
          "files looked at)" % files)
    check(most <= MOST_PER_WAKEUP, "at most %d /proc/PID/ns/net between two waits of the loop "
          "(%d; %d processes on the host)" % (MOST_PER_WAKEUP, most, nproc))


if __name__ == "__main__":
    e2e.run(main)
