/* SPDX-License-Identifier: Apache-2.0 */
/* The postgres sink: configuration errors, clear connection errors without passwords, shift
 * status durations; and — with a server (MDC_TEST_PG=1 and the PG* variables, as
 * tests/integration/test_postgres_sink.sh sets them) — exact rows of both schemas, BELmc's
 * rules record by record, API-owned columns left alone, UNIQUE(machine_id) tolerated, and
 * exactly-once delivery across reopen, a lost position and a new spool epoch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/config.h"
#include "derive/derive.h"
#include "sinks/sink_config.h"
#include "sinks/postgres/sink_postgres.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---- */

static bool have_server(void)
{
    const char *v = getenv("MDC_TEST_PG");
    return v && strcmp(v, "1") == 0;
}

static PGconn *admin(const char *db)
{
    char ci[128];
    snprintf(ci, sizeof ci, "dbname=%s", db);
    PGconn *c = PQconnectdb(ci);
    if (PQstatus(c) != CONNECTION_OK) fail_msg("connect %s: %s", db, PQerrorMessage(c));
    return c;
}

static void sql(const char *db, const char *q)
{
    PGconn *c = admin(db);
    PGresult *r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", q, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
}

/* A fresh database for one test. */
static void fresh_db(const char *name)
{
    char q[160];
    snprintf(q, sizeof q, "DROP DATABASE IF EXISTS %s", name);
    sql("postgres", q);
    snprintf(q, sizeof q, "CREATE DATABASE %s", name);
    sql("postgres", q);
}

/* The rows of a query as "a|b|c\n" (NULL for nulls). */
static char *rows(const char *db, const char *q)
{
    PGconn *c = admin(db);
    PGresult *r = PQexec(c, q);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) fail_msg("%s: %s", q, PQerrorMessage(c));
    strbuf out = STRBUF_INIT;
    sb_puts(&out, "");
    for (int i = 0; i < PQntuples(r); i++) {
        for (int j = 0; j < PQnfields(r); j++)
            sb_printf(&out, "%s%s", j ? "|" : "",
                      PQgetisnull(r, i, j) ? "NULL" : PQgetvalue(r, i, j));
        sb_putc(&out, '\n');
    }
    PQclear(r);
    PQfinish(c);
    return sb_detach(&out);
}

#define assert_rows(db, q, expect)                                                                 \
    do {                                                                                           \
        char *got_ = rows(db, q);                                                                  \
        assert_string_equal(got_, expect);                                                         \
        free(got_);                                                                                \
    } while (0)

/* A configuration with the sink object given; devices of every role. */
static mdc_config *load(const char *sink, mdc_err *err)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"timezone\": \"Asia/Kolkata\", \"shifts\": [{\"id\": 1, \"start\": \"06:00\"}, "
             "{\"id\": 2, \"start\": \"14:00\"}, {\"id\": 3, \"start\": \"22:00\"}], "
             "\"sinks\": [%s], \"devices\": ["
             "{\"id\": \"ems-1\", \"machine_id\": 1, \"driver\": \"modbus\"},"
             "{\"id\": \"ems-2\", \"machine_id\": 2, \"driver\": \"modbus\"},"
             "{\"id\": \"cnc-2\", \"machine_id\": 2, \"driver\": \"lsv2\"},"
             "{\"id\": \"cnc-3\", \"machine_id\": 2, \"driver\": \"lsv2\"},"
             "{\"id\": \"nomachine\", \"driver\": \"modbus\"}]}",
             sink);
    mdc_config *cfg;
    if (mdc_config_load_string("mdc.json", text, strlen(text), NULL, &cfg, err) < 0) return NULL;
    return cfg;
}

static mdc_sink *build(mdc_config *cfg, mdc_err *err)
{
    mdc_sink *s = NULL;
    if (mdc_sink_build(&cfg->sinks[0], cfg, &s, err) < 0) return NULL;
    return s;
}

static void expect_config_error(const char *sink, const char *want)
{
    mdc_err err = {0};
    mdc_config *cfg = load(sink, &err);
    if (!cfg) fail_msg("%s", err.msg);
    assert_null(build(cfg, &err));
    assert_string_equal(err.msg, want);
    mdc_config_free(cfg);
}

/* ---- without a server ---- */

static void test_config_errors(void **state)
{
    (void)state;
    expect_config_error("{\"type\": \"postgres\", \"schema\": \"belmc\"}",
                        "mdc.json:1:139: sinks[0]: name the devices to write: \"ems_devices\" "
                        "and/or \"production_devices\"");
    expect_config_error(
        "{\"type\": \"postgres\", \"schema\": \"belmc\", \"ems_devices\": [\"ems-9\"]}",
        "mdc.json:1:179: sinks[0].ems_devices: no device \"ems-9\" in \"devices\"");
    expect_config_error(
        "{\"type\": \"postgres\", \"schema\": \"belmc\", \"ems_devices\": [\"nomachine\"]}",
        "mdc.json:1:179: sinks[0].ems_devices: device \"nomachine\" has no \"machine_id\" "
        "(BELmc's tables are keyed by it)");
    expect_config_error("{\"type\": \"postgres\", \"schema\": \"belmc\", \"production_devices\": "
                        "[\"cnc-2\", \"cnc-3\"]}",
                        "mdc.json:1:179: sinks[0].production_devices: devices \"cnc-2\" and "
                        "\"cnc-3\" are both machine 2; one device must own a machine's rows");
    expect_config_error("{\"type\": \"postgres\", \"schema\": \"belmc\", \"production_devices\": "
                        "[\"cnc-2\"], \"close_downtime_on_production\": [\"ems-1\"]}",
                        "mdc.json:1:212: sinks[0].close_downtime_on_production: device \"ems-1\" "
                        "is not in \"production_devices\"");
    expect_config_error("{\"type\": \"postgres\", \"ems_devices\": [\"ems-1\"]}",
                        "mdc.json:1:160: sinks[0].ems_devices: only for \"schema\": \"belmc\"");
    expect_config_error("{\"type\": \"postgres\", \"pg_schema\": \"My-Schema\"}",
                        "mdc.json:1:160: sinks[0].pg_schema: \"My-Schema\" is not a plain "
                        "PostgreSQL name: use lowercase letters, digits and '_' (not starting "
                        "with a digit), at most 63 characters");
    expect_config_error("{\"type\": \"postgres\", \"timezone\": \"Mars/Olympus\"}",
                        "mdc.json:1:160: sinks[0].timezone: unknown time zone 'Mars/Olympus': no "
                        "such file /usr/share/zoneinfo/Mars/Olympus; use an IANA name such as "
                        "Europe/Berlin");
    expect_config_error("{\"type\": \"postgres\", \"port\": \"54x\"}",
                        "mdc.json:1:160: sinks[0].port: expected a port number 1..65535, got "
                        "\"54x\"");
    expect_config_error("{\"type\": \"postgres\", \"sslmode\": \"always\"}",
                        "mdc.json:1:160: sinks[0].sslmode: unknown value \"always\"; allowed: "
                        "disable, allow, prefer, require, verify-ca, verify-full");
}

