/* store_write.c — opening the store and writing batches of records (store.h). */
#include "store/store_internal.h"
#include "format/format.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const sql[ST_COUNT] = {
    [ST_DEVICE] =
        "INSERT INTO devices(id, machine_id, first_seen, last_seen) VALUES(?1, ?2, ?3, ?3) "
        "ON CONFLICT(id) DO UPDATE SET machine_id = excluded.machine_id, "
        "last_seen = excluded.last_seen",
    [ST_SAMPLE] = "INSERT INTO samples(device, ts, name, value, error) VALUES(?, ?, ?, ?, ?)",
    [ST_LIVE_STATUS] = "SELECT status, error IS NOT NULL FROM live WHERE device = ?",
    [ST_LIVE] = "INSERT INTO live(device, ts, status, error, record) VALUES(?, ?, ?, ?, ?) "
                "ON CONFLICT(device) DO UPDATE SET ts = excluded.ts, status = excluded.status, "
                "error = excluded.error, record = excluded.record",
    [ST_HISTORY] = "INSERT INTO status_history(device, ts, status, previous, error) "
                   "VALUES(?, ?, ?, ?, ?)",
    [ST_SHIFT_CLOSE] = "UPDATE shift_energy SET closed = 1 WHERE device = ? AND shift_start < ? "
                       "AND closed = 0",
    [ST_SHIFT] = "INSERT INTO shift_energy(device, shift_start, shift, energy_kwh, parts, closed, "
                 "updated) VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6) ON CONFLICT(device, shift_start) DO "
                 "UPDATE SET shift = excluded.shift, "
                 "energy_kwh = COALESCE(excluded.energy_kwh, energy_kwh), "
                 "parts = COALESCE(excluded.parts, parts), updated = excluded.updated",
    [ST_PART] = "INSERT INTO part_events(device, ts, count) VALUES(?, ?, ?)",
    [ST_STATE] = "INSERT INTO sink_state(sink, epoch, last_seq) VALUES(?, ?, ?) "
                 "ON CONFLICT(sink) DO UPDATE SET epoch = excluded.epoch, "
                 "last_seq = excluded.last_seq",
};

static int db_fail(mdc_store *k, mdc_err *err, const char *what)
{
    return mdc_err_set(err, MDC_EIO, "sqlite %s: %s: %s", k->path, what,
                       k->db ? sqlite3_errmsg(k->db) : "cannot open");
}

static void close_db(mdc_store *k)
{
    for (int i = 0; i < ST_COUNT; i++) {
        sqlite3_finalize(k->st[i]);
        k->st[i] = NULL;
    }
    if (k->db) sqlite3_close(k->db);
    k->db = NULL;
}

static void store_free(mdc_store *k)
{
    close_db(k);
    free(k->path);
    sb_free(&k->json);
    free(k);
}

