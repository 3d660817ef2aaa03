/* SPDX-License-Identifier: Apache-2.0 */
/* LSV2 telegram codec: exact bytes of every request mdc sends, header decoding, partial and
 * malformed input, T_ER payloads of every length, error names and texts, buffer choice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/lsv2/telegram.h"

#include <string.h>

/* Bytes of a string literal without its final NUL. */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void expect_bytes(const uint8_t *got, size_t n, const uint8_t *want, size_t wn)
{
    assert_int_equal(n, wn);
    assert_memory_equal(got, want, wn);
}

static void expect_req(const lsv2_req *r, const char *what, const uint8_t *want, size_t wn)
{
    uint8_t buf[256];
    mdc_err err = {0};
    long n = lsv2_encode_req(r, buf, sizeof buf, &err);
    assert_true(n > 0);
    expect_bytes(buf, (size_t)n, want, wn);
    assert_string_equal(r->what, what);
}

static void test_login_requests(void **state)
{
    (void)state;
    lsv2_req r;
    mdc_err err = {0};
    assert_int_equal(lsv2_req_login(&r, "INSPECT", NULL, &err), 0);
    expect_req(&r, "A_LG INSPECT",
               B("\x00\x00\x00\x08"
                 "A_LGINSPECT\0"));
    assert_int_equal(lsv2_req_login(&r, "DNC", "", &err), 0);
    expect_req(&r, "A_LG DNC",
               B("\x00\x00\x00\x04"
                 "A_LGDNC\0"));
    assert_int_equal(lsv2_req_login(&r, "PLCDEBUG", "807667", &err), 0);
    expect_req(&r, "A_LG PLCDEBUG",
               B("\x00\x00\x00\x10"
                 "A_LGPLCDEBUG\0"
                 "807667\0"));
    assert_int_equal(lsv2_req_logout(&r, NULL, &err), 0);
    expect_req(&r, "A_LO",
               B("\x00\x00\x00\x00"
                 "A_LO"));
    assert_int_equal(lsv2_req_logout(&r, "DNC", &err), 0);
    expect_req(&r, "A_LO DNC",
               B("\x00\x00\x00\x04"
                 "A_LODNC\0"));
    char longpw[200];
    memset(longpw, 'x', sizeof longpw - 1);
    longpw[sizeof longpw - 1] = '\0';
    assert_int_equal(lsv2_req_login(&r, "PLCDEBUG", longpw, &err), -1);
    assert_string_equal(err.msg, "A_LG PLCDEBUG: the password is too long");
    assert_null(strstr(err.msg, "xxx")); /* never the secret */
}

static void test_read_requests(void **state)
{
    (void)state;
    lsv2_req r;
    lsv2_req_version(&r, 0);
    expect_req(&r, "R_VR",
               B("\x00\x00\x00\x00"
                 "R_VR"));
    lsv2_req_version(&r, 1);
    expect_req(&r, "R_VR 1",
               B("\x00\x00\x00\x01"
                 "R_VR\x01"));
    lsv2_req_params(&r);
    expect_req(&r, "R_PR",
               B("\x00\x00\x00\x00"
                 "R_PR"));
    lsv2_req_ccc(&r, LSV2_CC_SET_BUF4096);
    expect_req(&r, "C_CC 7",
               B("\x00\x00\x00\x02"
                 "C_CC\x00\x07"));
    lsv2_req_ccc(&r, LSV2_CC_SET_BUF2048);
    expect_req(&r, "C_CC 5",
               B("\x00\x00\x00\x02"
                 "C_CC\x00\x05"));
    lsv2_req_run_info(&r, LSV2_RI_EXEC_STATE);
    expect_req(&r, "R_RI 23",
               B("\x00\x00\x00\x02"
                 "R_RI\x00\x17"));
    lsv2_req_run_info(&r, LSV2_RI_PGM_STACK);
    expect_req(&r, "R_RI 24",
               B("\x00\x00\x00\x02"
                 "R_RI\x00\x18"));
    lsv2_req_run_info(&r, LSV2_RI_OVERRIDE);
    expect_req(&r, "R_RI 25",
               B("\x00\x00\x00\x02"
                 "R_RI\x00\x19"));
    lsv2_req_run_info(&r, LSV2_RI_PGM_STATE);
    expect_req(&r, "R_RI 26",
               B("\x00\x00\x00\x02"
                 "R_RI\x00\x1a"));
    lsv2_req_run_info(&r, LSV2_RI_FIRST_ERROR);
    expect_req(&r, "R_RI 27",
               B("\x00\x00\x00\x02"
                 "R_RI\x00\x1b"));
    lsv2_req_run_info(&r, LSV2_RI_NEXT_ERROR);
    expect_req(&r, "R_RI 28",
               B("\x00\x00\x00\x02"
                 "R_RI\x00\x1c"));
    /* M4170 with markers at 0x1000: 0x1000 + 4170 = 0x204a */
    lsv2_req_plc(&r, 0x204a, 1);
    expect_req(&r, "R_MB 0x204a+1",
               B("\x00\x00\x00\x05"
                 "R_MB\x00\x00\x20\x4a\x01"));
    lsv2_req_plc(&r, 0x01020304, 255);
    expect_req(&r, "R_MB 0x1020304+255",
               B("\x00\x00\x00\x05"
                 "R_MB\x01\x02\x03\x04\xff"));
}

