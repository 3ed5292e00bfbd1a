/* config-internal.h - what the configuration tokenizer (config-lex.c) and parser (config.c)
 * share. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct tok {
        char *s;
        unsigned line, col;
        bool brace; /* an unquoted '{' or '}' */
};

struct parser {
        const char *name;
        const struct hsp_module *const *modules;
        struct hsp_config *c;
        struct hsp_config_error *err;
        struct tok *t;
        size_t n, cap, i;
        unsigned dnssd_line; /* line of the dns-sd block, 0 if none yet */
};

/* Fill p->err with "name:line:col: kw: message" and return -EINVAL. */
int config_fail(struct parser *p, unsigned line, unsigned col, const char *kw, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));
#define FAIL(p, t, kw, ...) config_fail((p), (t)->line, (t)->col, (kw), __VA_ARGS__)
int config_oom(struct parser *p);

static inline bool is_brace(const struct tok *t, char b) {
        return t->brace && t->s[0] == b;
}

/* Split text into p->t (checking quotes, line and token lengths, braces and nesting). */
int config_lex(struct parser *p, const char *text, size_t len);
