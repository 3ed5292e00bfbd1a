#!/usr/bin/env python3
"""collector_ns.py - collector { namespace } sends from another network namespace and
collector { dev } binds the socket to a device: both collectors receive."""
import e2e
from e2e import check, samples


def main():
    e2e.need_root()
    e2e.need_binaries()
    agent_ns, other_ns = e2e.netns("na"), e2e.netns("nx")
    in_other = e2e.Collector(6343, ns=other_ns)   # reachable only from other_ns
    on_lo = e2e.Collector(7201, ns=agent_ns)
    agent = e2e.Agent("sflow {\n polling = 1\n"
                      " collector { ip = 127.0.0.1 namespace = %s }\n"
                      " collector { ip = 127.0.0.1 udpport = 7201 dev = lo }\n}\n" % other_ns,
                      ns=agent_ns)
    d = in_other.wait_for(lambda d: any(samples(d, "2:1")), 5)
    check(d is not None, "the collector in namespace %s receives" % other_ns)
    d = on_lo.wait_for(lambda d: any(samples(d, "2:1")), 5)
    check(d is not None, "the collector bound to dev lo receives")
    check(agent.stop() == 0, "exit 0")


if __name__ == "__main__":
    e2e.run(main)
