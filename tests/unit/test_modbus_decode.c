/* SPDX-License-Identifier: Apache-2.0 */
/* Register decoding: every type and order against hand-computed registers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/modbus/decode.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mdc_mb_format fmt(mdc_mb_type t, mdc_mb_order o, int bpr)
{
    mdc_mb_format f;
    mdc_mb_format_init(&f);
    f.type = t;
    f.order = o;
    f.bytes_per_register = bpr;
    return f;
}

static mdc_value dec(const mdc_mb_format *f, const uint16_t *r, size_t n)
{
    mdc_value v;
    mdc_err err = {0};
    int rc = mdc_mb_decode(f, -1, r, n, &v, &err);
    if (rc != 0) fail_msg("decode failed: %s", err.msg);
    return v;
}

static void expect_int(mdc_mb_type t, mdc_mb_order o, int bpr, const uint16_t *r, size_t n,
                       int64_t want)
{
    mdc_mb_format f = fmt(t, o, bpr);
    mdc_value v = dec(&f, r, n);
    assert_int_equal(v.type, MDC_INT);
    assert_true(v.u.i == want);
}

static void expect_double(const mdc_mb_format *f, const uint16_t *r, size_t n, double want)
{
    mdc_value v = dec(f, r, n);
    assert_int_equal(v.type, MDC_DOUBLE);
    if (v.u.d != want) fail_msg("got %.17g, want %.17g", v.u.d, want);
}

static void expect_error(const mdc_mb_format *f, int address, const uint16_t *r, size_t n, int code,
                         const char *msg)
{
    mdc_value v;
    mdc_err err = {0};
    assert_int_equal(mdc_mb_decode(f, address, r, n, &v, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, msg);
    assert_int_equal(v.type, MDC_NULL);
}

static void test_float32_orders(void **state)
{
    (void)state;
    /* 230.5f = 0x43668000 */
    static const uint16_t abcd[] = {0x4366, 0x8000}, cdab[] = {0x8000, 0x4366},
                          badc[] = {0x6643, 0x0080}, dcba[] = {0x0080, 0x6643};
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2);
    expect_double(&f, abcd, 2, 230.5);
    f.order = MDC_MB_ORDER_WORDSWAP;
    expect_double(&f, cdab, 2, 230.5);
    f.order = MDC_MB_ORDER_BYTESWAP;
    expect_double(&f, badc, 2, 230.5);
    f.order = MDC_MB_ORDER_LE;
    expect_double(&f, dcba, 2, 230.5);
}

static void test_belmc_vector(void **state)
{
    (void)state;
    /* research/belmc.md §4: 230.5 = regs [0x80,0x00,0x43,0x66], CDAB, one byte per register */
    static const uint16_t r[] = {0x80, 0x00, 0x43, 0x66};
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_WORDSWAP, 1);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_FLOAT32, 1, 0), 4);
    expect_double(&f, r, 4, 230.5);
    f.decimals = 4;
    expect_double(&f, r, 4, 230.5);
    /* ABCD one byte per register */
    static const uint16_t r2[] = {0x43, 0x66, 0x80, 0x00};
    f.order = MDC_MB_ORDER_BE;
    expect_double(&f, r2, 4, 230.5);
}

static void test_belmc_energy(void **state)
{
    (void)state;
    /* 1234568 Wh = 0x0012D688, CDAB, one byte per register: C D A B = D6 88 00 12 */
    static const uint16_t r[] = {0xD6, 0x88, 0x00, 0x12};
    mdc_mb_format f = fmt(MDC_MB_INT32, MDC_MB_ORDER_WORDSWAP, 1);
    expect_int(MDC_MB_INT32, MDC_MB_ORDER_WORDSWAP, 1, r, 4, 1234568);
    f.scale = 0.001;
    f.decimals = 4;
    expect_double(&f, r, 4, 1234.568);
    f.decimals = -1; /* division by 1000, not multiplication by 0.001 */
    expect_double(&f, r, 4, 1234.568);
}

