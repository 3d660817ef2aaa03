/* SPDX-License-Identifier: Apache-2.0 */
/* config.h — the top level of the configuration file (CONFIG.md) and the keys every device
 * shares. Driver-, derive- and sink-specific keys are parsed by their own layers from the
 * nodes kept here; this file knows nothing about them.
 */
#ifndef MDC_CONFIG_H
#define MDC_CONFIG_H

#include "confread.h"
#include "schedule.h"
#include "tz.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_shift_def {
    int id;
    int start_min; /* minutes after local midnight */
} mdc_shift_def;

typedef struct mdc_device_cfg {
    const char *id; /* strings are owned by the document */
    const char *name;
    const char *driver;
    bool has_machine_id;
    int64_t machine_id;
    mdc_schedule schedule; /* cron (if any) owned by the device config */
    int64_t retry_max_us;  /* the longest pause between retries while it does not answer */
    mdc_cfgnode node;      /* the device object, for the driver and derive parsers */
    const char *data_dir;  /* the effective data_dir (after command-line overrides) */
} mdc_device_cfg;

typedef struct mdc_spool_cfg {
    int64_t max_records;       /* oldest records dropped (and counted) beyond this */
    int64_t batch;             /* records per sink write */
    int64_t dead_letter_after; /* rejections of one record before it becomes a dead letter */
    bool sync_full;            /* "synchronous": "full" (default) or "normal" */
    int64_t max_bytes;         /* the spool's size limit (0: none) */
    int64_t min_free_bytes;    /* free space kept on data_dir's file system */
} mdc_spool_cfg;

/* Overrides from the command line (applied after the file). NULL/0 = not given. */
typedef struct mdc_config_overrides {
    const char *data_dir;
    const char *timezone;
    /* A .env that exists but this user may not read is skipped instead of failing the load:
     * under systemd, LoadCredential=/EnvironmentFile= hand its variables over (the CLI sets it
     * then). Where a variable is missing the error names the skipped file. */
    bool skip_unreadable_dotenv;
} mdc_config_overrides;

typedef struct mdc_config {
    mdc_cfgdoc *doc;
    const char *timezone;
    mdc_tz *tz;
    const char *data_dir;
    mdc_shift_def *shifts;
    size_t nshifts;
    mdc_spool_cfg spool;
    const char *log_level; /* NULL: not set */
    /* this mdc among several writing into the same destinations (one per hall...): names its
     * delivery positions and claims in databases, its topics; NULL: not set */
    const char *instance;
    int64_t retry_max_us; /* "retry_max": the devices' default */
    mdc_cfgnode *sinks;   /* sink objects; parsed by the sinks layer */
    size_t nsinks;
    mdc_device_cfg *devices;
    size_t ndevices;
    bool has_http;
    mdc_cfgnode http;
    /* The .env skipped as unreadable (skip_unreadable_dotenv), for the message of a missing
     * variable found later (drivers, sinks); "" when none. */
    char skipped_dotenv[256];
} mdc_config;

/* The keys of the top level, of a "shifts" entry, of the "spool" object and the keys every
 * device may have besides its driver's own (keys.h; a driver's device keyset shares the
 * last). */
struct mdc_keyset;
extern const struct mdc_keyset mdc_top_keyset;
extern const struct mdc_keyset mdc_shift_keyset;
extern const struct mdc_keyset mdc_spool_keyset;
extern const struct mdc_keyset mdc_device_keyset;

/* Loads `.env` beside the file and in the working directory (without overriding variables
 * already set), then parses and validates the top level. */
int mdc_config_load(const char *path, const mdc_config_overrides *ov, mdc_config **out,
                    mdc_err *err);
/* Adds to an error about a missing environment variable that the .env which was skipped as
 * unreadable is the likely cause (a no-op otherwise). For errors found after loading. */
void mdc_config_explain(const mdc_config *cfg, mdc_err *err);
/* Same from a string (tests, fuzzing); no .env loading. */
int mdc_config_load_string(const char *name, const char *text, size_t len,
                           const mdc_config_overrides *ov, mdc_config **out, mdc_err *err);
void mdc_config_free(mdc_config *cfg);

const mdc_device_cfg *mdc_config_find_device(const mdc_config *cfg, const char *id);
/* The shift containing local minute-of-day `min` (the last start <= min, wrapping). */
const mdc_shift_def *mdc_config_shift_at(const mdc_config *cfg, int min);

#endif
