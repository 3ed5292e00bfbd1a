#!/usr/bin/env python3
"""systemd_unit.py - hsflowd under a real systemd as the unit we ship (etc/hsflowd.service.in):
a Debian root (debootstrap, cached between runs) booted with systemd-nspawn; start returns once
READY=1 arrives, after the first datagram (already queued on a collector socket when start
returns), the journal has the agent's messages, the collector receives, reload (SIGHUP) and a
change of the file (inotify) work, systemctl reload alone applies a changed collector port, the
watchdog pings keep the agent alive and one stopped with SIGSTOP is restarted, stop is orderly, and a broken file makes start fail
with the file:line:column error instead of hanging. The unit is the hardened one: the agent runs
as hsflowd with the capabilities its configuration needs (read from /proc), and packet sampling
on the container's veth (traffic sent from the host), tcp on a local connection, docker (an engine
on /run/docker.sock, root:docker 0660) and reload all work under it."""
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import time

import e2e
from e2e import check, log
import docker_fake

SRCDIR = os.environ.get("srcdir", os.path.join(e2e.HERE, "..", ".."))
CACHE = os.environ.get("HSFLOWD_TEST_CACHE", "/var/cache/hsflowd-tests")
INCLUDE = "systemd,systemd-sysv,dbus,iproute2,procps"
HOST_PACKAGES = ["systemd-container", "debootstrap"]
INNER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PORT_A, PORT_B = 6343, 6344
PORT_R, PORT_S = 6342, 6346  # the readiness probe's; the port a reload applies
CONF = "sflow {\n  polling = 2\n  collector { ip = 127.0.0.1 udpport = %d }\n}\n"
# two collectors: the one the scenario reads, and the readiness probe that reads nothing until
# systemctl start has returned
CONF2 = ("sflow {\n  polling = 2\n  collector { ip = 127.0.0.1 udpport = %d }\n"
         "  collector { ip = 127.0.0.1 udpport = %d }\n}\n")
ALT_DIR = "/etc/hsflowd-alt"  # where /etc/hsflowd.conf points for the reload check (unwatched)
DROPIN = "/run/systemd/system/hsflowd.service.d"
WATCHDOG_TEST = 3  # seconds, for the SIGSTOP check (the unit ships 30 s)
FULL = ("sflow {\n  polling = 2\n  sampling = 10\n  collector { ip = 127.0.0.1 udpport = %d }\n"
        "  pcap { dev = host0 }\n  tcp { }\n  docker { }\n}\n")
HOST_IP, INNER_IP = "198.51.100.1", "198.51.100.2"
UDP_PACKETS, UDP_PORT, TCP_BYTES = 3000, 9, 40 << 20
CAP_DAC_OVERRIDE, CAP_NET_RAW, CAP_SYS_ADMIN, CAP_SYS_PTRACE = 1, 13, 21, 19
BROKEN = "sflow {\n  polling = 2\n  colector { ip = 127.0.0.1 udpport = %d }\n}\n" % PORT_A


def t0():
    return time.monotonic()


# --- the Debian root -------------------------------------------------------------------------

def ensure_host_tools():
    """systemd-nspawn and debootstrap, installed when missing (root only; skip otherwise)."""
    if shutil.which("systemd-nspawn") and shutil.which("debootstrap"):
        return
    if os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends"] + HOST_PACKAGES
        if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
            subprocess.run(cmd, env=env, capture_output=True)
    e2e.need(shutil.which("systemd-nspawn") is not None,
             "systemd-nspawn missing (apt-get install systemd-container)")
    e2e.need(shutil.which("debootstrap") is not None, "debootstrap missing (apt-get install debootstrap)")
    e2e.need(shutil.which("nsenter") is not None, "nsenter missing (util-linux)")


def host_release():
    codename = "bookworm"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("VERSION_CODENAME="):
                    codename = line.split("=", 1)[1].strip().strip('"') or codename
    except OSError:
        pass
    return codename


def mirror(codename):
    """The Debian mirror the host's apt uses for its release (deb822 or one-line format)."""
    found = []
    p = "/etc/apt/sources.list.d/debian.sources"
    if os.path.exists(p):
        with open(p) as f:
            for stanza in f.read().split("\n\n"):
                fields = {}
                for line in stanza.splitlines():
                    if ":" in line and not line.startswith((" ", "#")):
                        k, v = line.split(":", 1)
                        fields[k.strip().lower()] = v.split()
                if codename in fields.get("suites", []) and "deb" in fields.get("types", []):
                    found += fields.get("uris", [])
    if os.path.exists("/etc/apt/sources.list"):
        with open("/etc/apt/sources.list") as f:
            for line in f:
                w = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
                if len(w) >= 3 and w[0] == "deb" and w[2] == codename:
                    found.append(w[1])
    for uri in found:
        if uri.startswith(("http://", "https://")):
            return uri
    return "http://deb.debian.org/debian"


