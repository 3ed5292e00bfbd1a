/* ksample-genl.c - a kernel sampling channel on a genetlink multicast group (psample, dropmon):
 * the family resolved with libnl-genl, retried while its kernel module is not loaded. */
#include <errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "ksample-sock.h"
#include "log.h"
#include "genl-dl.h"

int ksample_genl_open(struct ksample_sock *ks, const char *family, const char *group,
                      const char *kmod) {
        int r = ksample_sock_connect(ks, NETLINK_GENERIC);
        if (r == -NLE_NOMEM)
                return log_error_errno(-ENOMEM, "%s: %m", ks->name);
        if (r < 0) {
                log_error("%s: cannot open a generic netlink socket: %s", ks->name, nl_geterror(r));
                return -EIO;
        }
        int id = sym_genl_ctrl_resolve(ks->sk, family);
        int grp = id < 0 ? id : sym_genl_ctrl_resolve_grp(ks->sk, family, group);
        if (id < 0 || grp < 0) {
                ksample_sock_close(ks);
                if (!ks->absent_logged)
                        log_warning("%s: the kernel has no %s family (module %s not loaded?): %s; "
                                    "retrying every %llu s",
                                    ks->name, family, kmod, nl_geterror(id < 0 ? id : grp),
                                    (unsigned long long)(KSAMPLE_RETRY_USEC / 1000000));
                ks->absent_logged = true;
                ksample_sock_retry(ks);
                return -EAGAIN;
        }
        ks->family = id;
        if ((r = nl_socket_add_membership(ks->sk, grp)) < 0) {
                log_error("%s: cannot join group \"%s\": %s; retrying every %llu s", ks->name,
                          group, nl_geterror(r),
                          (unsigned long long)(KSAMPLE_RETRY_USEC / 1000000));
                ksample_sock_close(ks);
                ksample_sock_retry(ks);
                return -EAGAIN;
        }
        if ((r = ksample_sock_watch(ks)) < 0)
                return log_error_errno(r, "%s: cannot watch the socket: %m", ks->name);
        ks->absent_logged = false;
        return 0;
}
