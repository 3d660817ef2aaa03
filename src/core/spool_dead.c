/* SPDX-License-Identifier: Apache-2.0 */
/* spool_dead.c — the dead-letter table of the spool (spool.h). */
#include "spool_internal.h"
#include "clock.h"
#include "record_codec.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mdc_dead_letter_free(mdc_dead_letter *d)
{
    if (!d) return;
    free(d->sink);
    free(d->reason);
    free(d->error);
    mdc_record_free(&d->rec);
}

static int step_done(mdc_spool *sp, sqlite3_stmt *st, mdc_err *err, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : spool_db_err(sp, err, what);
}

static int insert_dead(mdc_spool *sp, const char *sink_id, const mdc_record *rec,
                       const char *reason, const char *error, int64_t tries, mdc_err *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sp->db,
                           "INSERT INTO dead_letters(sink, seq, body, reason, error, tries, "
                           "failed_at) VALUES(?, ?, ?, ?, ?, ?, ?)",
                           -1, &st, NULL) != SQLITE_OK)
        return spool_db_err(sp, err, "store a dead letter");
    strbuf body = STRBUF_INIT;
    mdc_record_encode(rec, &body);
    sqlite3_bind_text(st, 1, sink_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, rec->seq);
    sqlite3_bind_blob(st, 3, body.buf, (int)body.len, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, reason ? reason : "rejected", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, error ? error : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, tries);
    sqlite3_bind_int64(st, 7, mdc_now_us());
    sb_free(&body);
    return step_done(sp, st, err, "store a dead letter");
}

int mdc_spool_dead_letter(mdc_spool *sp, const char *sink_id, const mdc_record *rec,
                          const char *reason, const char *error, int64_t tries, mdc_err *err)
{
    pthread_mutex_lock(&sp->mu);
    int rc = spool_exec(sp, "BEGIN IMMEDIATE", err);
    if (rc == 0) rc = insert_dead(sp, sink_id, rec, reason, error, tries, err);
    if (rc == 0) rc = spool_advance_locked(sp, sink_id, rec->seq, err);
    if (rc == 0) rc = spool_exec(sp, "COMMIT", err);
    if (rc < 0) spool_exec(sp, "ROLLBACK", NULL);
    pthread_mutex_unlock(&sp->mu);
    return rc;
}

static char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return xstrdup(t ? (const char *)t : "");
}

/* Fills d from a row (id, sink, seq, body, reason, error, tries, failed_at, retry). */
static int read_row(sqlite3_stmt *st, mdc_dead_letter *d)
{
    mdc_record_init(&d->rec);
    const void *blob = sqlite3_column_blob(st, 3);
    if (mdc_record_decode(blob, (size_t)sqlite3_column_bytes(st, 3), &d->rec, NULL) < 0) return -1;
    d->id = sqlite3_column_int64(st, 0);
    d->sink = column_text(st, 1);
    d->seq = d->rec.seq = sqlite3_column_int64(st, 2);
    d->reason = column_text(st, 4);
    d->error = column_text(st, 5);
    d->tries = sqlite3_column_int64(st, 6);
    d->failed_at_us = sqlite3_column_int64(st, 7);
    d->retry = sqlite3_column_int(st, 8) != 0;
    return 0;
}

int mdc_spool_dead_list(mdc_spool *sp, const char *sink_id, bool retry_only, size_t max,
                        mdc_dead_letter **out, size_t *n, mdc_err *err)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    pthread_mutex_lock(&sp->mu);
    if (sqlite3_prepare_v2(sp->db,
                           "SELECT id, sink, seq, body, reason, error, tries, failed_at, retry "
                           "FROM dead_letters WHERE (?1 IS NULL OR sink = ?1) AND (?2 = 0 OR "
                           "retry = 1) ORDER BY id LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        int rc = spool_db_err(sp, err, "read dead letters");
        pthread_mutex_unlock(&sp->mu);
        return rc;
    }
    if (sink_id) sqlite3_bind_text(st, 1, sink_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, retry_only);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        xgrow(out, &cap, *n + 1, sizeof **out);
        mdc_dead_letter *d = &(*out)[*n];
        memset(d, 0, sizeof *d);
        if (read_row(st, d) == 0)
            (*n)++;
        else
            mdc_dead_letter_free(d);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&sp->mu);
    return rc == SQLITE_DONE ? 0 : mdc_err_set(err, MDC_EIO, "spool: read dead letters failed");
}

int64_t mdc_spool_dead_count(mdc_spool *sp, const char *sink_id)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    pthread_mutex_lock(&sp->mu);
    if (sqlite3_prepare_v2(sp->db,
                           "SELECT count(*) FROM dead_letters WHERE ?1 IS NULL OR sink = ?1", -1,
                           &st, NULL) == SQLITE_OK) {
        if (sink_id) sqlite3_bind_text(st, 1, sink_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&sp->mu);
    return n;
}

/* Runs an UPDATE or DELETE on the selection (id > 0, else sink_id, else all). */
static int64_t on_selection(mdc_spool *sp, const char *verb, int64_t id, const char *sink_id,
                            mdc_err *err)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "%s WHERE (?1 > 0 AND id = ?1) OR (?1 <= 0 AND (?2 IS NULL OR "
             "sink = ?2))",
             verb);
    sqlite3_stmt *st;
    pthread_mutex_lock(&sp->mu);
    int64_t n = -1;
    if (sqlite3_prepare_v2(sp->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sink_id) sqlite3_bind_text(st, 2, sink_id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE) n = sqlite3_changes(sp->db);
    }
    if (n < 0) spool_db_err(sp, err, "change dead letters");
    sqlite3_finalize(st);
    pthread_mutex_unlock(&sp->mu);
    return n;
}

int64_t mdc_spool_dead_mark_retry(mdc_spool *sp, int64_t id, const char *sink_id, mdc_err *err)
{
    return on_selection(sp, "UPDATE dead_letters SET retry = 1", id, sink_id, err);
}

int64_t mdc_spool_dead_drop(mdc_spool *sp, int64_t id, const char *sink_id, mdc_err *err)
{
    return on_selection(sp, "DELETE FROM dead_letters", id, sink_id, err);
}

int mdc_spool_dead_settle(mdc_spool *sp, int64_t id, bool delivered, const char *reason,
                          const char *error, mdc_err *err)
{
    sqlite3_stmt *st;
    pthread_mutex_lock(&sp->mu);
    const char *sql = delivered ? "DELETE FROM dead_letters WHERE id = ?1"
                                : "UPDATE dead_letters SET retry = 0, tries = tries + 1, "
                                  "reason = ?2, error = ?3, failed_at = ?4 WHERE id = ?1";
    int rc = -1;
    if (sqlite3_prepare_v2(sp->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (!delivered) {
            sqlite3_bind_text(st, 2, reason ? reason : "rejected", -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, error ? error : "", -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 4, mdc_now_us());
        }
        rc = step_done(sp, st, err, "settle a dead letter");
    } else {
        rc = spool_db_err(sp, err, "settle a dead letter");
    }
    pthread_mutex_unlock(&sp->mu);
    return rc;
}
