/* SPDX-License-Identifier: Apache-2.0 */
/* store_aggregate.c — the dashboard's queries of store.h: a value averaged per time bucket, a
 * device's state timeline and the plant's energy since a time. Each reads a bounded range
 * (the caller bounds the span; the rows come from the (device, ts) and shift_start indexes). */
#include "store/store_internal.h"
#include "format/json_out.h"

#include "core/clock.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* ---- series ---- */

static void bucket_json(strbuf *out, sqlite3_stmt *st, int64_t from_us, int64_t step_us, int n)
{
    int64_t b = sqlite3_column_int64(st, 0);
    sb_puts(out, n ? ", {\"t\": " : "{\"t\": ");
    mdc_json_time(out, from_us + b * step_us);
    sb_puts(out, ", \"avg\": ");
    mdc_json_double(out, sqlite3_column_double(st, 1));
    sb_puts(out, ", \"min\": ");
    mdc_json_double(out, sqlite3_column_double(st, 2));
    sb_puts(out, ", \"max\": ");
    mdc_json_double(out, sqlite3_column_double(st, 3));
    sb_printf(out, ", \"n\": %" PRId64 "}", (int64_t)sqlite3_column_int64(st, 4));
}

int mdc_store_series(const char *path, const char *device, const char *point, int64_t from_us,
                     int64_t to_us, int64_t step_us, strbuf *out, mdc_err *err)
{
    sqlite3 *db;
    if (mdc_store_open_ro(path, &db, err) < 0) return -1;
    sqlite3_stmt *st;
    /* whole seconds are enough for buckets of a second or more */
    if (mdc_store_prepare(
            db,
            "SELECT (CAST(strftime('%s', substr(ts, 1, 19)) AS INTEGER) * 1000000 - ?4) / ?5 "
            "AS b, avg(value), min(value), max(value), count(*) FROM samples WHERE device = ?1 "
            "AND ts >= ?2 AND ts < ?3 AND name = ?6 AND typeof(value) IN ('integer', 'real') "
            "GROUP BY b ORDER BY b",
            &st, err) < 0) {
        sqlite3_close(db);
        return -1;
    }
    char from[48], to[48];
    mdc_format_utc_us(from_us, from, sizeof from);
    mdc_format_utc_us(to_us, to, sizeof to);
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, from_us - from_us % MDC_US_PER_SEC);
    sqlite3_bind_int64(st, 5, step_us);
    sqlite3_bind_text(st, 6, point, -1, SQLITE_STATIC);
    strbuf body = STRBUF_INIT;
    mdc_store_range_json(&body, device, from_us, to_us);
    sb_puts(&body, ", \"point\": ");
    mdc_json_str(&body, point);
    sb_printf(&body, ", \"step_seconds\": %" PRId64 ", \"buckets\": [",
              (int64_t)(step_us / MDC_US_PER_SEC));
    int rc, n = 0;
    int64_t base = from_us - from_us % MDC_US_PER_SEC;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        bucket_json(&body, st, base, step_us, n++);
    sb_puts(&body, "]}\n");
    if (rc == SQLITE_DONE)
        sb_append(out, body.buf, body.len);
    else
        mdc_store_read_failed(db, err);
    sqlite3_finalize(st);
    sqlite3_close(db);
    sb_free(&body);
    return rc == SQLITE_DONE ? 0 : -1;
}

/* ---- timeline ---- */

enum { S_OFF, S_ON, S_PRODUCTION, S_UNREACHABLE, S_UNKNOWN, NSTATES };
static const char *const state_names[NSTATES] = {"OFF", "ON", "PRODUCTION", "UNREACHABLE",
                                                 "UNKNOWN"};

typedef struct timeline {
    strbuf *out;
    int state;        /* of the open segment */
    int64_t start_us; /* of the open segment */
    int n;            /* segments written */
    int64_t seconds[NSTATES];
} timeline;

static int state_of_row(sqlite3_stmt *st)
{
    if (sqlite3_column_type(st, 2) == SQLITE_TEXT) return S_UNREACHABLE;
    int s = sqlite3_column_int(st, 1);
    return s >= 0 && s <= 2 ? s : S_UNKNOWN;
}