/* The sink id names the destination, never the password; DB_* apply without a conninfo. */
static void test_id_and_env(void **state)
{
    (void)state;
    mdc_err err = {0};
    static const char *const pg[] = {"PGHOST", "PGPORT", "PGDATABASE", "PGUSER"};
    char *saved[4];
    for (int i = 0; i < 4; i++) {
        saved[i] = getenv(pg[i]) ? strdup(getenv(pg[i])) : NULL;
        unsetenv(pg[i]);
    }
    setenv("DB_HOST", "db.example", 1);
    setenv("DB_NAME", "BEL_MES", 1);
    setenv("DB_PASSWORD", "hunter2-db", 1);
    mdc_config *cfg = load("{\"type\": \"postgres\", \"user\": \"mes\"}", &err);
    mdc_sink *s = build(cfg, &err);
    assert_non_null(s);
    assert_string_equal(s->id, "postgres(mdc) db.example:5432/BEL_MES as mes, schema mdc");
    mdc_sink_destroy(s);
    mdc_config_free(cfg);
    cfg = load("{\"type\": \"postgres\", \"schema\": \"belmc\", \"conninfo\": "
               "\"postgresql://mes:pw-in-uri@127.0.0.1:5999/plant\", \"production_devices\": "
               "[\"cnc-2\"]}",
               &err);
    s = build(cfg, &err);
    assert_non_null(s);
    assert_string_equal(s->id, "postgres(belmc) 127.0.0.1:5999/plant as mes");
    mdc_sink_destroy(s);
    mdc_config_free(cfg);
    unsetenv("DB_HOST");
    unsetenv("DB_NAME");
    unsetenv("DB_PASSWORD");
    for (int i = 0; i < 4; i++) {
        if (saved[i]) setenv(pg[i], saved[i], 1);
        free(saved[i]);
    }
}

/* open() fails fast and clearly; libpq's message never carries the password. */
static void test_connect_errors(void **state)
{
    (void)state;
    mdc_err err = {0};
    mdc_config *cfg = load("{\"type\": \"postgres\", \"conninfo\": \"host=127.0.0.1 port=1 "
                           "dbname=x user=u password=Sup3rSecret connect_timeout=2\"}",
                           &err);
    mdc_sink *s = build(cfg, &err);
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_non_null(strstr(err.msg, "cannot connect to PostgreSQL at 127.0.0.1:1/x as u: "));
    assert_null(strstr(err.msg, "Sup3rSecret"));
    mdc_sink_destroy(s);
    mdc_config_free(cfg);
    /* a malformed URI: libpq echoes parts of it */
    cfg = load("{\"type\": \"postgres\", \"conninfo\": \"postgresql://u:Pa%zzword@127.0.0.1:1/x\"}",
               &err);
    s = build(cfg, &err);
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_null(strstr(err.msg, "Pa%zzword"));
    assert_null(strstr(err.msg, "zzword"));
    mdc_sink_destroy(s);
    mdc_config_free(cfg);
}

static void test_durations(void **state)
{
    (void)state;
    double out[3];
    /* a row before the shift, two inside; the end clips */
    double t[] = {-100, 60, 90};
    int st[] = {0, 2, 1};
    mdc_pg_status_durations(t, st, 3, 120, out);
    assert_true(out[0] == 60 && out[2] == 30 && out[1] == 30);
    /* the machine's first row inside the shift: no time before it */
    double t2[] = {30};
    int st2[] = {1};
    mdc_pg_status_durations(t2, st2, 1, 100, out);
    assert_true(out[0] == 0 && out[1] == 70 && out[2] == 0);
    mdc_pg_status_durations(NULL, NULL, 0, 100, out);
    assert_true(out[0] == 0 && out[1] == 0 && out[2] == 0);
    char b[32];
    mdc_pg_format_duration(3725.9, b, sizeof b);
    assert_string_equal(b, "01:02:05");
    mdc_pg_format_duration(90000, b, sizeof b);
    assert_string_equal(b, "24:00:00");
    mdc_pg_format_duration(-3, b, sizeof b);
    assert_string_equal(b, "00:00:00");
}

/* ---- with a server ---- */

#define H     (INT64_C(3600) * MDC_US_PER_SEC)
#define MIN   (INT64_C(60) * MDC_US_PER_SEC)
#define SEC   MDC_US_PER_SEC
#define DAY22 (INT64_C(1795305600) * MDC_US_PER_SEC) /* 2026-11-22T00:00:00Z */
/* IST wall time on 2026-11-22 (day 0) or 23 (day 1) → UTC us */
#define IST(day, h, m, s) (DAY22 + (day)*24 * H + (h)*H + (m)*MIN + (s)*SEC - 330 * MIN)

typedef struct env {
    mdc_config *cfg;
    mdc_sink *sink;
    mdc_shift_ctx shifts;
    int starts[3], ids[3];
    int64_t seq;
} env;

static void env_open(env *e, const char *sink_json, uint64_t epoch)
{
    mdc_err err = {0};
    e->cfg = load(sink_json, &err);
    if (!e->cfg) fail_msg("%s", err.msg);
    e->sink = build(e->cfg, &err);
    if (!e->sink) fail_msg("%s", err.msg);
    if (e->sink->ops->open(e->sink, &err) < 0) fail_msg("%s", err.msg);
    e->sink->ops->committed_seq(e->sink, epoch);
    for (int i = 0; i < 3; i++) {
        e->starts[i] = e->cfg->shifts[i].start_min;
        e->ids[i] = e->cfg->shifts[i].id;
    }
    e->shifts = (mdc_shift_ctx){.tz = e->cfg->tz, .starts_min = e->starts, .ids = e->ids, .n = 3};
}

static void env_close(env *e)
{
    mdc_sink_destroy(e->sink);
    mdc_config_free(e->cfg);
}

static void base(env *e, mdc_record *r, const char *device, int64_t machine, int64_t ts, int status)
{
    mdc_record_init(r);
    r->seq = ++e->seq;
    r->ts_us = ts;
    mdc_record_set_device(r, device);
    r->has_machine_id = true;
    r->machine_id = machine;
    r->status = status;
}

static void add_shift(env *e, mdc_record *r)
{
    int64_t start;
    int id = mdc_shift_of(&e->shifts, r->ts_us, &start);
    r->shift_start_us = start;
    mdc_record_add_int(r, "shift", id);
}

