#!/usr/bin/env python3
"""kvm.py - CPU cost of one polling round per libvirt domain (10, 50, 150 domains, polling=1).

Usage: bench/kvm.py [WINDOW_SECONDS] [COUNTS...]   (defaults: 10 s; 10 50 150)
Each count is a node description for libvirt's test driver (test:///FILE) with that many running
domains, each with two disks and two interfaces; the agent polls them through the same libvirt
calls as with qemu:///system, without the round trip to libvirtd (the end-to-end test
tests/e2e/kvm.py prints the figure against a real libvirtd). The agent's CPU time comes from
/proc/PID/schedstat; the cost with no domain is subtracted and the rest divided by domains x
polls. Builds nothing (uses build/)."""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BUILDDIR", os.path.join(HERE, "..", "build"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import e2e  # noqa: E402

DOMAIN = """<domain type='test'><name>vm%(i)d</name><uuid>%(uuid)s</uuid>
<memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type arch='x86_64'>hvm</type></os>
<devices>
<disk type='file' device='disk'><source file='/img/vm%(i)d-a'/><target dev='vda'/></disk>
<disk type='block' device='disk'><source dev='/dev/vg/vm%(i)d'/><target dev='vdb'/></disk>
<interface type='bridge'><mac address='52:54:00:00:%(hi)02x:%(lo)02x'/><source bridge='br0'/></interface>
<interface type='bridge'><mac address='52:54:01:00:%(hi)02x:%(lo)02x'/><source bridge='br1'/></interface>
</devices></domain>
"""


def node(n):
    doms = "".join(DOMAIN % dict(i=i, uuid="00000000-0000-4000-8000-%012x" % (i + 1),
                                 hi=i >> 8, lo=i & 255) for i in range(n))
    return e2e.tmpfile("node%d.xml" % n, "<node>\n%s</node>\n" % doms)


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def measure(n, window):
    port = e2e.free_port()
    col = e2e.Collector(port)
    conf = ("sflow {\n polling = 1\n agentIP = 127.0.0.1\n collector { ip = 127.0.0.1 udpport = %d }\n"
            " kvm { uri = \"test://%s\" }\n}\n" % (port, node(n)))
    agent = e2e.Agent(conf, name="kvm%d.conf" % n)
    col.datagrams(2.5)
    c0, t0 = cpu_ns(agent.proc.pid), time.monotonic()
    got = sum(1 for d in col.datagrams(window) for s in e2e.samples(d)
              if s.get("sourceId", "").startswith("3:"))
    us = (cpu_ns(agent.proc.pid) - c0) / 1000.0
    secs = time.monotonic() - t0
    with open("/proc/%d/status" % agent.proc.pid) as f:
        rss = [l.split()[1] for l in f if l.startswith("VmRSS")][0]
    agent.stop()
    col.stop()
    return us / secs, got, rss


def main():
    e2e.need_binaries()
    window = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    counts = [int(a) for a in sys.argv[2:]] or [10, 50, 150]
    base, _, _ = measure(0, window)
    print("no domain: %.0f us CPU per second (host, interfaces, kvm connection)" % base)
    print("%8s %12s %12s %20s %8s" % ("domains", "samples/s", "us CPU/s", "us per domain-poll", "RSS kB"))
    for n in counts:
        rate, got, rss = measure(n, window)
        polls = got / window
        print("%8d %12.1f %12.0f %20.1f %8s" % (n, polls, rate, (rate - base) / polls if polls else 0, rss))


if __name__ == "__main__":
    e2e.run(main)
