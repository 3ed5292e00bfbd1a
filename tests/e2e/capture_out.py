#!/usr/bin/env python3
"""capture_out.py - sflowcat -t: flow samples whose sampled headers are Ethernet frames (one
VLAN-tagged), raw IPv4 and raw IPv6 packets (as tun or PPP interfaces give them), some with a
0:1043 timestamp, sent to sflowcat over loopback; tshark reads its capture back and must find
every packet with its link type, addresses and ports as built here, stamped with the 0:1043 time
to the nanosecond or else with the time of arrival to the microsecond, nothing malformed; a
header protocol with no capture link type is left out, and said so on stderr."""
import os
import shutil
import socket
import struct
import subprocess
import time

import e2e
from e2e import check

PORT_BASE = 40000


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return ~s & 0xffff


def l4(proto, sport, dport, payload=b"capture_out"):
    if proto == 17:
        return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x18, 512, 0, 0) + payload


def ipv4(src, dst, proto, sport, dport):
    body = l4(proto, sport, dport)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 7, 0, 64, proto, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + body


def ipv6(src, dst, proto, sport, dport):
    body = l4(proto, sport, dport)
    return (struct.pack("!IHBB", 0x60000000, len(body), proto, 64) +
            socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + body)


def ethernet(payload, ethertype, vlan=None):
    head = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
    if vlan is not None:
        head += struct.pack("!HH", 0x8100, vlan)
    return head + struct.pack("!H", ethertype) + payload


# (header protocol, header bytes, 0:1043 ns or None, what tshark must find)
NS = 1795309750123456789
PACKETS = [
    (1, ethernet(ipv4("192.0.2.1", "198.51.100.2", 17, PORT_BASE, 50001), 0x0800), NS,
     {"proto": "eth:ethertype:ip:udp", "src": "192.0.2.1", "dst": "198.51.100.2"}),
    (1, ethernet(ipv6("2001:db8::1", "2001:db8::2", 6, PORT_BASE + 1, 50002), 0x86dd, vlan=20),
     None, {"proto": "eth:ethertype:vlan:ethertype:ipv6:tcp", "src": "2001:db8::1",
            "dst": "2001:db8::2", "vlan": "20"}),
    (11, ipv4("192.0.2.3", "198.51.100.4", 17, PORT_BASE + 2, 50003), None,
     {"proto": "raw:ip:udp", "src": "192.0.2.3", "dst": "198.51.100.4"}),
    (12, ipv6("2001:db8::3", "2001:db8::4", 6, PORT_BASE + 3, 50004), NS + 1001,
     {"proto": "raw:ipv6:tcp", "src": "2001:db8::3", "dst": "2001:db8::4"}),
    (8, b"\x01\x02\x03\x04" * 8, None, None),  # SMDS: no link type
    (11, ipv4("192.0.2.5", "198.51.100.6", 6, PORT_BASE + 4, 50005), NS + 2002,
     {"proto": "raw:ip:tcp", "src": "192.0.2.5", "dst": "198.51.100.6"}),
    (12, ipv6("2001:db8::5", "2001:db8::6", 17, PORT_BASE + 5, 50006), None,
     {"proto": "raw:ipv6:udp", "src": "2001:db8::5", "dst": "2001:db8::6"}),
]
STRIPPED = 4


