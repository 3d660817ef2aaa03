/* SPDX-License-Identifier: Apache-2.0 */
/* LSV2 reply layouts: S_VR with 3/4/5 fields, S_PR of 120/124 bytes, S_RI states, program
 * stack, overrides, NC error records, PLC address computation and value decoding, latin-1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/lsv2/reply.h"
#include "drivers/lsv2/telegram.h"

#include <string.h>

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void test_version(void **state)
{
    (void)state;
    lsv2_version v;
    mdc_err err = {0};
    /* iTNC 530 (#79): 4 fields */
    assert_int_equal(lsv2_parse_version(B("iTNC530\0"
                                          "340490 06 SP3\0"
                                          "800A_AA.PLC\0"
                                          "%0000111100000000\0"),
                                        &v, &err),
                     0);
    assert_int_equal(v.nfields, 4);
    assert_string_equal(v.control, "iTNC530");
    assert_string_equal(v.nc, "340490 06 SP3");
    assert_string_equal(v.plc, "800A_AA.PLC");
    assert_string_equal(v.splc, "");
    assert_string_equal(v.options, "%0000111100000000");
    /* TNC 320 (serial capture): 5 fields, the 4th is the SPLC version */
    assert_int_equal(lsv2_parse_version(B("TNC320\0"
                                          "771855 18 SP1\0"
                                          "Basic V18-00\0"
                                          "No version given\0"
                                          "0000000100000100\0"),
                                        &v, &err),
                     0);
    assert_int_equal(v.nfields, 5);
    assert_string_equal(v.splc, "No version given");
    assert_string_equal(v.options, "0000000100000100");
    /* TNC 426 (#79): an empty options field, blanks around fields */
    assert_int_equal(lsv2_parse_version(B("TNC 426/430M\0"
                                          " 280476 24 \0"
                                          " GR495.07SA\0"
                                          " \0"),
                                        &v, &err),
                     0);
    assert_int_equal(v.nfields, 4);
    assert_string_equal(v.control, "TNC 426/430M");
    assert_string_equal(v.nc, "280476 24");
    assert_string_equal(v.plc, "GR495.07SA");
    assert_string_equal(v.options, "");
    /* 3 fields, no final NUL */
    assert_int_equal(lsv2_parse_version(B("TNC 426/430M\0"
                                          "280476 24\0"
                                          "GR495.07SA"),
                                        &v, &err),
                     0);
    assert_int_equal(v.nfields, 3);
    assert_string_equal(v.plc, "GR495.07SA");
    assert_string_equal(v.options, "");
    /* wrong counts */
    assert_int_equal(lsv2_parse_version(B("iTNC530\0"
                                          "340490\0"),
                                        &v, &err),
                     -1);
    assert_string_equal(err.msg, "S_VR has 2 fields (expected 3 to 5: control, NC, PLC, [SPLC], "
                                 "[options])");
    assert_int_equal(err.code, MDC_EPROTO);
    assert_int_equal(lsv2_parse_version(B("a\0b\0c\0d\0e\0f\0"), &v, &err), -1);
    assert_int_equal(lsv2_parse_version(B(""), &v, &err), -1);
    assert_string_equal(err.msg, "S_VR has 0 fields (expected 3 to 5: control, NC, PLC, [SPLC], "
                                 "[options])");
}

/* A 124-byte S_PR with distinct values everywhere. */
static void make_params(uint8_t *b, size_t len)
{
    memset(b, 0, len);
    for (int i = 0; i < 14; i++)
        lsv2_put_be32(b + 4 * i, 0x1000u * (uint32_t)(i + 1) + (uint32_t)i);
    b[56] = 128;
    lsv2_put_be32(b + 64, 0x10400);
    lsv2_put_be32(b + 68, 128);
    lsv2_put_be32(b + 72, 0x10500);
    lsv2_put_be32(b + 76, 129);
    b[96] = 1;
    b[97] = 0xff;
    lsv2_put_be16(b + 98, 0x1000);
    b[100] = 1, b[101] = 2, b[102] = 3, b[103] = 4;
    lsv2_put_be32(b + 104, 0x00020001);
    lsv2_put_be32(b + 108, 0x55);
    lsv2_put_be16(b + 112, 1024);
}

