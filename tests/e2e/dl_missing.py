#!/usr/bin/env python3
"""dl_missing.py - c-ares and libjson-c, which hsflowd loads only when it needs them, are not
installed (each hidden under an empty file in the agent's own mount namespace): a collector given
by name does not resolve and the json module does not start, each with an error naming the
package to install, while the agent keeps running and the collector given as an address receives
the host's counters. Without a name to resolve nor a json block, neither library is mapped."""
import os
import time

import e2e
from e2e import check

LIBS = ("libcares.so.2", "libjson-c.so.5")


def find(soname):
    for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
              "/usr/lib/aarch64-linux-gnu"):
        if os.path.exists(os.path.join(d, soname)):
            return os.path.realpath(os.path.join(d, soname))
    return None


def mapped(pid):
    with open("/proc/%d/maps" % pid) as f:
        return f.read()


def main():
    e2e.need_root()
    e2e.need_binaries()
    paths = [find(s) for s in LIBS]
    e2e.need(all(paths), "c-ares or libjson-c not found where this test looks")
    ns = e2e.netns("dlm")

    # ---- addresses only, no json block: neither library is mapped ----
    p = e2e.free_port()
    col = e2e.Collector(p, ns=ns)
    agent = e2e.Agent("sflow {\n polling = 1\n collector { ip = 127.0.0.1 udpport = %d }\n}\n"
                      % p, ns=ns, name="idle.conf")
    check(len(col.datagrams(2.5)) >= 1, "the collector receives")
    maps = mapped(agent.proc.pid)
    for soname in LIBS:
        check(soname.split(".so")[0] + ".so" not in maps, "%s is not mapped" % soname)
    check(agent.stop() == 0, "exit 0")

    # ---- both hidden: a name and a json block ----
    hide = " && ".join("mount --bind /dev/null %s" % path for path in paths)
    wrapper = ["unshare", "-m", "--propagation", "private", "sh", "-c", hide + ' && exec "$@"',
               "sh"]
    p, q, j = e2e.free_port(), e2e.free_port(), e2e.free_port()
    col = e2e.Collector(p, ns=ns)
    conf = ("sflow {\n polling = 1\n collector { ip = 127.0.0.1 udpport = %d }\n"
            " collector { ip = localhost udpport = %d }\n json { udpport = %d }\n}\n" % (p, q, j))
    agent = e2e.Agent(conf, ns=ns, wrapper=wrapper)
    check(agent.wait_log("DNS: cannot load libcares.so.2", 5) and
          agent.wait_log("install libc-ares2", 0.1), "the missing c-ares is logged, naming "
          "the package")
    check(agent.wait_log("json: cannot load libjson-c.so.5", 5) and
          agent.wait_log("install libjson-c5", 0.1), "the missing libjson-c is logged, naming "
          "the package")
    check(agent.wait_log("Module json failed to start", 1), "the json module does not start")
    got = col.datagrams(3.5)
    hosts = [s for d in got for s in e2e.samples(d, "2:1")]
    check(len(hosts) >= 2, "the collector given as an address receives the host's counters "
          "(%d samples)" % len(hosts))
    time.sleep(2)  # the name is retried after 1 s, 2 s...
    log = agent.log_text()
    check(log.count("DNS: cannot load libcares.so.2") == 1, "the missing c-ares is logged once")
    check(agent.proc.poll() is None, "the agent keeps running")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
