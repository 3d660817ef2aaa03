/* spool.c — see spool.h. One SQLite connection guarded by a mutex (a single writer never meets
 * SQLITE_BUSY). Appends go through one writer thread that commits whatever has queued up in one
 * transaction (group commit): callers still block until their record is durable, but a thousand
 * devices polling at once cost a few commits, not a thousand, and SQLite's deep call stacks stay
 * on one thread instead of every bus thread. */
#include "spool.h"
#include "record_codec.h"
#include "xalloc.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct pending {
    struct pending *next;
    mdc_record *rec;
    strbuf *enc;
    const char *key, *state;
    int64_t dropped;
    int rc;
    bool done;
    mdc_err err;
} pending;

typedef struct cursor {
    char *sink;
    int64_t pos;
} cursor;

struct mdc_spool {
    sqlite3 *db;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t max_records;
    int64_t first_seq, last_seq; /* cached bounds of the records table (0 when empty) */
    int64_t dropped;
    uint64_t epoch;
    cursor *cursors;
    size_t ncursors, capcursors;
    sqlite3_stmt *ins, *state_put, *state_get, *read, *cur_put;
    /* the append queue, served by the writer thread */
    pthread_mutex_t qmu;
    pthread_cond_t qcv;    /* work for the writer */
    pthread_cond_t donecv; /* batches committed */
    pending *qhead, *qtail;
    bool qstop;
    pthread_t writer;
    bool writer_started;
};

static void *writer_main(void *arg);

static const char *const schema =
    "CREATE TABLE IF NOT EXISTS records(seq INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS cursors(sink TEXT PRIMARY KEY, seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);";

static int db_err(mdc_spool *sp, mdc_err *err, const char *what)
{
    return mdc_err_set(err, MDC_EIO, "spool: %s: %s", what, sqlite3_errmsg(sp->db));
}

static int exec(mdc_spool *sp, const char *sql, mdc_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(sp->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        mdc_err_set(err, MDC_EIO, "spool: %s", msg ? msg : "sqlite error");
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
            return db_err(sp, err, "prepare");
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
    return exec(sp, sql, err);
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
    if (sqlite3_open_v2(path, &sp->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        mdc_err_set(err, MDC_EIO, "cannot open spool %s: %s", path,
                    sp->db ? sqlite3_errmsg(sp->db) : "out of memory");
        mdc_spool_close(sp);
        return -1;
    }
    sqlite3_busy_timeout(sp->db, 10000);
    const char *sync =
        opts && opts->fsync ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
    /* A queue touches only its two ends: a small page cache (512 KiB, not 2 MiB) is enough. */
    if (exec(sp, "PRAGMA journal_mode=WAL; PRAGMA cache_size=-512;", err) < 0 ||
        exec(sp, sync, err) < 0 || exec(sp, schema, err) < 0 || prepare(sp, err) < 0) {
        mdc_err_prefix(err, "spool %s", path);
        mdc_spool_close(sp);
        return -1;
    }
    sp->first_seq = query_int(sp, "SELECT COALESCE(MIN(seq), 0) FROM records");
    sp->last_seq = query_int(sp, "SELECT COALESCE(MAX(seq), 0) FROM records");
    if (sp->last_seq == 0) /* empty: the next seq continues from the highest ever used */
        sp->last_seq = query_int(sp, "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence "
                                     "WHERE name = 'records'");
    sp->dropped =
        query_int(sp, "SELECT COALESCE(MAX(value), 0) FROM counters WHERE name = 'dropped'");
    if (load_epoch(sp, err) < 0) {
        mdc_spool_close(sp);
        return -1;
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
    pthread_cond_destroy(&sp->cv);
    pthread_mutex_destroy(&sp->mu);
    free(sp);
}

static int step_done(mdc_spool *sp, sqlite3_stmt *st, mdc_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) return db_err(sp, err, what);
    return 0;
}

/* Deletes the oldest records beyond max_records. Called inside the append transaction. */
static int enforce_bound(mdc_spool *sp, int64_t *dropped, mdc_err *err)
{
    if (sp->max_records <= 0 || sp->first_seq == 0) return 0;
    int64_t count = sp->last_seq - sp->first_seq + 1;
    if (count <= sp->max_records) return 0;
    int64_t cut = sp->last_seq - sp->max_records; /* keep (cut, last] */
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM records WHERE seq <= %lld", (long long)cut);
    if (exec(sp, sql, err) < 0) return -1;
    int64_t n = sqlite3_changes(sp->db);
    sp->dropped += n;
    snprintf(sql, sizeof sql,
             "INSERT INTO counters(name, value) VALUES('dropped', %lld) "
             "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
             (long long)sp->dropped);
    if (exec(sp, sql, err) < 0) return -1;
    sp->first_seq = cut + 1;
    if (dropped) *dropped += n;
    return 0;
}

/* Commits a batch of queued appends in one transaction (called with sp->mu held). */
static int commit_batch(mdc_spool *sp, pending *batch, mdc_err *err)
{
    if (exec(sp, "BEGIN IMMEDIATE", err) < 0) return -1;
    int64_t old_first = sp->first_seq, old_last = sp->last_seq, old_dropped = sp->dropped;
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
        if (enforce_bound(sp, NULL, err) < 0) goto fail;
        p->dropped = sp->dropped - before;
    }
    if (exec(sp, "COMMIT", err) == 0) return 0;
fail:
    exec(sp, "ROLLBACK", NULL);
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
            if (rc < 0) p->err = err;
            p->done = true;
        }
        pthread_cond_broadcast(&sp->donecv);
    }
    pthread_mutex_unlock(&sp->qmu);
    return NULL;
}

