#!/usr/bin/env python3
"""systemd_services.py - the systemd module under a real systemd (nspawn, cgroup v1 hybrid):
transient services as 3:N sources seen at once, with the right name, UUID and structures, memory
equal to the unit's cgroup value; one final sample (state shutdown) for each way of ending
(stop, SIGKILL, failure); 2100 on 2:1 follows; 2101 CPU time between readings of the unit's
cgroup2 cpu.stat (and of its process's utime+stime); daemon-reexec and the loss of the bus (dbus
stopped and started) are survived with the same index, a unit that stopped meanwhile gets its
final sample.
Boots the cached Debian root of systemd_unit.py with its helpers."""
import os
import subprocess
import hashlib
import time

import e2e
from e2e import check, element, log
import systemd_unit as su

POLLING = 10
PORT = 6343
CONF = ("sflow {\n  polling = %d\n  collector { ip = 127.0.0.1 udpport = %d }\n  systemd { }\n}\n"
        % (POLLING, PORT))
MEM = 24 << 20  # what the memory services hold
# a shell holding MEM bytes in a variable, then waiting
HOLD = "/bin/sh -c 'x=$(head -c %d /dev/zero | tr \"\\\\000\" a); sleep 600'" % MEM


def uuid_bytes(text):
    return bytes.fromhex(text.replace("-", ""))


