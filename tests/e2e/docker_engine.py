"""docker_engine.py - a private dockerd for the docker tests: started, restarted, stopped by PID."""
import os
import shutil
import signal
import subprocess
import time

import e2e

PACKAGES = ["docker.io", "busybox-static"]
IMAGE = "t/busybox:1"


def ensure_installed():
    """Install dockerd and a static busybox when missing (root only); skip otherwise."""
    missing = not shutil.which("dockerd") or not os.path.exists("/bin/busybox")
    if missing and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q"] + PACKAGES, env=env,
                       capture_output=True)
    e2e.need(shutil.which("dockerd") is not None, "dockerd missing (apt-get install docker.io)")
    e2e.need(shutil.which("docker") is not None, "docker client missing")
    e2e.need(os.path.exists("/bin/busybox"), "busybox missing (apt-get install busybox-static)")


class Engine:
    """dockerd with its own root, exec root, socket and pidfile in a temporary directory."""

    def __init__(self):
        self.dir = e2e.tmpfile("dockerd")
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, "docker.sock")
        self.host = "unix://" + self.sock
        self.proc = None
        self.start()
        self._import_image()

    def start(self):
        d = self.dir
        self.logf = open(os.path.join(d, "dockerd.log"), "a")
        # live-restore: containers survive an engine restart, as in production setups
        self.proc = e2e.start(["dockerd", "--data-root", d + "/root", "--exec-root", d + "/exec",
                               "-H", self.host, "--pidfile", d + "/docker.pid",
                               "--iptables=false", "--ip6tables=false", "--bridge=none",
                               "--ip-masq=false", "--live-restore"],
                              stdout=self.logf, stderr=self.logf)
        end = time.time() + 30
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("dockerd exited: see " + d + "/dockerd.log")
            r = subprocess.run(["docker", "-H", self.host, "version"], capture_output=True)
            if r.returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("dockerd did not answer within 30 s")

    def stop(self):
        """Stop the engine (SIGTERM to our dockerd; containers live on with live-restore)."""
        if self.proc:
            e2e.stop(self.proc, timeout=20)
            self.proc = None
            self.logf.close()

    def _import_image(self):
        bb = os.path.join(self.dir, "bb")
        os.makedirs(bb + "/bin", exist_ok=True)
        shutil.copy("/bin/busybox", bb + "/bin/busybox")
        for a in ("sh", "sleep", "cat", "head", "dd", "true"):
            if not os.path.exists(bb + "/bin/" + a):
                os.symlink("busybox", bb + "/bin/" + a)
        tar = subprocess.Popen(["tar", "-C", bb, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(["docker", "-H", self.host, "import", "-c", 'CMD ["/bin/sh"]', "-",
                        IMAGE], stdin=tar.stdout, check=True, capture_output=True)
        tar.wait()

    def docker(self, *args, check=True):
        r = subprocess.run(["docker", "-H", self.host] + list(args), capture_output=True,
                           text=True)
        if check and r.returncode != 0:
            raise RuntimeError("docker %s: %s" % (" ".join(args), r.stderr.strip()))
        return r.stdout.strip()

    def run(self, name, *cmd, opts=()):
        """Start a detached container; returns its id."""
        cmd = list(cmd) or ["sleep", "600"]
        return self.docker("run", "-d", "--network", "none", "--name", name, *opts, IMAGE,
                           *cmd)

    def pid(self, name):
        return int(self.docker("inspect", "-f", "{{.State.Pid}}", name))

    def cleanup(self):
        """Remove every container, then stop the engine."""
        if self.proc and self.proc.poll() is None:
            ids = self.docker("ps", "-aq", check=False).split()
            if ids:
                self.docker("rm", "-f", *ids, check=False)
        self.stop()
        # mounts of the engine's root may linger: unmount them before the directory goes
        subprocess.run("grep -o ' %s[^ ]*' /proc/self/mounts | sort -r | xargs -r -n1 umount -l"
                       % self.dir, shell=True, capture_output=True)


def with_engine(body):
    """Run body(engine) against a private dockerd started for the test, stopped afterwards."""
    e2e.need_root()
    e2e.need_binaries()
    ensure_installed()
    eng = Engine()
    try:
        body(eng)
    finally:
        eng.cleanup()


def agent_conf(port, polling=2, extra=""):
    return ("sflow {\n polling = %d\n collector { ip = 127.0.0.1 udpport = %d }\n docker { %s }\n}\n"
            % (polling, port, extra))


def vsamples(d):
    """(sourceId, sample) of the container samples (3:N) of a datagram."""
    for s in e2e.samples(d):
        if s.get("sourceId", "").startswith("3:"):
            yield s["sourceId"], s


def hostname(s):
    e = e2e.element(s, "0:2000")
    return e.get("hostname") if e else None


def vcpu_state(s):
    e = e2e.element(s, "0:2101")
    return int(e["vcpu_state"]) if e else None


def agent_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def agent_rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