static void test_bpr1_out_of_range(void **state)
{
    (void)state;
    static const uint16_t r[] = {0x80, 0x100, 0x43, 0x66};
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_WORDSWAP, 1);
    expect_error(&f, 4199, r, 4, MDC_EINVAL,
                 "register 4200 is 0x0100, above 0xFF: bytes_per_register 1 expects one byte "
                 "per register");
    expect_error(&f, -1, r, 4, MDC_EINVAL,
                 "register 2 of 4 is 0x0100, above 0xFF: bytes_per_register 1 expects one byte "
                 "per register");
}

static void test_16bit(void **state)
{
    (void)state;
    static const uint16_t a[] = {0xFFFF}, b[] = {0x8000}, c[] = {0x1234};
    expect_int(MDC_MB_UINT16, MDC_MB_ORDER_BE, 2, a, 1, 65535);
    expect_int(MDC_MB_INT16, MDC_MB_ORDER_BE, 2, a, 1, -1);
    expect_int(MDC_MB_INT16, MDC_MB_ORDER_BE, 2, b, 1, -32768);
    expect_int(MDC_MB_UINT16, MDC_MB_ORDER_BYTESWAP, 2, c, 1, 0x3412);
    /* one byte per register: a uint16 spans two registers */
    static const uint16_t d[] = {0x12, 0x34};
    assert_int_equal(mdc_mb_point_registers(MDC_MB_UINT16, 1, 0), 2);
    expect_int(MDC_MB_UINT16, MDC_MB_ORDER_BE, 1, d, 2, 0x1234);
    expect_int(MDC_MB_UINT16, MDC_MB_ORDER_BYTESWAP, 1, d, 2, 0x3412);
}

static void test_32bit_ints(void **state)
{
    (void)state;
    static const uint16_t m2[] = {0xFFFF, 0xFFFE}, m2cdab[] = {0xFFFE, 0xFFFF};
    expect_int(MDC_MB_INT32, MDC_MB_ORDER_BE, 2, m2, 2, -2);
    expect_int(MDC_MB_INT32, MDC_MB_ORDER_WORDSWAP, 2, m2cdab, 2, -2);
    expect_int(MDC_MB_UINT32, MDC_MB_ORDER_BE, 2, m2, 2, 4294967294LL);
    static const uint16_t v[] = {0x0102, 0x0304};
    expect_int(MDC_MB_UINT32, MDC_MB_ORDER_BE, 2, v, 2, 0x01020304);
    expect_int(MDC_MB_UINT32, MDC_MB_ORDER_WORDSWAP, 2, v, 2, 0x03040102);
    expect_int(MDC_MB_UINT32, MDC_MB_ORDER_BYTESWAP, 2, v, 2, 0x02010403);
    expect_int(MDC_MB_UINT32, MDC_MB_ORDER_LE, 2, v, 2, 0x04030201);
    static const uint16_t mn[] = {0x8000, 0x0000};
    expect_int(MDC_MB_INT32, MDC_MB_ORDER_BE, 2, mn, 2, INT32_MIN);
}

static void test_64bit_orders(void **state)
{
    (void)state;
    const int64_t want = 0x0102030405060708LL;
    static const uint16_t be[] = {0x0102, 0x0304, 0x0506, 0x0708},
                          ws[] = {0x0708, 0x0506, 0x0304, 0x0102},
                          bs[] = {0x0201, 0x0403, 0x0605, 0x0807},
                          le[] = {0x0807, 0x0605, 0x0403, 0x0201};
    expect_int(MDC_MB_UINT64, MDC_MB_ORDER_BE, 2, be, 4, want);
    expect_int(MDC_MB_UINT64, MDC_MB_ORDER_WORDSWAP, 2, ws, 4, want);
    expect_int(MDC_MB_UINT64, MDC_MB_ORDER_BYTESWAP, 2, bs, 4, want);
    expect_int(MDC_MB_UINT64, MDC_MB_ORDER_LE, 2, le, 4, want);
    static const uint16_t neg[] = {0xFFFF, 0xFEE0, 0x8E04, 0xFB35};
    expect_int(MDC_MB_INT64, MDC_MB_ORDER_BE, 2, neg, 4, -1234567890123LL);
    /* one byte per register: 8 registers */
    static const uint16_t b1[] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(mdc_mb_point_registers(MDC_MB_INT64, 1, 0), 8);
    expect_int(MDC_MB_INT64, MDC_MB_ORDER_BE, 1, b1, 8, want);
}

