#!/usr/bin/env python3
"""reload.py - a change of the file and SIGHUP re-read the configuration: the new collector
receives, the old one stops, a bad file keeps the old settings, sequence numbers go on."""
import signal
import time

import e2e
from e2e import check, samples

CONF = "sflow {\n  polling = 1\n  collector { ip = 127.0.0.1 udpport = %d }\n}\n"


def seqs(ds):
    return [int(d["packetSequenceNo"]) for d in ds]


def host_seqs(ds):
    return [int(s["sampleSequenceNo"]) for d in ds for s in samples(d, "2:1")]


def main():
    e2e.need_root()
    e2e.need_binaries()
    ns = e2e.netns("rl")
    A, B = 7001, 7002
    ca, cb = e2e.Collector(A, ns=ns), e2e.Collector(B, ns=ns)
    agent = e2e.Agent(CONF % A, ns=ns)
    got_a = ca.datagrams(3)
    check(len(host_seqs(got_a)) >= 2, "collector A receives (%d host samples)" % len(host_seqs(got_a)))

    # 1. The file changes: inotify reloads it.
    agent.rewrite(CONF % B)
    check(agent.wait_log("Reloading", 3), "a change of the file is noticed")
    time.sleep(1.5)  # the datagram pending at the change may still go to A
    more_a = ca.datagrams(0.1)
    got_b = cb.datagrams(3)
    late_a = ca.datagrams(0.1)
    check(len(host_seqs(got_b)) >= 2, "collector B receives after the change (%d samples)"
          % len(host_seqs(got_b)))
    check(late_a == [], "collector A receives nothing any more")
    all_a = got_a + more_a
    check(min(seqs(got_b)) == max(seqs(all_a)) + 1,
          "datagram sequence numbers go on across the reload (%d -> %d)"
          % (max(seqs(all_a)), min(seqs(got_b))))
    check(min(host_seqs(got_b)) == max(host_seqs(all_a)) + 1,
          "2:1 sample sequence numbers go on across the reload")

    # 2. A bad file is refused with its error; B keeps receiving.
    agent.rewrite("sflow {\n  polling = 1\n  colector { ip = 127.0.0.1 udpport = %d }\n}\n" % A)
    time.sleep(1)
    log = agent.log_text()
    check(":3:" in log and "colector" in log, "the error names the line and the keyword")
    check("not reloaded" in log, "the old configuration stays in force")
    check(len(cb.datagrams(2.5)) >= 1, "collector B still receives")
    check(ca.datagrams(0.1) == [], "collector A still receives nothing")
    check(agent.proc.poll() is None, "the agent keeps running")

    # 3. SIGHUP re-reads the (fixed) file: back to A.
    agent.rewrite(CONF % A)
    time.sleep(0.6)
    agent.proc.send_signal(signal.SIGHUP)
    check(agent.wait_log("(SIGHUP)", 3), "SIGHUP reloads")
    time.sleep(1.5)
    cb.datagrams(0.1)
    check(len(host_seqs(ca.datagrams(3))) >= 2, "collector A receives again")
    check(cb.datagrams(0.1) == [], "collector B stops")

    # 4. A module enabled by a reload that needs capabilities given up at start (the agent runs
    #    as nobody): an error that says so, and the rest goes on.
    agent.rewrite("sflow {\n  polling = 1\n  collector { ip = 127.0.0.1 udpport = %d }\n"
                  "  tcp { }\n}\n" % A)
    check(agent.wait_log("Module tcp needs capabilities", 3) or
          agent.wait_log("'tcp' is not", 0.1), "the tcp module's missing capabilities are named")
    check(len(host_seqs(ca.datagrams(2.5))) >= 1, "collector A still receives")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
