#!/usr/bin/env python3
"""check_config.py - hsflowd -t: 0 for a valid file, otherwise the error on stderr naming
file:line:column; the shipped default file is valid; unbuilt modules say how to build them."""
import os
import subprocess

import e2e
from e2e import check

SRCDIR = os.environ.get("srcdir", os.path.join(e2e.HERE, "..", ".."))


def t(text, name):
    path = e2e.tmpfile(name, text)
    r = subprocess.run([e2e.HSFLOWD, "-t", "-f", path], capture_output=True, text=True)
    return r.returncode, r.stdout + r.stderr, path


def main():
    e2e.need(os.access(e2e.HSFLOWD, os.X_OK), "hsflowd is not built")
    r = subprocess.run([e2e.HSFLOWD, "-t", "-f", os.path.join(SRCDIR, "etc", "hsflowd.conf")],
                       capture_output=True, text=True)
    check(r.returncode == 0, "the shipped etc/hsflowd.conf is valid: " + r.stderr.strip())

    rc, out, path = t("# operator file\nsflow {\n  DNSSD = off\n  polling = 20\n"
                      "  sampling.10G = 10000\n  collector { ip=192.0.2.10 udpport=6343 }\n}\n",
                      "good.conf")
    check(rc == 0, "a reference-style file with a deprecated keyword is valid")
    check("DNSSD" in out, "the deprecated keyword is warned about")

    # The json and dns-sd blocks, and the deprecated top-level jsonPort/jsonFIFO.
    goods = [
        ("json.conf", "sflow {\n  collector { ip=192.0.2.10 }\n  json { udpport=36343 fifo=%s }\n}\n"
         % e2e.tmpfile("check.fifo")),
        ("json-empty.conf", "sflow {\n  collector { ip=192.0.2.10 }\n  json { }\n}\n"),
        ("json-old.conf", "sflow {\n  jsonPort = 36343\n  jsonFIFO = /run/hsflowd.fifo\n"
         "  collector { ip=192.0.2.10 }\n}\n"),
        ("dnssd.conf", "sflow {\n  dns-sd { domain=.example.test }\n}\n"),
        ("dnssd-json.conf", "sflow {\n  dns-sd { }\n  json { udpport=36343 }\n"
         "  sampling.app.shop = 10\n  polling.app.shop = 5\n}\n"),
    ]
    for name, text in goods:
        rc, out, path = t(text, name)
        check(rc == 0 or "--enable-json" in out, "%s is valid: %s" % (name, out.strip()))
    rc, out, path = t("sflow {\n  collector { ip=192.0.2.10 }\n  json { udpport=70000 }\n}\n",
                      "json-bad.conf")
    check(rc == 1 and path + ":3:" in out and "udpport" in out,
          "json udpport out of range names the line: " + out.strip())

    cases = [
        ("sflow {\n  polling = 301\n  collector { ip = 127.0.0.1 }\n}\n", ":2:", "polling"),
        ("sflow {\n  collector { ip = 127.0.0.1 }\n  samplingg = 5\n}\n", ":3:", "samplingg"),
        ("sflow {\n  polling = 10\n}\n", "", "collector"),
        ("sflow {\n  collector { ip = 127.0.0.1 }\n  sonic { }\n}\n", ":3:", "sonic"),
        ("sflow {\n  collector { ip = 127.0.0.1\n", ":2:", "unbalanced"),
        # values that look like addresses and are not: refused at the value
        ("sflow {\n  collector { ip = 10.1.2 }\n}\n", ":2:20:",
         "ip: '10.1.2' looks like an IP address but is not one: 3 parts"),
        ("sflow {\n  agentIP = 256.1.1.1\n  collector { ip = ::1 }\n}\n", ":2:13:",
         "agentIP: '256.1.1.1' looks like an IP address but is not one: part '256' is over 255"),
        ("sflow {\n  collector { ip = 2001:db8::1::2 }\n}\n", ":2:20:", "more than one '::'"),
        ("sflow {\n  agent.cidr = 1.2.3.4.5/8\n  collector { ip = ::1 }\n}\n", ":2:16:",
         "in agent.cidr: 5 parts"),
    ]
    for i, (text, where, word) in enumerate(cases):
        rc, out, path = t(text, "bad%d.conf" % i)
        check(rc == 1, "bad file %d: exit 1" % i)
        check(path + where in out and word in out,
              "bad file %d: error names %s%s and '%s': %s" % (i, os.path.basename(path), where,
                                                             word, out.strip()))
    # a name that does not resolve is accepted by -t (it is resolved when the agent runs)
    rc, out, path = t("sflow {\n  agentIP = no-such-host.invalid\n"
                      "  collector { ip = no-such-collector.invalid }\n}\n", "names.conf")
    check(rc == 0, "names that do not resolve are accepted: " + out.strip())
    built = subprocess.run([e2e.HSFLOWD, "-t", "-f", "/nonexistent.conf"], capture_output=True,
                           text=True)
    check(built.returncode == 1 and "/nonexistent.conf" in built.stderr,
          "a missing file is an error naming it")
    # A module this version does not have, and (when it is not built) one that it does.
    rc, out, path = t("sflow {\n  collector { ip = 127.0.0.1 }\n  ovs { }\n}\n", "ovs.conf")
    check(rc == 1 and path + ":3:" in out and "not available in this version" in out,
          "a module this version does not have is an error that says so: " + out.strip())
    rc, out, path = t("sflow {\n  collector { ip = 127.0.0.1 }\n  pcap { dev = eth0 }\n}\n",
                      "pcap.conf")
    check(rc == 0 or (path + ":3:" in out and "--enable-pcap" in out),
          "a pcap block is valid when pcap is built, else an error naming --enable-pcap: "
          + out.strip())


if __name__ == "__main__":
    e2e.run(main)
