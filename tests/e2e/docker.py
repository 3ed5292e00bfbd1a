#!/usr/bin/env python3
"""docker.py - containers of a real dockerd as 3:N sources: start, every way of ending, restart."""
import os
import time

import e2e
from e2e import check, element, samples
import docker_engine as de

POLLING = 2


class Watch:
    """Every container sample the collector gets, by source and by hostname."""

    def __init__(self, col):
        self.col = col
        self.by_source = {}  # sourceId -> [(time, sample)]
        self.host = []       # 2:1 samples

    def pump(self, seconds):
        for d in self.col.datagrams(seconds):
            self._add(d)

    def _add(self, d):
        now = time.time()
        for src, s in de.vsamples(d):
            self.by_source.setdefault(src, []).append((now, s))
        self.host.extend(samples(d, "2:1"))

    def source_of(self, name):
        for src, lst in self.by_source.items():
            if any(de.hostname(s) == name for _, s in lst):
                return src
        return None

    def wait_source(self, name, seconds):
        end = time.time() + seconds
        while time.time() < end:
            src = self.source_of(name)
            if src:
                return src
            self.pump(0.1)
        return None

    def wait_state(self, src, state, seconds):
        """Time the first sample of src with virt_cpu state arrived, or None."""
        end = time.time() + seconds
        while True:
            for t, s in self.by_source.get(src, []):
                if de.vcpu_state(s) == state:
                    return t
            if time.time() >= end:
                return None
            self.pump(0.05)


