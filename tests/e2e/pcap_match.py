#!/usr/bin/env python3
"""pcap_match.py - pcap blocks that choose interfaces by name pattern and by speed: an interface
that appears after start and matches the pattern is sampled at its block's rate; one matched by
the speed range gets that block's rate; the first matching block wins; loopback never."""
import time

import e2e
from e2e import check

SENDER = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"HSMATCH" + bytes(40), (sys.argv[1], 9))
    if i % 50 == 49:
        time.sleep(0.002)
"""


def sysfs(ns, dev, name):
    return e2e.sh("cat /sys/class/net/%s/%s" % (dev, name), ns=ns).strip()


def static_neigh(ns_a, dev_a, ip_b, ns_b, dev_b, ip_a):
    e2e.sh("ip neigh replace %s lladdr %s dev %s nud permanent"
           % (ip_b, sysfs(ns_b, dev_b, "address"), dev_a), ns=ns_a)
    e2e.sh("ip neigh replace %s lladdr %s dev %s nud permanent"
           % (ip_a, sysfs(ns_a, dev_a, "address"), dev_b), ns=ns_b)


def received(datagrams, ifindex):
    """Flow samples of packets received on ifindex: meanSkipCount of each."""
    return [s["meanSkipCount"] for d in datagrams for s in e2e.samples(d, kind="0:3")
            if s["sourceId"] == "0:%d" % ifindex and s["inputPort"] == str(ifindex)]


def main():
    e2e.need_root()
    e2e.need_binaries()
    a, b, c = e2e.netns("ma"), e2e.netns("mb"), e2e.netns("mc")
    va, vb = e2e.veth_pair(a, "mva", b, "mvb", "192.0.2.1/24", "192.0.2.2/24")
    static_neigh(a, va, "192.0.2.2", b, vb, "192.0.2.1")
    check(sysfs(a, va, "speed") == "10000", "a veth reports 10000 Mb/s")
    pattern = "^%sp[0-9]$" % e2e.TAG
    col = e2e.Collector(6343, ns=a)
    agent = e2e.Agent("sflow {\n polling = 0\n collector { ip = 127.0.0.1 }\n"
                      '  pcap { dev.pattern = "%s" sampling = 1 }\n'
                      "  pcap { speed = 10G- sampling = 4 }\n}\n" % pattern, ns=a)
    check(agent.wait_log("%s" % va, 5), "the veth is picked up by the speed block")
    time.sleep(1)
    sink = e2e.tmpfile("send.py", SENDER)
    e2e.sh("python3 %s 192.0.2.1 800" % sink, ns=b)
    got = received(col.datagrams(2.5), int(sysfs(a, va, "ifindex")))
    check(got and set(got) == {"4"}, "speed block: 1-in-4 on %s (%d samples)" % (va, len(got)))
    check(80 <= len(got) <= 320, "about 800/4 samples: %d" % len(got))

    # An interface that appears later and matches the pattern (it is also 10G: first block wins).
    new, peer = e2e.TAG + "p1", e2e.TAG + "q1"
    e2e.sh("ip link add %s type veth peer name %s" % (new, peer), ns=a)
    e2e.sh("ip link set %s netns %s" % (peer, c), ns=a)
    e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % new, ns=a)
    e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % peer, ns=c)
    e2e.sh("ip addr add 198.51.100.1/24 dev %s" % new, ns=a)
    e2e.sh("ip addr add 198.51.100.2/24 dev %s" % peer, ns=c)
    e2e.sh("ip link set %s up" % new, ns=a)
    e2e.sh("ip link set %s up" % peer, ns=c)
    static_neigh(a, new, "198.51.100.2", c, peer, "198.51.100.1")
    check(agent.wait_log(new, 5), "the new interface %s is picked up" % new)
    time.sleep(1)
    e2e.sh("python3 %s 198.51.100.1 50" % sink, ns=c)
    got = received(col.datagrams(2.5), int(sysfs(a, new, "ifindex")))
    check(len(got) == 50 and set(got) == {"1"},
          "pattern block (first match) at 1-in-1: %d samples of 50" % len(got))
    sampled = [l.split("pcap: ")[1].split(" ")[0] for l in agent.log_text().splitlines()
               if "pcap: " in l and ": sampling 1-in-" in l]
    check(sorted(sampled) == sorted([va, new]),
          "exactly the veth and the new interface are sampled, loopback not: %s" % sampled)
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
