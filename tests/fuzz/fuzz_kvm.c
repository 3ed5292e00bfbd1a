/* fuzz_kvm.c - libFuzzer harness for the kvm module's domain XML extraction (libxml2 XPath). */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "modules/kvm-dl.h"
#include "modules/kvm.h"

/* libxml2 is linked here: the pointers the module calls are its functions */
XML_SYMBOLS(DLSYM_BIND)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct kvm_domxml x;
        if (kvm_domxml_parse((const char *)data, size, &x) == 0) {
                assert(x.n_disks <= KVM_MAX_DISKS && x.n_ifs <= KVM_MAX_IFS);
                for (unsigned i = 0; i < x.n_disks; i++)
                        assert(memchr(x.disks[i].target, '\0', sizeof x.disks[i].target));
        }
        return 0;
}
