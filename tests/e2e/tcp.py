#!/usr/bin/env python3
"""tcp.py - the tcp module: 0:2209 extended_tcp_info on sampled packets of local TCP sockets.
1. The agent's own namespace: a TCP transfer from a to b over a veth pair sampled in a; the
   records carry the client's tcp_info (mss as `ss -ti` shows it, rtt > 0), direction sent for
   packets a sent and received for the ACKs it received.
2. Another namespace (the container case): the agent in a router namespace samples its end of
   a veth whose peer holds the client; the router only forwards, so the socket is found in the
   peer's namespace (through its netns id), with the direction seen from there."""
import re
import subprocess
import time

import e2e
from e2e import check

PORT = 5301
INTERNAL = 1073741823
TOTAL = 3 * 1024 * 1024
CHUNK = 1000

SERVER = """
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
while c.recv(65536):
    pass
"""

# Sends TOTAL bytes in CHUNK writes with TCP_NODELAY; prints its local port, waits for a line
# on stdin before closing (so that `ss` can look at the connection).
CLIENT = """
import socket, sys, time
dst, port, total, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = socket.create_connection((dst, port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
print(s.getsockname()[1], flush=True)
sent, buf = 0, b"x" * chunk
while sent < total:
    s.sendall(buf); sent += chunk
    if sent % (chunk * 200) == 0:
        time.sleep(0.001)
print("done", flush=True)
sys.stdin.readline()
"""


def flow_samples(datagrams):
    for d in datagrams:
        for s in e2e.samples(d, kind="0:3"):
            yield s


def tcp_ports(s):
    h = e2e.element(s, "0:1")
    if not h or h.get("IPProtocol") != "6":
        return None
    return h.get("srcIP"), h.get("TCPSrcPort"), h.get("dstIP"), h.get("TCPDstPort")


def spawn(args, ns, **kw):
    """A helper process with pipes, ended at exit like every process e2e starts."""
    p = subprocess.Popen(["ip", "netns", "exec", ns] + args, text=True, **kw)
    e2e._procs.append(p)
    return p


