#!/usr/bin/env python3
"""container_image.py - the container image (packaging/container) and the DaemonSet
(packaging/kubernetes): the base image is a local Debian root imported as debian:bookworm-slim,
the image is built from the Containerfile with the hsflowd .deb, and run on a private dockerd
with --network host and the engine's socket mounted, as a non-root user with three capabilities:
host, interface and container counters and packet samples arrive (NET=<interface>), and only
counters with NET=none. The DaemonSet and its ConfigMap validate against the Kubernetes schema
(kubernetes-models), and the pod spec turned into the equivalent docker run exports too."""
import glob
import json
import os
import re
import shutil
import subprocess
import time

import e2e
from e2e import check, log
import docker_engine as de
import systemd_unit as su

SRCDIR = su.SRCDIR
IMAGE = "hsflowd:test-" + e2e.TAG
BASE = "debian:bookworm-slim"
NPM_DIR = os.path.join(su.CACHE, "npm")
SAMPLING, PACKETS = 10, 2000
CAPS = {"NET_RAW": 13, "SYS_PTRACE": 19, "DAC_OVERRIDE": 1}


def build_image(eng):
    out = e2e.tmpfile("debs")
    env = dict(os.environ, DEB_BUILD_OPTIONS="nocheck")
    r = subprocess.run(["nice", "-n", "10", os.path.join(SRCDIR, "packaging", "build-deb"),
                        SRCDIR, out], capture_output=True, text=True, env=env)
    check(r.returncode == 0, "the hsflowd .deb builds:\n%s" % (r.stdout + r.stderr)[-2000:])
    ctx = e2e.tmpfile("context")
    shutil.copytree(os.path.join(SRCDIR, "packaging", "container"), ctx)
    for d in glob.glob(os.path.join(out, "hsflowd_*.deb")):
        shutil.copy2(d, ctx)
    # no registry: the recipe's base is a Debian root made here, imported under its name
    root = su.debian_root()
    s = time.monotonic()
    p = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
    r = subprocess.run(["docker", "-H", eng.host, "import", "-", BASE], stdin=p.stdout,
                       capture_output=True, text=True)
    p.wait()
    check(r.returncode == 0, "docker import of the Debian root as %s: %s" % (BASE, r.stderr))
    r = subprocess.run(["docker", "-H", eng.host, "build", "--network", "host", "-t", IMAGE,
                        "-f", os.path.join(ctx, "Containerfile"), ctx],
                       capture_output=True, text=True, env=dict(os.environ, DOCKER_BUILDKIT="0"))
    check(r.returncode == 0, "docker build of packaging/container/Containerfile:\n%s"
          % (r.stdout + r.stderr)[-3000:])
    log("base imported and image built in %.0f s" % (time.monotonic() - s))
    user = eng.docker("image", "inspect", "-f", "{{.Config.User}}", IMAGE)
    check(user == "hsflowd", "the image runs as hsflowd (User %r)" % user)


def host_veth():
    """An interface of the host's network (where the agent runs) and a namespace behind it."""
    ns = e2e.netns("n")
    a, b = e2e.TAG + "h", e2e.TAG + "p"
    e2e.sh("ip link add %s type veth peer name %s" % (a, b))
    e2e._links.append(a)
    e2e.sh("ip link set %s netns %s" % (b, ns))
    e2e.sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % a)
    e2e.sh("ip addr add 198.51.100.1/24 dev %s && ip link set %s up" % (a, a))
    e2e.sh("ip addr add 198.51.100.2/24 dev %s" % b, ns=ns)
    e2e.sh("ip link set %s up" % b, ns=ns)
    with open("/sys/class/net/%s/ifindex" % a) as f:
        return ns, a, int(f.read())


def send(ns, count):
    e2e.sh("python3 -c \"import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
           "for i in range(%d):\n s.sendto(b'x'*64,('198.51.100.1',9))\n"
           " if i%%100==99: time.sleep(0.005)\n\"" % count, ns=ns)