int mdc_spool_append(mdc_spool *sp, mdc_record *rec, const char *state_key, const char *state,
                     strbuf *enc, int64_t *dropped, mdc_err *err)
{
    strbuf local = STRBUF_INIT;
    pending p = {.rec = rec, .enc = enc ? enc : &local, .key = state_key, .state = state};
    sb_reset(p.enc);
    mdc_record_encode(rec, p.enc);
    pthread_mutex_lock(&sp->qmu);
    if (sp->qtail)
        sp->qtail->next = &p;
    else
        sp->qhead = &p;
    sp->qtail = &p;
    pthread_cond_signal(&sp->qcv);
    while (!p.done)
        pthread_cond_wait(&sp->donecv, &sp->qmu);
    pthread_mutex_unlock(&sp->qmu);
    sb_free(&local);
    if (dropped) *dropped = p.dropped;
    if (p.rc < 0 && err) *err = p.err;
    return p.rc;
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
        found = db_err(sp, err, "read state");
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

static int read_locked(mdc_spool *sp, int64_t after, size_t max, mdc_record **recs, size_t *n,
                       size_t *corrupt, mdc_err *err)
{
    sqlite3_bind_int64(sp->read, 1, after);
    sqlite3_bind_int64(sp->read, 2, (sqlite3_int64)max);
    mdc_record *out = NULL;
    size_t cnt = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(sp->read)) == SQLITE_ROW) {
        xgrow(&out, &cap, cnt + 1, sizeof *out);
        const void *blob = sqlite3_column_blob(sp->read, 1);
        int len = sqlite3_column_bytes(sp->read, 1);
        if (mdc_record_decode(blob, (size_t)len, &out[cnt], NULL) < 0) {
            if (corrupt) (*corrupt)++;
            continue;
        }
        out[cnt++].seq = sqlite3_column_int64(sp->read, 0);
    }
    sqlite3_reset(sp->read);
    sqlite3_clear_bindings(sp->read);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < cnt; i++)
            mdc_record_free(&out[i]);
        free(out);
        return db_err(sp, err, "read");
    }
    *recs = out;
    *n = cnt;
    return 0;
}

int mdc_spool_read(mdc_spool *sp, int64_t after, size_t max, mdc_record **recs, size_t *n,
                   size_t *corrupt, mdc_err *err)
{
    *recs = NULL;
    *n = 0;
    pthread_mutex_lock(&sp->mu);
    int rc = read_locked(sp, after, max, recs, n, corrupt, err);
    pthread_mutex_unlock(&sp->mu);
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
    if (exec(sp, sql, err) < 0) return -1;
    sp->first_seq = min >= sp->last_seq ? 0 : min + 1;
    return 0;
}

int mdc_spool_ack(mdc_spool *sp, const char *sink_id, int64_t seq, mdc_err *err)
{
    pthread_mutex_lock(&sp->mu);
    int rc = 0;
    cursor *c = find_cursor(sp, sink_id);
    if (!c) {
        rc = mdc_err_set(err, MDC_ESTATE, "spool: unknown sink %s", sink_id);
    } else if (seq > c->pos) {
        c->pos = seq;
        rc = put_cursor(sp, sink_id, seq, err);
        if (rc == 0) rc = trim_locked(sp, err);
    }
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
    st->records = sp->first_seq ? sp->last_seq - sp->first_seq + 1 : 0;
    st->dropped = sp->dropped;
    pthread_mutex_unlock(&sp->mu);
    return 0;
}

int64_t mdc_spool_backlog(mdc_spool *sp, const char *sink_id)
{
    pthread_mutex_lock(&sp->mu);
    cursor *c = find_cursor(sp, sink_id);
    int64_t n = c ? sp->last_seq - c->pos : 0;
    pthread_mutex_unlock(&sp->mu);
    return n < 0 ? 0 : n;
}
