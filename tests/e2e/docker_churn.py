#!/usr/bin/env python3
"""docker_churn.py - containers started and ended at random for DOCKER_CHURN_SECONDS (60): each
one that lived a polling interval is reported, each ended one is forgotten, no fd or memory leak."""
import os
import random
import time

import e2e
from e2e import check, element
import docker_engine as de

POLLING = 1
SECONDS = float(os.environ.get("DOCKER_CHURN_SECONDS", "60"))
RSS_MARGIN_KB = 1024


def main():
    de.with_engine(body)


def body(eng):
    port = e2e.free_port()
    col = e2e.Collector(port)
    os.environ["DOCKER_HOST"] = eng.host
    agent = e2e.Agent(de.agent_conf(port, POLLING))
    pid = agent.proc.pid
    seen = {}    # hostname -> sourceId
    finals = {}  # (sourceId, hostname) -> count of final samples (an index may be reused later)
    after_final = set()
    virt = []

    def pump(seconds):
        for d in col.datagrams(seconds):
            for src, s in de.vsamples(d):
                key = (src, de.hostname(s))
                if finals.get(key) and de.vcpu_state(s) != 4:
                    after_final.add(key)
                seen.setdefault(key[1], src)
                if de.vcpu_state(s) == 4:
                    finals[key] = finals.get(key, 0) + 1
            for s in e2e.samples(d, "2:1"):
                v = element(s, "0:2100")
                if v:
                    virt.append(int(v["vnode_num_domains"]))

    # warm up (first connection, first containers), then take the baseline
    for i in range(3):
        eng.run("warm%d" % i)
    pump(POLLING * 2 + 0.5)
    eng.docker("rm", "-f", "warm0", "warm1", "warm2")
    pump(POLLING * 2 + 0.5)
    fds0, rss0 = de.agent_fds(pid), de.agent_rss_kb(pid)

    rnd = random.Random(int(os.environ.get("DOCKER_CHURN_SEED", "1")))
    running = {}  # name -> start time
    lives = []    # (name, lifetime)
    n = 0
    end = time.time() + SECONDS
    while time.time() < end:
        if len(running) < 1 or (len(running) < 20 and rnd.random() < 0.55):
            n += 1
            name = "ch%d" % n
            eng.run(name)
            running[name] = time.time()
        else:
            name = rnd.choice(sorted(running))
            how = rnd.choice(["rm", "rm", "kill", "stop"])
            if how == "kill":
                eng.docker("kill", name)
            elif how == "stop":
                eng.docker("stop", "-t", "0", name)
            eng.docker("rm", "-f", name)
            lives.append((name, time.time() - running.pop(name)))
        pump(rnd.uniform(0, 0.3))
    for name in sorted(running):
        eng.docker("rm", "-f", name)
        lives.append((name, time.time() - running.pop(name)))
    pump(POLLING * 3 + 1)
    fds1, rss1 = de.agent_fds(pid), de.agent_rss_kb(pid)

    long_lived = [nm for nm, life in lives if life >= POLLING]
    missing = [nm for nm in long_lived if nm not in seen]
    e2e.log("%d containers, %d lived >= %d s; fds %d -> %d, RSS %d -> %d kB" % (
        len(lives), len(long_lived), POLLING, fds0, fds1, rss0, rss1))
    check(len(lives) >= 20, "churned %d containers in %d s" % (len(lives), SECONDS))
    check(not missing, "every container that lived a polling interval was reported (missing: %s)"
          % missing[:10])
    no_final = [nm for nm, _ in lives if nm in seen and finals.get((seen[nm], nm), 0) != 1]
    check(not no_final, "every reported container got exactly one final sample (not: %s)"
          % no_final[:10])
    check(not after_final, "nothing reported after a final sample (%s)" % sorted(after_final)[:5])
    check(virt and virt[-1] == 0, "no container still tracked at the end (2100 says %s)"
          % (virt[-1] if virt else None))
    check(fds1 == fds0, "open fds back where they started (%d -> %d)" % (fds0, fds1))
    if e2e.SANITIZER_LOG_DIR:
        # ASan keeps freed memory in quarantine, so RSS grows; LeakSanitizer checks at exit
        e2e.log("RSS not compared under the sanitizers (leaks are checked at exit)")
    else:
        check(rss1 <= rss0 + RSS_MARGIN_KB, "RSS back where it started (%d -> %d kB)"
              % (rss0, rss1))
    check(agent.proc.poll() is None, "the agent still runs")


if __name__ == "__main__":
    e2e.run(main)
