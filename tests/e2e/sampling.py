#!/usr/bin/env python3
"""sampling.py - the pcap module: 1-in-N kernel sampling of a veth pair carrying a known number
of packets (counts, pool, direction, headers checked against tshark), a tun interface (raw IP,
no MAC), an interface removed and added again, a device that does not exist, a rate change on
reload."""
import math
import os
import struct
import subprocess
import time

import e2e
from e2e import check

N, N2 = 10, 5              # sampling rate, then after the reload
K, K2 = 3000, 2000         # packets b -> a (received by va), a -> b (sent by va)
SIZE_IN, SIZE_OUT = 100, 200  # UDP payload bytes each way
PORT = 9999
MARK = b"HSPCAPE2E"
INTERNAL = 1073741823

SENDER = """
import socket, struct, sys, time
dst, count, size, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(count):
    s.sendto((b"%s" + tag + struct.pack("!I", i)).ljust(size, b"."), (dst, %d))
    if i %% 50 == 49:
        time.sleep(0.002)
""" % (MARK.decode(), PORT)

SINK = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
while True:
    s.recv(65536)
"""

# A tun interface held by this process: writes IPv4/UDP packets into it (received by the
# host), reads what the host routes into it (sent); "go" on stdin starts the traffic.
TUN = """
import fcntl, os, socket, struct, sys, time
name, n_in, n_out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", name.encode(), 0x0001 | 0x1000))  # TUN, NO_PI
print("ready", flush=True)
sys.stdin.readline()
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("10.9.0.1", 9998))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
for i in range(n_in):
    payload = MARK + b"T" + struct.pack("!I", i)
    udp = struct.pack("!HHHH", 5555, 9998, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0,
                     socket.inet_aton("10.9.0.2"), socket.inet_aton("10.9.0.1"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    os.write(fd, ip + udp)
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n_out):
    out.sendto(MARK + b"U" + struct.pack("!I", i), ("10.9.0.2", 9997))
    os.read(fd, 2048)
print("done", flush=True)
sys.stdin.readline()
""".replace("MARK +", "b'%s' +" % MARK.decode())


def sysfs(ns, dev, name):
    return int(e2e.sh("cat /sys/class/net/%s/%s" % (dev, name), ns=ns).strip())


def flow_samples(datagrams):
    for d in datagrams:
        for s in e2e.samples(d, kind="0:3"):
            yield s


def header(s):
    return e2e.element(s, "0:1")


def payload(h):
    """The UDP payload of a sampled header (Ethernet or raw IPv4)."""
    raw = bytes.fromhex(h["headerBytes"].replace("-", ""))
    off = 14 if h["headerProtocol"] == "1" else 0
    ihl = (raw[off] & 0x0F) * 4
    return raw, raw[off + ihl + 8:]


def set_neigh(a, b, va, vb):
    """Static neighbours: no ARP crosses the pair, only the test's packets."""
    mac_a = e2e.sh("cat /sys/class/net/%s/address" % va, ns=a).strip()
    mac_b = e2e.sh("cat /sys/class/net/%s/address" % vb, ns=b).strip()
    e2e.sh("ip neigh replace 192.0.2.2 lladdr %s dev %s nud permanent" % (mac_b, va), ns=a)
    e2e.sh("ip neigh replace 192.0.2.1 lladdr %s dev %s nud permanent" % (mac_a, vb), ns=b)


def conf(rate, va, tun, missing):
    return ("sflow { polling = 0 collector { ip = 127.0.0.1 }\n"
            "  pcap { dev = %s sampling = %d }\n"
            "  pcap { dev = %s sampling = 1 }\n"
            "  pcap { dev = %s }\n}\n" % (va, rate, tun, missing))


def tshark_fields(samples):
    """Write the sampled Ethernet headers as a pcap file and let tshark decode them."""
    path = e2e.tmpfile("headers.pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for s in samples:
            raw = bytes.fromhex(header(s)["headerBytes"].replace("-", ""))
            f.write(struct.pack("<IIII", 0, 0, len(raw), len(raw)) + raw)
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "fields", "-e", "ip.src", "-e",
                          "ip.dst", "-e", "udp.srcport", "-e", "udp.dstport"],
                         capture_output=True, text=True, check=True).stdout
    return [tuple(line.split("\t")) for line in out.splitlines()]