class Watch:
    def __init__(self, col):
        self.col, self.got = col, []

    def pump(self, seconds):
        self.got += self.col.datagrams(seconds)

    def counters(self, source):
        return [s for d in self.got for s in e2e.samples(d, source)]

    def flows(self, ifindex):
        return [s for d in self.got for s in e2e.samples(d, "0:%d" % ifindex, kind="0:3")]

    def containers(self, name):
        return [s for d in self.got for _, s in de.vsamples(d) if de.hostname(s) == name]


def run_agent(eng, name, args):
    eng.docker("run", "-d", "--name", name, *args, IMAGE)
    pid = 0
    end = time.time() + 10
    while not pid and time.time() < end:
        pid = int(eng.docker("inspect", "-f", "{{.State.Pid}}", name, check=False) or 0)
        time.sleep(0.2)
    check(pid > 0, "the agent's container %s runs" % name)
    return pid


def caps_of(pid):
    with open("/proc/%d/status" % pid) as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    return int(st["Uid"].split()[0]), int(st["CapEff"], 16), int(st["CapBnd"], 16)


def exports(eng, name, pid, col, ifindex, ctr, ns, pcap):
    w = Watch(col)
    end = time.time() + 15
    while time.time() < end and not (w.counters("2:1") and w.counters("0:%d" % ifindex)
                                     and w.containers(ctr)):
        w.pump(0.5)
    logs = subprocess.run(["docker", "-H", eng.host, "logs", name], capture_output=True,
                          text=True).stderr
    check(w.counters("2:1"), "%s: host counters (2:1) arrive" % name)
    check(w.counters("0:%d" % ifindex), "%s: interface counters of 0:%d arrive" % (name, ifindex))
    check(w.containers(ctr), "%s: the container %s is exported (3:N)\n%s" % (name, ctr, logs[-1500:]))
    uid, eff, bnd = caps_of(pid)
    want = sum(1 << c for c in CAPS.values())
    check(uid != 0 and eff == want and bnd == want,
          "%s: uid %d (not root), capabilities 0x%x of the bounding set 0x%x (want 0x%x)"
          % (name, uid, eff, bnd, want))
    n = len(w.flows(ifindex))
    send(ns, PACKETS)
    w.pump(2.5)
    flows = w.flows(ifindex)[n:]
    log("%s: %d flow samples on 0:%d for %d datagrams at 1 in %d"
        % (name, len(flows), ifindex, PACKETS, SAMPLING))
    if pcap:
        check(PACKETS / SAMPLING / 2 <= len(flows) <= PACKETS / SAMPLING * 1.5,
              "%s: packet samples arrive (%d)" % (name, len(flows)))
    else:
        check(not flows, "%s: NET=none: no packet samples (%d)" % (name, len(flows)))


