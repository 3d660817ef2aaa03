/* SPDX-License-Identifier: Apache-2.0 */
/* link_impl.h — what the transports share (private to src/drivers/modbus). */
#ifndef MDC_MODBUS_LINK_IMPL_H
#define MDC_MODBUS_LINK_IMPL_H

#include "ascii.h"
#include "link.h"
#include "orphan.h"

#include <modbus.h>
#include <termios.h>

struct mdc_mb_link {
    mdc_mb_link_cfg cfg;
    int64_t byte_timeout_us; /* resolved (never 0) */
    modbus_t *ctx;           /* TCP and RTU */
    int fd;                  /* ASCII */
    struct termios saved;    /* ASCII: settings to restore */
    bool needs_reopen;
    bool flush_before_next; /* a timeout or corrupt reply may leave bytes behind */
    int char_bits;
    int64_t silent_us;   /* t3.5 on serial lines, 0 on TCP */
    int64_t last_end_us; /* monotonic end of the previous transaction */
    mdc_mb_ascii_rx rx;
    uint8_t pend[256]; /* ASCII: bytes read from the line, consumed from pend_off */
    size_t npend, pend_off;
    /* serial lines: requests that timed out, whose replies may still come (orphan.h) */
    mdc_mb_orphans orphans;
    uint64_t discarded;     /* replies discarded since the link was opened */
    unsigned discarded_now; /* ... while waiting for the current reply */
};

/* libmodbus transports (link_lm.c). Errors carry no request context; link.c adds it. */
int mdc_mb_lm_open(mdc_mb_link *l, mdc_err *err);
void mdc_mb_lm_close(mdc_mb_link *l);
int mdc_mb_lm_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                   mdc_err *err);

/* Modbus ASCII on a serial line (link_ascii.c). */
int mdc_mb_asc_open(mdc_mb_link *l, mdc_err *err);
void mdc_mb_asc_close(mdc_mb_link *l);
int mdc_mb_asc_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                    mdc_err *err);

/* "timeout after 1000 ms" (+ "; discarded 1 reply that did not answer this request") */
int mdc_mb_timeout_error(const mdc_mb_link *l, int64_t us, mdc_err *err);

/* A serial reply frame (unit + PDU, without checksum) for the current request: returns 1 when
 * it cannot be this request's answer — a late reply drained after a timeout, or another unit,
 * function code or length — and was discarded and counted (keep waiting); 0 when out holds the
 * answer; -1 for an exception reply (err set). */
int mdc_mb_link_take_reply(mdc_mb_link *l, int unit, int fc, uint16_t count, const uint8_t *adu,
                           size_t n, uint16_t *out, mdc_err *err);

#endif
