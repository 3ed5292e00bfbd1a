#!/usr/bin/env python3
"""kvm.py - a real libvirtd and a real guest: Debian's kernel under QEMU TCG with a busybox
initramfs, a raw disk and one interface on a bridge in a test namespace. The guest writes a known
number of bytes to its disk and exchanges a known number of packets; the collector must see the
domain within a second of `virsh start`, the guest's disk and network counters (its own
direction, judged by the tap's kernel counters), libvirt's memory figure, libvirtd restarted
under it, and exactly one final sample after `virsh destroy`. Without kvm {} the agent maps no
libvirt."""
import glob
import os
import shutil
import subprocess
import time

import e2e
from e2e import check, element, samples

CACHE = "/var/cache/hsflowd-tests/kvm"  # Debian's kernel, kept between runs
KERNEL_META = "linux-image-cloud-amd64"
POLLING = 2
WRITE_BYTES = 16 * 65536  # dd in the guest
PINGS = 20                # echo requests from the guest, each answered
BROADCASTS = 50           # datagrams the test sends to the guest, never answered
MEMORY_KIB = 196608
MODULES = ["virtio_pci", "virtio_blk", "virtio_net"]  # and what they depend on

INIT = """#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in %(modules)s; do insmod /lib/modules/$m.ko; done
i=0; while [ ! -e /dev/vda ] || [ ! -e /sys/class/net/eth0 ]; do sleep 0.1; i=$((i+1)); [ $i -gt 200 ] && break; done
ip link set eth0 up; ip addr add 192.0.2.2/24 dev eth0
echo GUEST-READY
dd if=/dev/zero of=/dev/vda bs=65536 count=16 oflag=direct 2>&1
ping -c %(pings)d -i 0.1 -q 192.0.2.1 2>&1
echo GUEST-DONE
while true; do sleep 60; done
"""


def kernel():
    """vmlinuz and the modules folder of Debian's cloud kernel, downloaded once."""
    os.makedirs(CACHE, exist_ok=True)
    found = glob.glob(CACHE + "/kroot/boot/vmlinuz-*")
    if not found:
        dep = e2e.sh("apt-cache depends " + KERNEL_META, check_rc=False)
        names = [l.split()[-1] for l in dep.splitlines() if "Depends: linux-image-" in l]
        e2e.need(names, "no kernel package behind %s in the apt lists" % KERNEL_META)
        for f in glob.glob(CACHE + "/*.deb"):
            os.unlink(f)
        r = subprocess.run("cd %s && apt-get download %s" % (CACHE, names[0]), shell=True,
                           capture_output=True, text=True)
        debs = glob.glob(CACHE + "/*.deb")
        e2e.need(r.returncode == 0 and debs, "cannot download %s: %s" % (names[0], r.stderr.strip()))
        shutil.rmtree(CACHE + "/kroot.new", ignore_errors=True)
        e2e.sh("dpkg -x %s %s/kroot.new" % (debs[0], CACHE))
        os.rename(CACHE + "/kroot.new", CACHE + "/kroot")
        os.unlink(debs[0])
        found = glob.glob(CACHE + "/kroot/boot/vmlinuz-*")
    version = os.path.basename(found[0])[len("vmlinuz-"):]
    return found[0], "%s/kroot/lib/modules/%s" % (CACHE, version)


