/* SPDX-License-Identifier: Apache-2.0 */
/* hex.c — hexadecimal text helpers. */
#include "hex.h"

int mdc_brt_hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool mdc_brt_is_hex(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (mdc_brt_hexval((unsigned char)s[i]) < 0) return false;
    return true;
}

int mdc_brt_hex_decode(const char *hex, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int hi = mdc_brt_hexval((unsigned char)hex[2 * i]);
        int lo = mdc_brt_hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void mdc_brt_hex_encode(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

int mdc_brt_hex_u32(const char *s, size_t n, uint32_t *out)
{
    if (n == 0 || n > 8) return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = mdc_brt_hexval((unsigned char)s[i]);
        if (d < 0) return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}
