/* SPDX-License-Identifier: Apache-2.0 */
/* mbap.c — Modbus TCP framing: read requests, an incremental frame receiver, reply checks. */
#include "mbap.h"
#include "pdu.h"

#include <string.h>

size_t mdc_mb_mbap_read_request(uint16_t tid, uint8_t unit, int fc, uint16_t addr, uint16_t count,
                                uint8_t out[MDC_MB_MBAP_REQUEST])
{
    out[0] = (uint8_t)(tid >> 8);
    out[1] = (uint8_t)(tid & 0xFF);
    out[2] = 0;
    out[3] = 0;
    out[4] = 0;
    out[5] = 6; /* unit id + 5-byte PDU */
    out[6] = unit;
    mdc_mb_pdu_read_request(fc, addr, count, out + 7);
    return MDC_MB_MBAP_REQUEST;
}

void mdc_mb_mbap_rx_reset(mdc_mb_mbap_rx *rx)
{
    rx->len = 0;
    rx->complete = false;
}

/* Bytes the frame in rx needs in total, once its first 6 header bytes are in; 0 when the
 * header is not Modbus TCP. */
static size_t frame_size(const mdc_mb_mbap_rx *rx, mdc_err *err)
{
    unsigned proto = (unsigned)rx->buf[2] << 8 | rx->buf[3];
    unsigned len = (unsigned)rx->buf[4] << 8 | rx->buf[5];
    if (proto != 0) {
        mdc_err_set(err, MDC_EPROTO, "MBAP protocol id %u, expected 0 (not Modbus TCP)", proto);
        return 0;
    }
    if (len < 2 || len > 1 + MDC_MB_PDU_MAX) {
        mdc_err_set(err, MDC_EPROTO, "MBAP length %u outside 2..%d", len, 1 + MDC_MB_PDU_MAX);
        return 0;
    }
    return 6 + (size_t)len;
}

static size_t take(mdc_mb_mbap_rx *rx, size_t want, const uint8_t *data, size_t n)
{
    size_t k = want - rx->len;
    if (k > n) k = n;
    memcpy(rx->buf + rx->len, data, k);
    rx->len += k;
    return k;
}

int mdc_mb_mbap_rx_feed(mdc_mb_mbap_rx *rx, const uint8_t *data, size_t n, size_t *used,
                        mdc_mb_mbap_frame *f, mdc_err *err)
{
    if (rx->complete) mdc_mb_mbap_rx_reset(rx);
    size_t off = 0;
    if (rx->len < 6) off += take(rx, 6, data, n);
    if (rx->len < 6) {
        *used = off;
        return 0;
    }
    size_t need = frame_size(rx, err);
    if (need == 0) {
        *used = off;
        mdc_mb_mbap_rx_reset(rx);
        return -1;
    }
    off += take(rx, need, data + off, n - off);
    *used = off;
    if (rx->len < need) return 0;
    rx->complete = true;
    f->tid = (uint16_t)(rx->buf[0] << 8 | rx->buf[1]);
    f->unit = rx->buf[6];
    f->pdu = rx->buf + MDC_MB_MBAP_HEADER;
    f->pdu_len = need - MDC_MB_MBAP_HEADER;
    return 1;
}

int mdc_mb_mbap_parse_read_reply(const mdc_mb_mbap_frame *f, uint8_t unit, int fc, uint16_t count,
                                 uint16_t *out, mdc_err *err)
{
    if (f->unit != unit)
        return mdc_err_set(err, MDC_EPROTO, "reply from unit %u, expected unit %u", f->unit, unit);
    return mdc_mb_pdu_parse_read_reply(f->pdu, f->pdu_len, fc, count, out, err);
}
