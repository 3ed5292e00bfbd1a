#!/usr/bin/env python3
"""reload.py - a change of the file and SIGHUP re-read the configuration: the new collector
receives, the old one stops, a bad file keeps the old settings, sequence numbers go on. A broken
file, written in place or renamed over the old one, is refused with file:line:column while the
old polling interval goes on on the wire (the uptime between 2:1 samples); the good file after it
takes effect."""
import os
import re
import signal
import time

import e2e
from e2e import check, samples

CONF = "sflow {\n  polling = 1\n  collector { ip = 127.0.0.1 udpport = %d }\n}\n"


def seqs(ds):
    return [int(d["packetSequenceNo"]) for d in ds]


def host_seqs(ds):
    return [int(s["sampleSequenceNo"]) for d in ds for s in samples(d, "2:1")]


def host_period_ms(ds):
    """Uptime (ms, from the datagram headers) per 2:1 sample: a datagram may carry several, so
    the samples after the first datagram are counted over the uptime from it to the last."""
    ds = [d for d in ds if any(samples(d, "2:1"))]
    n = sum(1 for d in ds[1:] for _ in samples(d, "2:1"))
    return (int(ds[-1]["sysUpTime"]) - int(ds[0]["sysUpTime"])) // n if n else None


def replace_atomically(path, text):
    """Write a new file beside the old one and rename it over (what editors and config
    management tools do)."""
    tmp = path + ".new"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def polling_on_wire(col, polling, what):
    """The 2:1 samples a collector gets come every `polling` seconds."""
    col.datagrams(0.2)
    period = host_period_ms(col.datagrams(2 * polling + 2.5))
    check(period is not None and abs(period - 1000 * polling) <= 300 * polling,
          "%s: polling of %d s on the wire (2:1 every %s ms)" % (what, polling, period))


def wait_count(agent, text, n, seconds=3):
    end = time.time() + seconds
    while time.time() < end and agent.log_text().count(text) < n:
        time.sleep(0.05)
    return agent.log_text().count(text) == n


def refused(agent, how, n_refused):
    """The broken file (line 4, column 14) is refused, naming file:line:column."""
    where = "%s:4:14:" % agent.conf
    check(wait_count(agent, "not reloaded", n_refused), "%s: the broken file is refused" % how)
    check(where in agent.log_text(), "%s: the error names %s" % (how, where))


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

    # 5. Broken, then good, by an atomic rename and by writing in place: the old settings
    #    (collector, polling interval) go on on the wire until the good file brings its own.
    good = "sflow {\n  polling = %d\n  collector { ip = 127.0.0.1 udpport = %d }\n}\n"
    bad = ("sflow {\n  polling = 3\n  collector { ip = 127.0.0.1 udpport = %d }\n"
           "  sampling = lots\n}\n")
    k = agent.log_text().count("not reloaded")
    n = agent.log_text().count("Reloading")
    replace_atomically(agent.conf, bad % B)
    refused(agent, "renamed over", k + 1)
    check(len(ca.datagrams(2.5)) >= 1 and cb.datagrams(0.1) == [],
          "renamed over, refused: collector A still receives, B not")
    replace_atomically(agent.conf, good % (2, B))
    check(wait_count(agent, "Reloading", n + 2), "renamed over: the good file is read")
    time.sleep(1.5)
    ca.datagrams(0.1)
    polling_on_wire(cb, 2, "renamed over, good: collector B, new")
    check(ca.datagrams(0.1) == [], "renamed over, good: collector A stops")
    agent.rewrite(bad % A)
    refused(agent, "in place", k + 2)
    polling_on_wire(cb, 2, "in place, refused: collector B, old")
    check(ca.datagrams(0.1) == [], "in place, refused: collector A receives nothing")
    agent.rewrite(good % (1, A))
    check(wait_count(agent, "Reloading", n + 4), "in place: the good file is read")
    time.sleep(1.5)
    cb.datagrams(0.1)
    check(len(host_seqs(ca.datagrams(2.5))) >= 2, "in place, good: collector A receives again")
    check(cb.datagrams(0.1) == [], "in place, good: collector B stops")
    check(agent.proc.poll() is None, "the agent keeps running")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
