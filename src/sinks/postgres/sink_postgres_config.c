/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_config.c — {"type": "postgres", ...} → the sink (docs/configuration.md). */
#include "sink_postgres.h"

#include "core/clock.h"
#include "core/keys.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const flavours[] = {"mdc", "belmc", NULL};
static const char *const sslmodes[] = {"disable",   "allow",       "prefer", "require",
                                       "verify-ca", "verify-full", NULL};

static const mdc_key pg_keys[] = {
    {.name = "type", .type = MDC_KEY_STRING, .required = true, .help = "\"postgres\""},
    {.name = "schema",
     .type = MDC_KEY_ENUM,
     .def = "mdc",
     .choices = flavours,
     .help = "mdc: the embedded store's tables; belmc: BELmc's ems and production tables"},
    {.name = "conninfo", .type = MDC_KEY_STRING, .help = "a libpq connection string (or the keys)"},
    {.name = "host", .type = MDC_KEY_STRING, .help = "default $DB_HOST"},
    {.name = "port", .type = MDC_KEY_STRING, .help = "default $DB_PORT"},
    {.name = "dbname", .type = MDC_KEY_STRING, .help = "default $DB_NAME"},
    {.name = "user", .type = MDC_KEY_STRING, .help = "default $DB_USER"},
    {.name = "password", .type = MDC_KEY_SECRET, .help = "default $DB_PASSWORD"},
    {.name = "sslmode",
     .type = MDC_KEY_ENUM,
     .def = "prefer",
     .choices = sslmodes,
     .help = "libpq's sslmode"},
    {.name = "connect_timeout", .type = MDC_KEY_DURATION, .def = "5s"},
    {.name = "pg_schema",
     .type = MDC_KEY_STRING,
     .def = "mdc",
     .help = "the PostgreSQL schema of mdc's tables"},
    {.name = "timezone",
     .type = MDC_KEY_STRING,
     .help = "BELmc's local timestamps (default: the configuration's)"},
    {.name = "ems_devices", .type = MDC_KEY_ARRAY, .help = "belmc: devices written to ems"},
    {.name = "production_devices",
     .type = MDC_KEY_ARRAY,
     .help = "belmc: devices written to production"},
    {.name = "close_downtime_on_production",
     .type = MDC_KEY_ARRAY,
     .help = "belmc: devices whose downtime closes in PRODUCTION only"},
    {0},
};
const mdc_keyset mdc_postgres_keyset = {"sink postgres", pg_keys, NULL};

static const char *const belmc_keys[] = {"ems_devices", "production_devices",
                                         "close_downtime_on_production", NULL};

/* Settings BELmc keeps in its .env, used when no conninfo is given. */
static const char *env_or(const char *value, bool have_conninfo, const char *var)
{
    if (value || have_conninfo) return value;
    const char *v = getenv(var);
    return v && *v ? v : NULL;
}

static int parse_conn(const mdc_cfgnode *n, mdc_pg_conn_cfg *c, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_postgres_keyset;
    int64_t timeout;
    int mode;
    if (mdc_key_string(n, ks, "conninfo", &c->conninfo, err) < 0 ||
        mdc_key_string(n, ks, "host", &c->host, err) < 0 ||
        mdc_key_string(n, ks, "port", &c->port, err) < 0 ||
        mdc_key_string(n, ks, "dbname", &c->dbname, err) < 0 ||
        mdc_key_string(n, ks, "user", &c->user, err) < 0 ||
        mdc_key_string(n, ks, "password", &c->password, err) < 0 ||
        mdc_key_enum(n, ks, "sslmode", &mode, err) < 0 ||
        mdc_key_duration(n, ks, "connect_timeout", &timeout, err) < 0)
        return -1;
    if (cfg_has(n, "sslmode")) c->sslmode = sslmodes[mode];
    if (c->port && (atoi(c->port) <= 0 || atoi(c->port) > 65535 ||
                    strspn(c->port, "0123456789") != strlen(c->port)))
        return cfg_error(n, "port", err, "expected a port number 1..65535, got \"%s\"", c->port);
    bool ci = c->conninfo != NULL;
    c->host = env_or(c->host, ci, "DB_HOST");
    c->port = env_or(c->port, ci, "DB_PORT");
    c->dbname = env_or(c->dbname, ci, "DB_NAME");
    c->user = env_or(c->user, ci, "DB_USER");
    c->password = env_or(c->password, ci, "DB_PASSWORD");
    c->connect_timeout_s = (timeout + MDC_US_PER_SEC - 1) / MDC_US_PER_SEC;
    return 0;
}

