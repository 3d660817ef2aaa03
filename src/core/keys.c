/* SPDX-License-Identifier: Apache-2.0 */
/* keys.c — see keys.h. */
#include "keys.h"

#include "xalloc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const mdc_key *mdc_keys_find(const mdc_keyset *ks, const char *name)
{
    for (; ks; ks = ks->shared)
        for (const mdc_key *k = ks->keys; k && k->name; k++)
            if (strcmp(k->name, name) == 0) return k;
    return NULL;
}

/* Appends the names of ks's own keys to names[i...]; the new count. */
static size_t add_names(const mdc_keyset *ks, const char **names, size_t i)
{
    for (const mdc_key *k = ks->keys; k && k->name; k++)
        names[i++] = k->name;
    return i;
}

int mdc_keys_check_common(const mdc_cfgnode *n, const mdc_keyset *common, const mdc_keyset *ks,
                          mdc_err *err)
{
    size_t count = 0;
    for (const mdc_keyset *s = ks; s; s = s->shared)
        for (const mdc_key *k = s->keys; k && k->name; k++)
            count++;
    const char **names = xcalloc(count + 1, sizeof *names);
    size_t i = 0;
    for (const mdc_keyset *s = common; s; s = s->shared)
        i = add_names(s, names, i);
    for (const mdc_keyset *s = ks; s && s != common; s = s->shared)
        i = add_names(s, names, i);
    int rc = cfg_check_keys(n, names, err);
    free(names);
    for (const mdc_keyset *s = ks; rc == 0 && s; s = s->shared)
        for (const mdc_key *k = s->keys; rc == 0 && k && k->name; k++)
            if (k->required && !cfg_has(n, k->name))
                rc = cfg_error(n, NULL, err, "missing required key \"%s\"", k->name);
    return rc;
}

int mdc_keys_check(const mdc_cfgnode *n, const mdc_keyset *ks, mdc_err *err)
{
    return mdc_keys_check_common(n, NULL, ks, err);
}

const char *mdc_key_type_name(mdc_key_type t)
{
    static const char *const names[] = {"string",  "secret",   "integer", "number",
                                        "boolean", "duration", "size",    "one of",
                                        "object",  "array",    "value"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "value";
}

static void describe_key(const mdc_key *k, strbuf *out)
{
    sb_printf(out, "  %-22s %s", k->name, mdc_key_type_name(k->type));
    if (k->type == MDC_KEY_ENUM && k->choices) {
        for (const char *const *c = k->choices; *c; c++)
            sb_printf(out, "%s%s", c == k->choices ? " " : "|", *c);
    }
    if (k->required) sb_puts(out, ", required");
    if (k->def) sb_printf(out, ", default %s", k->def);
    if (k->type == MDC_KEY_INT && (k->min || k->max))
        sb_printf(out, ", %" PRId64 "..%" PRId64, k->min, k->max);
    if (k->help) sb_printf(out, " — %s", k->help);
    sb_putc(out, '\n');
}

void mdc_keys_describe(const mdc_keyset *ks, strbuf *out)
{
    sb_printf(out, "%s:\n", ks->name);
    for (const mdc_key *k = ks->keys; k && k->name; k++)
        describe_key(k, out);
    if (ks->shared) sb_printf(out, "  (and the keys of %s)\n", ks->shared->name);
}

/* The declaration of name, which must be of type t; a mismatch is a programming error. */
static const mdc_key *declared(const mdc_keyset *ks, const char *name, mdc_key_type t, mdc_err *err)
{
    const mdc_key *k = mdc_keys_find(ks, name);
    bool ok = k && (k->type == t || (t == MDC_KEY_STRING && k->type == MDC_KEY_SECRET));
    assert(ok && "a getter for a key its table does not declare with that type");
    if (!ok)
        mdc_err_set(err, MDC_ESTATE, "%s: key \"%s\" is not declared as a %s", ks->name, name,
                    mdc_key_type_name(t));
    return ok ? k : NULL;
}

int mdc_key_string(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, const char **out,
                   mdc_err *err)
{
    const mdc_key *k = mdc_keys_find(ks, name);
    return mdc_key_string_or(n, ks, name, k ? k->def : NULL, out, err);
}

int mdc_key_string_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, const char *def,
                      const char **out, mdc_err *err)
{
    const mdc_key *k = declared(ks, name, MDC_KEY_STRING, err);
    if (!k) return -1;
    if (k->required && !cfg_has(n, name))
        return cfg_error(n, NULL, err, "missing required key \"%s\"", name);
    int rc = k->type == MDC_KEY_SECRET ? cfg_secret(n, name, def, out, err)
                                       : cfg_string(n, name, def, out, err);
    if (rc == 0 && (k->required || k->nonempty) && cfg_has(n, name) && !**out)
        return cfg_error(n, name, err, "must not be empty");
    return rc;
}

