/* SPDX-License-Identifier: Apache-2.0 */
/* store_write.c — opening the store and writing batches of records (store.h). */
#include "store/store_internal.h"
#include "format/fields_json.h"
#include "format/format.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const sql[ST_COUNT] = {
    [ST_DEVICE] =
        "INSERT INTO devices(id, machine_id, first_seen, last_seen) VALUES(?1, ?2, ?3, ?4) "
        "ON CONFLICT(id) DO UPDATE SET machine_id = excluded.machine_id, "
        "last_seen = excluded.last_seen",
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
    [ST_RECORD] = "INSERT INTO records(device, ts, fields, errors) VALUES(?, ?, ?, ?)",
};

/* WAL; the page cache and the checkpoint interval grow with the fleet (grow_cache);
 * synchronous as the spool's (open_db). */
#define PRAGMAS "PRAGMA journal_mode=WAL; PRAGMA cache_size=-256;"

/* The page cache: about 32 KB per device (its samples index leaf, live, devices and shift rows
 * and their share of the upper levels), between 256 KB (a small site's
 * footprint: its few index leaves stay cached) and 64 MB; looked
 * at again every minute.
 * The WAL is checkpointed every 16 KB per device, between SQLite's 1,000 pages (4 MB) and
 * 4,096 (16 MB): with many devices a batch dirties a page per device, and a longer interval
 * copies each hot page back less often; a few devices keep the WAL small. */
#define CACHE_PER_DEVICE_KB 32
#define CACHE_MIN_KB        256
#define CACHE_MAX_KB        65536
#define WAL_PAGES_PER_DEV   4
#define WAL_MIN_PAGES       1000
#define WAL_MAX_PAGES       4096
#define CACHE_CHECK_US      (60 * MDC_US_PER_SEC)

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
    sb_free(&k->fields);
    mdc_store_plan_free(&k->plan);
    mdc_store_known_free(&k->known);
    free(k->skip);
    free(k);
}

/* A record leaves the spool once the store has committed it: with the spool's
 * synchronous=full, the store's commit must be on disk too (FULL: the WAL is synced at each
 * commit); with normal, a power cut may lose the last commits of either, as that setting
 * accepts. */