/* A list of configured device ids; each must exist and carry a machine number. */
static int device_list(const mdc_cfgnode *n, const char *key, const mdc_config *cfg,
                       const char ***out, size_t *count, mdc_err *err)
{
    size_t m;
    if (cfg_array(n, key, &m, err) < 0) return -1;
    const char **v = xcalloc(m ? m : 1, sizeof *v);
    for (size_t i = 0; i < m; i++) {
        const mdc_device_cfg *d;
        if (cfg_array_string(n, key, i, &v[i], err) < 0) goto fail;
        if (!(d = mdc_config_find_device(cfg, v[i]))) {
            cfg_error(n, key, err, "no device \"%s\" in \"devices\"", v[i]);
            goto fail;
        }
        if (!d->has_machine_id) {
            cfg_error(n, key, err,
                      "device \"%s\" has no \"machine_id\" (BELmc's tables are keyed by it)", v[i]);
            goto fail;
        }
    }
    *out = v;
    *count = m;
    return 0;
fail:
    free(v);
    return -1;
}

static int64_t machine_of(const mdc_config *cfg, const char *id)
{
    return mdc_config_find_device(cfg, id)->machine_id;
}

/* One device per machine in a list: two writers of the same rows fight (belmc.md §7). */
static int one_owner(const mdc_cfgnode *n, const char *key, const mdc_config *cfg,
                     const char *const *v, size_t m, mdc_err *err)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[i], v[j]) != 0 && machine_of(cfg, v[i]) == machine_of(cfg, v[j]))
                return cfg_error(n, key, err,
                                 "devices \"%s\" and \"%s\" are both machine %lld; one device "
                                 "must own a machine's rows",
                                 v[j], v[i], (long long)machine_of(cfg, v[i]));
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The distinct machine numbers of the listed devices, ascending (config_info seeds). */
static void machines(const mdc_config *cfg, mdc_pg_belmc_cfg *b, int64_t **out)
{
    size_t cap = b->n_ems + b->n_production;
    int64_t *m = xcalloc(cap ? cap : 1, sizeof *m);
    size_t n = 0;
    for (size_t i = 0; i < b->n_ems; i++)
        m[n++] = machine_of(cfg, b->ems_devices[i]);
    for (size_t i = 0; i < b->n_production; i++)
        m[n++] = machine_of(cfg, b->production_devices[i]);
    qsort(m, n, sizeof *m, cmp_i64);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (w == 0 || m[w - 1] != m[i]) m[w++] = m[i];
    b->machines = m;
    b->n_machines = w;
    *out = m;
}

/* The device lists; what was read stays in b (the caller frees it) even on failure. */
static int parse_belmc(const mdc_cfgnode *n, const mdc_config *cfg, mdc_pg_belmc_cfg *b,
                       mdc_err *err)
{
    const char **ems = NULL, **prod = NULL, **close = NULL;
    if (device_list(n, "ems_devices", cfg, &ems, &b->n_ems, err) < 0) return -1;
    b->ems_devices = ems;
    if (device_list(n, "production_devices", cfg, &prod, &b->n_production, err) < 0) return -1;
    b->production_devices = prod;
    if (device_list(n, "close_downtime_on_production", cfg, &close, &b->n_close_downtime, err) < 0)
        return -1;
    b->close_downtime_devices = close;
    if (b->n_ems + b->n_production == 0)
        return cfg_error(
            n, NULL, err,
            "name the devices to write: \"ems_devices\" and/or \"production_devices\"");
    for (size_t i = 0; i < b->n_close_downtime; i++) {
        bool found = false;
        for (size_t j = 0; j < b->n_production && !found; j++)
            found = strcmp(close[i], prod[j]) == 0;
        if (!found)
            return cfg_error(n, "close_downtime_on_production", err,
                             "device \"%s\" is not in \"production_devices\"", close[i]);
    }
    if (one_owner(n, "ems_devices", cfg, ems, b->n_ems, err) < 0 ||
        one_owner(n, "production_devices", cfg, prod, b->n_production, err) < 0)
        return -1;
    return 0;
}

