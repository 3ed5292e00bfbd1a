/* kvm-xml.c - the disks and interfaces of a libvirt domain, from its XML by libxml2 XPath. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kvm-dl.h"

#include "kvm.h"

static unsigned hexval(char c) {
        if (c >= '0' && c <= '9')
                return (unsigned)(c - '0');
        if (c >= 'a' && c <= 'f')
                return (unsigned)(c - 'a' + 10);
        if (c >= 'A' && c <= 'F')
                return (unsigned)(c - 'A' + 10);
        return 16;
}

int kvm_parse_mac(const char *s, uint8_t mac[6]) {
        uint8_t m[6];
        for (int i = 0; i < 6; i++) {
                const char *p = s + 3 * i;
                unsigned hi = hexval(p[0]), lo = hi < 16 ? hexval(p[1]) : 16;
                if (hi > 15 || lo > 15 || p[2] != (i == 5 ? '\0' : ':'))
                        return -EINVAL;
                m[i] = (uint8_t)(hi << 4 | lo);
        }
        memcpy(mac, m, 6);
        return 0;
}

/* The string value of expr evaluated at node ("" when it has none). */
static void eval_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr, char *buf,
                        size_t size) {
        buf[0] = '\0';
        xmlXPathObjectPtr o = sym_xmlXPathNodeEval(node, (const xmlChar *)expr, ctx);
        if (o && o->type == XPATH_STRING && o->stringval)
                snprintf(buf, size, "%s", (const char *)o->stringval);
        sym_xmlXPathFreeObject(o);
}

static bool eval_bool(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr) {
        xmlXPathObjectPtr o = sym_xmlXPathNodeEval(node, (const xmlChar *)expr, ctx);
        bool v = o && o->type == XPATH_BOOLEAN && o->boolval;
        sym_xmlXPathFreeObject(o);
        return v;
}

static void read_disk(xmlXPathContextPtr ctx, xmlNodePtr n, struct kvm_domxml *x) {
        char type[16], device[16], a[128], b[128];
        struct kvm_disk d = {0};
        eval_string(ctx, n, "string(@type)", type, sizeof type);
        eval_string(ctx, n, "string(@device)", device, sizeof device);
        eval_string(ctx, n, "string(target/@dev)", d.target, sizeof d.target);
        /* CD-ROMs and floppies come and go with their media; read-only disks are images
         * shared between guests: neither is the guest's storage */
        if (strcmp(device, "cdrom") == 0 || strcmp(device, "floppy") == 0 ||
            eval_bool(ctx, n, "boolean(readonly)") || !d.target[0]) {
                x->skipped_disks++;
                return;
        }
        if (strcmp(type, "file") == 0) {
                d.type = KVM_DISK_FILE;
                eval_string(ctx, n, "string(source/@file)", d.source, sizeof d.source);
        } else if (strcmp(type, "block") == 0) {
                d.type = KVM_DISK_BLOCK;
                eval_string(ctx, n, "string(source/@dev)", d.source, sizeof d.source);
        } else if (strcmp(type, "network") == 0) {
                d.type = KVM_DISK_NETWORK;
                eval_string(ctx, n, "string(source/@protocol)", a, sizeof a);
                eval_string(ctx, n, "string(source/@name)", b, sizeof b);
                if (a[0] || b[0])
                        snprintf(d.source, sizeof d.source, "%s:%s", a, b);
        } else if (strcmp(type, "volume") == 0) {
                d.type = KVM_DISK_VOLUME;
                eval_string(ctx, n, "string(source/@pool)", a, sizeof a);
                eval_string(ctx, n, "string(source/@volume)", b, sizeof b);
                if (a[0] || b[0])
                        snprintf(d.source, sizeof d.source, "%s/%s", a, b);
        } else {
                x->skipped_disks++; /* dir, nvme, vhostuser...: no block statistics */
                return;
        }
        if (!d.source[0]) {
                x->skipped_disks++; /* no medium */
                return;
        }
        if (x->n_disks < KVM_MAX_DISKS)
                x->disks[x->n_disks++] = d;
}

static void read_if(xmlXPathContextPtr ctx, xmlNodePtr n, struct kvm_domxml *x) {
        char mac[32];
        struct kvm_if i = {0};
        eval_string(ctx, n, "string(mac/@address)", mac, sizeof mac);
        if (kvm_parse_mac(mac, i.mac) < 0)
                return;
        eval_string(ctx, n, "string(target/@dev)", i.target, sizeof i.target);
        if (x->n_ifs < KVM_MAX_IFS)
                x->ifs[x->n_ifs++] = i;
}

static void for_each(xmlXPathContextPtr ctx, const char *expr,
                     void (*fn)(xmlXPathContextPtr, xmlNodePtr, struct kvm_domxml *),
                     struct kvm_domxml *x) {
        xmlXPathObjectPtr o = sym_xmlXPathEvalExpression((const xmlChar *)expr, ctx);
        if (o && o->type == XPATH_NODESET && o->nodesetval)
                for (int i = 0; i < o->nodesetval->nodeNr; i++)
                        fn(ctx, o->nodesetval->nodeTab[i], x);
        sym_xmlXPathFreeObject(o);
}

int kvm_domxml_parse(const char *xml, size_t len, struct kvm_domxml *ret) {
        if (len > 16 * 1024 * 1024)
                return -EBADMSG;
        xmlDocPtr doc =
                sym_xmlReadMemory(xml, (int)len, "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc)
                return -EBADMSG;
        xmlNodePtr root = sym_xmlDocGetRootElement(doc);
        if (!root || !root->name || strcmp((const char *)root->name, "domain") != 0) {
                sym_xmlFreeDoc(doc);
                return -EBADMSG;
        }
        xmlXPathContextPtr ctx = sym_xmlXPathNewContext(doc);
        if (!ctx) {
                sym_xmlFreeDoc(doc);
                return -ENOMEM;
        }
        struct kvm_domxml x = {0};
        eval_string(ctx, root, "string(os/type/@arch)", x.arch, sizeof x.arch);
        for_each(ctx, "/domain/devices/disk", read_disk, &x);
        for_each(ctx, "/domain/devices/interface", read_if, &x);
        sym_xmlXPathFreeContext(ctx);
        sym_xmlFreeDoc(doc);
        *ret = x;
        return 0;
}