static void test_encode_limits(void **state)
{
    (void)state;
    uint8_t buf[16];
    mdc_err err = {0};
    assert_int_equal(lsv2_encode("T_OK", NULL, 0, buf, 8, &err), 8);
    expect_bytes(buf, 8,
                 B("\x00\x00\x00\x00"
                   "T_OK"));
    assert_int_equal(lsv2_encode("T_OK", NULL, 0, buf, 7, &err), -1);
    assert_string_equal(err.msg, "T_OK telegram of 8 bytes does not fit in 7");
    assert_int_equal(lsv2_encode("T_O", NULL, 0, buf, 16, &err), -1);
    assert_string_equal(err.msg, "LSV2 code \"T_O\" is not 4 ASCII characters");
    assert_int_equal(lsv2_encode("T\nOK", NULL, 0, buf, 16, &err), -1);
}

static void test_decode(void **state)
{
    (void)state;
    lsv2_telegram t;
    mdc_err err = {0};
    const uint8_t sri[] = {0, 0, 0, 2, 'S', '_', 'R', 'I', 0, 4, 0xAA};
    for (size_t n = 0; n < 10; n++) /* any prefix is incomplete */
        assert_int_equal(lsv2_decode(sri, n, LSV2_MAX_PAYLOAD, &t, &err), 0);
    assert_int_equal(lsv2_decode(sri, sizeof sri, LSV2_MAX_PAYLOAD, &t, &err), 10);
    assert_string_equal(t.code, "S_RI");
    assert_int_equal(t.len, 2);
    assert_int_equal(t.payload[1], 4);
    assert_true(lsv2_is_code(&t, "S_RI"));
    assert_false(lsv2_is_code(&t, "S_VR"));

    const uint8_t big[] = {0, 1, 0, 1, 'S', '_', 'M', 'B'};
    assert_int_equal(lsv2_decode(big, sizeof big, LSV2_MAX_PAYLOAD, &t, &err), -1);
    assert_string_equal(err.msg,
                        "malformed header 00 01 00 01 53 5f 4d 42 (payload of 65537 bytes, at most "
                        "65536)");
    const uint8_t bin[] = {0, 0, 0, 0, 'T', 0, 'O', 'K'};
    assert_int_equal(lsv2_decode(bin, sizeof bin, LSV2_MAX_PAYLOAD, &t, &err), -1);
    assert_string_equal(err.msg,
                        "malformed header 00 00 00 00 54 00 4f 4b (the code is not ASCII)");
    /* an unknown but well-formed code is framing-valid: the caller decides */
    const uint8_t odd[] = {0, 0, 0, 0, 'X', '_', 'Y', 'Z'};
    assert_int_equal(lsv2_decode(odd, sizeof odd, LSV2_MAX_PAYLOAD, &t, &err), 8);
    assert_string_equal(t.code, "X_YZ");
    uint32_t len;
    char code[5];
    const uint8_t hdr[] = {0, 0, 0x10, 0, 'S', '_', 'M', 'B'};
    assert_int_equal(lsv2_decode_header(hdr, 4096, code, &len, &err), 0);
    assert_int_equal(len, 4096);
    assert_int_equal(lsv2_decode_header(hdr, 4095, code, &len, &err), -1);
}

