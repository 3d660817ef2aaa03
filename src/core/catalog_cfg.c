/* SPDX-License-Identifier: Apache-2.0 */
/* catalog_cfg.c — display keys of a value's configuration (catalog.h). */
#include "catalog.h"
#include "confread.h"
#include "keys.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>

static const mdc_key field_info_keys[] = {
    {.name = "unit",
     .type = MDC_KEY_STRING,
     .help = "\"kW\", \"kWh\", \"V\", ... (the quantity follows)"},
    {.name = "label", .type = MDC_KEY_STRING, .help = "a name for people"},
    {.name = "decimals",
     .type = MDC_KEY_INT,
     .min = -1,
     .max = 15,
     .help = "digits shown (-1: as read)"},
    {.name = "enum", .type = MDC_KEY_OBJECT, .help = "{\"0\": \"STOPPED\", ...}: names of values"},
    {0},
};
const mdc_keyset mdc_field_info_keyset = {"a value's display (unit, label, ...)", field_info_keys,
                                          NULL};

static int parse_enum_key(const mdc_cfgnode *n, const char *key, int64_t *out, mdc_err *err)
{
    char *end;
    errno = 0;
    long long v = strtoll(key, &end, 10);
    if (!*key || *end || errno)
        return cfg_error(n, key, err, "an enumeration's keys are whole numbers (\"0\", \"2\")");
    *out = v;
    return 0;
}

static int parse_enum(const mdc_cfgnode *n, mdc_field_info *out, mdc_err *err)
{
    mdc_cfgnode e;
    bool have;
    if (cfg_object(n, "enum", &e, &have, err) < 0) return -1;
    if (!have) return 0;
    size_t count = json_object_size(e.json);
    if (count == 0) return cfg_error(n, "enum", err, "is empty; e.g. {\"0\": \"STOPPED\"}");
    mdc_enum_name *names = xcalloc(count, sizeof *names);
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(e.json, key, v)
    {
        (void)v;
        mdc_enum_name *en = &names[k];
        if (parse_enum_key(&e, key, &en->value, err) < 0 ||
            cfg_required_string(&e, key, &en->name, err) < 0) {
            free(names);
            return -1;
        }
        k++;
    }
    mdc_field_info_release(out);
    out->enums = names;
    out->nenums = k;
    return 0;
}

int mdc_field_info_parse(const mdc_cfgnode *n, mdc_field_info *out, mdc_err *err)
{
    const char *unit, *label;
    int64_t decimals;
    const mdc_keyset *ks = &mdc_field_info_keyset;
    if (mdc_key_string_or(n, ks, "unit", out->unit, &unit, err) < 0 ||
        mdc_key_string_or(n, ks, "label", out->label, &label, err) < 0 ||
        mdc_key_int_or(n, ks, "decimals", out->decimals, &decimals, err) < 0 ||
        parse_enum(n, out, err) < 0)
        return -1;
    out->unit = unit && *unit ? unit : NULL;
    out->label = label && *label ? label : NULL;
    out->decimals = (int)decimals;
    return 0;
}

void mdc_field_info_release(mdc_field_info *f)
{
    free((void *)f->enums);
    f->enums = NULL;
    f->nenums = 0;
}
