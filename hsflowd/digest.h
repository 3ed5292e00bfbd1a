/* digest.h - SHA-1, SHA-256 and HMAC-SHA256 of a few buffers (libgcrypt), for name-based and
 * keyed UUIDs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

enum digest_alg { DIGEST_SHA1, DIGEST_SHA256, DIGEST_HMAC_SHA256 };

/* The digest of the concatenation of iov[0..n) (key: HMAC only, else NULL) into out (at least
 * 20 or 32 bytes). Returns the digest's length, -EINVAL or -EIO. */
int digest(enum digest_alg alg, const void *key, size_t key_len, const struct iovec *iov, size_t n,
           uint8_t *out, size_t out_len);

/* The same, computed in a short-lived child process. libgcrypt (loaded with dlopen where the
 * digest is computed) and its initialisation map about 1 MB of its own and libc's pages, which
 * would stay resident for the agent's whole life; an agent that needs one digest at start (its
 * UUID from the machine-id) leaves that in the child. Falls back to digest() when no child can
 * be made. */
int digest_in_child(enum digest_alg alg, const void *key, size_t key_len, const struct iovec *iov,
                    size_t n, uint8_t *out, size_t out_len);

/* Whether libgcrypt was loaded in this process (a digest was computed here). */
bool digest_loaded(void);