def debian_root():
    """A minimal Debian root with systemd, made once and kept in CACHE (rebuilt when absent,
    incomplete or made with another package list); a lock keeps concurrent runs apart."""
    codename = host_release()
    os.makedirs(CACHE, exist_ok=True)
    root = os.path.join(CACHE, codename + "-systemd")
    stamp = root + ".complete"
    with open(os.path.join(CACHE, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp) as f:
                if f.read().strip() == INCLUDE and os.path.exists(root + "/usr/lib/systemd/systemd"):
                    log("cached root: " + root)
                    return root
        except OSError:
            pass
        for d in (root, root + ".new"):
            if os.path.exists(d):
                shutil.rmtree(d)
        if os.path.exists(stamp):
            os.unlink(stamp)
        url = mirror(codename)
        log("debootstrap %s from %s into %s (about 45 s)" % (codename, url, root))
        start = t0()
        r = subprocess.run(["debootstrap", "--variant=minbase", "--include=" + INCLUDE, codename,
                            root + ".new", url], capture_output=True, text=True)
        if r.returncode != 0:
            tail = "\n".join((r.stdout + r.stderr).strip().splitlines()[-15:])
            shutil.rmtree(root + ".new", ignore_errors=True)
            e2e.need(reachable(url), "the Debian mirror %s cannot be reached" % url)
            raise RuntimeError("debootstrap failed:\n" + tail)
        os.rename(root + ".new", root)
        with open(stamp, "w") as f:
            f.write(INCLUDE + "\n")
        log("debootstrap done in %.0f s" % (t0() - start))
        return root


def reachable(url):
    """Whether the mirror answers at all (a failed debootstrap is skipped locally when it does
    not; under CI, need() makes it a failure either way)."""
    import urllib.request
    try:
        urllib.request.urlopen(url, timeout=5).close()
        return True
    except Exception:
        return False


def working_root(lower):
    """The cached root under an overlay: this run writes only to its own upper layer, so the
    cache stays pristine and every boot is a first boot. A full copy when overlayfs fails."""
    base = e2e.tmpfile("root")
    up, work, merged = base + "/upper", base + "/work", base + "/merged"
    for d in (up, work, merged):
        os.makedirs(d)
    r = subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        "lowerdir=%s,upperdir=%s,workdir=%s" % (lower, up, work), merged],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return merged, merged
    log("overlayfs failed (%s): copying the root" % r.stderr.strip())
    os.rmdir(merged)
    subprocess.run(["cp", "-a", "--reflink=auto", lower, merged], check=True)
    return merged, None


def install_agent(root):
    """The agent, the collector, their missing libraries, the unit, and the configuration."""
    shutil.copy2(e2e.HSFLOWD, root + "/usr/sbin/hsflowd")
    shutil.copy2(e2e.SFLOWCAT, root + "/usr/bin/sflowcat")
    # libcurl: the docker module loads it with dlopen, so ldd of the agent does not name it
    curl = re.search(r"libcurl\.so\.4 \(libc6,x86-64\) => (\S+)", e2e.sh("ldconfig -p"))
    check(curl is not None, "libcurl.so.4 is installed on the host")
    host_libs = {"libcurl.so.4": curl.group(1)}
    for b in (e2e.HSFLOWD, e2e.SFLOWCAT, curl.group(1)):
        for m in re.finditer(r"^\s*(\S+) => (/\S+)", e2e.sh("ldd " + b), re.M):
            host_libs[m.group(1)] = m.group(2)
    libdir = root + "/usr/lib/x86_64-linux-gnu"
    if not os.path.isdir(libdir):
        libdir = root + "/usr/lib"
    copied = []
    inner = ["/usr/sbin/hsflowd", "/usr/bin/sflowcat"]
    if not os.path.exists(os.path.join(libdir, "libcurl.so.4")):
        shutil.copy2(os.path.realpath(curl.group(1)), os.path.join(libdir, "libcurl.so.4"))
        copied.append("libcurl.so.4")
    inner.append(os.path.join(libdir, "libcurl.so.4")[len(root):])
    for _ in range(4):  # copied libraries may need others in turn
        missing = set()
        for b in inner:
            out = subprocess.run(["chroot", root, "ldd", b], capture_output=True, text=True).stdout
            missing |= set(re.findall(r"^\s*(\S+) => not found", out, re.M))
        if not missing:
            break
        for lib in sorted(missing):
            if lib not in host_libs:
                raise RuntimeError("library %s needed in the root is not on the host" % lib)
            shutil.copy2(os.path.realpath(host_libs[lib]), os.path.join(libdir, lib))
            copied.append(lib)
    else:
        raise RuntimeError("libraries still missing in the root: %s" % sorted(missing))
    log("copied from the host: " + (" ".join(copied) or "nothing"))

    with open(os.path.join(SRCDIR, "etc", "hsflowd.service.in")) as f:
        unit = f.read()
    for k, v in (("@sbindir@", "/usr/sbin"), ("@sysconfdir@", "/etc"),
                 ("@docdir@", "/usr/share/doc/hsflowd")):
        unit = unit.replace(k, v)
    left = re.findall(r"@\w+@", unit)
    check(not left, "the unit has no unsubstituted variables %s" % left)
    with open(root + "/etc/systemd/system/hsflowd.service", "w") as f:
        f.write(unit)
    r = subprocess.run(["systemd-analyze", "security", "--offline=true",
                        root + "/etc/systemd/system/hsflowd.service"], capture_output=True, text=True)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d)", r.stdout)
    log("systemd-analyze security: " + (m.group(0) if m else r.stdout[-300:] + r.stderr[-300:]))
    check(m and float(m.group(1)) <= 2.0, "the unit's exposure is 2.0 or lower")
    with open(root + "/etc/hsflowd.conf", "w") as f:
        f.write(CONF % PORT_A)
    os.chmod(root + "/etc/hsflowd.conf", 0o644)
    # the accounts the packages make: the system user, in the docker group when there is one
    for cmd in (["groupadd", "--system", "docker"],
                ["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", "--user-group", "--groups", "docker", "hsflowd"]):
        subprocess.run(["chroot", root] + cmd, check=True, capture_output=True)
    return unit