/* An EMS sample: power, frequency, energy and its delta (NAN: unreachable). */
static void ems(env *e, mdc_record *r, const char *dev, int64_t machine, int64_t ts, int status,
                double power, double energy, double delta)
{
    base(e, r, dev, machine, ts, status);
    if (isnan(power)) {
        mdc_record_add_null(r, "phase_a_voltage", NULL);
        mdc_record_add_null(r, "frequency", NULL);
        mdc_record_add_null(r, "total_instantaneous_power", NULL);
        mdc_record_add_null(r, "active_energy_delivered", NULL);
        mdc_record_add_null(r, "energy_delta_kwh", NULL);
        mdc_record_set_error(r, "unit 1: timeout after 1000 ms");
    } else {
        mdc_record_add_double(r, "phase_a_voltage", 230.1);
        mdc_record_add_double(r, "frequency", status ? 50.0 : 0.0);
        mdc_record_add_double(r, "total_instantaneous_power", power);
        mdc_record_add_double(r, "active_energy_delivered", energy);
        mdc_record_add_double(r, "energy_delta_kwh", delta);
    }
    add_shift(e, r);
}

/* A CNC poll (op_mode < -1: unreachable). */
static void cnc(env *e, mdc_record *r, const char *dev, int64_t machine, int64_t ts, int status,
                int op_mode, int prog_status, const char *program, int parts)
{
    base(e, r, dev, machine, ts, status);
    if (op_mode < -1) {
        mdc_record_add_null(r, "op_mode", NULL);
        mdc_record_add_null(r, "prog_status", NULL);
        mdc_record_add_null(r, "selected_program", NULL);
        mdc_record_add_null(r, "active_program", NULL);
        mdc_record_add_null(r, "part_count_delta", NULL);
        mdc_record_set_error(r, "connection refused");
    } else {
        mdc_record_add_int(r, "op_mode", op_mode);
        mdc_record_add_int(r, "prog_status", prog_status);
        mdc_record_add_string(r, "selected_program", program);
        mdc_record_add_string(r, "active_program", program);
        mdc_record_add_int(r, "part_count_delta", parts);
    }
    add_shift(e, r);
}

static void put(env *e, mdc_record *r, size_t n)
{
    const mdc_record **p = calloc(n, sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = &r[i];
    mdc_err err = {0};
    if (mdc_sink_write(e->sink, p, n, NULL, &err) < 0) fail_msg("%s", err.msg);
    free(p);
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&r[i]);
}

#define BELMC_SINK(db)                                                                             \
    "{\"type\": \"postgres\", \"schema\": \"belmc\", \"dbname\": \"" db "\", "                     \
    "\"ems_devices\": [\"ems-1\", \"ems-2\"], \"production_devices\": [\"ems-1\", \"cnc-2\"], "    \
    "\"close_downtime_on_production\": [\"cnc-2\"]}"

/* Energy across a shift boundary and midnight, a late sample of a closed day, status changes,
 * a disconnection and a return. */
static void test_belmc_ems(void **state)
{
    (void)state;
    if (!have_server()) skip();
    fresh_db("belmc_ems");
    env e = {0};
    env_open(&e, BELMC_SINK("belmc_ems"), 7);
    mdc_record r[4];
    ems(&e, &r[0], "ems-1", 1, IST(0, 13, 59, 0), 2, 6.0, 100.0, 0.0);
    ems(&e, &r[1], "ems-1", 1, IST(0, 13, 59, 30), 2, 6.0, 100.25, 0.25);
    ems(&e, &r[2], "ems-1", 1, IST(0, 14, 0, 30), 1, 0.8, 100.75, 0.5);
    ems(&e, &r[3], "ems-2", 2, IST(0, 23, 0, 0), 1, 0.5, 10.0, 0.1);
    put(&e, r, 4);
    ems(&e, &r[0], "ems-1", 1, IST(0, 23, 59, 50), 1, 0.8, 100.875, 0.125);
    ems(&e, &r[1], "ems-1", 1, IST(1, 0, 0, 10), 1, 0.8, 100.9375, 0.0625);
    ems(&e, &r[2], "ems-2", 2, IST(0, 23, 59, 58), 1, 0.5, 10.2, 0.2); /* late: after midnight's */
    put(&e, r, 3);
    ems(&e, &r[0], "ems-1", 1, IST(1, 0, 1, 0), 0, NAN, 0, 0);
    ems(&e, &r[1], "ems-1", 1, IST(1, 0, 1, 30), 0, NAN, 0, 0);
    ems(&e, &r[2], "ems-1", 1, IST(1, 0, 2, 0), 2, 5.0, 101.0, 0.0625);
    put(&e, r, 3);

    const char *db = "belmc_ems";
    assert_rows(db,
                "SELECT machine_id, timestamp, phase_a_voltage, frequency, "
                "total_instantaneous_power, active_energy_delivered, power_factor FROM "
                "ems.machine_ems_history ORDER BY id",
                "1|2026-11-22 13:59:00|230.1|50|6|100|NULL\n"
                "1|2026-11-22 13:59:30|230.1|50|6|100.25|NULL\n"
                "1|2026-11-22 14:00:30|230.1|50|0.8|100.75|NULL\n"
                "2|2026-11-22 23:00:00|230.1|50|0.5|10|NULL\n"
                "1|2026-11-22 23:59:50|230.1|50|0.8|100.875|NULL\n"
                "1|2026-11-23 00:00:10|230.1|50|0.8|100.9375|NULL\n"
                "2|2026-11-22 23:59:58|230.1|50|0.5|10.2|NULL\n"
                "1|2026-11-23 00:02:00|230.1|50|5|101|NULL\n");
    assert_rows(db,
                "SELECT machine_id, timestamp, status, total_instantaneous_power FROM "
                "ems.machine_ems_live ORDER BY machine_id",
                "1|2026-11-23 00:02:00|2|5\n"
                "2|2026-11-22 23:59:58|1|0.5\n");
    assert_rows(db,
                "SELECT timestamp, machine_id, status FROM ems.ems_machine_status_history "
                "ORDER BY id",
                "2026-11-22 13:59:00|1|2\n"
                "2026-11-22 14:00:30|1|1\n"
                "2026-11-22 23:00:00|2|1\n"
                "2026-11-23 00:02:00|1|2\n");
    /* the closed day, labelled with its own date at 06:00; machine 2's late sample added */
    assert_rows(db,
                "SELECT timestamp, machine_id, first_shift, second_shift, third_shift, "
                "total_energy FROM ems.shiftwise_energy_history ORDER BY id",
                "2026-11-22 06:00:00|1|0.25|0.5|0.125|0.875\n"
                "2026-11-22 06:00:00|2|0|0|0.3|0.3\n");
    assert_rows(db,
                "SELECT timestamp, machine_id, first_shift, second_shift, third_shift, "
                "total_energy FROM ems.shiftwise_energy_live ORDER BY machine_id",
                "2026-11-23 00:02:00|1|0|0|0.125|0.125\n"
                "2026-11-23 00:00:10|2|0|0|0|0\n");
    /* machine 1's production rows come from its meter (BELmc's EMS-owned machines), with
     * prog_status, part_count and part_status NULL as BELmc writes them */
    assert_rows(db,
                "SELECT timestamp, status, op_mode, prog_status, selected_program, "
                "active_program, program_number, part_count, part_status FROM "
                "production.machine_raw WHERE machine_id = 1 ORDER BY id",
                "2026-11-22 13:59:00|2|-1|NULL||||NULL|NULL\n"
                "2026-11-22 14:00:30|1|-1|NULL||||NULL|NULL\n"
                "2026-11-23 00:01:00|0|-1|NULL||||NULL|NULL\n"
                "2026-11-23 00:02:00|2|-1|NULL||||NULL|NULL\n");
    assert_rows(db,
                "SELECT timestamp, status, op_mode, prog_status, part_count FROM "
                "production.machine_raw_live WHERE machine_id = 1",
                "2026-11-23 00:02:00|2|-1|-1|0\n");
    assert_rows(db,
                "SELECT machine_id, open_dt, closed_dt FROM production.machine_downtimes ORDER "
                "BY id",
                "1|2026-11-23 00:01:00|NULL\n");
    assert_rows(db,
                "SELECT machine_id, shift, timestamp, updatedate, off_time, idle_time, "
                "production_time, total_parts, oee FROM production.shift_summary WHERE "
                "machine_id = 1 ORDER BY id",
                "1|1|2026-11-22 06:00:00|2026-11-22 13:59:30|00:00:00|00:00:00|00:00:30|0|0.00\n"
                "1|2|2026-11-22 14:00:00|2026-11-22 14:00:30|00:00:00|00:00:00|00:00:30|0|0.00\n"
                "1|3|2026-11-22 22:00:00|2026-11-23 00:02:00|00:01:00|02:01:00|00:00:00|0|0.00\n");
    assert_rows(db, "SELECT sink, epoch, last_seq FROM mdc.sink_state", "belmc|7|10\n");
    /* seeds: the configured shifts and machines */
    assert_rows(db, "SELECT id, start_time, end_time FROM production.shift_info ORDER BY id",
                "1|06:00:00|14:00:00\n2|14:00:00|22:00:00\n3|22:00:00|06:00:00\n");
    assert_rows(db,
                "SELECT machine_id, shift_duration, planned_non_production_time, "
                "planned_downtime FROM production.config_info ORDER BY machine_id",
                "1|480|40|40\n2|480|40|40\n");
    assert_rows(db, "SELECT status_id, status_name FROM production.status_lookup ORDER BY 1",
                "0|OFF\n1|ON\n2|PRODUCTION\n");
    assert_rows(db, "SELECT kind, key, instance FROM mdc.owners ORDER BY 1, 2",
                "ems|1|\nems|2|\nproduction|1|\nproduction|2|\n");
    env_close(&e);
}

