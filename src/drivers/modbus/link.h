/* SPDX-License-Identifier: Apache-2.0 */
/* link.h — one Modbus connection: TCP or RTU (through libmodbus) or ASCII (our own framing)
 * on a serial line.
 *
 * A link is used by one thread at a time (libmodbus contexts are not thread-safe); several
 * units on one RS-485 line share one link. Reads fail with context:
 *   "unit 1 FC4 addr 0 count 6: timeout after 1000 ms"            (MDC_ETIMEOUT)
 *   "unit 1 FC3 addr 5000 count 2: exception 02 illegal data address" (MDC_EDEVICE)
 *   CRC/LRC/length/unit mismatches → MDC_EPROTO; socket or line failures → MDC_EIO.
 * After a failure that leaves the connection unusable (TCP reset, serial device gone) the
 * link reports mdc_mb_link_needs_reopen(): close it and open a new one (with your backoff).
 * On serial lines the link keeps the inter-frame silent period (t3.5) between transactions,
 * flushes after a timeout or a corrupt frame, and drains the late reply of a timed-out request
 * when it arrives during a later one (orphan.h): such frames, and frames of another unit,
 * function or length, are discarded and counted, never decoded as the answer.
 */
#ifndef MDC_MODBUS_LINK_H
#define MDC_MODBUS_LINK_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { MDC_MB_TCP, MDC_MB_RTU, MDC_MB_ASCII } mdc_mb_kind;

typedef struct mdc_mb_link_cfg {
    mdc_mb_kind kind;
    union {               /* one or the other: a fleet keeps thousands of these */
        char host[256];   /* TCP: name or address */
        char device[256]; /* RTU/ASCII: /dev/ttyUSB0 */
    };
    int port;                /* TCP, default 502 */
    int baud;                /* default 9600; must be a standard rate */
    char parity;             /* 'N' 'E' 'O' */
    int data_bits;           /* 5..8 (RTU 8, ASCII usually 7) */
    int stop_bits;           /* 1 | 2 */
    int64_t timeout_us;      /* wait for the start of a reply (TCP: also connect), default 1 s */
    int64_t byte_timeout_us; /* wait between parts of a reply; 0 = automatic */
} mdc_mb_link_cfg;

typedef struct mdc_mb_link mdc_mb_link;

/* Defaults: TCP, port 502, 9600 8N1, timeout 1 s, automatic byte timeout. */
void mdc_mb_link_cfg_init(mdc_mb_link_cfg *cfg);
/* Validates a configuration without opening anything (for `mdc check`). */
int mdc_mb_link_cfg_check(const mdc_mb_link_cfg *cfg, mdc_err *err);
/* "HOST:PORT", "[v6addr]:PORT" → host, port. */
int mdc_mb_parse_hostport(const char *s, char *host, size_t hostcap, int *port, mdc_err *err);
/* "tcp 127.0.0.1:502", "rtu /dev/ttyUSB0 9600 8N1", "ascii /dev/ttyUSB0 9600 7E2". */
void mdc_mb_link_cfg_describe(const mdc_mb_link_cfg *cfg, char *buf, size_t n);

/* Connects / opens the serial line. */
int mdc_mb_link_open(const mdc_mb_link_cfg *cfg, mdc_mb_link **out, mdc_err *err);
void mdc_mb_link_close(mdc_mb_link *l); /* NULL is fine */

/* Read `count` registers (fc 3/4) into out, or `count` bits (fc 1/2) into out[] as 0/1, from
 * unit id `unit` (0..255; 0 is broadcast and not allowed for reads). count: 1..125 registers,
 * 1..2000 bits. */
int mdc_mb_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                mdc_err *err);

/* True when the connection is broken (TCP reset/closed, transaction out of step, serial device
 * gone): close and reopen before the next read. */
bool mdc_mb_link_needs_reopen(const mdc_mb_link *l);

/* Replies discarded since the link was opened because they could not answer the request
 * waiting for them: late replies drained after a timeout (serial lines), another unit,
 * function code or length, a TCP transaction id out of step. Never decoded as an answer. */
uint64_t mdc_mb_link_discarded(const mdc_mb_link *l);

#endif
