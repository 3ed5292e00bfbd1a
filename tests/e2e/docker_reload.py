#!/usr/bin/env python3
"""docker_reload.py - a reload removes docker { } while an inspection retry is pending (the fake
engine answers 500): the module lets go of everything (no request reaches the engine after the
reload, the agent neither crashes nor reports memory errors), the host samples go on, and
docker { } added back reports the container."""
import os
import signal
import time

import e2e
from e2e import check, samples
from docker_fake import FakeEngine, Watch

CONF = "sflow {\n polling = 1\n collector { ip = 127.0.0.1 udpport = %d }\n%s}\n"
DOCKER = " docker { }\n"


def host_seqs(ds):
    return [int(s["sampleSequenceNo"]) for d in ds for s in samples(d, "2:1")]


def reload(agent, text, why):
    n = agent.log_text().count("Reloading")
    agent.rewrite(text)
    agent.proc.send_signal(signal.SIGHUP)
    end = time.time() + 3
    while time.time() < end and agent.log_text().count("Reloading") <= n:
        time.sleep(0.05)
    check(agent.log_text().count("Reloading") > n, why)


def main():
    e2e.need_root()
    e2e.need_binaries()
    eng = FakeEngine(e2e.tmpfile("docker.sock"))
    try:
        body(eng)
    finally:
        eng.stop()


def body(eng):
    ns = e2e.netns("dkr")
    port = e2e.free_port()
    col = e2e.Collector(port, ns=ns)
    a = eng.add("reload_a")
    with eng.lock:
        eng.fail[a] = 1000  # every inspection of A answers 500 until told otherwise
    eng.start()
    os.environ["DOCKER_HOST"] = "unix://" + eng.path
    # Freed memory is overwritten (glibc), so a timer left behind by the module crashes the
    # agent when it fires instead of going unnoticed; an ASan build reports it (e2e.run).
    os.environ["MALLOC_PERTURB_"] = "165"
    agent = e2e.Agent(CONF % (port, DOCKER), ns=ns)

    end = time.time() + 10
    while time.time() < end and not eng.seen(r"/containers/%s/json$" % a):
        col.datagrams(0.05)
    first = eng.seen(r"/containers/%s/json$" % a)
    check(first and first[0][2] == 500, "the first inspection of A is answered 500: a retry "
          "is pending (1 s later)")

    # ---- docker { } removed while the retry is armed ----
    reload(agent, CONF % (port, ""), "SIGHUP reloads without docker { }")
    check(agent.wait_log("Module docker stopped", 3), "the docker module stops")
    t_stop = time.time()
    before = host_seqs(col.datagrams(0.1))
    # the retries would have come 1 s, 2 s and 3 s after each failure
    got = col.datagrams(4.0)
    late = eng.seen(r"/containers/", since=t_stop + 0.05)
    check(late == [], "no request reaches the engine after the module stopped (%d)" % len(late))
    check(agent.proc.poll() is None, "the agent still runs %.1f s after the reload"
          % (time.time() - t_stop))
    seqs = host_seqs(got)
    check(len(seqs) >= 3, "2:1 samples keep coming after the reload (%d in 4 s)" % len(seqs))
    check(seqs == sorted(seqs) and (not before or min(seqs) > max(before)),
          "2:1 sequence numbers go on")
    check(not any(s.startswith("3:") for d in got for s in [x.get("sourceId", "")
                                                              for x in samples(d)]),
          "no container source is exported without docker { }")

    # ---- docker { } back: the engine answers now ----
    with eng.lock:
        eng.fail[a] = 0
    reload(agent, CONF % (port, DOCKER), "SIGHUP reloads with docker { } again")
    w = Watch(col)
    got_a = w.wait(lambda g: g[2] == "reload_a", 5)
    check(got_a is not None and got_a[3] == 1, "container A is reported again, running")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
