/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_belmc.c — BELmc's write rules (research/belmc.md §2, §4–§8) for the records of
 * the devices the sink configuration names; everything in the batch's transaction.
 *
 * EMS devices (`ems_devices`; fields named like the ems columns):
 *   - machine_ems_history: a row per sample with the values read (unread ones NULL);
 *   - machine_ems_live: upserted (unread values keep their old value), with the status;
 *   - ems_machine_status_history: a row when the status differs from the live row's (upserted
 *     when an existing table has BELmc's UNIQUE(machine_id));
 *   - shiftwise_energy_live: energy_delta_kwh added to the bucket of the record's shift
 *     (id 1 first, 2 second, others third), total = sum, rounded to 4 decimals each;
 *   - daily rollover: at the first sample of a new local day every live row of an earlier day
 *     goes to shiftwise_energy_history, labelled with ITS day at history_time (06:00) — the
 *     real date, also after a restart or an outage — and is zeroed. A late sample of an
 *     already closed day is added to that day's history row.
 *   An unreachable device (or a sample without any value) writes no EMS row, as in BELmc.
 * Production devices (`production_devices`):
 *   - machine_raw: a row when op_mode, prog_status, status or a program name differs from the
 *     live row, or the live row's part_count/scheduled_job/actual_job differ from the latest
 *     machine_raw row; part_count and the jobs are copied from the live row (before this
 *     sample's increment), as BELmc does;
 *   - machine_raw_live: upserted; part_count += part_count_delta; actual_job, scheduled_job,
 *     job_status and job_in_progress are never written (the API owns them);
 *   - fields op_mode, prog_status (-1 when the device has none; a meter's machine_raw rows
 *     have prog_status, part_count and part_status NULL, as BELmc writes them), selected_program,
 *     active_program ('' when none), part_count_delta; status from the record;
 *   - unreachable: an OFF row only on the transition, live op_mode/prog_status -1, part_count 0,
 *     programs ''; a downtime opened unless one is open; `close_downtime_on_production`
 *     devices close the open downtime when they report PRODUCTION;
 *   - shift_summary times, once per machine and shift per batch (for its last record).
 * Timestamps are naive local times in the sink's time zone, with microseconds. */
#include "sink_postgres_internal.h"

#include "format/float_repr.h"
#include "format/format.h"

#include "core/clock.h"
#include "core/round.h"
#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { R_EMS = 1, R_PRODUCTION = 2, R_CLOSE = 4 };
#define NEMS 16

static const char *const ems_columns[NEMS] = {
    "phase_a_voltage", "phase_b_voltage", "phase_c_voltage",           "avg_phase_voltage",
    "line_ab_voltage", "line_bc_voltage", "line_ca_voltage",           "avg_line_voltage",
    "phase_a_current", "phase_b_current", "phase_c_current",           "avg_three_phase_current",
    "power_factor",    "frequency",       "total_instantaneous_power", "active_energy_delivered"};

/* A shift_summary update owed for a machine (its last record in the shift so far). */
typedef struct owed {
    int64_t machine;
    int shift;
    int64_t start_us, ts_us;
} owed;

typedef struct belmc_writer {
    bool status_unique;
    int64_t rolled_day; /* local day whose rollover ran in this batch or before; INT64_MIN */
    owed *owed;
    size_t nowed, capowed;
    strbuf ems_history_sql, ems_update_sql, ems_insert_sql;
} belmc_writer;

/* The text of a record's fields, as the columns want them. */
typedef struct values {
    char machine[24], ts[40], status[8];
    char num[NEMS][MDC_FLOAT_REPR_MAX];
    const char *ems[NEMS]; /* NULL: not read */
    size_t nems;
} values;

/* ---- small helpers ---- */

static unsigned roles_of(const pg_sink *k, const char *device)
{
    const mdc_pg_belmc_cfg *b = &k->belmc;
    unsigned r = 0;
    for (size_t i = 0; i < b->n_ems; i++)
        if (!strcmp(b->ems_devices[i], device)) r |= R_EMS;
    for (size_t i = 0; i < b->n_production; i++)
        if (!strcmp(b->production_devices[i], device)) r |= R_PRODUCTION;
    for (size_t i = 0; i < b->n_close_downtime; i++)
        if (!strcmp(b->close_downtime_devices[i], device)) r |= R_CLOSE;
    return r;
}

/* BELmc's round(x, 4) (core/round.h). */
static double round4(double x)
{
    return mdc_round_exact(x, 4);
}

static void fmt_double(double d, char *buf, size_t n)
{
    mdc_float_repr(d, buf, n);
}

/* Local wall-clock seconds (as if the zone were UTC) of an instant. */
static double wall_s(const pg_sink *k, int64_t t_us)
{
    int64_t s = mdc_floordiv(t_us, MDC_US_PER_SEC);
    return (double)(s + mdc_tz_offset(k->tz, s)) + (double)(t_us - s * MDC_US_PER_SEC) / 1e6;
}

static int64_t local_day(const pg_sink *k, int64_t t_us)
{
    return (int64_t)floor(wall_s(k, t_us) / 86400.0);
}

/* "YYYY-MM-DD 00:00:00" of a local day number. */
static void day_start(int64_t day, char *buf, size_t n)
{
    int64_t y;
    unsigned m, d;
    mdc_civil_from_days(day, &y, &m, &d);
    snprintf(buf, n, "%04lld-%02u-%02u 00:00:00", (long long)y, m, d);
}

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Value of column c of the only row of res, NULL for SQL NULL or no row. */
static const char *cell(const PGresult *res, int c)
{
    if (!res || PQntuples(res) < 1 || PQgetisnull(res, 0, c)) return NULL;
    return PQgetvalue(res, 0, c);
}

static void collect_values(const pg_sink *k, const mdc_record *r, values *v)
{
    memset(v, 0, sizeof *v);
    snprintf(v->machine, sizeof v->machine, "%lld", (long long)r->machine_id);
    pg_local_ts(k, r->ts_us, v->ts, sizeof v->ts);
    snprintf(v->status, sizeof v->status, "%d", r->status);
    for (int i = 0; i < NEMS; i++) {
        const mdc_field *f = mdc_record_find(r, ems_columns[i]);
        double d;
        if (!f || !mdc_value_as_double(&f->v, &d) || !isfinite(d)) continue;
        fmt_double(d, v->num[i], sizeof v->num[i]);
        v->ems[i] = v->num[i];
        v->nems++;
    }
}

/* ---- EMS ---- */

static void build_ems_sql(belmc_writer *w)
{
    strbuf *h = &w->ems_history_sql, *u = &w->ems_update_sql, *in = &w->ems_insert_sql;
    sb_puts(h, "INSERT INTO ems.machine_ems_history(machine_id, timestamp");
    sb_puts(in, "INSERT INTO ems.machine_ems_live(machine_id, timestamp, status");
    sb_puts(u, "UPDATE ems.machine_ems_live SET timestamp = $2, status = $3");
    for (int i = 0; i < NEMS; i++) {
        sb_printf(h, ", %s", ems_columns[i]);
        sb_printf(in, ", %s", ems_columns[i]);
        sb_printf(u, ", %s = COALESCE($%d, %s)", ems_columns[i], i + 4, ems_columns[i]);
    }
    sb_puts(h, ") VALUES($1, $2");
    sb_puts(in, ") VALUES($1, $2, $3");
    for (int i = 0; i < NEMS; i++) {
        sb_printf(h, ", $%d", i + 3);
        sb_printf(in, ", $%d", i + 4);
    }
    sb_puts(h, ")");
    sb_puts(in, ")");
    sb_puts(u, " WHERE machine_id = $1");
}

static int ems_live(pg_sink *k, belmc_writer *w, const values *v, const char *status, mdc_err *err)
{
    const char *p[3 + NEMS] = {v->machine, v->ts, status};
    for (int i = 0; i < NEMS; i++)
        p[3 + i] = v->ems[i];
    PGresult *old = pg_query(
        k, "SELECT status FROM ems.machine_ems_live WHERE machine_id = $1 FOR UPDATE", 1, p, err);
    if (!old) return -1;
    bool exists = PQntuples(old) > 0, changed = !exists || !same(cell(old, 0), status);
    PQclear(old);
    if (pg_run(k, sb_str(exists ? &w->ems_update_sql : &w->ems_insert_sql), 3 + NEMS, p, err) < 0)
        return -1;
    if (!changed) return 0;
    const char *q[] = {v->ts, v->machine, status};
    return pg_run(k,
                  w->status_unique
                      ? "INSERT INTO ems.ems_machine_status_history(timestamp, machine_id, status) "
                        "VALUES($1, $2, $3) ON CONFLICT (machine_id) DO UPDATE SET timestamp = "
                        "excluded.timestamp, status = excluded.status"
                      : "INSERT INTO ems.ems_machine_status_history(timestamp, machine_id, status) "
                        "VALUES($1, $2, $3)",
                  3, q, err);
}

/* Closes every live row of a day before `day` (BELmc's check_shift_update). */
static int rollover(pg_sink *k, belmc_writer *w, int64_t day, const char *ts, mdc_err *err)
{
    if (w->rolled_day >= day) return 0;
    char midnight[32], label[32];
    day_start(day, midnight, sizeof midnight);
    snprintf(label, sizeof label, "%02d:%02d:00", k->belmc.history_time_min / 60,
             k->belmc.history_time_min % 60);
    const char *p[] = {midnight, label};
    const char *q[] = {midnight, ts};
    if (pg_run(k,
               "INSERT INTO ems.shiftwise_energy_history(timestamp, first_shift, second_shift, "
               "third_shift, total_energy, machine_id) SELECT date_trunc('day', timestamp) + "
               "$2::interval, first_shift, second_shift, third_shift, total_energy, machine_id "
               "FROM ems.shiftwise_energy_live WHERE timestamp < $1::timestamp ORDER BY "
               "machine_id, id",
               2, p, err) < 0 ||
        pg_run(k,
               "UPDATE ems.shiftwise_energy_live SET first_shift = 0, second_shift = 0, "
               "third_shift = 0, total_energy = 0, timestamp = $2 WHERE timestamp < $1::timestamp",
               2, q, err) < 0)
        return -1;
    w->rolled_day = day;
    return 0;
}

/* Adds delta to bucket b (0..2) of a shiftwise row (live or history) read as id, first,
 * second, third; total_energy is their sum; with ts, the timestamp moves forward to it. */
static int add_to_row(pg_sink *k, const char *table, const PGresult *row, int b, double delta,
                      const char *ts, mdc_err *err)
{
    double v[3];
    char t[4][MDC_FLOAT_REPR_MAX];
    for (int i = 0; i < 3; i++)
        v[i] = strtod(PQgetvalue(row, 0, i + 1), NULL);
    v[b] = round4(v[b] + delta);
    for (int i = 0; i < 3; i++)
        fmt_double(v[i], t[i], sizeof t[i]);
    fmt_double(round4(v[0] + v[1] + v[2]), t[3], sizeof t[3]);
    const char *p[] = {PQgetvalue(row, 0, 0), t[0], t[1], t[2], t[3], ts};
    strbuf q = STRBUF_INIT;
    sb_printf(&q,
              "UPDATE ems.%s SET first_shift = $2, second_shift = $3, third_shift = $4, "
              "total_energy = $5%s WHERE id = $1",
              table, ts ? ", timestamp = GREATEST(timestamp, $6::timestamp)" : "");
    int rc = pg_run(k, sb_str(&q), ts ? 6 : 5, p, err);
    sb_free(&q);
    return rc;
}

/* A late sample of a closed day goes to that day's history row; returns 1 if it did. */
static int add_to_history(pg_sink *k, const values *v, int64_t day, int b, double delta,
                          mdc_err *err)
{
    char from[32], to[32];
    day_start(day, from, sizeof from);
    day_start(day + 1, to, sizeof to);
    const char *p[] = {v->machine, from, to};
    PGresult *row = pg_query(k,
                             "SELECT id, first_shift, second_shift, third_shift FROM "
                             "ems.shiftwise_energy_history WHERE machine_id = $1 AND timestamp >= "
                             "$2::timestamp AND timestamp < $3::timestamp ORDER BY id DESC LIMIT 1 "
                             "FOR UPDATE",
                             3, p, err);
    if (!row) return -1;
    int rc =
        PQntuples(row) ? add_to_row(k, "shiftwise_energy_history", row, b, delta, NULL, err) : 0;
    bool found = PQntuples(row) > 0;
    PQclear(row);
    return rc < 0 ? -1 : found;
}

static int insert_live_energy(pg_sink *k, const values *v, int b, double delta, mdc_err *err)
{
    char t[MDC_FLOAT_REPR_MAX], z[] = "0.0";
    fmt_double(round4(delta), t, sizeof t);
    const char *q[] = {v->ts, b == 0 ? t : z, b == 1 ? t : z, b == 2 ? t : z, t, v->machine};
    return pg_run(k,
                  "INSERT INTO ems.shiftwise_energy_live(timestamp, first_shift, second_shift, "
                  "third_shift, total_energy, machine_id) VALUES($1, $2, $3, $4, $5, $6)",
                  6, q, err);
}

static int shift_energy(pg_sink *k, belmc_writer *w, const mdc_record *r, const values *v,
                        mdc_err *err)
{
    const mdc_field *d = mdc_record_find(r, "energy_delta_kwh");
    const mdc_field *s = mdc_record_find(r, "shift");
    double delta;
    if (!d || !mdc_value_as_double(&d->v, &delta) || !isfinite(delta)) return 0;
    int b = s && s->v.type == MDC_INT && s->v.u.i >= 1 && s->v.u.i <= 2 ? (int)s->v.u.i - 1 : 2;
    int64_t day = local_day(k, r->ts_us);
    if (rollover(k, w, day, v->ts, err) < 0) return -1;
    char next[32];
    day_start(day + 1, next, sizeof next);
    const char *p[] = {v->machine, next};
    PGresult *row = pg_query(k,
                             "SELECT id, first_shift, second_shift, third_shift, timestamp >= "
                             "$2::timestamp FROM ems.shiftwise_energy_live WHERE machine_id = $1 "
                             "ORDER BY id LIMIT 1 FOR UPDATE",
                             2, p, err);
    if (!row) return -1;
    bool have = PQntuples(row) > 0, late = have && PQgetvalue(row, 0, 4)[0] == 't';
    int rc = late ? add_to_history(k, v, day, b, delta, err) : 0; /* 1: done there */
    if (rc == 0)
        rc = have ? add_to_row(k, "shiftwise_energy_live", row, b, delta, v->ts, err)
                  : insert_live_energy(k, v, b, delta, err);
    PQclear(row);
    return rc < 0 ? -1 : 0;
}

static int write_ems(pg_sink *k, belmc_writer *w, const mdc_record *r, const values *v,
                     mdc_err *err)
{
    const char *status = r->status >= 0 ? v->status : NULL;
    const char *p[2 + NEMS] = {v->machine, v->ts};
    for (int i = 0; i < NEMS; i++)
        p[2 + i] = v->ems[i];
    if (pg_run(k, sb_str(&w->ems_history_sql), 2 + NEMS, p, err) < 0 ||
        ems_live(k, w, v, status, err) < 0 || shift_energy(k, w, r, v, err) < 0)
        return -1;
    return 0;
}

/* ---- production ---- */

static const char raw_latest_sql[] =
    "SELECT status, part_count, scheduled_job, actual_job FROM production.machine_raw WHERE "
    "machine_id = $1 ORDER BY timestamp DESC, id DESC LIMIT 1";

/* The machine's state as the production columns want it. */
typedef struct prod {
    char op_mode[24], prog_status[24], delta[24];
    const char *op, *prog; /* NULL = SQL NULL */
    strbuf selected, active;
    bool meter; /* a device without op_mode and prog_status (BELmc's EMS meters) */
} prod;

/* An integer column from a field: -1 when the device has no such field, NULL when unread. */
static const char *int_field(const mdc_record *r, const char *name, char *buf, size_t n)
{
    const mdc_field *f = mdc_record_find(r, name);
    double d;
    if (!f) return "-1";
    if (!mdc_value_as_double(&f->v, &d) || !isfinite(d) || fabs(d) > 2147483647.0) return NULL;
    snprintf(buf, n, "%lld", (long long)llround(d));
    return buf;
}

/* A program name ('' when none); valid UTF-8. */
static void text_field(const mdc_record *r, const char *name, strbuf *out)
{
    const mdc_field *f = mdc_record_find(r, name);
    sb_reset(out);
    if (!f || f->v.type == MDC_NULL) return;
    if (f->v.type == MDC_STRING) {
        mdc_fmt_utf8_clean(out, f->v.u.s);
        return;
    }
    char num[MDC_FLOAT_REPR_MAX];
    double d;
    if (f->v.type == MDC_INT)
        sb_printf(out, "%lld", (long long)f->v.u.i);
    else if (mdc_value_as_double(&f->v, &d)) {
        fmt_double(d, num, sizeof num);
        sb_puts(out, num);
    }
}

static void collect_prod(const mdc_record *r, prod *m)
{
    m->op = int_field(r, "op_mode", m->op_mode, sizeof m->op_mode);
    m->prog = int_field(r, "prog_status", m->prog_status, sizeof m->prog_status);
    m->meter = !mdc_record_find(r, "op_mode") && !mdc_record_find(r, "prog_status");
    text_field(r, "selected_program", &m->selected);
    text_field(r, "active_program", &m->active);
    const mdc_field *d = mdc_record_find(r, "part_count_delta");
    long long n = d && d->v.type == MDC_INT && d->v.u.i > 0 ? (long long)d->v.u.i : 0;
    snprintf(m->delta, sizeof m->delta, "%lld", n);
}

/* BELmc's change test (record_machine_data). A meter's rows carry no part count (BELmc writes
 * NULL there), so its live count is not compared with them. */
static bool raw_changed(const PGresult *live, const PGresult *raw, const prod *m,
                        const char *status)
{
    if (PQntuples(live) == 0) return true;
    return !same(cell(live, 0), status) || !same(cell(live, 1), m->op) ||
           !same(cell(live, 2), m->prog) || !same(cell(live, 3), sb_str(&m->selected)) ||
           !same(cell(live, 4), sb_str(&m->active)) ||
           (!m->meter && !same(cell(live, 5), cell(raw, 1))) ||
           !same(cell(live, 6), cell(raw, 2)) || !same(cell(live, 7), cell(raw, 3));
}

/* A machine_raw row: a meter's has prog_status, part_count and part_status NULL, as BELmc's
 * EMS collector writes it (machine_raw(timestamp, op_mode -1, status)); a control's has them
 * from the record and the live row (part_status 0). */
static int insert_raw(pg_sink *k, const char *const *vals, const prod *m, mdc_err *err)
{
    const char *p[11];
    memcpy(p, vals, 10 * sizeof *p);
    p[10] = "0";
    if (m->meter) p[4] = p[7] = p[10] = NULL;
    return pg_run(k,
                  "INSERT INTO production.machine_raw(machine_id, timestamp, status, op_mode, "
                  "prog_status, selected_program, active_program, program_number, part_count, "
                  "part_status, scheduled_job, actual_job) VALUES($1, $2, $3, $4, $5, $6, $7, "
                  "'', $8, $11, $9, $10)",
                  11, p, err);
}

static int reachable(pg_sink *k, const values *v, const prod *m, const char *status, bool close,
                     mdc_err *err)
{
    const char *p[] = {v->machine};
    PGresult *live = pg_query(k,
                              "SELECT status, op_mode, prog_status, selected_program, "
                              "active_program, part_count, scheduled_job, actual_job FROM "
                              "production.machine_raw_live WHERE machine_id = $1 FOR UPDATE",
                              1, p, err);
    PGresult *raw = live ? pg_query(k, raw_latest_sql, 1, p, err) : NULL;
    int rc = raw ? 0 : -1;
    bool have = live && PQntuples(live) > 0;
    const char *vals[] = {v->machine,
                          v->ts,
                          status,
                          m->op,
                          m->prog,
                          sb_str(&m->selected),
                          sb_str(&m->active),
                          have ? cell(live, 5) : "0",
                          have ? cell(live, 6) : NULL,
                          have ? cell(live, 7) : NULL};
    if (rc == 0 && raw_changed(live, raw, m, status)) rc = insert_raw(k, vals, m, err);
    vals[7] = m->delta;
    if (rc == 0)
        rc = pg_run(k,
                    have ? "UPDATE production.machine_raw_live SET timestamp = $2, status = $3, "
                           "op_mode = $4, prog_status = $5, selected_program = $6, "
                           "active_program = $7, part_count = COALESCE(part_count, 0) + $8 "
                           "WHERE machine_id = $1"
                         : "INSERT INTO production.machine_raw_live(machine_id, timestamp, "
                           "status, op_mode, prog_status, selected_program, active_program, "
                           "part_count) VALUES($1, $2, $3, $4, $5, $6, $7, $8)",
                    8, vals, err);
    if (rc == 0 && close && strcmp(status, "2") == 0)
        rc = pg_run(k,
                    "UPDATE production.machine_downtimes SET closed_dt = $2 WHERE id = (SELECT id "
                    "FROM production.machine_downtimes WHERE machine_id = $1 ORDER BY open_dt "
                    "DESC, id DESC LIMIT 1) AND closed_dt IS NULL",
                    2, vals, err);
    PQclear(live);
    PQclear(raw);
    return rc;
}

/* The transition to OFF: BELmc's OFF row and reset live row. */
static int went_off(pg_sink *k, const char *const *p, mdc_err *err)
{
    if (pg_run(k,
               "INSERT INTO production.machine_raw(machine_id, timestamp, status, op_mode, "
               "selected_program, active_program, program_number) "
               "VALUES($1, $2, 0, -1, '', '', '')",
               2, p, err) < 0)
        return -1;
    return pg_run(k,
                  "INSERT INTO production.machine_raw_live(machine_id, timestamp, status, "
                  "op_mode, prog_status, selected_program, active_program, part_count) "
                  "VALUES($1, $2, 0, -1, -1, '', '', 0) ON CONFLICT (machine_id) DO UPDATE SET "
                  "timestamp = excluded.timestamp, status = 0, op_mode = -1, prog_status = -1, "
                  "selected_program = '', active_program = '', part_count = 0",
                  2, p, err);
}

/* BELmc's handle_disconnection, without its crash on an empty table. */
static int unreachable(pg_sink *k, const values *v, mdc_err *err)
{
    const char *p[] = {v->machine, v->ts};
    PGresult *raw = pg_query(k, raw_latest_sql, 1, p, err);
    if (!raw) return -1;
    bool transition = !same(cell(raw, 0), "0");
    PQclear(raw);
    int rc = transition ? went_off(k, p, err)
                        : pg_run(k,
                                 "UPDATE production.machine_raw_live SET timestamp = $2 WHERE "
                                 "machine_id = $1",
                                 2, p, err);
    if (rc < 0) return -1;
    return pg_run(k,
                  "INSERT INTO production.machine_downtimes(machine_id, open_dt) SELECT $1, "
                  "$2::timestamp WHERE NOT EXISTS (SELECT 1 FROM (SELECT closed_dt FROM "
                  "production.machine_downtimes WHERE machine_id = $1 ORDER BY open_dt DESC, id "
                  "DESC LIMIT 1) d WHERE d.closed_dt IS NULL)",
                  2, p, err);
}

/* ---- shift_summary, owed per machine ---- */

static int settle(pg_sink *k, const owed *o, mdc_err *err)
{
    char start[40], ts[40];
    pg_local_ts(k, o->start_us, start, sizeof start);
    pg_local_ts(k, o->ts_us, ts, sizeof ts);
    return pg_belmc_shift_summary(k, o->machine, o->shift, start, ts,
                                  wall_s(k, o->ts_us) - wall_s(k, o->start_us), err);
}

/* Records that a summary is owed; settles the machine's previous shift first. */
static int owe(pg_sink *k, belmc_writer *w, const mdc_record *r, mdc_err *err)
{
    const mdc_field *s = mdc_record_find(r, "shift");
    if (!s || s->v.type != MDC_INT || !r->shift_start_us) return 0;
    owed *o = NULL;
    for (size_t i = 0; i < w->nowed && !o; i++)
        if (w->owed[i].machine == r->machine_id) o = &w->owed[i];
    if (o && o->start_us != r->shift_start_us && settle(k, o, err) < 0) return -1;
    if (!o) {
        xgrow(&w->owed, &w->capowed, w->nowed + 1, sizeof *w->owed);
        o = &w->owed[w->nowed++];
    }
    *o = (owed){r->machine_id, (int)s->v.u.i, r->shift_start_us, r->ts_us};
    return 0;
}

static int settle_all(pg_sink *k, belmc_writer *w, mdc_err *err)
{
    for (size_t i = 0; i < w->nowed; i++)
        if (settle(k, &w->owed[i], err) < 0) return -1;
    w->nowed = 0;
    return 0;
}

static int write_production(pg_sink *k, belmc_writer *w, const mdc_record *r, const values *v,
                            bool disconnected, bool close, mdc_err *err)
{
    int rc;
    if (disconnected) {
        rc = unreachable(k, v, err);
    } else {
        prod m = {0};
        collect_prod(r, &m);
        rc = reachable(k, v, &m, r->status >= 0 ? v->status : "1", close, err);
        sb_free(&m.selected);
        sb_free(&m.active);
    }
    return rc < 0 ? -1 : owe(k, w, r, err);
}

/* ---- the writer ---- */

static int write_record(pg_sink *k, belmc_writer *w, const mdc_record *r, mdc_err *err)
{
    if (!r->device || !r->has_machine_id) return 0;
    unsigned roles = roles_of(k, r->device);
    if (!roles) return 0;
    values v;
    collect_values(k, r, &v);
    /* as in BELmc, a meter that gave no value at all counts as disconnected */
    bool disconnected = r->error || ((roles & R_EMS) && v.nems == 0);
    if ((roles & R_EMS) && !disconnected && write_ems(k, w, r, &v, err) < 0) return -1;
    if ((roles & R_PRODUCTION) &&
        write_production(k, w, r, &v, disconnected, roles & R_CLOSE, err) < 0)
        return -1;
    return 0;
}

static int b_write(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    belmc_writer *w = k->w;
    for (size_t i = 0; i < n; i++)
        if (write_record(k, w, recs[i], err) < 0) {
            char where[96];
            snprintf(where, sizeof where, "record %lld of %s", (long long)recs[i]->seq,
                     recs[i]->device ? recs[i]->device : "?");
            return mdc_err_prefix(err, "%s", where);
        }
    return settle_all(k, w, err);
}

static void b_done(pg_sink *k, pg_outcome what)
{
    belmc_writer *w = k->w;
    if (!w) return;
    w->nowed = 0;
    if (what == PG_CHUNK_FAILED || what == PG_ROLLED_BACK)
        w->rolled_day = INT64_MIN; /* the rollover may have been undone */
}

static int b_prepare(pg_sink *k, mdc_err *err)
{
    if (!k->w) {
        belmc_writer *w = xcalloc(1, sizeof *w);
        build_ems_sql(w);
        k->w = w;
    }
    belmc_writer *w = k->w;
    w->rolled_day = INT64_MIN;
    w->nowed = 0;
    return pg_belmc_schema(k, &w->status_unique, err);
}

static void b_free(pg_sink *k)
{
    belmc_writer *w = k->w;
    if (!w) return;
    free(w->owed);
    sb_free(&w->ems_history_sql);
    sb_free(&w->ems_update_sql);
    sb_free(&w->ems_insert_sql);
    free(w);
    k->w = NULL;
}

const pg_writer_ops pg_belmc_ops = {
    .prepare = b_prepare,
    .write = b_write,
    .done = b_done,
    .free = b_free,
};
