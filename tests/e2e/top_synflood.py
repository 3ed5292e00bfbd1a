#!/usr/bin/env python3
"""top_synflood.py - sflowcat --top against a SYN flood: one address sends TCP SYNs at a paced
20 000/s among background UDP traffic from two others, across a veth pair into a namespace where
hsflowd's pcap module samples 1-in-10 and sends to sflowcat on loopback. `sflowcat --top --once
10 -j` must name the flooding address first among SYN sources with a rate within its stated 95 %
confidence of the rate actually sent, and the talkers' byte rates must match what each address
sent. The live view, driven in tmux, shows the same, follows a resize, and q ends it."""
import json
import os
import shutil
import subprocess
import time

import e2e
from e2e import check

RATE = 10
SECONDS = 14                       # the flood; the 10 s window sits inside it
SYN_PPS, UDP3_PPS, UDP4_PPS = 20000, 2000, 500
UDP3_SIZE, UDP4_SIZE = 200, 1000   # UDP payload bytes
ETH, IP, TCP, UDP = 14, 20, 20, 8

# A paced sender in the attackers' namespace: every 2 ms, what is due of each stream; every 50 ms
# a line "unix-time sent-syn sent-udp3 sent-udp4" in the log, so that what was sent within any
# interval is known. Prints "done" at the end.
SENDER = r"""
import socket, struct, sys, time
dst, seconds = sys.argv[1], float(sys.argv[2])
syn_pps, u3_pps, u4_pps, u3_size, u4_size = [int(x) for x in sys.argv[3:8]]
log = open(sys.argv[8], "w")
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
def syn(sport):
    hdr = struct.pack("!HHIIBBHHH", sport, 80, sport * 7919, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton("192.0.2.2") + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    c = csum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]
pkts = [syn(1024 + i) for i in range(2000)]
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
raw.bind(("192.0.2.2", 0))
u3 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u3.bind(("192.0.2.3", 0))
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u4.bind(("192.0.2.4", 0))
p3, p4 = b"u" * u3_size, b"v" * u4_size
streams = [[syn_pps, 0], [u3_pps, 0], [u4_pps, 0]]
send = [lambda i: raw.sendto(pkts[i % 2000], (dst, 0)),
        lambda i: u3.sendto(p3, (dst, 9003)),
        lambda i: u4.sendto(p4, (dst, 9004))]
print("start", flush=True)
t0 = time.monotonic()
next_log = 0
while True:
    now = time.monotonic()
    el = now - t0
    if el >= seconds:
        break
    for k, st in enumerate(streams):
        due = int(st[0] * el)
        while st[1] < due:
            send[k](st[1]); st[1] += 1
    if el >= next_log:
        log.write("%.6f %d %d %d\n" % (time.time(), streams[0][1], streams[1][1], streams[2][1]))
        log.flush()
        next_log += 0.05
    time.sleep(0.002)
log.write("%.6f %d %d %d\n" % (time.time(), streams[0][1], streams[1][1], streams[2][1]))
log.close()
print("done", flush=True)
"""


def sent_between(path, t0, t1):
    """Packets of each stream sent between two times, from the sender's log (interpolated)."""
    rows = [[float(x) for x in l.split()] for l in open(path) if l.strip()]

    def at(t):
        for (ta, *ca), (tb, *cb) in zip(rows, rows[1:]):
            if ta <= t <= tb:
                f = (t - ta) / (tb - ta) if tb > ta else 0
                return [a + f * (b - a) for a, b in zip(ca, cb)]
        raise AssertionError("time %.3f outside the sender's log" % t)
    return [b - a for a, b in zip(at(t0), at(t1))]


def set_neigh(a, b, va, vb):
    mac_a = e2e.sh("cat /sys/class/net/%s/address" % va, ns=a).strip()
    mac_b = e2e.sh("cat /sys/class/net/%s/address" % vb, ns=b).strip()
    e2e.sh("ip neigh replace 192.0.2.100 lladdr %s dev %s nud permanent" % (mac_b, va), ns=a)
    for last in (2, 3, 4):
        e2e.sh("ip neigh replace 192.0.2.%d lladdr %s dev %s nud permanent" % (last, mac_a, vb),
               ns=b)


def tmux(*args):
    return subprocess.run(["tmux", "-L", e2e.TAG] + list(args), capture_output=True, text=True)


def pane():
    return tmux("capture-pane", "-p", "-t", e2e.TAG).stdout


