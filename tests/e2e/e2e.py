"""e2e.py - shared pieces of the end-to-end tests: skip rules, processes, namespaces, collector."""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77  # automake's exit code for a skipped test

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get("BUILDDIR", os.path.abspath(os.path.join(HERE, "..", "..")))
HSFLOWD = os.environ.get("HSFLOWD", os.path.join(BUILD, "hsflowd", "hsflowd"))
SFLOWCAT = os.environ.get("SFLOWCAT", os.path.join(BUILD, "collector", "sflowcat"))
IN_CI = os.environ.get("CI") == "true"
TAG = "t%d" % (os.getpid() % 100000)  # prefix of every name this test creates

_procs = []
_netns = []
_links = []
_agent_logs = []  # every agent's log, searched for sanitizer reports when the test ends
_tmp = tempfile.mkdtemp(prefix="hsflowd-e2e-")
os.chmod(_tmp, 0o755)  # the agent reads its file again after dropping root


def log(*a):
    print(*a, flush=True)


def need(cond, reason):
    """Skip (or fail under CI, where everything must run) when a requirement is missing."""
    if cond:
        return
    if IN_CI:
        log("FAIL: requirement missing under CI: " + reason)
        sys.exit(1)
    log("SKIPPED: " + reason)
    sys.exit(SKIP)


def need_root():
    need(os.geteuid() == 0, "needs root (network namespaces)")


def need_binaries():
    for p in (HSFLOWD, SFLOWCAT):
        need(os.access(p, os.X_OK), "%s is not built" % p)


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    log("ok: " + what)


def tmpfile(name, text=None):
    path = os.path.join(_tmp, name)
    if text is not None:
        with open(path, "w") as f:
            f.write(text)
    return path


def sh(cmd, check_rc=True, ns=None):
    if ns:
        cmd = "ip netns exec %s %s" % (ns, cmd)
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (cmd, r.returncode, r.stderr.strip()))
    return r.stdout


def netns(name):
    """Create a network namespace with loopback up; removed at exit."""
    full = "%s%s" % (TAG, name)
    sh("ip netns add " + full)
    _netns.append(full)
    sh("ip link set lo up", ns=full)
    return full


def veth_pair(ns_a, name_a, ns_b, name_b, addr_a, addr_b):
    """A veth pair across two namespaces, IPv6 off so only the test's packets cross it."""
    a, b = TAG + name_a, TAG + name_b
    sh("ip link add %s type veth peer name %s" % (a, b))
    _links.append(a)
    for ns, dev, addr in ((ns_a, a, addr_a), (ns_b, b, addr_b)):
        sh("ip link set %s netns %s" % (dev, ns))
        sh("sysctl -qw net.ipv6.conf.%s.disable_ipv6=1" % dev, ns=ns)
        sh("ip addr add %s dev %s" % (addr, dev), ns=ns)
        sh("ip link set %s up" % dev, ns=ns)
    return a, b


def kernel_modules(moddir, wanted):
    """The .ko files under moddir for the modules wanted and every module they depend on
    (the depends= of each file's .modinfo), in an order insmod can load them."""
    found = {}
    for d, _, files in os.walk(moddir):
        for f in files:
            if f.endswith(".ko"):
                found.setdefault(f[:-3].replace("-", "_"), os.path.join(d, f))
    order, seen = [], set()

    def visit(name, chain):
        need(name in found, "kernel module %s.ko not in %s" % (name, moddir))
        if name in chain:
            raise AssertionError("kernel modules depend on each other in a loop through " + name)
        if name in seen:
            return
        with open(found[name], "rb") as f:
            data = f.read()
        deps = []
        i = data.find(b"\0depends=")
        if i >= 0:
            field = data[i + 9:data.index(b"\0", i + 1)].decode()
            deps = [x.replace("-", "_") for x in field.split(",") if x]
        for dep in deps:
            visit(dep, chain | {name})
        seen.add(name)
        order.append(found[name])

    for w in wanted:
        visit(w, set())
    return order


def busybox_initramfs(moddir, modules, init, path):
    """A gzip'd cpio initramfs at path: busybox, the kernel modules wanted with what they depend
    on (init's %(modules)s becomes their names, in load order) and init, run as /init."""
    root = tmpfile("initramfs")
    for d in ("bin", "proc", "sys", "dev", "lib/modules"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    shutil.copy("/bin/busybox", root + "/bin/busybox")
    names = []
    for ko in kernel_modules(moddir, modules):
        shutil.copy(ko, root + "/lib/modules/")
        names.append(os.path.basename(ko)[:-3])
    with open(root + "/init", "w") as f:
        f.write(init.replace("%(modules)s", " ".join(names)))
    os.chmod(root + "/init", 0o755)
    sh("cd %s && find . | cpio -o -H newc --quiet | gzip -1 > %s" % (root, path))


def start(args, ns=None, stdout=None, stderr=None):
    if ns:
        args = ["ip", "netns", "exec", ns] + args
    p = subprocess.Popen(args, stdout=stdout, stderr=stderr, text=True)
    _procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=5):
    """End a process we started, by its PID; returns its exit code."""
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