static void test_uint64_above_int64(void **state)
{
    (void)state;
    static const uint16_t r[] = {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF};
    mdc_mb_format f = fmt(MDC_MB_UINT64, MDC_MB_ORDER_BE, 2);
    expect_double(&f, r, 4, 18446744073709551615.0);
    static const uint16_t mx[] = {0x7FFF, 0xFFFF, 0xFFFF, 0xFFFF};
    expect_int(MDC_MB_UINT64, MDC_MB_ORDER_BE, 2, mx, 4, INT64_MAX);
}

static void test_float64(void **state)
{
    (void)state;
    /* 1234.5678 = 0x40934A456D5CFAAD */
    static const uint16_t be[] = {0x4093, 0x4A45, 0x6D5C, 0xFAAD},
                          ws[] = {0xFAAD, 0x6D5C, 0x4A45, 0x4093};
    mdc_mb_format f = fmt(MDC_MB_FLOAT64, MDC_MB_ORDER_BE, 2);
    expect_double(&f, be, 4, 1234.5678);
    f.order = MDC_MB_ORDER_WORDSWAP;
    expect_double(&f, ws, 4, 1234.5678);
    f.order = MDC_MB_ORDER_LE;
    static const uint16_t le[] = {0xADFA, 0x5C6D, 0x454A, 0x9340};
    expect_double(&f, le, 4, 1234.5678);
}

static void test_nan_inf(void **state)
{
    (void)state;
    static const uint16_t nan32[] = {0x7FC0, 0x0000}, inf32[] = {0xFF80, 0x0000};
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2);
    expect_error(&f, -1, nan32, 2, MDC_EDEVICE, "not a number (float32 0x7FC00000, NaN)");
    expect_error(&f, -1, inf32, 2, MDC_EDEVICE, "not a number (float32 0xFF800000, Inf)");
    static const uint16_t nan64[] = {0x7FF8, 0, 0, 0};
    f.type = MDC_MB_FLOAT64;
    expect_error(&f, -1, nan64, 4, MDC_EDEVICE, "not a number (float64 0x7FF8000000000000, NaN)");
}

static void test_na_markers(void **state)
{
    (void)state;
    static const uint16_t ff[] = {0xFFFF, 0xFFFF}, mx[] = {0x7FFF, 0xFFFF}, mn[] = {0x8000, 0x0000};
    mdc_mb_format f = fmt(MDC_MB_UINT32, MDC_MB_ORDER_BE, 2);
    expect_int(MDC_MB_UINT32, MDC_MB_ORDER_BE, 2, ff, 2, 0xFFFFFFFFLL); /* off by default */
    f.na_markers = true;
    expect_error(&f, -1, ff, 2, MDC_EDEVICE, "not available (marker 0xFFFFFFFF)");
    f.type = MDC_MB_INT32;
    expect_error(&f, -1, mx, 2, MDC_EDEVICE, "not available (marker 0x7FFFFFFF)");
    expect_error(&f, -1, mn, 2, MDC_EDEVICE, "not available (marker 0x80000000)");
    f.type = MDC_MB_INT16;
    expect_error(&f, -1, mx, 1, MDC_EDEVICE, "not available (marker 0x7FFF)");
    f.type = MDC_MB_UINT16;
    expect_error(&f, -1, ff, 1, MDC_EDEVICE, "not available (marker 0xFFFF)");
    f.type = MDC_MB_INT16; /* 0xFFFF is -1, a real value for int16 */
    mdc_value v = dec(&f, ff, 1);
    assert_true(v.type == MDC_INT && v.u.i == -1);
    static const uint16_t ff64[] = {0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF};
    f.type = MDC_MB_UINT64;
    expect_error(&f, -1, ff64, 4, MDC_EDEVICE, "not available (marker 0xFFFFFFFFFFFFFFFF)");
}

static void test_bool(void **state)
{
    (void)state;
    static const uint16_t one[] = {1}, zero[] = {0}, reg[] = {0x0100};
    mdc_mb_format f = fmt(MDC_MB_BOOL, MDC_MB_ORDER_BE, 2);
    mdc_value v = dec(&f, one, 1);
    assert_int_equal(v.type, MDC_BOOL);
    assert_true(v.u.b);
    v = dec(&f, zero, 1);
    assert_false(v.u.b);
    v = dec(&f, reg, 1);
    assert_true(v.u.b);
}

