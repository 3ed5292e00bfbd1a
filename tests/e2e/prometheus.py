#!/usr/bin/env python3
"""prometheus.py - sflowcat --prometheus scraped by a real Prometheus server (Debian's package,
its own configuration and storage, on loopback in a test namespace): after hsflowd has run a few
polling intervals, Prometheus's query API returns the host's memory and CPU counters equal to
/proc within tolerance; promtool finds nothing against the naming conventions; a data source
that stops reporting disappears from /metrics after --stale seconds."""
import json
import os
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

import e2e
from e2e import check

POLLING = 2
STALE = 4


def get(ns, url):
    """HTTP GET from inside the namespace (the servers listen on its loopback)."""
    return e2e.sh("python3 -c 'import sys, urllib.request; "
                  "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "
                  "'%s'" % url, ns=ns)


def get_local(port, path="/metrics"):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
        return r.read().decode()


def query_local(port, q):
    """A Prometheus query from this namespace: the list of results."""
    r = json.loads(get_local(port, "/api/v1/query?query=" + urllib.parse.quote(q)))
    return r["data"]["result"] if r.get("status") == "success" else []


def query(ns, port, q):
    r = json.loads(get(ns, "http://127.0.0.1:%d/api/v1/query?query=%s" % (port, urllib.parse.quote(q))))
    check(r["status"] == "success", "query %s answered" % q)
    return r["data"]["result"]


def proc_stat_user_system():
    with open("/proc/stat") as f:
        v = f.readline().split()[1:]
    hz = os.sysconf("SC_CLK_TCK")
    return int(v[0]) / hz, int(v[2]) / hz


def meminfo():
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            k, v = line.split(":")
            out[k] = int(v.split()[0]) * 1024
    return out


def main():
    e2e.need_root()
    e2e.need_binaries()
    prom = shutil.which("prometheus")
    e2e.need(prom is not None, "prometheus is not installed (Debian package prometheus)")
    e2e.need("--prometheus" in subprocess.run([e2e.SFLOWCAT, "-h"], capture_output=True,
                                              text=True).stdout and
             "not built" not in subprocess.run([e2e.SFLOWCAT, "-h"], capture_output=True,
                                               text=True).stdout,
             "sflowcat built without --prometheus")
    ns = e2e.netns("p")
    sflow_port, metrics_port, prom_port = 6343, 9917, 9918
    col = e2e.start([e2e.SFLOWCAT, "--prometheus", "127.0.0.1:%d" % metrics_port, "-p",
                     str(sflow_port), "--stale", str(STALE)], ns=ns, stderr=subprocess.PIPE)
    agent = e2e.Agent("sflow { polling = %d collector { ip = 127.0.0.1 udpport = %d } }\n"
                      % (POLLING, sflow_port), ns=ns)
    data = os.path.join(e2e._tmp, "prometheus-data")
    os.makedirs(data)
    conf = e2e.tmpfile("prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                       "scrape_configs:\n  - job_name: sflowcat\n    static_configs:\n"
                       "      - targets: ['127.0.0.1:%d']\n" % metrics_port)
    server = e2e.start([prom, "--config.file=" + conf, "--storage.tsdb.path=" + data,
                        "--web.listen-address=127.0.0.1:%d" % prom_port, "--log.level=warn"],
                       ns=ns, stderr=subprocess.DEVNULL)

    # a few polling intervals, and Prometheus has scraped several times
    up, end = [], time.time() + 20
    time.sleep(3 * POLLING)
    while time.time() < end:
        try:
            up = query(ns, prom_port, 'sflow_host_memory_total_bytes')
        except (RuntimeError, ValueError, KeyError):
            up = []
        if up:
            break
        time.sleep(1)
    check(up, "Prometheus has sflow_host_memory_total_bytes")
    mem = meminfo()
    total = float(up[0]["value"][1])
    check(total == mem["MemTotal"], "memory total %d equals /proc/meminfo %d" % (total, mem["MemTotal"]))
    free = float(query(ns, prom_port, "sflow_host_memory_free_bytes")[0]["value"][1])
    check(abs(free - mem["MemFree"]) <= 0.1 * mem["MemTotal"],
          "memory free %.0f MB near /proc/meminfo's %.0f MB" % (free / 1e6, mem["MemFree"] / 1e6))
    cpus = os.cpu_count()
    user = float(query(ns, prom_port, 'sflow_host_cpu_seconds_total{mode="user"}')[0]["value"][1])
    system = float(query(ns, prom_port, 'sflow_host_cpu_seconds_total{mode="system"}')[0]["value"][1])
    p_user, p_system = proc_stat_user_system()
    slack = (POLLING + 2) * cpus + 0.1  # the value is at most a poll and a scrape old
    e2e.log("cpu user: prometheus %.2f s, /proc/stat %.2f s; system %.2f s, %.2f s"
            % (user, p_user, system, p_system))
    check(0 <= p_user - user <= slack, "cpu user seconds within %.0f s of /proc/stat" % slack)
    check(0 <= p_system - system <= slack, "cpu system seconds within %.0f s of /proc/stat" % slack)
    ncpu = float(query(ns, prom_port, "sflow_host_cpus")[0]["value"][1])
    check(ncpu == cpus, "sflow_host_cpus %d equals the CPUs online" % ncpu)
    lo = query(ns, prom_port, "sflow_top_window_seconds")
    check(lo, "the top window's gauges are scraped too")

    text = get(ns, "http://127.0.0.1:%d/metrics" % metrics_port)
    promtool = shutil.which("promtool")
    if promtool:
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        check(r.returncode == 0, "promtool check metrics: no naming problems (%s)"
              % (r.stdout + r.stderr).strip()[:300])
    check("sflow_host_info{agent=" in text, "sflow_host_info labelled by agent")

    agent.stop()
    time.sleep(STALE + 1.5)
    text = get(ns, "http://127.0.0.1:%d/metrics" % metrics_port)
    check("sflow_host_memory_total_bytes{" not in text and "sflow_host_info{" not in text,
          "the stopped agent's metrics are gone after --stale %d s" % STALE)
    e2e.stop(server)
    e2e.stop(col)


if __name__ == "__main__":
    e2e.run(main)
