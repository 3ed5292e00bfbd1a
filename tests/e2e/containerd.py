#!/usr/bin/env python3
"""containerd.py - tasks of a real containerd as 3:N sources (containerd {}) and Kubernetes pods
(k8s {}): names from the kubelet's labels, structures against /proc and the cgroups, every way
of ending, an OOM kill, containerd restarted, a 60 s churn with no leaked fds or sources."""
import os
import socket
import subprocess
import time

import e2e
from e2e import check, element
import containerd_daemon as cdd
import docker_engine as de
from docker import Watch

POLLING = 2


def cgroup_dir(ctrl_path):
    """The memory cgroup directory of a cgroup path, v1 memory controller or cgroup2."""
    for base in ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"):
        d = base + ctrl_path
        if os.path.isdir(d):
            return d
    return None


def cgroup_memory(ctrl_path):
    d = cgroup_dir(ctrl_path)
    for f in ("memory.usage_in_bytes", "memory.current"):
        if d and os.path.exists(os.path.join(d, f)):
            return int(open(os.path.join(d, f)).read())
    return None


def net_dev(pid):
    """Sums over the interfaces other than lo of /proc/PID/net/dev: (rx bytes, tx bytes)."""
    rx = tx = 0
    with open("/proc/%d/net/dev" % pid) as f:
        for line in f.readlines()[2:]:
            name, vals = line.split(":", 1)
            if name.strip() == "lo":
                continue
            v = vals.split()
            rx += int(v[0])
            tx += int(v[8])
    return rx, tx


def last_sample(w, src, seconds=POLLING + 1.0):
    w.pump(seconds)
    return w.by_source[src][-1][1]


