/* SPDX-License-Identifier: Apache-2.0 */
/* orphan.h — requests that timed out on a serial line, whose replies may still arrive.
 *
 * RTU and ASCII frames carry no transaction id: a reply that arrives after its request timed
 * out looks exactly like the answer to the next request when both read the same unit, function
 * and count (two meters behind one unit id, read one after the other). So a link remembers each
 * timed-out request for a window after its timeout; a frame that could answer one of them is
 * drained — discarded and counted — and forgets it; it is never decoded as the next answer. Pure
 * bookkeeping, no I/O. */
#ifndef MDC_MODBUS_ORPHAN_H
#define MDC_MODBUS_ORPHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_MB_ORPHANS_MAX 8

typedef struct mdc_mb_orphan {
    uint8_t unit, fc;
    uint16_t count;
    int64_t until_us; /* monotonic; a reply after this is no longer expected */
} mdc_mb_orphan;

typedef struct mdc_mb_orphans {
    mdc_mb_orphan o[MDC_MB_ORPHANS_MAX];
    size_t n;
} mdc_mb_orphans;

/* Remembers a timed-out read (fc 1..4) until until_us; the oldest is forgotten when full. */
void mdc_mb_orphans_add(mdc_mb_orphans *s, uint8_t unit, int fc, uint16_t count, int64_t until_us);
/* Forgets the orphans whose window ended before now_us. */
void mdc_mb_orphans_expire(mdc_mb_orphans *s, int64_t now_us);
/* True when the frame (unit + PDU of pdu_len bytes) has the shape of the answer to a remembered
 * request still inside its window — a read reply with its function code and byte count, or an
 * exception for its function — and then forgets the oldest such request. */
bool mdc_mb_orphans_take(mdc_mb_orphans *s, uint8_t unit, const uint8_t *pdu, size_t pdu_len,
                         int64_t now_us);

#endif