static void expect_str(mdc_mb_order o, int bpr, const uint16_t *r, size_t n, const char *want)
{
    mdc_mb_format f = fmt(MDC_MB_STRING, o, bpr);
    f.length = (int)n;
    mdc_value v = dec(&f, r, n);
    assert_int_equal(v.type, MDC_STRING);
    assert_string_equal(v.u.s, want);
    mdc_value_free(&v);
}

static void test_strings(void **state)
{
    (void)state;
    static const uint16_t sdm[] = {0x5344, 0x4D36, 0x3330, 0x0000};
    expect_str(MDC_MB_ORDER_BE, 2, sdm, 4, "SDM630");
    static const uint16_t sp[] = {0x2041, 0x4220, 0x2020};
    expect_str(MDC_MB_ORDER_BE, 2, sp, 3, " AB");
    static const uint16_t np[] = {0x4101, 0x5C7F};
    expect_str(MDC_MB_ORDER_BE, 2, np, 2, "A\\x01\\\\\\x7F");
    static const uint16_t sw[] = {0x4453, 0x364D};
    expect_str(MDC_MB_ORDER_BYTESWAP, 2, sw, 2, "SDM6");
    static const uint16_t b1[] = {'O', 'K', ' ', 0};
    expect_str(MDC_MB_ORDER_BE, 1, b1, 4, "OK");
    static const uint16_t empty[] = {0, 0};
    expect_str(MDC_MB_ORDER_BE, 2, empty, 2, "");
    static const uint16_t bad[] = {'A', 0x141};
    mdc_mb_format f = fmt(MDC_MB_STRING, MDC_MB_ORDER_BE, 1);
    f.length = 2;
    expect_error(&f, 10, bad, 2, MDC_EINVAL,
                 "register 11 is 0x0141, above 0xFF: bytes_per_register 1 expects one byte per "
                 "register");
}

static void test_register_count(void **state)
{
    (void)state;
    assert_int_equal(mdc_mb_point_registers(MDC_MB_BOOL, 2, 0), 1);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_INT16, 2, 0), 1);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_FLOAT32, 2, 0), 2);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_FLOAT64, 2, 0), 4);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_FLOAT64, 1, 0), 8);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_STRING, 2, 8), 8);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_STRING, 2, 0), -1);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_STRING, 2, 126), -1);
    assert_int_equal(mdc_mb_point_registers(MDC_MB_FLOAT32, 3, 0), -1);
    /* wrong number of registers */
    static const uint16_t r[] = {1, 2, 3};
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2);
    expect_error(&f, -1, r, 3, MDC_EINVAL, "float32 needs 2 registers, got 3");
}

static void test_parse_names(void **state)
{
    (void)state;
    mdc_mb_type t;
    mdc_mb_order o;
    mdc_err err;
    assert_int_equal(mdc_mb_type_parse("float32", &t, &err), 0);
    assert_int_equal(t, MDC_MB_FLOAT32);
    assert_int_equal(mdc_mb_type_parse("float", &t, &err), -1);
    assert_string_equal(err.msg, "unknown type 'float' (allowed: bool, uint16, int16, uint32, "
                                 "int32, uint64, int64, float32, float64, string)");
    assert_int_equal(mdc_mb_order_parse("CDAB", MDC_MB_FLOAT32, &o, &err), 0);
    assert_int_equal(o, MDC_MB_ORDER_WORDSWAP);
    assert_int_equal(mdc_mb_order_parse("ghefcdab", MDC_MB_INT64, &o, &err), 0);
    assert_int_equal(o, MDC_MB_ORDER_WORDSWAP);
    assert_int_equal(mdc_mb_order_parse("HGFEDCBA", MDC_MB_FLOAT64, &o, &err), 0);
    assert_int_equal(o, MDC_MB_ORDER_LE);
    assert_int_equal(mdc_mb_order_parse("BA", MDC_MB_UINT16, &o, &err), 0);
    assert_int_equal(o, MDC_MB_ORDER_BYTESWAP);
    assert_int_equal(mdc_mb_order_parse("CDAB", MDC_MB_FLOAT64, &o, &err), -1);
    assert_string_equal(err.msg, "unknown order 'CDAB' for float64 (allowed: ABCDEFGH, "
                                 "GHEFCDAB, BADCFEHG, HGFEDCBA)");
    assert_int_equal(mdc_mb_order_parse("AB", MDC_MB_BOOL, &o, &err), -1);
    assert_string_equal(mdc_mb_order_name(MDC_MB_ORDER_WORDSWAP, MDC_MB_FLOAT32), "CDAB");
    assert_string_equal(mdc_mb_order_name(MDC_MB_ORDER_BYTESWAP, MDC_MB_UINT64), "BADCFEHG");
    assert_string_equal(mdc_mb_order_name(MDC_MB_ORDER_LE, MDC_MB_INT16), "BA");
}

