/* SPDX-License-Identifier: Apache-2.0 */
/* derive_config.c — the "status", "parts" and "energy" keys of a device. */
#include "derive.h"

#include "core/keys.h"

#include <float.h>
#include <math.h>
#include <string.h>

static int check_field(const mdc_cfgnode *n, const char *key, const char *name,
                       const char *const *fields, mdc_err *err)
{
    if (!fields) return 0;
    for (size_t i = 0; fields[i]; i++)
        if (strcmp(fields[i], name) == 0) return 0;
    strbuf all = STRBUF_INIT;
    for (size_t i = 0; fields[i]; i++)
        if (fields[i][0] != '_') sb_printf(&all, "%s%s", all.len ? ", " : "", fields[i]);
    const char *near = mdc_did_you_mean(name, fields);
    if (near)
        cfg_error(n, key, err, "no value named \"%s\" (did you mean \"%s\"?); this device has: %s",
                  name, near, sb_str(&all));
    else
        cfg_error(n, key, err, "no value named \"%s\"; this device has: %s", name, sb_str(&all));
    sb_free(&all);
    return -1;
}

static const mdc_key cond_keys[] = {
    {.name = "point",
     .type = MDC_KEY_STRING,
     .nonempty = true,
     .help = "the value tested (or \"node\", \"field\")"},
    {.name = "node",
     .type = MDC_KEY_STRING,
     .nonempty = true,
     .help = "the same as \"point\" (OPC UA's word)"},
    {.name = "field", .type = MDC_KEY_STRING, .nonempty = true, .help = "the same as \"point\""},
    {.name = "above", .type = MDC_KEY_NUMBER, .help = "holds when the value is above"},
    {.name = "below", .type = MDC_KEY_NUMBER, .help = "holds when the value is below"},
    {.name = "equals", .type = MDC_KEY_NUMBER, .help = "holds when the value equals"},
    {0},
};
static const mdc_keyset cond_keyset = {"device status: production_when, on_when", cond_keys, NULL};

static const mdc_key status_keys[] = {
    {.name = "power", .type = MDC_KEY_STRING, .help = "the power value: PRODUCTION above a level"},
    {.name = "production_above",
     .type = MDC_KEY_NUMBER,
     .def = "0",
     .help = "|power| above it is PRODUCTION"},
    {.name = "production_when",
     .type = MDC_KEY_OBJECT,
     .help = "a condition for PRODUCTION instead of \"power\""},
    {.name = "on_when", .type = MDC_KEY_OBJECT, .help = "a condition for ON"},
    {0},
};
static const mdc_keyset status_keyset = {"device status", status_keys, NULL};

static const mdc_key energy_keys[] = {
    {.name = "point", .type = MDC_KEY_STRING, .required = true, .help = "the kWh meter reading"},
    {.name = "max_delta",
     .type = MDC_KEY_NUMBER,
     .help = "larger increases are spikes, skipped (default: none)"},
    {0},
};
static const mdc_keyset energy_keyset = {"device energy", energy_keys, NULL};

static const mdc_key parts_keys[] = {
    {.name = "signal",
     .type = MDC_KEY_ANY,
     .help = "a value whose rising edges are parts, or an operand the driver reads"},
    {.name = "counter",
     .type = MDC_KEY_STRING,
     .nonempty = true,
     .help = "an absolute counter whose increases count"},
    {.name = "equals", .type = MDC_KEY_NUMBER, .help = "the signal is high when equal to it"},
    {.name = "min_pulse",
     .type = MDC_KEY_DURATION,
     .def = "0",
     .help = "a signal must be held this long"},
    {0},
};
static const mdc_keyset parts_keyset = {"device parts", parts_keys, NULL};

const mdc_keyset *const mdc_derive_keysets[] = {&status_keyset, &cond_keyset, &energy_keyset,
                                                &parts_keyset, NULL};