static int open_db(mdc_store *k, bool sync_full, mdc_err *err)
{
    /* one writer thread per mdc_store (store.h): no mutex around every call */
    if (sqlite3_open_v2(k->path, &k->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return db_fail(k, err, "open");
    sqlite3_busy_timeout(k->db, 10000);
    if (sqlite3_exec(k->db, PRAGMAS, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(k->db, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(k, err, "set WAL mode");
    if (mdc_store_migrate(k->db, err) < 0) return mdc_err_prefix(err, "sqlite %s", k->path);
    for (int i = 0; i < ST_COUNT; i++)
        if (sqlite3_prepare_v3(k->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &k->st[i], NULL) !=
            SQLITE_OK)
            return db_fail(k, err, "prepare");
    return 0;
}

int mdc_store_open(const char *path, bool sync_full, mdc_store **out, mdc_err *err)
{
    mdc_store *k = xcalloc(1, sizeof *k);
    k->path = xstrdup(path);
    k->last_seq = -1;
    *out = NULL;
    if (open_db(k, sync_full, err) < 0) {
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

/* The record's row in `records`: its fields as one JSON object, their errors as another (NULL
 * when none), both in k->fields, one after the other; none for a record without values. */
static int write_fields(mdc_store *k, const mdc_record *r, const char *ts, mdc_err *err)
{
    if (r->nfields == 0) return 0; /* an unreachable device's record: its live row and status */
    size_t errors_at;
    mdc_fields_json(r, &k->fields, &errors_at);
    sqlite3_stmt *st = k->st[ST_RECORD];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->fields.buf, (int)errors_at, SQLITE_STATIC);
    if (k->fields.len > errors_at)
        sqlite3_bind_text(st, 4, k->fields.buf + errors_at, (int)(k->fields.len - errors_at),
                          SQLITE_STATIC);
    return run(k, ST_RECORD, err);
}

/* The device's rows as this transaction has left them so far, starting from what committed
 * batches left (nothing known the first time: read from the database where needed). */
static st_rows *rows_of(mdc_store *k, st_dev *v)
{
    if (!v->seeded) {
        const st_rows *known = mdc_store_known_find(&k->known, v->device, v->hash);
        if (known) v->rows = *known;
        v->seeded = true;
    }
    return &v->rows;
}

/* The device's live status as the transaction has left it so far: the live row's, until a
 * record of the batch has set it (its live row is written once, by its last record). */
static int live_status(mdc_store *k, st_dev *v, mdc_err *err)
{
    st_rows *s = rows_of(k, v);
    if (s->status_known) return 0;
    sqlite3_stmt *q = k->st[ST_LIVE_STATUS];
    sqlite3_bind_text(q, 1, v->device, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    s->has_status = rc == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL;
    s->status = s->has_status ? sqlite3_column_int(q, 0) : -1;
    s->unreachable = s->has_status && sqlite3_column_int(q, 1);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return db_fail(k, err, "read live status");
    s->status_known = true;
    return 0;
}

/* Inserts a status_history row when the status differs from the live row's (or is the first),
 * or when the device became unreachable or reachable again with the same status (OFF both
 * times): the dashboard's timeline tells OFF from unreachable. */
static int write_status(mdc_store *k, st_dev *v, const mdc_record *r, const char *ts, mdc_err *err)
{
    if (r->status >= 0 && live_status(k, v, err) < 0) return -1;
    st_rows *s = rows_of(k, v);
    bool have = s->has_status, prev_unreachable = s->unreachable;
    int prev = s->status;
    /* what this record's live row says (status NULL when it has none) */
    s->status_known = true;
    s->has_status = r->status >= 0;
    s->status = r->status;
    s->unreachable = r->error != NULL;
    if (r->status < 0) return 0;
    if (have && prev == r->status && prev_unreachable == (r->error != NULL)) return 0;
    sqlite3_stmt *st = k->st[ST_HISTORY];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ts, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, r->status);
    if (have) sqlite3_bind_int(st, 4, prev);
    bind_opt_text(st, 5, r->error);
    return run(k, ST_HISTORY, err);
}

/* The device's row, once per batch (by its last record): first_seen from its first. */
static int write_device(mdc_store *k, const mdc_record *const *recs, size_t i, const char *ts,
                        mdc_err *err)
{
    const mdc_record *r = recs[i];
    char first[40];
    mdc_format_utc_us(recs[k->plan.slots[k->plan.dev_of[i]].first]->ts_us, first, sizeof first);
    sqlite3_stmt *st = k->st[ST_DEVICE];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    if (r->has_machine_id) sqlite3_bind_int64(st, 2, r->machine_id);
    sqlite3_bind_text(st, 3, first, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, ts, -1, SQLITE_STATIC);
    return run(k, ST_DEVICE, err);
}

/* The live row, once per batch (by the device's last record: every column is its). */
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

/* What a record writes into shift_energy: nothing (false), or the row of its shift with a
 * non-NULL energy and parts or NULL (which keeps the row's value). */
typedef struct shift_row {
    const mdc_field *shift, *energy, *parts; /* energy, parts: NULL when not written */
} shift_row;

static bool shift_of(const mdc_record *r, shift_row *w)
{
    w->shift = mdc_record_find(r, "shift");
    const mdc_field *energy = mdc_record_find(r, "shift_energy_kwh");
    const mdc_field *parts = mdc_record_find(r, "part_count");
    if (!r->shift_start_us || !w->shift || w->shift->v.type != MDC_INT || (!energy && !parts))
        return false;
    w->energy = energy && !r->error && energy->v.type != MDC_NULL ? energy : NULL;
    w->parts = parts && parts->v.type != MDC_NULL ? parts : NULL;
    return true;
}

/* The device's next record in the batch writes the same shift's row with a value wherever r
 * does: r's upsert (and its closing of older shifts) would leave nothing the next one's does
 * not leave too. */
static bool shift_superseded(const mdc_record *r, const shift_row *w, const mdc_record *next)
{
    shift_row n;
    return next && shift_of(next, &n) && next->shift_start_us == r->shift_start_us &&
           (!w->energy || n.energy) && (!w->parts || n.parts);
}

/* Closes the device's shift rows before r's shift, unless they are known to be closed. */
static int close_shifts(mdc_store *k, st_rows *s, const mdc_record *r, const char *start,
                        mdc_err *err)
{
    if (s->shift_known && s->closed_before_us >= r->shift_start_us) return 0;
    sqlite3_stmt *c = k->st[ST_SHIFT_CLOSE];
    sqlite3_bind_text(c, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(c, 2, start, -1, SQLITE_TRANSIENT);
    return run(k, ST_SHIFT_CLOSE, err);
}

static int write_shift(mdc_store *k, st_dev *v, const mdc_record *r, const mdc_record *next,
                       const char *ts, mdc_err *err)
{
    shift_row w;
    if (!shift_of(r, &w) || shift_superseded(r, &w, next)) return 0;
    char start[40];
    mdc_format_utc_s(r->shift_start_us, start, sizeof start);
    st_rows *s = rows_of(k, v);
    if (close_shifts(k, s, r, start, err) < 0) return -1;
    /* every row before r's shift is closed now; r's own may be new, hence open */
    s->shift_known = true;
    s->closed_before_us = r->shift_start_us;
    sqlite3_stmt *st = k->st[ST_SHIFT];
    sqlite3_bind_text(st, 1, r->device, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, start, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, w.shift->v.u.i);
    if (w.energy) bind_value(st, 4, &w.energy->v);
    if (w.parts) bind_value(st, 5, &w.parts->v);
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

/* recs[i] of the planned batch: its row, status change, parts; the device's rows when it
 * is the device's last record (its shift row unless the next record supersedes it). */
static int write_record(mdc_store *k, const mdc_record *const *recs, size_t i, mdc_err *err)
{
    const mdc_record *r = recs[i];
    char ts[40];
    mdc_format_utc_us(r->ts_us, ts, sizeof ts);
    int32_t next = k->plan.next[i];
    const mdc_record *nr = next < 0 ? NULL : recs[next];
    st_dev *v = &k->plan.slots[k->plan.dev_of[i]];
    if (write_fields(k, r, ts, err) < 0 || write_status(k, v, r, ts, err) < 0 ||
        (!nr && (write_device(k, recs, i, ts, err) < 0 || write_live(k, r, ts, err) < 0)) ||
        write_shift(k, v, r, nr, ts, err) < 0 || write_parts(k, r, ts, err) < 0)
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

/* Sizes the page cache and the checkpoint interval for the devices the store holds (counted every
 * CACHE_CHECK_US) or the batch being written has, whichever is more. */
static void grow_cache(mdc_store *k, size_t batch_devices)
{
    int64_t now = mdc_mono_us();
    if (!k->cache_checked_us || now - k->cache_checked_us >= CACHE_CHECK_US) {
        k->cache_checked_us = now;
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(k->db, "SELECT count(*) FROM devices", -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) k->devices = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    if ((int64_t)batch_devices > k->devices) k->devices = (int64_t)batch_devices;
    int64_t kb = k->devices * CACHE_PER_DEVICE_KB;
    kb = kb < CACHE_MIN_KB ? CACHE_MIN_KB : kb > CACHE_MAX_KB ? CACHE_MAX_KB : kb;
    if (kb == k->cache_kb) return;
    int64_t wal = k->devices * WAL_PAGES_PER_DEV;
    wal = wal < WAL_MIN_PAGES ? WAL_MIN_PAGES : wal > WAL_MAX_PAGES ? WAL_MAX_PAGES : wal;
    char q[96];
    snprintf(q, sizeof q, "PRAGMA cache_size=-%lld; PRAGMA wal_autocheckpoint=%lld", (long long)kb,
             (long long)wal);
    if (sqlite3_exec(k->db, q, NULL, NULL, NULL) == SQLITE_OK) k->cache_kb = kb;
}

/* Records committed before (a replay after a crash) are not written again; the rest are
 * planned (store_batch.c). */
static void plan(mdc_store *k, const mdc_record *const *recs, size_t n)
{
    if (n > k->skip_cap) {
        k->skip = xrealloc(k->skip, n * sizeof *k->skip);
        k->skip_cap = n;
    }
    for (size_t i = 0; i < n; i++)
        k->skip[i] = recs[i]->seq && recs[i]->seq <= k->last_seq && !recs[i]->redelivered;
    mdc_store_plan(&k->plan, recs, n, k->skip);
}

/* Writes recs[0, n) and the position in one transaction. Returns 0, or -1 with *bad the index
 * of the record that failed (n when the transaction itself failed). */
static int write_txn(mdc_store *k, const char *writer, const mdc_record *const *recs, size_t n,
                     size_t *bad, mdc_err *err)
{
    *bad = n;
    k->fail_code = SQLITE_OK;
    plan(k, recs, n);
    grow_cache(k, k->plan.devices);
    if (exec(k, "BEGIN IMMEDIATE", err) < 0) return -1;
    int64_t last = k->last_seq;
    for (size_t i = 0; i < n; i++) {
        if (k->skip[i]) continue; /* already committed before a crash: never write it twice */
        if (recs[i]->device && write_record(k, recs, i, err) < 0) {
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
    mdc_store_known_commit(&k->known, &k->plan);
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