static void test_shortest_float(void **state)
{
    (void)state;
    assert_true(mdc_mb_float_to_double(230.1f) == 230.1);
    assert_true(mdc_mb_float_to_double(0.1f) == 0.1);
    assert_true(mdc_mb_float_to_double(50.0f) == 50.0);
    assert_true(mdc_mb_float_to_double(-3.3f) == -3.3);
    assert_true(mdc_mb_float_to_double(1e-45f) == 1e-45);
    assert_true(mdc_mb_float_to_double(16777216.0f) == 16777216.0);
    assert_true(mdc_mb_float_to_double(3.4028235e38f) == 3.4028235e38);
    /* through the decoder: 230.1f = 0x43661999 */
    static const uint16_t r[] = {0x4366, 0x199A};
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2);
    expect_double(&f, r, 2, 230.1);
    char buf[40];
    mdc_mb_format_double(230.1, buf, sizeof buf);
    assert_string_equal(buf, "230.1");
    mdc_mb_format_double(0.30000000000000004, buf, sizeof buf);
    assert_string_equal(buf, "0.30000000000000004");
    mdc_mb_format_double(NAN, buf, sizeof buf);
    assert_string_equal(buf, "nan");
}

/* The shortest decimal of positive floats across every binade (subnormals to FLT_MAX, powers
 * of ten and their neighbours) equals the one printf finds by trying 1..9 digits. */
static void test_shortest_float_sweep(void **state)
{
    (void)state;
    for (uint32_t bits = 1; bits < 0x7f800000u; bits += 65521) {
        for (int k = 0; k < 2; k++) {
            float f;
            uint32_t b = k ? bits ^ 1u : bits;
            memcpy(&f, &b, sizeof f);
            char want[40];
            for (int p = 1; p <= 9; p++) {
                snprintf(want, sizeof want, "%.*g", p, (double)f);
                if (strtof(want, NULL) == f) break;
            }
            double got = mdc_mb_float_to_double(f);
            if (got != strtod(want, NULL)) fail_msg("%a: got %.17g, want %s", (double)f, got, want);
        }
    }
    for (int e = -45; e <= 38; e++) { /* 10^e and the floats on each side of it */
        char s[16];
        snprintf(s, sizeof s, "1e%d", e);
        float f = strtof(s, NULL);
        float around[] = {f, nextafterf(f, 0), nextafterf(f, INFINITY)};
        for (int i = 0; i < 3; i++) {
            char want[40];
            for (int p = 1; p <= 9; p++) {
                snprintf(want, sizeof want, "%.*g", p, (double)around[i]);
                if (strtof(want, NULL) == around[i]) break;
            }
            assert_true(mdc_mb_float_to_double(around[i]) == strtod(want, NULL));
        }
    }
}

static void test_scaling(void **state)
{
    (void)state;
    static const uint16_t r[] = {2301};
    mdc_mb_format f = fmt(MDC_MB_UINT16, MDC_MB_ORDER_BE, 2);
    f.scale = 0.1;
    expect_double(&f, r, 1, 230.1);
    f.scale = 0.5;
    f.offset = -10;
    expect_double(&f, r, 1, 1140.5);
    f.scale = 1;
    f.offset = 0;
    f.decimals = 0; /* decimals alone turns an integer into a double */
    expect_double(&f, r, 1, 2301.0);
    static const uint16_t neg[] = {0xFFF6}; /* -10 */
    f = fmt(MDC_MB_INT16, MDC_MB_ORDER_BE, 2);
    f.scale = 0.01;
    expect_double(&f, neg, 1, -0.1);
    /* float with scale and decimals: 230.1 V * 1000 = 230100 mV */
    static const uint16_t fl[] = {0x4366, 0x199A};
    f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2);
    f.scale = 1000;
    f.decimals = 3;
    expect_double(&f, fl, 2, 230100.0);
}