def transfer(client_ns, server_ns, server_ip, agent, collector):
    """Run one transfer; returns (client port, ss info of the client socket, datagrams)."""
    srv = spawn(["python3", "-c", SERVER, str(PORT)], server_ns, stdout=subprocess.PIPE)
    check(srv.stdout.readline().strip() == "listening", "server listening in " + server_ns)
    cli = spawn(["python3", "-c", CLIENT, server_ip, str(PORT), str(TOTAL), str(CHUNK)],
                client_ns, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    port = int(cli.stdout.readline())
    check(cli.stdout.readline().strip() == "done", "client sent %d bytes" % TOTAL)
    ss = e2e.sh("ss -tinH state established '( sport = :%d )'" % port, ns=client_ns)
    datagrams = collector.datagrams(2.5)
    cli.stdin.write("\n")
    cli.stdin.close()
    e2e.stop(cli)
    e2e.stop(srv)
    return port, ss, datagrams


def check_records(datagrams, client_ip, port, ss):
    """The 2209 records of the connection's samples against the client's `ss -ti`: every
    record is the client socket's, sent for its packets and received for the server's."""
    m = re.search(r"\bmss:(\d+)", ss)
    check(m is not None, "ss shows the connection's mss: %s" % ss.strip().replace("\n", " "))
    mss = int(m.group(1))
    conn, with_info, dirs = 0, [], {}
    for s in flow_samples(datagrams):
        t = tcp_ports(s)
        if not t or str(port) not in (t[1], t[3]):
            continue
        conn += 1
        info = e2e.element(s, "0:2209")
        if not info:
            continue
        from_client = t[0] == client_ip and t[1] == str(port)
        want = "sent" if from_client else "received"
        dirs[(from_client, info["tcpinfo_direction"])] = \
            dirs.get((from_client, info["tcpinfo_direction"]), 0) + 1
        with_info.append((s, info, want, from_client))
    e2e.log("samples of the connection: %d, with 0:2209: %d, (from client, direction): %s"
            % (conn, len(with_info), dirs))
    check(conn > 20, "the connection was sampled (%d samples)" % conn)
    check(len(with_info) >= conn * 0.9, "0:2209 on at least 90%% of them (%d of %d)"
          % (len(with_info), conn))
    check(all(i["tcpinfo_direction"] == w for _, i, w, _ in with_info),
          "direction from the socket's side on every record")
    client = [i for _, i, _, fc in with_info if fc]
    check(len(client) > 0, "records on packets the client sent")
    check(all(int(i["tcpinfo_rtt_uS"]) > 0 for _, i, _, _ in with_info), "rtt > 0 everywhere")
    check(all(int(i["tcpinfo_send_mss"]) == mss for i in client),
          "send_mss %d as ss shows it (client socket)" % mss)
    check(all(int(i["tcpinfo_path_mtu"]) == 1500 for i in client), "path_mtu 1500")
    check(all(int(i["tcpinfo_send_congestion_win"]) > 0 for i in client), "cwnd > 0")
    rtts = sorted(int(i["tcpinfo_rtt_uS"]) for i in client)
    e2e.log("client rtt us: min %d median %d max %d; ss: %s" % (
        rtts[0], rtts[len(rtts) // 2], rtts[-1],
        " ".join(x for x in ss.split() if x.startswith(("rtt:", "mss:", "cwnd:")))))


def own_namespace():
    a, b = e2e.netns("a"), e2e.netns("b")
    va, vb = e2e.veth_pair(a, "va", b, "vb", "198.51.100.1/24", "198.51.100.2/24")
    port = e2e.free_port()
    collector = e2e.Collector(port, ns=a)
    agent = e2e.Agent("sflow { polling = 0 collector { ip = 127.0.0.1 udpport = %d }\n"
                      "  pcap { dev = %s sampling = 2 }\n  tcp { }\n}\n" % (port, va), ns=a,
                      name="own.conf")
    check(agent.wait_log("pcap: %s" % va, 5), "agent sampling " + va)
    time.sleep(0.5)
    cport, ss, datagrams = transfer(a, b, "198.51.100.2", agent, collector)
    # sampled in a, where the client is: its packets go out of va (input internal)
    check_records(datagrams, "198.51.100.1", cport, ss)
    check("tcp: cannot" not in agent.log_text(), "no tcp module errors logged")
    check(agent.stop() == 0, "agent exits 0")
    collector.stop()


def other_namespace():
    r, c1, c2 = e2e.netns("r"), e2e.netns("c1"), e2e.netns("c2")
    r1, p1 = e2e.veth_pair(r, "r1", c1, "p1", "198.51.100.1/24", "198.51.100.2/24")
    e2e.veth_pair(r, "r2", c2, "p2", "203.0.113.1/24", "203.0.113.2/24")
    e2e.sh("sysctl -qw net.ipv4.ip_forward=1", ns=r)
    e2e.sh("ip route add default via 198.51.100.1", ns=c1)
    e2e.sh("ip route add default via 203.0.113.1", ns=c2)
    nsid = e2e.sh("ip -d link show %s" % r1, ns=r)
    check("link-netns" in nsid or "link-netnsid" in nsid, "%s has a peer netns id" % r1)
    port = e2e.free_port()
    collector = e2e.Collector(port, ns=r)
    agent = e2e.Agent("sflow { polling = 0 collector { ip = 127.0.0.1 udpport = %d }\n"
                      "  pcap { dev = %s sampling = 2 }\n  tcp { }\n}\n" % (port, r1), ns=r,
                      name="router.conf")
    check(agent.wait_log("pcap: %s" % r1, 5), "agent sampling " + r1)
    time.sleep(0.5)
    cport, ss, datagrams = transfer(c1, c2, "203.0.113.2", agent, collector)
    # sampled in r on r1: the client's packets arrive (input r1) and the client, in c1, sent
    # them; the server's come out of r1 (input internal) and the client received them
    check_records(datagrams, "198.51.100.2", cport, ss)
    check(agent.stop() == 0, "agent exits 0")
    collector.stop()


def main():
    e2e.need_root()
    e2e.need_binaries()
    conf = e2e.tmpfile("check.conf", "sflow { collector { ip = 127.0.0.1 }\n"
                       "  pcap { dev = lo }\n  tcp { }\n}\n")
    r = subprocess.run([e2e.HSFLOWD, "-t", "-f", conf], capture_output=True, text=True)
    e2e.need(r.returncode == 0, "the pcap and tcp modules are built: " + r.stderr.strip())
    e2e.need(subprocess.run(["which", "ss"], capture_output=True).returncode == 0,
             "ss (iproute2) is needed")
    own_namespace()
    other_namespace()


if __name__ == "__main__":
    e2e.run(main)
