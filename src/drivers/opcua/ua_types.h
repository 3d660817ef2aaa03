/* SPDX-License-Identifier: Apache-2.0 */
/* ua_types.h — OPC UA built-in types (Part 6 §5.1, UA Binary) and their binary codec.
 *
 * Encoding appends to a strbuf (which holds bytes; its NUL terminator is ignored). Decoding
 * reads from a bounded cursor: every decoder returns 0, or -1 when the input is truncated or
 * malformed (the cursor records why). A decoder always leaves its output in a state that
 * ua_*_clear() can release, even after a failure, so callers zero-initialise, decode, and
 * clear once. Decoded values own all their memory.
 */
#ifndef MDC_UA_TYPES_H
#define MDC_UA_TYPES_H

#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Built-in type ids (also the Variant type ids). */
enum {
    UA_BOOLEAN = 1,
    UA_SBYTE,
    UA_BYTE,
    UA_INT16,
    UA_UINT16,
    UA_INT32,
    UA_UINT32,
    UA_INT64,
    UA_UINT64,
    UA_FLOAT,
    UA_DOUBLE,
    UA_STRING,
    UA_DATETIME,
    UA_GUID,
    UA_BYTESTRING,
    UA_XMLELEMENT,
    UA_NODEID,
    UA_EXPANDEDNODEID,
    UA_STATUSCODE,
    UA_QUALIFIEDNAME,
    UA_LOCALIZEDTEXT,
    UA_EXTENSIONOBJECT,
    UA_DATAVALUE,
    UA_VARIANT,
    UA_DIAGNOSTICINFO,
    UA_BUILTIN_MAX = UA_DIAGNOSTICINFO
};

#define UA_MAX_DEPTH 100 /* nesting of Variants, DataValues, DiagnosticInfos */

/* String, ByteString and XmlElement. len -1 = null (data NULL); otherwise data holds len bytes
 * plus a NUL terminator, so Strings can be used as C strings. */
typedef struct ua_string {
    int32_t len;
    char *data;
} ua_string;

typedef struct ua_guid {
    uint32_t d1;
    uint16_t d2, d3;
    uint8_t d4[8];
} ua_guid;

typedef enum { UA_NID_NUMERIC, UA_NID_STRING, UA_NID_GUID, UA_NID_OPAQUE } ua_nid_kind;

typedef struct ua_nodeid {
    uint16_t ns;
    ua_nid_kind kind;
    uint32_t num;  /* UA_NID_NUMERIC */
    ua_string str; /* UA_NID_STRING, UA_NID_OPAQUE */
    ua_guid guid;  /* UA_NID_GUID */
} ua_nodeid;

typedef struct ua_expnodeid {
    ua_nodeid id;
    ua_string ns_uri; /* null when absent */
    uint32_t server_index;
} ua_expnodeid;

typedef struct ua_qname {
    uint16_t ns;
    ua_string name;
} ua_qname;

typedef struct ua_ltext {
    ua_string locale, text; /* null = absent */
} ua_ltext;

enum { UA_EXT_NONE = 0, UA_EXT_BINARY = 1, UA_EXT_XML = 2 };

typedef struct ua_extobj {
    ua_nodeid type_id; /* the binary encoding id */
    uint8_t encoding;
    ua_string body;
} ua_extobj;

typedef struct ua_variant {
    uint8_t type; /* 0 = null; ids above 25 are kept as ByteString values */
    bool is_array;
    int32_t n;  /* array length (-1 = null array); 1 for a scalar */
    void *data; /* n elements of the type's C representation */
    int32_t ndims;
    int32_t *dims;
} ua_variant;

enum {
    UA_DV_VALUE = 0x01,
    UA_DV_STATUS = 0x02,
    UA_DV_SRC_TS = 0x04,
    UA_DV_SRV_TS = 0x08,
    UA_DV_SRC_PS = 0x10,
    UA_DV_SRV_PS = 0x20
};

typedef struct ua_datavalue {
    uint8_t mask;
    ua_variant value;
    uint32_t status;
    int64_t src_ts;
    uint16_t src_ps;
    int64_t srv_ts;
    uint16_t srv_ps;
} ua_datavalue;

typedef struct ua_diaginfo {
    uint8_t mask;
    int32_t symbolic_id, ns_uri, locale, ltext;
    ua_string additional;
    uint32_t inner_status;
    struct ua_diaginfo *inner;
} ua_diaginfo;

/* ---- decoding cursor ---- */
typedef struct ua_r {
    const uint8_t *p;
    size_t len, pos;
    int depth;
    const char *why; /* set on the first failure */
} ua_r;

void ua_r_init(ua_r *r, const void *p, size_t len);
size_t ua_r_left(const ua_r *r);
int ua_r_fail(ua_r *r, const char *why); /* returns -1 */
int ua_r_skip(ua_r *r, size_t n);
int ua_r_bytes(ua_r *r, void *out, size_t n);

