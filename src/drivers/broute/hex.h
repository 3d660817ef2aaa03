/* SPDX-License-Identifier: Apache-2.0 */
/* hex.h — hexadecimal text helpers shared by the SKSTACK-IP and ECHONET Lite code. */
#ifndef MDC_BRT_HEX_H
#define MDC_BRT_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Value of one hex digit (either case), or -1. */
int mdc_brt_hexval(int c);
/* True when s[0..n) is non-empty and only hex digits. */
bool mdc_brt_is_hex(const char *s, size_t n);
/* Decodes 2*n hex digits into n bytes. Returns 0, or -1 on a non-hex digit. */
int mdc_brt_hex_decode(const char *hex, size_t n, uint8_t *out);
/* Writes 2*n uppercase hex digits and a NUL (out needs 2*n+1 bytes). */
void mdc_brt_hex_encode(const uint8_t *p, size_t n, char *out);
/* Parses exactly n hex digits (n <= 8) as an unsigned number. Returns 0 or -1. */
int mdc_brt_hex_u32(const char *s, size_t n, uint32_t *out);

#endif
