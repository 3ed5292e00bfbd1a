#!/usr/bin/env python3
"""psample_vm.py - the psample module on a kernel that has psample, act_sample and cls_matchall:
Debian's own kernel booted under QEMU (TCG) with an initramfs holding busybox, ip, tc, our
hsflowd and sflowcat (tests/e2e/vm/init.sh runs inside). tc samples 1-in-10 at ingress of a
veth (local and forwarded traffic), at its egress, and at ingress of a veth whose ifindex is
70000. The VM prints the collector's output and the kernel's counters on the serial console
between markers; this test judges them: sample counts within 4 sigma of packets/10, rate 10,
pool, input/output ports (the route's interface for forwarded packets, 0x3FFFFFFF for local
delivery), ifindex 70000, header bytes those of the packets sent, no drops. Then packets the
kernel drops (UDP to a closed port, a packet to be forwarded out of an interface that is down)
must come as 0:5 discards with their reason, input port and the exact rate limit. The kernel
(and its modules) is downloaded once with apt and cached under /var/cache/hsflowd-tests."""
import glob
import json
import math
import os
import re
import shutil
import struct
import subprocess
import time

import e2e
from e2e import check

CACHE = os.environ.get("HSFLOWD_TEST_CACHE", "/var/cache/hsflowd-tests")
MODULES = ["psample", "act_sample", "cls_matchall", "sch_ingress", "veth", "drop_monitor"]
RATE, SIZE = 10, 100
K = {"L": 3000, "F": 2000, "G": 1000, "E": 1500}  # local, forwarded, ifindex 70000, egress
INTERNAL = 0x3FFFFFFF
LIMIT, K_DROP, K_DOWN = 15, 300, 20  # dropmon limit; closed-port and down-interface packets
# loaded with dlopen when psample and dropmon start (modules/genl-dl.c): ldd does not name it
DLOPENED = ["libnl-genl-3.so.200"]
HERE = os.path.dirname(os.path.abspath(__file__))
VM_TIMEOUT = 150


def kernel():
    """vmlinuz and the modules we need, from the package linux-image-amd64 depends on."""
    dep = subprocess.run(["apt-cache", "depends", "linux-image-amd64"], capture_output=True,
                         text=True).stdout
    pkgs = [l.split()[-1] for l in dep.splitlines() if "Depends:" in l and "linux-image-" in l]
    e2e.need(pkgs, "apt knows linux-image-amd64")
    pkg = pkgs[0]
    cache = os.path.join(CACHE, "kernel-" + pkg)
    if os.path.exists(cache + ".complete") and all(
            os.path.exists(os.path.join(cache, "modules", m + ".ko")) for m in MODULES):
        e2e.log("cached kernel: " + cache)
        return cache
    work = e2e.tmpfile("kernel")
    os.makedirs(work, exist_ok=True)
    r = subprocess.run(["apt-get", "download", pkg], cwd=work, capture_output=True, text=True)
    e2e.need(r.returncode == 0, "apt-get download %s: %s" % (pkg, r.stderr.strip()[-200:]))
    deb = glob.glob(os.path.join(work, "*.deb"))[0]
    subprocess.run(["dpkg", "-x", deb, os.path.join(work, "x")], check=True)
    shutil.rmtree(cache, ignore_errors=True)
    if os.path.exists(cache + ".complete"):
        os.unlink(cache + ".complete")
    os.makedirs(os.path.join(cache, "modules"))
    shutil.copy(glob.glob(os.path.join(work, "x/boot/vmlinuz-*"))[0],
                os.path.join(cache, "vmlinuz"))
    for m in MODULES:
        ko = glob.glob(os.path.join(work, "x/lib/modules/*/kernel/**/%s.ko" % m), recursive=True)
        check(len(ko) == 1, "module %s in %s" % (m, pkg))
        shutil.copy(ko[0], os.path.join(cache, "modules", m + ".ko"))
    shutil.rmtree(work)
    with open(cache + ".complete", "w") as f:
        f.write(pkg + "\n")
    return cache


def libs(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True).stdout
    paths = []
    for line in out.splitlines():
        parts = line.split()
        for p in parts:
            if p.startswith("/"):
                paths.append(p)
    return paths


def dlopened():
    """The host's paths of the libraries in DLOPENED."""
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    paths = []
    for soname in DLOPENED:
        m = re.search(r"^\s*%s \(libc6,x86-64\) => (\S+)" % re.escape(soname), cache, re.M)
        e2e.need(m, soname + " is installed")
        paths.append(m.group(1))
    return paths


