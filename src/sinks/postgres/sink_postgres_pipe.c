/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_pipe.c — libpq's pipeline mode (PostgreSQL 14+ client): a batch's statements
 * after its COPY (status rows, upserts, the position, COMMIT) go out together and their results
 * come back together, one round trip instead of one per statement. After an error the server
 * skips the rest up to the sync point, so the first error is the one reported. */
#include "sink_postgres_internal.h"

int pg_pipe_begin(pg_sink *k, mdc_err *err)
{
    if (k->piping) return 0;
    if (PQenterPipelineMode(k->conn) != 1) return pg_fail(k, NULL, err, "pipeline failed");
    k->piping = true;
    k->npiped = 0;
    if (!k->pending) return 0;
    const char *first = k->pending;
    k->pending = NULL;
    return pg_pipe_send(k, first, 0, NULL, NULL, NULL, err);
}

int pg_pipe_send(pg_sink *k, const char *sql, int n, const char *const *vals, const int *lens,
                 const int *fmts, mdc_err *err)
{
    if (pg_pipe_begin(k, err) < 0) return -1;
    if (PQsendQueryParams(k->conn, sql, n, NULL, vals, lens, fmts, 0) != 1)
        return pg_fail(k, NULL, err, "query failed");
    k->npiped++;
    return 0;
}

/* Reads results up to the sync point; returns the first error (0 if none). */
static int collect(pg_sink *k, mdc_err *err)
{
    int rc = 0, nulls = 0;
    for (;;) {
        PGresult *res = PQgetResult(k->conn);
        if (!res) {
            /* one NULL ends each statement's results; more means the sync never comes */
            if (PQstatus(k->conn) != CONNECTION_OK || ++nulls > k->npiped + 1)
                return rc ? rc : pg_fail(k, NULL, err, "query failed");
            continue;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            return rc;
        }
        if (st == PGRES_FATAL_ERROR && rc == 0) {
            rc = pg_fail(k, res, err, "query failed");
            continue;
        }
        PQclear(res);
    }
}

int pg_pipe_end(pg_sink *k, mdc_err *err)
{
    if (!k->piping) return 0;
    k->piping = false;
    int rc = PQpipelineSync(k->conn) == 1 ? collect(k, err) : pg_fail(k, NULL, err, "query failed");
    if (PQexitPipelineMode(k->conn) != 1 && rc == 0) rc = pg_fail(k, NULL, err, "query failed");
    return rc;
}