/* Ends the open segment at t and opens one of `state` (merging equal neighbours). */
static void turn(timeline *tl, int64_t t_us, int state)
{
    if (state == tl->state || t_us <= tl->start_us) {
        if (t_us <= tl->start_us) tl->state = state; /* a zero-length segment is replaced */
        return;
    }
    sb_puts(tl->out, tl->n++ ? ", {\"from\": " : "{\"from\": ");
    mdc_json_time(tl->out, tl->start_us);
    sb_puts(tl->out, ", \"to\": ");
    mdc_json_time(tl->out, t_us);
    sb_printf(tl->out, ", \"state\": \"%s\"}", state_names[tl->state]);
    tl->seconds[tl->state] += (t_us - tl->start_us) / MDC_US_PER_SEC;
    tl->state = state;
    tl->start_us = t_us;
}

static int64_t parse_ts(const char *ts)
{
    int y, mo, d, h, mi, s;
    if (!ts || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s) != 6) return 0;
    int64_t us = 0;
    if (ts[19] == '.')
        for (int i = 20, scale = 100000; i < 26 && ts[i] >= '0' && ts[i] <= '9'; i++, scale /= 10)
            us += (ts[i] - '0') * scale;
    int64_t days = mdc_days_from_civil(y, (unsigned)mo, (unsigned)d);
    return (days * 86400 + h * 3600 + mi * 60 + s) * MDC_US_PER_SEC + us;
}

/* The state in force at `from`: the latest change before it. */
static int state_before(sqlite3 *db, const char *device, const char *from, int *state, mdc_err *err)
{
    sqlite3_stmt *st;
    if (mdc_store_prepare(
            db,
            "SELECT ts, status, error FROM status_history WHERE device = ?1 AND ts < ?2 "
            "ORDER BY ts DESC LIMIT 1",
            &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *state = rc == SQLITE_ROW ? state_of_row(st) : S_UNKNOWN;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : mdc_store_read_failed(db, err);
}

static int changes(sqlite3 *db, const char *device, const char *from, const char *to, timeline *tl,
                   mdc_err *err)
{
    sqlite3_stmt *st;
    if (mdc_store_prepare(
            db,
            "SELECT ts, status, error FROM status_history WHERE device = ?1 AND ts >= ?2 "
            "AND ts < ?3 ORDER BY ts LIMIT 10000",
            &st, err) < 0)
        return -1;
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        turn(tl, parse_ts((const char *)sqlite3_column_text(st, 0)), state_of_row(st));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : mdc_store_read_failed(db, err);
}

static void shares_json(const timeline *tl, strbuf *out)
{
    sb_puts(out, "], \"seconds\": {");
    for (int s = 0; s < NSTATES; s++)
        sb_printf(out, "%s\"%s\": %" PRId64, s ? ", " : "", state_names[s], tl->seconds[s]);
    sb_puts(out, "}}\n");
}

int mdc_store_timeline(const char *path, const char *device, int64_t from_us, int64_t to_us,
                       int64_t now_us, strbuf *out, mdc_err *err)
{
    sqlite3 *db;
    if (mdc_store_open_ro(path, &db, err) < 0) return -1;
    char from[48], to[48];
    mdc_format_utc_us(from_us, from, sizeof from);
    mdc_format_utc_us(to_us, to, sizeof to);
    strbuf body = STRBUF_INIT;
    mdc_store_range_json(&body, device, from_us, to_us);
    sb_puts(&body, ", \"segments\": [");
    timeline tl = {.out = &body, .start_us = from_us};
    int rc = state_before(db, device, from, &tl.state, err);
    if (rc == 0) rc = changes(db, device, from, to, &tl, err);
    sqlite3_close(db);
    if (rc == 0) {
        int64_t end = now_us < to_us ? now_us : to_us;
        turn(&tl, end > from_us ? end : from_us, -1); /* closes the last segment */
        shares_json(&tl, &body);
        sb_append(out, body.buf, body.len);
    }
    sb_free(&body);
    return rc;
}

/* ---- the plant ---- */

int mdc_store_energy_since(const char *path, int64_t since_us, double *kwh, mdc_err *err)
{
    sqlite3 *db;
    if (mdc_store_open_ro(path, &db, err) < 0) return -1;
    sqlite3_stmt *st;
    if (mdc_store_prepare(db, "SELECT total(energy_kwh) FROM shift_energy WHERE shift_start >= ?1",
                          &st, err) < 0) {
        sqlite3_close(db);
        return -1;
    }
    char since[48];
    mdc_format_utc_s(since_us, since, sizeof since);
    sqlite3_bind_text(st, 1, since, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *kwh = sqlite3_column_double(st, 0);
    else
        mdc_store_read_failed(db, err);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc == SQLITE_ROW ? 0 : -1;
}
