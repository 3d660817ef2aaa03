/* SPDX-License-Identifier: Apache-2.0 */
/* status.c — 0 OFF, 1 ON (idle), 2 PRODUCTION from the configured rules. */
#include "derive.h"
#include "derive_internal.h"

#include <math.h>

static bool field_number(const mdc_record *rec, const char *name, double *out)
{
    const mdc_field *f = name ? mdc_derive_input(rec, name) : NULL;
    return f && mdc_value_as_double(&f->v, out);
}

static bool cond_holds(const mdc_cond *c, const mdc_record *rec)
{
    double x;
    if (!c->set || !field_number(rec, c->field, &x)) return false;
    switch (c->op) {
    case MDC_COND_ABOVE:
        return x > c->value;
    case MDC_COND_BELOW:
        return x < c->value;
    case MDC_COND_EQUALS:
        return x == c->value;
    }
    return false;
}

int mdc_derive_status(const mdc_derive_cfg *cfg, const mdc_record *rec)
{
    if (rec->error) return MDC_STATUS_OFF;
    if (!cfg->has_status) return rec->status; /* the driver's own rule, if it has one */
    if (cfg->power_field) {
        double p;
        if (!field_number(rec, cfg->power_field, &p))
            return MDC_STATUS_OFF; /* no power reading: not known to be running */
        if (fabs(p) > cfg->production_above) return MDC_STATUS_PRODUCTION;
        if (cfg->on_when.set)
            return cond_holds(&cfg->on_when, rec) ? MDC_STATUS_ON : MDC_STATUS_OFF;
        return fabs(p) > 0 ? MDC_STATUS_ON : MDC_STATUS_OFF;
    }
    if (cfg->production_when.set && cond_holds(&cfg->production_when, rec))
        return MDC_STATUS_PRODUCTION;
    if (!cfg->production_when.set && rec->status == MDC_STATUS_PRODUCTION)
        return MDC_STATUS_PRODUCTION; /* driver's production rule, configured ON rule */
    if (cfg->on_when.set) return cond_holds(&cfg->on_when, rec) ? MDC_STATUS_ON : MDC_STATUS_OFF;
    return MDC_STATUS_ON;
}
