/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_internal.h — shared by the sink_postgres*.c files:
 *   sink_postgres.c               the sink: settings, open/committed_seq/close
 *   sink_postgres_batch.c         write(): one transaction per batch, and after a failure that
 *                                 a record caused, bisection to commit what precedes it
 *   sink_postgres_state.c         the delivery position and the rejected records' marks
 *   sink_postgres_owners.c        several instances, one database: who writes which rows
 *   sink_postgres_conn.c          connecting, clear errors, masking secrets, exec/COPY helpers
 *   sink_postgres_pipe.c          pipeline mode: many statements, one round trip
 *   sink_postgres_bin.c           binary COPY tuples and array parameters
 *   sink_postgres_mdc_schema.c    mdc's own tables: numbered migrations
 *   sink_postgres_mdc.c           mdc's own tables: the batch writer
 *   sink_postgres_belmc_schema.c  BELmc's tables: DDL for missing ones, seeds
 *   sink_postgres_belmc.c         BELmc's write rules: EMS and production
 *   sink_postgres_shift.c         BELmc's shift_summary times
 */
#ifndef MDC_SINK_POSTGRES_INTERNAL_H
#define MDC_SINK_POSTGRES_INTERNAL_H

#include "sink_postgres.h"

#include "core/strbuf.h"

#include <libpq-fe.h>
#include <stdbool.h>

typedef struct pg_sink pg_sink;

/* What became of a writer's work: a chunk of records written (inside the transaction, or
 * under a savepoint) or undone; the transaction committed or rolled back. */
typedef enum { PG_CHUNK_OK, PG_CHUNK_FAILED, PG_COMMITTED, PG_ROLLED_BACK } pg_outcome;

/* What differs between the flavours. */
typedef struct pg_writer_ops {
    /* After connecting: create/migrate tables, load caches. */
    int (*prepare)(pg_sink *k, mdc_err *err);
    /* Writes a chunk of records (in order, none committed yet) inside the transaction. The
     * statement that opens it (BEGIN or SAVEPOINT) is deferred (pg_defer): the writer's first
     * statement carries it. The writer may leave statements queued in a pipeline
     * (pg_pipe_begin); the caller adds its own and collects every result. */
    int (*write)(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_err *err);
    /* Keep or forget what the chunk or transaction computed (caches of committed state). */
    void (*done)(pg_sink *k, pg_outcome what);
    void (*free)(pg_sink *k);
} pg_writer_ops;

struct pg_sink {
    mdc_pg_flavour flavour;
    /* connection settings (owned) */
    char *conninfo, *host, *port, *dbname, *user, *password, *sslmode;
    int64_t connect_timeout_s;
    char **secrets; /* strings masked in every message */
    size_t nsecrets;
    char *schema; /* pg_schema, a checked identifier */
    mdc_tz *tz;
    PGconn *conn;
    const char *pending; /* a statement to send before the next one (pg_defer); static */
    bool piping;         /* in pipeline mode (pg_pipe_begin) */
    int npiped;          /* statements sent in it */
    char sqlstate[6];    /* of the last server error ("" for none or a lost connection) */
    /* delivery position */
    char *state_key; /* sink_state.sink: "mdc" or "belmc", "INSTANCE/mdc" with an instance */
    bool has_epoch;
    uint64_t epoch;
    int64_t last_seq;  /* committed for epoch; -1 unknown */
    int64_t *rejected; /* sequence numbers at or below last_seq that are NOT committed: records */
    size_t nrejected;  /* this sink rejected (sorted; sink_rejected rows) */
    size_t caprejected;
    const pg_writer_ops *ops;
    void *w;                /* the flavour's writer state */
    mdc_pg_belmc_cfg belmc; /* owned copies */
    char *instance;         /* "" when none */
    char **claims;          /* "kind:key" */
    size_t nclaims;
    strbuf sql; /* scratch */
};

extern const pg_writer_ops pg_mdc_ops;
extern const pg_writer_ops pg_belmc_ops;

/* ---- sink_postgres_conn.c ---- */
/* Connects (k->conn) and sets the session up; on failure a clear, masked message. */
int pg_connect(pg_sink *k, mdc_err *err);
void pg_disconnect(pg_sink *k);
/* "host:port/dbname as user" from the settings and the environment (for ids and messages). */
void pg_describe_target(const pg_sink *k, strbuf *out);
/* Fills err with "what: <server message>" (masked; "connection lost" when it is) and
 * k->sqlstate, clears res (may be NULL). Returns -1. */
int pg_fail(pg_sink *k, PGresult *res, mdc_err *err, const char *what);
/* Makes sql (static: "BEGIN", "SAVEPOINT ...") run before the next statement, in the same round
 * trip where the protocol allows. */
void pg_defer(pg_sink *k, const char *sql);
/* Runs SQL without parameters (several statements allowed). */
int pg_exec(pg_sink *k, const char *sql, mdc_err *err);
/* Runs one statement with text parameters (NULL = SQL NULL). Returns the result (rows or
 * command OK) for the caller to PQclear, or NULL with err set. */
