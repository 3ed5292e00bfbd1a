/* config-lex.c - hsflowd.conf tokenizer: separators, comments, quotes, braces and limits. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config-internal.h"
#include "log.h"

int config_fail(struct parser *p, unsigned line, unsigned col, const char *kw, const char *fmt,
                ...) {
        struct hsp_config_error *e = p->err;
        va_list ap;

        e->line = line;
        e->column = col;
        int k = snprintf(e->msg, sizeof e->msg, "%s:%u:%u: %.64s: ", p->name, line, col, kw);
        size_t off = k < 0 ? 0 : (size_t)k < sizeof e->msg ? (size_t)k : sizeof e->msg - 1;
        va_start(ap, fmt);
        vsnprintf(e->msg + off, sizeof e->msg - off, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

int config_oom(struct parser *p) {
        snprintf(p->err->msg, sizeof p->err->msg, "%s: out of memory", p->name);
        return -ENOMEM;
}

static bool is_sep(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '=' || c == ';';
}

/* ---- Tokenizer ---- */

static int push_tok(struct parser *p, const char *s, size_t len, unsigned line, unsigned col,
                    bool brace) {
        if (p->n == p->cap) {
                size_t cap = p->cap ? p->cap * 2 : 64;
                struct tok *t = realloc(p->t, cap * sizeof *t);
                if (!t)
                        return config_oom(p);
                p->t = t;
                p->cap = cap;
        }
        char *copy = malloc(len + 1);
        if (!copy)
                return config_oom(p);
        memcpy(copy, s, len);
        copy[len] = '\0';
        p->t[p->n++] = (struct tok){.s = copy, .line = line, .col = col, .brace = brace};
        return 0;
}

/* The keyword a lexical error belongs to: the token before it, or the text itself. */
static const char *lex_kw(const struct parser *p) {
        if (p->n > 0 && !p->t[p->n - 1].brace)
                return p->t[p->n - 1].s;
        return "sflow";
}

/* Check the length of the line starting at text[i]. */
static int check_line(struct parser *p, const char *text, size_t len, size_t i, unsigned line) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t ll = (size_t)((nl ? nl : text + len) - (text + i));
        if (ll > 0 && text[i + ll - 1] == '\r')
                ll--;
        if (ll > HSP_CONF_MAX_LINE)
                return config_fail(p, line, HSP_CONF_MAX_LINE + 1, "line",
                                   "line too long (allowed: %d bytes)", HSP_CONF_MAX_LINE);
        return 0;
}

/* Split text into tokens and check that braces balance and nest at most 3 deep. */
int config_lex(struct parser *p, const char *text, size_t len) {
        char buf[HSP_CONF_MAX_TOKEN + 1];
        size_t open[HSP_CONF_MAX_DEPTH]; /* token index of each open '{' */
        unsigned depth = 0, line = 1;
        size_t i = 0, ls = 0;
        int r;

        if (len > 0 && (r = check_line(p, text, len, 0, line)) < 0)
                return r;
        while (i < len) {
                char c = text[i];
                unsigned col = (unsigned)(i - ls + 1);
                if (c == '\n') {
                        line++;
                        ls = ++i;
                        if (i < len && (r = check_line(p, text, len, i, line)) < 0)
                                return r;
                        continue;
                }
                if (c == '\0')
                        return config_fail(p, line, col, lex_kw(p),
                                           "NUL byte in file (allowed: text)");
                if (is_sep(c)) {
                        i++;
                        continue;
                }
                if (c == '#') {
                        while (i < len && text[i] != '\n')
                                i++;
                        continue;
                }
                if (c == '{') {
                        if (depth == HSP_CONF_MAX_DEPTH)
                                return config_fail(
                                        p, line, col, lex_kw(p),
                                        "too deep nesting (allowed: %d levels of blocks)",
                                        HSP_CONF_MAX_DEPTH);
                        open[depth++] = p->n;
                        if ((r = push_tok(p, "{", 1, line, col, true)) < 0)
                                return r;
                        i++;
                        continue;
                }
                if (c == '}') {
                        if (depth == 0)
                                return config_fail(p, line, col, "}",
                                                   "unbalanced braces: no block is open here");
                        depth--;
                        if ((r = push_tok(p, "}", 1, line, col, true)) < 0)
                                return r;
                        i++;
                        continue;
                }
                size_t n = 0;
                while (i < len) {
                        c = text[i];
                        if (is_sep(c) || c == '#' || c == '{' || c == '}')
                                break;
                        if (c == '\0')
                                return config_fail(p, line, (unsigned)(i - ls + 1), lex_kw(p),
                                                   "NUL byte in file (allowed: text)");
                        if (c == '"') {
                                unsigned qcol = (unsigned)(i - ls + 1);
                                for (i++; i < len && text[i] != '"' && text[i] != '\n'; i++) {
                                        if (text[i] == '\\' && i + 1 < len && text[i + 1] == '"')
                                                i++;
                                        if (text[i] == '\0')
                                                return config_fail(
                                                        p, line, (unsigned)(i - ls + 1), lex_kw(p),
                                                        "NUL byte in file (allowed: text)");
                                        if (n == HSP_CONF_MAX_TOKEN)
                                                return config_fail(
                                                        p, line, col, lex_kw(p),
                                                        "token too long (allowed: %d bytes)",
                                                        HSP_CONF_MAX_TOKEN);
                                        buf[n++] = text[i];
                                }
                                if (i >= len || text[i] == '\n')
                                        return config_fail(
                                                p, line, qcol, lex_kw(p),
                                                "unterminated quote (allowed: \"...\" on one "
                                                "line)");
                                i++;
                                continue;
                        }
                        if (n == HSP_CONF_MAX_TOKEN)
                                return config_fail(p, line, col, lex_kw(p),
                                                   "token too long (allowed: %d bytes)",
                                                   HSP_CONF_MAX_TOKEN);
                        buf[n++] = c;
                        i++;
                }
                if ((r = push_tok(p, buf, n, line, col, false)) < 0)
                        return r;
        }
        if (depth == 1 && open[0] > 0 && strcasecmp(p->t[open[0] - 1].s, "sflow") == 0) {
                /* The reference agent accepts a file whose last '}' is missing: so do we. */
                log_warning("%s:%u: the sflow block has no closing '}': accepted as if it had",
                            p->name, line);
                return push_tok(p, "}", 1, line, 1, true);
        }
        if (depth > 0) {
                size_t b = open[depth - 1];
                const struct tok *kw = b > 0 && !p->t[b - 1].brace ? &p->t[b - 1] : &p->t[b];
                return FAIL(p, kw, kw->s,
                            "unbalanced braces: the block opened here at %u:%u has no closing '}'",
                            p->t[b].line, p->t[b].col);
        }
        return 0;
}
