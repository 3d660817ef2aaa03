/* SPDX-License-Identifier: Apache-2.0 */
/* decode.h — Modbus register values: data types, byte/word orders, scaling, raw dumps.
 *
 * A point's registers (as read, host order, one uint16 per register) are turned into an
 * mdc_value. Bytes are taken off the wire high byte first (bytes_per_register 2) or from the
 * low half of each register (bytes_per_register 1, the Delta PLC layout where a float32 spans
 * four registers). An order names, left to right, which byte of the value (A = most
 * significant) travels in each wire position: "CDAB" means the wire carries C, D, A, B.
 *
 * Pure functions; thread-safe; nothing is printed.
 */
#ifndef MDC_MODBUS_DECODE_H
#define MDC_MODBUS_DECODE_H

#include "core/err.h"
#include "core/record.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum mdc_mb_type {
    MDC_MB_BOOL = 0,
    MDC_MB_UINT16,
    MDC_MB_INT16,
    MDC_MB_UINT32,
    MDC_MB_INT32,
    MDC_MB_UINT64,
    MDC_MB_INT64,
    MDC_MB_FLOAT32,
    MDC_MB_FLOAT64,
    MDC_MB_STRING,
} mdc_mb_type;

/* One enum for every width; the name depends on the type's width (see mdc_mb_order_name). */
typedef enum mdc_mb_order {
    MDC_MB_ORDER_BE = 0,   /* AB   ABCD  ABCDEFGH (default) */
    MDC_MB_ORDER_WORDSWAP, /* AB   CDAB  GHEFCDAB */
    MDC_MB_ORDER_BYTESWAP, /* BA   BADC  BADCFEHG */
    MDC_MB_ORDER_LE,       /* BA   DCBA  HGFEDCBA */
} mdc_mb_order;

#define MDC_MB_STRING_MAX_REGS 125

/* How a number is rounded to `decimals`:
 *   DECIMAL  a float32 is first its shortest decimal (230.1f is 230.1), and the value is
 *            rounded half away from zero (mdc_mb_round) — the value as a person reads it;
 *   PYTHON   the exact binary value (a float32 as the double it is) is rounded as Python's
 *            round() does, ties to even (core/round.h) — what BELmc's collectors store. */
typedef enum { MDC_MB_ROUND_DECIMAL = 0, MDC_MB_ROUND_PYTHON } mdc_mb_rounding;

typedef struct mdc_mb_format {
    mdc_mb_type type;
    mdc_mb_order order;
    int bytes_per_register; /* 2 (default) or 1 */
    int length;             /* string only: number of registers, 1..125 */
    double scale;           /* multiplier, default 1 */
    double offset;          /* added after scaling, default 0 */
    int decimals;           /* round to this many decimals (see rounding); -1 = never */
    mdc_mb_rounding rounding;
    bool na_markers; /* all-FF unsigned, 0x7FFF../0x8000.. signed are "not available" */
} mdc_mb_format;

/* Defaults: uint16, big-endian, 2 bytes per register, scale 1, offset 0, decimals -1. */
void mdc_mb_format_init(mdc_mb_format *f);
/* Validates the combination (bytes per register, string length, decimals 0..15, finite scale). */
int mdc_mb_format_check(const mdc_mb_format *f, mdc_err *err);

/* "float32" → MDC_MB_FLOAT32. Returns -1 (with the allowed names in err) if unknown. */
int mdc_mb_type_parse(const char *s, mdc_mb_type *out, mdc_err *err);
const char *mdc_mb_type_name(mdc_mb_type t);
/* Width of the value in bytes: 2, 4 or 8; 0 for bool and string. */
int mdc_mb_type_bytes(mdc_mb_type t);
/* Parses an order for type t: "AB"/"BA" for 16-bit types, "ABCD|CDAB|BADC|DCBA" for 32-bit,
 * "ABCDEFGH|GHEFCDAB|BADCFEHG|HGFEDCBA" for 64-bit. Bool and string accept none (-1). */
int mdc_mb_order_parse(const char *s, mdc_mb_type t, mdc_mb_order *out, mdc_err *err);
/* "CDAB" for (WORDSWAP, float32); "" for bool and string. */
const char *mdc_mb_order_name(mdc_mb_order o, mdc_mb_type t);

/* Registers a point occupies; -1 for an invalid combination. */
int mdc_mb_point_registers(mdc_mb_type type, int bytes_per_register, int length);

/* Decodes a point from its registers (nregs must equal mdc_mb_point_registers()). `address` is
 * the PDU address of regs[0], used in error messages only (-1 = unknown). For bool, regs holds
 * one coil/discrete input (0/1) or one register (!= 0 is true). out->u.s is owned by the caller
 * (mdc_value_free). Errors: MDC_EINVAL (bad format, register > 255 with one byte per register,
 * non-printable string), MDC_EDEVICE (NaN/Inf, not-available marker). */
int mdc_mb_decode(const mdc_mb_format *f, int address, const uint16_t *regs, size_t nregs,
                  mdc_value *out, mdc_err *err);

/* Applies scale, offset and decimals to a number (exposed for tests and derived values). */
double mdc_mb_scale(double v, double scale, double offset, int decimals);
/* Rounds to `decimals` (0..15) decimal places. The exact binary value is rounded (as Python's
 * round() does: the double 2.675 is 2.67499999… and gives 2.67); an exact tie goes away from
 * zero (0.5 → 1, -2.5 → -3, 0.125 → 0.13). Never returns -0. */
double mdc_mb_round(double v, int decimals);
/* The shortest decimal that reads back as f, as a double: 230.1f → 230.1. */
double mdc_mb_float_to_double(float f);
/* Shortest round-trip text of a double ("230.1", "nan", "-inf"). buf >= 32 bytes. */
void mdc_mb_format_double(double d, char *buf, size_t n);

/* Packs the bytes of a big-endian value `bits` of `width` bytes (2, 4, 8) into registers in
 * the given order (the inverse of decoding; used by the simulator and tests). Writes
 * width / bytes_per_register registers. */
void mdc_mb_encode_bits(uint64_t bits, int width, mdc_mb_order order, int bytes_per_register,
                        uint16_t *regs);
void mdc_mb_encode_float32(float v, mdc_mb_order order, int bytes_per_register, uint16_t *regs);

/* "0x0080 0x0000 0x0043 0x0066" */
void mdc_mb_raw_hex(const uint16_t *regs, size_t n, strbuf *out);
/* Every interpretation of regs[0..] that fits: 16-bit types in AB/BA, each 32-bit type in the
 * four 32-bit orders, each 64-bit type in the four 64-bit orders, and the registers as a string,
 * one line each ("float32  CDAB      230.5"). */
void mdc_mb_raw_interpret(const uint16_t *regs, size_t n, int bytes_per_register, strbuf *out);

#endif
