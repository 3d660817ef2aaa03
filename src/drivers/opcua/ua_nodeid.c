/* SPDX-License-Identifier: Apache-2.0 */
/* ua_nodeid.c — NodeId and ExpandedNodeId in UA Binary: the six encoding forms (two-byte,
 * four-byte, numeric, string, guid, opaque), the smallest chosen when writing. */
#include "ua_types.h"

#include <string.h>

enum {
    NID_TWO_BYTE = 0,
    NID_FOUR_BYTE = 1,
    NID_NUMERIC = 2,
    NID_STRING = 3,
    NID_GUID = 4,
    NID_OPAQUE = 5,
    EXP_SERVER_INDEX = 0x40,
    EXP_NS_URI = 0x80
};

ua_nodeid ua_nodeid_numeric(uint16_t ns, uint32_t id)
{
    ua_nodeid n;
    memset(&n, 0, sizeof n);
    n.ns = ns;
    n.kind = UA_NID_NUMERIC;
    n.num = id;
    n.str.len = -1;
    return n;
}

void ua_nodeid_clear(ua_nodeid *v)
{
    ua_string_clear(&v->str);
    *v = ua_nodeid_numeric(0, 0);
}

void ua_nodeid_copy(ua_nodeid *dst, const ua_nodeid *src)
{
    *dst = *src;
    ua_string_copy(&dst->str, &src->str);
}

bool ua_nodeid_eq(const ua_nodeid *a, const ua_nodeid *b)
{
    if (a->ns != b->ns || a->kind != b->kind) return false;
    switch (a->kind) {
    case UA_NID_NUMERIC:
        return a->num == b->num;
    case UA_NID_GUID:
        return memcmp(&a->guid, &b->guid, sizeof a->guid) == 0;
    default:
        return ua_string_eq(&a->str, &b->str);
    }
}

bool ua_nodeid_is_null(const ua_nodeid *v)
{
    return v->ns == 0 && v->kind == UA_NID_NUMERIC && v->num == 0;
}

/* Decodes the body of form `form` (the first byte already read). */
static int get_nodeid_form(ua_r *r, int form, ua_nodeid *v)
{
    uint8_t b8;
    uint16_t b16;
    switch (form) {
    case NID_TWO_BYTE:
        if (ua_get_u8(r, &b8) < 0) return -1;
        v->num = b8;
        return 0;
    case NID_FOUR_BYTE:
        if (ua_get_u8(r, &b8) < 0 || ua_get_u16(r, &b16) < 0) return -1;
        v->ns = b8;
        v->num = b16;
        return 0;
    case NID_NUMERIC:
        return ua_get_u16(r, &v->ns) || ua_get_u32(r, &v->num) ? -1 : 0;
    case NID_STRING:
    case NID_OPAQUE:
        v->kind = form == NID_STRING ? UA_NID_STRING : UA_NID_OPAQUE;
        return ua_get_u16(r, &v->ns) || ua_get_string(r, &v->str) ? -1 : 0;
    case NID_GUID:
        v->kind = UA_NID_GUID;
        return ua_get_u16(r, &v->ns) || ua_get_guid(r, &v->guid) ? -1 : 0;
    default:
        return ua_r_fail(r, "unknown NodeId encoding");
    }
}

int ua_get_nodeid(ua_r *r, ua_nodeid *v)
{
    uint8_t form;
    *v = ua_nodeid_numeric(0, 0);
    if (ua_get_u8(r, &form) < 0) return -1;
    if (form & (EXP_NS_URI | EXP_SERVER_INDEX))
        return ua_r_fail(r, "ExpandedNodeId flags in a NodeId");
    return get_nodeid_form(r, form, v);
}

int ua_get_expnodeid(ua_r *r, ua_expnodeid *v)
{
    uint8_t form;
    v->id = ua_nodeid_numeric(0, 0);
    v->ns_uri.len = -1;
    v->ns_uri.data = NULL;
    v->server_index = 0;
    if (ua_get_u8(r, &form) < 0 || get_nodeid_form(r, form & 0x3F, &v->id) < 0) return -1;
    if ((form & EXP_NS_URI) && ua_get_string(r, &v->ns_uri) < 0) return -1;
    if ((form & EXP_SERVER_INDEX) && ua_get_u32(r, &v->server_index) < 0) return -1;
    return 0;
}

static void put_nodeid_flags(strbuf *w, const ua_nodeid *v, uint8_t flags)
{
    switch (v->kind) {
    case UA_NID_NUMERIC:
        if (v->ns == 0 && v->num <= 0xFF) {
            ua_put_u8(w, NID_TWO_BYTE | flags);
            ua_put_u8(w, (uint8_t)v->num);
        } else if (v->ns <= 0xFF && v->num <= 0xFFFF) {
            ua_put_u8(w, NID_FOUR_BYTE | flags);
            ua_put_u8(w, (uint8_t)v->ns);
            ua_put_u16(w, (uint16_t)v->num);
        } else {
            ua_put_u8(w, NID_NUMERIC | flags);
            ua_put_u16(w, v->ns);
            ua_put_u32(w, v->num);
        }
        return;
    case UA_NID_STRING:
    case UA_NID_OPAQUE:
        ua_put_u8(w, (v->kind == UA_NID_STRING ? NID_STRING : NID_OPAQUE) | flags);
        ua_put_u16(w, v->ns);
        ua_put_string(w, &v->str);
        return;
    case UA_NID_GUID:
        ua_put_u8(w, NID_GUID | flags);
        ua_put_u16(w, v->ns);
        ua_put_guid(w, &v->guid);
        return;
    }
}

void ua_put_nodeid(strbuf *w, const ua_nodeid *v)
{
    put_nodeid_flags(w, v, 0);
}

void ua_put_typeid(strbuf *w, uint32_t id)
{
    ua_nodeid n = ua_nodeid_numeric(0, id);
    ua_put_nodeid(w, &n);
}

void ua_put_expnodeid(strbuf *w, const ua_expnodeid *v)
{
    uint8_t flags = (v->ns_uri.data ? EXP_NS_URI : 0) | (v->server_index ? EXP_SERVER_INDEX : 0);
    put_nodeid_flags(w, &v->id, flags);
    if (v->ns_uri.data) ua_put_string(w, &v->ns_uri);
    if (v->server_index) ua_put_u32(w, v->server_index);
}

void ua_expnodeid_clear(ua_expnodeid *v)
{
    ua_nodeid_clear(&v->id);
    ua_string_clear(&v->ns_uri);
    v->server_index = 0;
}
