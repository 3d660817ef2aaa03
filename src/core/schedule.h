/* SPDX-License-Identifier: Apache-2.0 */
/* schedule.h — when polls are due: a fixed interval aligned to the clock, or a cron expression.
 *
 * Times are microseconds since the epoch (UTC), as mdc_now_us(). A schedule is read-only once
 * set up, so several threads may compute slots from one schedule concurrently.
 *
 * Ownership: a schedule owns its `cron` (freed by mdc_schedule_clear) and borrows `tz`, which
 * must outlive it. tz NULL means UTC.
 *
 * Interval slots are aligned to the wall clock of the zone: the slots are the instants t at
 * which (t + utc_offset(t)) is a multiple of the interval. 5 s gives :00, :05, ...; 1 h in
 * Asia/Kolkata gives local full hours (hh:00 IST = hh-5:30 UTC); 1 day gives local midnights.
 * Across DST changes the slots follow the local clock (in a fall-back overlap a local slot time
 * that occurs twice is a slot both times).
 *
 * Cron slots are the fire times of mdc_cron_next() (see cron.h for the DST rules). */
#ifndef MDC_SCHEDULE_H
#define MDC_SCHEDULE_H

#include "clock.h"
#include "cron.h"
#include "err.h"
#include "strbuf.h"
#include "tz.h"

#include <stdint.h>

enum { MDC_SCHED_INTERVAL = 1, MDC_SCHED_CRON = 2 };

/* Returned when there is no further slot (cron without a fire time in range, time overflow,
 * or an invalid schedule). */
#define MDC_SCHED_NEVER INT64_MAX

/* Longest interval accepted: 400 days. */
#define MDC_SCHED_INTERVAL_MAX (INT64_C(400) * 86400 * 1000000)

typedef struct mdc_schedule {
    int kind;            /* MDC_SCHED_INTERVAL or MDC_SCHED_CRON */
    int64_t interval_us; /* MDC_SCHED_INTERVAL: > 0 */
    mdc_cron *cron;      /* MDC_SCHED_CRON: owned */
    const mdc_tz *tz;    /* borrowed; NULL = UTC */
} mdc_schedule;

/* Sets up an interval schedule (1 us to MDC_SCHED_INTERVAL_MAX). */
int mdc_schedule_init_interval(mdc_schedule *s, int64_t interval_us, const mdc_tz *tz,
                               mdc_err *err);

/* Sets up a cron schedule by parsing expr (errors as mdc_cron_parse). */
int mdc_schedule_init_cron(mdc_schedule *s, const char *expr, const mdc_tz *tz, mdc_err *err);

/* Frees the owned cron; s is then zeroed. */
void mdc_schedule_clear(mdc_schedule *s);

/* The first slot strictly after after_us, or MDC_SCHED_NEVER. */
int64_t mdc_schedule_next(const mdc_schedule *s, int64_t after_us);

/* After a poll that was due at due_us finished at now_us: returns the next slot strictly after
 * now_us, and adds to *missed (if not NULL) the number of slots in (due_us, now_us], i.e. the
 * slots that passed while the poll ran. An overrun skips those slots; it never bursts to
 * catch up. For cron schedules, counting stops at MDC_SCHED_MISSED_MAX per call. */
#define MDC_SCHED_MISSED_MAX 100000u
int64_t mdc_schedule_advance(const mdc_schedule *s, int64_t due_us, int64_t now_us,
                             uint64_t *missed);

/* Appends a description: "every 5s", "every 1h30m (Asia/Kolkata)" (the zone is shown unless
 * it is UTC), "cron 0 8 * * 1-5 (Asia/Kolkata)" (always with the zone). Returns -1 for an
 * invalid schedule. */
int mdc_schedule_describe(const mdc_schedule *s, strbuf *out);

#endif
