/* SPDX-License-Identifier: Apache-2.0 */
/* UA Binary: every built-in type's encoding and decoding against exact bytes (Part 6 §5.2,
 * research/opcua.md §3), NodeId forms, Variant, DataValue, DiagnosticInfo, ExtensionObject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/opcua/ua_types.h"

#include <stdlib.h>
#include <string.h>

#define BYTES(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

static void expect_bytes(const strbuf *w, const uint8_t *want, size_t n)
{
    if (w->len != n) fail_msg("length %zu, expected %zu", w->len, n);
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)w->buf[i] != want[i])
            fail_msg("byte %zu is %02x, expected %02x", i, (uint8_t)w->buf[i], want[i]);
}

/* Encodes v with type id t, compares with the bytes, decodes them back and re-encodes. */
static void roundtrip(int t, const void *v, const uint8_t *want, size_t n)
{
    const ua_type *type = ua_type_of(t);
    strbuf w = STRBUF_INIT, again = STRBUF_INIT;
    type->put(&w, v);
    expect_bytes(&w, want, n);
    void *back = calloc(1, type->size);
    ua_r r;
    ua_r_init(&r, want, n);
    assert_int_equal(type->get(&r, back), 0);
    assert_int_equal(ua_r_left(&r), 0);
    type->put(&again, back);
    expect_bytes(&again, want, n);
    if (type->clear) type->clear(back);
    free(back);
    /* every shorter input fails cleanly */
    for (size_t cut = 0; cut < n; cut++) {
        void *part = calloc(1, type->size);
        ua_r_init(&r, want, cut);
        assert_int_equal(type->get(&r, part), -1);
        if (type->clear) type->clear(part);
        free(part);
    }
    sb_free(&w);
    sb_free(&again);
}

static ua_string str(const char *s)
{
    return (ua_string){s ? (int32_t)strlen(s) : -1, (char *)s};
}

