/* SPDX-License-Identifier: Apache-2.0 */
/* redact.c — see redact.h. One pass over the text: at each position, a URL's user info, a
 * quoted JSON key, or a NAME followed by '=' or ':' may start a credential whose value is
 * replaced; everything else is copied. */
#include "redact.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool has_ci(const char *s, size_t n, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= n; i++)
        if (strncasecmp(s + i, word, w) == 0) return true;
    return false;
}

bool mdc_redact_is_secret_name(const char *name, size_t n)
{
    static const char *const exact[] = {
        "pwd",    "pass",        "apikey",    "auth", "authorization",
        "cookie", "credentials", "signature", "sig",  "proxy-authorization",
        NULL};
    if (n == 0) return false;
    if (has_ci(name, n, "password") || has_ci(name, n, "passwd") || has_ci(name, n, "secret") ||
        has_ci(name, n, "token"))
        return true;
    if (n > 4 && strncasecmp(name + n - 3, "key", 3) == 0 &&
        (name[n - 4] == '_' || name[n - 4] == '-'))
        return true;
    for (size_t i = 0; exact[i]; i++)
        if (strlen(exact[i]) == n && strncasecmp(name, exact[i], n) == 0) return true;
    return false;
}

static bool name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* scheme://user:PASSWORD@host — the end of the password (the '@'), or NULL. s is at "://". */
static const char *userinfo_password(const char *s, const char **colon)
{
    const char *auth = s + 3;
    size_t len = strcspn(auth, "/?# \t\r\n\"'<>");
    const char *at = NULL;
    for (size_t i = 0; i < len; i++)
        if (auth[i] == '@') at = auth + i;
    if (!at) return NULL;
    *colon = memchr(auth, ':', (size_t)(at - auth));
    return *colon ? at : NULL;
}

/* The end of an unquoted value of NAME=VALUE (a conninfo or a query) or NAME: VALUE (to the
 * end of the line: "Authorization: Bearer x"). */
static const char *value_end(const char *v, bool header)
{
    if (*v == '\'' || *v == '"') { /* quoted: to the matching quote (backslash escapes) */
        const char *p = v + 1;
        while (*p && *p != *v)
            p += (*p == '\\' && p[1]) ? 2 : 1;
        return *p ? p + 1 : p;
    }
    return v + strcspn(v, header ? "\r\n\"" : " \t\r\n&;,\"'<>)}");
}

/* "NAME": "VALUE" — the value's quotes, or NULL. p is at the opening quote of NAME. */
static const char *json_value(const char *p, const char **open)
{
    const char *end = strchr(p + 1, '"');
    if (!end || !mdc_redact_is_secret_name(p + 1, (size_t)(end - p - 1))) return NULL;
    const char *q = end + 1;
    q += strspn(q, " \t");
    if (*q != ':') return NULL;
    q++;
    q += strspn(q, " \t");
    if (*q != '"') return NULL;
    *open = q;
    const char *c = q + 1;
    while (*c && *c != '"')
        c += (*c == '\\' && c[1]) ? 2 : 1;
    return *c ? c : NULL;
}

/* A header's name (Authorization, Cookie, X-Api-Key): free text such as "access token: ..."
 * is not a header. */
static bool header_name(const char *p, size_t n)
{
    return memchr(p, '-', n) || (n == 13 && strncasecmp(p, "authorization", 13) == 0) ||
           (n == 6 && strncasecmp(p, "cookie", 6) == 0);
}

/* At p: a credential to mask? Copies up to where the mask goes, the mask, and returns where
 * copying resumes; NULL when p starts none. name_start: whether p may start a NAME. */
static const char *mask_at(const char *p, bool name_start, strbuf *out)
{
    const char *colon, *end, *open;
    if (p[0] == ':' && p[1] == '/' && p[2] == '/' && (end = userinfo_password(p, &colon))) {
        sb_append(out, p, (size_t)(colon + 1 - p));
        sb_puts(out, "***");
        return end;
    }
    if (*p == '"' && (end = json_value(p, &open))) {
        sb_append(out, p, (size_t)(open + 1 - p));
        sb_puts(out, "***");
        return end;
    }
    if (!name_start || !name_char(*p)) return NULL;
    size_t n = 0;
    while (name_char(p[n]))
        n++;
    bool header = p[n] == ':' && p[n + 1] == ' ' && header_name(p, n);
    if ((p[n] != '=' && !header) || !mdc_redact_is_secret_name(p, n)) return NULL;
    const char *v = p + n + (header ? 2 : 1);
    if (header) v += strspn(v, " \t");
    end = value_end(v, header);
    if (end == v) return NULL;
    sb_append(out, p, (size_t)(v - p));
    sb_puts(out, "***");
    return end;
}

void mdc_redact(strbuf *text)
{
    if (!text->buf || !text->len) return;
    strbuf out = STRBUF_INIT;
    const char *p = text->buf;
    bool changed = false;
    while (*p) {
        bool name_start = p == text->buf || !name_char(p[-1]);
        const char *next = mask_at(p, name_start, &out);
        if (next) {
            changed = true;
            p = next;
        } else {
            sb_putc(&out, *p++);
        }
    }
    if (changed) { /* a NUL ends the scan; what follows it is kept as it is */
        sb_append(&out, p, text->len - (size_t)(p - text->buf));
        sb_free(text);
        *text = out;
    } else {
        sb_free(&out);
    }
}
