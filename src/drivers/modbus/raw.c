/* SPDX-License-Identifier: Apache-2.0 */
/* raw.c — raw register dumps for `mdc read --raw`: hex, and every plausible interpretation so a
 * user can find the type and order of an undocumented meter. */
#include "decode.h"

#include <inttypes.h>

void mdc_mb_raw_hex(const uint16_t *regs, size_t n, strbuf *out)
{
    for (size_t i = 0; i < n; i++)
        sb_printf(out, "%s0x%04X", i ? " " : "", regs[i]);
}

static void put_value(const mdc_value *v, strbuf *out)
{
    char buf[40];
    switch (v->type) {
    case MDC_INT:
        sb_printf(out, "%" PRId64, v->u.i);
        break;
    case MDC_DOUBLE:
        mdc_mb_format_double(v->u.d, buf, sizeof buf);
        sb_puts(out, buf);
        break;
    case MDC_STRING:
        sb_printf(out, "\"%s\"", v->u.s);
        break;
    default:
        sb_puts(out, "?");
        break;
    }
}

static void interpret_one(const uint16_t *regs, size_t n, int bpr, mdc_mb_type t, mdc_mb_order o,
                          strbuf *out)
{
    mdc_mb_format f;
    mdc_mb_format_init(&f);
    f.type = t;
    f.order = o;
    f.bytes_per_register = bpr;
    f.length = (int)n;
    int need = mdc_mb_point_registers(t, bpr, f.length);
    if (need < 0 || (size_t)need > n) return;
    sb_printf(out, "%-8s %-9s ", mdc_mb_type_name(t), mdc_mb_order_name(o, t));
    mdc_value v;
    mdc_err err;
    if (mdc_mb_decode(&f, -1, regs, (size_t)need, &v, &err) == 0) {
        put_value(&v, out);
        mdc_value_free(&v);
    } else {
        sb_puts(out, err.msg);
    }
    sb_putc(out, '\n');
}

void mdc_mb_raw_interpret(const uint16_t *regs, size_t n, int bytes_per_register, strbuf *out)
{
    static const mdc_mb_type t16[] = {MDC_MB_UINT16, MDC_MB_INT16};
    static const mdc_mb_type t32[] = {MDC_MB_UINT32, MDC_MB_INT32, MDC_MB_FLOAT32};
    static const mdc_mb_type t64[] = {MDC_MB_UINT64, MDC_MB_INT64, MDC_MB_FLOAT64};
    static const mdc_mb_order o16[] = {MDC_MB_ORDER_BE, MDC_MB_ORDER_BYTESWAP};
    int bpr = bytes_per_register == 1 ? 1 : 2;
    for (size_t i = 0; bpr == 1 && i < n; i++) {
        if (regs[i] > 0xFF) {
            sb_printf(out,
                      "register %zu is 0x%04X, above 0xFF: not a one-byte-per-register layout\n",
                      i + 1, regs[i]);
            return;
        }
    }
    for (size_t t = 0; t < 2; t++)
        for (size_t o = 0; o < 2; o++)
            interpret_one(regs, n, bpr, t16[t], o16[o], out);
    for (size_t t = 0; t < 3; t++)
        for (int o = MDC_MB_ORDER_BE; o <= MDC_MB_ORDER_LE; o++)
            interpret_one(regs, n, bpr, t32[t], (mdc_mb_order)o, out);
    for (size_t t = 0; t < 3; t++)
        for (int o = MDC_MB_ORDER_BE; o <= MDC_MB_ORDER_LE; o++)
            interpret_one(regs, n, bpr, t64[t], (mdc_mb_order)o, out);
    if (n > 0 && n <= MDC_MB_STRING_MAX_REGS) {
        interpret_one(regs, n, bpr, MDC_MB_STRING, MDC_MB_ORDER_BE, out);
        if (bpr == 2) interpret_one(regs, n, bpr, MDC_MB_STRING, MDC_MB_ORDER_BYTESWAP, out);
    }
}