def root_gid(root, group):
    with open(root + "/etc/group") as f:
        for line in f:
            w = line.split(":")
            if w[0] == group:
                return int(w[2])
    raise RuntimeError("no group %s in the root" % group)


# --- the container ---------------------------------------------------------------------------

class Container:
    def __init__(self, root, name, binds=(), net=("--network-veth",)):
        self.root, self.name = root, name
        self.console = e2e.tmpfile("console.log")
        self.consf = open(self.console, "w")
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "-D", root, "-b", "--register=no", "--keep-unit",
             "--console=read-only", "--machine=" + name] + list(net)
            + ["--bind=%s:%s" % b for b in binds],
            stdin=subprocess.DEVNULL, stdout=self.consf, stderr=subprocess.STDOUT)
        self.leader = None

    def find_leader(self, seconds=20):
        """The container's PID 1 (a descendant of nspawn whose pid in its namespace is 1),
        once it runs systemd."""
        end = time.time() + seconds
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("systemd-nspawn exited %d: see %s" % (self.proc.returncode,
                                                                        self.console))
            for pid in self._descendants(self.proc.pid):
                try:
                    with open("/proc/%d/status" % pid) as f:
                        st = dict(l.split(":", 1) for l in f if ":" in l)
                    with open("/proc/%d/comm" % pid) as f:
                        comm = f.read().strip()
                except OSError:
                    continue
                ns = st.get("NSpid", "").split()
                if len(ns) >= 2 and ns[-1] == "1" and comm == "systemd":
                    self.leader = pid
                    return pid
            time.sleep(0.1)
        raise RuntimeError("no systemd in the container within %d s" % seconds)

    @staticmethod
    def _descendants(top):
        children = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d))
        out, todo = [], [top]
        while todo:
            for c in children.get(todo.pop(), []):
                out.append(c)
                todo.append(c)
        return out

    def run(self, cmd, timeout=30, input=None):
        """A shell command inside the container (all its namespaces); (rc, stdout+stderr).
        rc is None when it did not finish within timeout."""
        args = ["nsenter", "-t", str(self.leader), "-a", "env", "-i", "PATH=" + INNER_PATH,
                "LANG=C", "SYSTEMD_PAGER=", "SYSTEMD_COLORS=0", "/bin/sh", "-c", cmd]
        try:
            r = subprocess.run(args, capture_output=True, text=True, timeout=timeout, input=input)
        except subprocess.TimeoutExpired as e:
            out = [x.decode(errors="replace") if isinstance(x, bytes) else (x or "")
                   for x in (e.stdout, e.stderr)]
            return None, "".join(out).strip()
        return r.returncode, (r.stdout + r.stderr).strip()

    def out(self, cmd, timeout=30):
        return self.run(cmd, timeout)[1]

    def wait_running(self, seconds=60):
        end = time.time() + seconds
        state = ""
        while time.time() < end:
            rc, state = self.run("systemctl is-system-running", timeout=10)
            if state in ("running", "degraded"):
                return state
            time.sleep(0.3)
        raise RuntimeError("systemctl is-system-running: %r after %d s" % (state, seconds))

    def show(self, unit, *props):
        out = self.out("systemctl show -p %s %s" % (",".join(props), unit))
        return dict(l.split("=", 1) for l in out.splitlines() if "=" in l)

    def capabilities(self, pid):
        """The capability sets of a process of the container, from its /proc status."""
        out = self.out("cat /proc/%s/status" % pid)
        return {k: int(v, 16) for k, v in re.findall(r"^(Cap(?:Eff|Prm|Amb|Bnd)):\s*(\S+)", out,
                                                      re.M)}

    def journal(self, unit):
        return self.out("journalctl --no-pager -o cat -u " + unit)

    def wait_journal(self, unit, text, seconds=5, count=1):
        end = time.time() + seconds
        while True:
            j = self.journal(unit)
            if j.count(text) >= count or time.time() > end:
                return j.count(text) >= count
            time.sleep(0.2)

    def write(self, path, text):
        """Replace a file inside the container as an editor would: a new file renamed over."""
        rc, out = self.run("cat > %s.new && chmod 644 %s.new && mv %s.new %s"
                           % (path, path, path, path), input=text)
        if rc != 0:
            raise RuntimeError("writing %s in the container: %s" % (path, out))

    def poweroff(self):
        if self.proc.poll() is None and self.leader:
            self.run("systemctl poweroff --no-block", timeout=10)
        try:
            self.proc.wait(20)
            log("container powered off (nspawn exit %d)" % self.proc.returncode)
        except subprocess.TimeoutExpired:
            log("container still up after 20 s: killing nspawn %d and its PID 1 %s"
                % (self.proc.pid, self.leader))
            if self.leader:
                try:
                    os.kill(self.leader, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.proc.kill()
            self.proc.wait()
        self.consf.close()


class InnerCollector:
    """sflowcat -j as a transient service of the container's systemd, its output in a file
    of the root that the test reads from the host."""

    def __init__(self, c, port):
        self.c, self.port = c, port
        self.unit = "sflowcat-%d" % port
        self.rel = "/var/tmp/sflowcat-%d.json" % port
        self.path = c.root + self.rel
        rc, out = c.run("systemd-run --quiet --unit=%s -p StandardOutput=file:%s "
                        "-p StandardError=journal /usr/bin/sflowcat -j -p %d"
                        % (self.unit, self.rel, port))
        if rc != 0:
            raise RuntimeError("systemd-run sflowcat: " + out)
        self.seen = 0

    def datagrams(self):
        try:
            with open(self.path) as f:
                lines = f.read().splitlines()
        except OSError:
            return []
        out = []
        for l in lines:
            try:
                out.append(json.loads(l))
            except ValueError:
                pass  # a line still being written
        return out

    def host_samples(self):
        return sum(1 for d in self.datagrams() for _ in e2e.samples(d, "2:1"))

    def wait_samples(self, n, seconds):
        end = time.time() + seconds
        while time.time() < end:
            if self.host_samples() >= n:
                return True
            time.sleep(0.2)
        return self.host_samples() >= n

    def stop(self):
        self.c.run("systemctl stop " + self.unit, timeout=10)


PROBE = r"""
import json, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
print("bound", flush=True)
sys.stdin.readline()
got = []
while True:  # what is queued now, without waiting for more
    try:
        d = s.recv(65536)
    except BlockingIOError:
        break
    # sFlow v5 header: version, address type (1: IPv4), address, sub-agent, sequence, uptime, n
    off = 8 + (4 if struct.unpack_from("!I", d, 4)[0] == 1 else 16)
    seq, _, n = struct.unpack_from("!III", d, off + 4)
    off += 16
    srcs = []
    for _ in range(n):
        tag, length = struct.unpack_from("!II", d, off)
        if tag == 4:  # expanded counter sample: sequence, class, index
            srcs.append("%d:%d" % struct.unpack_from("!II", d, off + 12))
        off += 8 + length
    got.append({"seq": seq, "sources": srcs})
print(json.dumps(got), flush=True)
"""


class Probe:
    """A UDP socket on 127.0.0.1:port in the container's network namespace (the host's python
    under nsenter -n) that reads nothing until asked, then takes what the kernel queued: a
    datagram sent on loopback is in the queue when send() returns, so what is there when asked
    was sent before."""

    def __init__(self, c, port):
        self.proc = subprocess.Popen(["nsenter", "-t", str(c.leader), "-n", "python3", "-c",
                                      PROBE, str(port)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        e2e._procs.append(self.proc)
        line = self.proc.stdout.readline().strip()
        if line != "bound":
            raise RuntimeError("the probe on port %d did not bind: %r" % (port, line))

    def queued(self):
        self.proc.stdin.write("now\n")
        self.proc.stdin.flush()
        got = json.loads(self.proc.stdout.readline())
        self.proc.wait(5)
        return got


# --- the test --------------------------------------------------------------------------------

def main():
    e2e.need_root()
    e2e.need_binaries()
    ensure_host_tools()
    e2e.need(os.path.exists("/sys/fs/cgroup"), "no cgroup file system for systemd")
    begin = t0()
    lower = debian_root()
    root, overlay = working_root(lower)
    container = None
    engine = None
    try:
        unit = install_agent(root)
        log("unit as installed:\n" + unit.strip())
        name = "hsf-" + e2e.TAG  # the host end of its veth is ve-<name>
        sock = e2e.tmpfile("docker.sock")
        engine = docker_fake.FakeEngine(sock)
        engine.start()
        os.chown(sock, 0, root_gid(root, "docker"))
        booted = t0()
        container = Container(root, name, binds=[(sock, "/run/docker.sock")])
        container.find_leader()
        state = container.wait_running()
        log("container %s up (%s) in %.1f s, PID 1 is %d on the host"
            % (name, state, t0() - booted, container.leader))
        if state == "degraded":
            log("failed units: " + container.out("systemctl --failed --no-legend"))
        try:
            scenario(container)
            modules(container, engine, "ve-" + name)
        except Exception:
            log("--- systemctl status hsflowd ---\n"
                + container.out("systemctl status --no-pager -l hsflowd 2>&1", timeout=10))
            log("--- journalctl -u hsflowd ---\n"
                + container.out("journalctl --no-pager -o short-monotonic -u hsflowd", timeout=10))
            raise
    finally:
        if container:
            container.poweroff()
        if engine:
            engine.stop()
        if overlay:
            if subprocess.run(["umount", overlay], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", overlay], capture_output=True)
        log("total %.1f s" % (t0() - begin))


def scenario(c):
    ca = InnerCollector(c, PORT_A)
    probe = Probe(c, PORT_R)
    c.write("/etc/hsflowd.conf", CONF2 % (PORT_A, PORT_R))

    # 1. start: Type=notify, so start returns once READY=1 arrived, which the agent sends after
    # its first datagram went to the collectors: it is already queued on the probe's socket.
    s = t0()
    rc, out = c.run("systemctl start hsflowd", timeout=40)
    check(rc is not None, "systemctl start hsflowd returns (%.1f s)" % (t0() - s))
    got = probe.queued()
    log("queued on the probe when systemctl start returned: %s" % got)
    check(rc == 0, "systemctl start hsflowd succeeds: %s" % out)
    check(got and got[0]["seq"] == 1 and "2:1" in got[0]["sources"],
          "when systemctl start returns, datagram 1 with the 2:1 sample has already reached the "
          "collector's socket (READY=1 follows the first datagram): %s" % got)
    st = c.show("hsflowd", "ActiveState", "SubState", "MainPID", "Type", "StatusText")
    check((st.get("ActiveState"), st.get("SubState")) == ("active", "running"),
          "the unit is active/running: %s" % st)
    check(st.get("StatusText") == "Exporting sFlow", "STATUS= from the notification reached systemd")
    pid = st.get("MainPID")
    user = c.out("ps -o user= -p %s" % pid)
    check(user == "hsflowd", "the main process runs as hsflowd (ps: %r)" % user)
    check(c.wait_journal("hsflowd", " running ("), "the journal has the agent's 'running' line")
    check(c.wait_journal("hsflowd", "Running as hsflowd"), "the journal has 'Running as hsflowd'")
    caps = c.capabilities(pid)
    check(caps == {"CapEff": 1 << CAP_NET_RAW, "CapPrm": 1 << CAP_NET_RAW, "CapAmb": 0,
                   "CapBnd": 1 << CAP_NET_RAW | 1 << CAP_SYS_PTRACE},
          "host counters only: it keeps CAP_NET_RAW of the unit's bounding set {NET_RAW, "
          "SYS_PTRACE}: %s" % {k: hex(v) for k, v in caps.items()})
    check(ca.wait_samples(2, 8), "the collector on %d receives 2:1 samples (%d)"
          % (PORT_A, ca.host_samples()))
    auto = c.out("cat /run/hsflowd/hsflowd.auto")
    owner = c.out("stat -c %U /run/hsflowd/hsflowd.auto")
    check(auto.startswith("# WARNING") and "rev_start=" in auto and "polling=2" in auto
          and owner == "hsflowd", "hsflowd.auto is written to /run/hsflowd by hsflowd (%s): %r"
          % (owner, auto[:80]))

    # 2. reload: ExecReload=kill -HUP; RELOADING=1 then READY=1.
    rc, out = c.run("systemctl reload hsflowd", timeout=20)
    check(rc == 0, "systemctl reload hsflowd succeeds: %s" % out)
    check(c.wait_journal("hsflowd", "Reloading /etc/hsflowd.conf (SIGHUP)"),
          "the journal shows 'Reloading ... (SIGHUP)'")
    st = c.show("hsflowd", "ActiveState", "SubState", "MainPID")
    check((st.get("ActiveState"), st.get("SubState")) == ("active", "running")
          and st.get("MainPID") == pid, "still active/running with the same PID after reload: %s"
          % st)

    # 3. a new collector port in the file: inotify inside the container reloads it.
    cb = InnerCollector(c, PORT_B)
    c.write("/etc/hsflowd.conf", CONF % PORT_B)
    check(c.wait_journal("hsflowd", "Reloading /etc/hsflowd.conf (the file changed)"),
          "the change of /etc/hsflowd.conf is noticed (inotify)")
    check(cb.wait_samples(2, 8), "the collector on the new port %d receives 2:1 samples (%d)"
          % (PORT_B, cb.host_samples()))
    time.sleep(0.5)
    n_a = ca.host_samples()
    time.sleep(2.5)
    check(ca.host_samples() == n_a, "the old port %d receives nothing more" % PORT_A)
    st = c.show("hsflowd", "ActiveState", "MainPID")
    check(st.get("ActiveState") == "active" and st.get("MainPID") == pid,
          "still active with the same PID after the change: %s" % st)

    # 3b. systemctl reload applies a changed collector port. /etc/hsflowd.conf becomes a link to
    # a file in a directory the agent does not watch, so only the reload can apply its change.
    n_changed = c.journal("hsflowd").count("(the file changed)")
    n_hup = c.journal("hsflowd").count("(SIGHUP)")
    rc, out = c.run("mkdir -p %s && cp /etc/hsflowd.conf %s/hsflowd.conf && chmod 644 "
                    "%s/hsflowd.conf && ln -s %s/hsflowd.conf /etc/hsflowd.conf.lnk && "
                    "mv -T /etc/hsflowd.conf.lnk /etc/hsflowd.conf"
                    % (ALT_DIR, ALT_DIR, ALT_DIR, ALT_DIR))
    check(rc == 0, "/etc/hsflowd.conf made a link into %s: %s" % (ALT_DIR, out))
    check(c.wait_journal("hsflowd", "(the file changed)", count=n_changed + 1),
          "the link replacing the file is noticed (same settings)")
    cs = InnerCollector(c, PORT_S)
    c.write(ALT_DIR + "/hsflowd.conf", CONF % PORT_S)
    n_b = cb.host_samples()
    time.sleep(3)
    check(cb.host_samples() > n_b and cs.host_samples() == 0,
          "before the reload the agent still sends to %d (%d more), nothing to %d: the edit of "
          "the linked file is not seen by itself" % (PORT_B, cb.host_samples() - n_b, PORT_S))
    rc, out = c.run("systemctl reload hsflowd", timeout=20)
    check(rc == 0, "systemctl reload hsflowd after the edit succeeds: %s" % out)
    check(c.wait_journal("hsflowd", "(SIGHUP)", count=n_hup + 1), "the reload reached the agent")
    check(cs.wait_samples(2, 8), "after systemctl reload the collector on the new port %d "
          "receives 2:1 samples (%d)" % (PORT_S, cs.host_samples()))
    time.sleep(0.5)
    n_b = cb.host_samples()
    time.sleep(2.5)
    check(cb.host_samples() == n_b, "the old port %d receives nothing more after the reload"
          % PORT_B)
    check(c.journal("hsflowd").count("(the file changed)") == n_changed + 1,
          "the port change came from systemctl reload alone")
    check(c.show("hsflowd", "MainPID").get("MainPID") == pid, "the same process after it")

    # 3c. the watchdog: the loop's pings keep the agent alive past WatchdogSec; one stopped with
    # SIGSTOP is killed and restarted by systemd. The unit ships 30 s: a drop-in shortens it.
    wd = c.show("hsflowd", "WatchdogUSec", "Restart")
    check(wd.get("WatchdogUSec") == "30s" and wd.get("Restart") == "on-failure",
          "the unit as shipped has WatchdogSec=30s and Restart=on-failure: %s" % wd)
    rc, out = c.run("mkdir -p %s && printf '[Service]\\nWatchdogSec=%ds\\nRestartSec=1\\n' > "
                    "%s/watchdog.conf && systemctl daemon-reload && systemctl restart hsflowd"
                    % (DROPIN, WATCHDOG_TEST, DROPIN), timeout=40)
    check(rc == 0, "restart with WatchdogSec=%ds: %s" % (WATCHDOG_TEST, out))
    st = c.show("hsflowd", "MainPID", "NRestarts", "WatchdogUSec", "ActiveState")
    pid, n0 = st.get("MainPID"), int(st.get("NRestarts", "-1"))
    check(st.get("WatchdogUSec") == "%ds" % WATCHDOG_TEST and st.get("ActiveState") == "active",
          "the drop-in is in force: %s" % st)
    time.sleep(WATCHDOG_TEST * 2.5)
    st = c.show("hsflowd", "MainPID", "NRestarts", "ActiveState")
    check(st.get("MainPID") == pid and int(st.get("NRestarts")) == n0
          and st.get("ActiveState") == "active",
          "alive after %.1f s with WatchdogSec=%ds: the loop's pings arrive: %s"
          % (WATCHDOG_TEST * 2.5, WATCHDOG_TEST, st))
    rc, out = c.run("kill -STOP %s" % pid)
    check(rc == 0, "SIGSTOP to the agent %s: %s" % (pid, out))
    stopped = t0()
    end = time.time() + WATCHDOG_TEST * 4 + 10
    while time.time() < end:
        st = c.show("hsflowd", "MainPID", "NRestarts", "ActiveState", "SubState")
        if st.get("MainPID") not in (pid, "0") and st.get("SubState") == "running":
            break
        time.sleep(0.2)
    log("after SIGSTOP: %s, %.1f s later" % (st, t0() - stopped))
    check(st.get("MainPID") not in (pid, "0") and int(st.get("NRestarts")) == n0 + 1
          and st.get("SubState") == "running",
          "the stopped agent %s was replaced by a new one, NRestarts %d -> %s: %s"
          % (pid, n0, st.get("NRestarts"), st))
    j = c.journal("hsflowd")
    check(re.search(r"[Ww]atchdog timeout", j), "systemd logged the watchdog timeout: %r"
          % j.splitlines()[-5:])
    check(c.out("ps -o stat= -p %s" % pid) == "", "the stopped process %s is gone" % pid)
    n_s = cs.host_samples()
    check(cs.wait_samples(n_s + 1, 8), "the new agent exports again to %d" % PORT_S)
    rc, out = c.run("rm -r %s && systemctl daemon-reload" % DROPIN)
    check(rc == 0, "drop-in removed: %s" % out)

    # 4. stop: SIGTERM, orderly exit.
    n_exit = c.journal("hsflowd").count("Exiting:")
    rc, out = c.run("systemctl stop hsflowd", timeout=30)
    check(rc == 0, "systemctl stop hsflowd succeeds: %s" % out)
    st = c.show("hsflowd", "ActiveState", "Result", "ExecMainStatus")
    check(st.get("ActiveState") == "inactive" and st.get("Result") == "success",
          "the unit is inactive after stop, result success: %s" % st)
    check(c.wait_journal("hsflowd", "Exiting:", count=n_exit + 1), "the journal shows 'Exiting:'")

    # 5. a broken file: start fails, it does not hang.
    c.write("/etc/hsflowd.conf", BROKEN)
    s = t0()
    rc, out = c.run("systemctl start hsflowd", timeout=40)
    took = t0() - s
    check(rc is not None, "systemctl start with a broken file returns (%.1f s)" % took)
    check(rc != 0, "systemctl start with a broken file fails (rc %s): %s" % (rc, out))
    st = c.show("hsflowd", "ActiveState", "SubState", "Result", "ExecMainStatus")
    check(st.get("ActiveState") in ("failed", "activating") and st.get("Result") == "exit-code"
          and st.get("ExecMainStatus") == "1",
          "the unit failed with the agent's exit code 1: %s" % st)
    j = c.journal("hsflowd")
    errs = [l for l in j.splitlines() if re.search(r"/etc/hsflowd\.conf:3:\d+:", l)]
    check(errs and "colector" in errs[-1], "the journal has the file:line:column error: %r"
          % (errs[-1] if errs else j[-400:]))
    c.run("systemctl stop hsflowd", timeout=20)  # no more restarts (Restart=on-failure)
    ca.stop()
    cb.stop()
    cs.stop()


# --- the modules under the hardened unit -----------------------------------------------------

def flow_samples(col, ifindex):
    return [s for d in col.datagrams() for s in e2e.samples(d, "0:%d" % ifindex, kind="0:3")]


def send_udp(count):
    """count UDP datagrams from the host end of the veth to the container (bounded)."""
    import socket
    so = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    so.bind((HOST_IP, 0))
    for i in range(count):
        so.sendto(b"x" * 64, (INNER_IP, UDP_PORT))
        if i % 100 == 99:
            time.sleep(0.005)
    so.close()


def tcp_server():
    """A listener on the host end that sends TCP_BYTES to the one client that connects."""
    import socket
    import threading
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind((HOST_IP, 0))
    ls.listen(1)
    ls.settimeout(30)

    def serve():
        try:
            conn, _ = ls.accept()
            buf = b"y" * 65536
            sent = 0
            while sent < TCP_BYTES:
                conn.sendall(buf)
                sent += len(buf)
                if sent % (16 * len(buf)) == 0:
                    time.sleep(0.002)
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(10)
            conn.recv(1)  # until the client closes
            conn.close()
        except OSError:
            pass
        ls.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return ls.getsockname()[1], t


def modules(c, engine, host_veth):
    """pcap, tcp and docker configured: the capabilities they need, and what they export."""
    e2e.sh("ip addr add %s/24 dev %s && ip link set %s up" % (HOST_IP, host_veth, host_veth))
    rc, out = c.run("ip addr add %s/24 dev host0 && ip link set host0 up" % INNER_IP)
    check(rc == 0, "the container's end of the veth is up: %s" % out)
    ifindex = int(c.out("cat /sys/class/net/host0/ifindex"))
    rc, out = c.run("systemd-run --quiet --unit=fakectr-web /bin/sleep 300")
    check(rc == 0, "a process for the fake engine's container: %s" % out)
    ctr_pid = int(c.show("fakectr-web", "MainPID")["MainPID"])
    cid = docker_fake.cid("web")
    with engine.lock:
        engine.containers[cid] = {"name": "web", "pid": ctr_pid, "proc": None}
        engine.listed.append(cid)

    port_c = PORT_B + 1
    col = InnerCollector(c, port_c)
    c.write("/etc/hsflowd.conf", FULL % port_c)
    c.run("systemctl reset-failed hsflowd", timeout=10)
    rc, out = c.run("systemctl start hsflowd", timeout=40)
    check(rc == 0, "systemctl start hsflowd with pcap, tcp and docker succeeds: %s" % out)
    pid = c.show("hsflowd", "MainPID")["MainPID"]
    caps = c.capabilities(pid)
    want = 1 << CAP_NET_RAW | 1 << CAP_SYS_PTRACE
    check(caps.get("CapEff") == want and caps.get("CapPrm") == want and caps.get("CapAmb") == 0,
          "pcap, tcp and docker: it holds CAP_NET_RAW and CAP_SYS_PTRACE: %s"
          % {k: hex(v) for k, v in caps.items()})
    check(c.wait_journal("hsflowd", "Capabilities 0x%x needed by the configuration were not "
                         "granted" % (1 << CAP_SYS_ADMIN | 1 << CAP_DAC_OVERRIDE)),
          "the journal says CAP_SYS_ADMIN (tcp in other namespaces) and CAP_DAC_OVERRIDE (the "
          "docker group is used instead) are not granted by the unit")

    # docker: the engine's socket, root:docker 0660, through the docker group
    def web_samples():
        return [s for d in col.datagrams() for src, s in docker_fake.de.vsamples(d)
                if docker_fake.de.hostname(s) == "web"]
    end = time.time() + 10
    while not web_samples() and time.time() < end:
        time.sleep(0.2)
    got = web_samples()
    check(got and got[-1]["sourceId"] == "3:%d" % docker_fake.ds_index(cid),
          "the container of the engine on /run/docker.sock is exported as 3:%d (%d samples)"
          % (docker_fake.ds_index(cid), len(got)))
    check(engine.seen(r"/containers/%s/json" % cid), "the agent inspected the container")
    check(e2e.element(got[-1], "0:2101") is not None and e2e.element(got[-1], "0:2102"),
          "its sample has 2101 vcpu and 2102 memory")

    # pcap: 1 in 10 of the datagrams the host sends in, on host0
    send_udp(UDP_PACKETS)
    time.sleep(2.5)
    udp = [s for s in flow_samples(col, ifindex)
           if (e2e.element(s, "0:1") or {}).get("UDPDstPort") == str(UDP_PORT)]
    log("UDP samples on host0: %d of %d datagrams sent at 1 in 10" % (len(udp), UDP_PACKETS))
    check(UDP_PACKETS / 20 <= len(udp) <= UDP_PACKETS * 3 / 20,
          "packet sampling on host0: %d samples of %d datagrams at 1 in 10" % (len(udp), UDP_PACKETS))
    check(all(s["inputPort"] == str(ifindex) and s["meanSkipCount"] == "10" for s in udp),
          "they are received on host0 (ifIndex %d) at rate 10" % ifindex)

    # tcp: sampled packets of the container's own connection carry 0:2209
    port, thread = tcp_server()
    rc, out = c.run("bash -c 'exec 3<>/dev/tcp/%s/%d && head -c %d <&3 >/dev/null && sleep 1'"
                    % (HOST_IP, port, TCP_BYTES), timeout=60)
    thread.join(15)
    check(rc == 0, "the container's bash read %d bytes over TCP: %s" % (TCP_BYTES, out))
    time.sleep(2)
    conn = [s for s in flow_samples(col, ifindex)
            if (e2e.element(s, "0:1") or {}).get("TCPSrcPort") == str(port)]
    info = [s for s in conn if e2e.element(s, "0:2209")]
    log("TCP samples of the connection: %d, with 0:2209: %d" % (len(conn), len(info)))
    check(len(conn) >= 5 and len(info) >= len(conn) * 0.9,
          "tcp: 0:2209 on most sampled packets of the connection (%d of %d)"
          % (len(info), len(conn)))

    # reload under the hardened unit: same process, everything still exported
    n = c.journal("hsflowd").count("(SIGHUP)")
    rc, out = c.run("systemctl reload hsflowd", timeout=20)
    check(rc == 0, "systemctl reload hsflowd succeeds: %s" % out)
    check(c.wait_journal("hsflowd", "(SIGHUP)", count=n + 1), "the reload reached the agent")
    check(c.show("hsflowd", "MainPID")["MainPID"] == pid, "the same process after the reload")
    before = len(web_samples())
    end = time.time() + 8
    while len(web_samples()) <= before and time.time() < end:
        time.sleep(0.2)
    check(len(web_samples()) > before, "the container is still exported after the reload")
    bad = [l for l in c.out("journalctl --no-pager -o cat _PID=%s" % pid).splitlines()
           if re.search(r"Permission denied|Operation not permitted|failed to start", l)]
    check(not bad, "no permission errors in the journal: %s" % bad[:3])
    rc, out = c.run("systemctl stop hsflowd", timeout=30)
    check(rc == 0, "systemctl stop hsflowd succeeds: %s" % out)
    col.stop()
    c.run("systemctl stop fakectr-web", timeout=10)


if __name__ == "__main__":
    e2e.run(main)