/* {"point"|"node"|"field": NAME, "above"|"below"|"equals": NUMBER} */
static int parse_cond(const mdc_cfgnode *parent, const char *key, const char *const *fields,
                      mdc_cond *c, mdc_err *err)
{
    mdc_cfgnode n;
    bool have;
    if (cfg_object(parent, key, &n, &have, err) < 0 || !have) return have ? -1 : 0;
    if (mdc_keys_check(&n, &cond_keyset, err) < 0) return -1;
    const char *names[] = {"point", "node", "field"};
    const char *which = NULL;
    for (size_t i = 0; i < 3; i++)
        if (cfg_has(&n, names[i])) {
            if (which) return cfg_error(&n, names[i], err, "give only one of point/node/field");
            which = names[i];
        }
    if (!which)
        return cfg_error(&n, NULL, err, "missing \"point\" (the value the condition tests)");
    if (mdc_key_string(&n, &cond_keyset, which, &c->field, err) < 0 ||
        check_field(&n, which, c->field, fields, err) < 0)
        return -1;
    const char *ops[] = {"above", "below", "equals"};
    int found = 0;
    for (int i = 0; i < 3; i++)
        if (cfg_has(&n, ops[i])) {
            found++;
            c->op = (mdc_cond_op)i;
            if (mdc_key_number(&n, &cond_keyset, ops[i], &c->value, err) < 0) return -1;
        }
    if (found != 1)
        return cfg_error(&n, NULL, err, "give exactly one of \"above\", \"below\", \"equals\"");
    c->set = true;
    return 0;
}

static int parse_status(const mdc_cfgnode *dev, const char *const *fields, mdc_derive_cfg *out,
                        mdc_err *err)
{
    mdc_cfgnode n;
    bool have;
    if (cfg_object(dev, "status", &n, &have, err) < 0 || !have) return have ? -1 : 0;
    if (mdc_keys_check(&n, &status_keyset, err) < 0 ||
        mdc_key_string(&n, &status_keyset, "power", &out->power_field, err) < 0)
        return -1;
    if (out->power_field && check_field(&n, "power", out->power_field, fields, err) < 0) return -1;
    if (cfg_has(&n, "production_above") && !out->power_field)
        return cfg_error(&n, "production_above", err, "needs \"power\" (the power value to test)");
    if (mdc_key_number(&n, &status_keyset, "production_above", &out->production_above, err) < 0)
        return -1;
    if (out->production_above < 0) return cfg_error(&n, "production_above", err, "must be >= 0");
    if (parse_cond(&n, "production_when", fields, &out->production_when, err) < 0 ||
        parse_cond(&n, "on_when", fields, &out->on_when, err) < 0)
        return -1;
    if (out->power_field && out->production_when.set)
        return cfg_error(&n, "production_when", err,
                         "give either \"power\"/\"production_above\" or \"production_when\"");
    out->has_status = true;
    return 0;
}

static int parse_energy(const mdc_cfgnode *dev, const char *const *fields, mdc_derive_cfg *out,
                        mdc_err *err)
{
    mdc_cfgnode n;
    bool have;
    if (cfg_object(dev, "energy", &n, &have, err) < 0 || !have) return have ? -1 : 0;
    if (mdc_keys_check(&n, &energy_keyset, err) < 0 ||
        mdc_key_string(&n, &energy_keyset, "point", &out->energy_field, err) < 0 ||
        check_field(&n, "point", out->energy_field, fields, err) < 0 ||
        mdc_key_number_or(&n, &energy_keyset, "max_delta", DBL_MAX, &out->max_delta, err) < 0)
        return -1;
    if (out->max_delta <= 0)
        return cfg_error(&n, "max_delta", err,
                         "must be > 0 (the largest believable increase per sample)");
    return 0;
}