def check_vnode(name, s, mem_path, mac=None):
    tags = [e["counterBlock_tag"] for e in s["elements"]]
    for t in ("0:2000", "0:2002", "0:2101", "0:2102", "0:2103", "0:2104"):
        check(t in tags, "%s: sample carries %s" % (name, t))
    check(element(s, "0:2000")["hostname"] == name, "%s: 2000 hostname" % name)
    p = element(s, "0:2002")
    check((p["parent_dsClass"], p["parent_dsIndex"]) == ("2", "1"), "%s: 2002 parent 2:1" % name)
    check(int(element(s, "0:2101")["vcpu_state"]) == 1, "%s: 2101 state running" % name)
    used = int(element(s, "0:2102")["vmem_memory"])
    cg = cgroup_memory(mem_path)
    check(cg is not None, "%s: the cgroup %s exists" % (name, mem_path))
    check(abs(used - cg) <= max(cg // 10, 1 << 20), "%s: 2102 memory %d close to the cgroup's "
          "%d (%s)" % (name, used, cg, mem_path))
    if mac:
        a = element(s, "0:2001")
        macs = [m.replace("-", ":").lower() for ad in (a or {}).get("adaptor_list", [])
                for m in ad.get("mac_list", [])]
        check(mac.replace(":", "") in [m.replace(":", "") for m in macs],
              "%s: 2001 lists the pod interface %s (%s)" % (name, mac, macs))


def check_net(name, s, pid, before):
    n = element(s, "0:2104")
    rx, tx = int(n["vnio_bytes_in"]), int(n["vnio_bytes_out"])
    now = net_dev(pid)
    check(before[0] <= rx <= now[0] and before[1] <= tx <= now[1] and rx > 0,
          "%s: 2104 bytes in/out %d/%d within /proc/%d/net/dev's %s..%s" % (name, rx, tx, pid,
                                                                          before, now))


def maps_libs(pid):
    """libnghttp2 and libprotobuf-c mapped by process pid."""
    with open("/proc/%d/maps" % pid) as f:
        return sorted({line.split()[-1] for line in f
                       if "libnghttp2.so" in line or "libprotobuf-c.so" in line})


def final_delay(w, src, seconds=3):
    t = time.time()
    got = w.wait_state(src, 4, seconds)
    return None if got is None else got - t


def main():
    cdd.with_containerd(body)


def body(ctd):
    t0 = time.time()
    me = os.getpid()
    tag = "tctrd%d" % me
    u1 = "11111111-1111-4111-8111-%012d" % me
    u2 = "22222222-2222-4222-8222-%012d" % me
    cg = lambda uid, cid: "/%s/pod%s/%s" % (tag, uid, cid)  # noqa: E731  (as the kubelet nests)
    lab = cdd.k8s_labels
    veth = "tc%da" % me, "tc%db" % me
    try:
        run(ctd, tag, u1, u2, cg, lab, veth, t0)
    finally:
        subprocess.run(["ip", "link", "del", veth[0]], capture_output=True)
        for cid in ctd.ctr("containers", "ls", "-q", check=False).split():
            ctd.remove(cid)
        # the cgroups ctr made under our name, deepest first
        subprocess.run("find /sys/fs/cgroup/*/%s /sys/fs/cgroup/unified/%s -depth -type d "
                       "-exec rmdir {} + 2>/dev/null" % (tag, tag), shell=True)


def run(ctd, tag, u1, u2, cg, lab, veth, t0):
    # ---- before the agents: a pod of one container, a pod of a sandbox and a container in
    # its network namespace, a task without Kubernetes labels
    pre = ctd.run("pre", "sh", "-c", "dd if=/dev/zero of=/dev/shm/x bs=1M count=20; sleep 600",
                  labels=lab("default", "web-1", u1, "app"), cgroup=cg(u1, "pre"))
    sb = ctd.run("sb2", labels=lab("shop", "cart-7", u2, sandbox=True), cgroup=cg(u2, "sb2"))
    app = ctd.run("app2", "sh", "-c", "dd if=/dev/zero of=/dev/shm/y bs=1M count=10; sleep 600",
                  labels=lab("shop", "cart-7", u2, "cart"), cgroup=cg(u2, "app2"),
                  opts=("--with-ns", "network:/proc/%d/ns/net" % sb))
    ctd.run("plain")
    # an interface in the pod's namespace, and traffic into it
    e2e.sh("ip link add %s type veth peer name %s" % veth)
    e2e.sh("ip link set %s netns %d" % (veth[1], sb))
    e2e.sh("ip addr add 198.18.7.1/30 dev %s && ip link set %s up" % (veth[0], veth[0]))
    e2e.sh("nsenter -t %d -n sh -c 'ip addr add 198.18.7.2/30 dev %s && ip link set %s up && "
           "ip link set lo up'" % (sb, veth[1], veth[1]))
    out = e2e.sh("nsenter -t %d -n ip -o link show dev %s" % (sb, veth[1]))
    mac = out.split("link/ether ")[1].split()[0]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(50):
        s.sendto(b"x" * 500, ("198.18.7.2", 9))
    s.close()
    time.sleep(0.3)
    net_before = net_dev(sb)
    check(net_dev(app) == net_before, "the sandbox and the container share one network namespace")

    port_a, port_b = e2e.free_port(), e2e.free_port()
    col_a, col_b = e2e.Collector(port_a), e2e.Collector(port_b)
    agent_a = e2e.Agent(cdd.agent_conf(port_a, ctd.sock, POLLING), name="a.conf")
    agent_b = e2e.Agent(cdd.agent_conf(port_b, ctd.sock, POLLING, block="k8s"), name="b.conf")
    wa, wb = Watch(col_a), Watch(col_b)

    # ---- containers (containerd {}): named namespace/pod/container
    names = {"default/web-1/app": ("pre", pre), "shop/cart-7": ("sb2", sb),
             "shop/cart-7/cart": ("app2", app), "plain": ("plain", None)}
    srcs = {}
    for name in names:
        srcs[name] = wa.wait_source(name, 8)
        check(srcs[name] is not None, "containerd {}: task %s reported as %s" % (names[name][0],
                                                                               name))
        idx = int(srcs[name].split(":")[1])
        check(srcs[name].startswith("3:") and 100000 <= idx <= 149999, "%s: source 3:N" % name)
    wa.pump(POLLING + 0.5)
    for name, (cid, pid) in names.items():
        if pid is None:
            continue
        s = wa.by_source[srcs[name]][-1][1]
        uid = u1 if cid == "pre" else u2
        check_vnode(name, s, cg(uid, cid), mac if cid != "pre" else None)
        if cid != "pre":
            check_net(name, s, pid, net_before)

    # paused and resumed: 2101 state paused (3), then running again
    ctd.ctr("tasks", "pause", "plain")
    check(wa.wait_state(srcs["plain"], 3, 2 * POLLING + 1) is not None, "a paused task is "
          "reported paused")
    ctd.ctr("tasks", "resume", "plain")
    t_resume = time.time()
    end = t_resume + 2 * POLLING + 1  # polled at the next round: at most two polls
    while time.time() < end and not any(t > t_resume and de.vcpu_state(x) == 1
                                        for t, x in wa.by_source[srcs["plain"]]):
        wa.pump(0.1)
    check(any(t > t_resume and de.vcpu_state(x) == 1 for t, x in wa.by_source[srcs["plain"]]),
          "a resumed task is reported running")

    # a reload with the same settings keeps every source: no restart, no final sample
    agent_a.rewrite(cdd.agent_conf(port_a, ctd.sock, POLLING) + "# reloaded\n")
    check(agent_a.wait_log("Reloading", 5), "the rewritten configuration is reloaded")
    n = len(wa.by_source[srcs["default/web-1/app"]])
    wa.pump(2 * POLLING + 0.5)
    after = [de.vcpu_state(x) for _, x in wa.by_source[srcs["default/web-1/app"]][n:]]
    check(after and all(st == 1 for st in after), "after the reload the task is still reported "
          "running (%s)" % after)
    check(agent_a.log_text().count("Module containerd started") == 1,
          "the module was not restarted by the reload")

    # the module's libraries are mapped only when its block is configured
    check(len(maps_libs(agent_a.proc.pid)) == 2, "with containerd {} libnghttp2 and "
          "libprotobuf-c are loaded (%s)" % maps_libs(agent_a.proc.pid))
    plain = e2e.Agent("sflow {\n collector { ip = 127.0.0.1 udpport = %d }\n}\n" % e2e.free_port(),
                      name="plain.conf")
    check(plain.wait_log("running", 5), "an agent without containerd {} runs")
    check(maps_libs(plain.proc.pid) == [], "an agent without containerd {} maps neither")
    plain.stop()

    # k8s {} beside docker {}: idle when Docker's socket is there (a node of either kind)
    fake = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    fake_path = e2e.tmpfile("docker.sock")
    fake.bind(fake_path)
    fake.listen(4)
    os.environ["DOCKER_HOST"] = "unix://" + fake_path
    both = cdd.agent_conf(e2e.free_port(), ctd.sock, POLLING, block="k8s") \
        .replace(" k8s {", " docker { }\n k8s {")
    dual = e2e.Agent(both, name="dual.conf")
    check(dual.wait_log("k8s { } stays idle", 5), "k8s {} stays idle when docker {} is configured "
          "and Docker's socket exists")
    dual.stop()
    fake.close()
    os.unlink(fake_path)
    dual = e2e.Agent(both, name="dual2.conf")
    check(dual.wait_log("k8s: following pods", 5), "k8s {} follows containerd when Docker's "
          "socket is not there")
    dual.stop()
    del os.environ["DOCKER_HOST"]

    # ---- pods (k8s {}): one source per pod, the pod's cgroup and network namespace
    psrc = {}
    for name in ("default/web-1", "shop/cart-7", "plain"):
        psrc[name] = wb.wait_source(name, 8)
        check(psrc[name] is not None, "k8s {}: %s reported" % name)
    wb.pump(POLLING + 0.5)
    for name in ("default/web-1/app", "shop/cart-7/cart"):
        check(wb.source_of(name) is None, "k8s {}: no source of its own for %s" % name)
    s = wb.by_source[psrc["shop/cart-7"]][-1][1]
    check_vnode("shop/cart-7", s, "/%s/pod%s" % (tag, u2), mac)
    check_net("shop/cart-7", s, sb, net_before)
    check_vnode("default/web-1", wb.by_source[psrc["default/web-1"]][-1][1],
                "/%s/pod%s" % (tag, u1))
    virt = [element(x, "0:2100") for x in wb.host if element(x, "0:2100")]
    check(virt and int(virt[-1]["vnode_num_domains"]) == 3, "k8s {}: 2100 counts 3 pods (%s)"
          % (virt[-1]["vnode_num_domains"] if virt else "none"))

    # ---- every way of ending: a final sample (state shutdown) within a second
    ends = {"e_exit": None, "e_kill": ("tasks", "kill", "-s", "9"),
            "e_delete": ("tasks", "delete", "-f")}
    ctd.run("e_exit", "sh", "-c", "sleep 4")
    for name in ("e_kill", "e_delete"):
        ctd.run(name)
    ctd.run("e_oom", "sh", "-c", "sleep 2; dd if=/dev/zero of=/dev/shm/z bs=1M count=64",
            opts=("--memory-limit", str(16 << 20)))
    esrc = {}
    for name in list(ends) + ["e_oom"]:
        esrc[name] = wa.wait_source(name, 4)
        check(esrc[name] is not None, "%s is reported" % name)
    delays = {}
    for name, cmd in ends.items():
        if cmd:
            ctd.ctr(*cmd, name)
            delays[name] = final_delay(wa, esrc[name])
        else:
            got = wa.wait_state(esrc[name], 4, 6)
            delays[name] = 0.0 if got else None
        check(delays[name] is not None and delays[name] <= 1.0,
              "%s: final sample with state shutdown %s s after the command returned"
              % (name, "%.2f" % delays[name] if delays[name] is not None else "never"))
    check(wa.wait_state(esrc["e_oom"], 4, 8) is not None, "OOM-killed task: final sample")
    check(agent_a.wait_log("ran out of memory", 3), "the OOM event is logged")

    # ---- a pod ends when its last task does
    ctd.ctr("tasks", "kill", "-s", "9", "app2")
    wb.pump(POLLING + 0.5)
    lst = wb.by_source[psrc["shop/cart-7"]]
    check(de.vcpu_state(lst[-1][1]) == 1, "k8s {}: the pod runs on with its sandbox")
    ctd.ctr("tasks", "kill", "-s", "9", "sb2")
    d = final_delay(wb, psrc["shop/cart-7"])
    check(d is not None and d <= 1.0, "k8s {}: the pod's final sample when its sandbox ends "
          "(%s s)" % ("%.2f" % d if d is not None else "never"))

    # ---- containerd restarted; a task dies while it is down; the agents resynchronise
    ctd.run("victim")
    vsrc = wa.wait_source("victim", 4)
    check(vsrc is not None, "victim is reported")
    vpid = ctd.pid("victim")
    ctd.stop()
    os.kill(vpid, 9)
    # an agent that starts while containerd is down keeps trying
    port_c = e2e.free_port()
    col_c = e2e.Collector(port_c)
    agent_c = e2e.Agent(cdd.agent_conf(port_c, ctd.sock, POLLING), name="c.conf")
    check(agent_c.wait_log("cannot connect", 5), "an agent started without containerd says so")
    time.sleep(0.5)
    ctd.start()
    t = time.time()
    got = wa.wait_state(vsrc, 4, 10)
    check(got is not None, "a task that ended while containerd was down gets its final sample "
          "after the agent reconnects (%.1f s)" % ((got or t) - t))
    wc = Watch(col_c)
    check(wc.wait_source("default/web-1/app", 8) is not None, "the agent started while "
          "containerd was down reports its tasks once it is back")
    agent_c.stop()
    col_c.stop()
    ctd.run("after", labels=lab("default", "late-1", u1, "late"), cgroup=cg(u1, "after"))
    check(wa.wait_source("default/late-1/late", 8) is not None, "a task started after the "
          "restart is reported")
    n = len(wa.by_source[srcs["default/web-1/app"]])
    wa.pump(2 * POLLING + 0.5)
    check(len(wa.by_source[srcs["default/web-1/app"]]) > n, "a surviving task keeps its source")

    # ---- churn: tasks started and deleted for a while; fds and sources come back
    wa.pump(POLLING)
    wb.pump(0.1)
    fds = de.agent_fds(agent_a.proc.pid), de.agent_fds(agent_b.proc.pid)
    churn_end = time.time() + 60
    made = []
    i = 0
    while time.time() < churn_end and i < 300:
        cid = "churn%d" % i
        ctd.run(cid, labels=lab("churn", "p%d" % (i % 4), "c%d-%d" % (i % 4, os.getpid()),
                                "c%d" % i))
        made.append(cid)
        if i >= 3:
            ctd.remove(made[i - 3])
        i += 1
        wa.pump(0.05)
        wb.pump(0.05)
    for cid in made[-3:]:
        ctd.remove(cid)
    wa.pump(POLLING + 1)
    wb.pump(POLLING + 1)
    for cid in made:
        name = "churn/p%d/c%s" % (int(cid[5:]) % 4, cid[5:])
        src = wa.source_of(name)
        check(src is not None, "churn: %s was reported" % name)
        fin = [s for _, s in wa.by_source[src] if de.vcpu_state(s) == 4]
        check(len(fin) == 1, "churn: %s has exactly one final sample (%d)" % (name, len(fin)))
    running = [x for x in ctd.ctr("tasks", "ls").splitlines()[1:] if "RUNNING" in x]
    virt = [element(x, "0:2100") for x in wa.host if element(x, "0:2100")]
    check(int(virt[-1]["vnode_num_domains"]) == len(running), "containerd {}: 2100 counts the "
          "%d running tasks after the churn (%s)" % (len(running), virt[-1]["vnode_num_domains"]))
    fds2 = de.agent_fds(agent_a.proc.pid), de.agent_fds(agent_b.proc.pid)
    check(fds2[0] <= fds[0] and fds2[1] <= fds[1], "no fd leaked by the churn (%s -> %s)"
          % (fds, fds2))
    for a in (agent_a, agent_b):
        check(a.proc.poll() is None, "the agent still runs")
    e2e.log("final sample delays: %s; %d churn tasks; whole test %.1f s" % (
        ", ".join("%s %.2f s" % kv for kv in delays.items()), len(made), time.time() - t0))


if __name__ == "__main__":
    e2e.run(main)
