#!/usr/bin/env python3
"""uuid.py - the UUID derived from -m MACHINE-ID, as received by the collector, is systemd's
app-specific id: HMAC-SHA256 keyed with the machine-id over hsflowd's application id (computed
here with Python's hmac), the first 16 bytes with the version 4 / variant bits set. Read from
the raw datagram by the sFlow layout written out here. It is the same after a restart, another
machine-id gives another UUID, and the machine-id itself is nowhere in the datagram."""
import hashlib
import hmac
import re
import subprocess
import time

import e2e
from e2e import check

APP_ID = bytes.fromhex("c870d29b3d444d0db9882fdb91bec2b6")
DMI = "/sys/class/dmi/id/product_uuid"


def app_specific(machine_id):
    b = bytearray(hmac.new(bytes.fromhex(machine_id), APP_ID, hashlib.sha256).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def dmi_uuid():
    """The DMI product UUID when the machine has a usable one: it comes before -m."""
    try:
        u = open(DMI).read().strip().lower()
    except OSError:
        return None
    if not re.fullmatch(r"[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}", u):
        return None
    if u.replace("-", "") in ("0" * 32, "f" * 32):
        return None
    return u


LISTEN = """
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.settimeout(8)
while True:
    print(s.recv(65535).hex(), flush=True)
"""


def host_descr_uuid(d):
    """The UUID of the first 2000 host_descr record in datagram d, walked by the sFlow v5 layout
    written out here (not our decoder): datagram header, counter samples 0:2 / 0:4, records."""
    u32 = lambda o: int.from_bytes(d[o:o + 4], "big")
    if u32(0) != 5:
        return None
    off = 8 + {1: 4, 2: 16}[u32(4)] + 12  # agent address, sub-agent, sequence, uptime
    nsamples, off = u32(off), off + 4
    for _ in range(nsamples):
        tag, length, body = u32(off), u32(off + 4), off + 8
        off = body + length
        if tag not in (2, 4):  # counters sample, compact or expanded
            continue
        p = body + (8 if tag == 2 else 12)  # sequence, source id (expanded: class, index)
        nrec, p = u32(p), p + 4
        for _ in range(nrec):
            rtag, rlen, content = u32(p), u32(p + 4), p + 8
            p = content + rlen
            if rtag == 2000:  # string hostname<64>, opaque uuid[16], ...
                hl = u32(content)
                at = content + 4 + (hl + 3) // 4 * 4
                h = d[at:at + 16].hex()
                return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
    return None


def received_uuid(ns, port, machine_id):
    """Run the agent with -m machine_id; the UUID of its first host sample, and its datagram."""
    listener = e2e.start(["python3", "-c", LISTEN, str(port)], ns=ns, stdout=subprocess.PIPE)
    time.sleep(0.3)
    agent = e2e.Agent("sflow {\n polling = 1\n collector { ip = 127.0.0.1 udpport = %d }\n}\n"
                      % port, ns=ns, args=["-m", machine_id])
    found = (None, b"")
    end = time.time() + 8
    while time.time() < end:
        line = listener.stdout.readline()
        if not line:
            break
        d = bytes.fromhex(line.strip())
        u = host_descr_uuid(d)
        if u:
            found = (u, d)
            break
    agent.stop()
    e2e.stop(listener)
    check(found[0] is not None, "a datagram with 2000 host_descr arrives within 8 s")
    return found


def main():
    e2e.need_root()
    e2e.need_binaries()
    ns = e2e.netns("uuid")
    mid = "3d1219c7c4c5404aaa1f6d2a48adfda4"
    other = "3d1219c7c4c5404aaa1f6d2a48adfda5"  # one bit apart
    dmi = dmi_uuid()
    first, datagram = received_uuid(ns, 6343, mid)
    if dmi:
        check(first == dmi, "the DMI product UUID comes before -m: %s" % first)
        return
    want = app_specific(mid)
    check(first == want, "UUID from -m is HMAC-SHA256(machine-id, app id): %s == %s"
          % (first, want))
    check(bytes.fromhex(mid) not in datagram, "the machine-id is nowhere in the datagram")
    again, _ = received_uuid(ns, 6344, mid)
    check(again == first, "the same UUID after a restart")
    changed, _ = received_uuid(ns, 6345, other)
    check(changed == app_specific(other) and changed != first,
          "one bit of the machine-id changes the UUID: %s" % changed)
    differ = bin(int(changed.replace("-", ""), 16) ^ int(first.replace("-", ""), 16)).count("1")
    e2e.log("bits that differ between the two UUIDs: %d of 122" % differ)
    check(differ >= 30, "the two UUIDs are unrelated (%d bits differ)" % differ)


if __name__ == "__main__":
    e2e.run(main)