def check_veth(col, a, b, va, ifindex, rate, k_in, k_out, phase):
    col.datagrams(0.3)  # nothing crosses the pair before the traffic; forget the rest
    sender = e2e.tmpfile("send.py", SENDER)
    t0 = time.time()
    e2e.sh("python3 %s 192.0.2.1 %d %d B" % (sender, k_in, SIZE_IN), ns=b)
    e2e.sh("python3 %s 192.0.2.2 %d %d A" % (sender, k_out, SIZE_OUT), ns=a)
    sent_s = time.time() - t0
    time.sleep(0.3)
    kernel = sysfs(a, va, "statistics/rx_packets") + sysfs(a, va, "statistics/tx_packets")
    got = [s for s in flow_samples(col.datagrams(2.0)) if s["sourceId"] == "0:%d" % ifindex]
    e2e.log("%s: %d+%d packets sent in %.2f s, %d samples" % (phase, k_in, k_out, sent_s, len(got)))
    check(len(got) > 0, "%s: flow samples of 0:%d" % (phase, ifindex))
    rx = [s for s in got if s["inputPort"] == str(ifindex) and s["outputPort"] == str(INTERNAL)]
    tx = [s for s in got if s["outputPort"] == str(ifindex) and s["inputPort"] == str(INTERNAL)]
    check(len(rx) + len(tx) == len(got), "%s: every sample is received (in=%d, out=internal) "
          "or sent (in=internal, out=%d)" % (phase, ifindex, ifindex))
    for n_sent, lst, what in ((k_in, rx, "received"), (k_out, tx, "sent")):
        mean = n_sent / rate
        sd = math.sqrt(n_sent * (1 / rate) * (1 - 1 / rate))
        check(abs(len(lst) - mean) <= 4 * sd, "%s: %d %s samples, expected %.0f +- %.0f (4 sd)"
              % (phase, len(lst), what, mean, 4 * sd))
    check(all(s["meanSkipCount"] == str(rate) for s in got), "%s: meanSkipCount %d" % (phase, rate))
    pool = int(got[-1]["samplePool"])
    check(abs(pool - kernel) <= 0.01 * kernel,
          "%s: samplePool %d = rx+tx packets of %s %d (1 %%)" % (phase, pool, va, kernel))
    check(all(int(s["dropEvents"]) == 0 for s in got), "%s: no drops" % phase)
    for lst, src, dst, tag, size, n_sent in ((rx, "192.0.2.2", "192.0.2.1", b"B", SIZE_IN, k_in),
                                             (tx, "192.0.2.1", "192.0.2.2", b"A", SIZE_OUT, k_out)):
        seqs = set()
        for s in lst:
            h = header(s)
            _, p = payload(h)
            ok = (h["headerProtocol"] == "1" and h["srcIP"] == src and h["dstIP"] == dst
                  and h["UDPDstPort"] == str(PORT) and p.startswith(MARK + tag)
                  and int(h["sampledPacketSize"]) == 14 + 28 + size + 4
                  and h["strippedBytes"] == "4")
            if not ok:
                raise AssertionError("%s: unexpected sample %s" % (phase, s))
            seq = struct.unpack("!I", p[len(MARK) + 1:len(MARK) + 5])[0]
            if seq >= n_sent or seq in seqs:
                raise AssertionError("%s: sequence %d out of range or twice" % (phase, seq))
            seqs.add(seq)
        check(True, "%s: every %s header is one of the packets sent (%s -> %s, marker, "
              "sequence, size)" % (phase, "received" if tag == b"B" else "sent", src, dst))
    return got


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(os.path.exists("/dev/net/tun"), "/dev/net/tun")
    tshark = subprocess.run(["which", "tshark"], capture_output=True).returncode == 0
    e2e.need(tshark, "tshark is installed")
    a, b = e2e.netns("a"), e2e.netns("b")
    va, vb = e2e.veth_pair(a, "va", b, "vb", "192.0.2.1/24", "192.0.2.2/24")
    set_neigh(a, b, va, vb)
    for ns in (a, b):
        e2e.start(["python3", "-c", SINK, str(PORT)], ns=ns)
    ifindex = sysfs(a, va, "ifindex")
    tun, missing = e2e.TAG + "tun", e2e.TAG + "nosuch"
    col = e2e.Collector(6343, ns=a)
    agent = e2e.Agent(conf(N, va, tun, missing), ns=a)
    check(agent.wait_log("pcap: %s (ifIndex %d): sampling 1-in-%d (rule: pcap { sampling }"
                         % (va, ifindex, N), 5), "va sampled 1-in-%d, rule logged" % N)
    check(agent.wait_log("pcap: %s: cannot sample" % missing, 3) and
          "No such device" in agent.log_text(), "missing device: error naming it")

    # 1. the veth pair
    got = check_veth(col, a, b, va, ifindex, N, K, K2, "veth")
    fields = tshark_fields(got)
    mine = [(header(s)["srcIP"], header(s)["dstIP"], header(s)["UDPSrcPort"],
             header(s)["UDPDstPort"]) for s in got]
    check(fields == mine, "tshark decodes the %d sampled headers as sflowcat does" % len(got))

    # 2. a tun interface (no MAC, raw IP) that appears after the start
    p = subprocess.Popen(["ip", "netns", "exec", a, "python3", "-c", TUN, tun, "20", "30"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    e2e._procs.append(p)
    check(p.stdout.readline().strip() == "ready", "tun created")
    e2e.sh("ip addr add 10.9.0.1/24 dev %s" % tun, ns=a)
    e2e.sh("ip link set %s up" % tun, ns=a)
    tun_index = sysfs(a, tun, "ifindex")
    check(agent.wait_log("pcap: %s (ifIndex %d): sampling 1-in-1" % (tun, tun_index), 5),
          "tun picked up from its link event")
    col.datagrams(0.3)
    p.stdin.write("go\n")
    p.stdin.flush()
    check(p.stdout.readline().strip() == "done", "tun traffic sent")
    got = [s for s in flow_samples(col.datagrams(1.5)) if s["sourceId"] == "0:%d" % tun_index]
    rx = [s for s in got if s["inputPort"] == str(tun_index) and s["outputPort"] == str(INTERNAL)]
    tx = [s for s in got if s["outputPort"] == str(tun_index) and s["inputPort"] == str(INTERNAL)]
    check(len(rx) == 20 and len(tx) == 30, "tun: 20 received and 30 sent samples at 1-in-1 "
          "(got %d, %d of %d)" % (len(rx), len(tx), len(got)))
    for lst, tag in ((rx, b"T"), (tx, b"U")):
        for s in lst:
            h = header(s)
            _, pl = payload(h)
            if (h["headerProtocol"] != "11" or h["strippedBytes"] != "0"
                    or not pl.startswith(MARK + tag)):
                raise AssertionError("tun: unexpected sample %s" % s)
    check(True, "tun: headers are raw IPv4 (protocol 11), nothing stripped, the packets sent")

    # 3. a rate change on reload; the tun's handles stay open
    agent.rewrite(conf(N2, va, tun, missing))
    check(agent.wait_log("pcap: %s (ifIndex %d): sampling 1-in-%d" % (va, ifindex, N2), 5),
          "reload: va now 1-in-%d" % N2)
    check("pcap: %s: settings changed" % tun not in agent.log_text(), "reload: tun left open")
    check_veth(col, a, b, va, ifindex, N2, 1000, 1000, "reload")

    # 4. the interface removed and added again: samples resume for the new ifIndex, reopened
    # with only CAP_NET_RAW (the agent dropped root at start)
    e2e.sh("ip link del %s" % va, ns=a)
    check(agent.wait_log("pcap: %s (ifIndex %d) went away" % (va, ifindex), 3), "removal seen")
    e2e.sh("ip link add %s type veth peer name %s" % (va, vb), ns=a)
    e2e.sh("ip link set %s netns %s" % (vb, b), ns=a)
    for ns, dev, addr in ((a, va, "192.0.2.1/24"), (b, vb, "192.0.2.2/24")):
        e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % dev, ns=ns)
        e2e.sh("ip addr add %s dev %s" % (addr, dev), ns=ns)
        e2e.sh("ip link set %s up" % dev, ns=ns)
    set_neigh(a, b, va, vb)
    new_index = sysfs(a, va, "ifindex")
    check(new_index != ifindex, "new ifIndex %d" % new_index)
    check(agent.wait_log("pcap: %s (ifIndex %d): sampling 1-in-%d" % (va, new_index, N2), 5),
          "re-added interface sampled again")
    check_veth(col, a, b, va, new_index, N2, 1000, 1000, "re-added")
    status = e2e.sh("cat /proc/%d/status" % agent.proc.pid)
    uid = [l for l in status.splitlines() if l.startswith("Uid:")][0].split()[1]
    check(uid != "0", "the agent ran without root (uid %s) when it reopened" % uid)

    check(agent.proc.poll() is None, "agent still running")
    p.stdin.write("end\n")
    p.stdin.flush()
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
