/* SPDX-License-Identifier: Apache-2.0 */
/* The Modbus TCP codec (exact bytes of requests, frames cut from a stream in any chunking,
 * replies checked against their request) and the serial late-reply bookkeeping (orphan.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/modbus/mbap.h"
#include "drivers/modbus/orphan.h"

#include <string.h>

static void test_read_request_bytes(void **state)
{
    (void)state;
    uint8_t b[MDC_MB_MBAP_REQUEST];
    assert_int_equal(mdc_mb_mbap_read_request(7, 1, 4, 0, 10, b), 12);
    const uint8_t want[] = {0x00, 0x07, 0x00, 0x00, 0x00, 0x06, 0x01, 0x04, 0x00, 0x00, 0x00, 0x0A};
    assert_memory_equal(b, want, sizeof want);
    mdc_mb_mbap_read_request(0xBEEF, 247, 3, 0x4A38, 125, b);
    const uint8_t want2[] = {0xBE, 0xEF, 0x00, 0x00, 0x00, 0x06,
                             0xF7, 0x03, 0x4A, 0x38, 0x00, 0x7D};
    assert_memory_equal(b, want2, sizeof want2);
    mdc_mb_mbap_read_request(1, 0, 1, 0xFFFF, 2000, b);
    const uint8_t want3[] = {0x00, 0x01, 0x00, 0x00, 0x00, 0x06,
                             0x00, 0x01, 0xFF, 0xFF, 0x07, 0xD0};
    assert_memory_equal(b, want3, sizeof want3);
}

/* Reply to tid 7, unit 1, FC4, 2 registers 0x4366 0x199A (230.1f), then an exception reply to
 * tid 8 (FC3, exception 02), back to back in one stream. */
static const uint8_t stream[] = {0x00, 0x07, 0x00, 0x00, 0x00, 0x07, 0x01, 0x04, 0x04, 0x43, 0x66,
                                 0x19, 0x9A, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03, 0x01, 0x83, 0x02};

static void check_first(const mdc_mb_mbap_frame *f)
{
    assert_int_equal(f->tid, 7);
    assert_int_equal(f->unit, 1);
    assert_int_equal(f->pdu_len, 6);
    const uint8_t pdu[] = {0x04, 0x04, 0x43, 0x66, 0x19, 0x9A};
    assert_memory_equal(f->pdu, pdu, sizeof pdu);
    uint16_t regs[2];
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_parse_read_reply(f, 1, 4, 2, regs, &err), 0);
    assert_int_equal(regs[0], 0x4366);
    assert_int_equal(regs[1], 0x199A);
}

static void check_second(const mdc_mb_mbap_frame *f)
{
    assert_int_equal(f->tid, 8);
    assert_int_equal(f->unit, 1);
    assert_int_equal(f->pdu_len, 2);
    uint16_t regs[2];
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_parse_read_reply(f, 1, 3, 2, regs, &err), -1);
    assert_int_equal(err.code, MDC_EDEVICE);
    assert_string_equal(err.msg, "exception 02 illegal data address");
}

static void test_rx_whole_stream(void **state)
{
    (void)state;
    mdc_mb_mbap_rx rx;
    mdc_mb_mbap_rx_reset(&rx);
    mdc_mb_mbap_frame f;
    size_t used;
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, stream, sizeof stream, &used, &f, &err), 1);
    assert_int_equal(used, 13);
    check_first(&f);
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, stream + 13, sizeof stream - 13, &used, &f, &err), 1);
    assert_int_equal(used, 9);
    check_second(&f);
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, stream, 0, &used, &f, &err), 0);
    assert_int_equal(used, 0);
}

