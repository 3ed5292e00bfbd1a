#!/usr/bin/env python3
"""systemd_v2_vm.py - the systemd module under a real systemd on pure cgroup v2 (what Debian 12,
Ubuntu 22.04+ and RHEL 9 run; this machine's host is hybrid): the debootstrap'd Debian root of
systemd_unit.py as an ext4 disk, booted by Debian's kernel under QEMU (TCG) with
systemd.unified_cgroup_hierarchy=1. A script run by systemd inside the guest starts transient
services, hsflowd (the unit we ship) and a collector, and prints on the serial console what the
cgroup files and systemd say next to the collector's output; this test judges them: each
service as 3:N with its name and structures, memory within 5 % of memory.current, CPU time of a
stopped busy unit equal to its cpu.stat and to systemd's CPUUsageNSec (per-unit CPU accounting
works on v2), one final sample per way of ending, 2100 counting the services, daemon-reexec
survived with the same index. Boot, checks and power-off take about 45 s under TCG here."""
import json
import os
import shutil
import subprocess
import time

import e2e
from e2e import check, element, log
import kvm
import systemd_unit as su

PORT = 6343
POLLING = 2
MEM = 24 << 20
VM_TIMEOUT = 600
CONF = ("sflow {\n  polling = %d\n  collector { ip = 127.0.0.1 udpport = %d }\n  systemd { }\n}\n"
        % (POLLING, PORT))

INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in %(modules)s; do insmod /lib/modules/$m.ko; done
i=0; while [ ! -e /dev/vda ]; do sleep 0.1; i=$((i+1)); [ $i -gt 300 ] && break; done
mkdir -p /newroot && mount -t ext4 -o rw /dev/vda /newroot || { echo NO-ROOT; poweroff -f; }
umount /proc /sys /dev
exec switch_root /newroot /sbin/init
"""

# Runs inside the guest as a systemd service once the system is up; everything it prints goes to
# the serial console between VM-BEGIN and VM-END.
GUEST = r"""#!/bin/sh
exec >/dev/ttyS0 2>&1
HOLD="/bin/sh -c 'x=\$(head -c %(mem)d /dev/zero | tr \"\\\\000\" a); sleep 600'"
CG=/sys/fs/cgroup/system.slice
col() { wc -l < /var/tmp/col.json; }
run() { n=$1; shift; eval systemd-run --quiet --unit=$n -p MemoryAccounting=yes "$@"; }
echo VM-BEGIN
echo "fs $(stat -fc %%T /sys/fs/cgroup) controllers=$(cat /sys/fs/cgroup/cgroup.controllers | tr ' ' ,)"
systemd-run --quiet --unit=sflowcat -p StandardOutput=file:/var/tmp/col.json /usr/bin/sflowcat -j -p %(port)d
run t-pre "$HOLD"
run t-long /bin/sleep 600
sleep 0.5
systemctl start hsflowd && echo "started $(col)"
sleep 1
run t-new "$HOLD"
run t-cpu -p CPUAccounting=yes -p CPUQuota=30%% "/bin/sh -c 'while :; do :; done'"
run t-fail "/bin/sh -c 'sleep 3; exit 3'"
run t-kill /bin/sleep 600
i=0; while [ $(sed -n 's/^usage_usec //p' $CG/t-cpu.service/cpu.stat) -lt 600000 ] && [ $i -lt 100 ]; do sleep 0.2; i=$((i+1)); done
systemctl kill -s SIGSTOP t-cpu; sleep 0.3
echo "cpu usage_usec=$(sed -n 's/^usage_usec //p' $CG/t-cpu.service/cpu.stat) nsec=$(systemctl show -p CPUUsageNSec --value t-cpu)"
# the holders fill their memory through a pipe, slowly under emulation: wait until they hold it
for u in t-pre t-new; do i=0
  while [ $(cat $CG/$u.service/memory.current) -lt %(mem)d ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i+1)); done
done
sleep 1.5; echo "cut-cpu $(col)"
sleep %(wait)s
echo "cpu2 usage_usec=$(sed -n 's/^usage_usec //p' $CG/t-cpu.service/cpu.stat)"
for u in t-pre t-new; do echo "mem $u current=$(cat $CG/$u.service/memory.current)"; done
sleep 3
n=0; for u in $(systemctl list-units --type=service --state=active --no-legend --plain | cut -d' ' -f1); do
  [ -n "$(systemctl show -p ControlGroup --value $u)" ] && n=$((n+1)); done
echo "services n=$n"; sleep 0.5; echo "cut-count $(col)"
sleep %(wait)s
echo "ends $(col)"
systemctl stop t-pre; systemctl kill -s SIGKILL t-kill; systemctl stop t-cpu
sleep 3
echo "reexec $(col)"
systemctl daemon-reexec
sleep 2
run t-re /bin/sleep 600
sleep %(wait)s
echo "reexec-done $(col)"
systemctl stop hsflowd
sleep 1
echo COLLECTOR
cat /var/tmp/col.json
echo AGENT-LOG
journalctl --no-pager -o cat -u hsflowd | tail -40
echo VM-END
systemctl poweroff --force
"""

UNIT = """[Unit]
Description=systemd module checks on cgroup v2
After=multi-user.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/v2-check
StandardOutput=tty
TTYPath=/dev/ttyS0

