/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres.h — the "postgres" sink (libpq), in two flavours:
 *
 *   schema "mdc"    the embedded store's tables (store/store.h) in the PostgreSQL schema
 *                   `pg_schema` (default "mdc"), created and migrated by numbered, idempotent
 *                   migrations; each batch is one transaction: a binary COPY for samples,
 *                   then one pipeline of array-parameter inserts and upserts for the others.
 *   schema "belmc"  BELmc's `ems` and `production` tables (research/belmc.md §2), written by
 *                   BELmc's collector rules with its bugs fixed (sink_postgres_belmc.c); only
 *                   the devices listed in `ems_devices` / `production_devices` are written.
 *
 * Both record the last spool sequence number they committed in `pg_schema`.sink_state(sink,
 * epoch, last_seq), in the same transaction as the rows: a batch replayed after a crash, a lost
 * COMMIT reply or a reconnect never duplicates a row. A record PostgreSQL refuses for good (data
 * exception, constraint violation) is isolated by bisection: the records before it are
 * committed, it is reported rejected ("data" or "constraint") and marked in sink_rejected, so
 * that a later retry of it writes it once (sink_postgres_batch.c).
 *
 * Connection: a libpq conninfo string or URI, then the separate keys (which override it); what
 * is still missing comes from the PG* environment variables, ~/.pgpass and libpq's defaults.
 * Passwords never appear in the sink id or in error messages (libpq's messages are masked).
 * open() fails within connect_timeout with a message naming host, port, database and user;
 * write() fails when the connection is lost, so the runtime closes, backs off and reopens.
 */
#ifndef MDC_SINK_POSTGRES_H
#define MDC_SINK_POSTGRES_H

#include "core/config.h"
#include "core/tz.h"
#include "sinks/sink.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { MDC_PG_MDC = 0, MDC_PG_BELMC = 1 } mdc_pg_flavour;

/* Connection settings; NULL = not given. */
typedef struct mdc_pg_conn_cfg {
    const char *conninfo; /* "host=... dbname=..." or "postgresql://..." */
    const char *host, *port, *dbname, *user, *password, *sslmode;
    int64_t connect_timeout_s; /* 0: libpq's (none); the sink config defaults to 10 */
} mdc_pg_conn_cfg;

/* Which devices feed which BELmc tables (device ids; records carry the machine number). */
typedef struct mdc_pg_belmc_cfg {
    const char *const *ems_devices; /* ems.* tables */
    size_t n_ems;
    const char *const *production_devices; /* production.machine_raw*, shift_summary, downtimes */
    size_t n_production;
    const char *const *close_downtime_devices; /* PRODUCTION closes the open downtime */
    size_t n_close_downtime;
    /* seeds written when the tables are empty */
    const int64_t *machines; /* config_info rows (the configured machine numbers) */
    size_t n_machines;
    const int *shift_ids; /* shift_info rows, in order; ends at the next start */
    const int *shift_starts_min;
    size_t n_shifts;
    /* the daily energy rollover labels the closed day with this local time (BELmc: 06:00) */
    int history_time_min;
} mdc_pg_belmc_cfg;

typedef struct mdc_postgres_sink_cfg {
    mdc_pg_flavour flavour;
    mdc_pg_conn_cfg conn;
    const char *pg_schema; /* mdc's own tables (and sink_state); default "mdc" */
    const char *timezone;  /* IANA name for BELmc's naive local timestamps; default UTC */
    mdc_pg_belmc_cfg belmc;
    /* Several mdc instances writing into one database: the instance's name (NULL: none) keys
     * its delivery position ("INSTANCE/mdc") and its claims. `claims` are what this sink
     * writes ("device:ID" for schema mdc, "ems:N" and "production:N" machine numbers for
     * belmc); open() records them in pg_schema.owners and fails, naming the other instance,
     * when another instance holds one (two writers of the same rows); claims of this instance
     * that its configuration no longer has are released. */
    const char *instance;
    const char *const *claims;
    size_t nclaims;
} mdc_postgres_sink_cfg;

/* Checks the settings (schema name, time zone) and builds the sink; everything is copied.
 * No I/O: the connection is made by open(). */
int mdc_sink_postgres_new(const mdc_postgres_sink_cfg *cfg, mdc_sink **out, mdc_err *err);

/* Parses a {"type": "postgres", ...} object (docs/configuration.md): the device lists are
 * checked against cfg's devices, the time zone defaults to cfg's, the BELmc seeds come from
 * cfg's shifts and the listed devices' machine numbers. */
/* Its keys (core/keys.h). */
struct mdc_keyset;
extern const struct mdc_keyset mdc_postgres_keyset;

int mdc_sink_postgres_from_config(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                                  mdc_err *err);

/* The PostgreSQL identifier rule this sink accepts for pg_schema: [a-z_][a-z0-9_]{0,62}. */
int mdc_pg_check_identifier(const char *name, mdc_err *err);

/* Seconds of time in each status (0 OFF, 1 ON, 2 PRODUCTION) between a shift's start and `end`
 * (seconds after it), from status rows at times t[i] (seconds after the start, ascending; the
 * first may be before the start). Each row's status lasts until the next row; time before the
 * first row is not counted. Exposed for tests. */
void mdc_pg_status_durations(const double *t, const int *status, size_t n, double end,
                             double out[3]);
/* "HH:MM:SS" of whole seconds, for PostgreSQL's time type: clamped to 00:00:00..24:00:00. */
void mdc_pg_format_duration(double seconds, char *buf, size_t n);

#endif