static void test_numbers(void **state)
{
    (void)state;
    bool b = true;
    int8_t sb = -2;
    uint8_t by = 0xAB;
    int16_t i16 = -2;
    uint16_t u16 = 0x1234;
    int32_t i32 = -123456;
    uint32_t u32 = 0xDEADBEEF;
    int64_t i64 = -2;
    uint64_t u64 = 0x0102030405060708ull;
    float f = 1.5f;
    double d = -0.25;
    roundtrip(UA_BOOLEAN, &b, BYTES(0x01));
    roundtrip(UA_SBYTE, &sb, BYTES(0xFE));
    roundtrip(UA_BYTE, &by, BYTES(0xAB));
    roundtrip(UA_INT16, &i16, BYTES(0xFE, 0xFF));
    roundtrip(UA_UINT16, &u16, BYTES(0x34, 0x12));
    roundtrip(UA_INT32, &i32, BYTES(0xC0, 0x1D, 0xFE, 0xFF));
    roundtrip(UA_UINT32, &u32, BYTES(0xEF, 0xBE, 0xAD, 0xDE));
    roundtrip(UA_INT64, &i64, BYTES(0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
    roundtrip(UA_UINT64, &u64, BYTES(0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01));
    roundtrip(UA_FLOAT, &f, BYTES(0x00, 0x00, 0xC0, 0x3F));
    roundtrip(UA_DOUBLE, &d, BYTES(0, 0, 0, 0, 0, 0, 0xD0, 0xBF));
    uint32_t sc = 0x80340000u;
    roundtrip(UA_STATUSCODE, &sc, BYTES(0x00, 0x00, 0x34, 0x80));
    /* any non-zero byte reads as true */
    ua_r r;
    ua_r_init(&r, "\x07", 1);
    bool t = false;
    assert_int_equal(ua_get_bool(&r, &t), 0);
    assert_true(t);
}

static void test_strings(void **state)
{
    (void)state;
    ua_string s = str("héllo"), empty = str(""), null = str(NULL);
    roundtrip(UA_STRING, &s, BYTES(0x06, 0, 0, 0, 'h', 0xC3, 0xA9, 'l', 'l', 'o'));
    roundtrip(UA_STRING, &empty, BYTES(0, 0, 0, 0));
    roundtrip(UA_STRING, &null, BYTES(0xFF, 0xFF, 0xFF, 0xFF));
    ua_string bs = {3, "\x00\x01\xFF"};
    roundtrip(UA_BYTESTRING, &bs, BYTES(3, 0, 0, 0, 0x00, 0x01, 0xFF));
    ua_string xml = str("<a/>");
    roundtrip(UA_XMLELEMENT, &xml, BYTES(4, 0, 0, 0, '<', 'a', '/', '>'));
    /* a length beyond the message is refused, not allocated */
    ua_r r;
    ua_string out;
    ua_r_init(&r, "\xFF\xFF\xFF\x7F", 4);
    assert_int_equal(ua_get_string(&r, &out), -1);
    assert_null(out.data);
}

static void test_datetime_guid(void **state)
{
    (void)state;
    /* 2026-11-22T06:00:05.123Z = unix ms 1795327205123 */
    int64_t dt = ua_datetime_from_unix_us(1795327205123000LL);
    assert_true(dt == 1795327205123LL * 10000 + 116444736000000000LL);
    roundtrip(UA_DATETIME, &dt, BYTES(0x30, 0xE5, 0x69, 0xB8, 0x46, 0x7A, 0xDD, 0x01));
    assert_true(ua_datetime_to_unix_us(dt) == 1795327205123000LL);
    assert_true(ua_datetime_from_unix_us(-UA_DATETIME_UNIX_EPOCH) == 0); /* before 1601 */
    ua_guid g = {0x72962B91, 0xFA75, 0x4AE6, {0x8D, 0x28, 0xB4, 0x04, 0xDC, 0x7D, 0xAF, 0x63}};
    roundtrip(UA_GUID, &g,
              BYTES(0x91, 0x2B, 0x96, 0x72, 0x75, 0xFA, 0xE6, 0x4A, 0x8D, 0x28, 0xB4, 0x04, 0xDC,
                    0x7D, 0xAF, 0x63));
}

static void test_nodeid_forms(void **state)
{
    (void)state;
    ua_nodeid two = ua_nodeid_numeric(0, 85), four = ua_nodeid_numeric(2, 1025),
              num = ua_nodeid_numeric(300, 70000), null = ua_nodeid_numeric(0, 0);
    roundtrip(UA_NODEID, &null, BYTES(0x00, 0x00));
    roundtrip(UA_NODEID, &two, BYTES(0x00, 0x55));
    roundtrip(UA_NODEID, &four, BYTES(0x01, 0x02, 0x01, 0x04));
    roundtrip(UA_NODEID, &num, BYTES(0x02, 0x2C, 0x01, 0x70, 0x11, 0x01, 0x00));
    ua_nodeid s = ua_nodeid_numeric(2, 0);
    s.kind = UA_NID_STRING;
    s.str = str("AB");
    roundtrip(UA_NODEID, &s, BYTES(0x03, 0x02, 0x00, 0x02, 0, 0, 0, 'A', 'B'));
    ua_nodeid o = s;
    o.kind = UA_NID_OPAQUE;
    o.str = (ua_string){2, "\x01\x02"};
    roundtrip(UA_NODEID, &o, BYTES(0x05, 0x02, 0x00, 0x02, 0, 0, 0, 0x01, 0x02));
    ua_nodeid g = ua_nodeid_numeric(1, 0);
    g.kind = UA_NID_GUID;
    g.guid = (ua_guid){1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
    roundtrip(UA_NODEID, &g,
              BYTES(0x04, 0x01, 0x00, 1, 0, 0, 0, 2, 0, 3, 0, 4, 5, 6, 7, 8, 9, 10, 11));
    /* ExpandedNodeId flags are illegal in a NodeId */
    ua_r r;
    ua_nodeid bad;
    ua_r_init(&r, "\x80\x05", 2);
    assert_int_equal(ua_get_nodeid(&r, &bad), -1);
    ua_r_init(&r, "\x06\x00", 2);
    assert_int_equal(ua_get_nodeid(&r, &bad), -1);
}

static void test_expanded_nodeid(void **state)
{
    (void)state;
    ua_expnodeid e = {ua_nodeid_numeric(0, 85), str("urn:x"), 3};
    roundtrip(UA_EXPANDEDNODEID, &e,
              BYTES(0xC0, 0x55, 5, 0, 0, 0, 'u', 'r', 'n', ':', 'x', 3, 0, 0, 0));
    ua_expnodeid plain = {ua_nodeid_numeric(0, 85), str(NULL), 0};
    roundtrip(UA_EXPANDEDNODEID, &plain, BYTES(0x00, 0x55));
}

static void test_qname_ltext(void **state)
{
    (void)state;
    ua_qname q = {2, str("Q")};
    roundtrip(UA_QUALIFIEDNAME, &q, BYTES(0x02, 0x00, 1, 0, 0, 0, 'Q'));
    ua_ltext both = {str("en"), str("Hi")}, text = {str(NULL), str("Hi")},
             none = {str(NULL), str(NULL)};
    roundtrip(UA_LOCALIZEDTEXT, &both, BYTES(0x03, 2, 0, 0, 0, 'e', 'n', 2, 0, 0, 0, 'H', 'i'));
    roundtrip(UA_LOCALIZEDTEXT, &text, BYTES(0x02, 2, 0, 0, 0, 'H', 'i'));
    roundtrip(UA_LOCALIZEDTEXT, &none, BYTES(0x00));
}

static void test_extension_object(void **state)
{
    (void)state;
    ua_extobj null = {ua_nodeid_numeric(0, 0), UA_EXT_NONE, str(NULL)};
    roundtrip(UA_EXTENSIONOBJECT, &null, BYTES(0x00, 0x00, 0x00));
    ua_extobj body = {ua_nodeid_numeric(0, 321), UA_EXT_BINARY, {3, "\x01\x02\x03"}};
    roundtrip(UA_EXTENSIONOBJECT, &body,
              BYTES(0x01, 0x00, 0x41, 0x01, 0x01, 3, 0, 0, 0, 0x01, 0x02, 0x03));
    ua_extobj xml = {ua_nodeid_numeric(0, 5), UA_EXT_XML, str("<x/>")};
    roundtrip(UA_EXTENSIONOBJECT, &xml, BYTES(0x00, 0x05, 0x02, 4, 0, 0, 0, '<', 'x', '/', '>'));
    ua_r r;
    ua_extobj bad;
    ua_r_init(&r, "\x00\x00\x03", 3);
    assert_int_equal(ua_get_extobj(&r, &bad), -1);
    ua_extobj_clear(&bad);
}

static void test_variant(void **state)
{
    (void)state;
    ua_variant null = {0};
    roundtrip(UA_VARIANT, &null, BYTES(0x00));
    int32_t i = 7;
    ua_variant scalar = {UA_INT32, false, 1, &i, 0, NULL};
    roundtrip(UA_VARIANT, &scalar, BYTES(0x06, 7, 0, 0, 0));
    int32_t arr[] = {1, -1};
    ua_variant array = {UA_INT32, true, 2, arr, 0, NULL};
    roundtrip(UA_VARIANT, &array, BYTES(0x86, 2, 0, 0, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF));
    int32_t dims[] = {1, 2};
    ua_variant matrix = {UA_INT32, true, 2, arr, 2, dims};
    roundtrip(UA_VARIANT, &matrix,
              BYTES(0xC6, 2, 0, 0, 0, 1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 0, 0, 1, 0, 0, 0, 2,
                    0, 0, 0));
    ua_string ss[] = {str("a"), str(NULL)};
    ua_variant strings = {UA_STRING, true, 2, ss, 0, NULL};
    roundtrip(UA_VARIANT, &strings,
              BYTES(0x8C, 2, 0, 0, 0, 1, 0, 0, 0, 'a', 0xFF, 0xFF, 0xFF, 0xFF));
    ua_variant inner[] = {scalar, null};
    ua_variant nested = {UA_VARIANT, true, 2, inner, 0, NULL};
    roundtrip(UA_VARIANT, &nested, BYTES(0x98, 2, 0, 0, 0, 0x06, 7, 0, 0, 0, 0x00));
    /* a scalar Variant in a Variant is illegal; ids 26-31 read as ByteString */
    ua_r r;
    ua_variant v;
    ua_r_init(&r, "\x18\x00", 2);
    assert_int_equal(ua_get_variant(&r, &v), -1);
    ua_variant_clear(&v);
    ua_r_init(&r, "\x1A\x01\x00\x00\x00\x41", 6);
    assert_int_equal(ua_get_variant(&r, &v), 0);
    assert_int_equal(v.type, 26);
    assert_int_equal(((ua_string *)v.data)->len, 1);
    ua_variant_clear(&v);
    ua_r_init(&r, "\x20", 1); /* type 32 */
    assert_int_equal(ua_get_variant(&r, &v), -1);
    ua_variant_clear(&v);
}

static void test_variant_depth(void **state)
{
    (void)state;
    /* 200 nested one-element Variant arrays: refused at depth 100, freed without leaks */
    strbuf w = STRBUF_INIT;
    for (int i = 0; i < 200; i++) {
        ua_put_u8(&w, 0x98);
        ua_put_i32(&w, 1);
    }
    ua_put_u8(&w, 0);
    ua_r r;
    ua_variant v;
    ua_r_init(&r, w.buf, w.len);
    assert_int_equal(ua_get_variant(&r, &v), -1);
    assert_string_equal(r.why, "nesting too deep");
    ua_variant_clear(&v);
    sb_free(&w);
}

static void test_datavalue(void **state)
{
    (void)state;
    ua_datavalue empty = {0};
    roundtrip(UA_DATAVALUE, &empty, BYTES(0x00));
    double d = 42.5;
    ua_datavalue dv = {0x3F, {UA_DOUBLE, false, 1, &d, 0, NULL}, 0x40920000u, 0x0102, 7, 0x0304, 9};
    /* wire order: value, status, source ts, source ps, server ts, server ps */
    roundtrip(UA_DATAVALUE, &dv,
              BYTES(0x3F, 0x0B, 0, 0, 0, 0, 0, 0x40, 0x45, 0x40, 0x00, 0x00, 0x92, 0x40, 0x02, 0x01,
                    0, 0, 0, 0, 0, 0, 7, 0, 0x04, 0x03, 0, 0, 0, 0, 0, 0, 9, 0));
    ua_datavalue st = {UA_DV_STATUS, {0}, 0x80340000u, 0, 0, 0, 0};
    roundtrip(UA_DATAVALUE, &st, BYTES(0x02, 0x00, 0x00, 0x34, 0x80));
}

static void test_diaginfo(void **state)
{
    (void)state;
    ua_diaginfo none = {0};
    none.additional.len = -1;
    roundtrip(UA_DIAGNOSTICINFO, &none, BYTES(0x00));
    ua_diaginfo inner = {0x20, 0, 0, 0, 0, {-1, NULL}, 0x80000000u, NULL};
    ua_diaginfo all = {0x7F, 1, 2, 3, 4, str("x"), 0x80010000u, &inner}; /* locale 3, text 4 */
    /* Locale (0x08) comes before LocalizedText (0x04) on the wire */
    roundtrip(UA_DIAGNOSTICINFO, &all,
              BYTES(0x7F, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 'x', 0, 0,
                    0x01, 0x80, 0x20, 0, 0, 0, 0x80));
}

static void test_arrays(void **state)
{
    (void)state;
    strbuf w = STRBUF_INIT;
    uint32_t v[] = {1, 2};
    ua_put_array(&w, ua_type_of(UA_UINT32), v, 2);
    ua_put_array(&w, ua_type_of(UA_UINT32), NULL, -1);
    expect_bytes(&w, BYTES(2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF));
    ua_r r;
    void *e;
    int32_t n;
    ua_r_init(&r, w.buf, w.len);
    assert_int_equal(ua_get_array(&r, ua_type_of(UA_UINT32), &e, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(((uint32_t *)e)[1], 2);
    ua_array_free(ua_type_of(UA_UINT32), e, n);
    assert_int_equal(ua_get_array(&r, ua_type_of(UA_UINT32), &e, &n), 0);
    assert_int_equal(n, -1);
    /* a count larger than the message could hold is refused before allocating */
    ua_r_init(&r, "\xFF\xFF\xFF\x0F", 4);
    assert_int_equal(ua_get_array(&r, ua_type_of(UA_DOUBLE), &e, &n), -1);
    sb_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),          cmocka_unit_test(test_strings),
        cmocka_unit_test(test_datetime_guid),    cmocka_unit_test(test_nodeid_forms),
        cmocka_unit_test(test_expanded_nodeid),  cmocka_unit_test(test_qname_ltext),
        cmocka_unit_test(test_extension_object), cmocka_unit_test(test_variant),
        cmocka_unit_test(test_variant_depth),    cmocka_unit_test(test_datavalue),
        cmocka_unit_test(test_diaginfo),         cmocka_unit_test(test_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
