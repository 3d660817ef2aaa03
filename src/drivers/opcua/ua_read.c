/* SPDX-License-Identifier: Apache-2.0 */
/* ua_read.c — the Read service, split into requests of at most MaxNodesPerRead nodes, and the
 * reads built on it: server limits and the NamespaceArray. */
#include "ua_client_internal.h"
#include "ua_service.h"
#include "ua_services.h"

#include "core/xalloc.h"

#include <string.h>

static void put_read_request(ua_client *c, strbuf *w, const ua_nodeid *nodes, size_t n,
                             uint32_t attribute)
{
    ua_client_begin(c, w, UA_ID_READ_REQ, 0);
    ua_put_f64(w, 0); /* MaxAge: current values */
    ua_put_u32(w, 0); /* TimestampsToReturn: Source */
    ua_put_i32(w, (int32_t)n);
    for (size_t i = 0; i < n; i++) {
        ua_put_nodeid(w, &nodes[i]);
        ua_put_u32(w, attribute);
        ua_put_cstr(w, NULL); /* IndexRange */
        ua_put_u16(w, 0);     /* DataEncoding: null QualifiedName */
        ua_put_cstr(w, NULL);
    }
}

static int parse_read_response(const ua_msg *m, size_t n, ua_datavalue *out, mdc_err *err)
{
    ua_r r;
    uint32_t status;
    int32_t count;
    ua_r_init(&r, m->body.buf, m->body.len);
    if (ua_response_begin(&r, UA_ID_READ_RESP, "Read", &status, err) < 0) return -1;
    if (ua_get_i32(&r, &count) < 0) return mdc_err_set(err, MDC_EPROTO, "Read: malformed response");
    if (count != (int32_t)n)
        return mdc_err_set(err, MDC_EPROTO, "Read: %d results for %zu nodes", count, n);
    for (size_t i = 0; i < n; i++)
        if (ua_get_datavalue(&r, &out[i]) < 0)
            return mdc_err_set(err, MDC_EPROTO, "Read: malformed value %zu (%s)", i,
                               r.why ? r.why : "?");
    return 0;
}

static int read_batch(ua_client *c, const ua_nodeid *nodes, size_t n, uint32_t attribute,
                      ua_datavalue *out, mdc_err *err)
{
    strbuf w = STRBUF_INIT;
    ua_msg resp;
    put_read_request(c, &w, nodes, n, attribute);
    int rc = ua_client_call(c, &w, &resp, err);
    if (rc == 0) rc = parse_read_response(&resp, n, out, err);
    ua_msg_free(&resp);
    sb_free(&w);
    return rc;
}

int ua_read(ua_client *c, const ua_nodeid *nodes, size_t n, uint32_t attribute,
            uint32_t max_per_read, ua_datavalue *out, mdc_err *err)
{
    size_t step = max_per_read ? max_per_read : (n ? n : 1);
    for (size_t off = 0; off < n; off += step) {
        size_t take = n - off < step ? n - off : step;
        if (read_batch(c, nodes + off, take, attribute, out + off, err) < 0) return -1;
    }
    return 0;
}

static bool as_u32(const ua_datavalue *dv, uint32_t *out)
{
    const ua_variant *v = &dv->value;
    if (!(dv->mask & UA_DV_VALUE) || v->is_array || !v->data) return false;
    switch (v->type) {
    case UA_UINT32:
        *out = *(const uint32_t *)v->data;
        return true;
    case UA_INT32:
        *out = (uint32_t) * (const int32_t *)v->data;
        return true;
    case UA_UINT16:
        *out = *(const uint16_t *)v->data;
        return true;
    default:
        return false;
    }
}

uint32_t ua_read_limit(ua_client *c, uint32_t node)
{
    ua_nodeid id = ua_nodeid_numeric(0, node);
    ua_datavalue dv = {0};
    mdc_err ignored;
    uint32_t v = 0;
    if (ua_read(c, &id, 1, UA_ATTR_VALUE, 0, &dv, &ignored) == 0 && !(dv.status >> 30) &&
        !as_u32(&dv, &v))
        v = 0;
    ua_datavalue_clear(&dv);
    return v;
}

static int load_namespaces(ua_client *c, mdc_err *err)
{
    ua_nodeid id = ua_nodeid_numeric(0, UA_NS0_NAMESPACE_ARRAY);
    ua_datavalue dv = {0};
    int rc = ua_read(c, &id, 1, UA_ATTR_VALUE, 0, &dv, err);
    const ua_variant *v = &dv.value;
    if (rc == 0 && (v->type != UA_STRING || !v->is_array))
        rc = mdc_err_set(err, MDC_EPROTO, "the server's NamespaceArray is not a String array");
    if (rc == 0) {
        const ua_string *s = v->data;
        c->namespaces = xcalloc(v->n > 0 ? (size_t)v->n : 1, sizeof *c->namespaces);
        for (int32_t i = 0; i < v->n; i++)
            c->namespaces[i] = xstrdup(s[i].data ? s[i].data : "");
        c->nnamespaces = v->n > 0 ? v->n : 0;
    }
    ua_datavalue_clear(&dv);
    return rc;
}

int ua_client_namespace_index(ua_client *c, const char *uri, mdc_err *err)
{
    if (!c->namespaces && load_namespaces(c, err) < 0) return -1;
    for (int32_t i = 0; i < c->nnamespaces; i++)
        if (strcmp(c->namespaces[i], uri) == 0) return (int)i;
    mdc_err_set(err, MDC_EINVAL, "the server has no namespace \"%s\"", uri);
    return -1;
}
