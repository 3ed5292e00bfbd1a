#!/usr/bin/env python3
"""tshark.py - an independent decoder (tshark) reads our datagrams with no malformed field and
gets the same header values and 0:1 interface counters as sflowcat.

tshark 4.0 does not know the host structures (2000+) and misreads everything after the first one
in a datagram, so datagrams carrying the host sample 2:1 are checked for their header only. To
get interface-only datagrams, polling is long and interfaces are added during the capture: each
new interface is polled at once, in a datagram of its own."""
import shutil
import subprocess
import time

import e2e
import wire
from e2e import check, element, samples

FIELDS = ["frame.number", "sflow_245.version", "sflow_245.sequence_number", "sflow_245.agent",
          "sflow_245.sub_agent_id", "sflow_245.numsamples", "sflow_245.sysuptime",
          "sflow_245.ifindex", "sflow_245.ifinoct", "sflow_245.ifoutoct", "sflow_245.ifinpkt",
          "sflow_245.ifoutpkt", "sflow_245.ifspeed"]


def tshark(pcap, *args):
    r = subprocess.run(["tshark", "-r", pcap, "-d", "udp.port==6343,sflow"] + list(args),
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tshark: " + r.stderr)
    return r.stdout


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("tshark") is not None, "tshark is not installed (apt-get install tshark)")
    a, b = e2e.netns("ta"), e2e.netns("tb")
    va, vb = e2e.veth_pair(a, "tva", b, "tvb", "198.51.100.1/24", "198.51.100.2/24")
    e2e.sh("ping -c 5 -i 0.2 -q 198.51.100.2", ns=a)
    col = e2e.Collector(6343, ns=a)
    cap = wire.Capture(a, 6343)  # returns once dumpcap says it is capturing
    pcap = cap.path
    agent = e2e.Agent("sflow { polling = 60 collector { ip = 127.0.0.1 } }\n", ns=a)
    time.sleep(1.5)
    for i in range(3):
        e2e.sh("ip link add %sx%d type veth peer name %sy%d" % (e2e.TAG, i, e2e.TAG, i), ns=a)
        e2e.sh("ip link set %sx%d up" % (e2e.TAG, i), ns=a)
        time.sleep(1.5)
    ours = {int(d["packetSequenceNo"]): d for d in col.datagrams(1.5)}
    check(agent.stop() == 0, "agent exit 0")
    time.sleep(0.5)
    cap.stop()
    for d in col.datagrams(0.5):
        ours[int(d["packetSequenceNo"])] = d

    bad = tshark(pcap, "-T", "fields", "-e", "sflow_245.sequence_number", "-Y",
                 "_ws.malformed || _ws.expert.severity >= 8388608").split()
    rows = tshark(pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a",
                  *sum([["-e", f] for f in FIELDS], [])).splitlines()
    check(len(rows) >= 3, "tshark decodes %d datagrams" % len(rows))
    compared_if = 0
    for row in rows:
        v = dict(zip(FIELDS, row.split("|")))
        seq = int(v["sflow_245.sequence_number"])
        d = ours.get(seq)
        check(d is not None, "datagram %d seen by both decoders" % seq)
        check(v["sflow_245.version"] == "5", "version 5")
        check(v["sflow_245.agent"] == d["agent"], "agent address %s" % d["agent"])
        check(v["sflow_245.sub_agent_id"] == d["agentSubId"], "sub-agent id")
        check(v["sflow_245.numsamples"] == d["samplesInPacket"], "samples in datagram %d" % seq)
        check(v["sflow_245.sysuptime"] == d["sysUpTime"], "uptime")
        if any(samples(d, "2:1")):
            continue
        check(str(seq) not in bad, "datagram %d: no malformed field" % seq)
        gen = [element(s, "0:1") for s in samples(d) if element(s, "0:1")]
        check(gen, "datagram %d has interface counters" % seq)
        for field, key in (("sflow_245.ifindex", "ifIndex"), ("sflow_245.ifinoct", "ifInOctets"),
                           ("sflow_245.ifoutoct", "ifOutOctets"),
                           ("sflow_245.ifinpkt", "ifInUcastPkts"),
                           ("sflow_245.ifoutpkt", "ifOutUcastPkts"),
                           ("sflow_245.ifspeed", "ifSpeed")):
            theirs = v[field].split(",") if v[field] else []
            check(theirs == [g[key] for g in gen], "%s in datagram %d: %s" % (key, seq, theirs))
        compared_if += 1
    check(compared_if >= 1, "interface counters compared in %d datagrams" % compared_if)


if __name__ == "__main__":
    e2e.run(main)
