#!/usr/bin/env python3
"""dnssd.py - dns-sd against a real DNS server (dnsmasq) in a test namespace: collectors from
the SRV records and settings from the TXT record are picked up (agentIP seen in the datagrams,
polling seen in the sample rate); a changed record is applied within its TTL and sequence
numbers go on; the server down keeps the last settings; a malformed TXT value is refused with a
message naming the record; records removed stop the export, records back resume it."""
import os
import shutil
import subprocess
import time

import e2e
from e2e import check, samples

DOMAIN = "example.test"
NAME = "_sflow._udp." + DOMAIN
TTL = 10


class Dns:
    def __init__(self, ns):
        self.ns, self.proc = ns, None

    def start(self, port=None, txt=None):
        args = ["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--conf-file=/dev/null",
                "--pid-file=", "--listen-address=127.0.0.1", "--bind-interfaces",
                "--local-ttl=%d" % TTL, "--local=/%s/" % DOMAIN,
                "--host-record=collector.%s,127.0.0.1" % DOMAIN,
                "--txt-record=other.%s,x" % DOMAIN]
        if port:
            args.append("--srv-host=%s,collector.%s,%d" % (NAME, DOMAIN, port))
        if txt:
            args.append("--txt-record=%s,%s" % (NAME, ",".join(txt)))
        self.proc = e2e.start(args, ns=self.ns, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        time.sleep(0.3)

    def stop(self):
        if self.proc:
            e2e.stop(self.proc)
        self.proc = None

    def restart(self, **kw):
        self.stop()
        self.start(**kw)


def agents(ds):
    return {d["agent"] for d in ds}


def host_seqs(ds):
    return [int(s["sampleSequenceNo"]) for d in ds for s in samples(d, "2:1")]


def wait_agent(col, agent_ip, seconds):
    """Seconds until a datagram from agent_ip arrives at col, or None."""
    t = time.time()
    d = col.wait_for(lambda d: d["agent"] == agent_ip, seconds)
    return None if d is None else time.time() - t


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("dnsmasq") is not None, "dnsmasq is not installed (dnsmasq-base)")
    ns = e2e.netns("ds")
    etc = "/etc/netns/" + ns
    os.makedirs(etc, exist_ok=True)
    try:
        with open(etc + "/resolv.conf", "w") as f:
            f.write("nameserver 127.0.0.1\n")
        body(ns)
    finally:
        shutil.rmtree(etc, ignore_errors=True)


def body(ns):
    c1, c2 = e2e.Collector(7201, ns=ns), e2e.Collector(7202, ns=ns)
    dns = Dns(ns)
    dns.start(port=7201, txt=["txtvers=1", "polling=2", "agentIP=192.0.2.77",
                              "sampling.app.shop=10", "datagramBytes=1000"])
    agent = e2e.Agent("sflow {\n  polling = 30\n  dns-sd { domain = .%s }\n}\n" % DOMAIN, ns=ns)

    # 1. Picked up: collector from SRV (its name resolved through the same server), settings
    #    from TXT: the agent address in the datagrams, polling 2 s instead of the file's 30.
    t = wait_agent(c1, "192.0.2.77", 8)
    check(t is not None, "the SRV collector receives, with agentIP from TXT (after %.1f s)"
          % (t or -1))
    # polls 2 s apart, each sample waiting up to 1 s for its datagram: two arrive within 6 s
    got = c1.datagrams(6)
    seqs = host_seqs(got)
    check(len(seqs) >= 2, "2:1 is polled every 2 s (TXT polling=2): %d samples in 6 s" % len(seqs))
    check(agents(got) == {"192.0.2.77"}, "every datagram carries the TXT agentIP")
    check(max(int(d["datagramSize"]) for d in got) <= 1000, "datagrams within TXT datagramBytes")

    # 2. A changed record: another collector and agent address, applied within the TTL;
    #    the sequence numbers of the datagrams and of 2:1 go on.
    last = c1.datagrams(0.1)
    seq_before = max(int(d["packetSequenceNo"]) for d in got + last)
    host_before = max(host_seqs(got + last) or [0])
    t0 = time.time()
    dns.restart(port=7202, txt=["polling=1", "agentIP=192.0.2.78"])
    t = wait_agent(c2, "192.0.2.78", TTL + 5)
    check(t is not None and t <= TTL + 5,
          "the changed records are applied within the TTL (%ds): %.1f s" % (TTL, t or -1))
    got2 = c2.datagrams(5)
    time.sleep(0.2)
    c1.datagrams(1.2)  # what was pending at the change
    check(c1.datagrams(2) == [], "the old collector receives nothing any more")
    seqs2 = host_seqs(got2)
    check(len(seqs2) >= 4, "2:1 now every second (TXT polling=1): %d in 5 s" % len(seqs2))
    check(min(int(d["packetSequenceNo"]) for d in got2) > seq_before and
          min(seqs2) > host_before, "sequence numbers go on across the change (%d -> %d)"
          % (seq_before, min(int(d["packetSequenceNo"]) for d in got2)))
    change_s = time.time() - t0

    # 3. The server down: the last collectors and settings stay, past the TTL.
    dns.stop()
    c2.datagrams(TTL + 3)
    got3 = c2.datagrams(2)
    check(len(got3) >= 1 and agents(got3) == {"192.0.2.78"},
          "with the server down the agent still sends to the last collector with the last "
          "settings (%d datagrams)" % len(got3))
    log = agent.log_text()
    check("lookup of %s failed" % NAME in log, "the failed lookup is logged")

    # 4. A malformed TXT value is refused with a message naming the record and the string.
    dns.start(port=7202, txt=["polling=abc", "agentIP=192.0.2.79"])
    msg = 'TXT record of %s: "polling=abc" refused' % NAME
    check(agent.wait_log(msg, TTL + 5), "a malformed TXT value is refused naming the record")
    got4 = c2.datagrams(2)
    check(len(got4) >= 1 and agents(got4) == {"192.0.2.78"},
          "the settings in force stay (agentIP of the other string not taken)")

    # 5. Records removed: export stops (an answer without SRV records), and says so.
    dns.restart()
    check(agent.wait_log("%s has no SRV records" % NAME, TTL + 5), "no SRV records is logged")
    c2.datagrams(1.5)
    check(c2.datagrams(3) == [] and c1.datagrams(0.1) == [], "nothing is sent without SRV records")

    # 6. Records back: export resumes.
    dns.restart(port=7201, txt=["polling=1"])
    t = c1.wait_for(lambda d: True, TTL + 5)
    check(t is not None, "export resumes when the records return")
    check(agent.proc.poll() is None, "the agent kept running throughout")
    check(e2e.stop(agent.proc) == 0, "the agent exits 0")
    dns.stop()
    e2e.log("figures: first change applied after %.1f s (TTL %d s)" % (change_s, TTL))


if __name__ == "__main__":
    e2e.run(main)