/* A CNC owned by its own collector: insert-on-change, parts one poll late in the history,
 * API-owned columns untouched, downtime opened on disconnection and closed on PRODUCTION. */
static void test_belmc_production(void **state)
{
    (void)state;
    if (!have_server()) skip();
    const char *db = "belmc_prod";
    fresh_db(db);
    /* an existing BELmc database: the API's operations table and the seed's UNIQUE constraint */
    sql(db, "CREATE SCHEMA master_order; CREATE TABLE master_order.operations(id serial PRIMARY "
            "KEY); INSERT INTO master_order.operations SELECT generate_series(1, 10);"
            "CREATE SCHEMA ems; CREATE TABLE ems.ems_machine_status_history(id serial PRIMARY "
            "KEY, timestamp timestamp NOT NULL, machine_id integer UNIQUE NOT NULL, status int)");
    env e = {0};
    env_open(&e, BELMC_SINK("belmc_prod"), 7);
    mdc_record r[4];
    cnc(&e, &r[0], "cnc-2", 2, IST(0, 13, 59, 10), 2, 4, 0, "MAIN.H", 0);
    put(&e, r, 1);
    /* the operator starts a job: the API writes these columns */
    sql(db, "UPDATE production.machine_raw_live SET actual_job = 5, scheduled_job = 6, "
            "job_status = 3, job_in_progress = 9 WHERE machine_id = 2");
    cnc(&e, &r[0], "cnc-2", 2, IST(0, 13, 59, 20), 2, 4, 0, "MAIN.H", 1);
    cnc(&e, &r[1], "cnc-2", 2, IST(0, 13, 59, 40), 2, 4, 0, "MAIN.H", 0);
    cnc(&e, &r[2], "cnc-2", 2, IST(0, 14, 0, 40), 0, -2, 0, NULL, 0);
    cnc(&e, &r[3], "cnc-2", 2, IST(0, 14, 1, 0), 1, 0, 7, "", 0);
    put(&e, r, 4);
    cnc(&e, &r[0], "cnc-2", 2, IST(0, 14, 2, 0), 2, 4, 0, "OTHER.H", 2);
    ems(&e, &r[1], "ems-2", 2, IST(0, 14, 2, 1), 2, 6.0, 1.0, 0.0);
    ems(&e, &r[2], "ems-2", 2, IST(0, 14, 2, 2), 1, 0.6, 1.0, 0.0);
    ems(&e, &r[3], "ems-2", 2, IST(0, 14, 2, 3), 2, 6.0, 1.0, 0.0);
    put(&e, r, 4);

    assert_rows(db,
                "SELECT timestamp, status, op_mode, prog_status, selected_program, part_count, "
                "part_status, scheduled_job, actual_job FROM production.machine_raw ORDER BY id",
                "2026-11-22 13:59:10|2|4|0|MAIN.H|0|0|NULL|NULL\n"
                "2026-11-22 13:59:20|2|4|0|MAIN.H|0|0|6|5\n"
                "2026-11-22 13:59:40|2|4|0|MAIN.H|1|0|6|5\n"
                "2026-11-22 14:00:40|0|-1|NULL||NULL|NULL|NULL|NULL\n"
                "2026-11-22 14:01:00|1|0|7||0|0|6|5\n"
                "2026-11-22 14:02:00|2|4|0|OTHER.H|0|0|6|5\n");
    assert_rows(db,
                "SELECT timestamp, status, op_mode, prog_status, selected_program, "
                "active_program, part_count, actual_job, scheduled_job, job_status, "
                "job_in_progress FROM production.machine_raw_live",
                "2026-11-22 14:02:00|2|4|0|OTHER.H|OTHER.H|2|5|6|3|9\n");
    assert_rows(db, "SELECT open_dt, closed_dt FROM production.machine_downtimes",
                "2026-11-22 14:00:40|2026-11-22 14:02:00\n");
    assert_rows(db,
                "SELECT shift, timestamp, off_time, idle_time, production_time FROM "
                "production.shift_summary ORDER BY id",
                "1|2026-11-22 06:00:00|00:00:00|00:00:00|00:00:30\n"
                "2|2026-11-22 14:00:00|00:00:20|00:01:00|00:00:40\n");
    /* UNIQUE(machine_id) kept: the latest status change of each machine */
    assert_rows(db, "SELECT timestamp, machine_id, status FROM ems.ems_machine_status_history",
                "2026-11-22 14:02:03|2|2\n");
    /* the job columns reference the API's operations */
    assert_rows(db,
                "SELECT count(*) FROM pg_constraint WHERE conrelid = "
                "'production.machine_raw_live'::regclass AND contype = 'f'",
                "3\n");
    env_close(&e);
}