/* What the sink writes, claimed in the database at open: every device (schema mdc) or the
 * machines of the listed devices (belmc). */
static void build_claims(const mdc_config *cfg, mdc_postgres_sink_cfg *c)
{
    const mdc_pg_belmc_cfg *b = &c->belmc;
    size_t n = c->flavour == MDC_PG_MDC ? cfg->ndevices : b->n_ems + b->n_production;
    char **v = xcalloc(n ? n : 1, sizeof *v);
    char buf[96];
    for (size_t i = 0; c->flavour == MDC_PG_MDC && i < n; i++) {
        snprintf(buf, sizeof buf, "device:%s", cfg->devices[i].id);
        v[i] = xstrdup(buf);
    }
    for (size_t i = 0; c->flavour == MDC_PG_BELMC && i < n; i++) {
        bool ems = i < b->n_ems;
        const char *dev = ems ? b->ems_devices[i] : b->production_devices[i - b->n_ems];
        snprintf(buf, sizeof buf, "%s:%lld", ems ? "ems" : "production",
                 (long long)machine_of(cfg, dev));
        v[i] = xstrdup(buf);
    }
    c->claims = (const char *const *)v;
    c->nclaims = n;
    c->instance = cfg->instance;
}

static void free_claims(mdc_postgres_sink_cfg *c)
{
    for (size_t i = 0; i < c->nclaims; i++)
        free((char *)c->claims[i]);
    free((void *)c->claims);
}

int mdc_sink_postgres_from_config(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                                  mdc_err *err)
{
    const mdc_keyset *ks = &mdc_postgres_keyset;
    mdc_postgres_sink_cfg c = {0};
    int flavour;
    if (mdc_keys_check(n, ks, err) < 0 || mdc_key_enum(n, ks, "schema", &flavour, err) < 0 ||
        parse_conn(n, &c.conn, err) < 0 ||
        mdc_key_string(n, ks, "pg_schema", &c.pg_schema, err) < 0 ||
        cfg_string(n, "timezone", cfg->timezone, &c.timezone, err) < 0)
        return -1;
    c.flavour = (mdc_pg_flavour)flavour;
    mdc_err e;
    if (mdc_pg_check_identifier(c.pg_schema, &e) < 0)
        return cfg_error(n, "pg_schema", err, "%s", e.msg);
    if (c.flavour == MDC_PG_MDC)
        for (const char *const *k = belmc_keys; *k; k++)
            if (cfg_has(n, *k)) return cfg_error(n, *k, err, "only for \"schema\": \"belmc\"");
    int *ids = xcalloc(cfg->nshifts + 1, sizeof *ids),
        *starts = xcalloc(cfg->nshifts + 1, sizeof *starts);
    int64_t *mach = NULL;
    int rc = -1;
    if (c.flavour == MDC_PG_BELMC) {
        if (parse_belmc(n, cfg, &c.belmc, err) < 0) goto done;
        machines(cfg, &c.belmc, &mach);
        for (size_t i = 0; i < cfg->nshifts; i++) {
            ids[i] = cfg->shifts[i].id;
            starts[i] = cfg->shifts[i].start_min;
        }
        c.belmc.shift_ids = ids;
        c.belmc.shift_starts_min = starts;
        c.belmc.n_shifts = cfg->nshifts;
        c.belmc.history_time_min = cfg->nshifts ? cfg->shifts[0].start_min : 6 * 60;
    }
    build_claims(cfg, &c);
    if (mdc_sink_postgres_new(&c, out, &e) < 0) {
        cfg_error(n, cfg_has(n, "timezone") ? "timezone" : NULL, err, "%s", e.msg);
        goto done;
    }
    rc = 0;
done:
    free_claims(&c);
    free((void *)c.belmc.ems_devices);
    free((void *)c.belmc.production_devices);
    free((void *)c.belmc.close_downtime_devices);
    free(mach);
    free(ids);
    free(starts);
    return rc;
}
