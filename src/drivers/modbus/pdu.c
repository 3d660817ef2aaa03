/* SPDX-License-Identifier: Apache-2.0 */
/* pdu.c — read request/reply PDUs, exception names, checksums. */
#include "pdu.h"

#include <stdbool.h>

const char *mdc_mb_exception_name(int code)
{
    switch (code) {
    case 1:
        return "illegal function";
    case 2:
        return "illegal data address";
    case 3:
        return "illegal data value";
    case 4:
        return "server device failure";
    case 5:
        return "acknowledge";
    case 6:
        return "server device busy";
    case 7:
        return "negative acknowledge";
    case 8:
        return "memory parity error";
    case 10:
        return "gateway path unavailable";
    case 11:
        return "gateway target device failed to respond";
    default:
        return "unknown exception";
    }
}

int mdc_mb_exception_error(int code, mdc_err *err)
{
    return mdc_err_set(err, MDC_EDEVICE, "exception %02X %s", (unsigned)code & 0xFF,
                       mdc_mb_exception_name(code));
}

static bool is_bits(int fc)
{
    return fc == 1 || fc == 2;
}

size_t mdc_mb_reply_bytes(int fc, uint16_t count)
{
    return is_bits(fc) ? ((size_t)count + 7) / 8 : (size_t)count * 2;
}

size_t mdc_mb_pdu_read_request(int fc, uint16_t addr, uint16_t count, uint8_t pdu[5])
{
    pdu[0] = (uint8_t)fc;
    pdu[1] = (uint8_t)(addr >> 8);
    pdu[2] = (uint8_t)(addr & 0xFF);
    pdu[3] = (uint8_t)(count >> 8);
    pdu[4] = (uint8_t)(count & 0xFF);
    return 5;
}

static void unpack(const uint8_t *data, int fc, uint16_t count, uint16_t *out)
{
    for (size_t i = 0; i < count; i++) {
        if (is_bits(fc))
            out[i] = (uint16_t)((data[i / 8] >> (i % 8)) & 1);
        else
            out[i] = (uint16_t)(data[2 * i] << 8 | data[2 * i + 1]);
    }
}

int mdc_mb_pdu_parse_read_reply(const uint8_t *pdu, size_t n, int fc, uint16_t count, uint16_t *out,
                                mdc_err *err)
{
    if (n < 1) return mdc_err_set(err, MDC_EPROTO, "empty reply");
    if (pdu[0] == (uint8_t)(fc | 0x80)) {
        if (n != 2)
            return mdc_err_set(err, MDC_EPROTO, "exception reply of %zu bytes, expected 2", n);
        return mdc_mb_exception_error(pdu[1], err);
    }
    if (pdu[0] != fc)
        return mdc_err_set(err, MDC_EPROTO, "reply has function code %u, expected %d", pdu[0], fc);
    size_t want = mdc_mb_reply_bytes(fc, count);
    if (n < 2) return mdc_err_set(err, MDC_EPROTO, "reply has no byte count");
    if (pdu[1] != want)
        return mdc_err_set(err, MDC_EPROTO, "reply byte count %u, expected %zu", pdu[1], want);
    if (n != 2 + want)
        return mdc_err_set(err, MDC_EPROTO, "reply carries %zu data bytes, byte count says %zu",
                           n - 2, want);
    unpack(pdu + 2, fc, count, out);
    return 0;
}

uint16_t mdc_mb_crc16(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
    }
    return crc;
}

uint8_t mdc_mb_lrc(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)(-sum);
}
