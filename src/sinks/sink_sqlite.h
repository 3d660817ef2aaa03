/* sink_sqlite.h — the embedded store (default sink): data_dir/mdc.db.
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
 * Each batch is one transaction that also records the last spool sequence number: a replay
 * after a crash never duplicates a row.
 */
#ifndef MDC_SINK_SQLITE_H
#define MDC_SINK_SQLITE_H

#include "sinks/sink.h"

#include <sqlite3.h>

typedef struct mdc_sqlite_sink_cfg {
    char *path;
} mdc_sqlite_sink_cfg;

mdc_sink *mdc_sink_sqlite_new(const mdc_sqlite_sink_cfg *cfg);

/* Creates or migrates the schema in an open database (used by the sink and by tools). */
int mdc_sqlite_migrate(sqlite3 *db, mdc_err *err);
/* The schema version this build writes. */
int mdc_sqlite_schema_version(void);

#endif
