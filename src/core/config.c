/* SPDX-License-Identifier: Apache-2.0 */
#include "config.h"
#include "dotenv.h"
#include "keys.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const mdc_key top_keys[] = {
    {.name = "timezone",
     .type = MDC_KEY_STRING,
     .def = "UTC",
     .help = "IANA zone of shifts, cron schedules and interval alignment"},
    {.name = "data_dir",
     .type = MDC_KEY_STRING,
     .def = "data",
     .help = "spool, device state and the default store (--data-dir overrides it)"},
    {.name = "shifts",
     .type = MDC_KEY_ARRAY,
     .def = "one shift at 00:00",
     .help = "[{\"id\": 1, \"start\": \"06:00\"}, ...]: increasing local start times"},
    {.name = "sinks",
     .type = MDC_KEY_ARRAY,
     .help = "where records go (default: the sqlite store)"},
    {.name = "devices", .type = MDC_KEY_ARRAY, .help = "what to collect"},
    {.name = "spool", .type = MDC_KEY_OBJECT, .help = "the durable queue (keys of spool)"},
    {.name = "http", .type = MDC_KEY_OBJECT, .help = "the HTTP server (keys of http); off without"},
    {.name = "log_level",
     .type = MDC_KEY_STRING,
     .def = "info",
     .help = "debug, info, warn or error (--log-level overrides it)"},
    {.name = "instance",
     .type = MDC_KEY_STRING,
     .help = "this mdc's name among several writing into one database or broker"},
    {.name = "runtime", .type = MDC_KEY_OBJECT, .help = "the event threads (keys of runtime)"},
    {.name = "retry_max",
     .type = MDC_KEY_DURATION,
     .def = "5s",
     .help = "the devices' default longest pause between retries"},
    {0},
};
const mdc_keyset mdc_top_keyset = {"top level", top_keys, NULL};

static const mdc_key shift_keys[] = {
    {.name = "id",
     .type = MDC_KEY_INT,
     .def = "its position (1, 2, ...)",
     .min = 1,
     .max = 1000000,
     .help = "the shift's number in records and tables"},
    {.name = "start", .type = MDC_KEY_STRING, .required = true, .help = "local time \"HH:MM\""},
    {0},
};
const mdc_keyset mdc_shift_keyset = {"shifts[]", shift_keys, NULL};

static const mdc_key device_keys[] = {
    {.name = "id",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "unique: 1-64 letters, digits, '-', '_' or '.'"},
    {.name = "machine_id",
     .type = MDC_KEY_INT,
     .min = 0,
     .max = INT32_MAX,
     .help = "the machine's number in databases"},
    {.name = "name", .type = MDC_KEY_STRING, .def = "the id", .help = "for people"},
    {.name = "driver", .type = MDC_KEY_STRING, .required = true, .help = "the protocol"},
    {.name = "interval",
     .type = MDC_KEY_DURATION,
     .def = "5s",
     .help = "poll period, aligned to the clock (or \"schedule\")"},
    {.name = "schedule",
     .type = MDC_KEY_STRING,
     .nonempty = true,
     .help = "five-field cron (or \"interval\")"},
    {.name = "retry_max",
     .type = MDC_KEY_DURATION,
     .def = "the top level's",
     .help = "the longest pause between retries while it does not answer"},
    {.name = "status", .type = MDC_KEY_OBJECT, .help = "machine status rules (keys of status)"},
    {.name = "parts", .type = MDC_KEY_OBJECT, .help = "part counting (keys of parts)"},
    {.name = "energy", .type = MDC_KEY_OBJECT, .help = "energy deltas (keys of energy)"},
    {.name = "enabled", .type = MDC_KEY_BOOL, .def = "true", .help = "false: not polled"},
    {0},
};
const mdc_keyset mdc_device_keyset = {"every device", device_keys, NULL};

static int parse_hhmm(const char *s, int *min)
{
    int h, m;
    char extra;
    if (sscanf(s, "%d:%d%c", &h, &m, &extra) != 2 || h < 0 || h > 23 || m < 0 || m > 59 ||
        strlen(s) != 5)
        return -1;
    *min = h * 60 + m;
    return 0;
}