def record(tag, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("!II", tag, len(body)) + body


def flow_sample(seq, proto, header, ns):
    recs = []
    if ns is not None:
        recs.append(record(1043, struct.pack("!Q", ns)))
    frame = len(header) + 100 + STRIPPED  # the frame was longer than its sampled header
    recs.append(record(1, struct.pack("!IIII", proto, frame, STRIPPED, len(header)) + header))
    body = struct.pack("!IIIIIIII", seq, 7, 10, 10 * seq, 0, 7, 0x3fffffff, len(recs)) + b"".join(recs)
    return struct.pack("!II", 1, len(body)) + body


def datagram(seq, samples):
    return (struct.pack("!IIIIII", 5, 1, 0xc0000201, 0, seq, 1000) + struct.pack("!I", len(samples))
            + b"".join(samples))


def tshark(path, fields):
    args = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        args += ["-e", f]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("tshark: " + r.stderr)
    return [line.split("\t") for line in r.stdout.splitlines() if line]


def main():
    e2e.need(shutil.which("tshark") is not None, "tshark is not installed (apt-get install tshark)")
    e2e.need(os.access(e2e.SFLOWCAT, os.X_OK), "%s is not built" % e2e.SFLOWCAT)
    port = e2e.free_port()
    out_path = e2e.tmpfile("capture_out.pcapng")
    err_path = e2e.tmpfile("capture_out.err")
    with open(out_path, "wb") as out, open(err_path, "w") as err:
        cat = subprocess.Popen([e2e.SFLOWCAT, "-t", "-p", str(port), "-c", "2"], stdout=out,
                               stderr=err)
        e2e._procs.append(cat)
        time.sleep(0.5)  # sflowcat binds its socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t0 = time.time()
        half = len(PACKETS) // 2
        for i, part in enumerate((PACKETS[:half], PACKETS[half:])):
            s.sendto(datagram(i + 1, [flow_sample(j + 1, p, h, ns) for j, (p, h, ns, _) in
                                      enumerate(part)]), ("127.0.0.1", port))
            time.sleep(0.05)
        try:
            cat.wait(10)
        except subprocess.TimeoutExpired:
            raise AssertionError("sflowcat -c 2 did not exit after two datagrams")
        t1 = time.time()
    check(cat.returncode == 0, "sflowcat -t exits 0 after -c 2 datagrams")
    with open(out_path, "rb") as f:
        check(struct.unpack("<I", f.read(4))[0] == 0x0a0d0d0a, "the output is a pcapng stream")
    with open(err_path) as f:
        err = f.read()
    check("header protocol 8" in err and "not written" in err,
          "the header protocol with no link type is named on stderr: %r" % err.strip())

    fields = ["frame.interface_id", "frame.time_epoch", "frame.protocols", "frame.len",
              "frame.cap_len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "udp.srcport",
              "tcp.srcport", "vlan.id", "_ws.malformed", "frame.encap_type"]
    rows = [dict(zip(fields, r + [""] * (len(fields) - len(r)))) for r in tshark(out_path, fields)]
    want = [(p, h, ns, w) for p, h, ns, w in PACKETS if w]
    check(len(rows) == len(want), "tshark reads %d packets, one per sample with a link type "
          "(%d)" % (len(rows), len(want)))
    interfaces = {}
    for i, ((proto, header, ns, w), row) in enumerate(zip(want, rows)):
        what = "packet %d (header protocol %d, %s)" % (i + 1, proto, w["proto"])
        layers = row["frame.protocols"].split(":")
        check(layers[:len(w["proto"].split(":"))] == w["proto"].split(":"),
              "%s: tshark decodes %s" % (what, row["frame.protocols"]))
        check(not row["_ws.malformed"], "%s: nothing malformed" % what)
        ip6 = ":" in w["src"]
        check(row["ipv6.src" if ip6 else "ip.src"] == w["src"] and
              row["ipv6.dst" if ip6 else "ip.dst"] == w["dst"], "%s: addresses %s -> %s" %
              (what, w["src"], w["dst"]))
        got_port = row["udp.srcport"] or row["tcp.srcport"]
        check(got_port == str(sport_of(header, proto)), "%s: source port %s" % (what, got_port))
        if "vlan" in w:
            check(row["vlan.id"] == w["vlan"], "%s: VLAN %s" % (what, row["vlan.id"]))
        check(int(row["frame.cap_len"]) == len(header) and
              int(row["frame.len"]) == len(header) + 100,
              "%s: %s bytes captured of %s on the wire (sampled size less the stripped FCS)" %
              (what, row["frame.cap_len"], row["frame.len"]))
        sec, frac = row["frame.time_epoch"].split(".")
        stamp_ns = int(sec) * 10**9 + int(frac.ljust(9, "0")[:9])
        if ns is not None:
            check(stamp_ns == ns, "%s: stamped with its 0:1043 time %d (%d)" % (what, ns, stamp_ns))
        else:
            us = stamp_ns // 1000
            check(stamp_ns % 1000 == 0 and int(t0 * 1e6) <= us <= int(t1 * 1e6) + 1,
                  "%s: stamped on arrival to the microsecond (%d between %.6f and %.6f)" %
                  (what, us, t0, t1))
        interfaces.setdefault(proto == 1, set()).add(row["frame.interface_id"])
    check(len(interfaces[True]) == 1 and len(interfaces[False]) == 1 and
          interfaces[True] != interfaces[False],
          "Ethernet samples on one interface, raw IPv4/IPv6 samples on another: %s" % interfaces)
    encaps = {r["frame.interface_id"]: r["frame.encap_type"] for r in rows}
    check(len(set(encaps.values())) == 2, "the two interfaces have two link types: %s" % encaps)


def sport_of(header, proto):
    """The transport source port in a header built above (independently of any walker)."""
    off = 14 if proto == 1 else 0
    if proto == 1 and header[12:14] == b"\x81\x00":
        off += 4
    ver = header[off] >> 4
    off += (header[off] & 15) * 4 if ver == 4 else 40
    return struct.unpack("!H", header[off:off + 2])[0]


if __name__ == "__main__":
    e2e.run(main)
