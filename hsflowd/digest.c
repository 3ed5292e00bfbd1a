/* digest.c - SHA-1, SHA-256 and HMAC-SHA256 with libgcrypt, loaded where the digest is computed
 * (in a child process, or here). */
#include "digest.h"

#include <errno.h>
#include <fcntl.h>
#include <gcrypt.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dlopen.h"

static const struct {
        int gcry;
        unsigned flags;
        size_t len;
} algs[] = {
        [DIGEST_SHA1] = {GCRY_MD_SHA1, 0, 20},
        [DIGEST_SHA256] = {GCRY_MD_SHA256, 0, 32},
        [DIGEST_HMAC_SHA256] = {GCRY_MD_SHA256, GCRY_MD_FLAG_HMAC, 32},
};

#define MAX_BUFFERS 8

#define GCRYPT_SYMBOLS(X)                                                                          \
        X(gcry_check_version)                                                                      \
        X(gcry_control)                                                                            \
        X(gcry_md_hash_buffers)
GCRYPT_SYMBOLS(DLSYM_DEFINE)

static void *gcrypt_lib;

bool digest_loaded(void) {
        return gcrypt_lib != NULL;
}

static int gcrypt_load(void) {
        static const struct dlsym_entry syms[] = {GCRYPT_SYMBOLS(DLSYM_ARG)};
        int r = DLOPEN_MANY(&gcrypt_lib, "uuid", "libgcrypt20 (libgcrypt on Fedora)", syms,
                            "libgcrypt.so.20");
        if (r < 0)
                return -EIO;
        if (!sym_gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
                if (!sym_gcry_check_version(NULL))
                        return -EIO;
                sym_gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
        }
        return 0;
}

static int check(enum digest_alg alg, const void *key, size_t n, size_t out_len) {
        if ((unsigned)alg > DIGEST_HMAC_SHA256 || out_len < algs[alg].len || n > MAX_BUFFERS ||
            (alg == DIGEST_HMAC_SHA256) != (key != NULL))
                return -EINVAL;
        return 0;
}

int digest(enum digest_alg alg, const void *key, size_t key_len, const struct iovec *iov, size_t n,
           uint8_t *out, size_t out_len) {
        int r = check(alg, key, n, out_len);
        if (r < 0)
                return r;
        r = gcrypt_load();
        if (r < 0)
                return r;
        gcry_buffer_t b[MAX_BUFFERS + 1];
        size_t m = 0;
        if (key) /* gcry_md_hash_buffers takes the HMAC key as the first buffer */
                b[m++] = (gcry_buffer_t){.size = key_len, .len = key_len, .data = (void *)key};
        for (size_t i = 0; i < n; i++)
                b[m++] = (gcry_buffer_t){
                        .size = iov[i].iov_len, .len = iov[i].iov_len, .data = iov[i].iov_base};
        if (sym_gcry_md_hash_buffers(algs[alg].gcry, algs[alg].flags, out, b, (int)m))
                return -EIO;
        return (int)algs[alg].len;
}

int digest_in_child(enum digest_alg alg, const void *key, size_t key_len, const struct iovec *iov,
                    size_t n, uint8_t *out, size_t out_len) {
        int r = check(alg, key, n, out_len);
        if (r < 0)
                return r;
        if (gcrypt_lib) /* paid already: no child */
                return digest(alg, key, key_len, iov, n, out, out_len);
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return digest(alg, key, key_len, iov, n, out, out_len);
        pid_t pid = fork();
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return digest(alg, key, key_len, iov, n, out, out_len);
        }
        if (pid == 0) { /* the child: nothing but the digest, then _exit (no atexit, no stdio) */
                uint8_t mac[32];
                close(p[0]);
                int len = digest(alg, key, key_len, iov, n, mac, sizeof mac);
                int ok = len > 0 && write(p[1], mac, (size_t)len) == len;
                explicit_bzero(mac, sizeof mac);
                _exit(ok ? 0 : 1);
        }
        close(p[1]);
        size_t want = algs[alg].len, got = 0;
        while (got < want) {
                ssize_t k = read(p[0], out + got, want - got);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                got += (size_t)k;
        }
        close(p[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (got != want) /* the child failed: the digest is still wanted */
                return digest(alg, key, key_len, iov, n, out, out_len);
        return (int)want;
}
