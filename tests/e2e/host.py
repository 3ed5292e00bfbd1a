#!/usr/bin/env python3
"""host.py - the host data source 2:1 carries every host structure, equal to its source."""
import os
import socket

import e2e
from e2e import check, element, samples

UUID = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f0"


def proc_kv(path, ns):
    out = {}
    for line in e2e.sh("cat " + path, ns=ns).splitlines():
        k, _, v = line.partition(":")
        out[k.strip()] = v.split()[0] if v.split() else ""
    return out


def snmp(ns):
    """/proc/net/snmp of the namespace as {("Icmp", "InEchos"): value}."""
    lines = e2e.sh("cat /proc/net/snmp", ns=ns).splitlines()
    out = {}
    for names, values in zip(lines[0::2], lines[1::2]):
        proto = names.split(":")[0]
        for n, v in zip(names.split()[1:], values.split()[1:]):
            out[(proto, n)] = int(v)
    return out


def main():
    e2e.need_root()
    e2e.need_binaries()
    ns = e2e.netns("host")
    port = 6343
    col = e2e.Collector(port, ns=ns)
    # ICMP the agent will have to report by name (echo requests and replies on lo).
    e2e.sh("ping -c 3 -i 0.2 -q 127.0.0.1", ns=ns)
    agent = e2e.Agent("sflow {\n polling = 2\n collector { ip = 127.0.0.1 udpport = %d }\n}\n"
                      % port, ns=ns, args=["-u", UUID])
    first = col.wait_for(lambda d: any(samples(d, "2:1")), 8)
    check(first is not None, "a 2:1 counter sample arrives within 8 s")
    second = col.wait_for(lambda d: any(samples(d, "2:1")), 5)
    check(second is not None, "a second 2:1 sample arrives one polling interval later")
    after = snmp(ns)
    s1, s2 = next(samples(first, "2:1")), next(samples(second, "2:1"))

    tags = [e["counterBlock_tag"] for e in s2["elements"]]
    for t in ("0:2000", "0:2001", "0:2003", "0:2004", "0:2005", "0:2006", "0:2007", "0:2008",
              "0:2009", "0:2010"):
        check(t in tags, "host sample has %s" % t)
    check(first["datagramVersion"] == "5", "sFlow version 5")

    d = element(s2, "0:2000")
    check(d["hostname"] == socket.gethostname(), "hostname %s" % d["hostname"])
    check(d["os_release"] == os.uname().release, "os_release = uname -r")
    check(d["UUID"] == UUID, "UUID from -u")
    check(d["os_name"] == "2", "os_name linux")
    if os.uname().machine == "x86_64":
        check(d["machine_type"] == "3", "machine_type x86_64")

    meminfo = proc_kv("/proc/meminfo", ns)
    m = element(s2, "0:2004")
    check(int(m["mem_total"]) == int(meminfo["MemTotal"]) * 1024, "mem_total = MemTotal")
    check(int(m["swap_total"]) == int(meminfo["SwapTotal"]) * 1024, "swap_total = SwapTotal")
    check(0 < int(m["mem_free"]) <= int(m["mem_total"]), "0 < mem_free <= mem_total")

    c = element(s2, "0:2003")
    check(int(c["cpu_num"]) == os.sysconf("SC_NPROCESSORS_ONLN"), "cpu_num = online processors")
    uptime = float(open("/proc/uptime").read().split()[0])
    check(abs(int(c["cpu_uptime"]) - uptime) < 10, "cpu_uptime within 10 s of /proc/uptime")
    total = int(open("/proc/loadavg").read().split()[3].split("/")[1])
    check(abs(int(c["cpu_proc_total"]) - total) < 200, "cpu_proc_total close to /proc/loadavg")

    # Counters only go up between two polls.
    c1 = element(s1, "0:2003")
    for k in ("cpu_user", "cpu_system", "cpu_idle", "cpuinterrupts", "cpu_contexts"):
        check(int(c[k]) >= int(c1[k]), "%s does not go down" % k)
    # Time passes in some mode: on a busy machine it may all be nice, system or iowait time.
    modes = ("cpu_user", "cpu_nice", "cpu_system", "cpu_idle", "cpu_wio", "cpu_sintr", "cpu_steal")
    check(sum(int(c[k]) for k in modes) > sum(int(c1[k]) for k in modes), "cpu time advances")
    u1, u2 = element(s1, "0:2010"), element(s2, "0:2010")
    check(int(u2["udpOutDatagrams"]) > int(u1["udpOutDatagrams"]),
          "udpOutDatagrams grows (the agent's own datagrams)")
    check(int(u2["udpOutDatagrams"]) <= after[("Udp", "OutDatagrams")],
          "udpOutDatagrams <= /proc/net/snmp read afterwards")

    # ICMP by column name: the pings above, not a shifted column.
    i = element(s2, "0:2008")
    for field, key in (("icmpInEchos", "InEchos"), ("icmpInEchoReps", "InEchoReps"),
                       ("icmpOutEchos", "OutEchos"), ("icmpOutEchoReps", "OutEchoReps"),
                       ("icmpInMsgs", "InMsgs"), ("icmpOutMsgs", "OutMsgs"),
                       ("icmpInTimestamps", "InTimestamps"), ("icmpOutAddrMasks", "OutAddrMasks")):
        check(int(i[field]) == after[("Icmp", key)], "%s = Icmp %s (%s)" % (field, key, i[field]))
    check(int(i["icmpInEchos"]) == 3, "three echo requests seen")
    ip = element(s2, "0:2007")
    check(int(ip["ipDefaultTTL"]) == after[("Ip", "DefaultTTL")], "ipDefaultTTL")
    t = element(s2, "0:2009")
    check(int(t["tcpRtoMin"]) == after[("Tcp", "RtoMin")], "tcpRtoMin")
    check(int(t["tcpMaxConn"]) == after[("Tcp", "MaxConn")] & 0xffffffff, "tcpMaxConn")

    disk = element(s2, "0:2005")
    check(int(disk["disk_total"]) >= int(disk["disk_free"]), "disk_total >= disk_free")
    check(int(element(s2, "0:2005")["disk_reads"]) >= int(element(s1, "0:2005")["disk_reads"]),
          "disk_reads does not go down")

    # Only loopback in this namespace: nothing counts in host_net_io.
    n = element(s2, "0:2006")
    check(n["nio_bytes_in"] == "0" and n["nio_pkts_out"] == "0", "loopback excluded from 2006")
    check(int(s2["sampleSequenceNo"]) == int(s1["sampleSequenceNo"]) + 1,
          "counter sample sequence numbers are consecutive")
    rc = agent.stop()
    check(rc == 0, "SIGTERM: exit code 0")


if __name__ == "__main__":
    e2e.run(main)
