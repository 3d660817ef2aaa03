/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_batch.c — write(): a batch is one transaction with the delivery position
 * (the fast path: BEGIN rides on the first statement, the position and COMMIT on the last
 * pipeline). When PostgreSQL refuses the batch because of what a record holds (a data
 * exception, a constraint violation, a value too big for an index), the batch is bisected in a
 * new transaction under savepoints: every record before the first refused one is committed with
 * its position, the refused one is marked (sink_rejected) and reported rejected with its class
 * ("data" or "constraint"), and the runtime dead-letters it after spool.dead_letter_after
 * refusals. Everything else (connection lost, serialization failure, deadlock, admin shutdown,
 * disk full, too many connections, a missing table...) is temporary: nothing is committed and
 * the runtime retries. Only a failed batch pays for the isolation: about 2·log2(n) chunks. */
#include "sink_postgres_internal.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define SAVEPOINT "SAVEPOINT mdc_chunk"

/* The class of a failure that the record's content caused, or NULL when retrying may help. */
static const char *permanent_class(const pg_sink *k)
{
    const char *s = k->sqlstate;
    if (!k->conn || PQstatus(k->conn) != CONNECTION_OK || strlen(s) != 5) return NULL;
    if (strncmp(s, "22", 2) == 0) return "data";       /* data exception: out of range, bad text */
    if (strncmp(s, "23", 2) == 0) return "constraint"; /* not null, foreign key, unique, check */
    if (strcmp(s, "42804") == 0) return "data";        /* datatype mismatch */
    if (strcmp(s, "54000") == 0) return "data";        /* e.g. a value too big for an index */
    return NULL;
}

static void rollback(pg_sink *k)
{
    k->pending = NULL;
    if (k->conn && PQtransactionStatus(k->conn) != PQTRANS_IDLE)
        PQclear(PQexec(k->conn, "ROLLBACK"));
}

static int64_t max_seq(int64_t last, const mdc_record *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (recs[i]->seq > last) last = recs[i]->seq;
    return last;
}

/* Writes recs after `open_sql` and ends with `close_sql`, in one pipeline with the writer's own
 * statements. */
static int run_chunk(pg_sink *k, const mdc_record *const *recs, size_t n, const char *open_sql,
                     const char *close_sql, mdc_err *err)
{
    pg_defer(k, open_sql);
    int rc = k->ops->write(k, recs, n, err);
    if (rc == 0) rc = pg_pipe_send(k, close_sql, 0, NULL, NULL, NULL, err);
    int end = pg_pipe_end(k, rc == 0 ? err : NULL);
    if (rc == 0) rc = end;
    k->pending = NULL;
    if (k->ops->done) k->ops->done(k, rc == 0 ? PG_CHUNK_OK : PG_CHUNK_FAILED);
    return rc;
}

/* Commits the transaction with the position after `written` and a mark for `rejected`. */
static int commit(pg_sink *k, const mdc_record *const *written, size_t n,
                  const mdc_record *rejected, mdc_err *err)
{
    int64_t last = max_seq(k->last_seq, written, n);
    int rc = pg_pipe_begin(k, err);
    if (rc == 0) rc = pg_queue_position(k, last, written, n, rejected, err);
    if (rc == 0) rc = pg_pipe_send(k, "COMMIT", 0, NULL, NULL, NULL, err);
    int end = pg_pipe_end(k, rc == 0 ? err : NULL);
    if (rc == 0) rc = end;
    if (rc < 0) {
        rollback(k);
        if (k->ops->done) k->ops->done(k, PG_ROLLED_BACK);
        return -1;
    }
    if (k->ops->done) k->ops->done(k, PG_COMMITTED);
    pg_apply_position(k, last, written, n, rejected);
    return 0;
}

/* The fast path: the whole batch, the position and COMMIT. */
static int write_all(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    int64_t last = max_seq(k->last_seq, recs, n);
    pg_defer(k, "BEGIN");
    int rc = k->ops->write(k, recs, n, err);
    if (rc == 0) rc = pg_queue_position(k, last, recs, n, NULL, err);
    if (rc == 0) rc = pg_pipe_send(k, "COMMIT", 0, NULL, NULL, NULL, err);
    int end = pg_pipe_end(k, rc == 0 ? err : NULL);
    if (rc == 0) rc = end;
    if (k->ops->done) k->ops->done(k, rc == 0 ? PG_CHUNK_OK : PG_CHUNK_FAILED);
    if (rc < 0) {
        rollback(k);
        if (k->ops->done) k->ops->done(k, PG_ROLLED_BACK);
        return -1;
    }
    if (k->ops->done) k->ops->done(k, PG_COMMITTED);
    pg_apply_position(k, last, recs, n, NULL);
    return 0;
}

/* Bisection under savepoints: *bad is the index of the first record PostgreSQL refuses for
 * good (n when none does). Returns -1 on a temporary failure (the transaction is gone). */
static int find_refused(pg_sink *k, const mdc_record *const *recs, size_t n, size_t *bad,
                        const char **cls, mdc_err *err)
{
    size_t lo = 0, size = n > 1 ? (n + 1) / 2 : 1;
    mdc_err e = {0};
    while (lo < n) {
        size_t hi = lo + size < n ? lo + size : n;
        if (run_chunk(k, recs + lo, hi - lo, SAVEPOINT, "RELEASE " SAVEPOINT, &e) == 0) {
            lo = hi;
            continue;
        }
        *cls = permanent_class(k);
        if (!*cls || pg_exec(k, "ROLLBACK TO " SAVEPOINT, NULL) < 0) {
            *err = e;
            return -1;
        }
        if (hi - lo == 1) {
            *err = e;
            break;
        }
        size = (hi - lo) / 2;
    }
    *bad = lo;
    return 0;
}

/* After the fast path failed because of a record: commit what precedes it, report it. */
static int isolate(pg_sink *k, const mdc_record *const *todo, size_t m, mdc_sink_result *res,
                   size_t *delivered, mdc_err *err)
{
    size_t bad = m;
    const char *cls = NULL;
    if (pg_exec(k, "BEGIN", err) < 0 || find_refused(k, todo, m, &bad, &cls, err) < 0 ||
        commit(k, todo, bad, bad < m ? todo[bad] : NULL, err) < 0) {
        rollback(k);
        if (k->ops->done) k->ops->done(k, PG_ROLLED_BACK);
        return -1;
    }
    *delivered = bad;
    if (bad == m) return 0; /* the failure did not come back record by record */
    res->rejected = true;
    res->reason = cls;
    return -1;
}

int pg_write_batch(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err)
{
    if (!k->conn) return mdc_err_set(err, MDC_ESTATE, "postgres: not connected");
    /* records already committed (before a crash, a lost COMMIT reply) are skipped */
    const mdc_record **todo = xcalloc(n ? n : 1, sizeof *todo);
    size_t *index = xcalloc(n ? n : 1, sizeof *index), m = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i]->seq && recs[i]->seq <= k->last_seq && !pg_is_rejected(k, recs[i]->seq))
            continue;
        index[m] = i;
        todo[m++] = recs[i];
    }
    k->sqlstate[0] = '\0';
    int rc = m ? write_all(k, todo, m, err) : 0;
    size_t done = rc == 0 ? m : 0;
    if (rc < 0 && permanent_class(k)) rc = isolate(k, todo, m, res, &done, err);
    res->delivered = done < m ? index[done] : n;
    free(todo);
    free(index);
    return rc;
}
