"""wire.py - what reached the wire and what a collector received: a dumpcap capture of the
datagrams to a collector port (read back with tshark), a UDP listener that can go down and come
back, and the agent's own counts from its exit lines (to compare with the wire)."""
import json
import re
import signal
import subprocess
import time

import e2e

LISTENER = r"""
import json, select, socket, struct, sys, time
port, s, got = int(sys.argv[1]), None, []
while True:
    r = select.select([sys.stdin] + ([s] if s else []), [], [])[0]
    if s in r:
        while True:
            try:
                d = s.recv(65536)
            except BlockingIOError:
                break
            # sFlow v5: version, agent address type (1: IPv4, 2: IPv6), address, sub-agent, sequence
            off = 8 + (4 if struct.unpack_from("!I", d, 4)[0] == 1 else 16) + 4
            got.append(struct.unpack_from("!I", d, off)[0])
    if sys.stdin in r:
        cmd = sys.stdin.readline().strip()
        if cmd == "up":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            s.bind(("127.0.0.1", port))
            s.setblocking(False)
            print("up %.6f" % time.time(), flush=True)
        elif cmd == "down":
            s.close()
            s = None
            print("down %.6f" % time.time(), flush=True)
        else:
            print(json.dumps(got), flush=True)
            break
"""


class Capture:
    """dumpcap on an interface of a namespace: UDP datagrams to port, and ICMP."""

    def __init__(self, ns, port, iface="lo"):
        self.port = port
        self.path = e2e.tmpfile("wire-%d.pcapng" % port)
        self.errpath = e2e.tmpfile("wire-%d.err" % port)
        self.errf = open(self.errpath, "w")
        self.proc = e2e.start(["dumpcap", "-q", "-i", iface, "-B", "16", "-f",
                               "udp dst port %d or icmp" % port, "-w", self.path],
                              ns=ns, stderr=self.errf, stdout=subprocess.DEVNULL)
        end = time.time() + 10
        while "Capturing on" not in self._err():
            if time.time() > end or self.proc.poll() is not None:
                raise RuntimeError("dumpcap did not start: " + self._err())
            time.sleep(0.05)

    def _err(self):
        with open(self.errpath) as f:
            return f.read()

    def stop(self):
        """Stop the capture; returns the packets the capture itself dropped."""
        time.sleep(0.3)  # the last datagrams reach the capture
        e2e.stop(self.proc, signal.SIGINT)
        m = re.search(r"received/dropped on interface '[^']*': (\d+)/(\d+)", self._err())
        if not m:
            raise RuntimeError("dumpcap gave no counts: " + self._err())
        return int(m.group(2))

    def _tshark(self, fields, dfilter):
        args = ["tshark", "-n", "-r", self.path, "-d", "udp.port==%d,sflow" % self.port,
                "-Y", dfilter, "-T", "fields", "-E", "occurrence=f"]
        for f in fields:
            args += ["-e", f]
        out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def datagrams(self):
        """(capture time, sFlow datagram sequence number) of each datagram, as tshark reads it."""
        rows = self._tshark(["frame.time_epoch", "sflow_245.sequence_number"],
                            "udp.dstport == %d && !icmp" % self.port)
        return [(float(t), int(q)) for t, q in rows]

    def samples_per_datagram(self):
        """The number of samples each datagram on the wire says it carries."""
        rows = self._tshark(["sflow_245.numsamples"], "udp.dstport == %d && !icmp" % self.port)
        return [int(r[0]) for r in rows]

    def port_unreachable(self):
        """ICMP port unreachable messages about datagrams to our port."""
        return len(self._tshark(["frame.number"], "icmp.type == 3 && icmp.code == 3 && "
                                "udp.dstport == %d" % self.port))


class Listener:
    """A collector socket on 127.0.0.1:port in ns, opened and closed on demand (closed: the
    kernel answers port unreachable); records every datagram's sequence number."""

    def __init__(self, ns, port):
        self.proc = subprocess.Popen(["ip", "netns", "exec", ns, "python3", "-c", LISTENER,
                                      str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)
        e2e._procs.append(self.proc)

    def _say(self, what):
        self.proc.stdin.write(what + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def up(self):
        """Open the socket; returns the time it was bound."""
        return float(self._say("up").split()[1])

    def down(self):
        return float(self._say("down").split()[1])

    def received(self):
        got = json.loads(self._say("end"))
        self.proc.wait(5)
        return got


def exit_counts(agent):
    """What the agent says it did at exit: datagrams built (the last sequence number), and
    per collector (datagrams sent, lost)."""
    text = agent.log_text()
    m = re.findall(r"Exiting: (\d+) datagrams", text)
    if not m:
        raise AssertionError("no exit line in the agent's log")
    cols = {c: (int(s), int(l)) for c, s, l in
            re.findall(r"Collector (\S+): (\d+) datagrams sent, (\d+) lost", text)}
    return int(m[-1]), cols


def check_contiguous(seqs, first, last, what):
    """The sequence numbers on the wire are exactly first..last, each once, in order."""
    gaps = [(a, b) for a, b in zip(seqs, seqs[1:]) if b != a + 1]
    e2e.check(seqs and seqs[0] == first and seqs[-1] == last and not gaps,
              "%s: %d datagrams on the wire, sequence %s..%s, no gap (gaps: %s)"
              % (what, len(seqs), seqs[0] if seqs else None, seqs[-1] if seqs else None,
                 gaps[:5]))