def first_after(screen, title):
    """The first row of a section of the live view."""
    lines = screen.splitlines()
    for i, l in enumerate(lines):
        if l.startswith(title) and i + 1 < len(lines):
            return lines[i + 1]
    return ""


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("tmux") is not None, "tmux is not installed")
    a, b = e2e.netns("a"), e2e.netns("b")
    va, vb = e2e.veth_pair(a, "va", b, "vb", "192.0.2.2/24", "192.0.2.100/24")
    for last in (3, 4):
        e2e.sh("ip addr add 192.0.2.%d/24 dev %s" % (last, va), ns=a)
    set_neigh(a, b, va, vb)
    port_once, port_live = 6343, 6344
    agent = e2e.Agent("sflow { polling = 0 collector { ip = 127.0.0.1 udpport = %d }\n"
                      "  collector { ip = 127.0.0.1 udpport = %d }\n"
                      "  pcap { dev = %s sampling = %d }\n}\n" % (port_once, port_live, vb, RATE),
                      ns=b)
    check(agent.wait_log("sampling 1-in-%d" % RATE, 5), "hsflowd samples %s 1-in-%d" % (vb, RATE))

    # the live view in a detached tmux session of 120x40
    tmux("kill-server")
    r = tmux("new-session", "-d", "-s", e2e.TAG, "-x", "120", "-y", "40",
             "ip netns exec %s %s --top -p %d" % (b, e2e.SFLOWCAT, port_live))
    check(r.returncode == 0, "tmux session with sflowcat --top started")
    try:
        sendlog = e2e.tmpfile("sent.log")
        sender = e2e.start(["python3", "-c", SENDER, "192.0.2.100", str(SECONDS), str(SYN_PPS),
                            str(UDP3_PPS), str(UDP4_PPS), str(UDP3_SIZE), str(UDP4_SIZE),
                            sendlog], ns=a, stdout=subprocess.PIPE)
        check(sender.stdout.readline().strip() == "start", "flood started")
        time.sleep(2.0)  # steady state, and the first held samples have arrived
        once = e2e.start([e2e.SFLOWCAT, "--top", "--once", "10", "-j", "-p", str(port_once)],
                         ns=b, stdout=subprocess.PIPE)
        time.sleep(6.0)
        live, live_time = pane(), time.time()
        tmux("resize-window", "-t", e2e.TAG, "-x", "80", "-y", "24")
        time.sleep(2.5)
        small = pane()
        out, _ = once.communicate(timeout=15)
        check(sender.stdout.readline().strip() == "done", "flood ended")
        sender.wait(10)
        tmux("send-keys", "-t", e2e.TAG, "q")
        time.sleep(1.0)
        gone = tmux("has-session", "-t", e2e.TAG).returncode != 0
    finally:
        tmux("kill-server")

    snap = json.loads(out)
    rates = [n / (snap["end"] - snap["start"])
             for n in sent_between(sendlog, snap["start"], snap["end"])]
    e2e.log("sent within the window of %.2f s: SYN %.0f/s, UDP .3 %.0f/s, UDP .4 %.0f/s"
            % ((snap["end"] - snap["start"],) + tuple(rates)))
    e2e.log(json.dumps({k: snap[k] for k in ("span_s", "samples", "pps", "bps", "sources")}))
    syn = snap["syn_sources"]
    check(len(syn) > 0 and syn[0]["address"] == "192.0.2.2",
          "192.0.2.2 is the first SYN source (%s)" % [s["address"] for s in syn[:3]])
    est, conf = syn[0]["syn_per_s"], syn[0]["confidence_pct"]
    err = abs(est - rates[0]) / rates[0] * 100
    e2e.log("SYN/s: estimated %.0f, sent %.0f: off by %.2f %%, stated confidence +-%.2f %% "
            "(%d samples)" % (est, rates[0], err, conf, syn[0]["samples"]))
    # The stated interval holds 95 % of runs; a test that used it as is would fail one run in
    # twenty by design: twice its half-width (3.9 sigma) is the limit, the figure is logged.
    check(err <= 2 * conf, "SYN rate within twice its stated 95 %% confidence (%.2f %%, "
          "stated +-%.2f %%: %s)" % (err, conf, "inside" if err <= conf else "outside"))

    talkers = {t["address"]: t for t in snap["talkers_src"]}
    frame = [ETH + IP + TCP, ETH + IP + UDP + UDP3_SIZE, ETH + IP + UDP + UDP4_SIZE]
    for i, addr in enumerate(("192.0.2.2", "192.0.2.3", "192.0.2.4")):
        check(addr in talkers, "%s among the top talkers" % addr)
        t = talkers[addr]
        want = rates[i] * frame[i] * 8
        err = abs(t["bps"] - want) / want * 100
        e2e.log("%s: %.0f bit/s estimated, %.0f sent: off by %.2f %%, confidence +-%.2f %%"
                % (addr, t["bps"], want, err, t["confidence_pct"]))
        check(err <= 2 * t["confidence_pct"], "%s bit/s within twice its stated confidence (%s)"
              % (addr, "inside" if err <= t["confidence_pct"] else "outside"))
    # ranked by the bytes each sent, where the difference is larger than the estimates' stated
    # uncertainty (two talkers 7 % apart, each +-4..9 %, may come out either way in a window)
    addrs = ("192.0.2.2", "192.0.2.3", "192.0.2.4")
    sent = {a: rates[i] * frame[i] * 8 for i, a in enumerate(addrs)}
    for a in addrs:
        for b in addrs:
            ta, tb = talkers[a], talkers[b]
            margin = sent[a] * ta["confidence_pct"] / 100 + sent[b] * tb["confidence_pct"] / 100
            if sent[a] - sent[b] > margin:
                check(ta["bps"] > tb["bps"], "%s (%.0f bit/s sent) ranked above %s (%.0f)"
                      % (a, sent[a], b, sent[b]))

    # the live view: the same first SYN source, then a smaller terminal, then q
    e2e.log(live)
    row = first_after(live, "TOP TCP SYN SOURCES")
    check(row.startswith("192.0.2.2 "), "live view: 192.0.2.2 first among SYN sources")
    syn_live = float(row.split()[1].rstrip("kM")) * (1000 if "k" in row.split()[1] else 1)
    # the screen was drawn within the second before it was captured, over up to 10 s
    live_sent = sent_between(sendlog, live_time - 8, live_time - 1)[0] / 7
    check(abs(syn_live - live_sent) / live_sent < 0.1,
          "live view: SYN/s %s near the %.0f/s sent" % (row.split()[1], live_sent))
    lines = small.rstrip("\n").splitlines()
    check(max(len(l) for l in lines) <= 80 and len(lines) <= 24 and
          first_after(small, "TOP TCP SYN SOURCES").startswith("192.0.2.2 "),
          "live view redrawn for 80x24, still naming 192.0.2.2")
    check(gone, "q ends the live view")


if __name__ == "__main__":
    e2e.run(main)
