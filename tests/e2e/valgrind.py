#!/usr/bin/env python3
"""valgrind.py - the daemon under valgrind through a run that touches most of its code: host and
interface counters, packet sampling on a veth pair, tcp enrichment of a TCP connection, an
interface removed, a reload that changes the modules, a bad file refused, SIGTERM. Valgrind
must report no invalid access and no definite leak (its exit code would be 99); the collector
must have received what the run produced."""
import os
import shutil
import signal
import subprocess
import time

import e2e
from e2e import check, samples

PORT = 6343
CONF = """sflow {
  polling = 1
  collector { ip = 127.0.0.1 udpport = %d }
  %s
}
"""
SAMPLED = "pcap { dev = %s  sampling = 5 }\n  tcp { }"

SENDER = """
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"hsflowd-valgrind" + bytes(64), (sys.argv[1], 9))
    if i % 50 == 49:
        time.sleep(0.005)
t = socket.create_connection((sys.argv[1], 9001))
for i in range(200):
    t.sendall(b"x" * 100)
    time.sleep(0.005)
t.close()
"""
SERVER = """
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9001))
s.listen(1)
c, _ = s.accept()
while c.recv(65536):
    pass
"""


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("valgrind") is not None, "valgrind missing (apt-get install valgrind)")
    a, b = e2e.netns("va"), e2e.netns("vb")
    va, vb = e2e.veth_pair(a, "vga", b, "vgb", "192.0.2.1/24", "192.0.2.2/24")
    extra, _ = e2e.veth_pair(a, "vgx", b, "vgy", "198.51.100.1/24", "198.51.100.2/24")
    vglog = e2e.tmpfile("valgrind.log")
    col = e2e.Collector(PORT, ns=a)
    server = e2e.start(["python3", "-c", SERVER], ns=a)
    agent = e2e.Agent(CONF % (PORT, SAMPLED % va), ns=a, wrapper=[
        "valgrind", "--error-exitcode=99", "--leak-check=full",
        "--errors-for-leak-kinds=definite", "--track-fds=no", "--log-file=" + vglog])
    first = col.wait_for(lambda d: any(samples(d, "2:1")), 30)
    check(first is not None, "host counters arrive from the daemon under valgrind")
    time.sleep(2)  # the pcap handles open after start-up
    e2e.sh("python3 -c '%s' 192.0.2.1 1000" % SENDER.replace("'", "'\\''"), ns=b)
    got = col.datagrams(3)
    flows = [s for d in got for s in samples(d, kind="0:3")]
    flows += [s for d in got for s in samples(d, kind="0:1")]
    check(len(flows) >= 20, "flow samples of the veth traffic (%d)" % len(flows))
    tcp = [s for s in flows if e2e.element(s, "0:2209")]
    check(len(tcp) >= 1, "tcp info on sampled TCP packets (%d)" % len(tcp))

    e2e.sh("ip link del %s" % extra, ns=a)
    agent.rewrite(CONF % (PORT, ""))  # no more sampling: pcap and tcp stop
    check(agent.wait_log("Reloading", 10), "the change of the file is noticed")
    time.sleep(2)
    agent.rewrite("sflow {\n  polling = 1\n  colector { }\n}\n")
    time.sleep(2)
    check("not reloaded" in agent.log_text(), "a bad file is refused")
    agent.rewrite(CONF % (PORT, SAMPLED % va))
    agent.proc.send_signal(signal.SIGHUP)
    time.sleep(3)
    check(len(col.datagrams(2)) >= 1, "the collector still receives after the reloads")

    rc = e2e.stop(agent.proc, timeout=60)  # SIGTERM; the leak check takes a while
    with open(vglog) as f:
        report = f.read()
    summary = [l for l in report.splitlines() if "ERROR SUMMARY" in l or "definitely lost" in l
               or "All heap blocks were freed" in l or "in use at exit" in l]
    e2e.log("valgrind: " + " | ".join(l.split("== ", 1)[-1] for l in summary))
    if rc != 0:
        e2e.log(report[-6000:])
    check(rc == 0, "the daemon exits 0 under valgrind (99: valgrind found errors), got %s" % rc)
    check(any("ERROR SUMMARY: 0 errors" in l for l in summary), "valgrind: 0 errors")
    check(not any("definitely lost:" in l and "definitely lost: 0 bytes" not in l
                  for l in summary), "valgrind: nothing definitely lost")
    e2e.stop(server)


if __name__ == "__main__":
    e2e.run(main)