def uuid5(ns, name):
    """RFC 4122 version 5 (SHA-1) UUID of name in namespace ns, written out here (the test
    directory's uuid.py shadows the standard module)."""
    h = bytearray(hashlib.sha1(ns + name.encode()).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50
    h[8] = (h[8] & 0x3F) | 0x80
    return bytes(h)


class Watch:
    """The collector's datagrams as they arrive, each sample with the time it was seen."""

    def __init__(self, col):
        self.col, self.n = col, 0
        self.units = {}  # hostname -> [(time, sourceId, sample)]
        self.host = []   # (time, 2:1 sample)

    def pump(self):
        ds = self.col.datagrams()
        now = time.time()
        for d in ds[self.n:]:
            for s in e2e.samples(d):
                src = s.get("sourceId", "")
                if src == "2:1":
                    self.host.append((now, s))
                elif src.startswith("3:"):
                    h = element(s, "0:2000")
                    if h:
                        self.units.setdefault(h["hostname"], []).append((now, src, s))
        self.n = len(ds)

    def wait(self, cond, seconds):
        end = time.time() + seconds
        while True:
            self.pump()
            r = cond()
            if r or time.time() >= end:
                return r
            time.sleep(0.05)

    def first(self, name, after=0.0, state=None):
        for t, src, s in self.units.get(name, []):
            if t >= after and (state is None or int(element(s, "0:2101")["vcpu_state"]) == state):
                return t, src, s
        return None

    def finals(self, name):
        return [x for x in self.units.get(name, [])
                if int(element(x[2], "0:2101")["vcpu_state"]) == 4]

    def virt_nodes(self, after):
        for t, s in self.host:
            v = element(s, "0:2100")
            if t >= after and v:
                return int(v["vnode_num_domains"])
        return None


def remount_controllers(c):
    """nspawn mounts the v1 controllers read-only: mount them again so that systemd can make
    per-unit memory and blkio cgroups (TESTING.md), then let systemd see them."""
    for ctl in ("memory", "blkio", "pids"):
        rc, out = c.run("umount -l /sys/fs/cgroup/%s && mount -t cgroup -o %s cgroup "
                        "/sys/fs/cgroup/%s" % (ctl, ctl, ctl))
        check(rc == 0, "remount the %s controller inside the container: %s" % (ctl, out))
    rc, out = c.run("systemctl daemon-reexec", timeout=30)
    check(rc == 0, "daemon-reexec after the remount: %s" % out)
    c.wait_running()


def services_with_cgroup(c):
    """Active services with a control group, as systemd says (what 2100 should count)."""
    out = c.out("for u in $(systemctl list-units --type=service --state=active --no-legend "
                "--plain | cut -d' ' -f1); do systemctl show -p ControlGroup --value $u; done")
    return sum(1 for l in out.splitlines() if l.strip().startswith("/"))


def run_unit(c, name, cmd, *props):
    p = " ".join("-p " + x for x in props)
    rc, out = c.run("systemd-run --quiet --unit=%s -p MemoryAccounting=yes %s %s" % (name, p, cmd))
    check(rc == 0, "systemd-run --unit=%s: %s" % (name, out))


def cgroup_memory(c, name):
    v = c.out("cat /sys/fs/cgroup/memory/system.slice/%s.service/memory.usage_in_bytes" % name)
    return int(v) if v.isdigit() else None


def check_unit(w, c, name, agent_uuid):
    x = w.wait(lambda: w.first(name + ".service"), 5)
    check(x is not None, "%s.service: a 3:N sample arrives" % name)
    t, src, s = x
    tags = [e["counterBlock_tag"] for e in s["elements"]]
    for tag in ("0:2000", "0:2002", "0:2101", "0:2102", "0:2103"):
        check(tag in tags, "%s: sample carries %s" % (name, tag))
    d = element(s, "0:2000")
    want = uuid5(agent_uuid, name + ".service")
    check(uuid_bytes(d["UUID"]) == want, "%s: 2000 UUID %s is uuid5(agent UUID, unit name) %s"
          % (name, d["UUID"], want.hex()))
    p = element(s, "0:2002")
    check((p["parent_dsClass"], p["parent_dsIndex"]) == ("2", "1"), "%s: 2002 parent 2:1" % name)
    check(int(element(s, "0:2101")["vcpu_state"]) == 1, "%s: 2101 state running" % name)
    return t, src


def check_memory(w, c, name):
    """The next sample's 2102 memory against the cgroup file read around it."""
    before = cgroup_memory(c, name)
    start = time.time()
    x = w.wait(lambda: w.first(name + ".service", after=start), POLLING + 3)
    after = cgroup_memory(c, name)
    check(x is not None and before and after, "%s: a later sample and the cgroup value (%s, %s)"
          % (name, before, after))
    used = int(element(x[2], "0:2102")["vmem_memory"])
    ok = any(abs(used - v) <= v * 0.05 for v in (before, after))
    check(ok, "%s: 2102 memory %d within 5%% of memory.usage_in_bytes %d..%d"
          % (name, used, before, after))
    check(used >= MEM, "%s: the %d bytes it holds are counted (%d)" % (name, MEM, used))
    return used, before, after


def unified_mount(c):
    """Where the container's cgroup2 hierarchy is (hybrid: /sys/fs/cgroup/unified)."""
    return c.out("findmnt -n -t cgroup2 -o TARGET | head -1")


def cpu_truth(c, name, v2):
    """The unit's CPU time in ms from the sources the agent does not use together: the cgroup2
    cpu.stat usage_usec, the main process's utime+stime (/proc, single-process unit) and
    systemd's CPUUsageNSec (None when systemd has no accounting for it)."""
    st = c.out("cat %s/system.slice/%s.service/cpu.stat" % (v2, name))
    usec = dict(l.split() for l in st.splitlines() if len(l.split()) == 2).get("usage_usec")
    pid = c.show(name, "MainPID")["MainPID"]
    stat = c.out("cat /proc/%s/stat" % pid).rsplit(")", 1)[-1].split()
    hz = int(c.out("getconf CLK_TCK") or "100")
    proc_ms = (int(stat[11]) + int(stat[12])) * 1000 // hz if len(stat) > 12 else None
    ns = c.show(name, "CPUUsageNSec").get("CPUUsageNSec", "")
    return (int(usec) / 1000 if usec and usec.isdigit() else None, proc_ms,
            int(ns) / 1e6 if ns.isdigit() else None)


def check_cpu(w, c, name):
    """2101 cpu_time of a busy unit whose process was then stopped (SIGSTOP: its CPU time no
    longer moves) equals the cgroup's cpu.stat to the ms and its process's utime+stime to the
    clock tick. The sample taken is the first to arrive more than a flush interval (1 s) after
    the stop, so it was polled after it."""
    v2 = unified_mount(c)
    check(v2.startswith("/"), "a cgroup2 mount in the container (%r)" % v2)
    end = time.time() + 15
    while (cpu_truth(c, name, v2)[0] or 0) < 500 and time.time() < end:
        time.sleep(0.5)
    rc, out = c.run("systemctl kill -s SIGSTOP %s" % name)
    check(rc == 0, "%s: SIGSTOP: %s" % (name, out))
    time.sleep(0.3)
    before = cpu_truth(c, name, v2)
    mark = time.time()
    x = w.wait(lambda: w.first(name + ".service", after=mark + 1.5), POLLING + 4)
    after = cpu_truth(c, name, v2)
    check(x is not None, "%s: a sample polled after the stop" % name)
    ms = int(element(x[2], "0:2101")["vcpu_cpu_mS"])
    log("%s: 2101 cpu_time %d ms; cpu.stat %s..%s ms, /proc utime+stime %s..%s ms, "
        "CPUUsageNSec %s..%s ms" % (name, ms, before[0], after[0], before[1], after[1],
                                    before[2], after[2]))
    check(before[0] is not None and after[0] - before[0] < 1,
          "%s: stopped, its CPU time no longer moves (%s, %s ms)" % (name, before[0], after[0]))
    check(before[0] > 400, "%s: the busy unit has used CPU time (%s ms)" % (name, before[0]))
    check(abs(ms - before[0]) <= 1, "%s: 2101 cpu_time %d ms equals the cgroup's cpu.stat "
          "usage_usec (%s ms)" % (name, ms, before[0]))
    tick = 1000 // int(c.out("getconf CLK_TCK") or "100")
    check(before[1] is not None and abs(ms - before[1]) <= 2 * tick + ms * 0.01,
          "%s: and its process's utime+stime (%s ms) to the clock tick" % (name, before[1]))
    if before[2] is None:
        log("%s: CPUUsageNSec is not set: systemd reads it from a v1 cpuacct cgroup, which it "
            "cannot make here (cpu and cpuacct are separate hierarchies); cgroup2's cpu.stat "
            "is the truth on this hybrid layout" % name)
    else:
        check(abs(ms - before[2]) <= before[2] * 0.05 + 1,
              "%s: and within 5%% of systemd's CPUUsageNSec %s ms" % (name, before[2]))
    return ms


def check_end(w, name, how, ended, returned):
    unit = name + ".service"
    x = w.wait(lambda: w.first(unit, after=ended - 0.5, state=4), 5)
    check(x is not None, "%s (%s): a final sample with state shutdown" % (name, how))
    log("%s (%s): final sample %.2f s after the command began, %.2f s after it returned"
        % (name, how, x[0] - ended, x[0] - returned))
    w.wait(lambda: False, 2.5)
    fin = w.finals(unit)
    check(len(fin) == 1, "%s (%s): exactly one final sample (%d)" % (name, how, len(fin)))
    later = [t for t, _, _ in w.units[unit] if t > fin[0][0]]
    check(not later, "%s (%s): nothing after the final sample" % (name, how))
    return x[0] - ended


def scenario(c):
    remount_controllers(c)
    col = su.InnerCollector(c, PORT)
    w = Watch(col)
    c.write("/etc/hsflowd.conf", CONF)
    run_unit(c, "t-pre", HOLD)
    run_unit(c, "t-long", "/bin/sleep 600")
    rc, out = c.run("systemctl start hsflowd", timeout=40)
    check(rc == 0, "systemctl start hsflowd: %s" % out)
    check(w.wait(lambda: w.host, POLLING + 3), "host samples arrive")
    agent_uuid = uuid_bytes(element(w.host[0][1], "0:2000")["UUID"])

    # running before the agent: listed once at start
    _, src_long = check_unit(w, c, "t-long", agent_uuid)
    check_unit(w, c, "t-pre", agent_uuid)
    used, lo, hi = check_memory(w, c, "t-pre")
    log("t-pre: 2102 memory %d, cgroup %d..%d" % (used, lo, hi))

    # CPU time: a busy unit held to 20 % of a CPU
    run_unit(c, "t-cpu", "/bin/sh -c 'while :; do :; done'", "CPUAccounting=yes",
             "CPUQuota=20%")
    check(w.wait(lambda: w.first("t-cpu.service"), 5), "t-cpu: seen")
    check_cpu(w, c, "t-cpu")
    rc, out = c.run("systemctl stop t-cpu")
    check(rc == 0, "systemctl stop t-cpu: %s" % out)

    # started after the agent: polled at once, not at the next interval
    started = time.time()
    run_unit(c, "t-new", HOLD)
    x = w.wait(lambda: w.first("t-new.service"), POLLING)
    check(x is not None, "t-new: seen after its start")
    latency = x[0] - started
    log("t-new: first sample %.2f s after systemd-run (polling interval %d s)" % (latency, POLLING))
    check(latency < POLLING / 2, "t-new: sampled at once (%.2f s), not at the next interval"
          % latency)
    check_unit(w, c, "t-new", agent_uuid)
    run_unit(c, "t-fail", "/bin/sh -c 'sleep 2; exit 3'")
    check(w.wait(lambda: w.first("t-fail.service"), 5), "t-fail: seen while it runs")
    run_unit(c, "t-kill", "/bin/sleep 600")
    check(w.wait(lambda: w.first("t-kill.service"), 5), "t-kill: seen")

    # 2100 counts the services
    time.sleep(0.5)
    n1 = services_with_cgroup(c)
    mark = time.time()
    v = w.wait(lambda: w.virt_nodes(mark), POLLING + 3)
    n2 = services_with_cgroup(c)
    log("2100 num_domains %s; active services with a cgroup %d..%d" % (v, n1, n2))
    check(v in (n1, n2), "2100 counts the active services (%s, systemd: %d..%d)" % (v, n1, n2))

    # every way of ending: one final sample each
    ended = time.time()
    rc, out = c.run("systemctl stop t-pre")
    check(rc == 0, "systemctl stop t-pre: %s" % out)
    lat_stop = check_end(w, "t-pre", "stop", ended, time.time())
    ended = time.time()
    rc, out = c.run("systemctl kill -s SIGKILL t-kill")
    check(rc == 0, "systemctl kill -s SIGKILL t-kill: %s" % out)
    lat_kill = check_end(w, "t-kill", "SIGKILL", ended, time.time())
    st = c.show("t-fail", "ActiveState", "Result")
    fin = w.finals("t-fail.service")
    check(len(fin) == 1, "t-fail (exit 3, %s): exactly one final sample (%d)" % (st, len(fin)))
    mark = time.time()
    v = w.wait(lambda: w.virt_nodes(mark), POLLING + 3)
    n3 = services_with_cgroup(c)
    check(v == n3 and n3 < n2, "2100 follows: %s after the ends (systemd: %d, before %d)"
          % (v, n3, n2))

    # the manager re-executes: the agent resynchronises, survivors keep their index
    rc, out = c.run("systemctl daemon-reexec", timeout=30)
    check(rc == 0, "daemon-reexec: %s" % out)
    mark = time.time()
    run_unit(c, "t-re", "/bin/sleep 600")
    check(w.wait(lambda: w.first("t-re.service", after=mark), 8), "t-re after daemon-reexec seen")
    x = w.wait(lambda: w.first("t-long.service", after=mark), POLLING + 3)
    check(x is not None and x[1] == src_long, "t-long keeps its data source %s (%s)"
          % (src_long, x and x[1]))
    check(not w.finals("t-long.service"), "t-long got no final sample across daemon-reexec")

    # the bus itself goes away: dbus stopped; meanwhile t-re stops and t-during starts (systemctl
    # and systemd-run reach the manager on its private socket); dbus back: the agent reconnects
    # and resynchronises: t-re gets its final sample, t-during appears, t-long keeps its index
    n_gone = c.journal("hsflowd").count("the system bus went away")
    n_back = c.journal("hsflowd").count("connected to the system bus again")
    rc, out = c.run("systemctl stop dbus.socket dbus.service", timeout=30)
    check(rc == 0, "systemctl stop dbus: %s" % out)
    check(c.wait_journal("hsflowd", "the system bus went away", count=n_gone + 1),
          "the agent saw the bus go away")
    rc, out = c.run("systemctl stop t-re")
    check(rc == 0, "systemctl stop t-re without the bus: %s" % out)
    run_unit(c, "t-during", "/bin/sleep 600")
    time.sleep(1)
    check(not w.finals("t-re.service"), "no final sample for t-re while the bus is away")
    mark = time.time()
    rc, out = c.run("systemctl start dbus.socket dbus.service", timeout=30)
    check(rc == 0, "systemctl start dbus: %s" % out)
    check(c.wait_journal("hsflowd", "connected to the system bus again", count=n_back + 1,
                         seconds=40), "the agent reconnected to the bus")
    x = w.wait(lambda: w.first("t-re.service", after=mark, state=4), 40)
    check(x is not None, "t-re, stopped while the bus was away, gets a final sample after the "
          "resynchronisation")
    lat_bus = x[0] - mark
    check(w.wait(lambda: w.first("t-during.service", after=mark), 10),
          "t-during, started while the bus was away, is seen after it")
    w.wait(lambda: False, 2)
    check(len(w.finals("t-re.service")) == 1, "t-re: exactly one final sample (%d)"
          % len(w.finals("t-re.service")))
    mark = time.time()
    x = w.wait(lambda: w.first("t-long.service", after=mark), POLLING + 3)
    check(x is not None and x[1] == src_long and not w.finals("t-long.service"),
          "t-long keeps its data source %s across the bus loss, without a final sample (%s)"
          % (src_long, x and x[1]))
    log("bus back: final sample of t-re %.2f s after dbus was started again" % lat_bus)
    log("figures: new unit seen %.2f s after start; final sample %.2f s after stop, %.2f s after "
        "SIGKILL" % (latency, lat_stop, lat_kill))
    c.run("systemctl stop hsflowd t-long t-new t-during", timeout=20)
    col.stop()


def main():
    e2e.need_root()
    e2e.need_binaries()
    su.ensure_host_tools()
    e2e.need(os.path.isdir("/sys/fs/cgroup/memory"), "no cgroup v1 memory hierarchy (hybrid host)")
    begin = time.monotonic()
    root, overlay = su.working_root(su.debian_root())
    c = None
    try:
        su.install_agent(root)
        c = su.Container(root, "hsfsvc-" + e2e.TAG)
        c.find_leader()
        c.wait_running()
        log("container up in %.1f s" % (time.monotonic() - begin))
        try:
            scenario(c)
        except Exception:
            log("--- journalctl -u hsflowd ---\n"
                + c.out("journalctl --no-pager -o short-monotonic -u hsflowd", timeout=10))
            raise
    finally:
        if c:
            c.poweroff()
        if overlay and subprocess.run(["umount", overlay], capture_output=True).returncode:
            subprocess.run(["umount", "-l", overlay], capture_output=True)
        log("total %.1f s" % (time.monotonic() - begin))


if __name__ == "__main__":
    e2e.run(main)
