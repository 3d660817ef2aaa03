/* SPDX-License-Identifier: Apache-2.0 */
/* store.h — the embedded store: one SQLite file (default data_dir/mdc.db) holding what mdc
 * collected, written by the store sink and read by the HTTP history API. The only place that
 * knows its schema.
 *
 * Tables (created and migrated by numbered migrations, never destructively):
 *   devices(id, machine_id, first_seen, last_seen)
 *   samples(device, ts, name, value, error)          long format, one row per value
 *   live(device, ts, status, error, record)          the latest record per device (JSON)
 *   status_history(device, ts, status, previous, error)   a row on each status change
 *   shift_energy(device, shift_start, shift, energy_kwh, parts, closed, updated)
 *   part_events(device, ts, count)
 *   sink_state(sink, epoch, last_seq)                delivery position, same transaction
 * Timestamps are ISO 8601 UTC text ("2026-11-22T06:00:05.123456+00:00"), so rows sort by time.
 *
 * Writing: one mdc_store per writer thread (not thread-safe). Each batch is one transaction
 * that also records the last spool sequence number under the writer's name, so a replay after
 * a crash never duplicates a row. Reading: the history functions open their own read-only
 * connection per call and may run in any thread beside a writer.
 */
#ifndef MDC_STORE_H
#define MDC_STORE_H

#include "core/err.h"
#include "core/record.h"
#include "core/strbuf.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mdc_store mdc_store;

/* Opens (creating and migrating) the store at path for writing. sync_full: every commit is on
 * disk when mdc_store_write returns (use it when the spool's synchronous is full); else a
 * power cut may lose the last commits (never corrupts). */
int mdc_store_open(const char *path, bool sync_full, mdc_store **out, mdc_err *err);
/* NULL-safe. */
void mdc_store_close(mdc_store *st);

/* The last spool sequence number committed under `writer` for this spool epoch, or -1. */
int64_t mdc_store_committed_seq(mdc_store *st, const char *writer, uint64_t epoch);
/* Writes records in one transaction and records (epoch, highest seq) under `writer`. Records
 * whose seq is at or below what was committed before are skipped (never written twice).
 * Returns 0 with *written = n, or -1: when one record's data is refused (too big, a
 * constraint), the records before it are committed (*written) and *refused is set; otherwise
 * nothing was written (the store failed: full disk, I/O). */
int mdc_store_write(mdc_store *st, const char *writer, uint64_t epoch,
                    const mdc_record *const *recs, size_t n, size_t *written, bool *refused,
                    mdc_err *err);

/* Retention: deletes rows older than the cutoffs (UTC us; <= 0: keep) — samples, and the history
 * tables (status_history, part_events, shift_energy) — at most about `chunk` rows per table per
 * call, so no call holds the store for long. Call again while *deleted > 0. */
int mdc_store_prune(mdc_store *st, int64_t samples_before_us, int64_t history_before_us,
                    int64_t chunk, int64_t *deleted, mdc_err *err);

/* Creates or migrates the schema in an open database (used by the store and by tools). */
int mdc_store_migrate(sqlite3 *db, mdc_err *err);
/* The schema version this build writes. */
int mdc_store_schema_version(void);

/* ---- reading (HTTP history API) ----
 * history: {"device", "from", "to", "records": [{"timestamp", field: value, ...,
 *           "errors": {...} when any}], "truncated": bool, "next": timestamp (when truncated),
 *           "status_changes": [{"timestamp", "status", "previous", "error"}]}
 *   records are rebuilt from the `records` rows, oldest first, at most `limit`.
 * shifts:  {"device", "from", "to", "shifts": [{"shift_start", "shift", "energy_kwh", "parts",
 *           "closed"}]} — shifts that started in [from, to), oldest first.
 * Each returns 0 with the JSON body appended to out, or -1 with err (cannot be read). */
int mdc_store_history(const char *path, const char *device, int64_t from_us, int64_t to_us,
                      int64_t limit, strbuf *out, mdc_err *err);
int mdc_store_shifts(const char *path, const char *device, int64_t from_us, int64_t to_us,
                     strbuf *out, mdc_err *err);

/* ---- aggregates (the dashboard; store_aggregate.c) ----
 * series:   {"device", "from", "to", "point", "step_seconds", "buckets": [{"t", "avg", "min",
 *           "max", "n"}]} — the numeric samples of `point` in [from, to), per bucket of
 *           step_us starting at `from` (whole seconds); empty buckets are left out.
 * timeline: {"device", "from", "to", "segments": [{"from", "to", "state"}], "seconds": {"OFF",
 *           "ON", "PRODUCTION", "UNREACHABLE", "UNKNOWN"}} — the states from status_history
 *           (an error makes UNREACHABLE; UNKNOWN before the first row), over [from,
 *           min(to, now)); at most 10000 changes.
 * energy_since: the energy of every device's shifts that started at or after since (kWh).
 * The caller bounds the span: the work is proportional to the rows in it. */
int mdc_store_series(const char *path, const char *device, const char *point, int64_t from_us,
                     int64_t to_us, int64_t step_us, strbuf *out, mdc_err *err);
int mdc_store_timeline(const char *path, const char *device, int64_t from_us, int64_t to_us,
                       int64_t now_us, strbuf *out, mdc_err *err);
int mdc_store_energy_since(const char *path, int64_t since_us, double *kwh, mdc_err *err);

#endif