[Install]
WantedBy=multi-user.target
"""


def prepare_root(root):
    su.install_agent(root)
    with open(root + "/etc/hsflowd.conf", "w") as f:
        f.write(CONF)
    script = root + "/usr/local/sbin/v2-check"
    with open(script, "w") as f:
        f.write(GUEST % {"mem": MEM, "port": PORT, "wait": POLLING * 2 + 1})
    os.chmod(script, 0o755)
    with open(root + "/etc/systemd/system/v2-check.service", "w") as f:
        f.write(UNIT)
    wants = root + "/etc/systemd/system/multi-user.target.wants"
    os.makedirs(wants, exist_ok=True)
    os.symlink("/etc/systemd/system/v2-check.service", wants + "/v2-check.service")
    # no login prompts on the console the checks print on
    for u in ("serial-getty@ttyS0.service", "getty@tty1.service", "console-getty.service"):
        p = root + "/etc/systemd/system/" + u
        if not os.path.lexists(p):
            os.symlink("/dev/null", p)
    with open(root + "/etc/hostname", "w") as f:
        f.write("v2vm\n")


def parse(text):
    check("VM-BEGIN" in text and "VM-END" in text,
          "the guest printed its evidence (console tail: %s)" % text[-2000:])
    body = text.split("VM-BEGIN", 1)[1].split("VM-END", 1)[0].replace("\r", "")
    info, datagrams, agent_log, mode = {}, [], [], None
    for line in body.splitlines():
        if line in ("COLLECTOR", "AGENT-LOG"):
            mode = line
            continue
        if mode == "COLLECTOR" and line.startswith("{"):
            try:
                datagrams.append(json.loads(line))
            except ValueError:
                pass
        elif mode == "AGENT-LOG":
            agent_log.append(line)
        elif " " in line:
            key, rest = line.split(" ", 1)
            info.setdefault(key, []).append(rest)
    return info, datagrams, "\n".join(agent_log)


def kv(text):
    return dict(x.split("=", 1) for x in text.split() if "=" in x)


def judge(info, datagrams, agent_log):
    log("guest: " + "; ".join("%s %s" % (k, v) for k, v in info.items()))
    fs = info.get("fs", [""])[0]
    check(fs.startswith("cgroup2fs"), "the guest runs pure cgroup v2 (%s)" % fs)
    log("datagrams in the collector's file when systemctl start returned: %s"
        % info.get("started", ["?"])[0])
    cut = {k: int(info[k][0]) for k in ("cut-cpu", "cut-count", "ends", "reexec", "reexec-done")
           if k in info}
    check(len(cut) == 5, "the guest printed its marks: %s" % cut)

    units = {}  # name -> [(datagram index, sourceId, sample)]
    host = []
    for i, d in enumerate(datagrams):
        for s in e2e.samples(d):
            src = s.get("sourceId", "")
            if src == "2:1":
                host.append((i, s))
            elif src.startswith("3:") and element(s, "0:2000"):
                units.setdefault(element(s, "0:2000")["hostname"], []).append((i, src, s))

    def state(s):
        return int(element(s, "0:2101")["vcpu_state"])

    host_uuid = element(host[0][1], "0:2000")["UUID"] if host else None
    for name in ("t-pre", "t-long", "t-new", "t-cpu", "t-fail", "t-kill", "t-re"):
        got = units.get(name + ".service", [])
        check(got, "%s.service: exported as a 3:N source" % name)
        s = got[0][2]
        tags = [e["counterBlock_tag"] for e in s["elements"]]
        check(all(t in tags for t in ("0:2000", "0:2002", "0:2101", "0:2102", "0:2103")),
              "%s: 2000, 2002, 2101, 2102, 2103 (%s)" % (name, tags))
        p = element(s, "0:2002")
        check((p["parent_dsClass"], p["parent_dsIndex"]) == ("2", "1"), "%s: parent 2:1" % name)
        check(element(s, "0:2000")["UUID"] != host_uuid, "%s: a UUID of its own" % name)
        check(len({src for _, src, _ in got}) == 1, "%s: one data source throughout" % name)

    # memory: 2102 of the samples after the readings within 5 % of memory.current
    for line in info.get("mem", []):
        name, cur = line.split()[0], int(kv(line)["current"])
        after = [s for i, _, s in units[name + ".service"] if cut["cut-cpu"] <= i < cut["ends"]]
        check(after, "%s: samples around the memory reading" % name)
        used = int(element(after[-1], "0:2102")["vmem_memory"])
        check(abs(used - cur) <= cur * 0.05 and used >= MEM,
              "%s: 2102 memory %d within 5%% of memory.current %d (holds %d)"
              % (name, used, cur, MEM))

    # CPU time of the stopped busy unit: every sample polled after the stop equals the truth
    c1, c2 = kv(info["cpu"][0]), kv(info["cpu2"][0])
    usec, nsec = int(c1["usage_usec"]), c1.get("nsec", "")
    check(int(c2["usage_usec"]) == usec and usec > 500000,
          "t-cpu stopped after %d us of CPU time, no longer moving (%s)" % (usec, c2))
    polled = [s for i, _, s in units["t-cpu.service"] if cut["cut-cpu"] <= i < cut["ends"]
              and state(s) != 4]
    check(polled, "t-cpu: samples polled after the stop")
    ms = {int(element(s, "0:2101")["vcpu_cpu_mS"]) for s in polled}
    log("t-cpu: 2101 cpu_time %s ms; cpu.stat %d us; CPUUsageNSec %s" % (ms, usec, nsec))
    check(all(abs(m - usec / 1000) <= 1 for m in ms),
          "t-cpu: 2101 cpu_time %s ms equals cpu.stat usage_usec %d us" % (ms, usec))
    check(nsec.isdigit() and all(abs(m - int(nsec) / 1e6) <= 1 for m in ms),
          "t-cpu: and systemd's CPUUsageNSec %s ns (per-unit CPU accounting works on v2)" % nsec)

    # 2100 counts the services
    n = int(kv(info["services"][0])["n"])
    counts = {int(element(s, "0:2100")["vnode_num_domains"]) for i, s in host
              if cut["cut-count"] <= i < cut["ends"] and element(s, "0:2100")}
    check(counts == {n}, "2100 num_domains %s = the %d active services with a cgroup"
          % (counts, n))

    # every way of ending: one final sample each, nothing after it
    for name in ("t-pre", "t-kill", "t-cpu", "t-fail"):
        got = units[name + ".service"]
        fin = [k for k, (_, _, s) in enumerate(got) if state(s) == 4]
        check(len(fin) == 1 and fin[0] == len(got) - 1,
              "%s: exactly one final sample (state shutdown), the last (%d of %d)"
              % (name, len(fin), len(got)))
    # daemon-reexec: t-long keeps its index, no final sample; t-re seen after it
    long_ = units["t-long.service"]
    check(any(i >= cut["reexec"] + 1 for i, _, _ in long_) and
          not any(state(s) == 4 for i, _, s in long_ if i < cut["reexec-done"]),
          "t-long: sampled after daemon-reexec with the same source %s, no final sample"
          % long_[0][1])
    check(any(i >= cut["reexec"] for i, _, _ in units["t-re.service"]),
          "t-re, started after daemon-reexec, is seen")
    check("Exiting:" in agent_log, "the agent's journal has its exit line")


def main():
    e2e.need_root()
    e2e.need_binaries()
    su.ensure_host_tools()
    for tool in ("qemu-system-x86_64", "cpio", "mkfs.ext4", "busybox"):
        e2e.need(shutil.which(tool), "%s missing (qemu-system-x86, cpio, e2fsprogs, "
                                     "busybox-static)" % tool)
    begin = time.monotonic()
    kern, moddir = kvm.kernel()
    root, overlay = su.working_root(su.debian_root())
    disk = e2e.tmpfile("v2-root.img")
    try:
        prepare_root(root)
        e2e.sh("mkfs.ext4 -q -F -L v2root -d %s %s 2G" % (root, disk))
    finally:
        if overlay and subprocess.run(["umount", overlay], capture_output=True).returncode:
            subprocess.run(["umount", "-l", overlay], capture_output=True)
    initrd = e2e.tmpfile("v2-initrd.gz")
    e2e.busybox_initramfs(moddir, ["virtio_pci", "virtio_blk"], INIT, initrd)
    log("disk and initramfs ready in %.1f s" % (time.monotonic() - begin))
    console = e2e.tmpfile("v2-console.log")
    booted = time.monotonic()
    with open(console, "w") as out:
        p = subprocess.Popen(
            ["qemu-system-x86_64", "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2",
             "-m", "1024", "-nodefaults", "-nographic", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-kernel", kern, "-initrd", initrd,
             "-drive", "file=%s,if=virtio,format=raw" % disk,
             "-append", "console=ttyS0 quiet panic=-1 systemd.unified_cgroup_hierarchy=1 "
                        "systemd.show_status=0 rw"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        e2e._procs.append(p)
        try:
            p.wait(VM_TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            log("the guest did not power off within %d s" % VM_TIMEOUT)
    with open(console, errors="replace") as f:
        text = f.read()
    log("guest ran %.0f s (boot, checks, power-off under TCG)" % (time.monotonic() - booted))
    info, datagrams, agent_log = parse(text)
    try:
        judge(info, datagrams, agent_log)
    except AssertionError:
        log("--- the agent's journal in the guest ---\n" + agent_log)
        raise
    os.unlink(disk)
    log("total %.0f s" % (time.monotonic() - begin))


if __name__ == "__main__":
    e2e.run(main)
