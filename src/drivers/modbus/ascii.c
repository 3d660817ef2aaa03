/* SPDX-License-Identifier: Apache-2.0 */
/* ascii.c — Modbus ASCII framing: encode, decode, incremental receive. */
#include "ascii.h"
#include "pdu.h"

#include <string.h>

static const char hexdigits[] = "0123456789ABCDEF";

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

static void put_hex(char *out, uint8_t b)
{
    out[0] = hexdigits[b >> 4];
    out[1] = hexdigits[b & 0xF];
}

size_t mdc_mb_ascii_encode(uint8_t unit, const uint8_t *pdu, size_t pdu_len, char *out, size_t cap)
{
    if (pdu_len < 1 || pdu_len > MDC_MB_PDU_MAX) return 0;
    size_t need = 1 + 2 * (1 + pdu_len + 1) + 2;
    if (cap < need) return 0;
    uint8_t sum = unit;
    size_t k = 0;
    out[k++] = ':';
    put_hex(out + k, unit);
    k += 2;
    for (size_t i = 0; i < pdu_len; i++) {
        put_hex(out + k, pdu[i]);
        k += 2;
        sum = (uint8_t)(sum + pdu[i]);
    }
    put_hex(out + k, (uint8_t)(-sum));
    k += 2;
    out[k++] = '\r';
    out[k++] = '\n';
    return k;
}

/* Length of the hex part: the frame minus ':' and the line end. */
static size_t hex_length(const char *frame, size_t len)
{
    size_t end = len;
    if (end > 0 && frame[end - 1] == '\n') end--;
    if (end > 0 && frame[end - 1] == '\r') end--;
    return end - 1;
}

int mdc_mb_ascii_decode(const char *frame, size_t len, uint8_t *adu, size_t cap, size_t *adu_len,
                        mdc_err *err)
{
    if (len < 1 || frame[0] != ':')
        return mdc_err_set(err, MDC_EPROTO, "ASCII frame does not start with ':'");
    size_t nhex = hex_length(frame, len);
    if (nhex % 2)
        return mdc_err_set(err, MDC_EPROTO, "ASCII frame has an odd number (%zu) of hex digits",
                           nhex);
    size_t nbytes = nhex / 2;
    if (nbytes < 3) /* unit, function, LRC */
        return mdc_err_set(err, MDC_EPROTO, "ASCII frame too short (%zu bytes)", nbytes);
    if (nbytes - 1 > cap)
        return mdc_err_set(err, MDC_EPROTO, "ASCII frame too long (%zu bytes)", nbytes);
    uint8_t sum = 0, lrc = 0;
    for (size_t i = 0; i < nbytes; i++) {
        int hi = hexval(frame[1 + 2 * i]), lo = hexval(frame[2 + 2 * i]);
        if (hi < 0 || lo < 0)
            return mdc_err_set(err, MDC_EPROTO, "ASCII frame has a non-hex character at %zu",
                               hi < 0 ? 1 + 2 * i : 2 + 2 * i);
        uint8_t b = (uint8_t)(hi << 4 | lo);
        if (i + 1 < nbytes) {
            adu[i] = b;
            sum = (uint8_t)(sum + b);
        } else {
            lrc = b;
        }
    }
    if ((uint8_t)(-sum) != lrc)
        return mdc_err_set(err, MDC_EPROTO, "ASCII LRC mismatch: frame says %02X, computed %02X",
                           lrc, (uint8_t)(-sum));
    *adu_len = nbytes - 1;
    return 0;
}

int mdc_mb_ascii_parse_read_reply(const char *frame, size_t len, int unit, int fc, uint16_t count,
                                  uint16_t *out, mdc_err *err)
{
    uint8_t adu[1 + MDC_MB_PDU_MAX];
    size_t n;
    if (mdc_mb_ascii_decode(frame, len, adu, sizeof adu, &n, err) < 0) return -1;
    if (adu[0] != unit)
        return mdc_err_set(err, MDC_EPROTO, "reply from unit %u, expected unit %d", adu[0], unit);
    return mdc_mb_pdu_parse_read_reply(adu + 1, n - 1, fc, count, out, err);
}

void mdc_mb_ascii_rx_reset(mdc_mb_ascii_rx *rx)
{
    rx->len = 0;
    rx->in_frame = false;
    rx->buf[0] = '\0';
}

int mdc_mb_ascii_rx_feed(mdc_mb_ascii_rx *rx, const uint8_t *data, size_t n, size_t *used,
                         mdc_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char c = (char)data[i];
        if (c == ':') { /* a new frame, even in the middle of one */
            rx->skipped += rx->len;
            rx->len = 0;
            rx->in_frame = true;
        } else if (!rx->in_frame) {
            rx->skipped++;
            continue;
        }
        if (rx->len >= MDC_MB_ASCII_MAX) {
            *used = i + 1;
            mdc_mb_ascii_rx_reset(rx);
            return mdc_err_set(err, MDC_EPROTO, "ASCII frame longer than %d characters",
                               MDC_MB_ASCII_MAX);
        }
        rx->buf[rx->len++] = c;
        rx->buf[rx->len] = '\0';
        if (c == '\n') {
            *used = i + 1;
            return 1;
        }
    }
    *used = n;
    return 0;
}
