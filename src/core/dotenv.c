/* SPDX-License-Identifier: Apache-2.0 */
#include "dotenv.h"
#include "strbuf.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static int parse_quoted(const char **pp, const char *end, char q, strbuf *val)
{
    const char *p = *pp + 1;
    while (p < end && *p != q) {
        if (q == '"' && *p == '\\' && p + 1 < end) {
            p++;
            switch (*p) {
            case 'n':
                sb_putc(val, '\n');
                break;
            case 't':
                sb_putc(val, '\t');
                break;
            case 'r':
                sb_putc(val, '\r');
                break;
            default:
                sb_putc(val, *p);
                break;
            }
            p++;
            continue;
        }
        sb_putc(val, *p++);
    }
    if (p >= end) return -1;
    *pp = p + 1;
    return 0;
}

/* ${NAME} expands from the environment; an unset name expands to "" (python-dotenv). */
static void expand_lenient(const char *s, strbuf *out)
{
    sb_puts(out, "");
    for (const char *c = s; *c;) {
        const char *close = c[0] == '$' && c[1] == '{' ? strchr(c, '}') : NULL;
        if (!close) {
            sb_putc(out, *c++);
            continue;
        }
        char name[256];
        size_t l = (size_t)(close - c - 2);
        if (l < sizeof name) {
            memcpy(name, c + 2, l);
            name[l] = '\0';
            char *def = strstr(name, ":-");
            if (def) *def = '\0';
            const char *ev = getenv(name);
            sb_puts(out, ev && *ev ? ev : def ? def + 2 : "");
        }
        c = close + 1;
    }
}

/* One logical line [p, end). Returns 0 ok/skip, -1 syntax error. */
static int parse_line(const char *p, const char *end, mdc_err *err, const char *name, int line)
{
    p = skip_ws(p, end);
    if (p >= end || *p == '#') return 0;
    if ((size_t)(end - p) > 7 && strncmp(p, "export ", 7) == 0) p = skip_ws(p + 7, end);
    const char *k = p;
    while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '.'))
        p++;
    if (p == k) return mdc_err_set(err, MDC_EINVAL, "%s:%d: expected NAME=value", name, line);
    char *key = xstrndup(k, (size_t)(p - k));
    p = skip_ws(p, end);
    if (p >= end || *p != '=') {
        free(key);
        return mdc_err_set(err, MDC_EINVAL, "%s:%d: expected '=' after the name", name, line);
    }
    p = skip_ws(p + 1, end);
    strbuf raw = STRBUF_INIT, val = STRBUF_INIT;
    int rc = 0;
    bool expand = true;
    if (p < end && (*p == '"' || *p == '\'')) {
        expand = *p == '"';
        if (parse_quoted(&p, end, *p, &raw) < 0)
            rc = mdc_err_set(err, MDC_EINVAL, "%s:%d: unterminated quote", name, line);
    } else {
        const char *v = p;
        const char *stop = end;
        for (const char *c = v; c < end; c++)
            if (*c == '#' && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
                stop = c;
                break;
            }
        while (stop > v && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
            stop--;
        sb_append(&raw, v, (size_t)(stop - v));
    }
    if (rc == 0) {
        if (expand)
            expand_lenient(sb_str(&raw), &val);
        else
            sb_puts(&val, sb_str(&raw));
    }
    if (rc == 0 && !getenv(key)) setenv(key, sb_str(&val), 0);
    free(key);
    sb_free(&raw);
    sb_free(&val);
    return rc;
}

int mdc_dotenv_parse(const char *name, const char *text, size_t len, mdc_err *err)
{
    const char *p = text, *end = text + len;
    int line = 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        /* a double-quoted value may span lines */
        const char *q = memchr(p, '"', (size_t)(le - p));
        if (q && nl) {
            const char *close = q + 1;
            while (close < end && *close != '"') {
                if (*close == '\\' && close + 1 < end) close++;
                close++;
            }
            if (close < end && close > le) {
                le = memchr(close, '\n', (size_t)(end - close));
                if (!le) le = end;
            }
        }
        if (parse_line(p, le, err, name, line) < 0) return -1;
        for (const char *c = p; c < le; c++)
            line += *c == '\n';
        line++;
        p = le < end ? le + 1 : end;
    }
    return 1;
}

int mdc_dotenv_load(const char *path, mdc_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT) return 0;
        return mdc_err_set(err, MDC_EIO, "cannot read %s: %s", path, strerror(errno));
    }
    strbuf text = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && text.len < (1u << 20))
        sb_append(&text, buf, n);
    fclose(f);
    int rc = mdc_dotenv_parse(path, sb_str(&text), text.len, err);
    sb_free(&text);
    return rc;
}
