/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: the register decoder with arbitrary type, order, bytes per register, scaling and
 * registers; the raw interpretation printer; encode/decode round trips. */
#include "drivers/modbus/decode.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void roundtrip(const mdc_mb_format *f, const uint16_t *regs, size_t n)
{
    int w = mdc_mb_type_bytes(f->type);
    if (w == 0 || f->na_markers) return;
    /* decode as the unsigned type of the same width, re-encode: same registers */
    mdc_mb_format u = *f;
    u.type = w == 2 ? MDC_MB_UINT16 : w == 4 ? MDC_MB_UINT32 : MDC_MB_UINT64;
    u.scale = 1;
    u.offset = 0;
    u.decimals = -1;
    mdc_value v;
    mdc_err err;
    if (mdc_mb_decode(&u, 0, regs, n, &v, &err) != 0) return;
    if (v.type != MDC_INT) return; /* a uint64 above INT64_MAX comes back as a (rounded) double */
    uint64_t bits = (uint64_t)v.u.i;
    uint16_t again[8];
    mdc_mb_encode_bits(bits, w, f->order, f->bytes_per_register, again);
    if (memcmp(again, regs, n * sizeof *regs) != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 8) return 0;
    mdc_mb_format f;
    mdc_mb_format_init(&f);
    f.type = (mdc_mb_type)(data[0] % 11); /* 10 = invalid */
    f.order = (mdc_mb_order)(data[1] % 5);
    f.bytes_per_register = data[2] % 3;
    f.length = data[3] % 130;
    f.decimals = (int)(data[4] % 18) - 1;
    f.na_markers = data[5] & 1;
    static const double scales[] = {1, 0.1, 0.001, 10, -2.5, 1e300, 0, 1e-300};
    f.scale = scales[data[5] >> 1 & 7];
    f.offset = (data[5] & 0x10) ? -273.15 : 0;
    int regs_wanted = data[6];
    data += 8;
    size -= 8;
    size_t n = size / 2;
    if (n > 256) n = 256;
    uint16_t regs[256];
    for (size_t i = 0; i < n; i++)
        regs[i] = (uint16_t)(data[2 * i] << 8 | data[2 * i + 1]);
    size_t use = (regs_wanted & 0x80) ? n : (size_t)(regs_wanted % 9);
    if (use > n) use = n;
    mdc_value v;
    mdc_err err;
    int rc = mdc_mb_decode(&f, (regs_wanted & 1) ? -1 : 65535, regs, use, &v, &err);
    if (rc == 0) {
        if (v.type == MDC_DOUBLE && !isfinite(v.u.d)) abort();
        if (v.type == MDC_STRING && strlen(v.u.s) > 4 * 2 * use) abort();
        mdc_value_free(&v);
        roundtrip(&f, regs, use);
    } else if (v.type != MDC_NULL || err.msg[0] == '\0') {
        abort();
    }
    strbuf sb = STRBUF_INIT;
    mdc_mb_raw_interpret(regs, n, f.bytes_per_register, &sb);
    mdc_mb_raw_hex(regs, n, &sb);
    sb_free(&sb);
    if (use > 0) {
        float x;
        uint32_t u = (uint32_t)regs[0] << 16 | (use > 1 ? regs[1] : 0);
        memcpy(&x, &u, sizeof x);
        double d = mdc_mb_float_to_double(x);
        if (isfinite(x) && (float)d != x)
            abort(); /* the shortest text must read back as the same float */
        double r = mdc_mb_round(d, f.decimals < 0 ? 2 : f.decimals);
        if (isfinite(d) && !isfinite(r)) abort();
    }
    return 0;
}