def kube_validate(path):
    """Each object of the YAML file against the Kubernetes API schema of kubernetes-models."""
    import yaml
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    if not os.path.exists(os.path.join(NPM_DIR, "node_modules", "kubernetes-models")):
        e2e.need(shutil.which("npm") is not None, "npm missing")
        os.makedirs(NPM_DIR, exist_ok=True)
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", NPM_DIR,
                            "kubernetes-models"], capture_output=True, text=True)
        e2e.need(r.returncode == 0, "npm install kubernetes-models failed: %s" % r.stderr[-500:])
    script = r"""
const docs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const models = {ConfigMap: require('kubernetes-models/v1').ConfigMap,
                DaemonSet: require('kubernetes-models/apps/v1').DaemonSet};
for (const d of docs) {
  const M = models[d.kind];
  if (!M) { console.log('no model for ' + d.kind); process.exit(2); }
  new M(d).validate();
  console.log('valid ' + d.apiVersion + ' ' + d.kind + ' ' + d.metadata.name);
}
"""
    r = subprocess.run(["node", "-e", script], input=json.dumps(docs), capture_output=True,
                       text=True, env=dict(os.environ, NODE_PATH=os.path.join(NPM_DIR, "node_modules")))
    log("kubernetes-models: " + (r.stdout + r.stderr).strip()[-1500:])
    check(r.returncode == 0 and r.stdout.count("valid ") == len(docs),
          "the ConfigMap and the DaemonSet validate against the Kubernetes schema")
    # and a broken one does not: the validation is real
    bad = json.loads(json.dumps(docs))
    for d in bad:
        if d["kind"] == "DaemonSet":
            d["spec"]["template"]["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = "NET_RAW"
    r = subprocess.run(["node", "-e", script], input=json.dumps(bad), capture_output=True,
                       text=True, env=dict(os.environ, NODE_PATH=os.path.join(NPM_DIR, "node_modules")))
    check(r.returncode != 0, "a DaemonSet with capabilities.add as a string is rejected")
    return docs


def pod_to_docker(docs, image, conf_dir, sock):
    """The DaemonSet's pod spec as docker run arguments (the ConfigMap as a directory)."""
    ds = next(d for d in docs if d["kind"] == "DaemonSet")
    pod = ds["spec"]["template"]["spec"]
    ctr = pod["containers"][0]
    args = []
    check(pod.get("hostNetwork") is True and pod.get("hostPID") is True,
          "the pod uses the host's network and processes")
    args += ["--network", "host", "--pid", "host"]
    sc = ctr["securityContext"]
    check("privileged" not in sc and sc["capabilities"]["drop"] == ["ALL"],
          "not privileged, every capability dropped first")
    check(sorted(sc["capabilities"]["add"]) == sorted(CAPS),
          "capabilities.add is exactly %s" % sorted(CAPS))
    args += ["--cap-drop", "ALL"] + [x for c in sc["capabilities"]["add"] for x in ("--cap-add", c)]
    for e in ctr.get("env", []):
        args += ["-e", "%s=%s" % (e["name"], e["value"])]
    res = ctr["resources"]
    check(res["requests"] and res["limits"], "requests and limits are set")
    args += ["--memory", res["limits"]["memory"].replace("Mi", "m"),
             "--cpus", str(int(res["limits"]["cpu"].rstrip("m")) / 1000)]
    check(any(t.get("operator") == "Exists" and "key" not in t for t in pod["tolerations"]),
          "it tolerates every taint")
    vols = {v["name"]: v for v in pod["volumes"]}
    for m in ctr["volumeMounts"]:
        v = vols[m["name"]]
        if "configMap" in v:
            src = conf_dir
        else:
            src = v["hostPath"]["path"]
            if src == "/var/run/docker.sock":
                src = sock  # the test's engine
        check(m.get("readOnly") is True, "%s is mounted read-only" % m["mountPath"])
        args += ["-v", "%s:%s:ro" % (src, m["mountPath"])]
    mounts = {m["mountPath"] for m in ctr["volumeMounts"]}
    check({"/sys", "/sys/fs/cgroup", "/var/run/docker.sock"} <= mounts,
          "/sys, the cgroup tree and the runtime's socket are mounted")
    check(ctr["image"].startswith("hsflowd:"), "the pod runs the hsflowd image")
    return args


def main():
    e2e.need_root()
    e2e.need_binaries()
    de.ensure_installed()
    e2e.need(shutil.which("node") is not None, "node missing")
    docs = kube_validate(os.path.join(SRCDIR, "packaging", "kubernetes", "hsflowd-daemonset.yaml"))
    de.with_engine(lambda eng: body(eng, docs))


def body(eng, docs):
    build_image(eng)
    ns, dev, ifindex = host_veth()
    ctr = "web" + e2e.TAG
    eng.run(ctr, "sleep", "120")
    port = e2e.free_port()
    col = e2e.Collector(port)
    common = ["--network", "host", "--pid", "host", "--cap-drop", "ALL", "--cap-add", "NET_RAW",
              "--cap-add", "SYS_PTRACE", "--cap-add", "DAC_OVERRIDE",
              "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", "-v", "%s:/var/run/docker.sock:ro" % eng.sock,
              "-e", "COLLECTOR=127.0.0.1", "-e", "PORT=%d" % port, "-e", "POLLING=2",
              "-e", "SAMPLING=%d" % SAMPLING]
    for net, pcap in ((dev, True), ("none", False)):
        name = "hsf%s-%s" % (e2e.TAG, "pcap" if pcap else "nopcap")
        pid = run_agent(eng, name, common + ["-e", "NET=" + net])
        try:
            exports(eng, name, pid, col, ifindex, ctr, ns, pcap)
        finally:
            eng.docker("rm", "-f", name, check=False)
        col.datagrams(1.0)  # what the stopped agent sent last

    # DROPMON=enable: the drop monitor needs CAP_NET_ADMIN; without it the container says so
    # and stops, with it the image's second binary (file capabilities with CAP_NET_ADMIN) runs
    name = "hsf%s-nodm" % e2e.TAG
    r = subprocess.run(["docker", "-H", eng.host, "run", "--name", name, *common, "-e",
                        "NET=none", "-e", "DROPMON=enable", IMAGE],
                       capture_output=True, text=True, timeout=60)
    eng.docker("rm", "-f", name, check=False)
    check(r.returncode != 0 and "--cap-add NET_ADMIN" in r.stderr,
          "DROPMON=enable without NET_ADMIN: the container stops and asks for it (exit %d)\n%s"
          % (r.returncode, r.stderr[-600:]))
    name = "hsf%s-dm" % e2e.TAG
    pid = run_agent(eng, name, common + ["--cap-add", "NET_ADMIN", "-e", "NET=none", "-e",
                                         "DROPMON=enable"])
    try:
        w = Watch(col)
        end = time.time() + 15
        logs = ""
        while time.time() < end and not (w.counters("2:1") and "dropmon:" in logs):
            w.pump(0.5)
            logs = subprocess.run(["docker", "-H", eng.host, "logs", name], capture_output=True,
                                  text=True).stderr
        log("DROPMON=enable: " + " | ".join(l for l in logs.splitlines() if "dropmon" in l))
        check(w.counters("2:1") and "dropmon:" in logs and "Module dropmon started" in logs,
              "DROPMON=enable with NET_ADMIN: the agent runs its dropmon module and exports")
        uid, eff, bnd = caps_of(pid)
        want = sum(1 << c for c in CAPS.values()) | (1 << 12)  # and CAP_NET_ADMIN
        check(uid != 0 and eff == want,
              "DROPMON=enable: uid %d (not root), capabilities 0x%x (want 0x%x)"
              % (uid, eff, want))
    finally:
        eng.docker("rm", "-f", name, check=False)
    col.datagrams(1.0)

    # the DaemonSet's pod, as docker would run it
    conf_dir = e2e.tmpfile("configmap")
    os.makedirs(conf_dir)
    cm = next(d for d in docs if d["kind"] == "ConfigMap")
    text = cm["data"]["hsflowd.conf"]
    text = re.sub(r"collector \{[^}]*\}", "collector { ip = 127.0.0.1  udpport = %d }" % port, text)
    text = re.sub(r"polling = \d+", "polling = 2", text)
    text = re.sub(r"pcap \{[^}]*\}", "pcap { dev = %s  sampling = %d }" % (dev, SAMPLING), text)
    with open(os.path.join(conf_dir, "hsflowd.conf"), "w") as f:
        f.write(text)
    args = pod_to_docker(docs, IMAGE, conf_dir, eng.sock)
    log("the pod as docker run: " + " ".join(args))
    name = "hsf%s-pod" % e2e.TAG
    pid = run_agent(eng, name, args)
    try:
        exports(eng, name, pid, col, ifindex, ctr, ns, True)
        r = subprocess.run(["docker", "-H", eng.host, "logs", name], capture_output=True, text=True)
        check("hsflowd-container: /etc/hsflowd/hsflowd.conf:" in r.stdout + r.stderr,
              "the pod's agent reads the ConfigMap's file")
    finally:
        eng.docker("rm", "-f", name, check=False)
    col.stop()
    eng.docker("rmi", "-f", IMAGE, BASE, check=False)


if __name__ == "__main__":
    e2e.run(main)
