/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres.c — the sink itself: settings, open/write/close, and the delivery position in
 * pg_schema.sink_state(sink, epoch, last_seq), committed with every batch. */
#include "sink_postgres_internal.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int mdc_pg_check_identifier(const char *name, mdc_err *err)
{
    size_t n = strlen(name);
    bool ok = n > 0 && n <= 63 && (islower((unsigned char)name[0]) || name[0] == '_');
    for (size_t i = 1; ok && i < n; i++)
        ok = islower((unsigned char)name[i]) || isdigit((unsigned char)name[i]) || name[i] == '_';
    if (!ok)
        return mdc_err_set(err, MDC_EINVAL,
                           "\"%s\" is not a plain PostgreSQL name: use lowercase letters, digits "
                           "and '_' (not starting with a digit), at most 63 characters",
                           name);
    return 0;
}

void pg_local_ts(const pg_sink *k, int64_t t_us, char *buf, size_t n)
{
    int64_t s = mdc_floordiv(t_us, MDC_US_PER_SEC);
    int64_t us = t_us - s * MDC_US_PER_SEC;
    mdc_civil c;
    mdc_tz_to_local(k->tz, s, &c);
    snprintf(buf, n, "%04lld-%02d-%02d %02d:%02d:%02d.%06lld", (long long)c.year, c.month, c.day,
             c.hour, c.minute, c.second, (long long)us);
}

/* ---- the sink ---- */

static void pg_close(mdc_sink *s)
{
    pg_sink *k = s->impl;
    if (k->ops->done) k->ops->done(k, PG_ROLLED_BACK);
    k->pending = NULL;
    k->piping = false;
    pg_disconnect(k);
}

static int pg_open(mdc_sink *s, mdc_err *err)
{
    pg_sink *k = s->impl;
    if (pg_connect(k, err) < 0) return -1;
    if (pg_create_sink_state(k, err) < 0 || pg_claim(k, err) < 0 || k->ops->prepare(k, err) < 0 ||
        pg_load_position(k, err) < 0) {
        pg_close(s);
        return -1;
    }
    return 0;
}

static int64_t pg_committed(mdc_sink *s, uint64_t epoch)
{
    pg_sink *k = s->impl;
    k->has_epoch = true;
    k->epoch = epoch;
    mdc_err err;
    if (!k->conn || pg_load_position(k, &err) < 0) k->last_seq = -1;
    return k->last_seq;
}

static void free_strv(const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free((char *)v[i]);
    free((void *)v);
}

static void pg_destroy(mdc_sink *s)
{
    pg_sink *k = s->impl;
    pg_disconnect(k);
    if (k->ops->free) k->ops->free(k);
    char *strs[] = {k->conninfo, k->host,     k->port,    k->dbname,
                    k->user,     k->password, k->sslmode, k->schema};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        free(strs[i]);
    for (size_t i = 0; i < k->nsecrets; i++)
        free(k->secrets[i]);
    free(k->secrets);
    free(k->state_key);
    free(k->instance);
    for (size_t i = 0; i < k->nclaims; i++)
        free(k->claims[i]);
    free(k->claims);
    free(k->rejected);
    mdc_tz_free(k->tz);
    free_strv(k->belmc.ems_devices, k->belmc.n_ems);
    free_strv(k->belmc.production_devices, k->belmc.n_production);
    free_strv(k->belmc.close_downtime_devices, k->belmc.n_close_downtime);
    free((void *)k->belmc.machines);
    free((void *)k->belmc.shift_ids);
    free((void *)k->belmc.shift_starts_min);
    sb_free(&k->sql);
    free(k);
    free(s);
}

static int pg_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    return pg_write_batch(s->impl, recs, n, res, err);
}

static const mdc_sink_ops postgres_ops = {
    .type = "postgres",
    .open = pg_open,
    .write = pg_write,
    .committed_seq = pg_committed,
    .close = pg_close,
    .destroy = pg_destroy,
};

/* ---- construction ---- */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static const char *const *dup_strv(const char *const *v, size_t n)
{
    char **out = xcalloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return (const char *const *)out;
}

