#!/usr/bin/env python3
"""forward.py - sflowcat -f host/port: every datagram received goes on unchanged to each target.
Datagrams of the reference agent's capture are sent to sflowcat (decoding, and in --top mode);
two listeners must receive them byte for byte, in order; a target that is down does not stop
the others."""
import os
import socket
import struct
import subprocess
import time

import e2e
from e2e import check

CAPTURE = os.path.join(os.environ.get("srcdir", os.path.join(e2e.HERE, "..", "..")),
                       "tests", "data", "hsflowd-pcap-tcp.pcap")


def udp_payloads(path, limit):
    """The UDP payloads of a little-endian Ethernet/IPv4 pcap (what the capture holds)."""
    out = []
    with open(path, "rb") as f:
        hdr = f.read(24)
        check(struct.unpack("<I", hdr[:4])[0] == 0xA1B2C3D4, "capture is a pcap file")
        while len(out) < limit:
            ph = f.read(16)
            if len(ph) < 16:
                break
            _, _, incl, _ = struct.unpack("<IIII", ph)
            pkt = f.read(incl)
            if len(pkt) < 42 or pkt[12:14] != b"\x08\x00" or pkt[23] != 17:
                continue
            ihl = (pkt[14] & 15) * 4
            out.append(pkt[14 + ihl + 8:])
    return out


RECEIVER = r"""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(3)
out = open(sys.argv[2], "wb")
print("ready", flush=True)
try:
    while True:
        d = s.recv(65536)
        out.write(len(d).to_bytes(4, "big") + d)
        out.flush()
except socket.timeout:
    pass
"""


def received(path):
    data, out, i = open(path, "rb").read(), [], 0
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        out.append(data[i + 4:i + 4 + n])
        i += 4 + n
    return out


def run_case(ns, sent, args, what):
    port, t1, t2, down = 7343, 7344, 7345, 7346
    files = [e2e.tmpfile("%s-%d.bin" % (what, p)) for p in (t1, t2)]
    recv = [e2e.start(["python3", "-c", RECEIVER, str(p), f], ns=ns, stdout=subprocess.PIPE)
            for p, f in zip((t1, t2), files)]
    for r in recv:
        check(r.stdout.readline().strip() == "ready", "%s: listener ready" % what)
    cat = e2e.start([e2e.SFLOWCAT, "-p", str(port), "-f", "127.0.0.1/%d" % down,
                     "-f", "127.0.0.1/%d" % t1, "-f", "localhost/%d" % t2] + args, ns=ns,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)
    sender = ("import socket, sys, time\n"
              "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              "for d in open(sys.argv[1], 'rb').read().split(b'\\0SEP\\0'):\n"
              "    s.sendto(d, ('127.0.0.1', %d)); time.sleep(0.002)\n" % port)
    blob = e2e.tmpfile("%s-sent.bin" % what)
    with open(blob, "wb") as f:
        f.write(b"\0SEP\0".join(sent))
    e2e.sh("python3 -c \"%s\" %s" % (sender.replace('"', '\\"'), blob), ns=ns)
    for r in recv:
        r.wait(10)
    e2e.stop(cat)
    for f in files:
        got = received(f)
        check(got == sent, "%s: %d datagrams received byte for byte in order (got %d)"
              % (what, len(sent), len(got)))


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(os.path.exists(CAPTURE), "the reference capture is missing")
    sent = udp_payloads(CAPTURE, 60)
    check(len(sent) == 60, "60 datagrams taken from the reference capture")
    ns = e2e.netns("f")
    run_case(ns, sent, ["-j"], "decoding")
    run_case(ns, sent, ["--top", "--once", "3", "-j"], "top")


if __name__ == "__main__":
    e2e.run(main)