#define MDC_SINK(db) "{\"type\": \"postgres\", \"dbname\": \"" db "\", \"pg_schema\": \"store\"}"

static void meter(env *e, mdc_record *r, int64_t ts, int status, double power, double shift_e,
                  int64_t parts)
{
    base(e, r, "meter-1", 1, ts, status);
    if (power < 0) {
        mdc_record_add_null(r, "power_kw", NULL);
        mdc_record_set_error(r, "timeout after 500 ms");
    } else {
        mdc_record_add_double(r, "power_kw", power);
    }
    mdc_record_add_string(r, "program", "A\tB\\C\nD");
    mdc_record_add_int(r, "part_count_delta", parts);
    add_shift(e, r);
    mdc_record_add_double(r, "shift_energy_kwh", shift_e);
}

/* mdc's own tables: the embedded store's rows (test_sink_store.c), replays, epochs. */
static void test_mdc_schema(void **state)
{
    (void)state;
    if (!have_server()) skip();
    const char *db = "mdc_store";
    fresh_db(db);
    env e = {0};
    env_open(&e, MDC_SINK("mdc_store"), 77);
    mdc_record r[4];
    meter(&e, &r[0], IST(0, 13, 58, 0), 1, 0.8, 1.5, 0);
    meter(&e, &r[1], IST(0, 13, 59, 0), 2, 6.1, 1.6, 1);
    put(&e, r, 2);
    meter(&e, &r[0], IST(0, 14, 0, 0), 2, 6.2, 0.1, 0);
    meter(&e, &r[1], IST(0, 14, 1, 0), 0, -1, 0.1, 0);
    put(&e, r, 2);
    assert_rows(db, "SELECT id, machine_id, first_seen, last_seen FROM store.devices",
                "meter-1|1|2026-11-22 08:28:00+00|2026-11-22 08:31:00+00\n");
    assert_rows(db,
                "SELECT ts, name, value, value_text, error FROM store.samples WHERE name IN "
                "('power_kw', 'program') ORDER BY id, name",
                "2026-11-22 08:28:00+00|power_kw|0.8|NULL|NULL\n"
                "2026-11-22 08:28:00+00|program|NULL|A\tB\\C\nD|NULL\n"
                "2026-11-22 08:29:00+00|power_kw|6.1|NULL|NULL\n"
                "2026-11-22 08:29:00+00|program|NULL|A\tB\\C\nD|NULL\n"
                "2026-11-22 08:30:00+00|power_kw|6.2|NULL|NULL\n"
                "2026-11-22 08:30:00+00|program|NULL|A\tB\\C\nD|NULL\n"
                "2026-11-22 08:31:00+00|power_kw|NULL|NULL|NULL\n"
                "2026-11-22 08:31:00+00|program|NULL|A\tB\\C\nD|NULL\n");
    assert_rows(db, "SELECT count(*) FROM store.samples", "20\n");
    /* a row per record, its values one json object in the record's order */
    assert_rows(db, "SELECT device, ts, fields, errors FROM store.records ORDER BY id DESC LIMIT 1",
                "meter-1|2026-11-22 08:31:00+00|{\"power_kw\":null,\"program\":"
                "\"A\\tB\\\\C\\nD\",\"part_count_delta\":0,\"shift\":2,"
                "\"shift_energy_kwh\":0.1}|NULL\n");
    assert_rows(db, "SELECT ts, status, previous, error FROM store.status_history ORDER BY id",
                "2026-11-22 08:28:00+00|1|NULL|NULL\n"
                "2026-11-22 08:29:00+00|2|1|NULL\n"
                "2026-11-22 08:31:00+00|0|2|timeout after 500 ms\n");
    assert_rows(db, "SELECT device, ts, status, error, record->>'shift' FROM store.live",
                "meter-1|2026-11-22 08:31:00+00|0|timeout after 500 ms|2\n");
    assert_rows(db,
                "SELECT shift_start, shift, energy_kwh, closed FROM store.shift_energy ORDER BY "
                "shift_start",
                "2026-11-22 00:30:00+00|1|1.6|t\n"
                "2026-11-22 08:30:00+00|2|0.1|f\n");
    assert_rows(db, "SELECT ts, count FROM store.part_events", "2026-11-22 08:29:00+00|1\n");
    assert_rows(db, "SELECT sink, epoch, last_seq FROM store.sink_state", "mdc|77|4\n");
    assert_rows(db, "SELECT version FROM store.schema_migrations ORDER BY 1", "1\n2\n3\n4\n");

    /* reopen (a crash, a lost COMMIT reply): records up to 4 are skipped, 5 is new */
    mdc_err err = {0};
    e.sink->ops->close(e.sink);
    assert_int_equal(e.sink->ops->open(e.sink, &err), 0);
    e.seq = 3;
    meter(&e, &r[0], IST(0, 14, 1, 0), 0, -1, 0.1, 0);
    meter(&e, &r[1], IST(0, 14, 2, 0), 1, 0.9, 0.2, 0);
    put(&e, r, 2);
    assert_rows(db, "SELECT count(*) FROM store.samples", "25\n");
    assert_rows(db, "SELECT last_seq FROM store.sink_state", "5\n");
    /* a second sink instance on the same spool epoch */
    env f = {0};
    env_open(&f, MDC_SINK("mdc_store"), 77);
    assert_int_equal(f.sink->ops->committed_seq(f.sink, 77), 5);
    /* a new spool epoch: nothing is skipped, its own position row */
    assert_int_equal(f.sink->ops->committed_seq(f.sink, 99), -1);
    f.seq = 0;
    meter(&f, &r[0], IST(0, 14, 3, 0), 1, 0.9, 0.2, 0);
    put(&f, r, 1);
    assert_rows(db, "SELECT epoch, last_seq FROM store.sink_state ORDER BY epoch", "77|5\n99|1\n");
    env_close(&f);
    env_close(&e);
}