def initramfs(cache, params):
    root = e2e.tmpfile("initramfs")
    for d in ("bin", "sbin", "etc", "proc", "sys", "tmp", "run", "dev", "lib/modules"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy("/bin/busybox", os.path.join(root, "bin/busybox"))
    applets = subprocess.run([os.path.join(root, "bin/busybox"), "--list"], capture_output=True,
                             text=True).stdout.split()
    for a in applets:
        if a not in ("ip", "tc"):
            p = os.path.join(root, "bin", a)
            if not os.path.exists(p):
                os.symlink("busybox", p)
    binaries = {"sbin/ip": shutil.which("ip") or "/sbin/ip",
                "sbin/tc": shutil.which("tc") or "/sbin/tc",
                "bin/hsflowd": e2e.HSFLOWD, "bin/sflowcat": e2e.SFLOWCAT}
    for dst, src in binaries.items():
        shutil.copy(src, os.path.join(root, dst))
    needed = [lib for src in binaries.values() for lib in libs(src)]
    for lib in dlopened():
        needed += [lib] + libs(lib)
    for lib in needed:
        t = os.path.join(root, lib.lstrip("/"))
        os.makedirs(os.path.dirname(t), exist_ok=True)
        if not os.path.exists(t):
            shutil.copy(lib, t)
    sender = os.path.join(root, "bin/udpsend")
    subprocess.run(["gcc", "-O2", "-static", "-o", sender, os.path.join(HERE, "vm/udpsend.c")],
                   check=True)
    for m in MODULES:
        shutil.copy(os.path.join(cache, "modules", m + ".ko"), os.path.join(root, "lib/modules"))
    with open(os.path.join(root, "modules.order"), "w") as f:
        f.write("\n".join(MODULES) + "\n")
    with open(os.path.join(root, "params"), "w") as f:
        f.write("RATE=%d SIZE=%d K_LOCAL=%d K_FWD=%d K_BIG=%d K_OUT=%d LIMIT=%d K_DROP=%d "
                "K_DOWN=%d\n" % (RATE, SIZE, K["L"], K["F"], K["G"], K["E"], LIMIT, K_DROP,
                                 K_DOWN))
    with open(os.path.join(root, "etc/passwd"), "w") as f:
        f.write("root:x:0:0::/:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n")
    with open(os.path.join(root, "etc/group"), "w") as f:
        f.write("root:x:0:\nnogroup:x:65534:\n")
    shutil.copy(os.path.join(HERE, "vm/init.sh"), os.path.join(root, "init"))
    os.chmod(os.path.join(root, "init"), 0o755)
    img = e2e.tmpfile("initrd.gz")
    subprocess.run("cd %s && find . | cpio -o -H newc --quiet | gzip -1 > %s" % (root, img),
                   shell=True, check=True)
    return img


def parse_console(text):
    check("VM-BEGIN" in text and "VM-END" in text,
          "the VM printed its evidence (console tail: %s)" % text[-1500:])
    body = text.split("VM-BEGIN", 1)[1].split("VM-END", 1)[0].replace("\r", "")
    info, samples, discards, mode, agent_log = {}, [], [], None, []
    for line in body.splitlines():
        if line == "AGENT-LOG":
            mode = "log"
            continue
        if line == "COLLECTOR":
            mode = "col"
            continue
        if mode == "col" and line.startswith("{"):
            d = json.loads(line)
            samples += list(e2e.samples(d, kind="0:3"))
            discards += list(e2e.samples(d, kind="0:5"))
        elif mode == "log":
            agent_log.append(line)
        elif " " in line and "=" in line:
            key, rest = line.split(" ", 1)
            info[key] = dict(kv.split("=", 1) for kv in rest.split())
    return info, samples, discards, "\n".join(agent_log)


def disc_element(s, tag):
    for e in s.get("elements", []):
        if e.get("discarded_flowBlock_tag", e.get("flowBlock_tag")) == tag:
            return {k.replace("discarded_", "", 1): v for k, v in e.items()}
    return None


def check_drops(info, discards, idx):
    dr = {k: float(v) for k, v in info["drops"].items()}
    noports = int(dr["noports1"] - dr["noports0"])
    t_d = dr["d1"] - dr["d0"] + 0.01  # /proc/uptime has centiseconds
    by_tag = {}
    for s in discards:
        h = disc_element(s, "0:1")
        raw = bytes.fromhex(h["headerBytes"].replace("-", "")) if h else b""
        p = raw[14 + 28:] if len(raw) > 14 + 28 and raw[12:14] == b"\x08\x00" else b""
        tag = chr(p[4]) if p[:4] == b"HSVM" else "?"
        by_tag.setdefault(tag, []).append(s)
    e2e.log("discard samples: %s; closed-port burst %d packets in %.2f s, Udp NoPorts +%d" %
            ({k: len(v) for k, v in by_tag.items()}, K_DROP, t_d, noports))
    for tag, lst in by_tag.items():
        first = lst[0]
        e2e.log("%s: reason %s %s, linux %s, function %s, input %s" % (
            tag, first["discardCode"], first["discardReason"],
            (disc_element(first, "0:1042") or {}).get("linux_drop_reason"),
            (disc_element(first, "0:1038") or {}).get("symbol"), first["inputPort"]))
    check(noports >= K_DROP, "the kernel counted the %d closed-port packets (NoPorts +%d)"
          % (K_DROP, noports))
    d = by_tag.get("D", [])
    check(d and all(s["discardCode"] == "3" and s["discardReason"] == "port_unreachable"
                    and s["inputPort"] == str(idx["vb"]) and s["sourceId"] == "0:%d" % idx["vb"]
                    and (disc_element(s, "0:1042") or {}).get("linux_drop_reason") == "NO_SOCKET"
                    for s in d),
          "closed port: 0:5 with reason 3 port_unreachable (NO_SOCKET), input and source = vb "
          "(%d)" % idx["vb"])
    # Drops that are not the test's packets (the agent's own route lookup for a destination
    # behind the down interface fails in inet_rtm_getroute, which the kernel reports as a drop)
    # take a token from the same bucket as the burst they fall in: allow for them below.
    other = sum(len(v) for k, v in by_tag.items() if k not in ("D", "X"))
    # exact limit: a full bucket of LIMIT, then LIMIT per second while the burst lasts
    most = LIMIT + math.ceil(LIMIT * (t_d + 0.2))
    check(min(LIMIT, K_DROP) - other <= len(d) <= most,
          "limit %d/s: %d discard samples for the %.2f s burst (%d..%d)"
          % (LIMIT, len(d), t_d, LIMIT, most))
    x = by_tag.get("X", [])
    # the suppressed ones are counted and reported cumulatively (the next sample shows them)
    suppressed = max(int(s["dropEvents"]) for s in x or d) - int(d[0]["dropEvents"])
    check(suppressed >= K_DROP - len(d), "what the limit suppressed is counted: dropEvents "
          "+%d >= %d" % (suppressed, K_DROP - len(d)))
    check(x and all(s["inputPort"] == str(idx["vb"]) for s in x) and
          all(s["discardCode"] == x[0]["discardCode"] for s in x) and
          x[0]["discardReason"] not in ("NotFound", "unknown"),
          "down interface: 0:5 with input vb and reason %s (%s)"
          % (x[0]["discardCode"] if x else "-", x[0]["discardReason"] if x else "-"))
    t_x = dr["x1"] - dr["x0"] + 0.01
    most = LIMIT + math.ceil(LIMIT * (t_x + 0.2))
    check(min(LIMIT, K_DOWN) - other <= len(x) <= most, "a full bucket again after 1.5 s: %d "
          "of %d packets in %.2f s sent, %d other drops (%d..%d)"
          % (len(x), K_DOWN, t_x, other, min(LIMIT, K_DOWN) - other, most))


def main():
    e2e.need_root()
    e2e.need_binaries()
    for tool in ("qemu-system-x86_64", "cpio", "gcc", "busybox", "tc"):
        e2e.need(shutil.which(tool) or os.path.exists("/bin/" + tool), tool + " is installed")
    e2e.need(os.path.exists("/usr/lib/x86_64-linux-gnu/libc.a"), "libc6-dev (static libc)")
    os.makedirs(CACHE, exist_ok=True)
    cache = kernel()
    img = initramfs(cache, None)
    t0 = time.time()
    qemu = subprocess.run(
        ["qemu-system-x86_64", "-accel", "tcg,thread=multi", "-cpu", "max", "-smp", "2",
         "-m", "512", "-nodefaults", "-nographic", "-serial", "stdio", "-monitor", "none",
         "-no-reboot", "-kernel", os.path.join(cache, "vmlinuz"), "-initrd", img, "-append",
         "console=ttyS0 quiet panic=-1"],
        capture_output=True, text=True, timeout=VM_TIMEOUT, errors="replace")
    e2e.log("VM ran %.1f s" % (time.time() - t0))
    info, samples, discards, agent_log = parse_console(qemu.stdout)
    e2e.log("agent log:\n" + agent_log)
    idx = {k: int(v) for k, v in info["ifindex"].items()}
    check(idx["vbig"] == 70000, "vbig has ifindex 70000 in the VM")
    stats = {k: int(v) for k, v in info["stats"].items()}
    e2e.log("kernel counters: %s" % stats)

    def payload(s):
        raw = bytes.fromhex(e2e.element(s, "0:1")["headerBytes"].replace("-", ""))
        return raw, raw[14 + 28:]

    groups = {}
    for s in samples:
        raw, p = payload(s)
        tag = chr(p[4]) if len(p) > 8 and p[:4] == b"HSVM" else "?"
        groups.setdefault(tag, []).append(s)
    e2e.log("samples: %s" % {k: len(v) for k, v in groups.items()})
    # the drop phase's packets are sampled too, and the ICMP errors the host sends back
    other = [s for s in groups.get("?", []) if not (s["inputPort"] == "0" and
             e2e.element(s, "0:1").get("IPProtocol") == "1")]
    check(set(groups) <= set(K) | {"D", "X", "?"} and not other,
          "every sample is one of the test's packets or an ICMP error sent back (%s)"
          % sorted(groups))
    expect = {  # tag: (source, input, output)
        "L": (idx["vb"], idx["vb"], INTERNAL),
        "F": (idx["vb"], idx["vb"], idx["vc"]),
        "G": (70000, 70000, INTERNAL),
        "E": (idx["vb"], 0, idx["vb"]),
    }
    for tag, n in K.items():
        got = groups.get(tag, [])
        # where the samples came from and how many distinct packets they are, for the log
        where, distinct = {}, set()
        for s in got:
            key = (s["sourceId"], s["inputPort"], s["outputPort"], s["meanSkipCount"])
            where[key] = where.get(key, 0) + 1
            distinct.add(payload(s)[1][5:9])
        e2e.log("%s: %d samples, %d distinct packets, by (source, input, output, rate): %s"
                % (tag, len(got), len(distinct), where))
        mean, sd = n / RATE, math.sqrt(n * (1 / RATE) * (1 - 1 / RATE))
        check(abs(len(got) - mean) <= 4 * sd, "%s: %d samples of %d packets, expected %.0f +- "
              "%.0f (4 sd)" % (tag, len(got), n, mean, 4 * sd))
        src, inp, out = expect[tag]
        bad = [s for s in got if (s["sourceId"], s["inputPort"], s["outputPort"]) !=
               ("0:%d" % src, str(inp), str(out))]
        check(not bad, "%s: source 0:%d, input %d, output %d%s" % (tag, src, inp, out,
              "" if not bad else " (first wrong: %s)" % bad[0]))
        check(all(s["meanSkipCount"] == str(RATE) for s in got), "%s: rate %d" % (tag, RATE))
        check(all(s["dropEvents"] == "0" for s in got), "%s: no drops" % tag)
        seqs = set()
        for s in got:
            h = e2e.element(s, "0:1")
            raw, p = payload(s)
            seq = struct.unpack("!I", p[5:9])[0]
            want = (b"HSVM" + tag.encode() + struct.pack("!I", seq)).ljust(SIZE, b".")
            ok = (h["headerProtocol"] == "1" and raw[12:14] == b"\x08\x00"
                  and p == want[:len(p)] and len(raw) == min(128, 14 + 28 + SIZE)
                  and int(h["sampledPacketSize"]) == 14 + 28 + SIZE + 4
                  and h["strippedBytes"] == "4" and seq < n and seq not in seqs)
            if not ok:
                raise AssertionError("%s: header is not a packet sent: %s" % (tag, s))
            seqs.add(seq)
        check(True, "%s: every header is a distinct packet sent (Ethernet, length %d, payload "
              "bytes)" % (tag, 14 + 28 + SIZE + 4))
    # pools: per kernel group, the sum of rates, against what the interfaces carried
    ingress = sorted((s for s in samples if s["inputPort"] != "0"),
                     key=lambda s: int(s["sampleSequenceNo"]))
    egress = [s for s in samples if s["inputPort"] == "0"]
    if ingress:
        pool = max(int(s["samplePool"]) for s in ingress)
        carried = stats["vb_rx"] + stats["vbig_rx"]
        sd = math.sqrt(carried * RATE)
        check(pool == RATE * len(ingress) and abs(pool - carried) <= 4 * sd,
              "ingress pool %d = %d x %d samples, and within 4 sd of the %d packets vb and vbig "
              "received" % (pool, RATE, len(ingress), carried))
    if egress:
        pool = max(int(s["samplePool"]) for s in egress)
        check(pool == RATE * len(egress), "egress pool %d = %d x %d samples"
              % (pool, RATE, len(egress)))
    check_drops(info, discards, idx)
    cpu = info.get("cpu", {})
    if samples and "ticks0" in cpu:
        hz = int(cpu.get("hz", "100"))
        used = (int(cpu["ticks1"]) - int(cpu["ticks0"])) / hz
        e2e.log("figure: agent CPU %.2f s for %d samples (%d packets at 1-in-%d): %.0f us per "
                "sample under TCG" % (used, len(samples), sum(K.values()), RATE,
                                      1e6 * used / len(samples)))

if __name__ == "__main__":
    e2e.run(main)