static int parse_parts(const mdc_cfgnode *dev, const char *const *fields, const char *driver_signal,
                       mdc_derive_cfg *out, mdc_err *err)
{
    mdc_cfgnode n;
    bool have;
    if (cfg_object(dev, "parts", &n, &have, err) < 0 || !have) return have ? -1 : 0;
    if (mdc_keys_check(&n, &parts_keyset, err) < 0) return -1;
    bool sig = cfg_has(&n, "signal"), cnt = cfg_has(&n, "counter");
    if (sig == cnt)
        return cfg_error(&n, NULL, err,
                         "give exactly one of \"signal\" (count rising edges) or "
                         "\"counter\" (count an absolute counter's increases)");
    if (cnt) {
        out->parts_mode = MDC_PARTS_COUNTER;
        return mdc_key_string(&n, &parts_keyset, "counter", &out->parts_field, err) < 0 ||
                       check_field(&n, "counter", out->parts_field, fields, err) < 0
                   ? -1
                   : 0;
    }
    out->parts_mode = MDC_PARTS_SIGNAL;
    if (mdc_key_duration(&n, &parts_keyset, "min_pulse", &out->min_pulse_us, err) < 0) return -1;
    json_t *s = json_object_get(n.json, "signal");
    const mdc_cfgnode *eq_node = &n;
    mdc_cfgnode obj;
    if (json_is_object(s)) { /* read by the driver; "equals" lives inside */
        if (cfg_object(&n, "signal", &obj, &have, err) < 0) return -1;
        if (!driver_signal)
            return cfg_error(&n, "signal", err,
                             "this driver cannot read a signal itself: name one of its values "
                             "(\"signal\": \"FIELD\")");
        out->parts_field = driver_signal;
        out->signal_from_driver = true;
        eq_node = &obj;
        if (cfg_has(&n, "equals"))
            return cfg_error(&n, "equals", err, "put \"equals\" inside \"signal\"");
    } else if (cfg_required_string(&n, "signal", &out->parts_field, err) < 0 ||
               check_field(&n, "signal", out->parts_field, fields, err) < 0) {
        return -1;
    }
    out->signal_has_equals = cfg_has(eq_node, "equals");
    return mdc_key_number(eq_node, &parts_keyset, "equals", &out->signal_equals, err);
}

int mdc_derive_parse(const mdc_cfgnode *dev, const char *const *fields, const char *driver_signal,
                     mdc_derive_cfg *out, mdc_err *err)
{
    memset(out, 0, sizeof *out);
    out->max_delta = DBL_MAX;
    if (parse_status(dev, fields, out, err) < 0 || parse_energy(dev, fields, out, err) < 0 ||
        parse_parts(dev, fields, driver_signal, out, err) < 0)
        return -1;
    return 0;
}

static void describe_cond(const char *what, const mdc_cond *c, strbuf *out)
{
    static const char *const ops[] = {">", "<", "=="};
    sb_printf(out, "%s when %s %s %g", what, c->field, ops[c->op], c->value);
}

void mdc_derive_describe(const mdc_derive_cfg *cfg, strbuf *out)
{
    if (cfg->has_status) {
        sb_puts(out, "    status: ");
        if (cfg->power_field)
            sb_printf(out, "PRODUCTION when |%s| > %g", cfg->power_field, cfg->production_above);
        else if (cfg->production_when.set)
            describe_cond("PRODUCTION", &cfg->production_when, out);
        else
            sb_puts(out, "(driver's rule for PRODUCTION)");
        sb_puts(out, "; ");
        if (cfg->on_when.set)
            describe_cond("ON", &cfg->on_when, out);
        else if (cfg->power_field)
            sb_printf(out, "ON when |%s| > 0", cfg->power_field);
        else
            sb_puts(out, "ON when reachable");
        sb_puts(out, "; else OFF; OFF when unreachable\n");
    }
    if (cfg->energy_field) {
        sb_printf(out, "    energy: deltas of %s", cfg->energy_field);
        if (cfg->max_delta < 1e300)
            sb_printf(out, ", increases above %g skipped as spikes", cfg->max_delta);
        sb_puts(out, ", decreases skipped as meter resets\n");
    }
    if (cfg->parts_mode == MDC_PARTS_SIGNAL) {
        if (cfg->signal_from_driver)
            sb_puts(out, "    parts: rising edges of the signal the driver reads");
        else
            sb_printf(out, "    parts: rising edges of %s", cfg->parts_field);
        if (cfg->signal_has_equals) sb_printf(out, " == %g", cfg->signal_equals);
        if (cfg->min_pulse_us)
            sb_printf(out, " held >= %lld ms", (long long)(cfg->min_pulse_us / 1000));
        sb_puts(out, "\n");
    } else if (cfg->parts_mode == MDC_PARTS_COUNTER) {
        sb_printf(out, "    parts: increases of counter %s (a decrease is a counter reset)\n",
                  cfg->parts_field);
    }
}
