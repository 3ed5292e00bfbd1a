/* tcp-cache.c - recent inet_diag answers by socket: one lookup per burst of a connection. */
#include <string.h>

#include "tcp.h"

static unsigned slot_of(const struct inet_diag_req_v2 *key) {
        /* FNV-1a over the request: family, addresses, ports, interface */
        const uint8_t *p = (const uint8_t *)key;
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < sizeof *key; i++)
                h = (h ^ p[i]) * 16777619u;
        return h % HSP_TCP_CACHE_SIZE;
}

const struct hsp_tcp_cached *hsp_tcp_cache_get(const struct hsp_tcp_cache *c,
                                               const struct inet_diag_req_v2 *key, uint64_t now,
                                               uint64_t ttl) {
        const struct hsp_tcp_cached *e = &c->e[slot_of(key)];
        if (!e->used || now < e->at || now - e->at >= ttl || memcmp(&e->key, key, sizeof *key) != 0)
                return NULL;
        return e;
}

void hsp_tcp_cache_put(struct hsp_tcp_cache *c, const struct inet_diag_req_v2 *key, uint64_t now,
                       bool found, bool peer, const struct sflow_flow_tcp_info *info) {
        struct hsp_tcp_cached *e = &c->e[slot_of(key)];
        *e = (struct hsp_tcp_cached){
                .used = true, .at = now, .key = *key, .found = found, .peer = peer};
        if (found && info)
                e->info = *info;
}