/* "rounding": "python": BELmc's round(struct.unpack('>f', ...)[0], 4) and round(raw / 1000, 4)
 * — the exact value, ties to even — where the default rounds the shortest decimal. */
static void test_rounding_python(void **state)
{
    (void)state;
    static const uint16_t v206[] = {0x434E, 0x3C88}; /* 206.23645f = 206.2364501953125 */
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2);
    f.decimals = 4;
    expect_double(&f, v206, 2, 206.2364); /* "206.23645", half away from zero... of 206.2364499… */
    f.rounding = MDC_MB_ROUND_PYTHON;
    expect_double(&f, v206, 2, 206.2365);
    f.decimals = -1; /* no rounding: the float32's exact value, as Python has it */
    expect_double(&f, v206, 2, 206.2364501953125);
    /* 1 byte per register, CDAB (the Delta PLC): 230.1f */
    static const uint16_t b230[] = {0x19, 0x9A, 0x43, 0x66};
    f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_WORDSWAP, 1);
    f.decimals = 4;
    f.rounding = MDC_MB_ROUND_PYTHON;
    expect_double(&f, b230, 4, 230.1);
    /* int32 / 1000 giving an exact binary tie: 31250 Wh = 31.25 kWh to one decimal */
    static const uint16_t tie[] = {0x0000, 0x7A12};
    f = fmt(MDC_MB_INT32, MDC_MB_ORDER_BE, 2);
    f.scale = 0.001;
    f.decimals = 1;
    expect_double(&f, tie, 2, 31.3); /* half away from zero */
    f.rounding = MDC_MB_ROUND_PYTHON;
    expect_double(&f, tie, 2, 31.2); /* Python: round(31.25, 1) = 31.2 */
}

static void test_rounding(void **state)
{
    (void)state;
    assert_true(mdc_mb_round(0.5, 0) == 1.0);
    assert_true(mdc_mb_round(-0.5, 0) == -1.0);
    assert_true(mdc_mb_round(2.5, 0) == 3.0);
    assert_true(mdc_mb_round(0.125, 2) == 0.13);
    assert_true(mdc_mb_round(-0.125, 2) == -0.13);
    assert_true(mdc_mb_round(2.675, 2) == 2.67); /* binary 2.67499999… */
    assert_true(mdc_mb_round(1234.56789, 4) == 1234.5679);
    assert_true(mdc_mb_round(230.10000610351562, 4) == 230.1);
    assert_true(mdc_mb_round(-0.00001, 4) == 0.0);
    assert_false(signbit(mdc_mb_round(-0.00001, 4)));
    assert_true(mdc_mb_round(1e300, 4) == 1e300);
    assert_true(isnan(mdc_mb_round(NAN, 2)));
}

static void test_format_check(void **state)
{
    (void)state;
    mdc_err err;
    mdc_mb_format f = fmt(MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 3);
    assert_int_equal(mdc_mb_format_check(&f, &err), -1);
    assert_string_equal(err.msg, "bytes_per_register must be 1 or 2 (got 3)");
    f = fmt(MDC_MB_STRING, MDC_MB_ORDER_BE, 2);
    assert_int_equal(mdc_mb_format_check(&f, &err), -1);
    assert_string_equal(err.msg, "string length must be 1..125 registers (got 0)");
    f = fmt(MDC_MB_INT16, MDC_MB_ORDER_BE, 2);
    f.decimals = 16;
    assert_int_equal(mdc_mb_format_check(&f, &err), -1);
    f.decimals = 2;
    f.scale = 0;
    assert_int_equal(mdc_mb_format_check(&f, &err), -1);
    f.scale = NAN;
    assert_int_equal(mdc_mb_format_check(&f, &err), -1);
}

