#!/usr/bin/env python3
"""loss.py - no datagram is lost to ICMP errors, judged from the wire: with nothing listening
on the collector port every datagram the agent numbers is captured on loopback, without a gap,
and the agent's count of datagrams sent equals the capture's; then a collector that listens,
goes down for 5 s (port unreachable) and comes back: no gap across the outage, and the
collector receives every datagram sent after it is back."""
import shutil
import time

import e2e
import wire
from e2e import check

PAIRS = 30  # veth pairs in the agent's namespace: 60 interface data sources polled every second


def agent_ns():
    ns = e2e.netns("loss")
    for i in range(PAIRS):
        a, b = "%sa%d" % (e2e.TAG, i), "%sb%d" % (e2e.TAG, i)
        e2e.sh("ip link add %s type veth peer name %s" % (a, b), ns=ns)
        e2e.sh("ip link set %s up" % a, ns=ns)
        e2e.sh("ip link set %s up" % b, ns=ns)
    return ns


def conf(port):
    # one interface sample per datagram (the host sample, larger, is dropped): ~60 datagrams/s
    return ("sflow { polling = 1 datagramBytes = 200\n"
            "  collector { ip = 127.0.0.1 udpport = %d }\n}\n" % port)


def stop_and_count(agent, cap, port, what):
    check(agent.stop() == 0, "%s: SIGTERM, exit 0" % what)
    check(cap.stop() == 0, "%s: the capture dropped nothing" % what)
    built, cols = wire.exit_counts(agent)
    sent, lost = cols.get("127.0.0.1:%d" % port, (None, None))
    e2e.log("%s: agent: %d datagrams built, %s sent, %s lost" % (what, built, sent, lost))
    return built, sent, lost


def nobody_listens(ns):
    port = 7301
    cap = wire.Capture(ns, port)
    agent = e2e.Agent(conf(port), ns=ns, name="nolistener.conf")
    check(agent.wait_log("127.0.0.1:%d: unreachable" % port, 5), "no listener: unreachable logged")
    time.sleep(4)
    built, sent, lost = stop_and_count(agent, cap, port, "no listener")
    got = cap.datagrams()
    check(cap.port_unreachable() > 0, "the kernel answered port unreachable (%d ICMP messages)"
          % cap.port_unreachable())
    check(built > 150, "%d datagrams built" % built)
    wire.check_contiguous([q for _, q in got], 1, built, "no listener")
    check(sent == len(got) == built and lost == 0,
          "no listener: sent %s = %d on the wire = %d built, lost %s" % (sent, len(got), built, lost))


def outage(ns):
    port = 7302
    cap = wire.Capture(ns, port)
    lis = wire.Listener(ns, port)
    lis.up()
    agent = e2e.Agent(conf(port), ns=ns, name="outage.conf")
    time.sleep(2)
    t_down = lis.down()
    check(agent.wait_log("127.0.0.1:%d: unreachable" % port, 5), "outage: unreachable logged")
    time.sleep(max(0, 5 - (time.time() - t_down)))
    t_up = lis.up()
    time.sleep(3)
    built, sent, lost = stop_and_count(agent, cap, port, "outage")
    got = cap.datagrams()
    received = lis.received()
    seqs = [q for _, q in got]
    wire.check_contiguous(seqs, 1, built, "outage")
    check(sent == len(got) == built and lost == 0,
          "outage: sent %s = %d on the wire = %d built, lost %s" % (sent, len(got), built, lost))
    during = [q for t, q in got if t_down < t < t_up]
    check(len(during) > 200, "outage: %d datagrams on the wire while the port was closed"
          % len(during))
    after = [q for t, q in got if t > t_up]
    missing = sorted(set(after) - set(received))
    check(after and not missing, "outage: the collector received all %d datagrams sent after it "
          "came back (missing: %s)" % (len(after), missing[:10]))
    check(not set(during) & set(received), "outage: nothing was received while it was down")


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("dumpcap") and shutil.which("tshark"), "dumpcap and tshark installed")
    ns = agent_ns()
    nobody_listens(ns)
    outage(ns)


if __name__ == "__main__":
    e2e.run(main)
