/* SPDX-License-Identifier: Apache-2.0 */
/* cron.h — five-field cron expressions evaluated in an IANA time zone.
 *
 * Syntax (Vixie/cronie compatible):
 *   minute(0-59) hour(0-23) day-of-month(1-31) month(1-12 or JAN-DEC) day-of-week(0-7 or
 *   SUN-SAT, 0 and 7 = Sunday), separated by blanks. Each field is a comma-separated list of
 *   `*` (every value), `n`, ranges `a-b`, and steps: a star followed by `/s` (every s-th
 *   value, e.g. minutes 0,5,10,... for s = 5), `a-b/s`, and `a/s` (= a-max/s). Names are
 *   case-insensitive and may be used in ranges (MON-FRI). Macros (case-insensitive):
 *   @yearly @annually @monthly @weekly @daily @midnight @hourly.
 *   Vixie rule: if both day-of-month and day-of-week are restricted (neither field starts with
 *   `*`), a day matches when EITHER matches; otherwise both must match.
 *   An expression that can never fire (e.g. "0 0 30 2 *") is rejected by mdc_cron_parse().
 *
 * Time zone and DST semantics (mdc_cron_next):
 *   - The expression matches LOCAL wall-clock times (at second 0) in the given zone.
 *   - A matching wall time that does not exist because clocks jump forward over it (the DST
 *     gap) fires once, at the first instant after the gap, like cronie. Several skipped wall
 *     times collapse into that single firing.
 *   - A matching wall time that occurs twice because clocks are set back (the overlap) fires
 *     once, at its first occurrence, when the hour field is restricted (e.g. "30 1 * * *").
 *     When the hour field matches every hour (a star, `0-23`, or a star with step 1), it
 *     fires at both occurrences, so every real hour gets its runs.
 *   - The result is strictly after `after_s`, so passing the previous fire time never yields
 *     the same instant twice.
 *   - The search runs day by day, then over the matching hours and minutes; it is bounded to
 *     400 years. A valid expression fires at least every 40 years or so: the worst case is
 *     Feb 29 combined with one weekday by the AND rule (Feb 29 is a Sunday in 2088, then
 *     in 2128).
 *
 * A mdc_cron is immutable after parsing and may be shared by threads. */
#ifndef MDC_CRON_H
#define MDC_CRON_H

#include "err.h"
#include "tz.h"

#include <stdint.h>

typedef struct mdc_cron mdc_cron;

/* Parses expr. On error, err names the field, the bad token and what is allowed, e.g.
 *   cron "0 8 * * mon-fry": day-of-week field: unknown name "fry"; allowed 0-7 or SUN-SAT */
int mdc_cron_parse(const char *expr, mdc_cron **out, mdc_err *err);
void mdc_cron_free(mdc_cron *c);

/* The expression as given, without leading and trailing blanks, e.g. "0 8 * * 1-5" or
 * "@daily". */
const char *mdc_cron_expr(const mdc_cron *c);

/* 1 when the hour field matches every hour (DST overlaps then fire at both occurrences). */
int mdc_cron_every_hour(const mdc_cron *c);

/* First fire time strictly after after_s (UTC seconds), evaluated in tz (NULL = UTC).
 * Returns -1 with err if there is none within the search bound or after_s is outside
 * +-MDC_CRON_TIME_LIMIT. */
#define MDC_CRON_TIME_LIMIT INT64_C(9000000000000) /* 9e12 s, ~285,000 years */
int mdc_cron_next(const mdc_cron *c, const mdc_tz *tz, int64_t after_s, int64_t *next_s,
                  mdc_err *err);

#endif