/* Schema version 2 of mdc's tables (a row per value in samples), as an mdc of that version
 * left them: migration 3 moves every value into its record's row, in order. */
static void test_mdc_migration(void **state)
{
    (void)state;
    if (!have_server()) skip();
    const char *db = "mdc_migrate";
    fresh_db(db);
    sql(db, "CREATE SCHEMA store; CREATE TABLE store.schema_migrations(version integer PRIMARY "
            "KEY, applied timestamptz NOT NULL DEFAULT now()); INSERT INTO "
            "store.schema_migrations(version) VALUES (1), (2);"
            "CREATE TABLE store.samples(id bigint GENERATED BY DEFAULT AS IDENTITY, device text "
            "NOT NULL, ts timestamptz NOT NULL, name text NOT NULL, value double precision, "
            "value_text text, error text);"
            "CREATE INDEX samples_device_ts ON store.samples(device, ts);"
            "CREATE TABLE store.devices(id text PRIMARY KEY, machine_id bigint, first_seen "
            "timestamptz NOT NULL, last_seen timestamptz NOT NULL);"
            "CREATE TABLE store.live(device text PRIMARY KEY, ts timestamptz NOT NULL, status "
            "integer, error text, record jsonb NOT NULL);"
            "CREATE TABLE store.status_history(id bigint GENERATED BY DEFAULT AS IDENTITY, device "
            "text NOT NULL, ts timestamptz NOT NULL, status integer NOT NULL, previous integer, "
            "error text);"
            "CREATE TABLE store.shift_energy(device text NOT NULL, shift_start timestamptz NOT "
            "NULL, shift integer NOT NULL, energy_kwh double precision, parts bigint, closed "
            "boolean NOT NULL DEFAULT false, updated timestamptz NOT NULL, PRIMARY KEY(device, "
            "shift_start));"
            "CREATE TABLE store.part_events(device text NOT NULL, ts timestamptz NOT NULL, count "
            "bigint NOT NULL);"
            "INSERT INTO store.samples(device, ts, name, value, value_text, error) VALUES "
            "('cnc-1', '2026-11-22 08:30:00+00', 'program', NULL, 'PART \"7\".H', NULL),"
            "('cnc-1', '2026-11-22 08:30:00+00', 'spindle', 1, NULL, NULL),"
            "('meter-1', '2026-11-22 08:30:00.1+00', 'voltage_l1', 230.5, NULL, NULL),"
            "('meter-1', '2026-11-22 08:30:00.1+00', 'energy_kwh', NULL, NULL, 'exception 2'),"
            "('cnc-1', '2026-11-22 08:30:01+00', 'spindle', 0, NULL, NULL);"
            "INSERT INTO store.live VALUES ('cnc-1', '2026-11-22 08:30:01+00', 1, NULL, "
            "'{\"device\": \"cnc-1\", \"fields\": {\"spindle\": 0}}')");
    env e = {0};
    env_open(&e, MDC_SINK("mdc_migrate"), 7);
    env_close(&e);
    assert_rows(db, "SELECT version FROM store.schema_migrations ORDER BY 1", "1\n2\n3\n4\n");
    assert_rows(db, "SELECT id, device, ts, fields, errors FROM store.records ORDER BY id",
                "1|cnc-1|2026-11-22 08:30:00+00|{ \"program\" : \"PART \\\"7\\\".H\", "
                "\"spindle\" : 1 }|NULL\n"
                "2|meter-1|2026-11-22 08:30:00.1+00|{ \"voltage_l1\" : 230.5, \"energy_kwh\" : "
                "null }|{ \"energy_kwh\" : \"exception 2\" }\n"
                "3|cnc-1|2026-11-22 08:30:01+00|{ \"spindle\" : 0 }|NULL\n");
    assert_rows(db,
                "SELECT id, device, name, value, value_text, error FROM store.samples ORDER BY "
                "id, name",
                "1|cnc-1|program|NULL|PART \"7\".H|NULL\n"
                "1|cnc-1|spindle|1|NULL|NULL\n"
                "2|meter-1|energy_kwh|NULL|NULL|exception 2\n"
                "2|meter-1|voltage_l1|230.5|NULL|NULL\n"
                "3|cnc-1|spindle|0|NULL|NULL\n");
    /* migration 4: live.record becomes json, with jsonb's text of the record */
    assert_rows(db,
                "SELECT pg_typeof(record), record, record->'fields'->>'spindle' FROM store.live",
                "json|{\"device\": \"cnc-1\", \"fields\": {\"spindle\": 0}}|0\n");
}

/* Writes recs[from, to) and returns write()'s rc; *res and *err get its verdict. */
static int write_some(env *e, mdc_record *recs, size_t from, size_t to, mdc_sink_result *res,
                      mdc_err *err)
{
    const mdc_record *p[16];
    for (size_t i = from; i < to; i++)
        p[i - from] = &recs[i];
    memset(err, 0, sizeof *err);
    return mdc_sink_write(e->sink, p, to - from, res, err);
}

#define EXPECT_WRITE(e, recs, from, to, want_rc, want_n, want_reason)                              \
    do {                                                                                           \
        mdc_sink_result res_ = {0};                                                                \
        mdc_err err_ = {0};                                                                        \
        int rc_ = write_some(e, recs, from, to, &res_, &err_);                                     \
        if (rc_ != (want_rc)) fail_msg("write [%d, %d): rc %d (%s)", from, to, rc_, err_.msg);     \
        assert_int_equal(res_.delivered, want_n);                                                  \
        if (want_reason) {                                                                         \
            assert_true(res_.rejected);                                                            \
            assert_string_equal(res_.reason, (const char *)(want_reason));                         \
        } else {                                                                                   \
            assert_false(res_.rejected);                                                           \
        }                                                                                          \
    } while (0)

static void free_all(mdc_record *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mdc_record_free(&r[i]);
}

/* mdc's tables: a record PostgreSQL refuses in the middle of a batch (a time before 4713 BC).
 * The records before it are committed with the position, it is reported rejected as "data",
 * the records after it arrive once; replays write nothing twice, also after a reconnect. A
 * temporary failure (a missing table) commits nothing and rejects nothing. */