class Collector:
    """sflowcat -j on a UDP port, datagrams queued as parsed JSON."""

    def __init__(self, port, ns=None):
        self.port = port
        self.q = queue.Queue()
        self.proc = start([SFLOWCAT, "-j", "-p", str(port)], ns=ns,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._read, daemon=True).start()
        time.sleep(0.2)

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if line:
                self.q.put(json.loads(line))

    def datagrams(self, seconds):
        """All datagrams that arrive within the next `seconds`."""
        out, end = [], time.time() + seconds
        while True:
            left = end - time.time()
            if left <= 0:
                return out
            try:
                out.append(self.q.get(timeout=left))
            except queue.Empty:
                return out

    def wait_for(self, pred, seconds):
        """The first datagram for which pred(datagram) is true, or None."""
        end = time.time() + seconds
        while time.time() < end:
            try:
                d = self.q.get(timeout=max(0.01, end - time.time()))
            except queue.Empty:
                return None
            if pred(d):
                return d
        return None

    def stop(self):
        stop(self.proc)


class Agent:
    """hsflowd -d with a configuration file; stderr kept in a log file."""

    def __init__(self, conf_text, ns=None, args=(), name="hsflowd.conf", wrapper=()):
        """wrapper: a command the daemon runs under (e.g. valgrind and its options)."""
        self.conf = tmpfile(name, conf_text)
        self.logpath = tmpfile(name + ".log")
        self.logf = open(self.logpath, "w")
        _agent_logs.append(self.logpath)
        if "-o" not in args:  # hsflowd.auto in the test's directory, not the host's /etc
            args = ["-o", tmpfile(name + ".auto")] + list(args)
        self.proc = start(list(wrapper) + [HSFLOWD, "-dd", "-f", self.conf] + list(args), ns=ns,
                          stderr=self.logf, stdout=self.logf)

    def log_text(self):
        with open(self.logpath) as f:
            return f.read()

    def wait_log(self, text, seconds=5):
        end = time.time() + seconds
        while time.time() < end:
            if text in self.log_text():
                return True
            time.sleep(0.05)
        return False

    def rewrite(self, conf_text):
        with open(self.conf, "w") as f:
            f.write(conf_text)

    def stop(self, sig=signal.SIGTERM):
        return stop(self.proc, sig)


def samples(d, source=None, kind="0:4"):
    for s in d.get("samples", []):
        if s.get("sampleType_tag") == kind and (source is None or s.get("sourceId") == source):
            yield s


def element(sample, tag):
    for e in sample.get("elements", []):
        if e.get("counterBlock_tag", e.get("flowBlock_tag")) == tag:
            return e
    return None


def free_port():
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# Under the sanitizer pass (scripts/check) ASAN_OPTIONS and UBSAN_OPTIONS hold
# log_path=SANITIZER_LOG_DIR/...: the daemon runs as nobody after start-up, so its reports go
# to files in a directory anyone may write, named after the PID, and fail the test that
# started the process.
SANITIZER_LOG_DIR = os.environ.get("SANITIZER_LOG_DIR")


def sanitizer_reports():
    """Texts of the sanitizer reports written by processes this test started."""
    if not SANITIZER_LOG_DIR or not os.path.isdir(SANITIZER_LOG_DIR):
        return []
    pids = {str(p.pid) for p in _procs}
    out = []
    for name in sorted(os.listdir(SANITIZER_LOG_DIR)):
        if name.rsplit(".", 1)[-1] in pids:
            with open(os.path.join(SANITIZER_LOG_DIR, name), errors="replace") as f:
                out.append("%s:\n%s" % (name, f.read()))
    return out


def cleanup():
    for p in reversed(_procs):
        if p.poll() is None:
            # under the sanitizers the leak check at exit takes a while: let it finish
            stop(p, timeout=20 if SANITIZER_LOG_DIR else 3)
    for ns in _netns:
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    for dev in _links:
        subprocess.run(["ip", "link", "del", dev], capture_output=True)


SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def sanitizer_log_lines():
    """Lines of ASan, LSan or UBSan reports in the agents' logs (a --enable-sanitizers build)."""
    found = []
    for path in _agent_logs:
        try:
            with open(path, errors="replace") as f:
                found += [path + ": " + line.strip() for line in f
                          if any(r in line for r in SANITIZER_REPORTS)]
        except OSError:
            pass
    return found


def run(main):
    """Run a test's main(); exit 0 on success, 1 on failure, cleaning up either way (the
    temporary directory with the agent's logs is kept when the test fails)."""
    rc = 0
    try:
        main()
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else 1
    except Exception as e:  # a failed check or a broken step: report and fail
        import traceback
        traceback.print_exc()
        log("FAIL: %s" % e)
        rc = 1
    finally:
        cleanup()
    # the agents have exited: leak reports are written by then
    reports = sanitizer_reports() + sanitizer_log_lines()
    if reports:
        for r in reports[:40]:
            log(r)
        log("FAIL: sanitizer report from a process of this test")
        rc = 1
    if rc == 0:
        shutil.rmtree(_tmp, ignore_errors=True)
    else:
        log("logs kept in " + _tmp)
    sys.exit(rc)
