#!/usr/bin/env python3
"""rpm_package.py - the rpm packages (packaging/rpm/hsflowd.spec): rpmbuild builds hsflowd and
sflowcat from the make dist tarball, rpmlint reports nothing (packaging/rpm/rpmlint.toml gives
the reason of every filter), /etc/hsflowd.conf is %config(noreplace), the scriptlets make the
user and preset, stop and restart the unit, the dependencies are declared (libcurl, loaded with
dlopen, as a weak one), the files are the Debian packages' files, and the packaged agent runs."""
import os
import re
import shutil
import subprocess

import e2e
from e2e import check, log

SRCDIR = os.environ.get("srcdir", os.path.join(e2e.HERE, "..", ".."))
HOST_PACKAGES = ["rpm", "rpmlint"]


def rpmq(path, *args):
    return e2e.sh("rpm -qp %s %s 2>/dev/null" % (" ".join(args), path))


def main():
    e2e.need_binaries()
    if not (shutil.which("rpmbuild") and shutil.which("rpmlint")) and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends"]
                       + HOST_PACKAGES, env=env, capture_output=True)
    e2e.need(shutil.which("rpmbuild") is not None, "rpmbuild missing (apt-get install rpm)")
    e2e.need(shutil.which("rpmlint") is not None, "rpmlint missing (apt-get install rpmlint)")
    out = e2e.tmpfile("rpms")
    # the suite runs the unit tests already: %check is not run again
    r = subprocess.run(["nice", "-n", "10", os.path.join(SRCDIR, "packaging", "build-rpm"),
                        SRCDIR, out], capture_output=True, text=True,
                       env=dict(os.environ, NOCHECK="1"))
    check(r.returncode == 0, "rpmbuild builds the packages:\n%s" % (r.stdout + r.stderr)[-3000:])
    rpms = {}
    for f in os.listdir(out):
        if f.endswith(".rpm"):
            rpms[rpmq(os.path.join(out, f), "--qf", "%{NAME}")] = os.path.join(out, f)
    check({"hsflowd", "sflowcat"} <= set(rpms), "hsflowd and sflowcat rpms: %s" % sorted(rpms))

    spec = os.path.join(SRCDIR, "packaging", "rpm", "hsflowd.spec")
    r = subprocess.run(["rpmlint", "-c", os.path.join(SRCDIR, "packaging", "rpm", "rpmlint.toml"),
                        spec] + list(rpms.values()), capture_output=True, text=True)
    found = [l for l in r.stdout.splitlines() if re.search(r": [EW]: ", l)]
    summary = [l for l in r.stdout.splitlines() if "checked;" in l]
    log("rpmlint: " + (summary[0].strip() if summary else r.stdout[-500:]))
    check(r.returncode == 0 and not found and summary and " 0 errors, 0 warnings" in summary[0],
          "rpmlint: no errors and no warnings: %s" % found)

    h, s = rpms["hsflowd"], rpms["sflowcat"]
    for name, path in rpms.items():
        if name in ("hsflowd", "sflowcat"):
            log("%s %s: installed size %s bytes" % (name, rpmq(path, "--qf", "%{VERSION}-%{RELEASE}"),
                                                     rpmq(path, "--qf", "%{SIZE}")))
    files = set(rpmq(h, "-l").split())
    want = {"/usr/sbin/hsflowd", "/etc/hsflowd.conf", "/usr/lib/systemd/system/hsflowd.service",
            "/usr/share/man/man8/hsflowd.8.gz", "/usr/share/man/man5/hsflowd.conf.5.gz",
            "/usr/lib/sysusers.d/hsflowd.conf"}
    check(want <= files, "hsflowd has the daemon, its configuration, unit, user and man pages: %s"
          % sorted(want - files))
    check({"/usr/bin/sflowcat", "/usr/share/man/man1/sflowcat.1.gz"} <= set(rpmq(s, "-l").split()),
          "sflowcat has the collector and its man page")
    # the Debian packages' files: what packaging/debian installs, in rpm's places
    deb = os.path.join(SRCDIR, "packaging", "debian")
    debfiles = set()
    for f in ("hsflowd.install", "sflowcat.install", "hsflowd.manpages", "sflowcat.manpages"):
        with open(os.path.join(deb, f)) as fh:
            for line in fh:
                w = line.split()
                if w:
                    debfiles.add(os.path.basename(w[0]))
    rpmfiles = {os.path.basename(f).replace(".gz", "") for f in files | set(rpmq(s, "-l").split())}
    check(debfiles <= rpmfiles, "every file of the Debian packages is in the rpms: %s"
          % sorted(debfiles - rpmfiles))

    flags = dict(re.findall(r"^(\S+) (\S*)$", rpmq(h, "--qf", "'[%{FILENAMES} %{FILEFLAGS:fflags}\\n]'"),
                            re.M))
    check(set(flags.get("/etc/hsflowd.conf", "")) >= {"c", "n"},
          "/etc/hsflowd.conf is %%config(noreplace) (flags %r)" % flags.get("/etc/hsflowd.conf"))
    scripts = rpmq(h, "--scripts")
    for what, pattern in (("the user in %pre", r"preinstall[^\n]*\n(?:.*\n)*?.*useradd.*hsflowd"),
                          ("preset in %post", r"postinstall[^\n]*\n(?:.*\n)*?.*systemctl.*preset"),
                          ("stop in %preun", r"preuninstall[^\n]*\n(?:.*\n)*?.*systemctl.*disable"),
                          ("restart in %postun", r"postuninstall[^\n]*\n(?:.*\n)*?.*try-restart")):
        check(re.search(pattern, scripts), "the scriptlets: %s" % what)
    reqs = rpmq(h, "--requires")
    for lib in ("libnl-3.so.200", "libsystemd.so.0"):
        check(lib in reqs, "hsflowd requires %s" % lib)
    # loaded with dlopen by pcap, psample, dropmon, nflog, the UUID's digest and systemd:
    # required by Fedora's sonames
    for lib in ("libpcap.so.1", "libnl-genl-3.so.200", "libnl-nf-3.so.200", "libgcrypt.so.20",
                "libsystemd.so.0"):
        check(lib in reqs, "hsflowd requires %s (loaded with dlopen)" % lib)
    rec = rpmq(h, "--recommends")
    for lib in ("libcurl", "json-c", "c-ares"):
        check(lib in rec, "hsflowd recommends %s (loaded with dlopen)" % lib)
    sug = rpmq(h, "--suggests")
    check("libvirt-libs" in sug and "libxml2" in sug,
          "hsflowd suggests libvirt-libs and libxml2 (loaded with dlopen by kvm): %s" % sug.strip())

    # the packaged files work: the unit is the tree's, the agent checks the packaged configuration
    x = e2e.tmpfile("payload")
    os.makedirs(x)
    e2e.sh("cd %s && rpm2cpio %s | cpio -idm --quiet" % (x, h))
    with open(os.path.join(SRCDIR, "etc", "hsflowd.service.in")) as f:
        unit = f.read().replace("@sbindir@", "/usr/sbin").replace("@sysconfdir@", "/etc")
    with open(x + "/usr/lib/systemd/system/hsflowd.service") as f:
        packaged = f.read()
    check(re.sub(r"file://\S+", "", packaged) == re.sub(r"file://\S+", "", unit.replace("@docdir@", "")),
          "the packaged unit is etc/hsflowd.service.in")
    r = subprocess.run([x + "/usr/sbin/hsflowd", "-t", "-f", x + "/etc/hsflowd.conf"],
                       capture_output=True, text=True)
    check(r.returncode == 0 and "configuration OK" in r.stdout,
          "the packaged hsflowd accepts the packaged hsflowd.conf: %s" % (r.stdout + r.stderr))


if __name__ == "__main__":
    e2e.run(main)