static void test_mdc_poison(void **state)
{
    (void)state;
    if (!have_server()) skip();
    const char *db = "mdc_poison";
    fresh_db(db);
    env e = {0};
    env_open(&e, MDC_SINK("mdc_poison"), 5);
    mdc_record r[6];
    for (int i = 0; i < 6; i++)
        meter(&e, &r[i], IST(0, 13, 50 + i, 0), 1, 1.0 + i, 0.5, 0);
    r[2].ts_us = INT64_MIN / 2; /* about 146,000 BC */
    mdc_sink_result res = {0};
    mdc_err err = {0};
    assert_int_equal(write_some(&e, r, 0, 6, &res, &err), -1);
    assert_int_equal(res.delivered, 2);
    assert_true(res.rejected);
    assert_string_equal(res.reason, "data");
    assert_non_null(strstr(err.msg, "timestamp out of range (SQLSTATE 22008)"));
    const char *power = "SELECT value FROM store.samples WHERE name = 'power_kw' ORDER BY id";
    assert_rows(db, power, "1\n2\n");
    assert_rows(db, "SELECT last_seq FROM store.sink_state", "2\n");
    assert_rows(db, "SELECT sink, epoch, seq FROM store.sink_rejected", "mdc|5|3\n");
    /* the runtime offers it again: refused again, nothing else happens */
    EXPECT_WRITE(&e, r, 2, 6, -1, 0, "data");
    /* ... then dead-letters it and goes on */
    EXPECT_WRITE(&e, r, 3, 6, 0, 3, NULL);
    assert_rows(db, power, "1\n2\n4\n5\n6\n");
    assert_rows(db, "SELECT last_seq FROM store.sink_state", "6\n");
    /* a replay of everything (a lost COMMIT reply): nothing twice, the refused one refused */
    EXPECT_WRITE(&e, r, 0, 6, -1, 2, "data");
    assert_rows(db, power, "1\n2\n4\n5\n6\n");
    assert_rows(db, "SELECT count(*) FROM store.samples", "25\n");
    /* a temporary failure: nothing committed, nothing rejected */
    sql(db, "ALTER TABLE store.live RENAME TO live_away");
    mdc_record more[2];
    e.seq = 6;
    meter(&e, &more[0], IST(0, 14, 0, 0), 2, 7.0, 0.5, 0);
    meter(&e, &more[1], IST(0, 14, 1, 0), 2, 8.0, 0.5, 0);
    EXPECT_WRITE(&e, more, 0, 2, -1, 0, NULL);
    assert_rows(db, "SELECT last_seq FROM store.sink_state", "6\n");
    sql(db, "ALTER TABLE store.live_away RENAME TO live");
    EXPECT_WRITE(&e, more, 0, 2, 0, 2, NULL);
    assert_rows(db, power, "1\n2\n4\n5\n6\n7\n8\n");
    assert_rows(db, "SELECT ts, status, previous FROM store.status_history ORDER BY id",
                "2026-11-22 08:20:00+00|1|NULL\n2026-11-22 08:30:00+00|2|1\n");
    /* a new connection knows what is committed and what is not */
    e.sink->ops->close(e.sink);
    assert_int_equal(e.sink->ops->open(e.sink, &err), 0);
    assert_int_equal(e.sink->ops->committed_seq(e.sink, 5), 8);
    EXPECT_WRITE(&e, r, 0, 6, -1, 2, "data");
    EXPECT_WRITE(&e, more, 0, 2, 0, 2, NULL);
    assert_rows(db, "SELECT count(*) FROM store.samples", "35\n");
    assert_rows(db, "SELECT seq FROM store.sink_rejected", "3\n");
    free_all(r, 6);
    free_all(more, 2);
    env_close(&e);
}

/* BELmc's tables: a part count beyond machine_raw_live's integer ("data") and a status missing
 * from status_lookup ("constraint") in the middle of a batch; what BELmc's rules write for the
 * others is exactly what they write without the poison; a dead letter offered again once the
 * status exists is written once. */
static void test_belmc_poison(void **state)
{
    (void)state;
    if (!have_server()) skip();
    const char *db = "belmc_poison";
    fresh_db(db);
    env e = {0};
    env_open(&e, BELMC_SINK("belmc_poison"), 9);
    mdc_record r[5];
    cnc(&e, &r[0], "cnc-2", 2, IST(0, 14, 0, 0), 2, 4, 0, "MAIN.H", 0);
    cnc(&e, &r[1], "cnc-2", 2, IST(0, 14, 0, 10), 2, 4, 0, "MAIN.H", 1);
    cnc(&e, &r[2], "cnc-2", 2, IST(0, 14, 0, 20), 2, 4, 0, "MAIN.H", 0);
    mdc_record_find(&r[2], "part_count_delta")->v.u.i = INT64_C(3000000000);
    cnc(&e, &r[3], "cnc-2", 2, IST(0, 14, 0, 30), 7, 4, 0, "MAIN.H", 0);
    cnc(&e, &r[4], "cnc-2", 2, IST(0, 14, 0, 40), 1, 4, 7, "MAIN.H", 0);
    mdc_sink_result res = {0};
    mdc_err err = {0};
    assert_int_equal(write_some(&e, r, 0, 5, &res, &err), -1);
    assert_int_equal(res.delivered, 2);
    assert_string_equal(res.reason, "data");
    assert_non_null(strstr(err.msg, "record 3 of cnc-2: "));
    EXPECT_WRITE(&e, r, 2, 5, -1, 0, "data");
    res = (mdc_sink_result){0};
    assert_int_equal(write_some(&e, r, 3, 5, &res, &err), -1);
    assert_int_equal(res.delivered, 0);
    assert_string_equal(res.reason, "constraint");
    assert_non_null(strstr(err.msg, "(SQLSTATE 23503)"));
    EXPECT_WRITE(&e, r, 4, 5, 0, 1, NULL);
    const char *raw =
        "SELECT timestamp, status, part_count FROM production.machine_raw ORDER BY id";
    assert_rows(db, raw, "2026-11-22 14:00:00|2|0\n2026-11-22 14:00:40|1|1\n");
    assert_rows(db, "SELECT status, part_count FROM production.machine_raw_live", "1|1\n");
    assert_rows(db, "SELECT seq FROM mdc.sink_rejected ORDER BY seq", "3\n4\n");
    assert_rows(db, "SELECT last_seq FROM mdc.sink_state", "5\n");
    /* the plant adds the status; `mdc spool retry` offers record 4 again */
    sql(db, "INSERT INTO production.status_lookup VALUES (7, 'SETUP')");
    EXPECT_WRITE(&e, r, 3, 4, 0, 1, NULL);
    EXPECT_WRITE(&e, r, 0, 5, -1, 2, "data"); /* a replay: nothing twice */
    assert_rows(db, raw,
                "2026-11-22 14:00:00|2|0\n2026-11-22 14:00:40|1|1\n2026-11-22 14:00:30|7|1\n");
    assert_rows(db, "SELECT seq FROM mdc.sink_rejected", "3\n");
    free_all(r, 5);
    env_close(&e);
}

