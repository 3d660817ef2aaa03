/* sink_postgres_internal.h — shared by the sink_postgres*.c files:
 *   sink_postgres.c               the sink: open/write/committed_seq/close, sink_state
 *   sink_postgres_conn.c          connecting, clear errors, masking secrets, exec/COPY helpers
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

/* What differs between the flavours. */
typedef struct pg_writer_ops {
    /* After connecting: create/migrate tables, load caches. */
    int (*prepare)(pg_sink *k, mdc_err *err);
    /* Inside the batch's transaction; recs are the records not yet committed, in order. */
    int (*write)(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_err *err);
    /* The batch was committed (keep what it computed) or rolled back (forget it). */
    void (*done)(pg_sink *k, bool committed);
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
    /* delivery position */
    const char *state_key; /* sink_state.sink: "mdc" or "belmc" */
    bool has_epoch;
    uint64_t epoch;
    int64_t last_seq; /* committed for epoch; -1 unknown */
    const pg_writer_ops *ops;
    void *w;                /* the flavour's writer state */
    mdc_pg_belmc_cfg belmc; /* owned copies */
    strbuf sql;             /* scratch */
};

extern const pg_writer_ops pg_mdc_ops;
extern const pg_writer_ops pg_belmc_ops;

/* ---- sink_postgres_conn.c ---- */
/* Connects (k->conn) and sets the session up; on failure a clear, masked message. */
int pg_connect(pg_sink *k, mdc_err *err);
void pg_disconnect(pg_sink *k);
/* "host:port/dbname as user" from the settings and the environment (for ids and messages). */
void pg_describe_target(const pg_sink *k, strbuf *out);
/* Fills err with "what: <server message>" (masked; "connection lost" when it is), clears res
 * (may be NULL). Returns -1. */
int pg_fail(pg_sink *k, PGresult *res, mdc_err *err, const char *what);
/* Runs SQL without parameters (several statements allowed). */
int pg_exec(pg_sink *k, const char *sql, mdc_err *err);
/* Runs one statement with text parameters (NULL = SQL NULL). Returns the result (rows or
 * command OK) for the caller to PQclear, or NULL with err set. */
PGresult *pg_query(pg_sink *k, const char *sql, int n, const char *const *params, mdc_err *err);
/* Runs one statement for its side effect. */
int pg_run(pg_sink *k, const char *sql, int n, const char *const *params, mdc_err *err);
/* COPY ... FROM STDIN with the text-format rows in data (emptied). */
int pg_copy(pg_sink *k, const char *sql, strbuf *data, mdc_err *err);
/* The same in steps, to send rows while more are being formatted: put() sends and empties data
 * (on failure the COPY is aborted); end() finishes. */
int pg_copy_begin(pg_sink *k, const char *sql, mdc_err *err);
int pg_copy_put(pg_sink *k, strbuf *data, mdc_err *err);
int pg_copy_end(pg_sink *k, mdc_err *err);
/* Replaces every secret in text with "***". */
void pg_mask(const pg_sink *k, strbuf *text);
/* Appends s to a COPY text-format field (backslash escapes). */
void pg_copy_escape(strbuf *out, const char *s);

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
