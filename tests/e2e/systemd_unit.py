#!/usr/bin/env python3
"""systemd_unit.py - hsflowd under a real systemd as the unit we ship (etc/hsflowd.service.in):
a Debian root (debootstrap, cached between runs) booted with systemd-nspawn; start returns once
READY=1 arrives, the journal has the agent's messages, the collector receives, reload (SIGHUP)
and a change of the file (inotify) work, stop is orderly, and a broken file makes start fail
with the file:line:column error instead of hanging."""
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

SRCDIR = os.environ.get("srcdir", os.path.join(e2e.HERE, "..", ".."))
CACHE = os.environ.get("HSFLOWD_TEST_CACHE", "/var/cache/hsflowd-tests")
INCLUDE = "systemd,systemd-sysv,dbus,iproute2,procps"
HOST_PACKAGES = ["systemd-container", "debootstrap"]
INNER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PORT_A, PORT_B = 6343, 6344
CONF = "sflow {\n  polling = 2\n  collector { ip = 127.0.0.1 udpport = %d }\n}\n"
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
    host_libs = {}
    for b in (e2e.HSFLOWD, e2e.SFLOWCAT):
        for m in re.finditer(r"^\s*(\S+) => (/\S+)", e2e.sh("ldd " + b), re.M):
            host_libs[m.group(1)] = m.group(2)
    libdir = root + "/usr/lib/x86_64-linux-gnu"
    if not os.path.isdir(libdir):
        libdir = root + "/usr/lib"
    copied = []
    for _ in range(3):  # copied libraries may need others in turn
        missing = set()
        for b in ("/usr/sbin/hsflowd", "/usr/bin/sflowcat"):
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
    with open(root + "/etc/hsflowd.conf", "w") as f:
        f.write(CONF % PORT_A)
    os.chmod(root + "/etc/hsflowd.conf", 0o644)
    return unit


# --- the container ---------------------------------------------------------------------------

class Container:
    def __init__(self, root, name):
        self.root, self.name = root, name
        self.console = e2e.tmpfile("console.log")
        self.consf = open(self.console, "w")
        self.proc = subprocess.Popen(
            ["systemd-nspawn", "-D", root, "-b", "--register=no", "--keep-unit",
             "--private-network", "--console=read-only", "--machine=" + name],
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
    try:
        unit = install_agent(root)
        log("unit as installed:\n" + unit.strip())
        name = "hsflowd-" + e2e.TAG
        booted = t0()
        container = Container(root, name)
        container.find_leader()
        state = container.wait_running()
        log("container %s up (%s) in %.1f s, PID 1 is %d on the host"
            % (name, state, t0() - booted, container.leader))
        if state == "degraded":
            log("failed units: " + container.out("systemctl --failed --no-legend"))
        try:
            scenario(container)
        except Exception:
            log("--- systemctl status hsflowd ---\n"
                + container.out("systemctl status --no-pager -l hsflowd 2>&1", timeout=10))
            log("--- journalctl -u hsflowd ---\n"
                + container.out("journalctl --no-pager -o short-monotonic -u hsflowd", timeout=10))
            raise
    finally:
        if container:
            container.poweroff()
        if overlay:
            if subprocess.run(["umount", overlay], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", overlay], capture_output=True)
        log("total %.1f s" % (t0() - begin))


def scenario(c):
    ca = InnerCollector(c, PORT_A)

    # 1. start: Type=notify, so start returns once READY=1 arrived.
    s = t0()
    rc, out = c.run("systemctl start hsflowd", timeout=40)
    check(rc is not None, "systemctl start hsflowd returns (%.1f s)" % (t0() - s))
    check(rc == 0, "systemctl start hsflowd succeeds: %s" % out)
    st = c.show("hsflowd", "ActiveState", "SubState", "MainPID", "Type", "StatusText")
    check((st.get("ActiveState"), st.get("SubState")) == ("active", "running"),
          "the unit is active/running: %s" % st)
    check(st.get("StatusText") == "Exporting sFlow", "STATUS= from sd_notify reached systemd")
    pid = st.get("MainPID")
    user = c.out("ps -o user= -p %s" % pid)
    check(user == "nobody", "the main process runs as nobody (ps: %r)" % user)
    check(c.wait_journal("hsflowd", " running ("), "the journal has the agent's 'running' line")
    check(c.wait_journal("hsflowd", "Running as nobody"), "the journal has 'Running as nobody'")
    check(ca.wait_samples(2, 8), "the collector on %d receives 2:1 samples (%d)"
          % (PORT_A, ca.host_samples()))

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

    # 4. stop: SIGTERM, orderly exit.
    rc, out = c.run("systemctl stop hsflowd", timeout=30)
    check(rc == 0, "systemctl stop hsflowd succeeds: %s" % out)
    st = c.show("hsflowd", "ActiveState", "Result", "ExecMainStatus")
    check(st.get("ActiveState") == "inactive" and st.get("Result") == "success",
          "the unit is inactive after stop, result success: %s" % st)
    check(c.wait_journal("hsflowd", "Exiting:"), "the journal shows 'Exiting:'")

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


if __name__ == "__main__":
    e2e.run(main)
