/* SPDX-License-Identifier: Apache-2.0 */
/* ua_typetable.c — every built-in type by id: size, codec and release functions, so arrays,
 * Variants and skipping can be written once for all of them. */
#include "ua_types.h"

#include "core/xalloc.h"

#include <string.h>

#define PLAIN(fn, ctype, putcall)                                                                  \
    static void put_##fn(strbuf *w, const void *v)                                                 \
    {                                                                                              \
        putcall;                                                                                   \
    }                                                                                              \
    static int get_##fn(ua_r *r, void *v)                                                          \
    {                                                                                              \
        return ua_get_##fn(r, (ctype *)v);                                                         \
    }

PLAIN(bool, bool, ua_put_bool(w, *(const bool *)v))
PLAIN(i8, int8_t, ua_put_u8(w, (uint8_t) * (const int8_t *)v))
PLAIN(u8, uint8_t, ua_put_u8(w, *(const uint8_t *)v))
PLAIN(i16, int16_t, ua_put_u16(w, (uint16_t) * (const int16_t *)v))
PLAIN(u16, uint16_t, ua_put_u16(w, *(const uint16_t *)v))
PLAIN(i32, int32_t, ua_put_i32(w, *(const int32_t *)v))
PLAIN(u32, uint32_t, ua_put_u32(w, *(const uint32_t *)v))
PLAIN(i64, int64_t, ua_put_i64(w, *(const int64_t *)v))
PLAIN(u64, uint64_t, ua_put_u64(w, *(const uint64_t *)v))
PLAIN(f32, float, ua_put_f32(w, *(const float *)v))
PLAIN(f64, double, ua_put_f64(w, *(const double *)v))
PLAIN(string, ua_string, ua_put_string(w, v))
PLAIN(guid, ua_guid, ua_put_guid(w, v))
PLAIN(nodeid, ua_nodeid, ua_put_nodeid(w, v))
PLAIN(expnodeid, ua_expnodeid, ua_put_expnodeid(w, v))
PLAIN(qname, ua_qname, ua_put_qname(w, v))
PLAIN(ltext, ua_ltext, ua_put_ltext(w, v))
PLAIN(extobj, ua_extobj, ua_put_extobj(w, v))
PLAIN(datavalue, ua_datavalue, ua_put_datavalue(w, v))
PLAIN(variant, ua_variant, ua_put_variant(w, v))
PLAIN(diaginfo, ua_diaginfo, ua_put_diaginfo(w, v))

#define CLEAR(fn, ctype)                                                                           \
    static void clear_##fn(void *v)                                                                \
    {                                                                                              \
        ua_##fn##_clear((ctype *)v);                                                               \
    }

CLEAR(string, ua_string)
CLEAR(nodeid, ua_nodeid)
CLEAR(expnodeid, ua_expnodeid)
CLEAR(qname, ua_qname)
CLEAR(ltext, ua_ltext)
CLEAR(extobj, ua_extobj)
CLEAR(datavalue, ua_datavalue)
CLEAR(variant, ua_variant)
CLEAR(diaginfo, ua_diaginfo)

#define T(name, ctype, minw, fn, clr)                                                              \
    {                                                                                              \
        name, sizeof(ctype), minw, put_##fn, get_##fn, clr                                         \
    }