class Libvirtd:
    """libvirtd in the test namespace and a private mount namespace: its own configuration,
    state and run folders (bind-mounted over the system's), its sockets in the test folder."""

    def __init__(self, ns, d):
        self.ns, self.d = ns, d
        for sub in ("etc/qemu", "run", "lib", "log", "sock"):
            os.makedirs(os.path.join(d, sub), exist_ok=True)
        os.makedirs(CACHE + "/libvirt-cache", exist_ok=True)  # QEMU capabilities, kept
        with open(d + "/etc/libvirtd.conf", "w") as f:
            f.write('unix_sock_dir = "%s/sock"\nauth_unix_ro = "none"\nauth_unix_rw = "none"\n'
                    'log_outputs = "2:stderr"\n' % d)
        with open(d + "/etc/qemu.conf", "w") as f:
            f.write('user = "root"\ngroup = "root"\ndynamic_ownership = 0\nremember_owner = 0\n'
                    'security_driver = "none"\nnamespaces = [ ]\ncgroup_controllers = [ ]\n'
                    'stdio_handler = "file"\n')
        self.uri = "qemu+unix:///system?socket=%s/sock/libvirt-sock" % d
        self.proc = None

    def start(self):
        d = self.d
        mounts = ("mount -t tmpfs none /run && mkdir /run/libvirt && "
                  "mount --bind {d}/run /run/libvirt && mount --bind {d}/etc /etc/libvirt && "
                  "mount --bind {d}/lib /var/lib/libvirt && mount --bind {d}/log /var/log/libvirt && "
                  "mount --bind {c}/libvirt-cache /var/cache/libvirt && "
                  "exec libvirtd --config {d}/etc/libvirtd.conf").format(d=d, c=CACHE)
        self.log = open(d + "/libvirtd.log", "a")
        self.proc = e2e.start(["unshare", "-m", "--propagation", "private", "sh", "-c", mounts],
                              ns=self.ns, stdout=self.log, stderr=self.log)
        end = time.time() + 30
        while time.time() < end:
            if self.virsh("version", check_rc=False) is not None:
                return
            check(self.proc.poll() is None, "libvirtd running")
            time.sleep(0.1)
        raise AssertionError("libvirtd did not answer within 30 s")

    def stop(self):
        e2e.stop(self.proc, timeout=10)

    def virsh(self, cmd, check_rc=True):
        r = subprocess.run("virsh -q -c '%s' %s" % (self.uri, cmd), shell=True,
                           capture_output=True, text=True)
        if r.returncode != 0:
            if check_rc:
                raise RuntimeError("virsh %s: %s" % (cmd, r.stderr.strip()))
            return None
        return r.stdout


def domain_xml(name, kern, initrd, disk, bridge, tap, console):
    return """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='KiB'>%(mem)d</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%(kern)s</kernel>
    <initrd>%(initrd)s</initrd><cmdline>console=ttyS0 quiet ipv6.disable=1 panic=-1</cmdline></os>
  <on_reboot>destroy</on_reboot>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/>
      <source file='%(disk)s'/><target dev='vda' bus='virtio'/></disk>
    <interface type='bridge'><mac address='52:54:00:c0:00:02'/><source bridge='%(bridge)s'/>
      <target dev='%(tap)s'/><model type='virtio'/></interface>
    <serial type='file'><source path='%(console)s'/><target port='0'/></serial>
    <memballoon model='none'/>
  </devices>
</domain>
""" % dict(name=name, mem=MEMORY_KIB, kern=kern, initrd=initrd, disk=disk, bridge=bridge,
           tap=tap, console=console)


class Watch:
    """The samples of one virtual node, and the host's virt_node count, as they arrive."""

    def __init__(self, col, name):
        self.col, self.name = col, name
        self.source = None
        self.got = []     # (arrival time, sample) of the domain's source
        self.vnodes = []  # (arrival time, 2100 num_domains) of 2:1

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            for d in self.col.datagrams(min(0.05, max(0, end - time.time()))):
                self._add(d)

    def _add(self, d):
        """One datagram, stamped with its arrival (to 50 ms)."""
        now = time.time()
        for s in samples(d):
            src = s.get("sourceId", "")
            h = element(s, "0:2000")
            if src.startswith("3:") and h and h.get("hostname") == self.name:
                if self.source not in (None, src):
                    raise AssertionError("the domain moved from %s to %s" % (self.source, src))
                self.source = src
                self.got.append((now, s))
            v = element(s, "0:2100")
            if src == "2:1" and v:
                self.vnodes.append((now, int(v["vnode_num_domains"])))

    def wait(self, pred, seconds):
        end = time.time() + seconds
        while time.time() < end:
            n = len(self.got)
            self.pump(0.05)
            for t, s in self.got[n:]:
                if pred(s):
                    return t, s
        return None, None


def num(s, tag, field):
    return int(element(s, tag)[field])


def tap_counters(ns, tap):
    base = "/sys/class/net/%s/statistics/" % tap
    out = {}
    for k in ("rx_packets", "tx_packets", "rx_bytes", "tx_bytes"):
        out[k] = int(e2e.sh("cat " + base + k, ns=ns).strip())
    return out


