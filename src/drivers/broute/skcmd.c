/* SPDX-License-Identifier: Apache-2.0 */
/* skcmd.c — module profiles and SKSTACK-IP command text. */
#include "skcmd.h"

#include <stdio.h>
#include <string.h>

const char *const mdc_brt_module_names[] = {"auto", "bp35a1", "bp35c0", "rl7023", NULL};

const char *mdc_brt_module_name(mdc_brt_module m)
{
    return (unsigned)m <= MDC_BRT_MODULE_RL7023 ? mdc_brt_module_names[m] : "?";
}

bool mdc_brt_module_has_side(mdc_brt_module m)
{
    return m == MDC_BRT_MODULE_BP35C0 || m == MDC_BRT_MODULE_RL7023;
}

static size_t fits(int n, size_t cap)
{
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t mdc_sk_cmd_setpwd(char *out, size_t cap, const char *password)
{
    size_t len = strlen(password);
    if (len < 1 || len > 32) return 0;
    return fits(snprintf(out, cap, "SKSETPWD %zX %s\r\n", len, password), cap);
}

size_t mdc_sk_cmd_scan(char *out, size_t cap, int duration, bool side)
{
    return fits(snprintf(out, cap, "SKSCAN 2 FFFFFFFF %X%s\r\n", duration, side ? " 0" : ""), cap);
}

size_t mdc_sk_cmd_sendto(char *out, size_t cap, const char *ipv6, uint16_t port, bool side,
                         size_t len)
{
    return fits(
        snprintf(out, cap, "SKSENDTO 1 %s %04X 1 %s%04zX ", ipv6, port, side ? "0 " : "", len),
        cap);
}

int64_t mdc_sk_scan_us(int duration)
{
    return (int64_t)MDC_SK_SCAN_CHANNELS * 9600 * ((INT64_C(1) << duration) + 1);
}
