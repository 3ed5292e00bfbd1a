#!/usr/bin/env python3
"""faults_collector.py - collector faults judged from the wire (a capture on the agent's
loopback): a port closed then opened; a collector name that does not resolve, then does (from
the namespace's own hosts file, /etc/netns/NS/hosts); SIGTERM under a paced load of 40 k
packets/s sampled 1-in-10. Each time the datagrams on the wire have no gap and their count is
what the agent reports as sent."""
import os
import shutil
import signal
import subprocess
import time

import e2e
import wire
from e2e import check

SRC = os.environ.get("srcdir", os.path.join(e2e.HERE, "..", ".."))
LOAD_PPS, LOAD_SECONDS, RATE, LOAD_PORT = 40000, 4, 10, 9999


def polled_ns(name, pairs=10):
    """A namespace with veth pairs: 2 * pairs interface data sources polled every second."""
    ns = e2e.netns(name)
    for i in range(pairs):
        e2e.sh("ip link add %s%sa%d type veth peer name %s%sb%d"
               % (e2e.TAG, name, i, e2e.TAG, name, i), ns=ns)
        for side in "ab":
            e2e.sh("ip link set %s%s%s%d up" % (e2e.TAG, name, side, i), ns=ns)
    return ns


def conf(ip, port, extra=""):
    return ("sflow { polling = 1 datagramBytes = 200\n"
            "  collector { ip = %s udpport = %d }\n%s}\n" % (ip, port, extra))


def finish(agent, cap, collector, what, after_stop=lambda: None):
    """SIGTERM; the wire's datagrams and the agent's counts."""
    check(agent.stop() == 0, "%s: SIGTERM, exit 0" % what)
    after_stop()
    check(cap.stop() == 0, "%s: the capture dropped nothing" % what)
    built, cols = wire.exit_counts(agent)
    sent, lost = cols.get(collector, (None, None))
    got = cap.datagrams()
    e2e.log("%s: agent: %d datagrams built, %s sent, %s lost; %d on the wire"
            % (what, built, sent, lost, len(got)))
    return built, sent, lost, got


def closed_then_open():
    ns, port = polled_ns("cl"), 7401
    cap = wire.Capture(ns, port)
    lis = wire.Listener(ns, port)
    agent = e2e.Agent(conf("127.0.0.1", port), ns=ns, name="closed.conf")
    check(agent.wait_log("127.0.0.1:%d: unreachable" % port, 5), "closed port: unreachable logged")
    time.sleep(1.5)
    t_up = lis.up()
    time.sleep(2.5)
    built, sent, lost, got = finish(agent, cap, "127.0.0.1:%d" % port, "closed then open")
    received = lis.received()
    wire.check_contiguous([q for _, q in got], 1, built, "closed then open")
    check(sent == len(got) == built and lost == 0, "closed then open: sent %s = %d on the wire "
          "= %d built, lost %s" % (sent, len(got), built, lost))
    before = [q for t, q in got if t < t_up]
    after = [q for t, q in got if t > t_up]
    check(len(before) > 10 and cap.port_unreachable() > 0,
          "closed then open: %d datagrams on the wire while closed, answered port unreachable"
          % len(before))
    missing = sorted(set(after) - set(received))
    check(after and not missing, "closed then open: all %d datagrams after it opened were "
          "received (missing %s)" % (len(after), missing[:10]))