def cpu_ns(pid):
    """CPU time of the agent in ns (all threads), from the scheduler's accounting."""
    total = 0
    for t in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
            total += int(f.read().split()[0])
    return total


def maps_libvirt(pid):
    with open("/proc/%d/maps" % pid) as f:
        return sorted({l.split()[-1] for l in f if "libvirt" in l or "libxml2" in l})


def main():
    e2e.need_root()
    e2e.need_binaries()
    for tool in ("libvirtd", "virsh", "qemu-system-x86_64", "cpio", "unshare"):
        e2e.need(shutil.which(tool), "%s not installed (scripts/deps --test)" % tool)
    e2e.need(os.path.exists("/bin/busybox"), "busybox-static not installed")
    d = e2e.tmpfile("kvm")
    os.makedirs(d)
    kern, moddir = kernel()
    e2e.busybox_initramfs(moddir, MODULES, INIT.replace("%(pings)d", str(PINGS)),
                          d + "/initrd.gz")
    with open(d + "/disk.raw", "wb") as f:
        f.truncate(16 << 20)

    # a bridge in a namespace of our own; libvirtd runs there, so its tap lands there too
    ns = e2e.netns("kvm")
    for k in ("all", "default"):
        e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % k, ns=ns)
    br, tap = e2e.TAG + "br", e2e.TAG + "tap"
    e2e.sh("ip link add %s type bridge" % br, ns=ns)
    e2e.sh("ip addr add 192.0.2.1/24 brd 192.0.2.255 dev %s" % br, ns=ns)
    e2e.sh("ip link set %s up" % br, ns=ns)
    lv = Libvirtd(ns, d)
    lv.start()
    name = e2e.TAG + "-guest"
    with open(d + "/dom.xml", "w") as f:
        f.write(domain_xml(name, kern, d + "/initrd.gz", d + "/disk.raw", br, tap, d + "/console.log"))
    lv.virsh("define " + d + "/dom.xml")
    qemu_pidfile = d + "/run/qemu/%s.pid" % name

    port = e2e.free_port()
    col = e2e.Collector(port)
    base = ("sflow {\n  polling = %d\n  agentIP = 127.0.0.1\n"
            "  collector { ip = 127.0.0.1 udpport = %d }\n" % (POLLING, port))

    # without kvm {} the agent never loads libvirt
    plain = e2e.Agent(base + "}\n", name="plain.conf")
    check(plain.wait_log("Module host started") or plain.wait_log("started", 5), "agent without kvm {} started")
    time.sleep(0.3)
    check(maps_libvirt(plain.proc.pid) == [], "an agent without kvm {} maps no libvirt or libxml2")
    plain.stop()

    # the default URI comes from LIBVIRT_DEFAULT_URI
    os.environ["LIBVIRT_DEFAULT_URI"] = lv.uri
    agent = e2e.Agent(base + "  kvm { }\n}\n")
    check(agent.wait_log("kvm: connected to", 10), "the agent connected to libvirtd (LIBVIRT_DEFAULT_URI)")
    check(any("libvirt.so" in m for m in maps_libvirt(agent.proc.pid)), "with kvm {} libvirt is loaded")
    w = Watch(col, name)
    w.pump(0.5)
    b0, bt0 = cpu_ns(agent.proc.pid), time.monotonic()
    w.pump(float(os.environ.get("KVM_CPU_SECONDS", 2 * POLLING)))
    base_rate = (cpu_ns(agent.proc.pid) - b0) / (time.monotonic() - bt0)  # ns/s, no domain
    check(w.got == [], "no sample for the domain before it starts")

    lv.virsh("start " + name)
    t_started = time.time()
    t, s = w.wait(lambda s: True, 5)
    check(t is not None, "the domain is reported after virsh start")
    e2e.log("first sample %.3f s after virsh start returned" % (t - t_started))
    check(t - t_started < 1.0, "the domain appears within a second of virsh start (%.3f s)" % (t - t_started))
    check(num(s, "0:2101", "vcpu_state") == 1, "state running")
    check(element(s, "0:2002")["parent_dsClass"] in (2, "2") and
          int(element(s, "0:2002")["parent_dsIndex"]) == 1, "2002 parent 2:1")
    uuid = lv.virsh("domuuid " + name).strip()
    check(element(s, "0:2000")["UUID"] == uuid, "2000 uuid is the domain's (%s)" % uuid)
    a = element(s, "0:2001")
    check(a and [x["mac_list"] for x in a["adaptor_list"]] == [["525400c00002"]],
          "2001 lists the guest's MAC")

    # the guest's work
    end = time.time() + 90
    while time.time() < end:
        w.pump(0.5)
        with open(d + "/console.log", errors="replace") as f:
            if "GUEST-DONE" in f.read():
                break
    with open(d + "/console.log", errors="replace") as f:
        console = f.read()
    check("GUEST-DONE" in console, "the guest wrote its disk and pinged (console: %s)" % console[-300:])
    check("%d packets received" % PINGS in console, "all %d echo requests were answered" % PINGS)
    sender = subprocess.run(
        ["ip", "netns", "exec", ns, "python3", "-c",
         "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
         "s.setsockopt(socket.SOL_SOCKET,socket.SO_BROADCAST,1)\ns.bind(('192.0.2.1',0))\n"
         "for i in range(%d):\n    s.sendto(b'x'*64,('192.0.2.255',9))\n" % BROADCASTS],
        capture_output=True, text=True, timeout=10)
    check(sender.returncode == 0, "%d broadcasts sent to the guest" % BROADCASTS)

    # counters once the guest is idle: the tap's kernel counters (host side) are the judge
    # a sample arrives at most 1 s after its poll (the datagram's flush): one that arrived
    # more than 1.1 s after the first reading was polled between the two readings
    match = None
    for attempt in range(4):
        before = tap_counters(ns, tap)
        t0 = time.time()
        n = len(w.got)
        w.pump(POLLING + 1.5)
        after = tap_counters(ns, tap)
        late = [s for t, s in w.got[n:] if t >= t0 + 1.1]
        if before == after and late:
            match = (late[-1], after)
            break
    check(match is not None, "a sample while the guest's interface was idle")
    s, tc = match
    io = element(s, "0:2104")
    e2e.log("guest out: %s packets %s bytes; tap rx %d packets %d bytes" %
            (io["vnio_pkts_out"], io["vnio_bytes_out"], tc["rx_packets"], tc["rx_bytes"]))
    e2e.log("guest in:  %s packets %s bytes; tap tx %d packets %d bytes" %
            (io["vnio_pkts_in"], io["vnio_bytes_in"], tc["tx_packets"], tc["tx_bytes"]))
    check(int(io["vnio_pkts_out"]) == tc["rx_packets"] and int(io["vnio_bytes_out"]) == tc["rx_bytes"],
          "2104 out (the guest's sending) equals what the tap received")
    check(int(io["vnio_pkts_in"]) == tc["tx_packets"] and int(io["vnio_bytes_in"]) == tc["tx_bytes"],
          "2104 in (the guest's receiving) equals what the tap sent")
    check(PINGS <= int(io["vnio_pkts_out"]) <= PINGS + 3,
          "guest sent its %d echo requests (+ARP): %s" % (PINGS, io["vnio_pkts_out"]))
    check(PINGS + BROADCASTS <= int(io["vnio_pkts_in"]) <= PINGS + BROADCASTS + 3,
          "guest received %d replies and %d broadcasts (+ARP): %s" % (PINGS, BROADCASTS, io["vnio_pkts_in"]))
    dk = element(s, "0:2103")
    e2e.log("disk: wr_bytes %s (guest wrote %d), wr_req %s, capacity %s" %
            (dk["vdsk_wr_bytes"], WRITE_BYTES, dk["vdsk_wr_req"], dk["vdsk_capacity"]))
    check(int(dk["vdsk_wr_bytes"]) == WRITE_BYTES, "2103 write bytes = what the guest wrote")
    check(int(dk["vdsk_wr_req"]) >= 16, "2103 write requests >= the guest's 16 writes")
    check(int(dk["vdsk_capacity"]) == 16 << 20, "2103 capacity = the raw disk's size")
    info = lv.virsh("dominfo " + name)
    used = [int(l.split()[2]) for l in info.splitlines() if l.startswith("Used memory:")][0]
    mx = [int(l.split()[2]) for l in info.splitlines() if l.startswith("Max memory:")][0]
    mem = element(s, "0:2102")
    check(int(mem["vmem_memory"]) == used * 1024 and int(mem["vmem_maxMemory"]) == mx * 1024,
          "2102 memory %s / max %s = libvirt's %d / %d KiB" % (mem["vmem_memory"], mem["vmem_maxMemory"], used, mx))
    check(any(n == 1 for _, n in w.vnodes), "2:1 counts 1 virtual node (2100)")

    # agent CPU per VM poll while the guest is idle, less the agent's cost without a domain
    # (figure only; noisy beside other tests: KVM_CPU_SECONDS=60 for a steadier one)
    c0, n0, ct0 = cpu_ns(agent.proc.pid), len(w.got), time.monotonic()
    w.pump(float(os.environ.get("KVM_CPU_SECONDS", 4 * POLLING + 0.2)))
    c1, n1, secs = cpu_ns(agent.proc.pid), len(w.got), time.monotonic() - ct0
    if n1 > n0:
        e2e.log("agent CPU: %.0f us per VM poll against libvirtd (%d polls; %.0f us/s without a "
                "domain subtracted)" % ((c1 - c0 - base_rate * secs) / 1000.0 / (n1 - n0), n1 - n0,
                                         base_rate / 1000.0))

    # libvirtd restarted under the agent: followed, same 3:N, no final sample
    src = w.source
    lv.stop()
    t_stop = time.time()
    lv.start()
    end = time.time() + 20
    while agent.log_text().count("kvm: connected to") < 2 and time.time() < end:
        w.pump(0.1)
    t_back = time.time()
    check(agent.log_text().count("kvm: connected to") >= 2, "the agent reconnected")
    # the restarted libvirtd may drop its first clients once more while it settles: wait for
    # the agent's connection to last before judging that samples go on (an attempt that the
    # settling libvirtd accepts and never answers is given up after 10 s and made again)
    end = time.time() + 30
    while agent.log_text().count("kvm: connection to libvirt closed") >= \
            agent.log_text().count("kvm: connected to") and time.time() < end:
        w.pump(0.1)
    t_back = time.time()
    # a counter sample waits up to 1 s for its datagram (the exporter's flush timer): a poll
    # reaches the collector within POLLING + 1 s
    t, s = w.wait(lambda s: True, POLLING + 1.5)
    if t is not None and t < t_back + 1.1:  # perhaps polled before the reconnection
        t, s = w.wait(lambda s: True, POLLING + 1.5)
    check(t is not None and w.source == src, "samples of %s go on after libvirtd restarted" % src)
    check(all(num(s, "0:2101", "vcpu_state") == 1 for tt, s in w.got if tt >= t_stop),
          "no final sample while libvirtd was away")
    e2e.log("reconnected %.1f s after libvirtd was stopped" % (t_back - t_stop))

    # destroyed: one final sample, within a second, then nothing
    w.pump(0.3)
    lv.virsh("destroy " + name)
    t_destroy = time.time()
    w.pump(2 * POLLING + 1)
    after = [(tt, s) for tt, s in w.got if tt >= t_destroy]
    finals = [(tt, s) for tt, s in after if num(s, "0:2101", "vcpu_state") == 4]
    for tt, s in after:
        e2e.log("after destroy: +%.3f s seq %s state %s" % (tt - t_destroy, s.get("sampleSequenceNo"),
                                                          num(s, "0:2101", "vcpu_state")))
    check(len(finals) == 1, "exactly one final sample (state shutdown) after virsh destroy (%d)" % len(finals))
    check(finals[0][0] - t_destroy < 1.0, "it came %.3f s after destroy" % (finals[0][0] - t_destroy))
    check(after[-1][1] is finals[0][1], "no sample of the domain after the final one")
    check(w.vnodes[-1][1] == 0, "2:1 counts no virtual node after the destroy")
    agent.stop()
    lv.stop()
    col.stop()


def teardown():
    # a guest left running by a failed check: its QEMU is ours, found by libvirt's pid file
    for pf in glob.glob(os.path.join(e2e.tmpfile("kvm"), "run/qemu/*.pid")):
        try:
            with open(pf) as f:
                os.kill(int(f.read().strip()), 9)
        except (OSError, ValueError):
            pass


if __name__ == "__main__":
    try:
        e2e.run(main)
    finally:
        teardown()