int ua_get_bool(ua_r *r, bool *v);
int ua_get_u8(ua_r *r, uint8_t *v);
int ua_get_i8(ua_r *r, int8_t *v);
int ua_get_u16(ua_r *r, uint16_t *v);
int ua_get_i16(ua_r *r, int16_t *v);
int ua_get_u32(ua_r *r, uint32_t *v);
int ua_get_i32(ua_r *r, int32_t *v);
int ua_get_u64(ua_r *r, uint64_t *v);
int ua_get_i64(ua_r *r, int64_t *v);
int ua_get_f32(ua_r *r, float *v);
int ua_get_f64(ua_r *r, double *v);
int ua_get_string(ua_r *r, ua_string *v);
int ua_get_guid(ua_r *r, ua_guid *v);
int ua_get_nodeid(ua_r *r, ua_nodeid *v);
int ua_get_expnodeid(ua_r *r, ua_expnodeid *v);
int ua_get_qname(ua_r *r, ua_qname *v);
int ua_get_ltext(ua_r *r, ua_ltext *v);
int ua_get_extobj(ua_r *r, ua_extobj *v);
int ua_get_variant(ua_r *r, ua_variant *v);
int ua_get_datavalue(ua_r *r, ua_datavalue *v);
int ua_get_diaginfo(ua_r *r, ua_diaginfo *v);

/* ---- encoding ---- */
void ua_put_bool(strbuf *w, bool v);
void ua_put_u8(strbuf *w, uint8_t v);
void ua_put_u16(strbuf *w, uint16_t v);
void ua_put_u32(strbuf *w, uint32_t v);
void ua_put_i32(strbuf *w, int32_t v);
void ua_put_u64(strbuf *w, uint64_t v);
void ua_put_i64(strbuf *w, int64_t v);
void ua_put_f32(strbuf *w, float v);
void ua_put_f64(strbuf *w, double v);
void ua_put_raw(strbuf *w, const void *p, size_t n);
void ua_put_string(strbuf *w, const ua_string *v);
void ua_put_cstr(strbuf *w, const char *s);               /* NULL = null String */
void ua_put_bytes(strbuf *w, const void *p, int32_t len); /* len -1 = null ByteString */
void ua_put_guid(strbuf *w, const ua_guid *v);
void ua_put_nodeid(strbuf *w, const ua_nodeid *v); /* smallest form */
void ua_put_expnodeid(strbuf *w, const ua_expnodeid *v);
void ua_put_qname(strbuf *w, const ua_qname *v);
void ua_put_ltext(strbuf *w, const ua_ltext *v);
void ua_put_extobj(strbuf *w, const ua_extobj *v);
void ua_put_variant(strbuf *w, const ua_variant *v);
void ua_put_datavalue(strbuf *w, const ua_datavalue *v);
void ua_put_diaginfo(strbuf *w, const ua_diaginfo *v);
/* Writes a numeric NodeId (ns 0) the way service type ids are written. */
void ua_put_typeid(strbuf *w, uint32_t id);
/* Overwrites 4 bytes at offset `at` (message sizes). */
void ua_patch_u32(strbuf *w, size_t at, uint32_t v);

/* ---- ownership ---- */
void ua_string_clear(ua_string *v);
void ua_string_set(ua_string *v, const void *p, int32_t len); /* copies; len -1 = null */
void ua_string_copy(ua_string *dst, const ua_string *src);
bool ua_string_eq(const ua_string *a, const ua_string *b);
void ua_nodeid_clear(ua_nodeid *v);
void ua_nodeid_copy(ua_nodeid *dst, const ua_nodeid *src);
bool ua_nodeid_eq(const ua_nodeid *a, const ua_nodeid *b);
bool ua_nodeid_is_null(const ua_nodeid *v);
ua_nodeid ua_nodeid_numeric(uint16_t ns, uint32_t id);
void ua_expnodeid_clear(ua_expnodeid *v);
void ua_qname_clear(ua_qname *v);
void ua_ltext_clear(ua_ltext *v);
void ua_extobj_clear(ua_extobj *v);
void ua_variant_clear(ua_variant *v);
void ua_datavalue_clear(ua_datavalue *v);
void ua_diaginfo_clear(ua_diaginfo *v);

/* ---- generic access by type id (1..25) ---- */
typedef struct ua_type {
    const char *name;
    size_t size;     /* bytes of the C representation */
    size_t min_wire; /* smallest encoding, bounds array allocations */
    void (*put)(strbuf *w, const void *v);
    int (*get)(ua_r *r, void *v);
    void (*clear)(void *v); /* NULL for plain values */
} ua_type;

/* The type of a built-in id; ids 26..31 map to ByteString; NULL for others. */
const ua_type *ua_type_of(int id);
/* Arrays outside Variants: Int32 count (-1 = null) and elements. */
void ua_put_array(strbuf *w, const ua_type *t, const void *elems, int32_t n);
int ua_get_array(ua_r *r, const ua_type *t, void **elems, int32_t *n);
void ua_array_free(const ua_type *t, void *elems, int32_t n);
/* Decodes and discards one value of type t. */
int ua_skip(ua_r *r, const ua_type *t);
int ua_skip_array(ua_r *r, const ua_type *t);

/* Scalar variant holding a copy of *value. */
void ua_variant_set_scalar(ua_variant *v, int type, const void *value);

/* DateTime: 100 ns ticks since 1601-01-01 UTC. */
#define UA_DATETIME_UNIX_EPOCH 116444736000000000LL
int64_t ua_datetime_from_unix_us(int64_t us);
int64_t ua_datetime_to_unix_us(int64_t dt);
int64_t ua_datetime_now(void);

#endif
