#!/usr/bin/env python3
"""deb_package.py - the Debian packages (packaging/debian): dpkg-buildpackage -us -uc -b builds
hsflowd and sflowcat, lintian reports no error and no warning, and on a clean Debian root booted
with systemd-nspawn `apt install ./hsflowd_*.deb` pulls the dependencies from the configured
Debian mirror, the service is enabled and running as hsflowd, datagrams arrive at sflowcat,
systemctl reload works, an upgrade to a rebuilt package keeps the edited /etc/hsflowd.conf, and
apt purge leaves nothing behind (files, the unit's enablement, the user)."""
import glob
import os
import re
import shutil
import subprocess
import time

import e2e
from e2e import check, log
import systemd_unit as su

SRCDIR = su.SRCDIR
HOST_PACKAGES = ["dpkg-dev", "debhelper", "lintian", "fakeroot"]
APT = ("DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Use-Pty=0 "
       "-o APT::Sandbox::User=root")
CONF = "sflow {\n  polling = 2\n  collector { ip = 127.0.0.1 udpport = %d }\n}\n"


def ensure_build_tools():
    if not (shutil.which("dpkg-buildpackage") and shutil.which("lintian")
            and shutil.which("dh")) and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"]
                       + HOST_PACKAGES, env=env, capture_output=True)
    for tool, pkg in (("dpkg-buildpackage", "dpkg-dev"), ("dh", "debhelper"),
                      ("lintian", "lintian")):
        e2e.need(shutil.which(tool) is not None, "%s missing (apt-get install %s)" % (tool, pkg))


def build(out):
    s = time.monotonic()
    # the suite runs the unit tests already: the package build does not run them again
    r = subprocess.run(["nice", "-n", "10", os.path.join(SRCDIR, "packaging", "build-deb"),
                        SRCDIR, out], capture_output=True, text=True,
                       env=dict(os.environ, DEB_BUILD_OPTIONS="nocheck"))
    check(r.returncode == 0, "dpkg-buildpackage -us -uc -b builds the packages:\n%s"
          % (r.stdout + r.stderr)[-3000:])
    log("packages built in %.0f s" % (time.monotonic() - s))
    debs = {}
    for d in glob.glob(os.path.join(out, "*.deb")):
        name = os.path.basename(d).split("_")[0]
        debs[name] = d
    check({"hsflowd", "sflowcat"} <= set(debs), "hsflowd and sflowcat .deb files: %s" % sorted(debs))
    return debs


def field(deb, name):
    return e2e.sh("dpkg-deb -f %s %s" % (deb, name)).strip()


def lint(out):
    changes = glob.glob(os.path.join(out, "*.changes"))
    r = subprocess.run(["lintian", "--fail-on", "error,warning"] + changes,
                       capture_output=True, text=True)
    tags = [l for l in (r.stdout + r.stderr).splitlines() if re.match(r"^[EWIPXO]: ", l)]
    log("lintian: %s" % ("\n  ".join(tags) or "no tags"))
    bad = [l for l in tags if l.startswith(("E:", "W:"))]
    check(r.returncode == 0 and not bad, "lintian: no errors and no warnings: %s" % bad)


def rebuilt(deb, version, out):
    """The same package under a newer version: what a rebuild of the same source gives."""
    d = os.path.join(out, "repack")
    e2e.sh("dpkg-deb -R %s %s" % (deb, d))
    ctl = os.path.join(d, "DEBIAN", "control")
    with open(ctl) as f:
        text = f.read()
    with open(ctl, "w") as f:
        f.write(re.sub(r"^Version: .*$", "Version: " + version, text, flags=re.M))
    new = os.path.join(out, "hsflowd_%s_amd64.deb" % version)
    e2e.sh("dpkg-deb --root-owner-group -b %s %s" % (d, new))
    return new