static void test_params(void **state)
{
    (void)state;
    uint8_t b[124];
    lsv2_params p;
    mdc_err err = {0};
    make_params(b, sizeof b);
    for (size_t len = 120; len <= 124; len += 4) {
        assert_int_equal(lsv2_parse_params(b, len, &p, &err), 0);
        assert_int_equal(p.len, len);
        assert_int_equal(p.markers_start, 0x1000);
        assert_int_equal(p.num_markers, 0x2001);
        assert_int_equal(p.inputs_start, 0x3002);
        assert_int_equal(p.num_inputs, 0x4003);
        assert_int_equal(p.outputs_start, 0x5004);
        assert_int_equal(p.num_outputs, 0x6005);
        assert_int_equal(p.counters_start, 0x7006);
        assert_int_equal(p.num_counters, 0x8007);
        assert_int_equal(p.timers_start, 0x9008);
        assert_int_equal(p.num_timers, 0xa009);
        assert_int_equal(p.words_start, 0xb00a);
        assert_int_equal(p.num_words, 0xc00b);
        assert_int_equal(p.strings_start, 0xd00c);
        assert_int_equal(p.num_strings, 0xe00d);
        assert_int_equal(p.max_string_length, 128);
        assert_int_equal(p.input_words_start, 0x10400);
        assert_int_equal(p.num_input_words, 128);
        assert_int_equal(p.output_words_start, 0x10500);
        assert_int_equal(p.num_output_words, 129);
        assert_int_equal(p.lsv2_version, 1);
        assert_int_equal(p.lsv2_version_flags, 0xff);
        assert_int_equal(p.max_block_length, 4096);
        assert_int_equal(p.bin_version, 1);
        assert_int_equal(p.iso_revision, 4);
        assert_int_equal(p.hardware_version, 0x00020001);
        assert_int_equal(p.lsv2_version_flags_ex, 0x55);
        assert_int_equal(p.max_trace_line, 1024);
    }
    assert_int_equal(lsv2_parse_params(b, 119, &p, &err), -1);
    assert_string_equal(err.msg, "S_PR has 119 bytes (expected 120 or 124)");
}

static void test_states(void **state)
{
    (void)state;
    uint16_t v;
    mdc_err err = {0};
    assert_int_equal(lsv2_parse_state(B("\x00\x04"), &v, &err), 0);
    assert_int_equal(v, LSV2_EXEC_AUTOMATIC);
    assert_int_equal(lsv2_parse_state(B("\x00\x07"), &v, &err), 0);
    assert_int_equal(v, LSV2_PGM_IDLE);
    assert_int_equal(lsv2_parse_state(B("\x01"), &v, &err), -1);
    assert_string_equal(err.msg, "S_RI has 1 byte (expected a 2-byte state)");
    assert_int_equal(lsv2_parse_state(NULL, 0, &v, &err), -1);
    assert_string_equal(lsv2_exec_state_name(0), "MANUAL");
    assert_string_equal(lsv2_exec_state_name(3), "SINGLE_STEP");
    assert_string_equal(lsv2_exec_state_name(4), "AUTOMATIC");
    assert_string_equal(lsv2_exec_state_name(5), "UNDEFINED");
    assert_string_equal(lsv2_exec_state_name(6), "?");
    assert_string_equal(lsv2_pgm_state_name(0), "STARTED");
    assert_string_equal(lsv2_pgm_state_name(2), "FINISHED");
    assert_string_equal(lsv2_pgm_state_name(5), "ERROR");
    assert_string_equal(lsv2_pgm_state_name(6), "ERROR_CLEARED");
    assert_string_equal(lsv2_pgm_state_name(7), "IDLE");
    assert_string_equal(lsv2_pgm_state_name(8), "UNDEFINED");
    assert_string_equal(lsv2_pgm_state_name(-1), "?");
}

static void test_stack(void **state)
{
    (void)state;
    lsv2_stack s;
    mdc_err err = {0};
    assert_int_equal(lsv2_parse_stack(B("\x00\x00\x00\x0c"
                                        "TNC:\\nc_prog\\PART.H\0"
                                        "TNC:\\nc_prog\\SUB\\DRILL.H\0"),
                                      &s, &err),
                     0);
    assert_int_equal(s.line, 12);
    assert_string_equal(s.main, "TNC:\\nc_prog\\PART.H");
    assert_string_equal(s.current, "TNC:\\nc_prog\\SUB\\DRILL.H");
    /* a line number >= 256 (NODE's zero-skipping hack breaks here) */
    assert_int_equal(lsv2_parse_stack(B("\x00\x01\x00\x00"
                                        "A.H\0"
                                        "A.H\0"),
                                      &s, &err),
                     0);
    assert_int_equal(s.line, 65536);
    assert_string_equal(s.current, "A.H");
    /* latin-1 names become UTF-8 */
    assert_int_equal(lsv2_parse_stack(B("\x00\x00\x00\x01"
                                        "TNC:\\WELLE_\xdc"
                                        "1.H\0"
                                        "TNC:\\\xe4\xf6\xfc\xdf.H\0"),
                                      &s, &err),
                     0);
    assert_string_equal(s.main, "TNC:\\WELLE_\xc3\x9c"
                                "1.H");
    assert_string_equal(s.current, "TNC:\\\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f.H");
    /* the current path missing: taken as the main one (pyLSV2 raises IndexError) */
    assert_int_equal(lsv2_parse_stack(B("\x00\x00\x00\x05"
                                        "MAIN.H\0"),
                                      &s, &err),
                     0);
    assert_string_equal(s.main, "MAIN.H");
    assert_string_equal(s.current, "MAIN.H");
    /* an empty current path stays empty */
    assert_int_equal(lsv2_parse_stack(B("\x00\x00\x00\x05"
                                        "MAIN.H\0\0"),
                                      &s, &err),
                     0);
    assert_string_equal(s.current, "");
    /* no program selected */
    assert_int_equal(lsv2_parse_stack(B("\x00\x00\x00\x00"), &s, &err), 0);
    assert_string_equal(s.main, "");
    assert_string_equal(s.current, "");
    assert_int_equal(lsv2_parse_stack(B("\x00\x00\x01"), &s, &err), -1);
    assert_string_equal(err.msg, "S_RI 24 has 3 bytes (expected a line number and program paths)");
}

