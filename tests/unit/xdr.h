/* xdr.h - the XDR writer of the unit tests that build sFlow datagrams by hand, word by word from
 * the specification's layouts (never with the encoder under test). */
#ifndef TESTS_UNIT_XDR_H
#define TESTS_UNIT_XDR_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct xdr {
        uint8_t b[16384];
        size_t n;
};

static inline void x32(struct xdr *x, uint32_t v) {
        x->b[x->n++] = (uint8_t)(v >> 24);
        x->b[x->n++] = (uint8_t)(v >> 16);
        x->b[x->n++] = (uint8_t)(v >> 8);
        x->b[x->n++] = (uint8_t)v;
}
static inline void x64(struct xdr *x, uint64_t v) {
        x32(x, (uint32_t)(v >> 32));
        x32(x, (uint32_t)v);
}
/* overwrite the word at offset at (a length or count known only later) */
static inline void xpatch(struct xdr *x, size_t at, uint32_t v) {
        size_t n = x->n;
        x->n = at;
        x32(x, v);
        x->n = n;
}
/* opaque bytes padded to 4 */
static inline void xbytes(struct xdr *x, const void *p, size_t n) {
        memcpy(x->b + x->n, p, n);
        x->n += n;
        while (x->n % 4)
                x->b[x->n++] = 0;
}
static inline void xstr(struct xdr *x, const char *s) {
        x32(x, (uint32_t)strlen(s));
        xbytes(x, s, strlen(s));
}
#endif
