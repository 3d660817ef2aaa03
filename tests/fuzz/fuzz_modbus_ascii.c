/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the Modbus ASCII receiver, frame decoder and read-reply parser.
 * Input: byte 0 = unit, byte 1 = function (1..4), byte 2 = count; the rest is the line. */
#include "drivers/modbus/ascii.h"
#include "drivers/modbus/pdu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const mdc_mb_ascii_rx *rx, int unit, int fc, uint16_t count)
{
    if (rx->len < 2 || rx->buf[0] != ':' || rx->buf[rx->len - 1] != '\n')
        abort(); /* the receiver hands out whole frames only */
    uint16_t out[2000];
    mdc_err err;
    if (mdc_mb_ascii_parse_read_reply(rx->buf, rx->len, unit, fc, count, out, &err) == 0) {
        for (uint16_t i = 0; fc <= 2 && i < count; i++)
            if (out[i] > 1) abort();
    } else if (err.code != MDC_EPROTO && err.code != MDC_EDEVICE) {
        abort();
    }
    /* decode → encode gives the frame back (modulo case and a bare LF) */
    uint8_t adu[1 + MDC_MB_PDU_MAX];
    size_t n;
    if (mdc_mb_ascii_decode(rx->buf, rx->len, adu, sizeof adu, &n, &err) == 0 && n >= 2) {
        char again[MDC_MB_ASCII_MAX];
        size_t l = mdc_mb_ascii_encode(adu[0], adu + 1, n - 1, again, sizeof again);
        if (l == 0 || strncasecmp(again, rx->buf, l - 2) != 0) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int unit = data[0], fc = 1 + data[1] % 4;
    uint16_t count = (uint16_t)(1 + data[2] % (fc <= 2 ? 250 : 125));
    data += 3;
    size -= 3;
    mdc_mb_ascii_rx rx;
    memset(&rx, 0, sizeof rx);
    mdc_mb_ascii_rx_reset(&rx);
    /* feed in uneven chunks */
    size_t chunk = size % 7 + 1;
    while (size > 0) {
        size_t k = size < chunk ? size : chunk, used;
        mdc_err err;
        int rc = mdc_mb_ascii_rx_feed(&rx, data, k, &used, &err);
        if (used == 0 || used > k || rx.len > MDC_MB_ASCII_MAX) abort();
        data += used;
        size -= used;
        if (rc == 1) {
            check_frame(&rx, unit, fc, count);
            mdc_mb_ascii_rx_reset(&rx);
        }
    }
    return 0;
}
