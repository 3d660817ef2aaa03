/* SPDX-License-Identifier: Apache-2.0 */
/* skrx.h — cuts the byte stream from a SKSTACK-IP module into items: text lines and ERXUDP
 * receptions.
 *
 * ERXUDP carries DATALEN bytes of payload, as 2 x DATALEN hex digits (BP35A1 default, ROPT 01)
 * or as DATALEN raw bytes that may contain CR and LF (binary mode: BP35A1 with ROPT 00,
 * BP35C0/C2, RL7023 Stick-D/DSS). The reader is length-based and needs no mode setting: after
 * DATALEN bytes, CRLF means binary; otherwise those bytes must be hex digits and the payload is
 * 2 x DATALEN hex digits. (In hex mode byte DATALEN is a hex digit, never CR, so the two cannot
 * be confused.) The header fields between the sender's link-local address and DATALEN vary by
 * module: [RSSI/LQI] SECURED [SIDE]; DATALEN is the first four-digit field.
 *
 *   ERXUDP sender dest rport lport senderlla [lqi] secured [side] datalen data CRLF
 *
 * Bytes in front of "ERXUDP" on the same line, and any ERXUDP whose header does not parse, are
 * reported as noise, and reading continues at the next line. Pure (no I/O); the caller owns the
 * struct (about 12 KiB).
 */
#ifndef MDC_BRT_SKRX_H
#define MDC_BRT_SKRX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_SK_UDP_MAX  1232 /* 0x4D0, the SKSTACK-IP data limit */
#define MDC_SK_LINE_MAX 1024 /* longer lines are cut into noise */
#define MDC_SK_RX_CAP   8192

typedef struct mdc_sk_erxudp {
    char sender[48], dest[48];
    uint16_t rport, lport;
    char senderlla[17];
    int lqi;     /* -1 when absent */
    int secured; /* 0 plain, 1 encrypted */
    int side;    /* -1 when absent */
    bool hex;    /* the payload came as hex digits */
    size_t len;
    uint8_t data[MDC_SK_UDP_MAX];
} mdc_sk_erxudp;

typedef enum mdc_sk_item_type {
    MDC_SK_ITEM_LINE = 1, /* line/len: one line without CR/LF */
    MDC_SK_ITEM_UDP,      /* udp: a complete reception */
    MDC_SK_ITEM_NOISE,    /* line/len: bytes that were skipped */
} mdc_sk_item_type;

typedef struct mdc_sk_item {
    mdc_sk_item_type type;
    const char *line; /* valid until the next mdc_sk_rx_next() or feed */
    size_t len;
    const mdc_sk_erxudp *udp;
} mdc_sk_item;

typedef struct mdc_sk_rx {
    char buf[MDC_SK_RX_CAP];
    size_t len;
    size_t consumed; /* bytes of the item last returned, dropped on the next call */
    mdc_sk_erxudp udp;
} mdc_sk_rx;

void mdc_sk_rx_init(mdc_sk_rx *rx);
/* Appends up to n bytes; returns how many were taken (fewer when the buffer is full: take
 * items out with mdc_sk_rx_next first). */
size_t mdc_sk_rx_feed(mdc_sk_rx *rx, const void *data, size_t n);
/* Free space for the next feed. */
size_t mdc_sk_rx_space(const mdc_sk_rx *rx);
/* 1 and *it when an item is complete, 0 when more bytes are needed. */
int mdc_sk_rx_next(mdc_sk_rx *rx, mdc_sk_item *it);

/* Parses one whole ERXUDP (header, payload and line end) at s[0..n). Returns 1 and the bytes
 * used, 0 when more bytes are needed, -1 when it is not a valid ERXUDP. */
int mdc_sk_erxudp_parse(const char *s, size_t n, mdc_sk_erxudp *out, size_t *used);

#endif
