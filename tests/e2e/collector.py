#!/usr/bin/env python3
"""collector.py - a collector that is down, then up; a name that does not resolve beside a good
collector; SIGTERM flushes what is pending and exits 0."""
import signal
import time

import e2e
from e2e import check


def main():
    e2e.need_root()
    e2e.need_binaries()
    ns = e2e.netns("co")
    P, Q = 7101, 7102
    conf = ("sflow {\n polling = 1\n collector { ip = 127.0.0.1 udpport = %d }\n"
            " collector { ip = no-such-collector.invalid }\n"
            " collector { ip = localhost udpport = %d }\n}\n" % (P, Q))
    q = e2e.Collector(Q, ns=ns)
    agent = e2e.Agent(conf, ns=ns)
    check(agent.wait_log("127.0.0.1:%d: unreachable" % P, 5), "collector down is logged")
    check(agent.wait_log("no-such-collector.invalid:6343: name does not resolve", 5),
          "unresolvable name is logged")
    check(len(q.datagrams(2)) >= 1, "the other collector (by name) receives meanwhile")
    time.sleep(2)
    log = agent.log_text()
    check(log.count("127.0.0.1:%d: unreachable" % P) == 1, "logged once per state change")

    p = e2e.Collector(P, ns=ns)
    got = p.datagrams(3)
    check(len(got) >= 1, "collector up again receives (%d datagrams)" % len(got))
    check(agent.wait_log("127.0.0.1:%d: reachable again" % P, 15), "recovery is logged")

    # SIGTERM: everything the agent counted as sent arrives, the last datagram included.
    time.sleep(0.3)
    n_before = len(p.datagrams(0.5)) + len(got)
    rc = agent.stop(signal.SIGTERM)
    check(rc == 0, "SIGTERM: exit code 0")
    log = agent.log_text()
    line = [l for l in log.splitlines() if "Exiting:" in l]
    check(line, "the agent reports what it sent")
    sent = int(line[-1].split("Exiting:")[1].split()[0])
    rest = q.datagrams(1)
    seq = [int(d["packetSequenceNo"]) for d in rest]
    check(seq and max(seq) == sent,
          "the last datagram (sequence %d) reached the collector: %s" % (sent, seq[-3:]))
    check(n_before > 0, "collector P received")


if __name__ == "__main__":
    e2e.run(main)
