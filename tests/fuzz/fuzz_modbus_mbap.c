/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the Modbus TCP frame receiver and read-reply check.
 * Input: byte 0 = unit, byte 1 = function (1..4), byte 2 = count, byte 3 = chunk size; the rest
 * is the byte stream from the peer. */
#include "drivers/modbus/mbap.h"
#include "drivers/modbus/orphan.h"
#include "drivers/modbus/pdu.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_frame(const mdc_mb_mbap_frame *f, uint8_t unit, int fc, uint16_t count)
{
    if (f->pdu_len < 1 || f->pdu_len > MDC_MB_PDU_MAX) abort();
    uint16_t out[2000];
    mdc_err err;
    int rc = mdc_mb_mbap_parse_read_reply(f, unit, fc, count, out, &err);
    if (rc == 0) {
        /* accepted: exactly the shape of the answer */
        if (f->unit != unit || f->pdu[0] != fc || f->pdu_len != 2 + mdc_mb_reply_bytes(fc, count))
            abort();
        for (uint16_t i = 0; fc <= 2 && i < count; i++)
            if (out[i] > 1) abort();
    } else if (err.code != MDC_EPROTO && err.code != MDC_EDEVICE) {
        abort();
    }
    mdc_mb_orphans o = {0};
    mdc_mb_orphans_add(&o, unit, fc, count, 10);
    bool late = mdc_mb_orphans_take(&o, f->unit, f->pdu, f->pdu_len, 5);
    if (rc == 0 && !late) abort(); /* an answer's shape is an orphan's shape */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    uint8_t unit = data[0];
    int fc = 1 + data[1] % 4;
    uint16_t count = (uint16_t)(1 + data[2] % (fc <= 2 ? 250 : 125));
    size_t chunk = 1 + data[3] % 16;
    data += 4;
    size -= 4;
    mdc_mb_mbap_rx rx;
    mdc_mb_mbap_rx_reset(&rx);
    while (size > 0) {
        size_t k = size < chunk ? size : chunk, used;
        mdc_mb_mbap_frame f;
        mdc_err err;
        int rc = mdc_mb_mbap_rx_feed(&rx, data, k, &used, &f, &err);
        if (used > k || rx.len > MDC_MB_MBAP_MAX) abort();
        if (rc < 0) {
            if (err.code != MDC_EPROTO) abort();
            return 0; /* the connection would be closed */
        }
        if (rc == 0 && used != k) abort();
        data += used;
        size -= used;
        if (rc == 1) check_frame(&f, unit, fc, count);
    }
    return 0;
}
