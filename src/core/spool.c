/* SPDX-License-Identifier: Apache-2.0 */
/* spool.c — see spool.h. One SQLite connection guarded by a mutex (a single writer never meets
 * SQLITE_BUSY). Appends go through one writer thread that commits whatever has queued up in one
 * transaction (group commit): callers still block until their record is durable, but a thousand
 * devices polling at once cost a few commits, not a thousand, and SQLite's deep call stacks stay
 * on one thread instead of every bus thread. */
#include "spool_internal.h"
#include "record_codec.h"
#include "clock.h"
#include "xalloc.h"

#include <stdio.h>
#include <sys/statvfs.h>
#include <string.h>
#include <time.h>

static void *writer_main(void *arg);

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS cursors(sink TEXT PRIMARY KEY, seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS gaps(after INTEGER PRIMARY KEY, next INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dead_letters(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " sink TEXT NOT NULL, seq INTEGER NOT NULL, body BLOB NOT NULL, reason TEXT NOT NULL,"
    " error TEXT NOT NULL, tries INTEGER NOT NULL, failed_at INTEGER NOT NULL,"
    " retry INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX IF NOT EXISTS dead_letters_sink ON dead_letters(sink, retry);";

int spool_db_err(mdc_spool *sp, mdc_err *err, const char *what)
{
    int code = sqlite3_errcode(sp->db) == SQLITE_FULL ? MDC_ENOSPC : MDC_EIO;
    return mdc_err_set(err, code, "spool: %s: %s", what, sqlite3_errmsg(sp->db));
}

int spool_exec(mdc_spool *sp, const char *sql, mdc_err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(sp->db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        mdc_err_set(err, (rc & 0xff) == SQLITE_FULL ? MDC_ENOSPC : MDC_EIO, "spool: %s",
                    msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int64_t query_int(mdc_spool *sp, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(sp->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int prepare(mdc_spool *sp, mdc_err *err)
{
    struct {
        sqlite3_stmt **st;
        const char *sql;
    } s[] = {
        {&sp->ins, "INSERT INTO records(body) VALUES(?)"},
        {&sp->state_put, "INSERT INTO state(key, value) VALUES(?, ?) "
                         "ON CONFLICT(key) DO UPDATE SET value = excluded.value"},
        {&sp->state_get, "SELECT value FROM state WHERE key = ?"},
        {&sp->read, "SELECT seq, body FROM records WHERE seq > ? ORDER BY seq LIMIT ?"},
        {&sp->cur_put, "INSERT INTO cursors(sink, seq) VALUES(?, ?) "
                       "ON CONFLICT(sink) DO UPDATE SET seq = excluded.seq"},
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (sqlite3_prepare_v3(sp->db, s[i].sql, -1, SQLITE_PREPARE_PERSISTENT, s[i].st, NULL) !=
            SQLITE_OK)
            return spool_db_err(sp, err, "prepare");
    return 0;
}

static int load_epoch(mdc_spool *sp, mdc_err *err)
{
    sp->epoch = (uint64_t)query_int(sp, "SELECT value FROM counters WHERE name = 'epoch'");
    if (sp->epoch) return 0;
    sqlite3_randomness(sizeof sp->epoch, &sp->epoch);
    sp->epoch &= INT64_MAX;
    sp->epoch |= 1;
    char sql[128];
    snprintf(sql, sizeof sql, "INSERT INTO counters(name, value) VALUES('epoch', %lld)",
             (long long)sp->epoch);
    return spool_exec(sp, sql, err);
}

static int load_gaps(mdc_spool *sp, mdc_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sp->db, "SELECT after, next FROM gaps ORDER BY after", -1, &st, NULL) !=
        SQLITE_OK)
        return spool_db_err(sp, err, "read gaps");
    while (sqlite3_step(st) == SQLITE_ROW) {
        xgrow(&sp->gaps, &sp->capgaps, sp->ngaps + 1, sizeof *sp->gaps);
        sp->gaps[sp->ngaps++] =
            (spool_gap){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1)};
    }
    sqlite3_finalize(st);
    return 0;
}

static int load_bounds(mdc_spool *sp, mdc_err *err)
{
    sp->first_seq = query_int(sp, "SELECT COALESCE(MIN(seq), 0) FROM records");
    sp->last_seq = query_int(sp, "SELECT COALESCE(MAX(seq), 0) FROM records");
    if (sp->last_seq == 0) /* empty: the next seq continues from the highest ever used */
        sp->last_seq = query_int(sp, "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence "
                                     "WHERE name = 'records'");
    sp->prev_last_seq = sp->last_seq;
    sp->run_first_seq = sp->last_seq + 1;
    sp->dropped =
        query_int(sp, "SELECT COALESCE(MAX(value), 0) FROM counters WHERE name = 'dropped'");
    return load_gaps(sp, err);
}

/* Numbering of this run starts at max(last + 1, now_us): above every number a spool that lost
 * its tail may have handed out before (see spool_gap). */
static int start_run(mdc_spool *sp, int64_t now_us, mdc_err *err)
{
    int64_t next = sp->last_seq + 1 > now_us ? sp->last_seq + 1 : now_us;
    char sql[320];
    snprintf(sql, sizeof sql,
             "BEGIN IMMEDIATE; DELETE FROM sqlite_sequence WHERE name = 'records';"
             "INSERT INTO sqlite_sequence(name, seq) VALUES('records', %lld);",
             (long long)(next - 1));
    if (spool_exec(sp, sql, err) < 0) return -1;
    if (sp->first_seq && next > sp->last_seq + 1) { /* records remain below the jump */
        snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO gaps(after, next) VALUES(%lld, %lld);",
                 (long long)sp->last_seq, (long long)next);
        if (spool_exec(sp, sql, err) < 0) {
            spool_exec(sp, "ROLLBACK", NULL);
            return -1;
        }
        xgrow(&sp->gaps, &sp->capgaps, sp->ngaps + 1, sizeof *sp->gaps);
        sp->gaps[sp->ngaps++] = (spool_gap){sp->last_seq, next};
    }
    if (spool_exec(sp, "COMMIT", err) < 0) {
        spool_exec(sp, "ROLLBACK", NULL);
        return -1;
    }
    sp->run_first_seq = next;
    return 0;
}

/* How many records have a sequence number in (a, b] (both within the spool's numbering). */
static int64_t count_range(const mdc_spool *sp, int64_t a, int64_t b)
{
    if (b <= a) return 0;
    int64_t n = b - a;
    for (size_t i = 0; i < sp->ngaps; i++) { /* missing: [after + 1, next - 1] */
        int64_t lo = sp->gaps[i].after + 1 > a + 1 ? sp->gaps[i].after + 1 : a + 1;
        int64_t hi = sp->gaps[i].next - 1 < b ? sp->gaps[i].next - 1 : b;
        if (hi >= lo) n -= hi - lo + 1;
    }
    return n;
}

/* Records in the spool: (first - 1, last]. */
static int64_t records_held(const mdc_spool *sp)
{
    return sp->first_seq ? count_range(sp, sp->first_seq - 1, sp->last_seq) : 0;
}

/* Forgets gaps below the first record (sp->mu held; after a trim). */
static void prune_gaps(mdc_spool *sp)
{
    size_t k = 0;
    while (k < sp->ngaps && (sp->first_seq == 0 || sp->gaps[k].next <= sp->first_seq))
        k++;
    if (k == 0) return;
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM gaps WHERE after <= %lld",
             (long long)sp->gaps[k - 1].after);
    spool_exec(sp, sql, NULL);
    memmove(sp->gaps, sp->gaps + k, (sp->ngaps - k) * sizeof *sp->gaps);
    sp->ngaps -= k;
}

int64_t mdc_spool_run_first_seq(const mdc_spool *sp)
{
    return sp->run_first_seq;
}

int64_t mdc_spool_prev_last_seq(const mdc_spool *sp)
{
    return sp->prev_last_seq;
}

uint64_t mdc_spool_epoch(const mdc_spool *sp)
{
    return sp->epoch;
}

int mdc_spool_open(const char *path, const mdc_spool_opts *opts, mdc_spool **out, mdc_err *err)
{
    mdc_spool *sp = xcalloc(1, sizeof *sp);
    pthread_mutex_init(&sp->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sp->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&sp->qmu, NULL);
    pthread_cond_init(&sp->qcv, NULL);
    pthread_cond_init(&sp->donecv, NULL);
    sp->max_records = opts ? opts->max_records : 0;
    sp->max_bytes = opts ? opts->max_bytes : 0;
    sp->min_free = opts ? opts->min_free : 0;
    sp->path = xstrdup(path);
    if (sqlite3_open_v2(path, &sp->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        mdc_err_set(err, MDC_EIO, "cannot open spool %s: %s", path,
                    sp->db ? sqlite3_errmsg(sp->db) : "out of memory");
        mdc_spool_close(sp);
        return -1;
    }
    sqlite3_busy_timeout(sp->db, 10000);
    sp->sync_full = !(opts && opts->synchronous == MDC_SPOOL_SYNC_NORMAL);
    const char *sync = sp->sync_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
    /* A queue touches only its two ends: a small page cache (128 KiB, not 2 MiB) is enough. */
    if (spool_exec(sp,
                   "PRAGMA journal_mode=WAL; PRAGMA cache_size=-128; "
                   "PRAGMA journal_size_limit=4194304;",
                   err) < 0 ||
        spool_exec(sp, sync, err) < 0 || spool_exec(sp, schema, err) < 0 || prepare(sp, err) < 0) {
        mdc_err_prefix(err, "spool %s", path);
        mdc_spool_close(sp);
        return -1;
    }
    if (load_bounds(sp, err) < 0 || load_epoch(sp, err) < 0 ||
        (!(opts && opts->admin) && start_run(sp, mdc_now_us(), err) < 0)) {
        mdc_err_prefix(err, "spool %s", path);
        mdc_spool_close(sp);
        return -1;
    }
    if (opts && opts->admin) { /* no writer thread: not for appends */
        *out = sp;
        return 0;
    }
    int rc = pthread_create(&sp->writer, NULL, writer_main, sp);
    if (rc != 0) {
        mdc_err_set(err, MDC_EIO, "spool: cannot start its writer thread: %s", strerror(rc));
        mdc_spool_close(sp);
        return -1;
    }
    sp->writer_started = true;
    *out = sp;
    return 0;
}

void mdc_spool_close(mdc_spool *sp)
{
    if (!sp) return;
    if (sp->writer_started) {
        pthread_mutex_lock(&sp->qmu);
        sp->qstop = true;
        pthread_cond_signal(&sp->qcv);
        pthread_mutex_unlock(&sp->qmu);
        pthread_join(sp->writer, NULL);
    }
    pthread_cond_destroy(&sp->qcv);
    pthread_cond_destroy(&sp->donecv);
    pthread_mutex_destroy(&sp->qmu);
    sqlite3_stmt *sts[] = {sp->ins, sp->state_put, sp->state_get, sp->read, sp->cur_put};
    for (size_t i = 0; i < sizeof sts / sizeof sts[0]; i++)
        sqlite3_finalize(sts[i]);
    if (sp->db) sqlite3_close(sp->db);
    for (size_t i = 0; i < sp->ncursors; i++)
        free(sp->cursors[i].sink);
    free(sp->cursors);
    free(sp->gaps);
    free(sp->path);
    pthread_cond_destroy(&sp->cv);
    pthread_mutex_destroy(&sp->mu);
    free(sp);
}

static int step_done(mdc_spool *sp, sqlite3_stmt *st, mdc_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return spool_db_err(sp, err, what);
    return 0;
}

/* Deletes the k oldest records and counts them as dropped (inside a transaction). */
static int drop_oldest(mdc_spool *sp, int64_t k, mdc_err *err)
{
    if (k <= 0 || sp->first_seq == 0) return 0;
    char sql[200];
    snprintf(sql, sizeof sql,
             "DELETE FROM records WHERE seq IN (SELECT seq FROM records ORDER BY seq LIMIT %lld)",
             (long long)k);
    if (spool_exec(sp, sql, err) < 0) return -1;
    sp->dropped += sqlite3_changes(sp->db);
    snprintf(sql, sizeof sql,
             "INSERT INTO counters(name, value) VALUES('dropped', %lld) "
             "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
             (long long)sp->dropped);
    if (spool_exec(sp, sql, err) < 0) return -1;
    sp->first_seq = query_int(sp, "SELECT COALESCE(MIN(seq), 0) FROM records");
    return 0;
}

/* Deletes the oldest records beyond max_records. Called inside the append transaction. */
static int enforce_bound(mdc_spool *sp, mdc_err *err)
{
    if (sp->max_records <= 0 || sp->first_seq == 0) return 0;
    return drop_oldest(sp, records_held(sp) - sp->max_records, err);
}

/* Bytes the spool's records take in its file (free pages not counted). */
static int64_t used_bytes(mdc_spool *sp)
{
    return query_int(sp, "PRAGMA page_size") *
           (query_int(sp, "PRAGMA page_count") - query_int(sp, "PRAGMA freelist_count"));
}

/* Free space on the spool's file system, looked up at most once a second. */
static int64_t disk_free(mdc_spool *sp)
{
    int64_t now = mdc_mono_us();
    if (now - sp->free_checked_us < MDC_US_PER_SEC && sp->free_checked_us) return sp->free_bytes;
    struct statvfs v;
    sp->free_bytes =
        statvfs(sp->path, &v) == 0 ? (int64_t)v.f_bavail * (int64_t)v.f_frsize : INT64_MAX;
    sp->free_checked_us = now;
    return sp->free_bytes;
}

/* Before n appends: keeps the spool within max_bytes and the file system above min_free by
 * dropping the oldest records (they are counted); refuses the appends when the disk is below
 * its reserve and the spool has nothing left to give back. */
static int make_room(mdc_spool *sp, int64_t n, mdc_err *err)
{
    int64_t held = records_held(sp);
    if (sp->max_bytes > 0 && held > 0) {
        int64_t used = used_bytes(sp);
        if (used > sp->max_bytes &&
            drop_oldest(sp, (used - sp->max_bytes) / (used / held + 1) + n, err) < 0)
            return -1;
    }
    if (sp->min_free <= 0) return 0;
    int64_t avail = disk_free(sp);
    if (avail >= sp->min_free) return 0;
    if (records_held(sp) > n) return drop_oldest(sp, n, err);
    return mdc_err_set(err, MDC_ENOSPC,
                       "spool: only %lld MB free on data_dir's file system, below "
                       "spool.min_free (%lld MB)",
                       (long long)(avail >> 20), (long long)(sp->min_free >> 20));
}

/* Commits a batch of queued appends in one transaction (called with sp->mu held). */
static int commit_batch(mdc_spool *sp, pending *batch, mdc_err *err)
{
    if (spool_exec(sp, "BEGIN IMMEDIATE", err) < 0) return -1;
    int64_t old_first = sp->first_seq, old_last = sp->last_seq, old_dropped = sp->dropped;
    int64_t n = 0;
    for (pending *p = batch; p; p = p->next)
        n++;
    if (make_room(sp, n, err) < 0) goto fail;
    batch->dropped = sp->dropped - old_dropped;
    for (pending *p = batch; p; p = p->next) {
        sqlite3_bind_blob(sp->ins, 1, p->enc->buf, (int)p->enc->len, SQLITE_STATIC);
        if (step_done(sp, sp->ins, err, "append") < 0) goto fail;
        p->rec->seq = sqlite3_last_insert_rowid(sp->db);
        if (p->key && p->state) {
            sqlite3_bind_text(sp->state_put, 1, p->key, -1, SQLITE_STATIC);
            sqlite3_bind_text(sp->state_put, 2, p->state, -1, SQLITE_STATIC);
            if (step_done(sp, sp->state_put, err, "save state") < 0) goto fail;
        }
        sp->last_seq = p->rec->seq;
        if (sp->first_seq == 0) sp->first_seq = p->rec->seq;
        int64_t before = sp->dropped;
        if (enforce_bound(sp, err) < 0) goto fail;
        p->dropped += sp->dropped - before;
    }
    if (spool_exec(sp, "COMMIT", err) == 0) return 0;
fail:
    spool_exec(sp, "ROLLBACK", NULL);
    sp->first_seq = old_first;
    sp->last_seq = old_last;
    sp->dropped = old_dropped;
    return -1;
}

static void *writer_main(void *arg)
{
    mdc_spool *sp = arg;
    pthread_mutex_lock(&sp->qmu);
    for (;;) {
        while (!sp->qhead && !sp->qstop)
            pthread_cond_wait(&sp->qcv, &sp->qmu);
        if (!sp->qhead) break;
        pending *batch = sp->qhead;
        sp->qhead = sp->qtail = NULL;
        pthread_mutex_unlock(&sp->qmu);

        mdc_err err = {0};
        pthread_mutex_lock(&sp->mu);
        int rc = commit_batch(sp, batch, &err);
        if (rc == 0) pthread_cond_broadcast(&sp->cv); /* sinks: new records */
        pthread_mutex_unlock(&sp->mu);

        pthread_mutex_lock(&sp->qmu);
        for (pending *p = batch; p; p = p->next) {
            p->rc = rc;
            if (rc < 0) *p->err = err;
            p->done = true;
        }
        pthread_cond_broadcast(&sp->donecv);
    }
    pthread_mutex_unlock(&sp->qmu);
    return NULL;
}

/* Queues the linked pendings first..last for the writer and waits until last is committed
 * (the writer takes the whole queue at once, so first..last go in one transaction). */
static void enqueue_and_wait(mdc_spool *sp, pending *first, pending *last)
{
    pthread_mutex_lock(&sp->qmu);
    if (sp->qtail)
        sp->qtail->next = first;
    else
        sp->qhead = first;
    sp->qtail = last;
    pthread_cond_signal(&sp->qcv);
    while (!last->done)
        pthread_cond_wait(&sp->donecv, &sp->qmu);
    pthread_mutex_unlock(&sp->qmu);
}

int mdc_spool_append(mdc_spool *sp, mdc_record *rec, const char *state_key, const char *state,
                     strbuf *enc, int64_t *dropped, mdc_err *err)
{
    strbuf local = STRBUF_INIT;
    mdc_err e = {0};
    pending p = {
        .rec = rec, .enc = enc ? enc : &local, .key = state_key, .state = state, .err = &e};
    sb_reset(p.enc);
    mdc_record_encode(rec, p.enc);
    enqueue_and_wait(sp, &p, &p);
    sb_free(&local);
    if (dropped) *dropped = p.dropped;
    if (p.rc < 0 && err) *err = e;
    return p.rc;
}

struct mdc_spool_ticket {
    pending *p;
    size_t n;
    mdc_err err;
};

mdc_spool_ticket *mdc_spool_append_start(mdc_spool *sp, mdc_spool_item *items, size_t n)
{
    mdc_spool_ticket *t = xcalloc(1, sizeof *t);
    t->n = n;
    if (n == 0) return t;
    t->p = xcalloc(n, sizeof *t->p);
    for (size_t i = 0; i < n; i++) {
        t->p[i] = (pending){.rec = items[i].rec,
                            .enc = items[i].enc,
                            .key = items[i].state_key,
                            .state = items[i].state,
                            .err = &t->err,
                            .next = i + 1 < n ? &t->p[i + 1] : NULL};
        sb_reset(t->p[i].enc);
        mdc_record_encode(t->p[i].rec, t->p[i].enc);
    }
    pthread_mutex_lock(&sp->qmu);
    if (sp->qtail)
        sp->qtail->next = &t->p[0];
    else
        sp->qhead = &t->p[0];
    sp->qtail = &t->p[n - 1];
    pthread_cond_signal(&sp->qcv);
    pthread_mutex_unlock(&sp->qmu);
    return t;
}

int mdc_spool_append_finish(mdc_spool *sp, mdc_spool_ticket *t, bool wait, int64_t *dropped,
                            mdc_err *err)
{
    if (dropped) *dropped = 0;
    int rc = 0;
    if (t->n > 0) {
        pending *last = &t->p[t->n - 1];
        pthread_mutex_lock(&sp->qmu);
        while (wait && !last->done)
            pthread_cond_wait(&sp->donecv, &sp->qmu);
        bool done = last->done;
        pthread_mutex_unlock(&sp->qmu);
        if (!done) return 1;
        rc = last->rc;
        for (size_t i = 0; dropped && i < t->n; i++)
            *dropped += t->p[i].dropped;
        if (rc < 0 && err) *err = t->err;
    }
    free(t->p);
    free(t);
    return rc;
}

int mdc_spool_append_batch(mdc_spool *sp, mdc_spool_item *items, size_t n, int64_t *dropped,
                           mdc_err *err)
{
    return mdc_spool_append_finish(sp, mdc_spool_append_start(sp, items, n), true, dropped, err);
}

int mdc_spool_get_state(mdc_spool *sp, const char *key, strbuf *out, mdc_err *err)
{
    pthread_mutex_lock(&sp->mu);
    sqlite3_bind_text(sp->state_get, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(sp->state_get), found = 0;
    if (rc == SQLITE_ROW) {
        sb_puts(out, (const char *)sqlite3_column_text(sp->state_get, 0));
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = spool_db_err(sp, err, "read state");
    }
    sqlite3_reset(sp->state_get);
    sqlite3_clear_bindings(sp->state_get);
    pthread_mutex_unlock(&sp->mu);
    return found;
}

static cursor *find_cursor(mdc_spool *sp, const char *sink)
{
    for (size_t i = 0; i < sp->ncursors; i++)
        if (strcmp(sp->cursors[i].sink, sink) == 0) return &sp->cursors[i];
    return NULL;
}

static int put_cursor(mdc_spool *sp, const char *sink, int64_t pos, mdc_err *err)
{
    sqlite3_bind_text(sp->cur_put, 1, sink, -1, SQLITE_STATIC);
    sqlite3_bind_int64(sp->cur_put, 2, pos);
    return step_done(sp, sp->cur_put, err, "save cursor");
}

int mdc_spool_cursor(mdc_spool *sp, const char *sink_id, int64_t at_least, int64_t *pos,
                     mdc_err *err)
{
    pthread_mutex_lock(&sp->mu);
    int rc = 0;
    cursor *c = find_cursor(sp, sink_id);
    if (!c) {
        sqlite3_stmt *st;
        int64_t p = -1;
        if (sqlite3_prepare_v2(sp->db, "SELECT seq FROM cursors WHERE sink = ?", -1, &st, NULL) ==
            SQLITE_OK) {
            sqlite3_bind_text(st, 1, sink_id, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW) p = sqlite3_column_int64(st, 0);
        }
        sqlite3_finalize(st);
        if (p < 0) /* a new sink starts at the tail */
            p = sp->last_seq;
        if (at_least > p) p = at_least;
        xgrow(&sp->cursors, &sp->capcursors, sp->ncursors + 1, sizeof *sp->cursors);
        c = &sp->cursors[sp->ncursors++];
        c->sink = xstrdup(sink_id);
        c->pos = p;
        rc = put_cursor(sp, sink_id, p, err);
    }
    *pos = c->pos;
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

/* One row of a read, copied out under sp->mu and decoded after it is released. */
typedef struct raw_row {
    int64_t seq;
    size_t off, len; /* the body in the read's buffer */
} raw_row;

/* Copies up to max rows after `after` (sp->mu held): only SQLite's step and a copy of each
 * body happen under the lock; decoding them (most of a read's time) does not. */
static int copy_rows_locked(mdc_spool *sp, int64_t after, size_t max, raw_row **rows, size_t *nrows,
                            strbuf *bodies, mdc_err *err)
{
    sqlite3_bind_int64(sp->read, 1, after);
    sqlite3_bind_int64(sp->read, 2, (sqlite3_int64)max);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(sp->read)) == SQLITE_ROW) {
        xgrow(rows, &cap, *nrows + 1, sizeof **rows);
        const void *blob = sqlite3_column_blob(sp->read, 1);
        size_t len = (size_t)sqlite3_column_bytes(sp->read, 1);
        (*rows)[(*nrows)++] =
            (raw_row){.seq = sqlite3_column_int64(sp->read, 0), .off = bodies->len, .len = len};
        if (len) sb_append(bodies, blob, len);
    }
    sqlite3_reset(sp->read);
    sqlite3_clear_bindings(sp->read);
    return rc == SQLITE_DONE ? 0 : spool_db_err(sp, err, "read");
}

/* Decodes the copied rows into records; an undecodable one is skipped and counted. */
static void decode_rows(const raw_row *rows, size_t nrows, const strbuf *bodies, mdc_record **recs,
                        size_t *n, size_t *corrupt)
{
    mdc_record *out = nrows ? xmalloc(nrows * sizeof *out) : NULL;
    size_t cnt = 0;
    for (size_t i = 0; i < nrows; i++) {
        const char *body = rows[i].len ? bodies->buf + rows[i].off : ""; /* buf: NULL if empty */
        if (mdc_record_decode((const unsigned char *)body, rows[i].len, &out[cnt], NULL) < 0) {
            if (corrupt) (*corrupt)++;
            continue;
        }
        out[cnt++].seq = rows[i].seq;
    }
    *recs = out;
    *n = cnt;
}

int mdc_spool_read(mdc_spool *sp, int64_t after, size_t max, mdc_record **recs, size_t *n,
                   size_t *corrupt, int64_t *last, mdc_err *err)
{
    *recs = NULL;
    *n = 0;
    raw_row *rows = NULL;
    size_t nrows = 0;
    strbuf bodies = STRBUF_INIT;
    pthread_mutex_lock(&sp->mu);
    int rc = copy_rows_locked(sp, after, max, &rows, &nrows, &bodies, err);
    pthread_mutex_unlock(&sp->mu);
    if (rc == 0) decode_rows(rows, nrows, &bodies, recs, n, corrupt);
    if (last) *last = rc == 0 && nrows ? rows[nrows - 1].seq : after;
    free(rows);
    sb_free(&bodies);
    return rc;
}

/* Deletes records that every registered sink has taken. */
static int trim_locked(mdc_spool *sp, mdc_err *err)
{
    if (sp->ncursors == 0 || sp->first_seq == 0) return 0;
    int64_t min = sp->cursors[0].pos;
    for (size_t i = 1; i < sp->ncursors; i++)
        if (sp->cursors[i].pos < min) min = sp->cursors[i].pos;
    if (min < sp->first_seq) return 0;
    char sql[96];
    snprintf(sql, sizeof sql, "DELETE FROM records WHERE seq <= %lld", (long long)min);
    if (spool_exec(sp, sql, err) < 0) return -1;
    sp->first_seq =
        min >= sp->last_seq ? 0 : query_int(sp, "SELECT COALESCE(MIN(seq), 0) FROM records");
    prune_gaps(sp);
    return 0;
}

int spool_advance_locked(mdc_spool *sp, const char *sink_id, int64_t seq, mdc_err *err)
{
    cursor *c = find_cursor(sp, sink_id);
    if (!c) return mdc_err_set(err, MDC_ESTATE, "spool: unknown sink %s", sink_id);
    if (seq <= c->pos) return 0;
    c->pos = seq;
    if (put_cursor(sp, sink_id, seq, err) < 0) return -1;
    return trim_locked(sp, err);
}

/* A cursor move and the trim it allows are one transaction that need not wait for the disk
 * even with synchronous=full: a move lost in a power cut only means those records are handed to
 * the sink again (database sinks skip what they have; others are at least once), and the next
 * synced append commits it with everything before it in the log. */
int mdc_spool_ack(mdc_spool *sp, const char *sink_id, int64_t seq, mdc_err *err)
{
    pthread_mutex_lock(&sp->mu);
    if (sp->sync_full) spool_exec(sp, "PRAGMA synchronous=NORMAL", NULL);
    int rc = spool_exec(sp, "BEGIN IMMEDIATE", err);
    if (rc == 0) rc = spool_advance_locked(sp, sink_id, seq, err);
    if (rc == 0) rc = spool_exec(sp, "COMMIT", err);
    if (rc < 0) spool_exec(sp, "ROLLBACK", NULL);
    if (sp->sync_full) spool_exec(sp, "PRAGMA synchronous=FULL", NULL);
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

bool mdc_spool_wait(mdc_spool *sp, int64_t after, int64_t timeout_us)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = ts.tv_nsec + (timeout_us % 1000000) * 1000;
    ts.tv_sec += timeout_us / 1000000 + ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    pthread_mutex_lock(&sp->mu);
    if (sp->last_seq <= after) pthread_cond_timedwait(&sp->cv, &sp->mu, &ts);
    bool ready = sp->last_seq > after;
    pthread_mutex_unlock(&sp->mu);
    return ready;
}

void mdc_spool_wake(mdc_spool *sp)
{
    pthread_mutex_lock(&sp->mu);
    pthread_cond_broadcast(&sp->cv);
    pthread_mutex_unlock(&sp->mu);
}

int mdc_spool_stats_get(mdc_spool *sp, mdc_spool_stats *st, mdc_err *err)
{
    (void)err;
    pthread_mutex_lock(&sp->mu);
    st->first_seq = sp->first_seq;
    st->last_seq = sp->last_seq;
    st->records = records_held(sp);
    st->dropped = sp->dropped;
    pthread_mutex_unlock(&sp->mu);
    return 0;
}

int64_t mdc_spool_backlog(mdc_spool *sp, const char *sink_id)
{
    pthread_mutex_lock(&sp->mu);
    cursor *c = find_cursor(sp, sink_id);
    int64_t n = 0;
    if (c && sp->first_seq)
        n = count_range(sp, c->pos > sp->first_seq - 1 ? c->pos : sp->first_seq - 1, sp->last_seq);
    pthread_mutex_unlock(&sp->mu);
    return n;
}

int mdc_spool_cursors(mdc_spool *sp, char ***ids, int64_t **backlogs, size_t *n, mdc_err *err)
{
    *ids = NULL;
    *backlogs = NULL;
    *n = 0;
    size_t cap = 0, capb = 0;
    sqlite3_stmt *st;
    pthread_mutex_lock(&sp->mu);
    int rc =
        sqlite3_prepare_v2(sp->db, "SELECT sink, seq FROM cursors ORDER BY sink", -1, &st, NULL);
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        xgrow(ids, &cap, *n + 1, sizeof **ids);
        xgrow(backlogs, &capb, *n + 1, sizeof **backlogs);
        const unsigned char *name = sqlite3_column_text(st, 0);
        int64_t pos = sqlite3_column_int64(st, 1);
        (*ids)[*n] = xstrdup(name ? (const char *)name : "");
        (*backlogs)[*n] =
            sp->first_seq
                ? count_range(sp, pos > sp->first_seq - 1 ? pos : sp->first_seq - 1, sp->last_seq)
                : 0;
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK) spool_db_err(sp, err, "read cursors");
    pthread_mutex_unlock(&sp->mu);
    return rc == SQLITE_OK ? 0 : -1;
}
