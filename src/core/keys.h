/* SPDX-License-Identifier: Apache-2.0 */
/* keys.h — the configuration keys of one kind of object (a driver's device keys, a sink's keys,
 * the spool's), declared once as a table: name, type, default, limits, secret or not, help.
 *
 * The table drives
 *   - key checking: unknown keys are refused with "did you mean" and the list of allowed keys;
 *     required keys must be there (mdc_keys_check);
 *   - reading: the typed getters take the default and the limits from the table, so a default
 *     lives in one place (mdc_key_int, mdc_key_duration, ...);
 *   - secrets: a key of type MDC_KEY_SECRET is read with cfg_secret (masked in `mdc check`);
 *   - listings: `mdc keys` prints every table (mdc_keys_describe), and a unit test checks that
 *     docs/configuration.md names every key of every table.
 *
 * A keyset may include another (the keys every text sink shares), searched after its own.
 * Getters for a name the table lacks are programming errors: they fail with MDC_ESTATE naming
 * the key, and assert in debug builds.
 */
#ifndef MDC_KEYS_H
#define MDC_KEYS_H

#include "confread.h"
#include "err.h"
#include "strbuf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    MDC_KEY_STRING,
    MDC_KEY_SECRET, /* a string that is never shown */
    MDC_KEY_INT,
    MDC_KEY_NUMBER,
    MDC_KEY_BOOL,
    MDC_KEY_DURATION, /* seconds, or "500ms", "5s", "2m" */
    MDC_KEY_SIZE,     /* bytes, or "512MB", "2GiB" */
    MDC_KEY_ENUM,     /* one of `choices` */
    MDC_KEY_OBJECT,
    MDC_KEY_ARRAY,
    MDC_KEY_ANY, /* read by its owner's own code (e.g. a string or an object) */
} mdc_key_type;

typedef struct mdc_key {
    const char *name;
    mdc_key_type type;
    const char *def;            /* the default as written in a configuration; NULL: none */
    int64_t min, max;           /* MDC_KEY_INT limits (both 0: any int64) */
    const char *const *choices; /* MDC_KEY_ENUM: NULL-terminated */
    bool required;
    bool nonempty;    /* a string that, when given, must not be "" (required strings too) */
    const char *help; /* one line for `mdc keys` */
} mdc_key;

typedef struct mdc_keyset {
    const char *name;                /* "device (modbus)", "sink webhook" */
    const mdc_key *keys;             /* terminated by an entry whose name is NULL */
    const struct mdc_keyset *shared; /* keys this object also takes (may be NULL) */
} mdc_keyset;

/* Refuses keys the set (with its shared keys) does not declare, and missing required keys. */
int mdc_keys_check(const mdc_cfgnode *n, const mdc_keyset *ks, mdc_err *err);
/* The same, naming the keys of `common` (the last set ks shares, e.g. a device's common keys)
 * first in messages. */
int mdc_keys_check_common(const mdc_cfgnode *n, const mdc_keyset *common, const mdc_keyset *ks,
                          mdc_err *err);
/* The declaration of `name` (searching the shared set too), or NULL. */
const mdc_key *mdc_keys_find(const mdc_keyset *ks, const char *name);
/* Appends one line per key: "  name  type (default ...; min..max; a|b|c) help". */
void mdc_keys_describe(const mdc_keyset *ks, strbuf *out);
/* "string", "secret", "integer", ... */
const char *mdc_key_type_name(mdc_key_type t);

/* Typed getters: the value of `name` in n, else the table's default (or NULL / 0 / false when
 * the table has none), within the table's limits. A required string that is missing fails with
 * "missing required key". */
int mdc_key_string(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, const char **out,
                   mdc_err *err);
int mdc_key_int(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t *out,
                mdc_err *err);
int mdc_key_number(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, double *out,
                   mdc_err *err);
int mdc_key_bool(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, bool *out,
                 mdc_err *err);
int mdc_key_duration(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t *out,
                     mdc_err *err);
int mdc_key_size(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t *out,
                 mdc_err *err);
/* *out = the index of the value in the key's choices. */
int mdc_key_enum(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int *out,
                 mdc_err *err);

/* The same with a default that depends on other keys or settings (the table's `def` then says
 * so in words); the type, limits and choices still come from the table. */
int mdc_key_string_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, const char *def,
                      const char **out, mdc_err *err);
int mdc_key_int_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t def,
                   int64_t *out, mdc_err *err);
int mdc_key_number_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, double def,
                      double *out, mdc_err *err);
int mdc_key_duration_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t def,
                        int64_t *out, mdc_err *err);
int mdc_key_enum_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int def, int *out,
                    mdc_err *err);

#endif
