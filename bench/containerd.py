#!/usr/bin/env python3
"""containerd.py - CPU cost of one polling round per task (10, 50, 150 tasks, polling=1), for the
containerd module, beside the docker module's figure (bench/docker.py's method) when dockerd is
installed.

Usage: sudo bench/containerd.py [WINDOW_SECONDS] [COUNTS...]   (defaults: 10 s; 10 50 150)
The agent's CPU time comes from /proc/PID/schedstat over the window; the cost with no task is
subtracted, and the rest divided by tasks x polls. Figures should stay flat as N grows.
Needs root, containerd, runc and busybox-static; builds nothing (uses build/)."""
import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BUILDDIR", os.path.join(HERE, "..", "build"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
sys.path.insert(0, HERE)
import e2e  # noqa: E402
import containerd_daemon as cdd  # noqa: E402
import docker_engine as de  # noqa: E402
from docker import measure  # noqa: E402  (bench/docker.py: the same measurement)


def series(col, pid, window, counts, start_one, label):
    col.datagrams(2)
    base_us, secs = measure(col, pid, window)
    base = base_us / secs
    print("%s, none running: %.0f us CPU per second (host and interface polling)" % (label, base))
    rows = []
    running = 0
    with ThreadPoolExecutor(8) as pool:
        for n in counts:
            list(pool.map(start_one, range(running, n)))
            running = n
            us, secs = measure(col, pid, window)
            rows.append((n, us / secs, (us / secs - base) / n, de.agent_rss_kb(pid)))
            print("  %s %4d: %.1f us per poll" % (label, n, rows[-1][2]), flush=True)
    return rows


def run_containerd(window, counts):
    ctd = cdd.Containerd()
    try:
        port = e2e.free_port()
        col = e2e.Collector(port)
        agent = e2e.Agent(cdd.agent_conf(port, ctd.sock, polling=1), name="bench-ctrd.conf")
        rows = series(col, agent.proc.pid, window, counts,
                      lambda i: ctd.run("b%d" % i, labels=cdd.k8s_labels(
                          "bench", "p%d" % i, "u%d" % i, "c")), "containerd")
        agent.stop()
        col.stop()
        return rows
    finally:
        ctd.cleanup()


def run_docker(window, counts):
    eng = de.Engine()
    try:
        port = e2e.free_port()
        col = e2e.Collector(port)
        os.environ["DOCKER_HOST"] = eng.host
        agent = e2e.Agent(de.agent_conf(port, polling=1), name="bench-docker.conf")
        rows = series(col, agent.proc.pid, window, counts, lambda i: eng.run("b%d" % i), "docker")
        agent.stop()
        col.stop()
        return rows
    finally:
        eng.cleanup()


def main():
    e2e.need_root()
    e2e.need_binaries()
    cdd.ensure_installed()
    window = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    counts = [int(a) for a in sys.argv[2:]] or [10, 50, 150]
    ctrd = run_containerd(window, counts)
    dock = run_docker(window, counts) if shutil.which("dockerd") else None
    print()
    print("%8s %16s %16s %10s %18s" % ("tasks", "containerd us/s", "us per task-poll", "RSS kB",
                                      "docker us per poll"))
    for i, (n, us, per, rss) in enumerate(ctrd):
        d = "%.1f" % dock[i][2] if dock else "-"
        print("%8d %16.0f %16.1f %10d %18s" % (n, us, per, rss, d))
    if len(ctrd) > 1 and ctrd[0][2] > 0:
        print("ratio of the per-task cost, %d vs %d tasks: %.2f" % (
            ctrd[-1][0], ctrd[0][0], ctrd[-1][2] / ctrd[0][2]))


if __name__ == "__main__":
    try:
        main()
    finally:
        e2e.cleanup()
