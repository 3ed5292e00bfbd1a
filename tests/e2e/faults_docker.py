#!/usr/bin/env python3
"""faults_docker.py - dockerd killed with SIGKILL (no clean shutdown: its socket file is left
behind, its event stream breaks mid-way) and started again while the agent runs. A container
killed while the engine is down gets its final sample once the agent has reconnected; the
containers that survive keep their 3:N and go on being polled; a container started afterwards
is reported; and datagrams keep flowing throughout, as a capture on the wire (decoded by tshark)
shows: consecutive sequence numbers, no gap longer than a polling interval and a flush."""
import os
import shutil
import signal
import subprocess
import time

import e2e
from e2e import check
import docker_engine as de
from docker import Watch

POLLING = 2


def capture(port):
    path = e2e.tmpfile("docker-fault.pcap")
    cap = e2e.start(["tshark", "-q", "-i", "lo", "-f", "udp port %d" % port, "-w", path],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cap, path


def on_wire(path, port):
    """(time, datagram sequence number) of every datagram in the capture, as tshark reads it."""
    r = subprocess.run(["tshark", "-r", path, "-d", "udp.port==%d,sflow" % port, "-T", "fields",
                        "-e", "frame.time_epoch", "-e", "sflow_245.sequence_number"],
                       capture_output=True, text=True, check=True)
    rows = [l.split("\t") for l in r.stdout.splitlines() if "\t" in l]
    return [(float(t), int(s)) for t, s in rows if s]


def main():
    e2e.need(shutil.which("tshark") is not None, "tshark is not installed (apt-get install tshark)")
    de.with_engine(body)


def body(eng):
    port = e2e.free_port()
    cap, pcap = capture(port)
    time.sleep(1.5)  # tshark is slow to start capturing
    keep = [eng.run("keep1"), eng.run("keep2")]
    eng.run("victim")
    col = e2e.Collector(port)
    os.environ["DOCKER_HOST"] = eng.host
    agent = e2e.Agent(de.agent_conf(port, POLLING))
    w = Watch(col)
    src = {n: w.wait_source(n, 8) for n in ("keep1", "keep2", "victim")}
    check(all(src.values()), "the three containers are reported: %s" % src)
    vpid = eng.pid("victim")

    t_kill = time.time()
    e2e.stop(eng.proc, sig=signal.SIGKILL)
    eng.proc = None
    eng.logf.close()
    check(os.path.exists(eng.sock), "dockerd killed: its socket file is left behind")
    os.kill(vpid, signal.SIGKILL)  # the victim dies while no engine is there to tell
    w.pump(POLLING + 1)
    check(agent.proc.poll() is None, "the agent runs on while the engine is gone")
    eng.start()
    t_up = time.time()
    got = w.wait_state(src["victim"], 4, 10)
    check(got is not None, "the container killed while the engine was down gets its final "
          "sample (state shutdown) %.1f s after the engine is back" % ((got or t_up) - t_up))
    eng.run("after")
    check(w.wait_source("after", 8) is not None, "a container started afterwards is reported")
    w.pump(POLLING + 0.5)
    for name, cid in zip(("keep1", "keep2"), keep):
        later = [s for t, s in w.by_source[src[name]] if t > t_up]
        check(later and all(de.vcpu_state(s) == 1 for s in later),
              "%s keeps its source %s and is polled after the restart (%d samples, running)"
              % (name, src[name], len(later)))
        check(w.source_of(name) == src[name], "%s: one source only" % name)
    vic = w.by_source[src["victim"]]
    fin = [i for i, (_, s) in enumerate(vic) if de.vcpu_state(s) == 4]
    check(len(fin) == 1 and fin[0] == len(vic) - 1, "victim: one final sample, nothing after it")
    log = agent.log_text()
    check("event stream from" in log and "reconnecting" in log,
          "the agent notices the broken event stream")
    check(": connected, 2 containers running" in log,
          "the agent connects to the engine again and lists the 2 survivors")
    check(agent.stop() == 0, "the agent exits 0")
    t_end = time.time()
    time.sleep(0.5)
    e2e.stop(cap, timeout=5)

    wire = on_wire(pcap, port)
    seqs = [s for _, s in wire]
    check(len(wire) >= 5, "tshark reads %d datagrams from the capture" % len(wire))
    check(seqs == list(range(seqs[0], seqs[0] + len(seqs))),
          "datagram sequence numbers on the wire are consecutive (%d..%d)" % (seqs[0], seqs[-1]))
    times = [t for t, _ in wire]
    gap = max(b - a for a, b in zip(times, times[1:]))
    check(gap <= POLLING + 1.5, "no gap on the wire longer than %.1f s (longest %.2f s)"
          % (POLLING + 1.5, gap))
    during = [t for t in times if t_kill <= t <= t_up]
    check(during, "datagrams on the wire while the engine was down (%d)" % len(during))
    e2e.log("engine down %.1f s; %d datagrams captured over %.1f s"
            % (t_up - t_kill, len(wire), t_end - times[0]))


if __name__ == "__main__":
    e2e.run(main)