PGresult *pg_query(pg_sink *k, const char *sql, int n, const char *const *params, mdc_err *err);
/* Runs one statement for its side effect. */
int pg_run(pg_sink *k, const char *sql, int n, const char *const *params, mdc_err *err);
/* COPY ... FROM STDIN in steps, to send rows while more are being formatted: put() sends and
 * empties data (on failure the COPY is aborted); send_end() ends the data, result() waits for
 * the server's outcome (the caller may work in between: the server is still inserting the last
 * rows). */
int pg_copy_begin(pg_sink *k, const char *sql, mdc_err *err);
int pg_copy_put(pg_sink *k, strbuf *data, mdc_err *err);
int pg_copy_send_end(pg_sink *k, mdc_err *err);
int pg_copy_result(pg_sink *k, mdc_err *err);
/* Replaces every secret in text with "***". */
void pg_mask(const pg_sink *k, strbuf *text);

/* ---- sink_postgres_pipe.c ---- */
/* Enters pipeline mode (a no-op when in it), sending a deferred statement first. */
int pg_pipe_begin(pg_sink *k, mdc_err *err);
/* Queues one statement; params as in PQexecParams (lens and fmts may be NULL: all text). */
int pg_pipe_send(pg_sink *k, const char *sql, int n, const char *const *vals, const int *lens,
                 const int *fmts, mdc_err *err);
/* Sends the queue, collects every result and leaves pipeline mode; the first error wins
 * (err may be NULL). A no-op outside pipeline mode. */
int pg_pipe_end(pg_sink *k, mdc_err *err);

/* ---- sink_postgres_bin.c: binary formats (append to b) ---- */
enum {
    PG_OID_BOOL = 16,
    PG_OID_INT8 = 20,
    PG_OID_INT4 = 23,
    PG_OID_TEXT = 25,
    PG_OID_FLOAT8 = 701,
    PG_OID_TIMESTAMPTZ = 1184,
    PG_OID_JSON = 114
};
void pgb_i16(strbuf *b, int v);
void pgb_i32(strbuf *b, int32_t v);
/* Fields: a length, then the value. */
void pgb_null(strbuf *b);
void pgb_int4(strbuf *b, int32_t v);
void pgb_int8(strbuf *b, int64_t v);
void pgb_float8(strbuf *b, double d);
void pgb_timestamptz(strbuf *b, int64_t unix_us);
void pgb_text(strbuf *b, const char *s);            /* NULL: SQL NULL; made valid UTF-8 */
void pgb_bytes(strbuf *b, const char *s, size_t n); /* n bytes of valid UTF-8 (text, json) */
void pgb_copy_header(strbuf *b);
void pgb_copy_trailer(strbuf *b);
/* A one-dimensional array parameter: start, one field per element (pga_next(a) is where to
 * append it, pga_null for NULL), finish; then a->data is the value (binary format). */
typedef struct pg_array {
    strbuf data;
    uint32_t oid;
    int32_t n;
    bool has_null;
} pg_array;
void pga_start(pg_array *a, uint32_t elem_oid);
strbuf *pga_next(pg_array *a);
void pga_null(pg_array *a);
void pga_finish(pg_array *a);
void pga_free(pg_array *a);

/* ---- sink_postgres_state.c ---- */
/* Loads last_seq and the rejected marks of (state_key, epoch). */
int pg_load_position(pg_sink *k, mdc_err *err);
/* Queues (pipeline) the position `last`, the removal of the marks of the written records and
 * a mark for `rejected` (NULL: none). */
int pg_queue_position(pg_sink *k, int64_t last, const mdc_record *const *written, size_t n,
                      const mdc_record *rejected, mdc_err *err);
/* After the commit: the same in memory. */
void pg_apply_position(pg_sink *k, int64_t last, const mdc_record *const *written, size_t n,
                       const mdc_record *rejected);
/* Whether seq is marked rejected (not committed although at or below last_seq). */
bool pg_is_rejected(const pg_sink *k, int64_t seq);

/* ---- sink_postgres_owners.c ---- */
/* Records this instance's claims in pg_schema.owners; fails when another instance holds one. */
int pg_claim(pg_sink *k, mdc_err *err);

/* ---- sink_postgres_batch.c ---- */
int pg_write_batch(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                   mdc_err *err);

/* ---- sink_postgres_mdc_schema.c ---- */
int pg_mdc_migrate(pg_sink *k, mdc_err *err);
int pg_mdc_schema_version(void);
/* The sink_state table in k->schema (both flavours). */
int pg_create_sink_state(pg_sink *k, mdc_err *err);

/* ---- sink_postgres_belmc_schema.c ---- */
/* Creates missing ems/production tables, seeds them when empty; *status_history_unique says
 * whether ems.ems_machine_status_history has BELmc's UNIQUE(machine_id). */
int pg_belmc_schema(pg_sink *k, bool *status_history_unique, mdc_err *err);

/* ---- sink_postgres_shift.c ---- */
/* Recomputes production.shift_summary's off/idle/production times of one machine and shift
 * up to `ts` (naive local timestamps; end_s = ts - shift_start in seconds). */
int pg_belmc_shift_summary(pg_sink *k, int64_t machine, int shift, const char *shift_start,
                           const char *ts, double end_s, mdc_err *err);

/* ---- helpers shared by the writers ---- */
/* Naive local "YYYY-MM-DD HH:MM:SS.ffffff" of a UTC instant in k->tz. */
void pg_local_ts(const pg_sink *k, int64_t t_us, char *buf, size_t n);

#endif
