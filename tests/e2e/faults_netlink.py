#!/usr/bin/env python3
"""faults_netlink.py - the agent's rtnetlink socket overruns (ENOBUFS): while the agent is
stalled (SIGSTOP), 500 veth pairs are created in its namespace and 250 of them deleted, far more
events than its socket holds. The kernel's own drop counter (/proc/net/netlink) shows the overrun;
the agent says so once and dumps the interface table again. Afterwards the interface data sources
on the wire (0:ifIndex counter samples) are exactly the interfaces in /sys (loopback aside), the
deleted ones stop, and a later creation and deletion are followed as usual."""
import os
import signal
import time

import e2e
from e2e import check, samples

PAIRS, DELETED, POLLING = 500, 250, 3


SYS_LIST = ("import os\n"
            "for d in os.listdir('/sys/class/net'):\n"
            "    t = open('/sys/class/net/%s/type' % d).read().strip()\n"
            "    if t != '772':\n"  # ARPHRD_LOOPBACK
            "        print(open('/sys/class/net/%s/ifindex' % d).read().strip())\n")


def sys_ifindexes(ns):
    """ifIndex of every interface in /sys of the namespace, loopback aside."""
    return {int(x) for x in e2e.sh("python3 -c \"%s\"" % SYS_LIST, ns=ns).split()}


def netlink_drops(pid):
    """Drops the kernel counted on the agent's NETLINK_ROUTE sockets (/proc/PID/net/netlink,
    matched by the inodes of the agent's file descriptors)."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            t = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if t.startswith("socket:["):
            inodes.add(t[8:-1])
    drops = 0
    with open("/proc/%d/net/netlink" % pid) as f:
        cols = f.readline().split()
        for line in f:
            v = dict(zip(cols, line.split()))
            if v.get("Inode") in inodes and v.get("Eth") == "0":
                drops += int(v["Drops"])
    return drops


def sources_on_wire(col, seconds):
    return {int(s["sourceId"].split(":")[1]) for d in col.datagrams(seconds)
            for s in samples(d) if s["sourceId"].startswith("0:")}


def batch(ns, lines):
    path = e2e.tmpfile("batch-%d" % len(lines), "\n".join(lines) + "\n")
    e2e.sh("ip -n %s -batch %s" % (ns, path))


def main():
    e2e.need_root()
    e2e.need_binaries()
    ns = e2e.netns("nl")
    col = e2e.Collector(6343, ns=ns)
    agent = e2e.Agent("sflow { polling = %d collector { ip = 127.0.0.1 } }\n" % POLLING, ns=ns)
    check(agent.wait_log("running", 5), "the agent runs")
    pid = agent.proc.pid
    before = netlink_drops(pid)
    names = ["%sf%d" % (e2e.TAG, i) for i in range(PAIRS)]

    # The agent stalls; the kernel queues link events on its socket until the buffer is full.
    agent.proc.send_signal(signal.SIGSTOP)
    try:
        batch(ns, ["link add %s type veth peer name %sp" % (n, n) for n in names])
        batch(ns, ["link set %s up" % n for n in names[DELETED:]])
        batch(ns, ["link del %s" % n for n in names[:DELETED]])
    finally:
        agent.proc.send_signal(signal.SIGCONT)
    drops = netlink_drops(pid) - before
    check(drops > 0, "the kernel dropped %d messages for the agent's rtnetlink sockets" % drops)
    check(agent.wait_log("resynchroniz", 5), "the agent notices the overrun and resynchronizes")
    time.sleep(1)
    log = agent.log_text()
    lines = [l for l in log.splitlines() if "resynchroniz" in l.lower()]
    check(len(lines) == 1, "the overrun is logged once: %s" % lines)
    check("ENOBUFS" in lines[0], "the log names the overrun: %s" % lines[0])
    check("Cannot resynchronize" not in log, "the dump succeeds")

    want = sys_ifindexes(ns)
    check(len(want) == 2 * (PAIRS - DELETED), "/sys has the %d interfaces left" % len(want))
    col.datagrams(0.5)
    got = sources_on_wire(col, POLLING + 1.5)
    missing, extra = want - got, got - want
    check(not missing, "every interface of /sys is on the wire (%d missing: %s)"
          % (len(missing), sorted(missing)[:10]))
    check(not extra, "no other interface is on the wire (%d extra: %s)"
          % (len(extra), sorted(extra)[:10]))
    # Events queued before the overrun are older than the dump: a deleted pair must not come
    # back from them (the agent's debug log names every interface it adds).
    gone = set(names[:DELETED]) | {n + "p" for n in names[:DELETED]}
    after = log.splitlines()[[i for i, l in enumerate(log.splitlines()) if l in lines][0]:]
    back = [l for l in after if " added" in l and l.split("Interface ")[-1].split(" ")[0] in gone]
    check(not back, "no deleted interface is added again after the resync: %s" % back[:2])

    # Events are followed again: a new pair is polled, then stops when deleted.
    e2e.sh("ip link add %sg type veth peer name %sgp" % (e2e.TAG, e2e.TAG), ns=ns)
    new = int(e2e.sh("cat /sys/class/net/%sg/ifindex" % e2e.TAG, ns=ns))
    d = col.wait_for(lambda d: any(samples(d, "0:%d" % new)), 3)
    check(d is not None, "a pair created after the overrun is polled (0:%d)" % new)
    late = names[DELETED:DELETED + 10]
    batch(ns, ["link del %s" % n for n in late] + ["link del %sg" % e2e.TAG])
    want = sys_ifindexes(ns)
    col.datagrams(1)
    got = sources_on_wire(col, POLLING + 1)
    check(got == want and new not in got and len(want) == 2 * (PAIRS - DELETED - 10),
          "pairs deleted after the overrun stop, the others go on (%d sources on the wire, "
          "%d in /sys)" % (len(got), len(want)))
    check(agent.proc.poll() is None, "the agent keeps running")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