static int open_db(mdc_store *k, mdc_err *err)
{
    if (sqlite3_open_v2(k->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK)
        return db_fail(k, err, "open");
    sqlite3_busy_timeout(k->db, 10000);
    if (sqlite3_exec(k->db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-1024;",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(k, err, "set WAL mode");
    if (mdc_store_migrate(k->db, err) < 0) return mdc_err_prefix(err, "sqlite %s", k->path);
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(k->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &k->st[i], NULL) !=
            SQLITE_OK)
            return db_fail(k, err, "prepare");
    return 0;
}

int mdc_store_open(const char *path, mdc_store **out, mdc_err *err)
{
    mdc_store *k = xcalloc(1, sizeof *k);
    k->path = xstrdup(path);
    k->last_seq = -1;
    *out = NULL;
    if (open_db(k, err) < 0) {
        store_free(k);
        return -1;
    }
    *out = k;
    return 0;
}

void mdc_store_close(mdc_store *st)
{
    if (st) store_free(st);
}

int64_t mdc_store_committed_seq(mdc_store *k, const char *writer, uint64_t epoch)
{
    k->epoch = epoch;
    k->loaded = true;
    k->last_seq = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(k->db, "SELECT epoch, last_seq FROM sink_state WHERE sink = ?", -1, &st,
                           NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, writer, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && (uint64_t)sqlite3_column_int64(st, 0) == epoch)
        k->last_seq = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return k->last_seq;
}

static int run(mdc_store *k, int i, mdc_err *err)
{
    int rc = sqlite3_step(k->st[i]);
    sqlite3_reset(k->st[i]);
    sqlite3_clear_bindings(k->st[i]);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return db_fail(k, err, "write");
    return 0;
}

static void bind_value(sqlite3_stmt *st, int col, const mdc_value *v)
{
    switch (v->type) {
    case MDC_NULL:
        sqlite3_bind_null(st, col);
        break;
    case MDC_BOOL:
        sqlite3_bind_int(st, col, v->u.b);
        break;
    case MDC_INT:
        sqlite3_bind_int64(st, col, v->u.i);
        break;
    case MDC_DOUBLE:
        sqlite3_bind_double(st, col, v->u.d);
        break;
    case MDC_STRING:
        sqlite3_bind_text(st, col, v->u.s, -1, SQLITE_STATIC);
        break;
    }
}

static void bind_opt_text(sqlite3_stmt *st, int col, const char *s)
{
    if (s)
        sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, col);
}

static int write_samples(mdc_store *k, const mdc_record *r, const char *ts, mdc_err *err)
{
    sqlite3_stmt *st = k->st[ST_SAMPLE];
    for (size_t i = 0; i < r->nfields; i++) {
        sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->fields[i].name, -1, SQLITE_STATIC);
        bind_value(st, 4, &r->fields[i].v);
        bind_opt_text(st, 5, r->fields[i].error);
        if (run(k, ST_SAMPLE, err) < 0) return -1;
    }
    return 0;
}

/* Inserts a status_history row when the status differs from the live row's (or is the first),
 * or when the device became unreachable or reachable again with the same status (OFF both
 * times): the dashboard's timeline tells OFF from unreachable. */
static int write_status(mdc_store *k, const mdc_record *r, const char *ts, mdc_err *err)
{
    if (r->status < 0) return 0;
    sqlite3_stmt *q = k->st[ST_LIVE_STATUS];
    sqlite3_bind_text(q, 1, r->device, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    bool have = rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL;
    int prev = have ? sqlite3_column_int(q, 0) : -1;
    bool prev_unreachable = have && sqlite3_column_int(q, 1);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(k, err, "read live status");
    if (have && prev == r->status && prev_unreachable == (r->error != NULL)) return 0;
    sqlite3_stmt *st = k->st[ST_HISTORY];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, r->status);
    if (have) sqlite3_bind_int(st, 4, prev);
    bind_opt_text(st, 5, r->error);
    return run(k, ST_HISTORY, err);
}

static int write_live(mdc_store *k, const mdc_record *r, const char *ts, mdc_err *err)
{
    sb_reset(&k->json);
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, r, &k->json);
    if (k->json.len && k->json.buf[k->json.len - 1] == '\n') k->json.buf[--k->json.len] = '\0';
    sqlite3_stmt *st = k->st[ST_LIVE];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
    if (r->status >= 0) sqlite3_bind_int(st, 3, r->status);
    bind_opt_text(st, 4, r->error);
    sqlite3_bind_text(st, 5, sb_str(&k->json), (int)k->json.len, SQLITE_STATIC);
    return run(k, ST_LIVE, err);
}

static int write_shift(mdc_store *k, const mdc_record *r, const char *ts, mdc_err *err)
{
    const mdc_field *shift = mdc_record_find(r, "shift");
    const mdc_field *energy = mdc_record_find(r, "shift_energy_kwh");
    const mdc_field *parts = mdc_record_find(r, "part_count");
    if (!r->shift_start_us || !shift || shift->v.type != MDC_INT || (!energy && !parts)) return 0;
    char start[40];
    mdc_format_utc_s(r->shift_start_us, start, sizeof start);
    sqlite3_stmt *c = k->st[ST_SHIFT_CLOSE];
    sqlite3_bind_text(c, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(c, 2, start, -1, SQLITE_TRANSIENT);
    if (run(k, ST_SHIFT_CLOSE, err) < 0) return -1;
    sqlite3_stmt *st = k->st[ST_SHIFT];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, start, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, shift->v.u.i);
    if (energy && !r->error) bind_value(st, 4, &energy->v);
    if (parts) bind_value(st, 5, &parts->v);
    sqlite3_bind_text(st, 6, ts, -1, SQLITE_STATIC);
    return run(k, ST_SHIFT, err);
}

