/* SPDX-License-Identifier: Apache-2.0 */
/* ascii.h — the Modbus ASCII frame codec (libmodbus has none). Pure functions, no I/O.
 *
 * A frame is ':' + uppercase hex of (unit, function, data) + hex of the LRC + CR LF.
 * Reading holding registers 4199..4202 of unit 1 is ":01031067000481\r\n".
 */
#ifndef MDC_MODBUS_ASCII_H
#define MDC_MODBUS_ASCII_H

#include "core/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ':' + 2 × (unit + 253-byte PDU + LRC) + CR LF */
#define MDC_MB_ASCII_MAX (1 + 2 * (1 + 253 + 1) + 2)

/* Encodes a frame; returns its length (no NUL is written), or 0 if it does not fit in cap or
 * the PDU is empty or longer than 253 bytes. */
size_t mdc_mb_ascii_encode(uint8_t unit, const uint8_t *pdu, size_t pdu_len, char *out, size_t cap);

/* Decodes one frame, from ':' to the end of the line (CR LF, or LF alone). Upper- and lowercase
 * hex are accepted. Writes unit + PDU (without the LRC) into adu. MDC_EPROTO on a missing ':',
 * odd length, non-hex character, frame shorter than unit + function, or LRC mismatch. */
int mdc_mb_ascii_decode(const char *frame, size_t len, uint8_t *adu, size_t cap, size_t *adu_len,
                        mdc_err *err);

/* Decodes a reply frame to a read request and unpacks it into out[count] (see
 * mdc_mb_pdu_parse_read_reply): also checks that the reply comes from `unit`. */
int mdc_mb_ascii_parse_read_reply(const char *frame, size_t len, int unit, int fc, uint16_t count,
                                  uint16_t *out, mdc_err *err);

/* Incremental receiver: cuts frames out of a byte stream. */
typedef struct mdc_mb_ascii_rx {
    char buf[MDC_MB_ASCII_MAX + 1]; /* the frame so far, from ':'; NUL-terminated */
    size_t len;
    bool in_frame;
    size_t skipped; /* noise bytes dropped outside frames (for diagnostics) */
} mdc_mb_ascii_rx;

void mdc_mb_ascii_rx_reset(mdc_mb_ascii_rx *rx);
/* Consumes bytes from data[0..n). Returns 1 as soon as a line feed completes a frame (it is in
 * rx->buf[0..rx->len); *used says how many bytes were consumed, the rest belongs to what comes
 * next; call mdc_mb_ascii_rx_reset before the next frame), 0 when all n bytes were consumed
 * without completing a frame, -1 (MDC_EPROTO) when a frame grew past MDC_MB_ASCII_MAX (the
 * receiver is reset). Bytes before ':' are skipped; a ':' inside a frame starts it again. */
int mdc_mb_ascii_rx_feed(mdc_mb_ascii_rx *rx, const uint8_t *data, size_t n, size_t *used,
                         mdc_err *err);

#endif
