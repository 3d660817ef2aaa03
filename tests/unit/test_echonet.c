/* SPDX-License-Identifier: Apache-2.0 */
/* ECHONET Lite frames: encoding, decoding and matching, against the frames of a real BP35A1
 * trace (research/hems.md §8) and hand-built edge cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/broute/echonet.h"
#include "drivers/broute/hex.h"

#include <string.h>

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = strlen(hex) / 2;
    assert_int_equal(mdc_brt_hex_decode(hex, n, out), 0);
    return n;
}

static void get_request(mdc_el_frame *f, uint16_t tid, const uint8_t *epcs, unsigned n)
{
    memset(f, 0, sizeof *f);
    f->tid = tid;
    f->seoj = MDC_EL_EOJ_CONTROLLER;
    f->deoj = MDC_EL_EOJ_SMART_METER;
    f->esv = MDC_EL_GET;
    f->opc = (uint8_t)n;
    for (unsigned i = 0; i < n; i++)
        f->props[i].epc = epcs[i];
}

static void expect_encoded(const mdc_el_frame *f, const char *hex)
{
    uint8_t buf[256];
    char out[520];
    size_t n = mdc_el_encode(f, buf, sizeof buf);
    assert_true(n > 0);
    mdc_brt_hex_encode(buf, n, out);
    assert_string_equal(out, hex);
}

static void test_encode_get(void **state)
{
    (void)state;
    mdc_el_frame f;
    /* the seed's single-property Get: 14 bytes, SKSENDTO length 000E */
    get_request(&f, 1, (const uint8_t[]){0xE1}, 1);
    expect_encoded(&f, "1081000105FF010288016201E100");
    /* a multi-property Get */
    get_request(&f, 0x1234, (const uint8_t[]){0xE0, 0xE7, 0xE8, 0xEA}, 4);
    expect_encoded(&f, "1081123405FF010288016204E000E700E800EA00");
    /* SetC E5 = 01 ("yesterday"): 15 bytes, 000F */
    uint8_t day = 1;
    memset(&f, 0, sizeof f);
    f.tid = 8;
    f.seoj = MDC_EL_EOJ_CONTROLLER;
    f.deoj = MDC_EL_EOJ_SMART_METER;
    f.esv = MDC_EL_SETC;
    f.opc = 1;
    f.props[0] = (mdc_el_prop){0xE5, 1, &day};
    expect_encoded(&f, "1081000805FF010288016101E50101");
    /* limits: no property, too many, too small a buffer */
    uint8_t buf[16];
    f.opc = 0;
    assert_int_equal(mdc_el_encode(&f, buf, sizeof buf), 0);
    f.opc = MDC_EL_MAX_PROPS + 1;
    assert_int_equal(mdc_el_encode(&f, buf, sizeof buf), 0);
    get_request(&f, 1, (const uint8_t[]){0xE0, 0xE7}, 2);
    assert_int_equal(mdc_el_encode(&f, buf, 15), 0);
    assert_int_equal(mdc_el_encode(&f, buf, 16), 16);
}