def check_structures(name, cid, s, cgroup_mem):
    tags = [e["counterBlock_tag"] for e in s["elements"]]
    for t in ("0:2000", "0:2002", "0:2101", "0:2102", "0:2103", "0:2104"):
        check(t in tags, "%s: sample carries %s" % (name, t))
    d = element(s, "0:2000")
    check(d["hostname"] == name, "%s: 2000 hostname is the container name" % name)
    check(d["UUID"].replace("-", "") == cid[:32], "%s: 2000 uuid from the first 16 bytes of the id"
          % name)
    p = element(s, "0:2002")
    check((p["parent_dsClass"], p["parent_dsIndex"]) == ("2", "1"), "%s: 2002 parent is 2:1" % name)
    c = element(s, "0:2101")
    check(int(c["vcpu_state"]) == 1, "%s: 2101 state running" % name)
    check(int(c["vcpu_cpuCount"]) >= 1, "%s: 2101 cpu count" % name)
    m = element(s, "0:2102")
    used = int(m["vmem_memory"])
    check(used > 0 and int(m["vmem_maxMemory"]) >= used, "%s: 2102 memory %d <= max %s"
          % (name, used, m["vmem_maxMemory"]))
    if cgroup_mem is not None:
        check(abs(used - cgroup_mem) <= max(cgroup_mem // 10, 1 << 20),
              "%s: memory %d close to the cgroup's %d" % (name, used, cgroup_mem))


def cgroup_memory(cid):
    for path in ("/sys/fs/cgroup/memory/docker/%s/memory.usage_in_bytes" % cid,
                 "/sys/fs/cgroup/system.slice/docker-%s.scope/memory.current" % cid):
        if os.path.exists(path):
            return int(open(path).read())
    return None


def main():
    de.with_engine(body)


def body(eng):
    t0 = time.time()
    # 20 MB in the container's /dev/shm: memory the cgroup accounts for
    pre = eng.run("pre", "sh", "-c", "dd if=/dev/zero of=/dev/shm/x bs=1M count=20; sleep 600")
    survivor = eng.run("survivor")
    port = e2e.free_port()
    col = e2e.Collector(port)
    os.environ["DOCKER_HOST"] = eng.host
    agent = e2e.Agent(de.agent_conf(port, POLLING))
    w = Watch(col)

    src_pre = w.wait_source("pre", 8)
    check(src_pre is not None, "a container running before the agent started is reported")
    idx = int(src_pre.split(":")[1])
    check(src_pre.startswith("3:") and 100000 <= idx <= 149999, "its data source %s is 3:N, "
          "N in 100000..149999" % src_pre)
    w.pump(POLLING + 0.5)  # a regular poll after the first one
    last = w.by_source[src_pre][-1][1]
    check_structures("pre", pre, last, cgroup_memory(pre))

    # started while the agent runs: polled at once
    t = time.time()
    eng.run("late")
    src_late = w.wait_source("late", 3)
    check(src_late is not None, "a started container is reported within %.2f s"
          % (time.time() - t))
    virt = [element(s, "0:2100") for s in w.host if element(s, "0:2100")]
    check(virt and int(virt[-1]["vnode_num_domains"]) >= 2, "2:1 carries 2100 virt_node "
          "counting the containers (%s)" % (virt[-1]["vnode_num_domains"] if virt else "none"))

    # every way of ending: final sample with state shutdown, then silence
    ends = {
        "e_stop": ["stop", "-t", "0"],
        "e_rmf": ["rm", "-f"],
        "e_kill": ["kill"],
    }
    for name in ends:
        eng.run(name)
    eng.run("e_oom", "sh", "-c", "sleep 3; exec dd if=/dev/zero of=/dev/null bs=64M count=1",
            opts=("--memory", "16m", "--memory-swap", "16m"))
    srcs = {}
    for name in list(ends) + ["e_oom"]:
        srcs[name] = w.wait_source(name, 4)
        check(srcs[name] is not None, "%s is reported" % name)
    delays = {}
    for name, cmd in ends.items():
        eng.docker(*cmd, name)
        t = time.time()
        got = w.wait_state(srcs[name], 4, 3)
        check(got is not None, "docker %s: final sample with virt_cpu state shutdown (4)"
              % cmd[0])
        delays[name] = got - t
        check(delays[name] <= 1.5, "docker %s: final sample %.2f s after the command returned"
              % (cmd[0], delays[name]))
    got = w.wait_state(srcs["e_oom"], 4, 8)
    oom = eng.docker("inspect", "-f", "{{.State.OOMKilled}}", "e_oom", check=False)
    check(got is not None, "killed by the OOM killer (OOMKilled=%s): final sample with state "
          "shutdown" % oom)

    # dockerd restarted; a container dies while it is down; the agent resynchronises
    victim = eng.run("victim")
    src_victim = w.wait_source("victim", 4)
    check(src_victim is not None, "victim is reported")
    src_survivor = w.source_of("survivor")
    vpid = eng.pid("victim")
    eng.stop()
    os.kill(vpid, 9)
    time.sleep(0.5)
    eng.start()
    t = time.time()
    got = w.wait_state(src_victim, 4, 8)
    check(got is not None, "a container that ended while the engine was down gets its final "
          "sample after the agent reconnects (%.1f s)" % ((got or t) - t))
    eng.run("after")
    check(w.wait_source("after", 8) is not None, "containers started after the engine restart "
          "are reported")
    n = len(w.by_source[src_survivor])
    end = time.time() + 2 * POLLING + 1  # its next poll, and the datagram's flush
    while len(w.by_source[src_survivor]) <= n and time.time() < end:
        w.pump(0.1)
    check(len(w.by_source[src_survivor]) > n, "the surviving container keeps its source %s"
          % src_survivor)

    # nothing is reported after its final sample
    w.pump(POLLING + 0.5)
    for name in list(ends) + ["e_oom", "victim"]:
        src = srcs.get(name, src_victim)
        lst = w.by_source[src]
        fin = [i for i, (_, s) in enumerate(lst) if de.vcpu_state(s) == 4]
        check(len(fin) == 1 and fin[0] == len(lst) - 1, "%s: exactly one final sample, nothing "
              "after it" % name)
    virt = [element(s, "0:2100") for s in w.host if element(s, "0:2100")]
    running = len(eng.docker("ps", "-q").split())
    check(int(virt[-1]["vnode_num_domains"]) == running, "2100 counts the %d running containers"
          % running)
    check(agent.proc.poll() is None, "the agent still runs")
    log = agent.log_text()
    check("Docker: following containers" in log, "the agent logs the engine it follows")
    e2e.log("final sample delays: %s; whole test %.1f s" % (
        ", ".join("%s %.2f s" % kv for kv in delays.items()), time.time() - t0))


if __name__ == "__main__":
    e2e.run(main)