/* Every split of the stream into chunks of k bytes gives the same two frames. */
static void test_rx_any_chunking(void **state)
{
    (void)state;
    for (size_t k = 1; k <= sizeof stream; k++) {
        mdc_mb_mbap_rx rx;
        mdc_mb_mbap_rx_reset(&rx);
        int frames = 0;
        for (size_t off = 0; off < sizeof stream;) {
            size_t n = sizeof stream - off < k ? sizeof stream - off : k, used;
            mdc_mb_mbap_frame f;
            mdc_err err;
            int rc = mdc_mb_mbap_rx_feed(&rx, stream + off, n, &used, &f, &err);
            assert_true(rc >= 0);
            assert_true(used <= n);
            off += used;
            if (rc == 1) {
                if (frames++ == 0)
                    check_first(&f);
                else
                    check_second(&f);
            }
        }
        assert_int_equal(frames, 2);
    }
}

static void expect_stream_error(const uint8_t *b, size_t n, const char *msg)
{
    mdc_mb_mbap_rx rx;
    mdc_mb_mbap_rx_reset(&rx);
    mdc_mb_mbap_frame f;
    size_t used;
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, b, n, &used, &f, &err), -1);
    assert_int_equal(err.code, MDC_EPROTO);
    assert_string_equal(err.msg, msg);
}

static void test_rx_not_modbus(void **state)
{
    (void)state;
    expect_stream_error((const uint8_t *)"HTTP/1.1 400 Bad Request\r\n", 26, /* "TP" */
                        "MBAP protocol id 21584, expected 0 (not Modbus TCP)");
    const uint8_t zero_len[] = {0, 1, 0, 0, 0, 0, 1};
    expect_stream_error(zero_len, sizeof zero_len, "MBAP length 0 outside 2..254");
    const uint8_t one[] = {0, 1, 0, 0, 0, 1, 1};
    expect_stream_error(one, sizeof one, "MBAP length 1 outside 2..254");
    const uint8_t big[] = {0, 1, 0, 0, 0, 255, 1};
    expect_stream_error(big, sizeof big, "MBAP length 255 outside 2..254");
    /* the largest legal frame: length 254, a 253-byte PDU */
    uint8_t max[6 + 254] = {0, 9, 0, 0, 0, 254, 1, 3, 250};
    mdc_mb_mbap_rx rx;
    mdc_mb_mbap_rx_reset(&rx);
    mdc_mb_mbap_frame f;
    size_t used;
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, max, sizeof max, &used, &f, &err), 1);
    assert_int_equal(used, sizeof max);
    assert_int_equal(f.pdu_len, 253);
    /* 125 registers: a 252-byte PDU */
    max[5] = 253;
    mdc_mb_mbap_rx_reset(&rx);
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, max, sizeof max, &used, &f, &err), 1);
    assert_int_equal(used, 6 + 253);
    uint16_t regs[125];
    assert_int_equal(mdc_mb_mbap_parse_read_reply(&f, 1, 3, 125, regs, &err), 0);
}

static void expect_foreign(const uint8_t *frame, size_t n, uint8_t unit, int fc, uint16_t count,
                           const char *msg)
{
    mdc_mb_mbap_rx rx;
    mdc_mb_mbap_rx_reset(&rx);
    mdc_mb_mbap_frame f;
    size_t used;
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, frame, n, &used, &f, &err), 1);
    uint16_t regs[8];
    assert_int_equal(mdc_mb_mbap_parse_read_reply(&f, unit, fc, count, regs, &err), -1);
    assert_int_equal(err.code, MDC_EPROTO);
    assert_string_equal(err.msg, msg);
}

