/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the SKSTACK-IP stream reader (lines and ERXUDP in hex and binary form), fed in
 * chunks whose size comes from the first input byte, and the ERXUDP parser on its own with a
 * re-serialization round trip. */
#include "drivers/broute/hex.h"
#include "drivers/broute/skline.h"
#include "drivers/broute/skrx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mdc_sk_rx rx;
static mdc_sk_erxudp u1, u2;

static void check_udp(const mdc_sk_erxudp *u)
{
    if (u->len > MDC_SK_UDP_MAX || !mdc_sk_is_ipv6(u->sender, strlen(u->sender)) ||
        !mdc_sk_is_ipv6(u->dest, strlen(u->dest)) || strlen(u->senderlla) != 16)
        abort();
    if (u->lqi > 0xFF || u->secured > 0xF || u->side > 0xF) abort();
}

/* Prints u back as the module would (hex or binary) and parses it again. */
static void roundtrip(const mdc_sk_erxudp *u)
{
    static char buf[4096];
    int n = snprintf(buf, sizeof buf, "ERXUDP %s %s %04X %04X %s ", u->sender, u->dest, u->rport,
                     u->lport, u->senderlla);
    if (u->lqi >= 0) n += snprintf(buf + n, sizeof buf - (size_t)n, "%02X ", u->lqi);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "%X ", u->secured);
    if (u->side >= 0) n += snprintf(buf + n, sizeof buf - (size_t)n, "%X ", u->side);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "%04zX ", u->len);
    size_t len = (size_t)n;
    if (u->hex) {
        mdc_brt_hex_encode(u->data, u->len, buf + len);
        len += 2 * u->len;
    } else {
        memcpy(buf + len, u->data, u->len);
        len += u->len;
    }
    memcpy(buf + len, "\r\n", 2);
    len += 2;
    size_t used;
    if (mdc_sk_erxudp_parse(buf, len, &u2, &used) != 1 || used != len) abort();
    if (u2.len != u->len || memcmp(u2.data, u->data, u->len) != 0 || u2.rport != u->rport ||
        u2.side != u->side || u2.lqi != u->lqi || u2.secured != u->secured)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t chunk = 1 + data[0] % 64;
    const char *p = (const char *)data + 1;
    size--;
    size_t used;
    int rc = mdc_sk_erxudp_parse(p, size, &u1, &used);
    if (rc == 1) {
        if (used == 0 || used > size) abort();
        check_udp(&u1);
        roundtrip(&u1);
    }
    mdc_sk_rx_init(&rx);
    size_t fed = 0;
    while (fed < size) {
        size_t k = size - fed < chunk ? size - fed : chunk;
        size_t took = mdc_sk_rx_feed(&rx, p + fed, k);
        fed += took;
        mdc_sk_item it;
        int items = 0;
        while (mdc_sk_rx_next(&rx, &it)) {
            if (++items > 100000) abort(); /* every item consumes bytes */
            if (it.type == MDC_SK_ITEM_UDP) check_udp(it.udp);
            if (it.type == MDC_SK_ITEM_LINE) {
                if (it.len > MDC_SK_LINE_MAX || memchr(it.line, '\n', it.len)) abort();
                mdc_sk_line l;
                mdc_sk_line_parse(it.line, it.len, &l);
            }
            if (it.type == MDC_SK_ITEM_NOISE && it.len == 0) abort();
        }
        if (took == 0 && k > 0) abort(); /* after draining there is always room */
    }
    return 0;
}