static void test_overrides_and_errors(void **state)
{
    (void)state;
    lsv2_overrides o;
    lsv2_nc_error e;
    mdc_err err = {0};
    assert_int_equal(lsv2_parse_overrides(B("\x00\x00\x27\x10"
                                            "\x00\x00\x21\x34"
                                            "\x00\x00\x13\x88"),
                                          &o, &err),
                     0);
    assert_int_equal(o.feed, 10000);
    assert_int_equal(o.spindle, 8500);
    assert_int_equal(o.rapid, 5000);
    assert_int_equal(lsv2_parse_overrides(B("\x00\x00\x27\x10"), &o, &err), -1);
    assert_string_equal(err.msg,
                        "S_RI 25 has 4 bytes (expected feed, spindle and rapid overrides)");
    /* the real record of #52 */
    assert_int_equal(lsv2_parse_nc_error(B("\x00\x03\x00\x03\x81\x00\x00\x0a"
                                           "010 Machine guard is open !\0"),
                                         &e, &err),
                     0);
    assert_int_equal(e.cls, 3);
    assert_int_equal(e.group, 3);
    assert_int_equal(e.number, -2130706422);
    assert_string_equal(e.text, "010 Machine guard is open !");
    assert_int_equal(lsv2_parse_nc_error(B("\x00\x03\x00\x03\x81\x00\x00"), &e, &err), -1);
    assert_string_equal(err.msg,
                        "S_RI error record has 7 bytes (expected class, group, number, text)");
    assert_int_equal(lsv2_parse_nc_error(B("\x00\x01\x00\x02\x00\x00\x00\x05"), &e, &err), 0);
    assert_string_equal(e.text, "");
}

static lsv2_params layout(void)
{
    lsv2_params p = {0};
    p.markers_start = 0x1000, p.num_markers = 10000;
    p.inputs_start = 0x4000, p.num_inputs = 512;
    p.outputs_start = 0x4200, p.num_outputs = 512;
    p.counters_start = 0x4400, p.num_counters = 48;
    p.timers_start = 0x4500, p.num_timers = 48;
    p.words_start = 0x5000, p.num_words = 16384;
    p.input_words_start = 0x10400, p.num_input_words = 128;
    p.output_words_start = 0x10500, p.num_output_words = 128;
    return p;
}

static uint32_t addr(const lsv2_params *p, lsv2_mem m, uint32_t n)
{
    uint32_t a = 0;
    mdc_err err = {0};
    if (lsv2_plc_address(p, m, n, &a, &err) < 0) fail_msg("%s", err.msg);
    return a;
}

