/* SPDX-License-Identifier: Apache-2.0 */
/* store_read.c — the history queries of store.h. */
#include "store/store_internal.h"
#include "format/json_out.h"

#include "core/clock.h"

#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static void column_json(strbuf *out, sqlite3_stmt *st, int col)
{
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        sb_printf(out, "%" PRId64, (int64_t)sqlite3_column_int64(st, col));
        break;
    case SQLITE_FLOAT:
        mdc_json_double(out, sqlite3_column_double(st, col));
        break;
    case SQLITE_TEXT:
        mdc_json_str(out, (const char *)sqlite3_column_text(st, col));
        break;
    default:
        sb_puts(out, "null");
    }
}

typedef struct pivot {
    strbuf *out;
    strbuf errors; /* "errors" members of the open record */
    char ts[48];   /* timestamp of the open record ("" none) */
    int64_t records;
} pivot;

static void close_record(pivot *p)
{
    if (!p->ts[0]) return;
    if (p->errors.len) sb_printf(p->out, ", \"errors\": {%s}", sb_str(&p->errors));
    sb_putc(p->out, '}');
    sb_reset(&p->errors);
}

static void open_record(pivot *p, const char *ts)
{
    close_record(p);
    sb_puts(p->out, p->records++ ? ", {\"timestamp\": " : "{\"timestamp\": ");
    mdc_json_str(p->out, ts);
    snprintf(p->ts, sizeof p->ts, "%s", ts);
}

/* One value of the open record: a row (name, value, error) of VALUES_SQL. */
static void sample_row(pivot *p, sqlite3_stmt *st)
{
    const char *name = (const char *)sqlite3_column_text(st, 0);
    mdc_json_key(p->out, name ? name : "", 0);
    column_json(p->out, st, 1);
    if (sqlite3_column_type(st, 2) == SQLITE_TEXT) {
        mdc_json_key(&p->errors, name ? name : "", p->errors.len == 0);
        mdc_json_str(&p->errors, (const char *)sqlite3_column_text(st, 2));
    }
}

/* A records row's values in its order, with their errors (?1 fields, ?2 errors). */
#define VALUES_SQL                                                                                 \
    "SELECT f.key, f.value, e.value FROM json_each(?1) AS f LEFT JOIN json_each(?2) AS e "         \
    "ON e.key = f.key ORDER BY f.id"

/* The values of the records row `rec` is on into the open record. */
static int record_values(pivot *p, sqlite3_stmt *rec, sqlite3_stmt *vals)
{
    sqlite3_bind_value(vals, 1, sqlite3_column_value(rec, 1));
    sqlite3_bind_value(vals, 2, sqlite3_column_value(rec, 2));
    int rc;
    while ((rc = sqlite3_step(vals)) == SQLITE_ROW)
        sample_row(p, vals);
    sqlite3_reset(vals);
    return rc == SQLITE_DONE ? SQLITE_ROW : rc;
}

static int bind_range(sqlite3_stmt *st, const char *device, const char *from, const char *to)
{
    sqlite3_bind_text(st, 1, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, to, -1, SQLITE_STATIC);
    return 0;
}

/* The records in [from, to), oldest first, at most `limit` (records of one timestamp are one):
 * the rows in the index's order, each row's values read from its JSON. */
