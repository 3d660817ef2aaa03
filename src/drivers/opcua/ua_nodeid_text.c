/* SPDX-License-Identifier: Apache-2.0 */
/* ua_nodeid_text.c — NodeIds in their standard text form (Part 6 §5.3.1.10) and Guids. */
#include "ua_text.h"

#include "core/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int hex_run(const char *s, int n, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        int h = hexval(s[i]);
        if (h < 0) return -1;
        v = v << 4 | (uint64_t)h;
    }
    *out = v;
    return 0;
}

int ua_guid_parse(const char *s, size_t n, ua_guid *out)
{
    static const int groups[5] = {8, 4, 4, 4, 12};
    uint64_t g[5];
    size_t pos = 0;
    if (n != 36) return -1;
    for (int i = 0; i < 5; i++) {
        if (hex_run(s + pos, groups[i], &g[i]) < 0) return -1;
        pos += (size_t)groups[i];
        if (i < 4 && s[pos++] != '-') return -1;
    }
    out->d1 = (uint32_t)g[0];
    out->d2 = (uint16_t)g[1];
    out->d3 = (uint16_t)g[2];
    out->d4[0] = (uint8_t)(g[3] >> 8);
    out->d4[1] = (uint8_t)g[3];
    for (int i = 0; i < 6; i++)
        out->d4[2 + i] = (uint8_t)(g[4] >> (8 * (5 - i)));
    return 0;
}

void ua_guid_format(const ua_guid *g, strbuf *out)
{
    sb_printf(out, "%08X-%04X-%04X-%02X%02X-", (unsigned)g->d1, (unsigned)g->d2, (unsigned)g->d3,
              g->d4[0], g->d4[1]);
    for (int i = 2; i < 8; i++)
        sb_printf(out, "%02X", g->d4[i]);
}

static int parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0 || n > 10) return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > max) return -1;
    *out = v;
    return 0;
}

static int parse_identifier(const char *p, ua_nodeid *out, mdc_err *err, const char *text)
{
    if (p[0] == '\0' || p[1] != '=') goto bad;
    const char *v = p + 2;
    size_t n = strlen(v);
    uint64_t num;
    switch (p[0]) {
    case 'i':
        if (parse_uint(v, n, UINT32_MAX, &num) < 0) goto bad;
        out->kind = UA_NID_NUMERIC;
        out->num = (uint32_t)num;
        return 0;
    case 's':
        out->kind = UA_NID_STRING;
        ua_string_set(&out->str, v, (int32_t)n);
        return 0;
    case 'g':
        if (ua_guid_parse(v, n, &out->guid) < 0) goto bad;
        out->kind = UA_NID_GUID;
        return 0;
    case 'b': {
        strbuf raw = STRBUF_INIT;
        if (ua_base64_decode(v, n, &raw) < 0) {
            sb_free(&raw);
            goto bad;
        }
        out->kind = UA_NID_OPAQUE;
        ua_string_set(&out->str, raw.buf, (int32_t)raw.len);
        sb_free(&raw);
        return 0;
    }
    }
bad:
    return mdc_err_set(err, MDC_EINVAL,
                       "bad node id \"%s\": expected i=NUMBER, s=STRING, g=GUID or b=BASE64, "
                       "optionally after ns=INDEX; or nsu=URI;",
                       text);
}

/* The ';' that ends a namespace URI: the first one followed by "i=", "s=", "g=" or "b=" (a
 * string identifier may itself contain ';'). */
static const char *uri_end(const char *p)
{
    for (const char *q = strchr(p, ';'); q; q = strchr(q + 1, ';'))
        if (q[1] && strchr("isgb", q[1]) && q[2] == '=') return q;
    return NULL;
}

int ua_nodeid_parse(const char *text, ua_nodeid *out, char **ns_uri, mdc_err *err)
{
    const char *p = text;
    uint64_t ns = 0;
    *out = ua_nodeid_numeric(0, 0);
    if (ns_uri) *ns_uri = NULL;
    if (strlen(text) > 4096) return mdc_err_set(err, MDC_EINVAL, "node id too long");
    if (!strncmp(p, "ns=", 3)) {
        const char *semi = strchr(p, ';');
        if (!semi || parse_uint(p + 3, (size_t)(semi - p - 3), UINT16_MAX, &ns) < 0)
            return mdc_err_set(err, MDC_EINVAL,
                               "bad node id \"%s\": ns= needs a namespace index 0-65535 and ';'",
                               text);
        p = semi + 1;
    } else if (!strncmp(p, "nsu=", 4)) {
        const char *semi = uri_end(p + 4);
        if (!semi || semi == p + 4 || !ns_uri)
            return mdc_err_set(err, MDC_EINVAL, "bad node id \"%s\": nsu= needs a URI and ';'",
                               text);
        if (semi[1] == '\0' || semi[2] != '=')
            return mdc_err_set(err, MDC_EINVAL, "bad node id \"%s\"", text);
        *ns_uri = xstrndup(p + 4, (size_t)(semi - p - 4));
        p = semi + 1;
    }
    out->ns = (uint16_t)ns;
    if (parse_identifier(p, out, err, text) < 0) {
        ua_nodeid_clear(out);
        if (ns_uri) {
            free(*ns_uri);
            *ns_uri = NULL;
        }
        return -1;
    }
    return 0;
}

static void format_identifier(const ua_nodeid *id, strbuf *out)
{
    switch (id->kind) {
    case UA_NID_NUMERIC:
        sb_printf(out, "i=%u", (unsigned)id->num);
        return;
    case UA_NID_STRING:
        sb_puts(out, "s=");
        if (id->str.data) sb_append(out, id->str.data, (size_t)id->str.len);
        return;
    case UA_NID_GUID:
        sb_puts(out, "g=");
        ua_guid_format(&id->guid, out);
        return;
    case UA_NID_OPAQUE:
        sb_puts(out, "b=");
        ua_base64_encode(id->str.data, id->str.data ? (size_t)id->str.len : 0, out);
        return;
    }
}

void ua_nodeid_format(const ua_nodeid *id, strbuf *out)
{
    if (id->ns) sb_printf(out, "ns=%u;", (unsigned)id->ns);
    format_identifier(id, out);
}

void ua_expnodeid_format(const ua_expnodeid *id, strbuf *out)
{
    if (id->server_index) sb_printf(out, "svr=%u;", (unsigned)id->server_index);
    if (id->ns_uri.data) {
        sb_printf(out, "nsu=%s;", id->ns_uri.data);
        format_identifier(&id->id, out);
        return;
    }
    ua_nodeid_format(&id->id, out);
}