/* A sink of instance `instance` claiming `claim` ("device:ID"), schema mdc, opened. */
static mdc_sink *instance_sink(const char *db, const char *instance, const char *claim,
                               mdc_err *err)
{
    const char *claims[] = {claim};
    char ci[64];
    snprintf(ci, sizeof ci, "dbname=%s", db);
    mdc_postgres_sink_cfg c = {.flavour = MDC_PG_MDC,
                               .conn = {.conninfo = ci},
                               .instance = instance,
                               .claims = claims,
                               .nclaims = 1};
    mdc_sink *s;
    if (mdc_sink_postgres_new(&c, &s, err) < 0) fail_msg("%s", err->msg);
    if (s->ops->open(s, err) < 0) {
        mdc_sink_destroy(s);
        return NULL;
    }
    s->ops->committed_seq(s, 7);
    return s;
}

static void one_record(mdc_sink *s, const char *device, int64_t seq, int64_t ts)
{
    mdc_record r;
    mdc_record_init(&r);
    r.seq = seq;
    r.ts_us = ts;
    mdc_record_set_device(&r, device);
    mdc_record_add_double(&r, "power_kw", (double)seq);
    const mdc_record *p = &r;
    mdc_err err = {0};
    if (mdc_sink_write(s, &p, 1, NULL, &err) < 0) fail_msg("%s", err.msg);
    mdc_record_free(&r);
}

/* Two instances, one database: each keeps its own position (even with the same spool epoch
 * and sequence numbers) and claims its devices; a third that claims a device of the first is
 * refused with a message naming both, until the first's configuration lets it go. The
 * "instance" key is checked. */
static void test_instances(void **state)
{
    (void)state;
    mdc_err err = {0};
    mdc_config *cfg;
    const char *bad = "{\"instance\": \"hall 1\"}";
    assert_int_equal(mdc_config_load_string("mdc.json", bad, strlen(bad), NULL, &cfg, &err), -1);
    assert_string_equal(err.msg, "mdc.json:1:2: instance: \"hall 1\" is not a valid instance "
                                 "name; use 1-64 letters, digits, '-', '_' or '.'");
    if (!have_server()) skip();
    const char *db = "instances";
    fresh_db(db);
    mdc_sink *a = instance_sink(db, "hall-1", "device:m1", &err);
    mdc_sink *b = instance_sink(db, "hall-2", "device:m2", &err);
    assert_non_null(a);
    assert_non_null(b);
    one_record(a, "m1", 1, IST(0, 10, 0, 0));
    one_record(b, "m2", 1, IST(0, 10, 0, 0));
    one_record(b, "m2", 2, IST(0, 10, 0, 1));
    one_record(a, "m1", 1, IST(0, 10, 0, 0)); /* a replay: skipped */
    assert_rows(db, "SELECT sink, epoch, last_seq FROM mdc.sink_state ORDER BY sink",
                "hall-1/mdc|7|1\nhall-2/mdc|7|2\n");
    assert_rows(db, "SELECT device, count(*) FROM mdc.samples GROUP BY 1 ORDER BY 1",
                "m1|1\nm2|2\n");
    assert_rows(db, "SELECT kind, key, instance FROM mdc.owners ORDER BY key",
                "device|m1|hall-1\ndevice|m2|hall-2\n");
    assert_null(instance_sink(db, "hall-3", "device:m1", &err));
    assert_string_equal(
        err.msg, "device \"m1\" is written by mdc instance \"hall-1\" too (mdc.owners), this is "
                 "instance \"hall-3\": give each instance its own devices (the \"instance\" key "
                 "names it); to move one, remove it from the other instance's configuration and "
                 "restart that instance, or delete its claim: DELETE FROM mdc.owners WHERE kind "
                 "= 'device' AND key = 'm1'");
    /* hall-1 restarts without m1: the claim goes, hall-3 may have it */
    mdc_sink_destroy(a);
    a = instance_sink(db, "hall-1", "device:m9", &err);
    assert_non_null(a);
    mdc_sink *c = instance_sink(db, "hall-3", "device:m1", &err);
    assert_non_null(c);
    assert_rows(db, "SELECT kind, key, instance FROM mdc.owners ORDER BY key",
                "device|m1|hall-3\ndevice|m2|hall-2\ndevice|m9|hall-1\n");
    mdc_sink_destroy(a);
    mdc_sink_destroy(b);
    mdc_sink_destroy(c);
}

/* Clear errors for a missing database and bad credentials (TCP needs the password). */
static void test_server_errors(void **state)
{
    (void)state;
    if (!have_server()) skip();
    mdc_err err = {0};
    char sink[512];
    snprintf(sink, sizeof sink,
             "{\"type\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": \"%s\", \"dbname\": "
             "\"no_such_db\", \"password\": \"%s\"}",
             getenv("PGPORT"), getenv("PG_PASSWORD"));
    mdc_config *cfg = load(sink, &err);
    mdc_sink *s = build(cfg, &err);
    assert_int_equal(s->ops->open(s, &err), -1);
    char want[256];
    snprintf(want, sizeof want,
             "database \"no_such_db\" does not exist at 127.0.0.1:%s/no_such_db as mdc (create "
             "it with createdb, or fix \"dbname\")",
             getenv("PGPORT"));
    assert_non_null(strstr(err.msg, want));
    mdc_sink_destroy(s);
    mdc_config_free(cfg);
    snprintf(sink, sizeof sink,
             "{\"type\": \"postgres\", \"host\": \"127.0.0.1\", \"port\": \"%s\", \"dbname\": "
             "\"postgres\", \"password\": \"Wr0ng-Passw0rd\"}",
             getenv("PGPORT"));
    cfg = load(sink, &err);
    s = build(cfg, &err);
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_int_equal(err.code, MDC_EAUTH);
    snprintf(want, sizeof want,
             "PostgreSQL at 127.0.0.1:%s/postgres as mdc rejected the credentials (check user "
             "and password: the \"password\" key, PGPASSWORD, DB_PASSWORD or ~/.pgpass): ",
             getenv("PGPORT"));
    assert_non_null(strstr(err.msg, want));
    assert_null(strstr(err.msg, "Wr0ng"));
    mdc_sink_destroy(s);
    mdc_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),  cmocka_unit_test(test_id_and_env),
        cmocka_unit_test(test_connect_errors), cmocka_unit_test(test_durations),
        cmocka_unit_test(test_belmc_ems),      cmocka_unit_test(test_belmc_production),
        cmocka_unit_test(test_mdc_schema),     cmocka_unit_test(test_mdc_migration),
        cmocka_unit_test(test_mdc_poison),     cmocka_unit_test(test_belmc_poison),
        cmocka_unit_test(test_instances),      cmocka_unit_test(test_server_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