static int samples_json(sqlite3 *db, const char *device, const char *from, const char *to,
                        int64_t limit, strbuf *out, mdc_err *err)
{
    sqlite3_stmt *st, *vals;
    if (mdc_store_prepare(db,
                          "SELECT ts, fields, errors FROM records WHERE device = ?1 AND "
                          "ts >= ?2 AND ts < ?3 ORDER BY ts, rowid",
                          &st, err) < 0)
        return -1;
    if (mdc_store_prepare(db, VALUES_SQL, &vals, err) < 0) {
        sqlite3_finalize(st);
        return -1;
    }
    bind_range(st, device, from, to);
    pivot p = {.out = out};
    sb_puts(out, ", \"records\": [");
    int rc;
    const char *next = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *ts = (const char *)sqlite3_column_text(st, 0);
        if (!ts) continue;
        if (strcmp(ts, p.ts) != 0) {
            if (p.records == limit) {
                next = ts;
                break;
            }
            open_record(&p, ts);
        }
        if ((rc = record_values(&p, st, vals)) != SQLITE_ROW) break;
    }
    close_record(&p);
    sb_printf(out, "], \"truncated\": %s", next ? "true" : "false");
    if (next) {
        sb_puts(out, ", \"next\": ");
        mdc_json_str(out, next);
    }
    sb_free(&p.errors);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) mdc_store_read_failed(db, err);
    sqlite3_finalize(vals);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int status_json(sqlite3 *db, const char *device, const char *from, const char *to,
                       strbuf *out, mdc_err *err)
{
    sqlite3_stmt *st;
    if (mdc_store_prepare(
            db,
            "SELECT ts, status, previous, error FROM status_history WHERE device = ?1 AND "
            "ts >= ?2 AND ts < ?3 ORDER BY ts LIMIT 10000",
            &st, err) < 0)
        return -1;
    bind_range(st, device, from, to);
    sb_puts(out, ", \"status_changes\": [");
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sb_puts(out, n++ ? ", {\"timestamp\": " : "{\"timestamp\": ");
        column_json(out, st, 0);
        sb_puts(out, ", \"status\": ");
        column_json(out, st, 1);
        sb_puts(out, ", \"previous\": ");
        column_json(out, st, 2);
        sb_puts(out, ", \"error\": ");
        column_json(out, st, 3);
        sb_putc(out, '}');
    }
    sb_puts(out, "]");
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return mdc_store_read_failed(db, err);
    return 0;
}

int mdc_store_history(const char *db_path, const char *device, int64_t from_us, int64_t to_us,
                      int64_t limit, strbuf *out, mdc_err *err)
{
    sqlite3 *db;
    if (mdc_store_open_ro(db_path, &db, err) < 0) return -1;
    char from[48], to[48];
    mdc_format_utc_us(from_us, from, sizeof from);
    mdc_format_utc_us(to_us, to, sizeof to);
    strbuf body = STRBUF_INIT;
    mdc_store_range_json(&body, device, from_us, to_us);
    int rc = samples_json(db, device, from, to, limit, &body, err);
    if (rc == 0) rc = status_json(db, device, from, to, &body, err);
    sqlite3_close(db);
    if (rc == 0) {
        sb_puts(&body, "}\n");
        sb_append(out, body.buf, body.len);
    }
    sb_free(&body);
    return rc;
}

static void shift_row(strbuf *out, sqlite3_stmt *st, int n)
{
    sb_puts(out, n ? ", {\"shift_start\": " : "{\"shift_start\": ");
    column_json(out, st, 0);
    sb_puts(out, ", \"shift\": ");
    column_json(out, st, 1);
    sb_puts(out, ", \"energy_kwh\": ");
    column_json(out, st, 2);
    sb_puts(out, ", \"parts\": ");
    column_json(out, st, 3);
    sb_printf(out, ", \"closed\": %s}", sqlite3_column_int(st, 4) ? "true" : "false");
}

int mdc_store_shifts(const char *db_path, const char *device, int64_t from_us, int64_t to_us,
                     strbuf *out, mdc_err *err)
{
    sqlite3 *db;
    if (mdc_store_open_ro(db_path, &db, err) < 0) return -1;
    sqlite3_stmt *st;
    if (mdc_store_prepare(
            db,
            "SELECT shift_start, shift, energy_kwh, parts, closed FROM shift_energy WHERE "
            "device = ?1 AND shift_start >= ?2 AND shift_start < ?3 ORDER BY shift_start "
            "LIMIT 10000",
            &st, err) < 0) {
        sqlite3_close(db);
        return -1;
    }
    char from[48], to[48];
    mdc_format_utc_s(from_us, from, sizeof from);
    mdc_format_utc_s(to_us, to, sizeof to);
    bind_range(st, device, from, to);
    strbuf body = STRBUF_INIT;
    mdc_store_range_json(&body, device, from_us, to_us);
    sb_puts(&body, ", \"shifts\": [");
    int rc, n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        shift_row(&body, st, n++);
    sb_puts(&body, "]}\n");
    if (rc != SQLITE_DONE)
        mdc_store_read_failed(db, err);
    else
        sb_append(out, body.buf, body.len);
    sqlite3_finalize(st);
    sqlite3_close(db);
    sb_free(&body);
    return rc == SQLITE_DONE ? 0 : -1;
}