static int parse_shifts(mdc_config *cfg, const mdc_cfgnode *root, mdc_err *err)
{
    size_t n;
    if (cfg_array(root, "shifts", &n, err) < 0) return -1;
    if (n == 0) {
        if (cfg_has(root, "shifts"))
            return cfg_error(root, "shifts", err, "needs at least one shift");
        cfg->shifts = xcalloc(1, sizeof *cfg->shifts);
        cfg->shifts[0] = (mdc_shift_def){.id = 1, .start_min = 0};
        cfg->nshifts = 1;
        return 0;
    }
    cfg->shifts = xcalloc(n, sizeof *cfg->shifts);
    const mdc_keyset *ks = &mdc_shift_keyset;
    for (size_t i = 0; i < n; i++) {
        mdc_cfgnode s;
        const char *start;
        int64_t id;
        if (cfg_array_object(root, "shifts", i, &s, err) < 0 || mdc_keys_check(&s, ks, err) < 0 ||
            mdc_key_int_or(&s, ks, "id", (int64_t)i + 1, &id, err) < 0 ||
            mdc_key_string(&s, ks, "start", &start, err) < 0)
            return -1;
        int min;
        if (parse_hhmm(start, &min) < 0)
            return cfg_error(&s, "start", err,
                             "expected a local time \"HH:MM\" (00:00..23:59), got \"%s\"", start);
        if (i > 0 && min <= cfg->shifts[i - 1].start_min)
            return cfg_error(&s, "start", err,
                             "shift starts must be in increasing order within the day "
                             "(the last shift wraps past midnight)");
        for (size_t j = 0; j < i; j++)
            if (cfg->shifts[j].id == id)
                return cfg_error(&s, "id", err, "duplicate shift id %lld", (long long)id);
        cfg->shifts[i] = (mdc_shift_def){.id = (int)id, .start_min = min};
        cfg->nshifts++;
    }
    return 0;
}

static int parse_schedule(const mdc_config *cfg, mdc_device_cfg *dev, mdc_err *err)
{
    const mdc_cfgnode *n = &dev->node;
    if (cfg_has(n, "interval") && cfg_has(n, "schedule"))
        return cfg_error(n, "schedule", err, "give either \"interval\" or \"schedule\", not both");
    dev->schedule.tz = cfg->tz;
    if (cfg_has(n, "schedule")) {
        const char *expr;
        if (mdc_key_string(n, &mdc_device_keyset, "schedule", &expr, err) < 0) return -1;
        mdc_err e;
        if (mdc_cron_parse(expr, &dev->schedule.cron, &e) < 0)
            return cfg_error(n, "schedule", err, "%s", e.msg);
        dev->schedule.kind = MDC_SCHED_CRON;
        return 0;
    }
    dev->schedule.kind = MDC_SCHED_INTERVAL;
    return mdc_key_duration(n, &mdc_device_keyset, "interval", &dev->schedule.interval_us, err);
}

static bool valid_id(const char *id)
{
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return false;
    return *id && strlen(id) <= 64;
}

static int parse_device(mdc_config *cfg, const mdc_cfgnode *root, size_t i, mdc_err *err)
{
    mdc_device_cfg *dev = &cfg->devices[i];
    dev->data_dir = cfg->data_dir;
    if (cfg_array_object(root, "devices", i, &dev->node, err) < 0) return -1;
    const mdc_cfgnode *n = &dev->node;
    const mdc_keyset *ks = &mdc_device_keyset;
    if (mdc_key_string(n, ks, "id", &dev->id, err) < 0 ||
        mdc_key_string(n, ks, "driver", &dev->driver, err) < 0 ||
        mdc_key_string_or(n, ks, "name", dev->id, &dev->name, err) < 0)
        return -1;
    if (!valid_id(dev->id))
        return cfg_error(
            n, "id", err,
            "\"%s\" is not a valid device id; use 1-64 letters, digits, '-', '_' or '.'", dev->id);
    for (size_t j = 0; j < i; j++)
        if (strcmp(cfg->devices[j].id, dev->id) == 0)
            return cfg_error(n, "id", err, "duplicate device id \"%s\" (also devices[%zu])",
                             dev->id, j);
    if (cfg_has(n, "machine_id")) {
        dev->has_machine_id = true;
        if (mdc_key_int(n, ks, "machine_id", &dev->machine_id, err) < 0) return -1;
    }
    if (mdc_key_duration_or(n, ks, "retry_max", cfg->retry_max_us, &dev->retry_max_us, err) < 0)
        return -1;
    return parse_schedule(cfg, dev, err);
}

static const char *const sync_modes[] = {"full", "normal", NULL};