/* The responses of the real BP35A1 trace. */
static void test_decode_real_trace(void **state)
{
    (void)state;
    uint8_t b[128];
    mdc_el_frame f;
    mdc_err err = {0};
    /* E1 unit 0x02 (0.01 kWh) */
    size_t n = unhex("1081000102880105FF017201E10102", b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
    assert_int_equal(f.tid, 1);
    assert_int_equal(f.seoj, 0x028801);
    assert_int_equal(f.deoj, 0x05FF01);
    assert_int_equal(f.esv, MDC_EL_GET_RES);
    assert_int_equal(f.opc, 1);
    assert_int_equal(f.props[0].epc, 0xE1);
    assert_int_equal(f.props[0].pdc, 1);
    assert_int_equal(f.props[0].edt[0], 0x02);
    /* D3 answered with Get_SNA, PDC 0 */
    n = unhex("1081000202880105FF015201D300", b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
    assert_true(mdc_el_is_sna(f.esv));
    assert_int_equal(f.props[0].pdc, 0);
    assert_null(f.props[0].edt);
    /* EA: 2022-08-01 20:00:00, 76999 */
    n = unhex("1081000402880105FF017201EA0B07E6080114000000012CC7", b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
    const mdc_el_prop *ea = mdc_el_find(&f, 0xEA);
    assert_non_null(ea);
    assert_int_equal(ea->pdc, 11);
    assert_memory_equal(ea->edt, "\x07\xE6\x08\x01\x14\x00\x00\x00\x01\x2C\xC7", 11);
    /* the multicast instance list INF from the node profile */
    n = unhex("108103610EF0010EF0017301D50401028801", b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
    assert_int_equal(f.tid, 0x0361);
    assert_int_equal(f.seoj, MDC_EL_EOJ_NODE);
    assert_int_equal(f.esv, MDC_EL_INF);
    assert_int_equal(f.props[0].epc, 0xD5);
    assert_memory_equal(f.props[0].edt, "\x01\x02\x88\x01", 4);
    /* a multi-property Get_Res: E7 1192 W and E8 9.8/3.4 A in one frame */
    n = unhex("1081000502880105FF017202E704000004A8E80400620022", b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
    assert_int_equal(f.opc, 2);
    assert_memory_equal(mdc_el_find(&f, 0xE8)->edt, "\x00\x62\x00\x22", 4);
    assert_null(mdc_el_find(&f, 0xE0));
}

static void expect_decode_error(const char *hex, const char *msg)
{
    uint8_t b[128];
    mdc_el_frame f;
    mdc_err err = {0};
    size_t n = unhex(hex, b);
    assert_int_equal(mdc_el_decode(b, n, &f, &err), -1);
    assert_int_equal(err.code, MDC_EPROTO);
    assert_string_equal(err.msg, msg);
}

static void test_decode_errors(void **state)
{
    (void)state;
    expect_decode_error("1081000102880105FF", "ECHONET Lite frame too short (9 bytes, need 12)");
    expect_decode_error("1082000102880105FF017201E10102",
                        "not an ECHONET Lite frame (header 1082, expected 1081)");
    expect_decode_error("1081000102880105FF017200", "ECHONET Lite frame with OPC 0");
    expect_decode_error("1081000102880105FF017202E10102",
                        "ECHONET Lite frame truncated: property 2 of 2 missing");
    expect_decode_error("1081000102880105FF017201E10402",
                        "ECHONET Lite frame truncated: property 1 (EPC 0xE1) has PDC 4 but only 1 "
                        "bytes follow");
    expect_decode_error("1081000102880105FF017201E1010200",
                        "ECHONET Lite frame has 1 bytes after its last property");
    expect_decode_error("1081000102880105FF017E01E10102",
                        "ECHONET Lite SetGet (ESV 7E) is not supported");
    expect_decode_error("1081000102880105FF017221E10102",
                        "ECHONET Lite frame with 33 properties (at most 32)");
}

static void expect_match(const mdc_el_frame *req, const char *res_hex, const char *msg)
{
    uint8_t b[128];
    mdc_el_frame res;
    mdc_err err = {0};
    size_t n = unhex(res_hex, b);
    assert_int_equal(mdc_el_decode(b, n, &res, &err), 0);
    int rc = mdc_el_match(req, &res, &err);
    if (!msg) {
        if (rc != 0) fail_msg("%s: %s", res_hex, err.msg);
        return;
    }
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, msg);
}

static void test_match(void **state)
{
    (void)state;
    mdc_el_frame req;
    get_request(&req, 5, (const uint8_t[]){0xE7, 0xE8}, 2);
    expect_match(&req, "1081000502880105FF017202E704000004A8E80400620022", NULL);
    /* Get_SNA with one property missing still answers */
    expect_match(&req, "1081000502880105FF015202E704000004A8E800", NULL);
    expect_match(&req, "1081000402880105FF017202E704000004A8E80400620022",
                 "TID 0004, expected 0005");
    expect_match(&req, "1081000502880205FF017202E704000004A8E80400620022",
                 "objects 028802->05FF01, expected 028801->05FF01");
    expect_match(&req, "1081000502880105FF017102E700E800", "Set_Res does not answer Get");
    expect_match(&req, "1081000502880105FF017201E704000004A8", "1 properties, expected 2");
    expect_match(&req, "1081000502880105FF017202E80400620022E704000004A8",
                 "property 1 is EPC 0xE8, expected 0xE7");
    expect_match(&req, "1081000502880105FF017302E704000004A8E80400620022",
                 "INF does not answer Get");
    /* a request to instance 0 accepts any instance */
    req.deoj = 0x028800;
    expect_match(&req, "1081000502880105FF017202E704000004A8E80400620022", NULL);
    /* names */
    char buf[16];
    assert_string_equal(mdc_el_esv_name(0x52, buf, sizeof buf), "Get_SNA");
    assert_string_equal(mdc_el_esv_name(0x99, buf, sizeof buf), "ESV 0x99");
    uint8_t ok, sna;
    assert_int_equal(mdc_el_response_esv(MDC_EL_SETC, &ok, &sna), 0);
    assert_int_equal(ok, MDC_EL_SET_RES);
    assert_int_equal(sna, MDC_EL_SETC_SNA);
    assert_int_equal(mdc_el_response_esv(MDC_EL_GET_RES, &ok, &sna), -1);
}

static void test_roundtrip(void **state)
{
    (void)state;
    static const char *const frames[] = {
        "1081000102880105FF017201E10102",
        "1081000202880105FF015201D300",
        "108103610EF0010EF0017301D50401028801",
        "1081000502880105FF017204E00400012CC7E704000004A8E80400620022EA0B07E6080114000000012CC7",
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        uint8_t b[128], again[128];
        mdc_el_frame f;
        mdc_err err;
        size_t n = unhex(frames[i], b);
        assert_int_equal(mdc_el_decode(b, n, &f, &err), 0);
        assert_int_equal(mdc_el_encode(&f, again, sizeof again), n);
        assert_memory_equal(again, b, n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_get),    cmocka_unit_test(test_decode_real_trace),
        cmocka_unit_test(test_decode_errors), cmocka_unit_test(test_match),
        cmocka_unit_test(test_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