static void test_encode_roundtrip(void **state)
{
    (void)state;
    uint16_t r[8];
    mdc_mb_encode_float32(230.5f, MDC_MB_ORDER_WORDSWAP, 1, r);
    assert_int_equal(r[0], 0x80);
    assert_int_equal(r[1], 0x00);
    assert_int_equal(r[2], 0x43);
    assert_int_equal(r[3], 0x66);
    mdc_mb_encode_bits(0x0102030405060708ULL, 8, MDC_MB_ORDER_WORDSWAP, 2, r);
    assert_int_equal(r[0], 0x0708);
    assert_int_equal(r[3], 0x0102);
    mdc_mb_encode_bits(0x0102, 2, MDC_MB_ORDER_BYTESWAP, 2, r);
    assert_int_equal(r[0], 0x0201);
}

static void test_raw_hex(void **state)
{
    (void)state;
    static const uint16_t r[] = {0x80, 0x00, 0x43, 0x66};
    strbuf sb = STRBUF_INIT;
    mdc_mb_raw_hex(r, 4, &sb);
    assert_string_equal(sb_str(&sb), "0x0080 0x0000 0x0043 0x0066");
    sb_free(&sb);
}

static void test_raw_interpret(void **state)
{
    (void)state;
    static const uint16_t r[] = {0x4366, 0x8000};
    strbuf sb = STRBUF_INIT;
    mdc_mb_raw_interpret(r, 2, 2, &sb);
    assert_string_equal(sb_str(&sb), "uint16   AB        17254\n"
                                     "uint16   BA        26179\n"
                                     "int16    AB        17254\n"
                                     "int16    BA        26179\n"
                                     "uint32   ABCD      1130790912\n"
                                     "uint32   CDAB      2147500902\n"
                                     "uint32   BADC      1715667072\n"
                                     "uint32   DCBA      8414787\n"
                                     "int32    ABCD      1130790912\n"
                                     "int32    CDAB      -2147466394\n"
                                     "int32    BADC      1715667072\n"
                                     "int32    DCBA      8414787\n"
                                     "float32  ABCD      230.5\n"
                                     "float32  CDAB      -2.4178e-41\n"
                                     "float32  BADC      2.3021767e+23\n"
                                     "float32  DCBA      1.1791628e-38\n"
                                     "string   AB        \"Cf\\x80\"\n"
                                     "string   BA        \"fC\"\n");
    sb_free(&sb);
}

static void test_raw_interpret_bpr1(void **state)
{
    (void)state;
    static const uint16_t r[] = {0x80, 0x00, 0x43, 0x66};
    strbuf sb = STRBUF_INIT;
    mdc_mb_raw_interpret(r, 4, 1, &sb);
    const char *s = sb_str(&sb);
    assert_non_null(strstr(s, "float32  CDAB      230.5\n"));
    assert_non_null(strstr(s, "int32    ABCD      -2147466394\n")); /* 0x80004366 */
    sb_free(&sb);
    static const uint16_t bad[] = {0x80, 0x1FF};
    mdc_mb_raw_interpret(bad, 2, 1, &sb);
    assert_string_equal(sb_str(&sb),
                        "register 2 is 0x01FF, above 0xFF: not a one-byte-per-register layout\n");
    sb_free(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_float32_orders),
        cmocka_unit_test(test_belmc_vector),
        cmocka_unit_test(test_belmc_energy),
        cmocka_unit_test(test_bpr1_out_of_range),
        cmocka_unit_test(test_16bit),
        cmocka_unit_test(test_32bit_ints),
        cmocka_unit_test(test_64bit_orders),
        cmocka_unit_test(test_uint64_above_int64),
        cmocka_unit_test(test_float64),
        cmocka_unit_test(test_nan_inf),
        cmocka_unit_test(test_na_markers),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_register_count),
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_shortest_float),
        cmocka_unit_test(test_scaling),
        cmocka_unit_test(test_rounding),
        cmocka_unit_test(test_rounding_python),
        cmocka_unit_test(test_format_check),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_shortest_float_sweep),
        cmocka_unit_test(test_raw_hex),
        cmocka_unit_test(test_raw_interpret),
        cmocka_unit_test(test_raw_interpret_bpr1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