static const mdc_key spool_keys[] = {
    {.name = "max_records",
     .type = MDC_KEY_INT,
     .def = "1000000",
     .min = 100,
     .max = INT64_C(1) << 40,
     .help = "undelivered records kept; beyond, the oldest are dropped and counted"},
    {.name = "max_bytes",
     .type = MDC_KEY_SIZE,
     .def = "0",
     .help = "the records' share of spool.db (0: no limit); beyond, the oldest are dropped"},
    {.name = "min_free",
     .type = MDC_KEY_SIZE,
     .def = "64MB",
     .help = "free space kept on data_dir's file system"},
    {.name = "batch",
     .type = MDC_KEY_INT,
     .def = "500",
     .min = 1,
     .max = 100000,
     .help = "records per sink write"},
    {.name = "dead_letter_after",
     .type = MDC_KEY_INT,
     .def = "3",
     .min = 1,
     .max = 1000,
     .help = "refusals of one record before it goes to the dead-letter table"},
    {.name = "synchronous",
     .type = MDC_KEY_ENUM,
     .def = "full",
     .choices = sync_modes,
     .help = "full: each record on disk before its poll completes; normal: faster, a power "
             "cut may lose the last commits"},
    {0},
};

const mdc_keyset mdc_spool_keyset = {"spool", spool_keys, NULL};

static int parse_spool(mdc_config *cfg, const mdc_cfgnode *root, mdc_err *err)
{
    mdc_cfgnode spool = {0};
    bool have;
    if (cfg_object(root, "spool", &spool, &have, err) < 0 ||
        (have && mdc_keys_check(&spool, &mdc_spool_keyset, err) < 0))
        return -1;
    if (!have) { /* the defaults, read from an empty object */
        spool = *root;
        spool.json = NULL;
    }
    const mdc_keyset *ks = &mdc_spool_keyset;
    int sync = 0;
    if (mdc_key_int(&spool, ks, "max_records", &cfg->spool.max_records, err) < 0 ||
        mdc_key_int(&spool, ks, "batch", &cfg->spool.batch, err) < 0 ||
        mdc_key_int(&spool, ks, "dead_letter_after", &cfg->spool.dead_letter_after, err) < 0 ||
        mdc_key_enum(&spool, ks, "synchronous", &sync, err) < 0 ||
        mdc_key_size(&spool, ks, "max_bytes", &cfg->spool.max_bytes, err) < 0 ||
        mdc_key_size(&spool, ks, "min_free", &cfg->spool.min_free_bytes, err) < 0)
        return -1;
    cfg->spool.sync_full = sync == 0;
    return 0;
}

static int parse_top(mdc_config *cfg, const mdc_config_overrides *ov, mdc_err *err)
{
    mdc_cfgnode root = mdc_cfgdoc_root(cfg->doc);
    const mdc_keyset *ks = &mdc_top_keyset;
    if (mdc_keys_check(&root, ks, err) < 0 ||
        mdc_key_string(&root, ks, "timezone", &cfg->timezone, err) < 0 ||
        mdc_key_string(&root, ks, "data_dir", &cfg->data_dir, err) < 0 ||
        mdc_key_string_or(&root, ks, "log_level", NULL, &cfg->log_level, err) < 0 ||
        mdc_key_string(&root, ks, "instance", &cfg->instance, err) < 0 ||
        mdc_key_duration(&root, ks, "retry_max", &cfg->retry_max_us, err) < 0)
        return -1;
    if (cfg->instance && !valid_id(cfg->instance))
        return cfg_error(&root, "instance", err,
                         "\"%s\" is not a valid instance name; use 1-64 letters, digits, '-', "
                         "'_' or '.'",
                         cfg->instance);
    if (ov && ov->timezone) cfg->timezone = ov->timezone;
    if (ov && ov->data_dir) cfg->data_dir = ov->data_dir;
    if (!*cfg->data_dir) return cfg_error(&root, "data_dir", err, "must not be empty");
    mdc_err e;
    if (mdc_tz_load(cfg->timezone, &cfg->tz, &e) < 0)
        return cfg_error(&root, "timezone", err, "%s", e.msg);
    if (parse_shifts(cfg, &root, err) < 0) return -1;

    if (parse_spool(cfg, &root, err) < 0) return -1;
    if (cfg_object(&root, "http", &cfg->http, &cfg->has_http, err) < 0) return -1;

    size_t n;
    if (cfg_array(&root, "sinks", &n, err) < 0) return -1;
    cfg->sinks = xcalloc(n ? n : 1, sizeof *cfg->sinks);
    for (size_t i = 0; i < n; i++, cfg->nsinks++)
        if (cfg_array_object(&root, "sinks", i, &cfg->sinks[i], err) < 0) return -1;

    if (cfg_array(&root, "devices", &n, err) < 0) return -1;
    cfg->devices = xcalloc(n ? n : 1, sizeof *cfg->devices);
    for (size_t i = 0; i < n; i++, cfg->ndevices++)
        if (parse_device(cfg, &root, i, err) < 0) {
            cfg->ndevices++; /* so that free releases a partly parsed schedule */
            return -1;
        }
    return 0;
}

