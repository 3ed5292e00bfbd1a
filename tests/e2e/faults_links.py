#!/usr/bin/env python3
"""faults_links.py - a sampled interface (pcap { dev = X }) is deleted and created again under
the same name while the agent runs: afterwards its flow samples carry the new ifIndex, the right
input/output ports and a sample pool equal to the new interface's kernel counters, its 0:1
counters equal /sys, and nothing more is sent for the old ifIndex."""
import time

import e2e
from e2e import check, element, samples

INTERNAL = 0x3FFFFFFF  # ifIndex of the host itself (sFlow: packets sent or received locally)
RATE, N_IN, N_OUT, POLLING = 2, 300, 200, 2

SENDER = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"HSFAULT" + bytes(40), (sys.argv[1], 9))
    if i % 50 == 49:
        time.sleep(0.002)
"""


def sysfs(ns, dev, name):
    return int(e2e.sh("cat /sys/class/net/%s/%s" % (dev, name), ns=ns).strip())


def make_pair(a, b, va, vb):
    """The veth pair va (in a) - vb (in b), addresses, static neighbours: only our packets."""
    e2e.sh("ip link add %s type veth peer name %s netns %s" % (va, vb, b), ns=a)
    for ns, dev, addr in ((a, va, "192.0.2.1/24"), (b, vb, "192.0.2.2/24")):
        e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % dev, ns=ns)
        e2e.sh("ip addr add %s dev %s" % (addr, dev), ns=ns)
    mac_a = e2e.sh("cat /sys/class/net/%s/address" % va, ns=a).strip()
    mac_b = e2e.sh("cat /sys/class/net/%s/address" % vb, ns=b).strip()
    e2e.sh("ip link set %s up" % va, ns=a)
    e2e.sh("ip link set %s up" % vb, ns=b)
    e2e.sh("ip neigh replace 192.0.2.2 lladdr %s dev %s nud permanent" % (mac_b, va), ns=a)
    e2e.sh("ip neigh replace 192.0.2.1 lladdr %s dev %s nud permanent" % (mac_a, vb), ns=b)
    return sysfs(a, va, "ifindex")


def phase(col, agent, a, b, va, ifindex, what):
    """Bounded traffic both ways across va; its flow samples and counters checked."""
    check(agent.wait_log("pcap: %s (ifIndex %d): sampling" % (va, ifindex), 5),
          "%s: %s (ifIndex %d) is sampled" % (what, va, ifindex))
    time.sleep(0.5)
    col.datagrams(0.3)
    sender = e2e.tmpfile("send.py", SENDER)
    e2e.sh("python3 %s 192.0.2.1 %d" % (sender, N_IN), ns=b)
    e2e.sh("python3 %s 192.0.2.2 %d" % (sender, N_OUT), ns=a)
    time.sleep(0.3)
    kernel = {k: sysfs(a, va, "statistics/" + k)
              for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes")}
    got = col.datagrams(POLLING + 1.5)
    flows = [s for d in got for s in samples(d, kind="0:3")]
    mine = [s for s in flows if s["sourceId"] == "0:%d" % ifindex]
    rx = [s for s in mine if s["inputPort"] == str(ifindex) and s["outputPort"] == str(INTERNAL)]
    tx = [s for s in mine if s["outputPort"] == str(ifindex) and s["inputPort"] == str(INTERNAL)]
    e2e.log("%s: %d flow samples (%d in, %d out) of 0:%d" % (what, len(mine), len(rx), len(tx),
                                                              ifindex))
    check(len(mine) == len(flows), "%s: every flow sample is of 0:%d (%s)"
          % (what, ifindex, sorted({s["sourceId"] for s in flows})))
    check(len(rx) + len(tx) == len(mine), "%s: input/output ports are %d/internal or "
          "internal/%d" % (what, ifindex, ifindex))
    check(N_IN / RATE / 2 <= len(rx) <= N_IN / RATE * 2 and
          N_OUT / RATE / 2 <= len(tx) <= N_OUT / RATE * 2,
          "%s: about 1-in-%d of the packets each way" % (what, RATE))
    pool = max(int(s["samplePool"]) for s in mine)
    total = kernel["rx_packets"] + kernel["tx_packets"]
    check(abs(pool - total) <= 0.01 * total + 1, "%s: samplePool %d = rx+tx packets of the %s "
          "now in /sys (%d)" % (what, pool, va, total))
    ctr = [s for d in got for s in samples(d, "0:%d" % ifindex)]
    check(ctr, "%s: counter samples 0:%d" % (what, ifindex))
    g = element(ctr[-1], "0:1")
    check(int(g["ifIndex"]) == ifindex, "%s: 0:1 ifIndex %d" % (what, ifindex))
    check(int(g["ifInOctets"]) == kernel["rx_bytes"] and
          int(g["ifOutOctets"]) == kernel["tx_bytes"] and
          int(g["ifInUcastPkts"]) == kernel["rx_packets"] and
          int(g["ifOutUcastPkts"]) == kernel["tx_packets"],
          "%s: 0:1 octets and packets = /sys (%s)" % (what, kernel))
    return got


def main():
    e2e.need_root()
    e2e.need_binaries()
    a, b = e2e.netns("la"), e2e.netns("lb")
    va, vb = e2e.TAG + "lva", e2e.TAG + "lvb"
    first = make_pair(a, b, va, vb)
    col = e2e.Collector(6343, ns=a)
    agent = e2e.Agent("sflow {\n polling = %d\n collector { ip = 127.0.0.1 }\n"
                      " pcap { dev = %s sampling = %d }\n}\n" % (POLLING, va, RATE), ns=a)
    phase(col, agent, a, b, va, first, "before")

    e2e.sh("ip link del %s" % va, ns=a)
    check(agent.wait_log("pcap: %s (ifIndex %d) went away" % (va, first), 3),
          "the old interface is dropped")
    second = make_pair(a, b, va, vb)
    check(second != first, "%s comes back with a new ifIndex (%d, was %d)" % (va, second, first))
    got = phase(col, agent, a, b, va, second, "re-created")
    old = [s for d in got for s in d.get("samples", []) if s.get("sourceId") == "0:%d" % first]
    check(not old, "nothing is sent for the old ifIndex %d" % first)
    check(agent.proc.poll() is None, "the agent keeps running")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
