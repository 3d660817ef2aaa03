/* SPDX-License-Identifier: Apache-2.0 */
/* collect.h — one collection cycle from a low-voltage smart meter over a joined session, into
 * the values of a hems-data-collector record.
 *
 * Requests per cycle:
 *   once per session: Get E1 D3 D7 (unit, coefficient, effective digits; Get_SNA for D3 or D7
 *     means coefficient 1 / digits unknown)
 *   every cycle:      Get E0 E7 E8 EA (one multi-property request)
 *   when EA moved to a new half hour since the last cycle (or the first time):
 *                     SetC E5 = 0 (skipped when the meter already has it), Get E2, and for the
 *                     first half hour of a day also SetC E5 = 1 and Get E2 (yesterday).
 * The 30-minute value only changes when EA does (both advance at :00 and :30), so it is kept
 * between cycles of the same half hour.
 */
#ifndef MDC_BRT_COLLECT_H
#define MDC_BRT_COLLECT_H

#include "meter.h"
#include "session.h"

#include "core/err.h"
#include "core/tz.h"

#include <stdint.h>

/* The record's fields, in the order hems-data-collector's Python code emits them. */
enum mdc_brt_field_id {
    MDC_BRT_F_CUMULATIVE = 0, /* cumulative_power_kwh (double) */
    MDC_BRT_F_INSTANT,        /* instant_power_w (int) */
    MDC_BRT_F_CURRENT,        /* current_a (double): R, or R + T */
    MDC_BRT_F_CURRENT_R,      /* current_r_a (double) */
    MDC_BRT_F_CURRENT_T,      /* current_t_a (double; null for single-phase two-wire) */
    MDC_BRT_F_HIST_TS,        /* historical_timestamp (UTC time) */
    MDC_BRT_F_HIST_KWH,       /* historical_cumulative_power_kwh (double) */
    MDC_BRT_F_RECENT_TS,      /* recent_30min_timestamp (UTC time) */
    MDC_BRT_F_RECENT_KWH,     /* recent_30min_consumption_kwh (double) */
    MDC_BRT_NFIELDS
};
extern const char *const mdc_brt_field_names[MDC_BRT_NFIELDS + 1]; /* NULL-terminated */

typedef enum mdc_brt_vkind {
    MDC_BRT_V_NULL = 0, /* no value, and that is normal (T phase of a single-phase meter) */
    MDC_BRT_V_DOUBLE,
    MDC_BRT_V_INT,
    MDC_BRT_V_TIME, /* i = UTC seconds */
    MDC_BRT_V_ERROR /* no value; why says why */
} mdc_brt_vkind;

typedef struct mdc_brt_value {
    mdc_brt_vkind kind;
    double d;
    int64_t i;
    char why[MDC_ERR_MSG_MAX];
} mdc_brt_value;

typedef struct mdc_brt_reading {
    mdc_brt_value v[MDC_BRT_NFIELDS];
} mdc_brt_reading;

/* What is remembered about the meter between cycles. */
typedef struct mdc_brt_meter {
    bool have_scale;
    mdc_brt_scale scale;
    char scale_why[MDC_ERR_MSG_MAX];
    uint64_t join_count; /* the session's, when e5 was last known */
    int e5;              /* the meter's E5 as we last set it, -1 unknown */
    bool have_recent;
    int64_t recent_key; /* EA's UTC time the kept value belongs to */
    mdc_brt_value recent_kwh, recent_ts;
} mdc_brt_meter;

void mdc_brt_meter_init(mdc_brt_meter *m);

/* Runs a cycle. now_s (UTC) dates history day 0 when the meter's EA gives no date. Returns -1
 * when the meter could not be reached at all; otherwise 0, with unreadable values as
 * MDC_BRT_V_ERROR. */
int mdc_brt_collect(mdc_brt_session *s, mdc_brt_meter *m, const mdc_tz *tz, int64_t now_s,
                    mdc_brt_reading *out, mdc_err *err);

/* Fills a reading from decoded properties (exposed for tests): `props` is a Get_Res/Get_SNA
 * frame holding E0 E7 E8 EA (any may be missing). Sets out->v except the recent-30 fields;
 * *ea_ts gets EA's UTC time (or INT64_MIN) and *ea_date its local date. */
void mdc_brt_fill_reading(const mdc_el_frame *props, const mdc_brt_meter *m, const mdc_tz *tz,
                          mdc_brt_reading *out, int64_t *ea_ts, mdc_brt_date *ea_date);

#endif