static void test_t_er(void **state)
{
    (void)state;
    lsv2_error e;
    char d[200];
    lsv2_parse_error((const uint8_t *)"\x01\x39", 2, &e);
    assert_int_equal(e.type, 1);
    assert_int_equal(e.code, 57);
    lsv2_error_describe(&e, d, sizeof d);
    assert_string_equal(d, "T_ER 57 NO_NEXT_ERROR (no (more) error messages)");
    lsv2_parse_error(NULL, 0, &e);
    assert_int_equal(e.type, 1);
    assert_int_equal(e.code, -1);
    lsv2_error_describe(&e, d, sizeof d);
    assert_string_equal(d, "T_ER with no error code (0 bytes)");
    lsv2_parse_error((const uint8_t *)"\x01", 1, &e);
    lsv2_error_describe(&e, d, sizeof d);
    assert_string_equal(d, "T_ER with no error code (1 byte)");
    lsv2_parse_error((const uint8_t *)"\x01\x17\x00", 3, &e);
    assert_int_equal(e.code, 23);
    lsv2_error_describe(&e, d, sizeof d);
    assert_string_equal(d, "T_ER 23 NO_PRIV (no privilege for execution), 3-byte payload");
    lsv2_parse_error((const uint8_t *)"\x02\x31", 2, &e);
    lsv2_error_describe(&e, d, sizeof d);
    assert_string_equal(d, "T_ER 49 NO_LOGIN (login not possible, e.g. held by another interface "
                           "or option missing), error type 2");
    lsv2_parse_error((const uint8_t *)"\x01\x63", 2, &e);
    lsv2_error_describe(&e, d, sizeof d);
    assert_string_equal(d, "T_ER 99 (unknown error code)");
}

static void test_error_table(void **state)
{
    (void)state;
    const struct {
        int code;
        const char *name;
    } want[] = {
        {20, "BAD_FORMAT"},       {21, "UNEXPECTED_TELE"}, {22, "UNKNOWN_TELE"}, {23, "NO_PRIV"},
        {24, "WRONG_PARA"},       {30, "BAD_KEY"},         {32, "NO_FILE"},      {49, "NO_LOGIN"},
        {52, "BAD_MEMADR"},       {57, "NO_NEXT_ERROR"},   {60, "STIB"},         {63, "NOT_FOUND"},
        {80, "TO_MANY_OPEN_TCP"}, {255, "T_USER_ERROR"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_string_equal(lsv2_error_name(want[i].code), want[i].name);
        assert_non_null(lsv2_error_text(want[i].code));
    }
    assert_null(lsv2_error_name(0));
    assert_null(lsv2_error_name(99));
    assert_null(lsv2_error_text(-1));
    assert_string_equal(lsv2_error_text(52), "bad memory address");
    assert_string_equal(lsv2_error_text(30), "wrong password");
}

static void test_buffers(void **state)
{
    (void)state;
    assert_int_equal(lsv2_pick_buffer(4096, 4096), 4096);
    assert_int_equal(lsv2_pick_buffer(0x1000, 2048), 2048);
    assert_int_equal(lsv2_pick_buffer(4000, 4096), 3072);
    assert_int_equal(lsv2_pick_buffer(65535, 4096), 4096);
    assert_int_equal(lsv2_pick_buffer(1500, 4096), 1024);
    assert_int_equal(lsv2_pick_buffer(512, 4096), 512);
    assert_int_equal(lsv2_pick_buffer(511, 4096), 256);
    assert_int_equal(lsv2_pick_buffer(256, 4096), 256);
    assert_int_equal(lsv2_pick_buffer(100, 4096), 256);
    assert_int_equal(lsv2_pick_buffer(4096, 256), 256);
    assert_int_equal(lsv2_buffer_code(1024), 3);
    assert_int_equal(lsv2_buffer_code(512), 4);
    assert_int_equal(lsv2_buffer_code(2048), 5);
    assert_int_equal(lsv2_buffer_code(3072), 6);
    assert_int_equal(lsv2_buffer_code(4096), 7);
    assert_int_equal(lsv2_buffer_code(256), -1);
}

static void test_byte_helpers(void **state)
{
    (void)state;
    uint8_t b[4];
    lsv2_put_be32(b, 0x8100000Au);
    assert_memory_equal(b, "\x81\x00\x00\x0a", 4);
    assert_int_equal(lsv2_be32(b), 0x8100000Au);
    lsv2_put_be16(b, 0x1234);
    assert_memory_equal(b, "\x12\x34", 2);
    assert_int_equal(lsv2_be16(b), 0x1234);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_requests), cmocka_unit_test(test_read_requests),
        cmocka_unit_test(test_encode_limits),  cmocka_unit_test(test_decode),
        cmocka_unit_test(test_t_er),           cmocka_unit_test(test_error_table),
        cmocka_unit_test(test_buffers),        cmocka_unit_test(test_byte_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
