/* SPDX-License-Identifier: Apache-2.0 */
/* placeholders.c — see placeholders.h. */
#include "format/placeholders.h"

#include <string.h>

int mdc_placeholder_id(const char *const *names, const char *s, size_t n)
{
    for (int i = 0; names[i]; i++)
        if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0) return i;
    return -1;
}

const char *mdc_placeholder_unknown(const char *const *names, const char *tmpl, size_t *len)
{
    for (const char *p = strchr(tmpl, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end) return NULL;
        if (mdc_placeholder_id(names, p + 1, (size_t)(end - p - 1)) < 0) {
            *len = (size_t)(end - p + 1);
            return p;
        }
        p = end;
    }
    return NULL;
}

void mdc_placeholders_expand(const char *tmpl, const char *const *names,
                             void (*put)(strbuf *out, int id, void *ctx), void *ctx, strbuf *out)
{
    const char *p = tmpl;
    while (*p) {
        const char *open = strchr(p, '{');
        const char *end = open ? strchr(open, '}') : NULL;
        int id = end ? mdc_placeholder_id(names, open + 1, (size_t)(end - open - 1)) : -1;
        if (id < 0) { /* copy up to and including the brace (or the rest) literally */
            size_t n = open ? (size_t)(open - p) + 1 : strlen(p);
            sb_append(out, p, n);
            p += n;
            continue;
        }
        sb_append(out, p, (size_t)(open - p));
        put(out, id, ctx);
        p = end + 1;
    }
}
