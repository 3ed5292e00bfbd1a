#!/usr/bin/env python3
"""compare.py - hsflowd next to the reference agent's published figures, in one table.

The load of the comparison: pcap on one end of a veth pair, 40 k packets/s of 106-byte frames
(64 bytes of UDP payload), polling 5 s, the median of two 10 s windows per sampling rate; idle:
counters only (host and interfaces, polling 5 s), a 30 s window. CPU is the agent's time on CPU
(all threads, /proc/PID/schedstat) over the window; RSS the agent's VmRSS at its end; the idle
row also shows smaps_rollup (Rss, Pss, Private_Clean, Anonymous) and the libraries mapped.

Usage (root): bench/compare.py [--windows N] [--seconds S] [--idle-seconds S] [--pps P]
Reference agent (hsflowd 2.1.25) measured on this kind of machine, same load (its figures are
the comparison column; re-measure with bench/sampling.py --other / bench/idle.sh to update):
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sampling  # noqa: E402
from sampling import e2e  # noqa: E402

# load -> (CPU %, RSS MB) of the reference agent
REFERENCE = {"idle": (0.040, 2.5), 1: (9.0, 6.0), 10: (3.34, 6.0), 100: (1.00, 6.0),
             1000: (0.215, 6.0)}
REFERENCE_IDLE_SMAPS = {"Rss": 2524, "Pss": 1133, "Private_Clean": 580, "Anonymous": 188}
REFERENCE_LIBRARIES = 1  # libc only
__doc__ += "".join("  %-9s cpu %.3f %%  rss %.1f MB\n" % (
    "idle" if k == "idle" else "1-in-%d" % k, c, r) for k, (c, r) in REFERENCE.items())

PAYLOAD = 106 - 14 - 20 - 8  # a 106-byte Ethernet frame


def idle(seconds, smaps):
    port = sampling.PORT + 1
    conf = e2e.tmpfile("bench-idle.conf", "sflow {\n  polling = 5\n"
                       "  collector { ip = 127.0.0.1 udpport = %d }\n}\n" % port)
    sink = e2e.start(["python3", "-c", "import socket,time\ns=socket.socket(2,2)\n"
                      "s.bind(('127.0.0.1',%d))\ns.settimeout(1)\nend=time.time()+%f\n"
                      "while time.time()<end:\n try: s.recv(65536)\n except OSError: pass\n"
                      % (port, seconds + 6)])
    agent = e2e.start([e2e.HSFLOWD, "-d", "-f", conf], stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL)
    time.sleep(3.0)  # start-up is not idle
    t0 = sampling.cpu_ns(agent.pid)
    time.sleep(seconds)
    t1 = sampling.cpu_ns(agent.pid)
    rss = sampling.rss_mb(agent.pid)
    smaps.update(sampling.rollup(agent.pid))
    e2e.stop(agent)
    e2e.stop(sink)
    return {"cpu_pct": 100.0 * (t1 - t0) / 1e9 / seconds, "rss_mb": rss}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--windows", type=int, default=2, help="windows per rate (median)")
    p.add_argument("--seconds", type=int, default=10, help="seconds per window")
    p.add_argument("--idle-seconds", type=int, default=30)
    p.add_argument("--pps", type=int, default=40000)
    args = p.parse_args()
    e2e.need_root()
    e2e.need(os.access(e2e.HSFLOWD, os.X_OK), "build first: scripts/build")
    blast = e2e.tmpfile("udpblast")
    subprocess.run(["gcc", "-O2", "-o", blast, os.path.join(sampling.TOP, "bench", "udpblast.c")],
                   check=True)
    counter = e2e.tmpfile("count.py", sampling.COUNTER)
    a, b = e2e.netns("ca"), e2e.netns("cb")
    va, vb = e2e.veth_pair(a, "cva", b, "cvb", "192.0.2.1/24", "192.0.2.2/24")

    smaps = {}
    rows = {"idle": idle(args.idle_seconds, smaps)}
    lost = {}
    for n in (1, 10, 100, 1000):
        runs = [sampling.run_once([e2e.HSFLOWD, "-d", "-f", "{conf}"], n, args.pps, args.seconds,
                                  a, b, va, blast, counter, polling=5, payload=PAYLOAD)
                for _ in range(args.windows)]
        rows[n] = {"cpu_pct": statistics.median(r["cpu_pct"] for r in runs),
                   "rss_mb": statistics.median(r["rss_mb"] for r in runs),
                   "pps": statistics.median(r["pps"] for r in runs)}
        lost[n] = sum(r["drops"] for r in runs)

    print("load: %d packets/s of 106-byte frames, polling 5 s, median of %d windows of %d s; "
          "idle: counters only, %d s\n" % (args.pps, args.windows, args.seconds, args.idle_seconds))
    print("| load | reference CPU | ours CPU | ratio | reference RSS | ours RSS | ratio |")
    print("|---|---|---|---|---|---|---|")
    for k, r in rows.items():
        rc, rr = REFERENCE[k]
        print("| %s | %.3f %% | %.3f %% | %.2f | %.1f MB | %.2f MB | %.2f |" % (
            "idle" if k == "idle" else "1-in-%d" % k, rc, r["cpu_pct"], r["cpu_pct"] / rc, rr,
            r["rss_mb"], r["rss_mb"] / rr))
    print("\nidle smaps_rollup (kB): " + ", ".join(
        "%s %d (reference %d)" % (k, smaps.get(k, 0), v) for k, v in REFERENCE_IDLE_SMAPS.items()))
    print("anonymous above the reference: %d kB (target: at most 256)"
          % (smaps.get("Anonymous", 0) - REFERENCE_IDLE_SMAPS["Anonymous"]))
    libs = [l for l in smaps.get("libraries", []) if "/ld-linux" not in l]
    print("libraries mapped when idle: %d (reference %d): %s" % (
        len(libs), REFERENCE_LIBRARIES, " ".join(os.path.basename(l) for l in libs)))
    print("samples dropped by the agent at each rate: %s" % ", ".join(
        "1-in-%d %d" % (n, d) for n, d in lost.items()))


if __name__ == "__main__":
    e2e.run(main)
