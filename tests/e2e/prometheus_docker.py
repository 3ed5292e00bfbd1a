#!/usr/bin/env python3
"""prometheus_docker.py - a container's memory through sflowcat --prometheus and a real
Prometheus server: hsflowd's docker module reports a container holding 20 MB in /dev/shm (a
private dockerd), and Prometheus's query API returns sflow_vnode_memory_bytes{name=...} equal
to the container's memory cgroup within tolerance."""
import os
import shutil
import subprocess
import time

import docker_engine as de
import e2e
from e2e import check
from prometheus import get_local, query_local

POLLING = 2


def cgroup_memory(cid):
    for path in ("/sys/fs/cgroup/memory/docker/%s/memory.usage_in_bytes" % cid,
                 "/sys/fs/cgroup/system.slice/docker-%s.scope/memory.current" % cid):
        if os.path.exists(path):
            return int(open(path).read())
    return None


def body(eng):
    prom = shutil.which("prometheus")
    e2e.need(prom is not None, "prometheus is not installed (Debian package prometheus)")
    cid = eng.run("pmem", "sh", "-c", "dd if=/dev/zero of=/dev/shm/x bs=1M count=20; sleep 600")
    sflow_port, metrics_port, prom_port = e2e.free_port(), e2e.free_port(), e2e.free_port()
    e2e.start([e2e.SFLOWCAT, "--prometheus", "127.0.0.1:%d" % metrics_port, "-p", str(sflow_port)],
              stderr=subprocess.DEVNULL)
    os.environ["DOCKER_HOST"] = eng.host
    e2e.Agent(de.agent_conf(sflow_port, POLLING))
    data = os.path.join(e2e._tmp, "prometheus-data")
    os.makedirs(data)
    conf = e2e.tmpfile("prometheus.yml", "global:\n  scrape_interval: 1s\n"
                       "scrape_configs:\n  - job_name: sflowcat\n    static_configs:\n"
                       "      - targets: ['127.0.0.1:%d']\n" % metrics_port)
    e2e.start([prom, "--config.file=" + conf, "--storage.tsdb.path=" + data,
               "--web.listen-address=127.0.0.1:%d" % prom_port, "--log.level=warn"],
              stderr=subprocess.DEVNULL)
    got, end = [], time.time() + 25
    time.sleep(2 * POLLING)
    while time.time() < end and not got:
        try:
            got = query_local(prom_port, 'sflow_vnode_memory_bytes{name="pmem"}')
        except (OSError, ValueError, KeyError):
            got = []
        if not got:
            time.sleep(1)
    check(got, "Prometheus has sflow_vnode_memory_bytes for the container pmem")
    used, cg = float(got[0]["value"][1]), cgroup_memory(cid)
    e2e.need(cg is not None, "no memory cgroup found for the container")
    e2e.log("container memory: prometheus %d, cgroup %d" % (used, cg))
    check(abs(used - cg) <= max(cg // 10, 1 << 20), "container memory within 10 %% of its cgroup "
          "(%d, %d)" % (used, cg))
    check(used >= 20 << 20, "the 20 MB in /dev/shm are counted")
    check('agent="' in get_local(metrics_port), "virtual nodes labelled by agent")


if __name__ == "__main__":
    e2e.run(lambda: de.with_engine(body))
