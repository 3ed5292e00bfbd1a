/* fuzz_netns.c - libFuzzer harness: the RTM_GETNSID answer parser of the tcp module
 * (modules/tcp-netns.c, the netns id of a veth peer's namespace). Input: one byte choosing the
 * message type (even: RTM_NEWNSID, odd: the byte as given), then the body (rtgenmsg and
 * attributes) as the kernel sends it. */
#include "modules/tcp-netns.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1 || size > 65000)
                return 0;
        int type = data[0] & 1 ? data[0] : RTM_NEWNSID;
        struct nl_msg *msg = nlmsg_alloc_size(NLMSG_HDRLEN + NLMSG_ALIGN(size) + 16);
        if (!msg)
                return 0;
        if (nlmsg_put(msg, 0, 0, type, 0, 0) &&
            nlmsg_append(msg, (void *)(data + 1), size - 1, NLMSG_ALIGNTO) == 0) {
                struct nsid_answer a = {.id = -1};
                (void)on_nsid(msg, &a);
                if (a.got && a.id == INT32_MIN)
                        a.id = 0; /* touch it */
        }
        nlmsg_free(msg);
        return 0;
}