static const ua_type types[UA_BUILTIN_MAX + 1] = {
    [UA_BOOLEAN] = T("Boolean", bool, 1, bool, NULL),
    [UA_SBYTE] = T("SByte", int8_t, 1, i8, NULL),
    [UA_BYTE] = T("Byte", uint8_t, 1, u8, NULL),
    [UA_INT16] = T("Int16", int16_t, 2, i16, NULL),
    [UA_UINT16] = T("UInt16", uint16_t, 2, u16, NULL),
    [UA_INT32] = T("Int32", int32_t, 4, i32, NULL),
    [UA_UINT32] = T("UInt32", uint32_t, 4, u32, NULL),
    [UA_INT64] = T("Int64", int64_t, 8, i64, NULL),
    [UA_UINT64] = T("UInt64", uint64_t, 8, u64, NULL),
    [UA_FLOAT] = T("Float", float, 4, f32, NULL),
    [UA_DOUBLE] = T("Double", double, 8, f64, NULL),
    [UA_STRING] = T("String", ua_string, 4, string, clear_string),
    [UA_DATETIME] = T("DateTime", int64_t, 8, i64, NULL),
    [UA_GUID] = T("Guid", ua_guid, 16, guid, NULL),
    [UA_BYTESTRING] = T("ByteString", ua_string, 4, string, clear_string),
    [UA_XMLELEMENT] = T("XmlElement", ua_string, 4, string, clear_string),
    [UA_NODEID] = T("NodeId", ua_nodeid, 2, nodeid, clear_nodeid),
    [UA_EXPANDEDNODEID] = T("ExpandedNodeId", ua_expnodeid, 2, expnodeid, clear_expnodeid),
    [UA_STATUSCODE] = T("StatusCode", uint32_t, 4, u32, NULL),
    [UA_QUALIFIEDNAME] = T("QualifiedName", ua_qname, 6, qname, clear_qname),
    [UA_LOCALIZEDTEXT] = T("LocalizedText", ua_ltext, 1, ltext, clear_ltext),
    [UA_EXTENSIONOBJECT] = T("ExtensionObject", ua_extobj, 3, extobj, clear_extobj),
    [UA_DATAVALUE] = T("DataValue", ua_datavalue, 1, datavalue, clear_datavalue),
    [UA_VARIANT] = T("Variant", ua_variant, 1, variant, clear_variant),
    [UA_DIAGNOSTICINFO] = T("DiagnosticInfo", ua_diaginfo, 1, diaginfo, clear_diaginfo),
};

const ua_type *ua_type_of(int id)
{
    if (id >= 1 && id <= UA_BUILTIN_MAX) return &types[id];
    if (id > UA_BUILTIN_MAX && id <= 31) return &types[UA_BYTESTRING];
    return NULL;
}

void ua_put_array(strbuf *w, const ua_type *t, const void *elems, int32_t n)
{
    if (n < 0 || (!elems && n > 0)) {
        ua_put_i32(w, -1);
        return;
    }
    ua_put_i32(w, n);
    for (int32_t i = 0; i < n; i++)
        t->put(w, (const char *)elems + (size_t)i * t->size);
}

int ua_get_array(ua_r *r, const ua_type *t, void **elems, int32_t *n)
{
    int32_t count;
    *elems = NULL;
    *n = -1;
    if (ua_get_i32(r, &count) < 0) return -1;
    if (count < 0) return 0;
    if ((size_t)count > ua_r_left(r) / t->min_wire)
        return ua_r_fail(r, "array longer than message");
    *n = 0;
    if (count == 0) return 0;
    char *p = xcalloc((size_t)count, t->size);
    *elems = p;
    for (int32_t i = 0; i < count; i++) {
        *n = i + 1; /* the element being decoded is released too if it fails */
        if (t->get(r, p + (size_t)i * t->size) < 0) return -1;
    }
    return 0;
}

void ua_array_free(const ua_type *t, void *elems, int32_t n)
{
    if (t->clear)
        for (int32_t i = 0; i < n; i++)
            t->clear((char *)elems + (size_t)i * t->size);
    free(elems);
}

int ua_skip(ua_r *r, const ua_type *t)
{
    void *v = xcalloc(1, t->size);
    int rc = t->get(r, v);
    if (t->clear) t->clear(v);
    free(v);
    return rc;
}

int ua_skip_array(ua_r *r, const ua_type *t)
{
    void *elems;
    int32_t n;
    int rc = ua_get_array(r, t, &elems, &n);
    if (elems) ua_array_free(t, elems, n);
    return rc;
}
