/* SPDX-License-Identifier: Apache-2.0 */
/* ua_variant.c — the composite built-ins: QualifiedName, LocalizedText, ExtensionObject,
 * Variant, DataValue and DiagnosticInfo, with nesting depth capped at UA_MAX_DEPTH. */
#include "ua_types.h"

#include "core/xalloc.h"

#include <string.h>

enum { VAR_DIMS = 0x40, VAR_ARRAY = 0x80 };

static void string_null(ua_string *s)
{
    s->len = -1;
    s->data = NULL;
}

/* ---- QualifiedName, LocalizedText ---- */

int ua_get_qname(ua_r *r, ua_qname *v)
{
    v->ns = 0;
    string_null(&v->name);
    return ua_get_u16(r, &v->ns) || ua_get_string(r, &v->name) ? -1 : 0;
}

void ua_put_qname(strbuf *w, const ua_qname *v)
{
    ua_put_u16(w, v->ns);
    ua_put_string(w, &v->name);
}

void ua_qname_clear(ua_qname *v)
{
    ua_string_clear(&v->name);
    v->ns = 0;
}

int ua_get_ltext(ua_r *r, ua_ltext *v)
{
    uint8_t mask;
    string_null(&v->locale);
    string_null(&v->text);
    if (ua_get_u8(r, &mask) < 0) return -1;
    if ((mask & 1) && ua_get_string(r, &v->locale) < 0) return -1;
    if ((mask & 2) && ua_get_string(r, &v->text) < 0) return -1;
    return 0;
}

void ua_put_ltext(strbuf *w, const ua_ltext *v)
{
    ua_put_u8(w, (uint8_t)((v->locale.data ? 1 : 0) | (v->text.data ? 2 : 0)));
    if (v->locale.data) ua_put_string(w, &v->locale);
    if (v->text.data) ua_put_string(w, &v->text);
}

void ua_ltext_clear(ua_ltext *v)
{
    ua_string_clear(&v->locale);
    ua_string_clear(&v->text);
}

/* ---- ExtensionObject ---- */

int ua_get_extobj(ua_r *r, ua_extobj *v)
{
    v->encoding = UA_EXT_NONE;
    string_null(&v->body);
    if (ua_get_nodeid(r, &v->type_id) < 0 || ua_get_u8(r, &v->encoding) < 0) return -1;
    if (v->encoding == UA_EXT_NONE) return 0;
    if (v->encoding > UA_EXT_XML) return ua_r_fail(r, "unknown ExtensionObject encoding");
    return ua_get_string(r, &v->body);
}

void ua_put_extobj(strbuf *w, const ua_extobj *v)
{
    ua_put_nodeid(w, &v->type_id);
    ua_put_u8(w, v->encoding);
    if (v->encoding != UA_EXT_NONE) ua_put_string(w, &v->body);
}

void ua_extobj_clear(ua_extobj *v)
{
    ua_nodeid_clear(&v->type_id);
    ua_string_clear(&v->body);
    v->encoding = UA_EXT_NONE;
}

/* ---- Variant ---- */

static int enter(ua_r *r)
{
    if (++r->depth > UA_MAX_DEPTH) return ua_r_fail(r, "nesting too deep");
    return 0;
}

static int get_dims(ua_r *r, ua_variant *v)
{
    int32_t n;
    if (ua_get_i32(r, &n) < 0) return -1;
    if (n <= 0) return 0;
    if ((size_t)n > ua_r_left(r) / 4) return ua_r_fail(r, "too many array dimensions");
    v->dims = xcalloc((size_t)n, sizeof *v->dims);
    v->ndims = n;
    for (int32_t i = 0; i < n; i++)
        if (ua_get_i32(r, &v->dims[i]) < 0) return -1;
    return 0;
}

static int get_variant_body(ua_r *r, ua_variant *v, uint8_t mask)
{
    const ua_type *t = ua_type_of(mask & 0x3F);
    if (!t) return ua_r_fail(r, "unknown Variant type");
    if (!(mask & VAR_ARRAY)) {
        if (v->type == UA_VARIANT) return ua_r_fail(r, "a scalar Variant inside a Variant");
        v->data = xcalloc(1, t->size);
        v->n = 1;
        return t->get(r, v->data);
    }
    v->is_array = true;
    if (ua_get_array(r, t, &v->data, &v->n) < 0) return -1;
    if ((mask & VAR_DIMS) && get_dims(r, v) < 0) return -1;
    return 0;
}

int ua_get_variant(ua_r *r, ua_variant *v)
{
    uint8_t mask;
    memset(v, 0, sizeof *v);
    if (ua_get_u8(r, &mask) < 0) return -1;
    if (mask == 0) return 0;
    v->type = mask & 0x3F;
    if (enter(r) < 0) return -1;
    int rc = get_variant_body(r, v, mask);
    r->depth--;
    return rc;
}

void ua_put_variant(strbuf *w, const ua_variant *v)
{
    const ua_type *t = ua_type_of(v->type);
    if (!t || (!v->is_array && !v->data)) {
        ua_put_u8(w, 0);
        return;
    }
    uint8_t mask = (uint8_t)(v->type | (v->is_array ? VAR_ARRAY : 0) |
                             (v->is_array && v->ndims > 0 ? VAR_DIMS : 0));
    ua_put_u8(w, mask);
    if (!v->is_array) {
        t->put(w, v->data);
        return;
    }
    ua_put_array(w, t, v->data, v->n);
    if (mask & VAR_DIMS) {
        ua_put_i32(w, v->ndims);
        for (int32_t i = 0; i < v->ndims; i++)
            ua_put_i32(w, v->dims[i]);
    }
}

