/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the SKSTACK-IP line parser and IPv6 canonicalization. The input is split at
 * newlines; every piece is parsed as one line. */
#include "drivers/broute/skline.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
    if (strnlen(s, cap) >= cap) abort(); /* always terminated */
}

static void check_line(const char *p, size_t n)
{
    mdc_sk_line l;
    mdc_sk_line_parse(p, n, &l);
    if ((unsigned)l.kind > MDC_SK_ECHO) abort();
    check_str(l.addr, sizeof l.addr);
    check_str(l.text, sizeof l.text);
    check_str(l.key, sizeof l.key);
    check_str(l.value, sizeof l.value);
    check_str(l.addr64, sizeof l.addr64);
    if (l.kind == MDC_SK_EVENT && (l.code < 0 || l.code > 0xFF || l.side > 0xF || l.param > 0xFF))
        abort();
    if (l.kind == MDC_SK_PANFIELD && !l.key[0]) abort();
    if (l.kind == MDC_SK_IPV6 && !mdc_sk_is_ipv6(l.addr, strlen(l.addr))) abort();
    if (!mdc_sk_fail_name(l.code) || !mdc_sk_event_name(l.code)) abort();
    char canon[MDC_SK_IPV6_LEN + 1];
    if (mdc_sk_ipv6_canon(p, n, canon) == 0) {
        if (strlen(canon) != MDC_SK_IPV6_LEN || !mdc_sk_is_ipv6(canon, MDC_SK_IPV6_LEN)) abort();
        char again[MDC_SK_IPV6_LEN + 1];
        if (mdc_sk_ipv6_canon(canon, MDC_SK_IPV6_LEN, again) != 0 || strcmp(canon, again) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    check_line(p, size);
    while (size > 0) {
        const char *nl = memchr(p, '\n', size);
        size_t n = nl ? (size_t)(nl - p) : size;
        check_line(p, n);
        if (!nl) break;
        size -= n + 1;
        p += n + 1;
    }
    return 0;
}
