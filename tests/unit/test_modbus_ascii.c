/* SPDX-License-Identifier: Apache-2.0 */
/* Modbus ASCII codec, PDU helpers and checksums: exact bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/modbus/ascii.h"
#include "drivers/modbus/pdu.h"

#include <string.h>

static void test_lrc_and_crc(void **state)
{
    (void)state;
    /* 01+03+10+67+00+04 = 7F; two's complement 81 */
    const uint8_t req[] = {0x01, 0x03, 0x10, 0x67, 0x00, 0x04};
    assert_int_equal(mdc_mb_lrc(req, sizeof req), 0x81);
    /* the classic example "01 03 00 00 00 0A C5 CD": CRC 0xCDC5, low byte first */
    const uint8_t rtu[] = {0x01, 0x03, 0x00, 0x00, 0x00, 0x0A};
    assert_int_equal(mdc_mb_crc16(rtu, sizeof rtu), 0xCDC5);
}

static void test_encode_request(void **state)
{
    (void)state;
    /* BELmc: meter 1 PHASE_A VOLTAGE, number 4200 → holding registers 4199..4202 */
    uint8_t pdu[5];
    assert_int_equal(mdc_mb_pdu_read_request(3, 4199, 4, pdu), 5);
    char out[64];
    size_t n = mdc_mb_ascii_encode(1, pdu, 5, out, sizeof out);
    assert_int_equal(n, 17);
    assert_memory_equal(out, ":01031067000481\r\n", 17);
    /* too small a buffer, empty PDU */
    assert_int_equal(mdc_mb_ascii_encode(1, pdu, 5, out, 16), 0);
    assert_int_equal(mdc_mb_ascii_encode(1, pdu, 0, out, sizeof out), 0);
    /* FC4 unit 247 addr 0 count 6: F7+04+00+00+00+06 = 0x101 → 01 → LRC FF */
    mdc_mb_pdu_read_request(4, 0, 6, pdu);
    n = mdc_mb_ascii_encode(247, pdu, 5, out, sizeof out);
    assert_memory_equal(out, ":F70400000006FF\r\n", n);
}

static void test_decode_reply(void **state)
{
    (void)state;
    /* 01 03 08 0080 0000 0043 0066: sum 0x135 → LRC CB */
    const char *f = ":0103080080000000430066CB\r\n";
    uint16_t regs[4];
    mdc_err err = {0};
    assert_int_equal(mdc_mb_ascii_parse_read_reply(f, strlen(f), 1, 3, 4, regs, &err), 0);
    assert_int_equal(regs[0], 0x0080);
    assert_int_equal(regs[1], 0x0000);
    assert_int_equal(regs[2], 0x0043);
    assert_int_equal(regs[3], 0x0066);
    /* lowercase hex and a bare LF are accepted */
    const char *lc = ":0103080080000000430066cb\n";
    assert_int_equal(mdc_mb_ascii_parse_read_reply(lc, strlen(lc), 1, 3, 4, regs, &err), 0);
    /* the raw ADU */
    uint8_t adu[300];
    size_t n;
    assert_int_equal(mdc_mb_ascii_decode(f, strlen(f), adu, sizeof adu, &n, &err), 0);
    assert_int_equal(n, 11);
    assert_int_equal(adu[2], 8);
}