static void *dup_mem(const void *p, size_t n, size_t size)
{
    void *out = xcalloc(n ? n : 1, size);
    if (n) memcpy(out, p, n * size);
    return out;
}

static void add_secret(pg_sink *k, const char *s)
{
    if (!s || !*s) return;
    k->secrets = xrealloc(k->secrets, (k->nsecrets + 1) * sizeof *k->secrets);
    k->secrets[k->nsecrets++] = xstrdup(s);
}

/* The password inside a conninfo string or URI, decoded and as written. */
static void conninfo_secrets(pg_sink *k)
{
    if (!k->conninfo) return;
    PQconninfoOption *opts = PQconninfoParse(k->conninfo, NULL);
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0) add_secret(k, o->val);
    PQconninfoFree(opts);
    const char *scheme = strstr(k->conninfo, "://");
    if (!scheme) return;
    const char *auth = scheme + 3, *at = strchr(auth, '@'), *colon = strchr(auth, ':');
    if (at && colon && colon < at) {
        char *raw = xstrndup(colon + 1, (size_t)(at - colon - 1));
        add_secret(k, raw);
        free(raw);
    }
}

static void copy_belmc(pg_sink *k, const mdc_pg_belmc_cfg *b)
{
    k->belmc = *b;
    k->belmc.ems_devices = dup_strv(b->ems_devices, b->n_ems);
    k->belmc.production_devices = dup_strv(b->production_devices, b->n_production);
    k->belmc.close_downtime_devices = dup_strv(b->close_downtime_devices, b->n_close_downtime);
    k->belmc.machines = dup_mem(b->machines, b->n_machines, sizeof *b->machines);
    k->belmc.shift_ids = dup_mem(b->shift_ids, b->n_shifts, sizeof *b->shift_ids);
    k->belmc.shift_starts_min = dup_mem(b->shift_starts_min, b->n_shifts, sizeof(int));
}

int mdc_sink_postgres_new(const mdc_postgres_sink_cfg *cfg, mdc_sink **out, mdc_err *err)
{
    const char *schema = cfg->pg_schema ? cfg->pg_schema : "mdc";
    mdc_tz *tz;
    if (mdc_pg_check_identifier(schema, err) < 0) return mdc_err_prefix(err, "pg_schema");
    if (mdc_tz_load(cfg->timezone ? cfg->timezone : "UTC", &tz, err) < 0) return -1;
    pg_sink *k = xcalloc(1, sizeof *k);
    k->flavour = cfg->flavour;
    k->tz = tz;
    k->schema = xstrdup(schema);
    const mdc_pg_conn_cfg *c = &cfg->conn;
    k->conninfo = dup_or_null(c->conninfo);
    k->host = dup_or_null(c->host);
    k->port = dup_or_null(c->port);
    k->dbname = dup_or_null(c->dbname);
    k->user = dup_or_null(c->user);
    k->password = dup_or_null(c->password);
    k->sslmode = dup_or_null(c->sslmode);
    k->connect_timeout_s = c->connect_timeout_s;
    add_secret(k, k->password);
    conninfo_secrets(k);
    k->last_seq = -1;
    const char *flavour = cfg->flavour == MDC_PG_BELMC ? "belmc" : "mdc";
    k->instance = xstrdup(cfg->instance ? cfg->instance : "");
    strbuf key = STRBUF_INIT;
    sb_printf(&key, "%s%s%s", k->instance, *k->instance ? "/" : "", flavour);
    k->state_key = sb_detach(&key);
    k->claims = (char **)dup_strv(cfg->claims, cfg->nclaims);
    k->nclaims = cfg->nclaims;
    k->ops = cfg->flavour == MDC_PG_BELMC ? &pg_belmc_ops : &pg_mdc_ops;
    copy_belmc(k, &cfg->belmc);
    strbuf id = STRBUF_INIT;
    sb_printf(&id, "postgres(%s) ", flavour);
    pg_describe_target(k, &id);
    if (k->flavour == MDC_PG_MDC || strcmp(k->schema, "mdc") != 0)
        sb_printf(&id, ", schema %s", k->schema);
    pg_mask(k, &id);
    *out = mdc_sink_new(&postgres_ops, sb_str(&id), k);
    sb_free(&id);
    return 0;
}
