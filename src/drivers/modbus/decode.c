/* SPDX-License-Identifier: Apache-2.0 */
/* decode.c — types, orders and the register → value decoder. */
#include "decode.h"
#include "core/round.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <strings.h>

static const char *const type_names[] = {"bool",   "uint16", "int16",   "uint32",  "int32",
                                         "uint64", "int64",  "float32", "float64", "string"};
#define NTYPES (sizeof type_names / sizeof type_names[0])

/* Indexed by mdc_mb_order. */
static const char *const order16[] = {"AB", "AB", "BA", "BA"};
static const char *const order32[] = {"ABCD", "CDAB", "BADC", "DCBA"};
static const char *const order64[] = {"ABCDEFGH", "GHEFCDAB", "BADCFEHG", "HGFEDCBA"};

void mdc_mb_format_init(mdc_mb_format *f)
{
    memset(f, 0, sizeof *f);
    f->type = MDC_MB_UINT16;
    f->order = MDC_MB_ORDER_BE;
    f->bytes_per_register = 2;
    f->scale = 1.0;
    f->decimals = -1;
}

int mdc_mb_type_parse(const char *s, mdc_mb_type *out, mdc_err *err)
{
    for (size_t i = 0; i < NTYPES; i++) {
        if (strcmp(s, type_names[i]) == 0) {
            *out = (mdc_mb_type)i;
            return 0;
        }
    }
    return mdc_err_set(err, MDC_EINVAL,
                       "unknown type '%s' (allowed: bool, uint16, int16, uint32, int32, uint64, "
                       "int64, float32, float64, string)",
                       s);
}

const char *mdc_mb_type_name(mdc_mb_type t)
{
    return (unsigned)t < NTYPES ? type_names[t] : "?";
}

int mdc_mb_type_bytes(mdc_mb_type t)
{
    switch (t) {
    case MDC_MB_UINT16:
    case MDC_MB_INT16:
        return 2;
    case MDC_MB_UINT32:
    case MDC_MB_INT32:
    case MDC_MB_FLOAT32:
        return 4;
    case MDC_MB_UINT64:
    case MDC_MB_INT64:
    case MDC_MB_FLOAT64:
        return 8;
    default:
        return 0;
    }
}

/* The order names that apply to a type: AB/BA for 16-bit types and strings. */
static const char *const *order_table(mdc_mb_type t)
{
    switch (mdc_mb_type_bytes(t)) {
    case 2:
        return order16;
    case 4:
        return order32;
    case 8:
        return order64;
    default:
        return t == MDC_MB_STRING ? order16 : NULL;
    }
}

static const char *order_letters(mdc_mb_order o, int width)
{
    if ((unsigned)o > MDC_MB_ORDER_LE) o = MDC_MB_ORDER_BE;
    return width == 2 ? order16[o] : width == 4 ? order32[o] : order64[o];
}

const char *mdc_mb_order_name(mdc_mb_order o, mdc_mb_type t)
{
    const char *const *tab = order_table(t);
    if (!tab || (unsigned)o > MDC_MB_ORDER_LE) return "";
    return tab[o];
}

int mdc_mb_order_parse(const char *s, mdc_mb_type t, mdc_mb_order *out, mdc_err *err)
{
    const char *const *tab = order_table(t);
    if (!tab)
        return mdc_err_set(err, MDC_EINVAL, "type %s has no byte order (got '%s')",
                           mdc_mb_type_name(t), s);
    int n = tab == order16 ? 2 : 4; /* order16 has two distinct names */
    static const mdc_mb_order o16[] = {MDC_MB_ORDER_BE, MDC_MB_ORDER_BYTESWAP};
    for (int i = 0; i < n; i++) {
        const char *name = tab == order16 ? order16[o16[i]] : tab[i];
        if (strcasecmp(s, name) == 0) {
            *out = tab == order16 ? o16[i] : (mdc_mb_order)i;
            return 0;
        }
    }
    if (tab == order16)
        return mdc_err_set(err, MDC_EINVAL, "unknown order '%s' for %s (allowed: AB, BA)", s,
                           mdc_mb_type_name(t));
    return mdc_err_set(err, MDC_EINVAL, "unknown order '%s' for %s (allowed: %s, %s, %s, %s)", s,
                       mdc_mb_type_name(t), tab[0], tab[1], tab[2], tab[3]);
}

