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

    cases = [
        ("sflow {\n  polling = 301\n  collector { ip = 127.0.0.1 }\n}\n", ":2:", "polling"),
        ("sflow {\n  collector { ip = 127.0.0.1 }\n  samplingg = 5\n}\n", ":3:", "samplingg"),
        ("sflow {\n  polling = 10\n}\n", "", "collector"),
        ("sflow {\n  collector { ip = 127.0.0.1 }\n  sonic { }\n}\n", ":3:", "sonic"),
        ("sflow {\n  collector { ip = 127.0.0.1\n", ":2:", "unbalanced"),
    ]
    for i, (text, where, word) in enumerate(cases):
        rc, out, path = t(text, "bad%d.conf" % i)
        check(rc == 1, "bad file %d: exit 1" % i)
        check(path + where in out and word in out,
              "bad file %d: error names %s%s and '%s': %s" % (i, os.path.basename(path), where,
                                                             word, out.strip()))
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