static int write_parts(mdc_store *k, const mdc_record *r, const char *ts, mdc_err *err)
{
    const mdc_field *d = mdc_record_find(r, "part_count_delta");
    if (!d || d->v.type != MDC_INT || d->v.u.i <= 0) return 0;
    sqlite3_stmt *st = k->st[ST_PART];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, d->v.u.i);
    return run(k, ST_PART, err);
}

static int write_record(mdc_store *k, const mdc_record *r, mdc_err *err)
{
    if (!r->device) return 0;
    char ts[40];
    mdc_format_utc_us(r->ts_us, ts, sizeof ts);
    sqlite3_stmt *st = k->st[ST_DEVICE];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    if (r->has_machine_id) sqlite3_bind_int64(st, 2, r->machine_id);
    sqlite3_bind_text(st, 3, ts, -1, SQLITE_STATIC);
    if (run(k, ST_DEVICE, err) < 0 || write_samples(k, r, ts, err) < 0 ||
        write_status(k, r, ts, err) < 0 || write_live(k, r, ts, err) < 0 ||
        write_shift(k, r, ts, err) < 0 || write_parts(k, r, ts, err) < 0)
        return -1;
    return 0;
}

static int exec(mdc_store *k, const char *q, mdc_err *err)
{
    if (sqlite3_exec(k->db, q, NULL, NULL, NULL) != SQLITE_OK) return db_fail(k, err, q);
    return 0;
}

/* Errors that belong to one record (its data), not to the store: retrying cannot help. */
static bool record_refused(int code)
{
    return code == SQLITE_TOOBIG || code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH ||
           code == SQLITE_RANGE;
}

/* Writes recs[0, n) and the position in one transaction. Returns 0, or -1 with *bad the index
 * of the record that failed (n when the transaction itself failed). */
static int write_txn(mdc_store *k, const char *writer, const mdc_record *const *recs, size_t n,
                     size_t *bad, mdc_err *err)
{
    *bad = n;
    k->fail_code = SQLITE_OK;
    if (exec(k, "BEGIN IMMEDIATE", err) < 0) return -1;
    int64_t last = k->last_seq;
    for (size_t i = 0; i < n; i++) {
        if (recs[i]->seq && recs[i]->seq <= k->last_seq && !recs[i]->redelivered)
            continue; /* already committed before a crash: never write it twice */
        if (write_record(k, recs[i], err) < 0) {
            *bad = i;
            k->fail_code = sqlite3_errcode(k->db);
            goto fail;
        }
        if (recs[i]->seq > last) last = recs[i]->seq;
    }
    sqlite3_stmt *st = k->st[ST_STATE];
    sqlite3_bind_text(st, 1, writer, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)k->epoch);
    sqlite3_bind_int64(st, 3, last);
    if (run(k, ST_STATE, err) < 0 || exec(k, "COMMIT", err) < 0) goto fail;
    k->last_seq = last;
    return 0;
fail:
    sqlite3_exec(k->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int mdc_store_write(mdc_store *k, const char *writer, uint64_t epoch, const mdc_record *const *recs,
                    size_t n, size_t *written, bool *refused, mdc_err *err)
{
    *written = 0;
    *refused = false;
    if (!k->loaded || epoch != k->epoch) mdc_store_committed_seq(k, writer, epoch);
    size_t bad;
    if (write_txn(k, writer, recs, n, &bad, err) == 0) {
        *written = n;
        return 0;
    }
    if (bad == n || !record_refused(k->fail_code)) return -1;
    /* one record's data is refused: keep the ones before it, report it */
    mdc_err refusal = *err;
    size_t ignored;
    if (bad > 0 && write_txn(k, writer, recs, bad, &ignored, err) < 0) return -1;
    *written = bad;
    *refused = true;
    *err = refusal;
    return -1;
}
