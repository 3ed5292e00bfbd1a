/* kvm-dl.c - libvirt's and libxml2's functions, resolved when the kvm module starts. */
#include <errno.h>

#include "kvm-dl.h"
#include "kvm.h"
#include "log.h"

VIRT_SYMBOLS(DLSYM_DEFINE)
XML_SYMBOLS(DLSYM_DEFINE)

static void quiet(void *userdata, virErrorPtr err) {
        /* errors are logged where they happen, with kvm_last_error() */
}

int kvm_dl_load(void) {
        static void *virt, *xml;
        static bool ready;
        static const struct dlsym_entry virt_syms[] = {VIRT_SYMBOLS(DLSYM_ARG)};
        static const struct dlsym_entry xml_syms[] = {XML_SYMBOLS(DLSYM_ARG)};
        if (ready)
                return 0;
        int r = DLOPEN_MANY(&virt, "kvm", "libvirt0", virt_syms, "libvirt.so.0");
        if (r < 0)
                return r;
        r = DLOPEN_MANY(&xml, "kvm", "libxml2", xml_syms, "libxml2.so.2");
        if (r < 0)
                return r;
        if (sym_virInitialize() < 0)
                return log_error_errno(-EIO, "kvm: libvirt failed to initialise");
        sym_virSetErrorFunc(NULL, quiet);
        sym_xmlInitParser();
        ready = true;
        return 0;
}

const char *kvm_last_error(void) {
        const char *m = sym_virGetLastErrorMessage ? sym_virGetLastErrorMessage() : NULL;
        return m ? m : "unknown error";
}
