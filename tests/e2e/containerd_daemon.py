"""containerd_daemon.py - a private containerd for the containerd tests: its own root, state,
socket and config; a busybox image imported from an OCI tarball; tasks run with ctr."""
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import time

import e2e

PACKAGES = ["containerd", "runc", "busybox-static"]
NAMESPACE = "k8s.io"


def ensure_installed():
    """Install containerd, ctr, runc and a static busybox when missing (root only)."""
    missing = [b for b in ("containerd", "ctr", "runc") if not shutil.which(b)]
    if (missing or not os.path.exists("/bin/busybox")) and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"] + PACKAGES,
                       env=env, capture_output=True)
    for b in ("containerd", "ctr", "runc"):
        e2e.need(shutil.which(b) is not None, "%s missing (apt-get install containerd runc)" % b)
    e2e.need(os.path.exists("/bin/busybox"), "busybox missing (apt-get install busybox-static)")


def _blob(root, data):
    digest = hashlib.sha256(data).hexdigest()
    os.makedirs(root + "/blobs/sha256", exist_ok=True)
    with open(root + "/blobs/sha256/" + digest, "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + digest, "size": len(data)}


def busybox_oci_tar(path, name):
    """An OCI image archive of one layer holding busybox and a few applets, named name."""
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as t:
        for d in ("bin", "dev", "proc", "sys", "tmp", "etc"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode = tarfile.DIRTYPE, 0o755
            t.addfile(ti)
        t.add("/bin/busybox", "bin/busybox")
        for a in ("sh", "sleep", "cat", "dd", "true", "head"):
            ti = tarfile.TarInfo("bin/" + a)
            ti.type, ti.linkname = tarfile.SYMTYPE, "busybox"
            t.addfile(ti)
    layer = layer.getvalue()
    root = path + ".d"
    shutil.rmtree(root, ignore_errors=True)
    lay = _blob(root, layer)
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": [lay["digest"]]}}
    cfg = _blob(root, json.dumps(config).encode())
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": dict(cfg, mediaType="application/vnd.oci.image.config.v1+json"),
                "layers": [dict(lay, mediaType="application/vnd.oci.image.layer.v1.tar")]}
    man = _blob(root, json.dumps(manifest).encode())
    index = {"schemaVersion": 2, "manifests": [dict(
        man, mediaType="application/vnd.oci.image.manifest.v1+json",
        annotations={"io.containerd.image.name": name,
                     "org.opencontainers.image.ref.name": name.rsplit(":", 1)[-1]})]}
    with open(root + "/index.json", "w") as f:
        json.dump(index, f)
    with open(root + "/oci-layout", "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    with tarfile.open(path, "w") as t:
        for n in ("oci-layout", "index.json", "blobs"):
            t.add(root + "/" + n, n)
    shutil.rmtree(root, ignore_errors=True)


class Containerd:
    """containerd with its own root, state, socket and config in a temporary directory."""

    IMAGE = "docker.io/t/busybox:1"

    def __init__(self):
        self.dir = e2e.tmpfile("containerd")
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "containerd.sock")
        self.conf = os.path.join(self.dir, "config.toml")
        with open(self.conf, "w") as f:
            f.write('version = 2\nroot = "%s/root"\nstate = "%s/state"\n'
                    'disabled_plugins = ["io.containerd.grpc.v1.cri"]\n'
                    '[grpc]\n  address = "%s"\n[ttrpc]\n  address = "%s.ttrpc"\n'
                    '[debug]\n  address = ""\n[metrics]\n  address = ""\n'
                    % (self.dir, self.dir, self.sock, self.sock))
        self.proc = None
        self.start()
        tar = os.path.join(self.dir, "busybox-oci.tar")
        busybox_oci_tar(tar, self.IMAGE)
        self.ctr("images", "import", tar)
        names = self.ctr("images", "ls", "-q").split()
        e2e.check(self.IMAGE in names, "the busybox image is imported (%s)" % names)

    def start(self):
        self.logf = open(os.path.join(self.dir, "containerd.log"), "a")
        self.proc = e2e.start(["containerd", "--config", self.conf], stdout=self.logf,
                              stderr=self.logf)
        end = time.time() + 30
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("containerd exited: see %s/containerd.log" % self.dir)
            r = subprocess.run(["ctr", "-a", self.sock, "version"], capture_output=True)
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("containerd did not answer within 30 s")

    def stop(self):
        """Stop containerd (SIGTERM to our containerd; the tasks live on in their shims)."""
        if self.proc:
            e2e.stop(self.proc, timeout=20)
            self.proc = None
            self.logf.close()

    def ctr(self, *args, check=True):
        r = subprocess.run(["ctr", "-a", self.sock, "-n", NAMESPACE] + list(args),
                           capture_output=True, text=True)
        if check and r.returncode != 0:
            raise RuntimeError("ctr %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout.strip()

    def run(self, cid, *cmd, labels=None, cgroup=None, opts=()):
        """Start a detached task; returns its pid."""
        args = ["run", "-d"]
        for k, v in (labels or {}).items():
            args += ["--label", "%s=%s" % (k, v)]
        if cgroup:
            args += ["--cgroup", cgroup]
        args += list(opts) + [self.IMAGE, cid] + (list(cmd) or ["sleep", "600"])
        self.ctr(*args)
        return self.pid(cid)

    def pid(self, cid):
        for line in self.ctr("tasks", "ls").splitlines()[1:]:
            f = line.split()
            if f and f[0] == cid:
                return int(f[1])
        return None

    def remove(self, cid):
        """Kill the task (if any), delete it and the container."""
        self.ctr("tasks", "kill", "-s", "9", cid, check=False)
        self.ctr("tasks", "delete", "-f", cid, check=False)
        self.ctr("containers", "delete", cid, check=False)

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            for cid in self.ctr("containers", "ls", "-q", check=False).split():
                self.remove(cid)
        self.stop()
        subprocess.run("grep -o ' %s[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l"
                       % self.dir, shell=True, capture_output=True)


def k8s_labels(pod_ns, pod, uid, container=None, sandbox=False):
    """The labels the kubelet's CRI plugin sets on a pod's containers."""
    lab = {"io.kubernetes.pod.namespace": pod_ns, "io.kubernetes.pod.name": pod,
           "io.kubernetes.pod.uid": uid,
           "io.cri-containerd.kind": "sandbox" if sandbox else "container"}
    if container:
        lab["io.kubernetes.container.name"] = container
    return lab


def with_containerd(body):
    e2e.need_root()
    e2e.need_binaries()
    ensure_installed()
    c = Containerd()
    try:
        body(c)
    finally:
        c.cleanup()


def agent_conf(port, sock, polling=2, block="containerd", extra=""):
    return ("sflow {\n polling = %d\n collector { ip = 127.0.0.1 udpport = %d }\n"
            " %s { socket = %s %s }\n}\n" % (polling, port, block, sock, extra))
