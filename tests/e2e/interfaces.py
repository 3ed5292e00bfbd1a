#!/usr/bin/env python3
"""interfaces.py - 0:ifIndex counters of a veth pair carrying a known number of packets equal
the kernel's own counters; interfaces that appear are polled at once, removed ones stop."""
import time

import e2e
from e2e import check, element, samples

SEND_AB, SEND_BA, SIZE = 1000, 300, 200

SENDER = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"hsflowd-e2e" + bytes(%d - 11), (sys.argv[1], 9))
""" % SIZE


def sysfs(ns, dev, name):
    return int(e2e.sh("cat /sys/class/net/%s/%s" % (dev, name), ns=ns).strip())


def known(v):
    """A 32-bit counter the agent cannot know is sent as 2^32-1."""
    return 0 if int(v) == 0xFFFFFFFF else int(v)


def latest(col, source, seconds):
    """The last sample of source seen within seconds."""
    last = None
    for d in col.datagrams(seconds):
        for s in samples(d, source):
            last = s
    return last


def main():
    e2e.need_root()
    e2e.need_binaries()
    a, b = e2e.netns("a"), e2e.netns("b")
    va, vb = e2e.veth_pair(a, "va", b, "vb", "192.0.2.1/24", "192.0.2.2/24")
    ifindex = sysfs(a, va, "ifindex")
    src = "0:%d" % ifindex
    col = e2e.Collector(6343, ns=a)
    agent = e2e.Agent("sflow { polling = 2 collector { ip = 127.0.0.1 } }\n", ns=a)

    d = col.wait_for(lambda d: any(samples(d, src)), 6)
    check(d is not None, "interface %s (%s) is polled" % (va, src))

    sender = e2e.tmpfile("send.py", SENDER)
    e2e.sh("python3 %s 192.0.2.1 %d" % (sender, SEND_BA), ns=b)   # b -> a: received by va
    e2e.sh("python3 %s 192.0.2.2 %d" % (sender, SEND_AB), ns=a)   # a -> b: sent by va
    time.sleep(0.5)
    # the kernel's counters before and after the window in which the last sample is taken:
    # a late ARP probe may cross the link meanwhile, so the agent's figure lies between them
    names = ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes")
    k0 = {k: sysfs(a, va, "statistics/" + k) for k in names}
    s = latest(col, src, 5)
    k1 = {k: sysfs(a, va, "statistics/" + k) for k in names}
    check(s is not None, "a later sample of %s" % src)
    g = element(s, "0:1")
    check(g is not None, "generic interface counters 0:1")
    rx = sum(known(g[k]) for k in ("ifInUcastPkts", "ifInMulticastPkts", "ifInBroadcastPkts"))
    tx = sum(known(g[k]) for k in ("ifOutUcastPkts", "ifOutMulticastPkts", "ifOutBroadcastPkts"))

    def within(v, k):
        return k0[k] <= v <= k1[k]

    check(within(rx, "rx_packets"), "input packets %d = rx_packets %d..%d" % (rx, k0["rx_packets"], k1["rx_packets"]))
    check(within(tx, "tx_packets"), "output packets %d = tx_packets %d..%d" % (tx, k0["tx_packets"], k1["tx_packets"]))
    check(rx >= SEND_BA and tx >= SEND_AB, "at least the packets sent each way")
    check(within(int(g["ifInOctets"]), "rx_bytes"), "ifInOctets = rx_bytes")
    check(within(int(g["ifOutOctets"]), "tx_bytes"), "ifOutOctets = tx_bytes")
    check(int(g["ifInOctets"]) >= SEND_BA * (SIZE + 42), "ifInOctets covers the UDP frames")
    check(int(g["ifIndex"]) == ifindex, "ifIndex = /sys ifindex")
    check(int(g["ifSpeed"]) == sysfs(a, va, "speed") * 1000000, "ifSpeed = /sys speed")
    check(g["ifStatus"] == "3", "ifStatus admin and oper up")
    check(g["ifDirection"] == "1", "ifDirection full duplex")
    n = element(s, "0:1005")
    check(n is not None and n["ifName"] == va, "port name 0:1005 = %s" % va)

    host = latest(col, "2:1", 3)
    check(host is not None, "host sample")
    nio = element(host, "0:2006")
    check(int(nio["nio_bytes_in"]) == sysfs(a, va, "statistics/rx_bytes"),
          "2006 nio_bytes_in = the veth's rx_bytes (lo excluded)")

    # A new interface is polled at once (polling is 2 s; look within 1 s of its creation),
    # a removed one stops at once.
    agent.rewrite("sflow { polling = 30 collector { ip = 127.0.0.1 } }\n")
    check(agent.wait_log("Reloading", 3), "reloaded with polling 30")
    time.sleep(0.5)
    col.datagrams(1.2)
    e2e.sh("ip link add %snew type veth peer name %snew2" % (e2e.TAG, e2e.TAG), ns=a)
    e2e.sh("ip link set %snew up" % e2e.TAG, ns=a)
    new_index = sysfs(a, e2e.TAG + "new", "ifindex")
    t0 = time.time()
    d = col.wait_for(lambda d: any(samples(d, "0:%d" % new_index)), 3)
    check(d is not None and time.time() - t0 < 1.6,
          "new interface polled at once (%.2f s)" % (time.time() - t0))
    e2e.sh("ip link del %snew" % e2e.TAG, ns=a)
    check(agent.wait_log("Data source 0:%d removed" % new_index, 2), "removed interface stops at once")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
