#!/usr/bin/env python3
"""agent_dns.py - agentIP=<name> while the DNS server does not answer (dnsmasq stopped with
SIGSTOP): polling goes on with the address chosen as without agentIP; once the server answers,
the datagrams carry the name's address; a lookup that fails later (server gone, SIGHUP) keeps
it."""
import os
import shutil
import signal
import subprocess
import threading
import time

import e2e
from e2e import check, samples

FALLBACK = "192.0.2.1"    # the namespace's only address besides loopback (a veth)
ANSWER = "198.51.100.7"   # what the DNS server says the name is


def host_samples(ds):
    return [(d["agent"], int(s["sampleSequenceNo"])) for d in ds for s in samples(d, "2:1")]


class Dns:
    """dnsmasq on 127.0.0.1:53 of the namespace, its log of queries kept."""

    def __init__(self, ns, name):
        self.lines = []
        self.proc = e2e.start(["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts",
                               "--listen-address=127.0.0.1", "--bind-interfaces", "--port=53",
                               "--address=/%s/%s" % (name, ANSWER), "--log-queries",
                               "--log-facility=-", "--pid-file=", "--user=root"],
                              ns=ns, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        threading.Thread(target=self._read, daemon=True).start()
        end = time.time() + 5
        while time.time() < end and not any("started" in l for l in self.lines):
            time.sleep(0.05)
        check(any("started" in l for l in self.lines), "dnsmasq runs in the namespace")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def queries(self, name):
        return [l for l in self.lines if "query[" in l and name in l]


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("dnsmasq") is not None, "dnsmasq missing (apt-get install dnsmasq-base)")
    ns = e2e.netns("dns")
    etc = "/etc/netns/" + ns
    made_top = not os.path.isdir("/etc/netns")
    os.makedirs(etc, exist_ok=True)
    try:
        body(ns, etc)
    finally:
        shutil.rmtree(etc, ignore_errors=True)
        if made_top:
            try:
                os.rmdir("/etc/netns")
            except OSError:
                pass


def body(ns, etc):
    # programs run with `ip netns exec` read this resolv.conf: a query waits 5 s, twice
    with open(etc + "/resolv.conf", "w") as f:
        f.write("nameserver 127.0.0.1\noptions timeout:5 attempts:2\n")
    e2e.veth_pair(ns, "dva", e2e.netns("dn2"), "dvb", FALLBACK + "/24", "192.0.2.2/24")
    name = "agent-%s.example.test" % e2e.TAG
    dns = Dns(ns, name)
    dns.proc.send_signal(signal.SIGSTOP)  # the outage: queries are queued, never answered
    port = e2e.free_port()
    col = e2e.Collector(port, ns=ns)
    conf = "sflow {\n polling = 1\n agentIP = %s\n collector { ip = 127.0.0.1 udpport = %d }\n}\n"
    agent = e2e.Agent(conf % (name, port), ns=ns)

    # ---- 1. no answer: polling goes on, as without agentIP ----
    got = host_samples(col.datagrams(4.5))
    e2e.log("during the outage: %s" % got)
    check(len(got) >= 3, "2:1 polled every second while the name does not resolve (%d samples "
          "in 4.5 s)" % len(got))
    check(all(a == FALLBACK for a, _ in got), "the agent address is the one chosen without "
          "agentIP (%s)" % FALLBACK)
    check(agent.wait_log("agentIP %s not resolved yet" % name, 0.1), "the log says so")

    # ---- 2. the server answers: the name's address ----
    dns.proc.send_signal(signal.SIGCONT)
    t = time.time()
    more = []
    while time.time() < t + 12 and not any(d["agent"] == ANSWER for d in more):
        more += col.datagrams(0.1)
    check(any(d["agent"] == ANSWER for d in more), "datagrams carry %s %.1f s after the "
          "server answers" % (ANSWER, time.time() - t))
    check(dns.queries(name), "the agent asked the DNS server (%d queries)" %
          len(dns.queries(name)))
    seqs = [q for _, q in got + host_samples(more + col.datagrams(1.5))]
    check(seqs == list(range(seqs[0], seqs[0] + len(seqs))), "2:1 sequence numbers go on "
          "without a gap (%d..%d)" % (seqs[0], seqs[-1]))

    # ---- 3. a failed lookup keeps the address ----
    e2e.stop(dns.proc)
    agent.proc.send_signal(signal.SIGHUP)  # a reload looks the name up again
    check(agent.wait_log("agentIP %s does not resolve" % name, 12), "the failed lookup is "
          "logged")
    got = host_samples(col.datagrams(2.5))
    check(len(got) >= 2 and all(a == ANSWER for a, _ in got), "the address stays %s after the "
          "failure (%d samples)" % (ANSWER, len(got)))
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
