/* SPDX-License-Identifier: Apache-2.0 */
/* ua_browse.c — Browse and BrowseNext: the forward hierarchical references of a node, following
 * continuation points until the server has sent them all. */
#include "ua_client_internal.h"
#include "ua_service.h"
#include "ua_services.h"
#include "ua_text.h"

#include "core/xalloc.h"

#include <string.h>

typedef struct ref_list {
    ua_reference *v;
    size_t n, cap;
} ref_list;

const char *ua_node_class_name(int32_t cls)
{
    switch (cls) {
    case 1:
        return "Object";
    case 2:
        return "Variable";
    case 4:
        return "Method";
    case 8:
        return "ObjectType";
    case 16:
        return "VariableType";
    case 32:
        return "ReferenceType";
    case 64:
        return "DataType";
    case 128:
        return "View";
    default:
        return "Unspecified";
    }
}

static void ref_clear(ua_reference *r)
{
    ua_nodeid_clear(&r->ref_type);
    ua_expnodeid_clear(&r->target);
    ua_qname_clear(&r->browse_name);
    ua_ltext_clear(&r->display_name);
    ua_expnodeid_clear(&r->type_def);
}

void ua_references_free(ua_reference *refs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ref_clear(&refs[i]);
    free(refs);
}

static int get_reference(ua_r *r, ua_reference *ref)
{
    return ua_get_nodeid(r, &ref->ref_type) || ua_get_bool(r, &ref->forward) ||
                   ua_get_expnodeid(r, &ref->target) || ua_get_qname(r, &ref->browse_name) ||
                   ua_get_ltext(r, &ref->display_name) || ua_get_i32(r, &ref->node_class) ||
                   ua_get_expnodeid(r, &ref->type_def)
               ? -1
               : 0;
}

/* One BrowseResult: status, continuation point, references appended to the list. */
static int get_result(ua_r *r, ref_list *l, ua_string *cont, mdc_err *err)
{
    uint32_t status;
    int32_t n;
    char buf[96];
    if (ua_get_u32(r, &status) < 0 || ua_get_string(r, cont) < 0 || ua_get_i32(r, &n) < 0)
        return mdc_err_set(err, MDC_EPROTO, "Browse: malformed result");
    if (status >> 30)
        return mdc_err_set(err, MDC_EDEVICE, "Browse: %s", ua_status_text(status, buf, sizeof buf));
    for (int32_t i = 0; i < n; i++) {
        xgrow(&l->v, &l->cap, l->n + 1, sizeof *l->v);
        memset(&l->v[l->n], 0, sizeof *l->v);
        int rc = get_reference(r, &l->v[l->n]);
        l->n++;
        if (rc < 0) return mdc_err_set(err, MDC_EPROTO, "Browse: malformed reference");
    }
    return 0;
}

static int parse_browse_response(const ua_msg *m, uint32_t type, ref_list *l, ua_string *cont,
                                 mdc_err *err)
{
    ua_r r;
    uint32_t status;
    int32_t count;
    ua_r_init(&r, m->body.buf, m->body.len);
    if (ua_response_begin(&r, type, type == UA_ID_BROWSE_RESP ? "Browse" : "BrowseNext", &status,
                          err) < 0)
        return -1;
    if (ua_get_i32(&r, &count) < 0 || count != 1)
        return mdc_err_set(err, MDC_EPROTO, "Browse: expected one result");
    return get_result(&r, l, cont, err);
}

static void put_browse(ua_client *c, strbuf *w, const ua_nodeid *node, uint32_t max)
{
    ua_nodeid null_id = ua_nodeid_numeric(0, 0),
              refs = ua_nodeid_numeric(0, UA_NS0_HIERARCHICAL_REFS);
    ua_client_begin(c, w, UA_ID_BROWSE_REQ, 0);
    ua_put_nodeid(w, &null_id); /* View */
    ua_put_i64(w, 0);
    ua_put_u32(w, 0);
    ua_put_u32(w, max);
    ua_put_i32(w, 1);
    ua_put_nodeid(w, node);
    ua_put_u32(w, 0); /* Forward */
    ua_put_nodeid(w, &refs);
    ua_put_bool(w, true); /* IncludeSubtypes */
    ua_put_u32(w, 0);     /* NodeClassMask: all */
    ua_put_u32(w, 63);    /* ResultMask: all */
}

static void put_browse_next(ua_client *c, strbuf *w, const ua_string *cont, bool release)
{
    ua_client_begin(c, w, UA_ID_BROWSE_NEXT_REQ, 0);
    ua_put_bool(w, release);
    ua_put_i32(w, 1);
    ua_put_string(w, cont);
}

static int call_browse(ua_client *c, strbuf *w, uint32_t type, ref_list *l, ua_string *cont,
                       mdc_err *err)
{
    ua_msg resp;
    ua_string_clear(cont);
    int rc = ua_client_call(c, w, &resp, err);
    if (rc == 0) rc = parse_browse_response(&resp, type, l, cont, err);
    ua_msg_free(&resp);
    return rc;
}

int ua_browse(ua_client *c, const ua_nodeid *node, uint32_t max_per_call, ua_reference **refs,
              size_t *n, mdc_err *err)
{
    ref_list l = {0};
    ua_string cont = {-1, NULL};
    strbuf w = STRBUF_INIT;
    put_browse(c, &w, node, max_per_call);
    int rc = call_browse(c, &w, UA_ID_BROWSE_RESP, &l, &cont, err);
    for (int rounds = 0; rc == 0 && cont.data && cont.len > 0; rounds++) {
        bool give_up = rounds > 10000;
        put_browse_next(c, &w, &cont, give_up);
        rc = call_browse(c, &w, UA_ID_BROWSE_NEXT_RESP, &l, &cont, err);
        if (give_up) break;
    }
    ua_string_clear(&cont);
    sb_free(&w);
    if (rc < 0) {
        ua_references_free(l.v, l.n);
        return -1;
    }
    *refs = l.v;
    *n = l.n;
    return 0;
}