static void test_plc_address(void **state)
{
    (void)state;
    lsv2_params p = layout();
    mdc_err err = {0};
    uint32_t a;
    assert_int_equal(addr(&p, LSV2_MEM_MARKER, 4170), 0x1000 + 4170); /* BELmc's M4170 */
    assert_int_equal(addr(&p, LSV2_MEM_MARKER, 0), 0x1000);
    assert_int_equal(addr(&p, LSV2_MEM_INPUT, 7), 0x4007);
    assert_int_equal(addr(&p, LSV2_MEM_OUTPUT, 3), 0x4203);
    assert_int_equal(addr(&p, LSV2_MEM_COUNTER, 1), 0x4401);
    assert_int_equal(addr(&p, LSV2_MEM_TIMER, 2), 0x4502);
    assert_int_equal(addr(&p, LSV2_MEM_BYTE, 5), 0x5005);
    assert_int_equal(addr(&p, LSV2_MEM_WORD, 20), 0x5014);
    /* D10368 = pyLSV2's read_plc_memory(2592, DWORD), the TNC 640's "PR_FINISHED" */
    assert_int_equal(addr(&p, LSV2_MEM_DWORD, 10368), 0x5000 + 10368);
    assert_int_equal(addr(&p, LSV2_MEM_INPUT_WORD, 4), 0x10404);
    assert_int_equal(addr(&p, LSV2_MEM_OUTPUT_WORD, 6), 0x10506);
    /* the same operand on a control with other bases */
    p.markers_start = 0;
    p.words_start = 0x8000;
    assert_int_equal(addr(&p, LSV2_MEM_MARKER, 4170), 4170);
    assert_int_equal(addr(&p, LSV2_MEM_DWORD, 3504), 0x8000 + 3504);

    assert_int_equal(lsv2_plc_address(&p, LSV2_MEM_MARKER, 10000, &a, &err), -1);
    assert_string_equal(err.msg, "M10000 is beyond the control's 10000 markers (S_PR)");
    assert_int_equal(lsv2_plc_address(&p, LSV2_MEM_DWORD, 2594, &a, &err), -1);
    assert_string_equal(err.msg, "dword numbers are byte offsets as in the PLC program (D2594 is "
                                 "not one): they must be multiples of 4");
    assert_int_equal(lsv2_plc_address(&p, LSV2_MEM_WORD, 3, &a, &err), -1);
    assert_string_equal(err.msg, "word numbers are byte offsets as in the PLC program (W3 is not "
                                 "one): they must be multiples of 2");
    p.words_start = 0xFFFFFFF0u;
    assert_int_equal(lsv2_plc_address(&p, LSV2_MEM_DWORD, 16, &a, &err), -1);
    assert_string_equal(err.msg, "D16: address 0x100000000 is outside the 32-bit range");
    assert_int_equal(lsv2_plc_address(&p, LSV2_MEM_DWORD, 12, &a, &err), 0);
    assert_int_equal(a, 0xFFFFFFFCu);
}

static void test_plc_values(void **state)
{
    (void)state;
    assert_int_equal(lsv2_plc_value(LSV2_MEM_MARKER, (const uint8_t *)"\x01"), 1);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_MARKER, (const uint8_t *)"\x00"), 0);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_INPUT, (const uint8_t *)"\x80"), 1);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_BYTE, (const uint8_t *)"\xff"), -1);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_BYTE, (const uint8_t *)"\x7f"), 127);
    /* words and dwords are little-endian */
    assert_int_equal(lsv2_plc_value(LSV2_MEM_WORD, (const uint8_t *)"\x34\x12"), 0x1234);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_WORD, (const uint8_t *)"\xfe\xff"), -2);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_INPUT_WORD, (const uint8_t *)"\xfe\xff"), 65534);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_DWORD, (const uint8_t *)"\xff\x00\x00\x00"), 255);
    assert_int_equal(lsv2_plc_value(LSV2_MEM_DWORD, (const uint8_t *)"\x78\x56\x34\x12"),
                     0x12345678);
    assert_true(lsv2_plc_value(LSV2_MEM_DWORD, (const uint8_t *)"\x00\x00\x00\x80") == INT32_MIN);
    lsv2_mem m;
    assert_int_equal(lsv2_mem_parse("dword", &m), 0);
    assert_int_equal(m, LSV2_MEM_DWORD);
    assert_int_equal(lsv2_mem_parse("DWORD", &m), -1);
    assert_string_equal(lsv2_mem_prefix(LSV2_MEM_OUTPUT_WORD), "OW");
    assert_int_equal(lsv2_mem_size(LSV2_MEM_WORD), 2);
    assert_true(lsv2_mem_is_bit(LSV2_MEM_TIMER));
    assert_false(lsv2_mem_is_bit(LSV2_MEM_BYTE));
}

static void test_latin1(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(lsv2_latin1_to_utf8(B("  ab  "), out, sizeof out), 2);
    assert_string_equal(out, "ab");
    /* truncation never splits a character */
    assert_int_equal(lsv2_latin1_to_utf8(B("abcdef\xe9"), out, sizeof out), 6);
    assert_string_equal(out, "abcdef");
    assert_int_equal(lsv2_latin1_to_utf8(B("abcde\xe9"), out, sizeof out), 7);
    assert_string_equal(out, "abcde\xc3\xa9");
    assert_int_equal(lsv2_latin1_to_utf8(B("a\0b"), out, sizeof out), 1);
    assert_int_equal(lsv2_latin1_to_utf8(B("\xff"), out, 1), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_stack),
        cmocka_unit_test(test_overrides_and_errors),
        cmocka_unit_test(test_plc_address),
        cmocka_unit_test(test_plc_values),
        cmocka_unit_test(test_latin1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