/* Frames that cannot answer the request: never decoded (MDC_EPROTO → the caller discards). */
static void test_reply_mismatches(void **state)
{
    (void)state;
    expect_foreign(stream, 13, 2, 4, 2, "reply from unit 1, expected unit 2");
    expect_foreign(stream, 13, 1, 3, 2, "reply has function code 4, expected 3");
    expect_foreign(stream, 13, 1, 4, 3, "reply byte count 4, expected 6");
    expect_foreign(stream + 13, 9, 1, 4, 2, "reply has function code 131, expected 4");
    const uint8_t short_data[] = {0, 7, 0, 0, 0, 6, 1, 4, 4, 0x43, 0x66, 0x19};
    expect_foreign(short_data, sizeof short_data, 1, 4, 2,
                   "reply carries 3 data bytes, byte count says 4");
    const uint8_t long_exc[] = {0, 8, 0, 0, 0, 4, 1, 0x84, 2, 0};
    expect_foreign(long_exc, sizeof long_exc, 1, 4, 2, "exception reply of 3 bytes, expected 2");
    const uint8_t no_count[] = {0, 8, 0, 0, 0, 2, 1, 4};
    expect_foreign(no_count, sizeof no_count, 1, 4, 2, "reply has no byte count");
    /* bits: 10 coils in 2 bytes, least significant bit first */
    const uint8_t coils[] = {0, 3, 0, 0, 0, 5, 9, 1, 2, 0x05, 0x02};
    mdc_mb_mbap_rx rx;
    mdc_mb_mbap_rx_reset(&rx);
    mdc_mb_mbap_frame f;
    size_t used;
    mdc_err err;
    assert_int_equal(mdc_mb_mbap_rx_feed(&rx, coils, sizeof coils, &used, &f, &err), 1);
    uint16_t bits[10];
    assert_int_equal(mdc_mb_mbap_parse_read_reply(&f, 9, 1, 10, bits, &err), 0);
    const uint16_t want[10] = {1, 0, 1, 0, 0, 0, 0, 0, 0, 1};
    assert_memory_equal(bits, want, sizeof want);
}

static void test_orphans(void **state)
{
    (void)state;
    mdc_mb_orphans o = {0};
    mdc_mb_orphans_add(&o, 1, 3, 4, 1000);
    const uint8_t reply4[] = {0x03, 0x08, 1, 2, 3, 4, 5, 6, 7, 8}; /* FC3, 4 registers */
    const uint8_t reply2[] = {0x03, 0x04, 1, 2, 3, 4};
    const uint8_t exc[] = {0x83, 0x02};
    /* another unit, another count, after the window: not the orphan's reply */
    assert_false(mdc_mb_orphans_take(&o, 2, reply4, sizeof reply4, 500));
    assert_false(mdc_mb_orphans_take(&o, 1, reply2, sizeof reply2, 500));
    assert_int_equal(o.n, 1);
    assert_true(mdc_mb_orphans_take(&o, 1, reply4, sizeof reply4, 1000));
    assert_int_equal(o.n, 0);
    assert_false(mdc_mb_orphans_take(&o, 1, reply4, sizeof reply4, 1000)); /* only once */
    mdc_mb_orphans_add(&o, 1, 3, 4, 1000);
    assert_false(mdc_mb_orphans_take(&o, 1, reply4, sizeof reply4, 1001)); /* expired */
    assert_int_equal(o.n, 0);
    /* an exception for the orphan's function; two orphans, oldest first */
    mdc_mb_orphans_add(&o, 1, 3, 4, 1000);
    mdc_mb_orphans_add(&o, 1, 3, 2, 2000);
    assert_true(mdc_mb_orphans_take(&o, 1, exc, sizeof exc, 10));
    assert_int_equal(o.n, 1);
    assert_int_equal(o.o[0].count, 2);
    assert_true(mdc_mb_orphans_take(&o, 1, reply2, sizeof reply2, 10));
    /* full: the oldest is forgotten */
    for (int i = 0; i < MDC_MB_ORPHANS_MAX + 2; i++)
        mdc_mb_orphans_add(&o, (uint8_t)(10 + i), 4, 1, 5000);
    assert_int_equal(o.n, MDC_MB_ORPHANS_MAX);
    assert_int_equal(o.o[0].unit, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_request_bytes), cmocka_unit_test(test_rx_whole_stream),
        cmocka_unit_test(test_rx_any_chunking),    cmocka_unit_test(test_rx_not_modbus),
        cmocka_unit_test(test_reply_mismatches),   cmocka_unit_test(test_orphans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