int mdc_key_int(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t *out,
                mdc_err *err)
{
    const mdc_key *k = mdc_keys_find(ks, name);
    int64_t def = k && k->def ? strtoll(k->def, NULL, 10) : 0;
    return mdc_key_int_or(n, ks, name, def, out, err);
}

int mdc_key_int_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t def,
                   int64_t *out, mdc_err *err)
{
    const mdc_key *k = declared(ks, name, MDC_KEY_INT, err);
    if (!k) return -1;
    bool any = k->min == 0 && k->max == 0;
    return cfg_int(n, name, def, any ? INT64_MIN : k->min, any ? INT64_MAX : k->max, out, err);
}

int mdc_key_number(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, double *out,
                   mdc_err *err)
{
    const mdc_key *k = mdc_keys_find(ks, name);
    return mdc_key_number_or(n, ks, name, k && k->def ? strtod(k->def, NULL) : 0, out, err);
}

int mdc_key_number_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, double def,
                      double *out, mdc_err *err)
{
    if (!declared(ks, name, MDC_KEY_NUMBER, err)) return -1;
    return cfg_double(n, name, def, out, err);
}

int mdc_key_bool(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, bool *out,
                 mdc_err *err)
{
    const mdc_key *k = declared(ks, name, MDC_KEY_BOOL, err);
    if (!k) return -1;
    return cfg_bool(n, name, k->def && strcmp(k->def, "true") == 0, out, err);
}

int mdc_key_duration(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t *out,
                     mdc_err *err)
{
    const mdc_key *k = mdc_keys_find(ks, name);
    int64_t def = 0;
    if (k && k->def && mdc_parse_duration_us(k->def, &def) < 0) def = 0;
    return mdc_key_duration_or(n, ks, name, def, out, err);
}

int mdc_key_duration_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t def,
                        int64_t *out, mdc_err *err)
{
    if (!declared(ks, name, MDC_KEY_DURATION, err)) return -1;
    return cfg_duration_us(n, name, def, out, err);
}

int mdc_key_size(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int64_t *out,
                 mdc_err *err)
{
    const mdc_key *k = declared(ks, name, MDC_KEY_SIZE, err);
    if (!k) return -1;
    int64_t def = 0;
    if (k->def && mdc_parse_size(k->def, &def) < 0) def = 0;
    return cfg_size_bytes(n, name, def, out, err);
}

int mdc_key_enum(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int *out,
                 mdc_err *err)
{
    const mdc_key *k = mdc_keys_find(ks, name);
    int def = 0;
    for (int i = 0; k && k->def && k->choices && k->choices[i]; i++)
        if (strcmp(k->choices[i], k->def) == 0) def = i;
    return mdc_key_enum_or(n, ks, name, def, out, err);
}

int mdc_key_enum_or(const mdc_cfgnode *n, const mdc_keyset *ks, const char *name, int def, int *out,
                    mdc_err *err)
{
    const mdc_key *k = declared(ks, name, MDC_KEY_ENUM, err);
    if (!k) return -1;
    return cfg_enum(n, name, k->choices, def, out, err);
}