int mdc_mb_point_registers(mdc_mb_type type, int bytes_per_register, int length)
{
    if (bytes_per_register != 1 && bytes_per_register != 2) return -1;
    if (type == MDC_MB_BOOL) return 1;
    if (type == MDC_MB_STRING) return length >= 1 && length <= MDC_MB_STRING_MAX_REGS ? length : -1;
    int w = mdc_mb_type_bytes(type);
    return w ? w / bytes_per_register : -1;
}

int mdc_mb_format_check(const mdc_mb_format *f, mdc_err *err)
{
    if ((unsigned)f->type >= NTYPES)
        return mdc_err_set(err, MDC_EINVAL, "invalid type %d", (int)f->type);
    if ((unsigned)f->order > MDC_MB_ORDER_LE)
        return mdc_err_set(err, MDC_EINVAL, "invalid order %d", (int)f->order);
    if (f->bytes_per_register != 1 && f->bytes_per_register != 2)
        return mdc_err_set(err, MDC_EINVAL, "bytes_per_register must be 1 or 2 (got %d)",
                           f->bytes_per_register);
    if (f->type == MDC_MB_STRING && (f->length < 1 || f->length > MDC_MB_STRING_MAX_REGS))
        return mdc_err_set(err, MDC_EINVAL, "string length must be 1..%d registers (got %d)",
                           MDC_MB_STRING_MAX_REGS, f->length);
    if (f->type == MDC_MB_STRING && f->bytes_per_register == 1 && f->order != MDC_MB_ORDER_BE &&
        f->order != MDC_MB_ORDER_WORDSWAP)
        return mdc_err_set(err, MDC_EINVAL, "order BA needs 2 bytes per register");
    if (f->decimals < -1 || f->decimals > 15)
        return mdc_err_set(err, MDC_EINVAL, "decimals must be 0..15 (got %d)", f->decimals);
    if (!isfinite(f->scale) || f->scale == 0.0)
        return mdc_err_set(err, MDC_EINVAL, "scale must be a finite non-zero number");
    if (!isfinite(f->offset)) return mdc_err_set(err, MDC_EINVAL, "offset must be a finite number");
    return 0;
}

static int register_error(int address, size_t i, size_t n, uint16_t r, mdc_err *err)
{
    if (address >= 0)
        return mdc_err_set(err, MDC_EINVAL,
                           "register %ld is 0x%04X, above 0xFF: bytes_per_register 1 expects one "
                           "byte per register",
                           (long)address + (long)i, r);
    return mdc_err_set(err, MDC_EINVAL,
                       "register %zu of %zu is 0x%04X, above 0xFF: bytes_per_register 1 expects "
                       "one byte per register",
                       i + 1, n, r);
}

/* The bytes as they travel on the wire: high byte first, or the low half of each register. */
static int wire_bytes(const uint16_t *regs, size_t n, int bpr, int address, uint8_t *w,
                      mdc_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (bpr == 2) {
            w[2 * i] = (uint8_t)(regs[i] >> 8);
            w[2 * i + 1] = (uint8_t)(regs[i] & 0xFF);
        } else {
            if (regs[i] > 0xFF) return register_error(address, i, n, regs[i], err);
            w[i] = (uint8_t)regs[i];
        }
    }
    return 0;
}

