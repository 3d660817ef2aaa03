/* SPDX-License-Identifier: Apache-2.0 */
/* mbap.h — Modbus TCP framing (the MBAP header) as a pure codec: read requests out, replies cut
 * from a byte stream and checked against the request they claim to answer. No I/O.
 *
 * A frame is a 7-byte header — transaction id (2), protocol id 0 (2), length (2) = the number of
 * bytes that follow it (unit id + PDU), unit id (1) — then the PDU (1..253 bytes), all
 * big-endian. Reading input registers 0..9 of unit 1 as transaction 7:
 *   00 07 00 00 00 06 01 04 00 00 00 0A
 * and its reply carrying 20 data bytes:
 *   00 07 00 00 00 17 01 04 14 <20 bytes>
 */
#ifndef MDC_MODBUS_MBAP_H
#define MDC_MODBUS_MBAP_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_MB_MBAP_HEADER  7
#define MDC_MB_MBAP_MAX     260 /* header + 253-byte PDU */
#define MDC_MB_MBAP_REQUEST 12  /* a read request: header + 5-byte PDU */

/* Writes the 12 bytes of a read request (fc 1..4) for `unit` as transaction `tid`. */
size_t mdc_mb_mbap_read_request(uint16_t tid, uint8_t unit, int fc, uint16_t addr, uint16_t count,
                                uint8_t out[MDC_MB_MBAP_REQUEST]);

/* One frame cut from the stream. pdu points into the receiver and stays valid until the next
 * call of mdc_mb_mbap_rx_feed on it. */
typedef struct mdc_mb_mbap_frame {
    uint16_t tid;
    uint8_t unit;
    const uint8_t *pdu;
    size_t pdu_len; /* 1..253 */
} mdc_mb_mbap_frame;

/* Incremental receiver: cuts frames out of a TCP byte stream in any chunking. */
typedef struct mdc_mb_mbap_rx {
    uint8_t buf[MDC_MB_MBAP_MAX];
    size_t len;    /* bytes of the current frame held */
    bool complete; /* the frame in buf was handed out; the next feed starts a new one */
} mdc_mb_mbap_rx;

void mdc_mb_mbap_rx_reset(mdc_mb_mbap_rx *rx);
/* Consumes bytes from data[0..n). Returns 1 as soon as a frame is complete (*f describes it;
 * *used bytes were consumed, the rest belongs to the next frame), 0 when all n bytes were consumed
 * without completing one, -1 (MDC_EPROTO) when the stream is not Modbus TCP: a protocol id other
 * than 0, or a length field outside 2..254. After -1 the stream cannot be resynchronised: close
 * the connection. */
int mdc_mb_mbap_rx_feed(mdc_mb_mbap_rx *rx, const uint8_t *data, size_t n, size_t *used,
                        mdc_mb_mbap_frame *f, mdc_err *err);

/* Checks that frame f (whose transaction id the caller has matched) answers a read of `count`
 * values with function fc from `unit`, and unpacks it into out[count] (registers, or bits as
 * 0/1). MDC_EDEVICE for an exception reply (a valid answer); MDC_EPROTO when the frame cannot
 * belong to that request — another unit id, function code, byte count or length — so that the
 * caller discards it and never decodes it as this request's answer. */
int mdc_mb_mbap_parse_read_reply(const mdc_mb_mbap_frame *f, uint8_t unit, int fc, uint16_t count,
                                 uint16_t *out, mdc_err *err);

#endif