def unresolvable_then_resolvable():
    ns, port = polled_ns("rs"), 7402
    # getaddrinfo (AI_ADDRCONFIG) answers IPv4 only where a non-loopback IPv4 address exists
    e2e.sh("ip addr add 192.0.2.1/24 dev %srsa0" % e2e.TAG, ns=ns)
    name = "collector-%s.test" % e2e.TAG
    etc = "/etc/netns/%s" % ns  # what `ip netns exec` mounts over /etc/hosts, /etc/resolv.conf
    had_parent = os.path.isdir("/etc/netns")
    os.makedirs(etc)
    try:
        hosts = os.path.join(etc, "hosts")
        with open(hosts, "w") as f:
            f.write("127.0.0.1 localhost\n")
        with open(os.path.join(etc, "resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")  # answered at once
        cap = wire.Capture(ns, port)
        lis = wire.Listener(ns, port)
        lis.up()
        agent = e2e.Agent(conf(name, port), ns=ns, name="resolve.conf")
        check(agent.wait_log("%s:%d: name does not resolve" % (name, port), 5),
              "unresolvable name logged")
        time.sleep(1.5)
        with open(hosts, "a") as f:  # in place: the mount shows the same file
            f.write("127.0.0.1 %s\n" % name)
        check(agent.wait_log("%s:%d: resolved, sending" % (name, port), 10),
              "the name resolves on a retry")
        time.sleep(2)
        built, sent, lost, got = finish(agent, cap, "%s:%d" % (name, port), "resolvable")
        received = lis.received()
    finally:
        shutil.rmtree(etc, ignore_errors=True)
        if not had_parent:
            try:
                os.rmdir("/etc/netns")
            except OSError:
                pass  # another test's namespace files are there
    seqs = [q for _, q in got]
    check(seqs and seqs[0] > 1, "datagrams built before the name resolved did not go out "
          "(first on the wire: %s)" % (seqs[0] if seqs else None))
    wire.check_contiguous(seqs, seqs[0], built, "resolvable")
    check(sent == len(got) and lost == seqs[0] - 1,
          "resolvable: sent %s = %d on the wire; lost %s = the %d built before it resolved"
          % (sent, len(got), lost, seqs[0] - 1))
    check(sorted(received) == seqs, "resolvable: the collector received every datagram on the "
          "wire (%d)" % len(received))


def set_neigh(a, b, va, vb):
    """Static neighbours: no ARP crosses the pair, only the load."""
    mac_a = e2e.sh("cat /sys/class/net/%s/address" % va, ns=a).strip()
    mac_b = e2e.sh("cat /sys/class/net/%s/address" % vb, ns=b).strip()
    e2e.sh("ip neigh replace 192.0.2.2 lladdr %s dev %s nud permanent" % (mac_b, va), ns=a)
    e2e.sh("ip neigh replace 192.0.2.1 lladdr %s dev %s nud permanent" % (mac_a, vb), ns=b)


def sigterm_under_load():
    blast = e2e.tmpfile("udpblast")
    subprocess.run(["gcc", "-O2", "-o", blast, os.path.join(SRC, "bench", "udpblast.c")],
                   check=True)
    a, b = e2e.netns("la"), e2e.netns("lb")
    va, vb = e2e.veth_pair(a, "va", b, "vb", "192.0.2.1/24", "192.0.2.2/24")
    set_neigh(a, b, va, vb)
    e2e.start([blast, "sink", str(LOAD_PORT), str(LOAD_SECONDS + 2)], ns=a)
    port = 7403  # nothing listens: every datagram is answered port unreachable
    cap = wire.Capture(a, port)
    agent = e2e.Agent("sflow { polling = 0\n  collector { ip = 127.0.0.1 udpport = %d }\n"
                      "  pcap { dev = %s sampling = %d }\n}\n" % (port, va, RATE), ns=a,
                      name="load.conf")
    check(agent.wait_log("pcap: %s (ifIndex" % va, 5) and
          agent.wait_log("sampling 1-in-%d" % RATE, 1), "%s sampled 1-in-%d" % (va, RATE))
    load = e2e.start([blast, "send", "192.0.2.1", str(LOAD_PORT), str(LOAD_PPS),
                      str(LOAD_SECONDS), "64"], ns=b, stdout=subprocess.PIPE)
    time.sleep(LOAD_SECONDS / 2)
    rx_at_signal = int(e2e.sh("cat /sys/class/net/%s/statistics/rx_packets" % va, ns=a))
    running = []
    built, sent, lost, got = finish(agent, cap, "127.0.0.1:%d" % port, "SIGTERM under load",
                                    lambda: running.append(load.poll() is None))
    check(running == [True], "the load was still running when the agent stopped")
    out = load.communicate(timeout=LOAD_SECONDS + 5)[0]
    e2e.log("load: %s; %d packets received by %s before the signal" % (out.strip(), rx_at_signal,
                                                                       va))
    wire.check_contiguous([q for _, q in got], 1, built, "SIGTERM under load")
    check(sent == len(got) == built and lost == 0, "SIGTERM under load: sent %s = %d on the wire "
          "= %d built, lost %s" % (sent, len(got), built, lost))
    samples = sum(cap.samples_per_datagram())
    said = int(agent.log_text().split("Exiting:")[-1].split("datagrams,")[1].split()[0])
    check(built > 100 and samples == said and samples > rx_at_signal / RATE / 4,
          "SIGTERM under load: %d flow samples on the wire = %d the agent counted (~1 in %d of %d "
          "packets)" % (samples, said, RATE, rx_at_signal))


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("dumpcap") and shutil.which("tshark"), "dumpcap and tshark installed")
    e2e.need(shutil.which("gcc"), "gcc (to build bench/udpblast.c)")
    closed_then_open()
    unresolvable_then_resolvable()
    sigterm_under_load()


if __name__ == "__main__":
    e2e.run(main)
