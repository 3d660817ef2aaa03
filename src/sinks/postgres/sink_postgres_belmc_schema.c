/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_belmc_schema.c — BELmc's collector tables (research/belmc.md §2), created when
 * missing with the types Pony ORM 0.7 gives them (SERIAL ids, `text NOT NULL` for optional
 * strings, naive `timestamp`, the indexes Pony creates for foreign keys: machine_raw's and
 * machine_raw_live's on status, scheduled_job and actual_job, under Pony's names, so an existing
 * BELmc database already has them), and seeded when empty, as BELmc's initialize_db does.
 * Existing tables are never altered, with one addition: an index on machine_raw(machine_id,
 * timestamp), which BELmc lacks and every shift_summary update needs.
 * Deliberate difference: a new ems.ems_machine_status_history gets no UNIQUE(machine_id) (the
 * seed's constraint makes every second status change fail); an existing one keeps it and the
 * writer then upserts (belmc.md §7, §8.9). Job columns reference master_order.operations only
 * when that table exists (it belongs to BELmc's API). */
#include "sink_postgres_internal.h"

#include "core/clock.h"

#include <stdio.h>
#include <string.h>

#define EMS_VALUES                                                                                 \
    " phase_a_voltage double precision, phase_b_voltage double precision,"                         \
    " phase_c_voltage double precision, avg_phase_voltage double precision,"                       \
    " line_ab_voltage double precision, line_bc_voltage double precision,"                         \
    " line_ca_voltage double precision, avg_line_voltage double precision,"                        \
    " phase_a_current double precision, phase_b_current double precision,"                         \
    " phase_c_current double precision, avg_three_phase_current double precision,"                 \
    " power_factor double precision, frequency double precision,"                                  \
    " total_instantaneous_power double precision, active_energy_delivered double precision"

#define SHIFTWISE_COLUMNS                                                                          \
    "(id serial PRIMARY KEY, timestamp timestamp NOT NULL,"                                        \
    " first_shift double precision NOT NULL, second_shift double precision NOT NULL,"              \
    " third_shift double precision NOT NULL, total_energy double precision NOT NULL,"              \
    " machine_id integer NOT NULL)"

static const char ems_ddl[] =
    "CREATE SCHEMA IF NOT EXISTS ems;"
    "CREATE TABLE IF NOT EXISTS ems.machine_ems_history(id serial PRIMARY KEY,"
    " machine_id integer NOT NULL, timestamp timestamp NOT NULL," EMS_VALUES ");"
    "CREATE TABLE IF NOT EXISTS ems.machine_ems_live(id serial PRIMARY KEY,"
    " machine_id integer UNIQUE NOT NULL, timestamp timestamp NOT NULL, status integer," EMS_VALUES
    ");"
    "CREATE TABLE IF NOT EXISTS ems.shiftwise_energy_live" SHIFTWISE_COLUMNS ";"
    "CREATE TABLE IF NOT EXISTS ems.shiftwise_energy_history" SHIFTWISE_COLUMNS ";"
    "CREATE TABLE IF NOT EXISTS ems.ems_machine_status_history(id serial PRIMARY KEY,"
    " timestamp timestamp NOT NULL, machine_id integer NOT NULL, status integer);";

#define STATUS_FK " REFERENCES production.status_lookup(status_id) ON DELETE CASCADE"
#define JOB_FK    " REFERENCES master_order.operations(id) ON DELETE SET NULL"

/* %s: the job foreign key clause (or nothing), four times. */
static const char production_ddl[] =
    "CREATE SCHEMA IF NOT EXISTS production;"
    "CREATE TABLE IF NOT EXISTS production.status_lookup(status_id integer PRIMARY KEY,"
    " status_name text UNIQUE NOT NULL);"
    "CREATE TABLE IF NOT EXISTS production.machine_raw(id serial PRIMARY KEY,"
    " machine_id integer NOT NULL, timestamp timestamp NOT NULL,"
    " status integer NOT NULL" STATUS_FK ", op_mode integer, prog_status integer,"
    " selected_program text NOT NULL, active_program text NOT NULL,"
    " program_number text NOT NULL, part_count integer, job_in_progress integer,"
    " part_status integer, scheduled_job integer%s, actual_job integer%s);"
    "CREATE INDEX IF NOT EXISTS idx_machine_raw__status ON production.machine_raw(status);"
    "CREATE INDEX IF NOT EXISTS idx_machine_raw__scheduled_job"
    " ON production.machine_raw(scheduled_job);"
    "CREATE INDEX IF NOT EXISTS idx_machine_raw__actual_job ON production.machine_raw(actual_job);"
    "CREATE INDEX IF NOT EXISTS mdc_machine_raw__machine_id_timestamp"
    " ON production.machine_raw(machine_id, timestamp);"
    "CREATE TABLE IF NOT EXISTS production.machine_raw_live(machine_id integer PRIMARY KEY,"
    " timestamp timestamp NOT NULL, status integer NOT NULL" STATUS_FK ","
    " op_mode integer, prog_status integer, selected_program text NOT NULL,"
    " active_program text NOT NULL, part_count integer, job_status integer,"
    " job_in_progress integer, program_number integer, scheduled_job integer%s,"
    " actual_job integer%s);"
    "CREATE INDEX IF NOT EXISTS idx_machine_raw_live__status"
    " ON production.machine_raw_live(status);"
    "CREATE INDEX IF NOT EXISTS idx_machine_raw_live__scheduled_job"
    " ON production.machine_raw_live(scheduled_job);"
    "CREATE INDEX IF NOT EXISTS idx_machine_raw_live__actual_job"
    " ON production.machine_raw_live(actual_job);"
    "CREATE TABLE IF NOT EXISTS production.shift_info(id serial PRIMARY KEY,"
    " start_time time NOT NULL, end_time time NOT NULL);"
    "CREATE TABLE IF NOT EXISTS production.config_info(id serial PRIMARY KEY,"
    " machine_id integer UNIQUE NOT NULL, shift_duration integer NOT NULL,"
    " planned_non_production_time integer NOT NULL, planned_downtime integer NOT NULL,"
    " updatedate timestamp NOT NULL);"
    "CREATE TABLE IF NOT EXISTS production.shift_summary(id serial PRIMARY KEY,"
    " machine_id integer NOT NULL, shift integer NOT NULL, timestamp timestamp NOT NULL,"
    " updatedate timestamp NOT NULL, off_time time, idle_time time, production_time time,"
    " total_parts integer, good_parts integer, bad_parts integer,"
    " availability numeric(5,2), performance numeric(5,2), quality numeric(5,2),"
    " availability_loss numeric(5,2), performance_loss numeric(5,2),"
    " quality_loss numeric(5,2), oee numeric(5,2));"
    "CREATE TABLE IF NOT EXISTS production.machine_downtimes(id serial PRIMARY KEY,"
    " machine_id integer NOT NULL, priority integer, category text, description text,"
    " open_dt timestamp NOT NULL, inprogress_dt timestamp, closed_dt timestamp,"
    " reported_by integer, action_taken text);";

static int query_bool(pg_sink *k, const char *sql, bool *out, mdc_err *err)
{
    PGresult *res = pg_query(k, sql, 0, NULL, err);
    if (!res) return -1;
    *out = PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return 0;
}

static int create_tables(pg_sink *k, mdc_err *err)
{
    bool ops;
    if (pg_exec(k, ems_ddl, err) < 0 ||
        query_bool(k, "SELECT to_regclass('master_order.operations') IS NOT NULL", &ops, err) < 0)
        return -1;
    const char *fk = ops ? JOB_FK : "";
    sb_reset(&k->sql);
    sb_printf(&k->sql, production_ddl, fk, fk, fk, fk);
    return pg_exec(k, sb_str(&k->sql), err);
}

static void hhmm(strbuf *out, int min)
{
    sb_printf(out, "'%02d:%02d'", (min / 60) % 24, min % 60);
}

/* status_lookup, shift_info (the configured shifts, with their ids) and config_info (the
 * configured machines: 480 min shifts, 40 min planned non-production, 40 min planned
 * downtime), each only when empty. */
static int seed(pg_sink *k, mdc_err *err)
{
    const mdc_pg_belmc_cfg *b = &k->belmc;
    if (pg_exec(k,
                "INSERT INTO production.status_lookup(status_id, status_name) SELECT * FROM "
                "(VALUES (0, 'OFF'), (1, 'ON'), (2, 'PRODUCTION')) v WHERE NOT EXISTS "
                "(SELECT 1 FROM production.status_lookup)",
                err) < 0)
        return -1;
    if (b->n_shifts) {
        sb_reset(&k->sql);
        sb_puts(&k->sql, "INSERT INTO production.shift_info(id, start_time, end_time) SELECT * "
                         "FROM (VALUES ");
        for (size_t i = 0; i < b->n_shifts; i++) {
            sb_printf(&k->sql, "%s(%d, time ", i ? ", " : "", b->shift_ids[i]);
            hhmm(&k->sql, b->shift_starts_min[i]);
            sb_puts(&k->sql, ", time ");
            hhmm(&k->sql, b->shift_starts_min[(i + 1) % b->n_shifts]);
            sb_puts(&k->sql, ")");
        }
        sb_puts(&k->sql, ") v WHERE NOT EXISTS (SELECT 1 FROM production.shift_info);"
                         "SELECT setval(pg_get_serial_sequence('production.shift_info', 'id'), "
                         "GREATEST((SELECT MAX(id) FROM production.shift_info), 1))");
        if (pg_exec(k, sb_str(&k->sql), err) < 0) return -1;
    }
    if (b->n_machines) {
        char now[40];
        pg_local_ts(k, mdc_now_us(), now, sizeof now);
        sb_reset(&k->sql);
        sb_printf(&k->sql,
                  "INSERT INTO production.config_info(machine_id, shift_duration, "
                  "planned_non_production_time, planned_downtime, updatedate) SELECT m, 480, 40, "
                  "40, timestamp '%s' FROM unnest(ARRAY[",
                  now);
        for (size_t i = 0; i < b->n_machines; i++)
            sb_printf(&k->sql, "%s%lld", i ? "," : "", (long long)b->machines[i]);
        sb_puts(&k->sql, "]::integer[]) m WHERE NOT EXISTS (SELECT 1 FROM production.config_info)");
        if (pg_exec(k, sb_str(&k->sql), err) < 0) return -1;
    }
    return 0;
}

int pg_belmc_schema(pg_sink *k, bool *status_history_unique, mdc_err *err)
{
    if (pg_exec(k, "BEGIN; SELECT pg_advisory_xact_lock(hashtext('mdc belmc schema'))", err) < 0)
        return -1;
    if (create_tables(k, err) < 0 || seed(k, err) < 0 ||
        query_bool(k,
                   "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON "
                   "a.attrelid = i.indrelid AND a.attnum = i.indkey[0] WHERE i.indrelid = "
                   "'ems.ems_machine_status_history'::regclass AND i.indisunique AND "
                   "i.indnatts = 1 AND a.attname = 'machine_id')",
                   status_history_unique, err) < 0 ||
        pg_exec(k, "COMMIT", err) < 0) {
        PQclear(PQexec(k->conn, "ROLLBACK"));
        return mdc_err_prefix(err, "creating BELmc's ems and production tables");
    }
    return 0;
}
