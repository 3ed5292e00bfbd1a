dnl Optional modules: one HSP_MODULE line each (name, default, pkg-config deps, Debian package).
dnl The host module is always built.