def main():
    e2e.need_root()
    su.ensure_host_tools()
    ensure_build_tools()
    begin = time.monotonic()
    out = e2e.tmpfile("debs")
    debs = build(out)
    lint(out)
    for name in ("hsflowd", "sflowcat"):
        log("%s %s: Installed-Size %s KiB; Depends: %s; Recommends: %s"
            % (name, field(debs[name], "Version"), field(debs[name], "Installed-Size"),
               field(debs[name], "Depends"), field(debs[name], "Recommends")))
    check(re.search(r"\blibcurl4\b", field(debs["hsflowd"], "Recommends")),
          "hsflowd declares libcurl4, which the docker module loads with dlopen")
    check(re.search(r"\blibvirt0 \(>=", field(debs["hsflowd"], "Suggests")) and
          re.search(r"\blibxml2 \(>=", field(debs["hsflowd"], "Suggests")),
          "hsflowd declares libvirt0 and libxml2, which the kvm module loads with dlopen "
          "(Suggests: %s)" % field(debs["hsflowd"], "Suggests"))
    for lib in ("libjson-c5", "libc-ares2"):
        check(re.search(r"\b%s \(>=" % lib, field(debs["hsflowd"], "Recommends")),
              "hsflowd recommends %s, which it loads with dlopen" % lib)
    # libpcap0.8, libnl-genl-3-200, libnl-nf-3-200, libgcrypt20, libsystemd0: loaded with
    # dlopen, declared by name
    for lib in ("libpcap0.8", "libnl-3-200", "libnl-genl-3-200",
                "libnl-nf-3-200", "libgcrypt20", "libsystemd0"):
        check(lib in field(debs["hsflowd"], "Depends"), "hsflowd depends on %s" % lib)
    upgrade = rebuilt(debs["hsflowd"], field(debs["hsflowd"], "Version") + "+rebuild1", out)

    lower = su.debian_root()
    root, overlay = su.working_root(lower)
    c = None
    try:
        os.makedirs(root + "/var/tmp/debs")
        for d in (debs["hsflowd"], debs["sflowcat"], upgrade):
            shutil.copy2(d, root + "/var/tmp/debs/")
        # the host's network: apt reaches the Debian mirror the root was made from
        c = su.Container(root, "hsfdeb-" + e2e.TAG, net=())
        c.find_leader()
        c.wait_running()
        scenario(c, os.path.basename(debs["hsflowd"]), os.path.basename(debs["sflowcat"]),
                 os.path.basename(upgrade))
    except Exception:
        if c:
            log("--- journalctl -u hsflowd ---\n"
                + c.out("journalctl --no-pager -o short-monotonic -u hsflowd", timeout=10))
        raise
    finally:
        if c:
            c.poweroff()
        if overlay:
            if subprocess.run(["umount", overlay], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", overlay], capture_output=True)
        log("total %.1f s" % (time.monotonic() - begin))


def scenario(c, deb, sflowcat_deb, upgrade):
    rc, out = c.run("%s update" % APT, timeout=180)
    check(rc == 0, "apt-get update in the clean root: %s" % out[-800:])
    before = set(c.out("dpkg-query -W -f='${Package}\\n'").split())
    check("libpcap0.8" not in before and "libcurl4" not in before,
          "the clean root has neither libpcap nor libcurl")
    rc, out = c.run("cd /var/tmp/debs && %s install ./%s ./%s" % (APT, deb, sflowcat_deb),
                    timeout=300)
    check(rc == 0, "apt install ./%s ./%s: %s" % (deb, sflowcat_deb, out[-1500:]))
    after = set(c.out("dpkg-query -W -f='${Package}\\n'").split())
    pulled = sorted(after - before - {"hsflowd", "sflowcat"})
    log("pulled from the mirror: " + " ".join(pulled))
    for p in ("libpcap0.8", "libnl-route-3-200", "libcurl4"):
        check(p in pulled, "apt pulled %s" % p)
    for p in ("libjson-c5", "libsystemd0", "adduser"):
        check(p in after, "%s is installed" % p)
    files = [l for l in c.out("dpkg -L hsflowd sflowcat").splitlines() if l.startswith("/")]

    rc, out = c.run("systemd-analyze security --offline=true /lib/systemd/system/hsflowd.service")
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d)", out)
    log("installed unit: " + (m.group(0) if m else out[-300:]))
    check(m and float(m.group(1)) <= 2.0, "the installed unit's exposure is 2.0 or lower")
    check(c.out("systemctl is-enabled hsflowd") == "enabled", "the service is enabled")
    check(c.out("systemctl is-active hsflowd") == "active", "the service is running after install")
    pid = c.show("hsflowd", "MainPID")["MainPID"]
    check(c.out("ps -o user= -p %s" % pid) == "hsflowd", "it runs as the user the package made")
    check(c.out("stat -c %U:%G /etc/hsflowd.conf") == "root:root", "/etc/hsflowd.conf is root's")
    check("/etc/hsflowd.conf" in c.out("dpkg-query -W -f='${Conffiles}' hsflowd"),
          "/etc/hsflowd.conf is a conffile")
    check(c.run("man -w hsflowd.conf 2>/dev/null || test -f /usr/share/man/man5/hsflowd.conf.5.gz")[0]
          == 0, "the man page hsflowd.conf(5) is installed")

    # datagrams at a collector (sflowcat from the package) on a free port: the edited file
    port = e2e.free_port()
    col = su.InnerCollector(c, port)
    edited = "# edited by the administrator\n" + CONF % port
    c.write("/etc/hsflowd.conf", edited)
    check(c.wait_journal("hsflowd", "(the file changed)"), "the edit is picked up")
    check(col.wait_samples(2, 10), "sflowcat receives 2:1 samples (%d)" % col.host_samples())

    rc, out = c.run("systemctl reload hsflowd", timeout=20)
    check(rc == 0, "systemctl reload hsflowd: %s" % out)
    check(c.wait_journal("hsflowd", "Reloading /etc/hsflowd.conf (SIGHUP)"), "the reload arrived")
    check(c.show("hsflowd", "MainPID")["MainPID"] == pid, "the same process after the reload")

    # upgrade to the rebuilt package: the edited conffile stays, the service is restarted
    rc, out = c.run("cd /var/tmp/debs && %s install ./%s" % (APT, upgrade), timeout=120)
    check(rc == 0, "apt install ./%s (upgrade): %s" % (upgrade, out[-1500:]))
    version = c.out("dpkg-query -W -f='${Version}' hsflowd")
    check(version.endswith("+rebuild1"), "the new version is installed (%s)" % version)
    check(c.out("cat /etc/hsflowd.conf") == edited.strip(), "the edited /etc/hsflowd.conf is kept")
    check(not c.run("test -e /etc/hsflowd.conf.dpkg-new -o -e /etc/hsflowd.conf.dpkg-dist")[0] == 0,
          "no .dpkg-new or .dpkg-dist file beside it")
    check(c.out("systemctl is-active hsflowd") == "active", "the service runs after the upgrade")
    new_pid = c.show("hsflowd", "MainPID")["MainPID"]
    check(new_pid != pid, "the upgrade restarted it (PID %s -> %s)" % (pid, new_pid))
    n = col.host_samples()
    check(col.wait_samples(n + 2, 10), "samples still arrive after the upgrade")
    col.stop()

    # purge: nothing left
    rc, out = c.run("%s purge hsflowd sflowcat" % APT, timeout=120)
    check(rc == 0, "apt purge hsflowd sflowcat: %s" % out[-1500:])
    left = [f for f in files if c.run("test -f %s -o \\( -L %s -a ! -d %s \\)" % (f, f, f))[0] == 0]
    check(not left, "no file of the packages is left: %s" % left)
    for path in ("/etc/hsflowd.conf", "/etc/systemd/system/multi-user.target.wants/hsflowd.service",
                 "/var/lib/systemd/deb-systemd-helper-enabled/hsflowd.service.dsh-also",
                 "/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/hsflowd.service",
                 "/usr/share/doc/hsflowd", "/usr/share/doc/sflowcat"):
        check(c.run("test -e %s" % path)[0] != 0, "%s is gone" % path)
    check(c.run("getent passwd hsflowd")[0] != 0 and c.run("getent group hsflowd")[0] != 0,
          "the hsflowd user and group are gone")
    check(c.show("hsflowd", "LoadState").get("LoadState") == "not-found", "systemd knows no hsflowd")
    check(c.run("pgrep -x hsflowd")[0] != 0, "no hsflowd process")
    status = c.out("dpkg-query -W -f='${Status}' hsflowd sflowcat 2>&1")
    check("installed" not in status.replace("not-installed", "") and "config-files" not in status,
          "dpkg keeps no record of them: %r" % status)


if __name__ == "__main__":
    e2e.run(main)
