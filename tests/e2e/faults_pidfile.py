#!/usr/bin/env python3
"""faults_pidfile.py - `-p` names a pid file in a directory that cannot be written (a read-only
file system: root is not stopped by a mode of 0555). A daemon whose pid file cannot be written
cannot be managed, so hsflowd refuses to start: exit status 1 from the command that started it,
in the foreground and in the background alike, an error naming the path on stderr, no process
left behind, nothing sent. With a writable directory the file holds the pid of the daemon that
runs.

Each case runs in its own mount and pid namespaces (unshare): the read-only tmpfs is private to
it, and a daemon left behind by a broken build ends with the namespace's first process."""
import os
import shutil
import subprocess

import e2e
from e2e import check

PORT = 7345


def run_case(ns, conf, piddir, args, then=""):
    """hsflowd ARGS -f CONF in fresh mount+pid namespaces with PIDDIR a read-only tmpfs (or,
    when piddir is None, the test's writable directory); returns (exit status, stderr, stdout)."""
    mount = "mount -t tmpfs -o ro,size=64k tmpfs %s && " % piddir if piddir else ""
    script = '%s"%s" %s -f %s; echo "exit=$?"; %s' % (mount, e2e.HSFLOWD, args, conf, then)
    r = subprocess.run(["ip", "netns", "exec", ns, "unshare", "--mount", "--pid", "--fork",
                        "--mount-proc", "--propagation", "private", "sh", "-c", script],
                       capture_output=True, text=True, timeout=30)
    status = [l for l in r.stdout.splitlines() if l.startswith("exit=")]
    return (int(status[0][5:]) if status else None), r.stderr, r.stdout


def main():
    e2e.need_root()
    e2e.need_binaries()
    e2e.need(shutil.which("unshare") is not None, "unshare (util-linux) is missing")
    ns = e2e.netns("pf")
    col = e2e.Collector(PORT, ns=ns)
    conf = e2e.tmpfile("pf.conf", "sflow { polling = 1 collector { ip = 127.0.0.1 udpport = %d } }\n"
                       % PORT)
    ro = e2e.tmpfile("ro")
    os.makedirs(ro, exist_ok=True)
    pidfile = os.path.join(ro, "hsflowd.pid")

    for mode, args in (("foreground", "-d"), ("background", "")):
        rc, err, out = run_case(ns, conf, ro, "%s -p %s" % (args, pidfile),
                                then="sleep 1; cat /proc/[0-9]*/comm")
        e2e.log("%s: exit %s, stderr: %s" % (mode, rc, err.strip()))
        check(rc == 1, "%s: a pid file on a read-only file system: exit status 1 (got %s)"
              % (mode, rc))
        check(pidfile in err and "Read-only file system" in err and "not starting" in err,
              "%s: the error on stderr names %s and the cause" % (mode, pidfile))
        check("hsflowd" not in out.split(), "%s: no hsflowd process is left (/proc of its pid "
              "namespace: %s)" % (mode, " ".join(out.split()[1:])))
        check(col.datagrams(0.5) == [], "%s: nothing is sent" % mode)
    check(os.listdir(ro) == [], "nothing is left in the directory underneath")

    # The control: a writable directory; the file holds the pid of the daemon that runs (the
    # pid namespace's numbers, read inside it), and it exports.
    ok = e2e.tmpfile("ok.pid")
    rc, err, out = run_case(ns, conf, None, "-p %s" % ok,
                            then='sleep 3; p=$(cat %s); echo "pid=$p comm=$(cat /proc/$p/comm)"'
                            % ok)
    check(rc == 0, "background with a writable pid file: exit 0 (%s)" % err.strip())
    check("comm=hsflowd" in out, "the pid file names the running daemon (%s)" % out.strip())
    check(any(e2e.samples(d, "2:1") for d in col.datagrams(1)), "the daemon exported")


if __name__ == "__main__":
    e2e.run(main)
