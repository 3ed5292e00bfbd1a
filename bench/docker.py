#!/usr/bin/env python3
"""docker.py - CPU cost of one polling round per container (10, 50, 150 containers, polling=1).

Usage: sudo bench/docker.py [WINDOW_SECONDS] [COUNTS...]   (defaults: 10 s; 10 50 150)
The agent's CPU time comes from /proc/PID/schedstat over the window; the cost with no container
is subtracted, and the rest divided by containers x polls. Figures should stay flat as N grows.
Needs root, dockerd (docker.io) and busybox-static; builds nothing (uses build/)."""
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BUILDDIR", os.path.join(HERE, "..", "build"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import e2e  # noqa: E402
import docker_engine as de  # noqa: E402


def cpu_ns(pid):
    with open("/proc/%d/schedstat" % pid) as f:
        return int(f.read().split()[0])


def measure(col, pid, window):
    col.datagrams(2.5)  # let a round pass: new containers polled at once, then staggered
    c0, t0 = cpu_ns(pid), time.monotonic()
    col.datagrams(window)
    return (cpu_ns(pid) - c0) / 1000.0, time.monotonic() - t0


def main():
    e2e.need_root()
    e2e.need_binaries()
    de.ensure_installed()
    window = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    counts = [int(a) for a in sys.argv[2:]] or [10, 50, 150]
    eng = de.Engine()
    try:
        run(eng, window, counts)
    finally:
        eng.cleanup()


def run(eng, window, counts):
    port = e2e.free_port()
    col = e2e.Collector(port)
    os.environ["DOCKER_HOST"] = eng.host
    agent = e2e.Agent(de.agent_conf(port, polling=1))
    pid = agent.proc.pid
    col.datagrams(2)
    base_us, secs = measure(col, pid, window)
    base = base_us / secs
    print("no container: %.0f us CPU per second (host and interface polling)" % base)
    print("%10s %14s %22s %10s" % ("containers", "us CPU/s", "us per container-poll", "RSS kB"))
    running = 0
    rows = []
    with ThreadPoolExecutor(8) as pool:
        for n in counts:
            list(pool.map(lambda i: eng.run("b%d" % i), range(running, n)))
            running = n
            us, secs = measure(col, pid, window)
            per = (us / secs - base) / n  # polling=1: one poll per container per second
            rows.append((n, per))
            print("%10d %14.0f %22.1f %10d" % (n, us / secs, per, de.agent_rss_kb(pid)),
                  flush=True)
    if len(rows) > 1:
        print("ratio of the per-container cost, %d vs %d containers: %.2f" % (
            rows[-1][0], rows[0][0], rows[-1][1] / rows[0][1] if rows[0][1] > 0 else 0))
    agent.stop()


if __name__ == "__main__":
    try:
        main()
    finally:
        e2e.cleanup()