static uint64_t assemble(const uint8_t *w, int width, mdc_mb_order o)
{
    const char *letters = order_letters(o, width);
    uint8_t v[8];
    for (int i = 0; i < width; i++)
        v[letters[i] - 'A'] = w[i];
    uint64_t u = 0;
    for (int i = 0; i < width; i++)
        u = u << 8 | v[i];
    return u;
}

void mdc_mb_encode_bits(uint64_t bits, int width, mdc_mb_order order, int bytes_per_register,
                        uint16_t *regs)
{
    const char *letters = order_letters(order, width);
    uint8_t v[8], w[8];
    for (int i = 0; i < width; i++)
        v[i] = (uint8_t)(bits >> (8 * (width - 1 - i)));
    for (int i = 0; i < width; i++)
        w[i] = v[letters[i] - 'A'];
    if (bytes_per_register == 1) {
        for (int i = 0; i < width; i++)
            regs[i] = w[i];
    } else {
        for (int i = 0; i < width / 2; i++)
            regs[i] = (uint16_t)(w[2 * i] << 8 | w[2 * i + 1]);
    }
}

void mdc_mb_encode_float32(float v, mdc_mb_order order, int bytes_per_register, uint16_t *regs)
{
    uint32_t u;
    memcpy(&u, &v, sizeof u);
    mdc_mb_encode_bits(u, 4, order, bytes_per_register, regs);
}

/* Two's complement without implementation-defined conversions. */
static int64_t to_signed(uint64_t u, int width)
{
    if (width == 8) return u > (uint64_t)INT64_MAX ? -(int64_t)(~u) - 1 : (int64_t)u;
    uint64_t sign = 1ULL << (8 * width - 1);
    return u & sign ? (int64_t)u - (int64_t)(sign << 1) : (int64_t)u;
}

static bool is_na_marker(mdc_mb_type t, uint64_t u, int width)
{
    uint64_t all = width == 8 ? UINT64_MAX : (1ULL << (8 * width)) - 1;
    uint64_t sign = 1ULL << (8 * width - 1);
    switch (t) {
    case MDC_MB_UINT16:
    case MDC_MB_UINT32:
    case MDC_MB_UINT64:
        return u == all;
    case MDC_MB_INT16:
    case MDC_MB_INT32:
    case MDC_MB_INT64:
        return u == sign || u == sign - 1;
    default:
        return false;
    }
}

static int finish_number(const mdc_mb_format *f, double d, mdc_value *out, mdc_err *err)
{
    if (f->rounding == MDC_MB_ROUND_PYTHON) {
        d = mdc_mb_scale(d, f->scale, f->offset, -1);
        if (f->decimals >= 0) d = mdc_round_exact(d, f->decimals);
    } else {
        d = mdc_mb_scale(d, f->scale, f->offset, f->decimals);
    }
    if (!isfinite(d)) return mdc_err_set(err, MDC_EINVAL, "scaled value is not finite");
    out->type = MDC_DOUBLE;
    out->u.d = d;
    return 0;
}

static int decode_float(const mdc_mb_format *f, uint64_t u, mdc_value *out, mdc_err *err)
{
    double d;
    if (f->type == MDC_MB_FLOAT32) {
        uint32_t u32 = (uint32_t)u;
        float x;
        memcpy(&x, &u32, sizeof x);
        if (!isfinite(x))
            return mdc_err_set(err, MDC_EDEVICE, "not a number (float32 0x%08" PRIX32 ", %s)", u32,
                               isnan(x) ? "NaN" : "Inf");
        d = f->rounding == MDC_MB_ROUND_PYTHON ? (double)x : mdc_mb_float_to_double(x);
    } else {
        memcpy(&d, &u, sizeof d);
        if (!isfinite(d))
            return mdc_err_set(err, MDC_EDEVICE, "not a number (float64 0x%016" PRIX64 ", %s)", u,
                               isnan(d) ? "NaN" : "Inf");
    }
    return finish_number(f, d, out, err);
}

