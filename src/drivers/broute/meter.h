/* SPDX-License-Identifier: Apache-2.0 */
/* meter.h — property values of the low-voltage smart electric energy meter (class 0x028801,
 * ECHONET Lite Appendix "Detailed Requirements for ECHONET Device Objects").
 *
 * Every decoder takes the raw EDT and returns
 *    0  a value,
 *    1  the meter's "no data" / overflow / underflow marker (the value is unknown),
 *   -1  a malformed EDT (wrong length, out of the specified range), with err filled.
 * Energy values are integers on the meter; kWh = raw x coefficient (D3) x unit (E1).
 */
#ifndef MDC_BRT_METER_H
#define MDC_BRT_METER_H

#include "core/err.h"
#include "core/tz.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    MDC_BRT_EPC_COEFF = 0xD3,    /* coefficient (u32, optional) */
    MDC_BRT_EPC_DIGITS = 0xD7,   /* number of effective digits of energy values */
    MDC_BRT_EPC_ENERGY = 0xE0,   /* normal-direction cumulative energy */
    MDC_BRT_EPC_UNIT = 0xE1,     /* unit of cumulative energy */
    MDC_BRT_EPC_HISTORY = 0xE2,  /* cumulative energy history 1 (48 half-hour slots) */
    MDC_BRT_EPC_HIST_DAY = 0xE5, /* day for which history 1 is retrieved (0 = today) */
    MDC_BRT_EPC_POWER = 0xE7,    /* instantaneous power (s32, W) */
    MDC_BRT_EPC_CURRENT = 0xE8,  /* instantaneous currents R, T (s16 each, 0.1 A) */
    MDC_BRT_EPC_FIXED = 0xEA,    /* cumulative energy at the last fixed time (:00/:30) */
};

#define MDC_BRT_ENERGY_MAX  99999999u /* 0x05F5E0FF */
#define MDC_BRT_NO_DATA_U32 0xFFFFFFFEu
#define MDC_BRT_SLOTS       48

/* How raw energy values become kWh. */
typedef struct mdc_brt_scale {
    bool unit_known;
    int exp10;      /* unit = 10^exp10 kWh (E1) */
    uint32_t coeff; /* D3; 1 when the meter has none */
    int digits;     /* D7; 0 when unknown */
} mdc_brt_scale;

/* kWh from a raw value, computed as an exact integer product then one division or
 * multiplication by a power of ten (so 76999 at 0.01 kWh is exactly the double 769.99). */
double mdc_brt_kwh(int64_t raw, const mdc_brt_scale *s);

int mdc_brt_dec_unit(const uint8_t *edt, size_t n, int *exp10, mdc_err *err);       /* E1 */
int mdc_brt_dec_coeff(const uint8_t *edt, size_t n, uint32_t *coeff, mdc_err *err); /* D3 */
int mdc_brt_dec_digits(const uint8_t *edt, size_t n, int *digits, mdc_err *err);    /* D7 */
int mdc_brt_dec_energy(const uint8_t *edt, size_t n, uint32_t *raw, mdc_err *err);  /* E0 */
int mdc_brt_dec_power(const uint8_t *edt, size_t n, int32_t *watts, mdc_err *err);  /* E7 */

/* E8: R and T phase currents in 0.1 A. A single-phase two-wire meter reports T as 0x7FFE. */
typedef struct mdc_brt_current {
    bool r_ok, t_ok;   /* false: no data / overflow / underflow */
    bool single_phase; /* T is 0x7FFE */
    int16_t r, t;      /* deci-amperes when *_ok */
} mdc_brt_current;
/* Returns 0 (look at r_ok/t_ok), or -1 when malformed. */
int mdc_brt_dec_current(const uint8_t *edt, size_t n, mdc_brt_current *out, mdc_err *err);

/* EA: local date and time of the last fixed time, and the energy then. */
typedef struct mdc_brt_fixed {
    mdc_civil when; /* meter local time */
    uint32_t raw;
    bool value_ok; /* false: the value is "no data" (the time is still valid) */
} mdc_brt_fixed;
/* Returns 1 when the date/time is "no data" (all 0xFF) or not a real time. */
int mdc_brt_dec_fixed(const uint8_t *edt, size_t n, mdc_brt_fixed *out, mdc_err *err);

/* E2: collection day (0 = today, 1 = yesterday, ...) and 48 half-hour values; a slot holds
 * MDC_BRT_NO_DATA_U32 (or any value above MDC_BRT_ENERGY_MAX) when it has no value. */
typedef struct mdc_brt_history {
    unsigned day;
    uint32_t slot[MDC_BRT_SLOTS]; /* slot i: the value at local i x 30 min */
} mdc_brt_history;
int mdc_brt_dec_history(const uint8_t *edt, size_t n, mdc_brt_history *out, mdc_err *err);
bool mdc_brt_slot_valid(uint32_t v);

/* The last 30 minutes' consumption from history 1.
 *
 * The latest half-hour slot with a value, L, is found in today's history, or in yesterday's if
 * today has none. The consumption is value(L) - value(L - 30 min), where L - 30 min may be
 * yesterday's 23:30 slot. It never spans more than 30 minutes: a missing previous slot gives
 * no value. A negative difference is a counter wrap at the meter's effective digits (D7) when
 * those are known, else no value. `today` is the local date of history day 0 (from the
 * meter's own clock when known). Time stamps are converted to UTC with tz (NULL = UTC).
 *
 * Returns 0 with *ts_utc and *kwh; 1 when yesterday's history is needed and `yesterday` is
 * NULL; 2 when there is no value (the reason in err, code MDC_EDEVICE). */
typedef struct mdc_brt_date {
    int64_t year;
    int month, day;
} mdc_brt_date;
int mdc_brt_recent30(const mdc_brt_history *today, const mdc_brt_history *yesterday,
                     mdc_brt_date date, const mdc_brt_scale *scale, const mdc_tz *tz,
                     int64_t *ts_utc, double *kwh, mdc_err *err);

/* A meter local time to UTC seconds (the earlier instant in an overlap, the end of a gap). */
int64_t mdc_brt_local_to_utc(const mdc_tz *tz, const mdc_civil *local);

#endif