int mdc_config_load_string(const char *name, const char *text, size_t len,
                           const mdc_config_overrides *ov, mdc_config **out, mdc_err *err)
{
    mdc_config *cfg = xcalloc(1, sizeof *cfg);
    if (mdc_cfgdoc_load_string(name, text, len, &cfg->doc, err) < 0 ||
        parse_top(cfg, ov, err) < 0) {
        mdc_config_free(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

/* Loads one .env; with `skip`, one this user may not read is remembered in *skipped. */
static int load_dotenv(const char *file, bool skip, const char **skipped, mdc_err *err)
{
    if (skip && access(file, R_OK) < 0 && errno == EACCES) {
        *skipped = file;
        return 0;
    }
    return mdc_dotenv_load(file, err) < 0 ? -1 : 0;
}

static int load_dotenvs(const char *path, const mdc_config_overrides *ov, char *skipped, size_t n,
                        mdc_err *err)
{
    const char *slash = strrchr(path, '/');
    char beside[4096];
    if (slash)
        snprintf(beside, sizeof beside, "%.*s/.env", (int)(slash - path), path);
    else
        snprintf(beside, sizeof beside, ".env");
    bool skip = ov && ov->skip_unreadable_dotenv;
    const char *which = NULL;
    int rc = load_dotenv(beside, skip, &which, err);
    if (rc == 0 && strcmp(beside, ".env") != 0) rc = load_dotenv(".env", skip, &which, err);
    if (which && n) { /* a path longer than the room left is cut */
        size_t len = strnlen(which, n - 1);
        memcpy(skipped, which, len);
        skipped[len] = '\0';
    }
    return rc;
}

int mdc_config_load(const char *path, const mdc_config_overrides *ov, mdc_config **out,
                    mdc_err *err)
{
    mdc_config *cfg = xcalloc(1, sizeof *cfg);
    if (load_dotenvs(path, ov, cfg->skipped_dotenv, sizeof cfg->skipped_dotenv, err) < 0) {
        free(cfg);
        return -1;
    }
    if (mdc_cfgdoc_load_file(path, &cfg->doc, err) < 0 || parse_top(cfg, ov, err) < 0) {
        mdc_config_explain(cfg, err);
        mdc_config_free(cfg);
        return -1;
    }
    *out = cfg;
    return 0;
}

void mdc_config_explain(const mdc_config *cfg, mdc_err *err)
{
    if (!cfg || !cfg->skipped_dotenv[0] || !strstr(err->msg, "environment variable")) return;
    char msg[MDC_ERR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", err->msg);
    mdc_err_set(err, err->code,
                "%.300s (%.150s is not readable by this user: hand it to the service with "
                "LoadCredential= or EnvironmentFile=, see mdc(1))",
                msg, cfg->skipped_dotenv);
}

void mdc_config_free(mdc_config *cfg)
{
    if (!cfg) return;
    for (size_t i = 0; i < cfg->ndevices; i++)
        mdc_cron_free(cfg->devices[i].schedule.cron);
    free(cfg->devices);
    free(cfg->sinks);
    free(cfg->shifts);
    mdc_tz_free(cfg->tz);
    mdc_cfgdoc_free(cfg->doc);
    free(cfg);
}

const mdc_device_cfg *mdc_config_find_device(const mdc_config *cfg, const char *id)
{
    for (size_t i = 0; i < cfg->ndevices; i++)
        if (strcmp(cfg->devices[i].id, id) == 0) return &cfg->devices[i];
    return NULL;
}

const mdc_shift_def *mdc_config_shift_at(const mdc_config *cfg, int min)
{
    const mdc_shift_def *s = &cfg->shifts[cfg->nshifts - 1];
    for (size_t i = 0; i < cfg->nshifts; i++)
        if (cfg->shifts[i].start_min <= min) s = &cfg->shifts[i];
    return s;
}
