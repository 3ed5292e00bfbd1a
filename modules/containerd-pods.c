/* containerd-pods.c - the containerd module's identities and Kubernetes pods: a pod is one data
 * source for all its containers, with the pod's own cgroup when there is one and the sandbox's
 * network namespace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "containerd-state.h"
#include "log.h"
#include "uuid.h"

/* ---- identities ---- */

/* The UUID of a task or pod: a pod's uid is a UUID; a container id of hex digits gives its first
 * 32 (as Docker's ids do); any other id a name-based UUID in the agent's UUID. */
void ct_make_uuid(struct ct_state *st, const char *s, uint8_t uuid[16]) {
        if (uuid_parse(s, uuid) == 0)
                return;
        if (strspn(s, "0123456789abcdefABCDEF") >= 32) {
                char first[33];
                memcpy(first, s, 32);
                first[32] = '\0';
                if (uuid_parse(first, uuid) == 0)
                        return;
        }
        if (uuid_v5(hsp_agent_uuid(st->m->agent), s, strlen(s), uuid) < 0)
                memset(uuid, 0, 16);
}

/* ---- pods ---- */

static struct ct_pod *pod_find(struct ct_state *st, const char *uid) {
        for (struct ct_pod *p = st->pods; p; p = p->next)
                if (strcmp(p->uid, uid) == 0)
                        return p;
        return NULL;
}

/* Does the directory's last component name the pod ("pod<uid>", "...-pod<uid_>.slice")? */
static bool names_pod(const char *dir, const char *uid) {
        const char *base = strrchr(dir, '/');
        base = base ? base + 1 : dir;
        char alt[CTRD_LABEL_MAX];
        snprintf(alt, sizeof alt, "%s", uid);
        for (char *q = alt; *q; q++)
                if (*q == '-')
                        *q = '_';
        return uid[0] && (strstr(base, uid) || strstr(base, alt));
}

/* The pod's cgroup: the parent of a member's, when that parent is the pod's own. */
static bool pod_cgroup(struct ct_pod *p, const struct vnode *member) {
        if (!member->have_paths)
                return false;
        struct cgroup_paths parent = member->paths;
        bool any = false;
        for (int i = 0; i < _CG_MAX; i++) {
                char *slash = strrchr(parent.dir[i], '/');
                if (!parent.dir[i][0] || !slash)
                        continue;
                *slash = '\0';
                if (!names_pod(parent.dir[i], p->uid))
                        return false;
                any = true;
        }
        if (!any)
                return false;
        p->n.v.paths = parent;
        p->n.v.have_paths = true;
        return true;
}

void ct_pod_join(struct ct_state *st, struct ct_task *t) {
        struct ct_pod *p = pod_find(st, t->meta.pod_uid);
        if (!p) {
                p = calloc(1, sizeof *p);
                if (!p)
                        return;
                p->n.is_pod = true;
                snprintf(p->uid, sizeof p->uid, "%s", t->meta.pod_uid);
                ctrd_container_name(&t->meta, true, p->n.v.name, sizeof p->n.v.name);
                ct_make_uuid(st, p->uid, p->n.v.uuid);
                p->n.v.pid = t->n.v.pid;
                p->n.v.n_ifs = -1;
                p->own_cgroup = pod_cgroup(p, &t->n.v);
                if (hsp_source_add_hashed(st->m, SFLOW_DS_LOGICAL, p->uid, &p->n, &p->n.src) < 0) {
                        free(p);
                        return;
                }
                p->n.ds_index = hsp_source_index(p->n.src);
                p->next = st->pods;
                if (st->pods)
                        st->pods->prev = p;
                st->pods = p;
                st->n_reported++;
                log_debug("%s: pod %s (%s) started: 3:%u%s", st->tag, p->n.v.name, p->uid,
                          p->n.ds_index, p->own_cgroup ? "" : " (containers' cgroups summed)");
                vnode_read_net(&st->host, &p->n.v, true, NULL, 0);
                hsp_source_poll_now(p->n.src);
        } else if (t->meta.sandbox) {
                p->n.v.pid = t->n.v.pid; /* the pod's network namespace is the sandbox's */
                p->n.v.n_ifs = -1;
        }
        if (!p->own_cgroup && p->members == 0)
                p->own_cgroup = pod_cgroup(p, &t->n.v);
        p->members++;
        t->pod = p;
}

void ct_pod_leave(struct ct_state *st, struct ct_task *t) {
        struct ct_pod *p = t->pod;
        t->pod = NULL;
        if (--p->members > 0) {
                if (p->n.v.pid == t->n.v.pid)
                        for (struct ct_task *o = st->tasks; o; o = o->next)
                                if (o->pod == p && o->state == T_RUNNING) {
                                        p->n.v.pid = o->n.v.pid;
                                        p->n.v.n_ifs = -1;
                                        break;
                                }
                return;
        }
        p->n.v.ending = true;
        log_debug("%s: pod %s ended: 3:%u removed", st->tag, p->n.v.name, p->n.ds_index);
        hsp_source_remove(p->n.src, true);
        st->n_reported--;
        if (p->prev)
                p->prev->next = p->next;
        else
                st->pods = p->next;
        if (p->next)
                p->next->prev = p->prev;
        free(p);
}