static void expect_reply_error(const char *f, int unit, int fc, uint16_t count, int code,
                               const char *msg)
{
    uint16_t out[8];
    mdc_err err = {0};
    assert_int_equal(mdc_mb_ascii_parse_read_reply(f, strlen(f), unit, fc, count, out, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, msg);
}

static void test_exception_reply(void **state)
{
    (void)state;
    /* 01 83 02: sum 86 → LRC 7A */
    expect_reply_error(":0183027A\r\n", 1, 3, 4, MDC_EDEVICE, "exception 02 illegal data address");
    /* 01 84 0B: sum 90 → LRC 70 */
    expect_reply_error(":01840B70\r\n", 1, 4, 1, MDC_EDEVICE,
                       "exception 0B gateway target device failed to respond");
}

static void test_bad_frames(void **state)
{
    (void)state;
    expect_reply_error(":01830200\r\n", 1, 3, 4, MDC_EPROTO,
                       "ASCII LRC mismatch: frame says 00, computed 7A");
    expect_reply_error(":01830\r\n", 1, 3, 4, MDC_EPROTO,
                       "ASCII frame has an odd number (5) of hex digits");
    expect_reply_error(":0183\r\n", 1, 3, 4, MDC_EPROTO, "ASCII frame too short (2 bytes)");
    expect_reply_error(":01G3027A\r\n", 1, 3, 4, MDC_EPROTO,
                       "ASCII frame has a non-hex character at 3");
    expect_reply_error("0183027A\r\n", 1, 3, 4, MDC_EPROTO, "ASCII frame does not start with ':'");
    /* 02 83 02: sum 87 → LRC 79; from unit 2 while unit 1 was asked */
    expect_reply_error(":02830279\r\n", 1, 3, 4, MDC_EPROTO, "reply from unit 2, expected unit 1");
    /* 01 04 02 0001: FC4 reply to an FC3 request; sum 08 → F8 */
    expect_reply_error(":0104020001F8\r\n", 1, 3, 1, MDC_EPROTO,
                       "reply has function code 4, expected 3");
    /* byte count 2 where 4 registers (8 bytes) were asked */
    expect_reply_error(":0103020001F9\r\n", 1, 3, 4, MDC_EPROTO, "reply byte count 2, expected 8");
    /* byte count 4 but 2 data bytes: 01 03 04 0001 → sum 09 → F7 */
    expect_reply_error(":0103040001F7\r\n", 1, 3, 2, MDC_EPROTO,
                       "reply carries 2 data bytes, byte count says 4");
}

static void test_bits_reply(void **state)
{
    (void)state;
    /* FC1, 10 coils: 01 01 02 CD 01 → sum D2 → LRC 2E; bits LSB first */
    const char *f = ":010102CD012E\r\n";
    uint16_t bits[10];
    mdc_err err = {0};
    assert_int_equal(mdc_mb_ascii_parse_read_reply(f, strlen(f), 1, 1, 10, bits, &err), 0);
    const uint16_t want[10] = {1, 0, 1, 1, 0, 0, 1, 1, 1, 0};
    assert_memory_equal(bits, want, sizeof want);
}

static void test_rx_noise_and_split(void **state)
{
    (void)state;
    mdc_mb_ascii_rx rx = {0};
    mdc_mb_ascii_rx_reset(&rx);
    const char *in = "\xff\x00zz:0183027A\r\n:01";
    size_t len = 18, used;
    mdc_err err;
    assert_int_equal(mdc_mb_ascii_rx_feed(&rx, (const uint8_t *)in, len, &used, &err), 1);
    assert_int_equal(used, 15);
    assert_int_equal(rx.skipped, 4);
    assert_string_equal(rx.buf, ":0183027A\r\n");
    /* byte by byte */
    mdc_mb_ascii_rx_reset(&rx);
    const char *f = ":0103080080000000430066CB\r\n";
    int rc = 0;
    for (size_t i = 0; i < strlen(f); i++) {
        rc = mdc_mb_ascii_rx_feed(&rx, (const uint8_t *)f + i, 1, &used, &err);
        assert_int_equal(used, 1);
        if (i + 1 < strlen(f)) assert_int_equal(rc, 0);
    }
    assert_int_equal(rc, 1);
    assert_string_equal(rx.buf, f);
    /* a ':' in the middle restarts the frame */
    mdc_mb_ascii_rx_reset(&rx);
    const char *re = ":0103:0183027A\r\n";
    assert_int_equal(mdc_mb_ascii_rx_feed(&rx, (const uint8_t *)re, strlen(re), &used, &err), 1);
    assert_string_equal(rx.buf, ":0183027A\r\n");
}

static void test_rx_truncated_and_overflow(void **state)
{
    (void)state;
    mdc_mb_ascii_rx rx;
    mdc_mb_ascii_rx_reset(&rx);
    size_t used;
    mdc_err err;
    const char *part = ":01030800800000";
    assert_int_equal(mdc_mb_ascii_rx_feed(&rx, (const uint8_t *)part, strlen(part), &used, &err),
                     0);
    assert_true(rx.in_frame);
    assert_int_equal(rx.len, strlen(part));
    char big[700];
    big[0] = ':';
    memset(big + 1, '0', sizeof big - 1);
    mdc_mb_ascii_rx_reset(&rx);
    assert_int_equal(mdc_mb_ascii_rx_feed(&rx, (const uint8_t *)big, sizeof big, &used, &err), -1);
    assert_int_equal(err.code, MDC_EPROTO);
    assert_int_equal(used, MDC_MB_ASCII_MAX + 1);
    assert_false(rx.in_frame);
}

static void test_exception_names(void **state)
{
    (void)state;
    assert_string_equal(mdc_mb_exception_name(1), "illegal function");
    assert_string_equal(mdc_mb_exception_name(6), "server device busy");
    assert_string_equal(mdc_mb_exception_name(9), "unknown exception");
    mdc_err err;
    mdc_mb_exception_error(3, &err);
    assert_string_equal(err.msg, "exception 03 illegal data value");
    assert_int_equal(err.code, MDC_EDEVICE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lrc_and_crc),        cmocka_unit_test(test_encode_request),
        cmocka_unit_test(test_decode_reply),       cmocka_unit_test(test_exception_reply),
        cmocka_unit_test(test_bad_frames),         cmocka_unit_test(test_bits_reply),
        cmocka_unit_test(test_rx_noise_and_split), cmocka_unit_test(test_rx_truncated_and_overflow),
        cmocka_unit_test(test_exception_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