void ua_variant_clear(ua_variant *v)
{
    const ua_type *t = ua_type_of(v->type);
    if (t && v->data) ua_array_free(t, v->data, v->n);
    free(v->dims);
    memset(v, 0, sizeof *v);
}

void ua_variant_set_scalar(ua_variant *v, int type, const void *value)
{
    const ua_type *t = ua_type_of(type);
    memset(v, 0, sizeof *v);
    if (!t) return;
    v->type = (uint8_t)type;
    v->n = 1;
    v->data = xcalloc(1, t->size);
    memcpy(v->data, value, t->size); /* a shallow copy: callers pass plain values */
}

/* ---- DataValue ---- */

int ua_get_datavalue(ua_r *r, ua_datavalue *v)
{
    memset(v, 0, sizeof *v);
    if (ua_get_u8(r, &v->mask) < 0) return -1;
    if (enter(r) < 0) return -1;
    int rc = ((v->mask & UA_DV_VALUE) && ua_get_variant(r, &v->value) < 0) ||
                     ((v->mask & UA_DV_STATUS) && ua_get_u32(r, &v->status) < 0) ||
                     ((v->mask & UA_DV_SRC_TS) && ua_get_i64(r, &v->src_ts) < 0) ||
                     ((v->mask & UA_DV_SRC_PS) && ua_get_u16(r, &v->src_ps) < 0) ||
                     ((v->mask & UA_DV_SRV_TS) && ua_get_i64(r, &v->srv_ts) < 0) ||
                     ((v->mask & UA_DV_SRV_PS) && ua_get_u16(r, &v->srv_ps) < 0)
                 ? -1
                 : 0;
    r->depth--;
    return rc;
}

void ua_put_datavalue(strbuf *w, const ua_datavalue *v)
{
    ua_put_u8(w, v->mask & 0x3F);
    if (v->mask & UA_DV_VALUE) ua_put_variant(w, &v->value);
    if (v->mask & UA_DV_STATUS) ua_put_u32(w, v->status);
    if (v->mask & UA_DV_SRC_TS) ua_put_i64(w, v->src_ts);
    if (v->mask & UA_DV_SRC_PS) ua_put_u16(w, v->src_ps);
    if (v->mask & UA_DV_SRV_TS) ua_put_i64(w, v->srv_ts);
    if (v->mask & UA_DV_SRV_PS) ua_put_u16(w, v->srv_ps);
}

void ua_datavalue_clear(ua_datavalue *v)
{
    ua_variant_clear(&v->value);
    memset(v, 0, sizeof *v);
}

/* ---- DiagnosticInfo: note the wire order Locale (0x08) before LocalizedText (0x04) ---- */

enum {
    DI_SYMBOLIC = 0x01,
    DI_NSURI = 0x02,
    DI_LTEXT = 0x04,
    DI_LOCALE = 0x08,
    DI_ADDITIONAL = 0x10,
    DI_INNER_STATUS = 0x20,
    DI_INNER = 0x40
};

static int get_diag_fields(ua_r *r, ua_diaginfo *v)
{
    if (((v->mask & DI_SYMBOLIC) && ua_get_i32(r, &v->symbolic_id) < 0) ||
        ((v->mask & DI_NSURI) && ua_get_i32(r, &v->ns_uri) < 0) ||
        ((v->mask & DI_LOCALE) && ua_get_i32(r, &v->locale) < 0) ||
        ((v->mask & DI_LTEXT) && ua_get_i32(r, &v->ltext) < 0) ||
        ((v->mask & DI_ADDITIONAL) && ua_get_string(r, &v->additional) < 0) ||
        ((v->mask & DI_INNER_STATUS) && ua_get_u32(r, &v->inner_status) < 0))
        return -1;
    if (!(v->mask & DI_INNER)) return 0;
    v->inner = xcalloc(1, sizeof *v->inner);
    return ua_get_diaginfo(r, v->inner);
}

int ua_get_diaginfo(ua_r *r, ua_diaginfo *v)
{
    memset(v, 0, sizeof *v);
    string_null(&v->additional);
    if (ua_get_u8(r, &v->mask) < 0) return -1;
    if (enter(r) < 0) return -1;
    int rc = get_diag_fields(r, v);
    r->depth--;
    return rc;
}

void ua_put_diaginfo(strbuf *w, const ua_diaginfo *v)
{
    uint8_t mask = v->mask & (uint8_t)~DI_INNER;
    if (v->inner) mask |= DI_INNER;
    ua_put_u8(w, mask);
    if (mask & DI_SYMBOLIC) ua_put_i32(w, v->symbolic_id);
    if (mask & DI_NSURI) ua_put_i32(w, v->ns_uri);
    if (mask & DI_LOCALE) ua_put_i32(w, v->locale);
    if (mask & DI_LTEXT) ua_put_i32(w, v->ltext);
    if (mask & DI_ADDITIONAL) ua_put_string(w, &v->additional);
    if (mask & DI_INNER_STATUS) ua_put_u32(w, v->inner_status);
    if (v->inner) ua_put_diaginfo(w, v->inner);
}

void ua_diaginfo_clear(ua_diaginfo *v)
{
    ua_diaginfo *inner = v->inner;
    ua_string_clear(&v->additional);
    while (inner) { /* iterative: a deep chain must not recurse in clear */
        ua_diaginfo *next = inner->inner;
        ua_string_clear(&inner->additional);
        free(inner);
        inner = next;
    }
    memset(v, 0, sizeof *v);
    string_null(&v->additional);
}
