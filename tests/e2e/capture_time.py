#!/usr/bin/env python3
"""capture_time.py - sflowcat reading a capture prints, for every datagram, the capture time of its
pcap record as the reference decoder does: pcapTimestamp (the seconds, as local time) and
pcapTimestamp_uS (the microseconds), in JSON and in -L CSV. The values are read here from the
record headers of the golden capture with struct, independently of libpcap."""
import json
import os
import struct
import subprocess
import time

import e2e
from e2e import check

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(os.environ.get("srcdir", os.path.join(HERE, "..", "..")), "tests", "data",
                      "hsflowd-pcap-tcp.pcap")


def records(path):
    """(seconds, microseconds) of every record of a classic pcap file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0xa1b2c3d4 else ">"
    check(struct.unpack(order + "I", data[:4])[0] == 0xa1b2c3d4, "the golden capture is a "
          "microsecond pcap file")
    out, off = [], 24
    while off + 16 <= len(data):
        sec, usec, caplen, _ = struct.unpack(order + "IIII", data[off:off + 16])
        out.append((sec, usec))
        off += 16 + caplen
    return out


def sflowcat(*args):
    env = dict(os.environ, TZ="UTC")
    r = subprocess.run([e2e.SFLOWCAT, "-r", GOLDEN] + list(args), capture_output=True, text=True,
                       env=env)
    check(r.returncode == 0, "sflowcat -r %s exits 0" % " ".join(args))
    return r.stdout


def main():
    e2e.need(os.access(e2e.SFLOWCAT, os.X_OK), "%s is not built" % e2e.SFLOWCAT)
    want = records(GOLDEN)
    check(len(want) > 100, "%d records in the golden capture" % len(want))
    expect = [(time.strftime("%Y-%m-%dT%H:%M:%S+0000", time.gmtime(s)), str(us)) for s, us in want]

    got = [json.loads(line) for line in sflowcat("-j").splitlines() if line.strip()]
    check(len(got) == len(want), "one JSON datagram per record (%d)" % len(got))
    bad = [i for i, (d, w) in enumerate(zip(got, expect))
           if (d.get("pcapTimestamp"), d.get("pcapTimestamp_uS")) != w]
    check(not bad, "JSON: pcapTimestamp and pcapTimestamp_uS of every datagram are its record's "
          "time (first: %s %s)" % expect[0])
    check(len({us for _, us in want}) > 1 and any(us for _, us in want),
          "the record times have microseconds to compare")
    keys = list(got[0])
    check(keys.index("pcapTimestamp") == keys.index("localtime") + 1 and
          keys.index("pcapTimestamp_uS") == keys.index("pcapTimestamp") + 1,
          "the fields follow localtime, in the reference decoder's order")

    text = sflowcat()
    seen = [line.split()[1] for line in text.splitlines() if line.startswith("pcapTimestamp_uS ")]
    check(seen == [us for _, us in expect], "text: a pcapTimestamp_uS line per datagram")

    # -L: one line per sample (a sample field must be asked for); every line of a datagram
    # carries that datagram's capture time
    lines = sflowcat("-L", "packetSequenceNo,pcapTimestamp,pcapTimestamp_uS,sampleSequenceNo"
                     ).splitlines()
    seq_time = {}
    for d, w in zip(got, expect):
        seq_time[d["packetSequenceNo"]] = w
    rows = [l.split(",") for l in lines if l]
    check(rows and all(len(r) == 4 and seq_time.get(r[0]) == (r[1], r[2]) for r in rows),
          "-L CSV: %d sample lines carry their datagram's pcapTimestamp and pcapTimestamp_uS" %
          len(rows))


if __name__ == "__main__":
    e2e.run(main)
