#!/usr/bin/env python3
"""systemd.py - CPU cost of one polling round per service (10, 100, 300 transient services,
polling=1), under a real systemd (the debootstrap'd Debian root of tests/e2e/systemd_unit.py
booted with systemd-nspawn, cgroup v1 hybrid with per-unit memory, blkio and pids cgroups).

Usage: sudo bench/systemd.py [WINDOW_SECONDS] [COUNTS...]   (defaults: 10 s; 10 100 300)
The agent's CPU time comes from /proc/PID/schedstat over the window; the cost with only the
container's own services is subtracted, and the rest divided by added services x polls. Figures
should stay flat as N grows. Also printed: the agent's CPU per service started (signals, one
GetAll, the first poll). Needs root, systemd-container and debootstrap; builds nothing (uses
build/)."""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("BUILDDIR", os.path.join(HERE, "..", "build"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))
import e2e  # noqa: E402
import systemd_unit as su  # noqa: E402
import systemd_services as ss  # noqa: E402

PORT = 6343
CONF = ("sflow {\n  polling = 1\n  collector { ip = 127.0.0.1 udpport = %d }\n  systemd { }\n}\n"
        % PORT)


def cpu_ns(c, pid):
    return int(c.out("cat /proc/%s/schedstat" % pid).split()[0])


def rss_kb(c, pid):
    for line in c.out("cat /proc/%s/status" % pid).splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def measure(c, pid, window):
    time.sleep(2.5)  # new services are polled at once, then at their place in the interval
    c0, t0 = cpu_ns(c, pid), time.monotonic()
    time.sleep(window)
    return (cpu_ns(c, pid) - c0) / 1000.0, time.monotonic() - t0


def followed(c):
    return int(c.out("systemctl list-units --type=service --state=active --no-legend --plain "
                     "| wc -l") or "0")


def run(c, window, counts):
    ss.remount_controllers(c)
    col = su.InnerCollector(c, PORT)
    c.write("/etc/hsflowd.conf", CONF)
    rc, out = c.run("systemctl start hsflowd", timeout=40)
    if rc != 0:
        raise RuntimeError("systemctl start hsflowd: " + out)
    pid = c.show("hsflowd", "MainPID")["MainPID"]
    base_us, secs = measure(c, pid, window)
    base = base_us / secs
    print("container's own services only (%d active): %.0f us CPU per second"
          % (followed(c), base))
    print("%9s %11s %20s %18s %8s" % ("services", "us CPU/s", "us per service-poll",
                                      "us per start", "RSS kB"))
    running, rows = 0, []
    for n in counts:
        c0 = cpu_ns(c, pid)
        rc, out = c.run("for i in $(seq %d %d); do systemd-run --quiet --unit=bench-$i "
                        "-p MemoryAccounting=yes /bin/sleep 3600 || exit 1; done"
                        % (running, n - 1), timeout=600)
        if rc != 0:
            raise RuntimeError("systemd-run: " + out)
        time.sleep(2)
        per_start = (cpu_ns(c, pid) - c0) / 1000.0 / (n - running)
        running = n
        us, secs = measure(c, pid, window)
        per = (us / secs - base) / n  # polling=1: one poll per service per second
        rows.append((n, per))
        print("%9d %11.0f %20.1f %18.0f %8d" % (n, us / secs, per, per_start, rss_kb(c, pid)),
              flush=True)
    if len(rows) > 1 and rows[0][1] > 0:
        print("ratio of the per-service cost, %d vs %d services: %.2f"
              % (rows[-1][0], rows[0][0], rows[-1][1] / rows[0][1]))
    got = col.datagrams()
    names = {e2e.element(s, "0:2000")["hostname"] for d in got[-50:] for s in e2e.samples(d)
             if s.get("sourceId", "").startswith("3:") and e2e.element(s, "0:2000")}
    print("bench services seen in the last datagrams: %d"
          % sum(1 for x in names if x.startswith("bench-")))
    c.run("systemctl stop hsflowd", timeout=30)
    col.stop()


def main():
    e2e.need_root()
    e2e.need_binaries()
    su.ensure_host_tools()
    window = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    counts = [int(a) for a in sys.argv[2:]] or [10, 100, 300]
    root, overlay = su.working_root(su.debian_root())
    c = None
    try:
        su.install_agent(root)
        c = su.Container(root, "hsfbench-" + e2e.TAG)
        c.find_leader()
        c.wait_running()
        run(c, window, counts)
    finally:
        if c:
            c.poweroff()
        if overlay and subprocess.run(["umount", overlay], capture_output=True).returncode:
            subprocess.run(["umount", "-l", overlay], capture_output=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        e2e.cleanup()