static int decode_integer(const mdc_mb_format *f, uint64_t u, int width, mdc_value *out,
                          mdc_err *err)
{
    if (f->na_markers && is_na_marker(f->type, u, width))
        return mdc_err_set(err, MDC_EDEVICE, "not available (marker 0x%0*" PRIX64 ")", 2 * width,
                           u);
    bool is_signed = f->type == MDC_MB_INT16 || f->type == MDC_MB_INT32 || f->type == MDC_MB_INT64;
    bool plain = f->scale == 1.0 && f->offset == 0.0 && f->decimals < 0;
    if (is_signed) {
        int64_t s = to_signed(u, width);
        if (plain) {
            out->type = MDC_INT;
            out->u.i = s;
            return 0;
        }
        return finish_number(f, (double)s, out, err);
    }
    if (plain && u <= (uint64_t)INT64_MAX) {
        out->type = MDC_INT;
        out->u.i = (int64_t)u;
        return 0;
    }
    return finish_number(f, (double)u, out, err);
}

/* Escapes bytes outside printable ASCII as \xNN and a backslash as \\. */
static char *string_value(const uint8_t *b, size_t n)
{
    size_t len = 0;
    while (len < n && b[len] != 0) /* the string ends at the first NUL */
        len++;
    while (len > 0 && b[len - 1] == ' ')
        len--;
    strbuf sb = STRBUF_INIT;
    sb_append(&sb, "", 0); /* sb_reserve alone leaves the buffer unterminated */
    sb_reserve(&sb, len);
    for (size_t i = 0; i < len; i++) {
        if (b[i] == '\\')
            sb_puts(&sb, "\\\\");
        else if (b[i] >= 0x20 && b[i] < 0x7F)
            sb_putc(&sb, (char)b[i]);
        else
            sb_printf(&sb, "\\x%02X", b[i]);
    }
    return sb_detach(&sb);
}

static int decode_string(const mdc_mb_format *f, int address, const uint16_t *regs, size_t n,
                         mdc_value *out, mdc_err *err)
{
    uint8_t w[2 * MDC_MB_STRING_MAX_REGS];
    if (wire_bytes(regs, n, f->bytes_per_register, address, w, err) < 0) return -1;
    size_t nb = n * (size_t)f->bytes_per_register;
    if (f->bytes_per_register == 2 &&
        (f->order == MDC_MB_ORDER_BYTESWAP || f->order == MDC_MB_ORDER_LE)) {
        for (size_t i = 0; i + 1 < nb; i += 2) {
            uint8_t t = w[i];
            w[i] = w[i + 1];
            w[i + 1] = t;
        }
    }
    out->type = MDC_STRING;
    out->u.s = string_value(w, nb);
    return 0;
}

int mdc_mb_decode(const mdc_mb_format *f, int address, const uint16_t *regs, size_t nregs,
                  mdc_value *out, mdc_err *err)
{
    out->type = MDC_NULL;
    out->u.i = 0;
    if (mdc_mb_format_check(f, err) < 0) return -1;
    int need = mdc_mb_point_registers(f->type, f->bytes_per_register, f->length);
    if ((size_t)need != nregs)
        return mdc_err_set(err, MDC_EINVAL, "%s needs %d registers, got %zu",
                           mdc_mb_type_name(f->type), need, nregs);
    if (f->type == MDC_MB_BOOL) {
        out->type = MDC_BOOL;
        out->u.b = regs[0] != 0;
        return 0;
    }
    if (f->type == MDC_MB_STRING) return decode_string(f, address, regs, nregs, out, err);
    int width = mdc_mb_type_bytes(f->type);
    uint8_t w[8];
    if (wire_bytes(regs, nregs, f->bytes_per_register, address, w, err) < 0) return -1;
    uint64_t u = assemble(w, width, f->order);
    if (f->type == MDC_MB_FLOAT32 || f->type == MDC_MB_FLOAT64) return decode_float(f, u, out, err);
    return decode_integer(f, u, width, out, err);
}
