/* SPDX-License-Identifier: Apache-2.0 */
/* tz.h — IANA time zones read from the system zoneinfo database (TZif files, RFC 8536).
 *
 * A mdc_tz is immutable once created: any number of threads may use one concurrently. The
 * creator owns it and releases it with mdc_tz_free(). Functions taking a `const mdc_tz *`
 * accept NULL, meaning UTC.
 *
 * Times are int64 seconds since 1970-01-01T00:00:00Z (leap seconds are not counted, as in
 * POSIX time). Instants are clamped to +-MDC_TZ_TIME_LIMIT (about 31 million years).
 *
 * Data model: a TZif file holds a table of transitions (instants where the local time type
 * changes) and, from version 2 on, a footer with a POSIX TZ rule such as
 * "CET-1CEST,M3.5.0,M10.5.0/3" for instants at or after the last transition. Before the first
 * transition, time type 0 applies (RFC 8536). Leap-second ("right/...") zones are rejected.
 */
#ifndef MDC_TZ_H
#define MDC_TZ_H

#include "err.h"

#include <stddef.h>
#include <stdint.h>

#define MDC_TZ_TIME_LIMIT INT64_C(1000000000000000) /* 1e15 s */
#define MDC_TZ_ABBR_MAX   31                        /* longest time zone abbreviation kept */

typedef struct mdc_tz mdc_tz;

/* A broken-down local (wall clock) time. */
typedef struct mdc_civil {
    int64_t year;
    int month;  /* 1-12 */
    int day;    /* 1-31 */
    int hour;   /* 0-23 */
    int minute; /* 0-59 */
    int second; /* 0-59 */
    int wday;   /* 0-6, 0 = Sunday (output only) */
    int yday;   /* 0-365, 0 = January 1 (output only) */
} mdc_civil;

/* What is in effect at one instant. abbr points into the mdc_tz and lives as long as it. */
typedef struct mdc_tz_info {
    int32_t utoff; /* seconds east of UTC */
    int isdst;
    const char *abbr; /* "CEST", "+0530", ... */
} mdc_tz_info;

/* Loads an IANA zone ("UTC", "Asia/Kolkata", "Europe/Berlin") from $TZDIR, or from
 * /usr/share/zoneinfo when TZDIR is unset or empty. "UTC" works even without any file.
 * Names must be relative, without "." or ".." components, made of letters, digits and
 * "_-+/". */
int mdc_tz_load(const char *name, mdc_tz **out, mdc_err *err);

/* Parses TZif data (versions 1 to 4) held in memory. name is kept for mdc_tz_name()
 * (may be NULL: "TZif"). Never reads outside data[0..len). */
int mdc_tz_parse_tzif(const char *name, const unsigned char *data, size_t len, mdc_tz **out,
                      mdc_err *err);

/* Builds a zone from a POSIX TZ rule string alone, e.g. "CET-1CEST,M3.5.0,M10.5.0/3" or
 * "<+0530>-5:30" (the format of TZif footers, including the RFC 8536 extensions: rule times
 * from -167 to 167 hours). The name of the zone is the string itself. */
int mdc_tz_from_posix(const char *spec, mdc_tz **out, mdc_err *err);

void mdc_tz_free(mdc_tz *tz);

/* The name given at load time ("UTC" for NULL). */
const char *mdc_tz_name(const mdc_tz *tz);

/* Offset, DST flag and abbreviation in effect at utc_s. */
void mdc_tz_lookup(const mdc_tz *tz, int64_t utc_s, mdc_tz_info *out);

/* Seconds east of UTC at that instant. */
int32_t mdc_tz_offset(const mdc_tz *tz, int64_t utc_s);

/* Smallest and largest UTC offsets the zone ever uses. */
void mdc_tz_offset_bounds(const mdc_tz *tz, int32_t *min_off, int32_t *max_off);

/* The first instant strictly after after_s at which the UTC offset changes (changes of only
 * the abbreviation or DST flag are not reported). Returns 1 and sets *at, or 0 if the offset
 * never changes again. */
int mdc_tz_next_transition(const mdc_tz *tz, int64_t after_s, int64_t *at);

/* UTC instant -> local wall clock time. */
void mdc_tz_to_local(const mdc_tz *tz, int64_t utc_s, mdc_civil *out);

/* Local wall clock time -> UTC. Out-of-range month/day/hour/minute/second values are
 * normalized (month 13 = January of the next year, day 0 = last day of the previous month);
 * wday and yday are ignored. Returns the number of instants showing that wall time:
 *   0: it falls in a gap (clocks jumped forward over it); *first = the instant the gap ends,
 *      i.e. the first valid instant after it; *second is not written.
 *   1: *first = that instant; *second is not written.
 *   2: it falls in an overlap (clocks were set back); *first = the earlier, *second = the
 *      later instant. (Only corrupt data can repeat a wall time more than twice; the count
 *      is then larger and *second is the latest instant.)
 * first and second may be NULL. */
int mdc_tz_from_local(const mdc_tz *tz, const mdc_civil *local, int64_t *first, int64_t *second);

/* Local wall time as seconds (days_from_civil * 86400 + seconds of day), with the same
 * normalization as mdc_tz_from_local, clamped to +-MDC_TZ_TIME_LIMIT. */
int64_t mdc_civil_to_wall(const mdc_civil *c);

/* mdc_tz_from_local for a wall time given as seconds (see mdc_civil_to_wall). */
int mdc_tz_from_wall(const mdc_tz *tz, int64_t wall_s, int64_t *first, int64_t *second);

#endif
