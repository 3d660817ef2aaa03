/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_values.c — device values in /metrics (metrics.h): gauges, counters for running
 * totals, the machine state as a state set, the last-success time; bounded by max_series. */
#include "metrics.h"

#include "core/xalloc.h"

#include <inttypes.h>
#include <string.h>

static const char *const states[] = {"OFF", "ON", "PRODUCTION", "UNREACHABLE"};
#define NSTATES 4

/* ---- collection ---- */

typedef struct values_ctx {
    const mdc_device_info *di;
    mdc_metrics_device *md;
} values_ctx;

/* A value as a sample: mdc_value_as_double's, but NaN passes as NaN. */
static bool numeric(const mdc_value *v, double *out)
{
    if (v->type != MDC_DOUBLE) return mdc_value_as_double(v, out);
    *out = v->u.d;
    return true;
}

static const char *state_of(const mdc_record *live)
{
    if (!live) return NULL;
    if (live->error) return "UNREACHABLE";
    if (live->status >= 0 && live->status < 3) return states[live->status];
    return NULL;
}

/* Under the device's lock: copies numbers, borrows names and units from the catalog. */
static void values_visit(void *ctx, const mdc_record *live, const mdc_record *ok)
{
    values_ctx *c = ctx;
    mdc_metrics_device *md = c->md;
    md->state = state_of(live);
    md->has_last_ok = ok != NULL;
    if (ok) md->last_ok_s = (double)ok->ts_us / 1e6;
    if (!live || live->error || !c->di) return; /* no current values: the series go stale */
    md->points = xcalloc(c->di->nfields ? c->di->nfields : 1, sizeof *md->points);
    for (size_t i = 0; i < c->di->nfields; i++) {
        const mdc_field_info *fi = &c->di->fields[i];
        const mdc_field *f = i < live->nfields && !strcmp(live->fields[i].name, fi->name)
                                 ? &live->fields[i]
                                 : mdc_record_find(live, fi->name);
        double v;
        if (!f || !numeric(&f->v, &v)) continue;
        md->points[md->npoints++] = (mdc_metrics_point){
            .name = fi->name, .unit = fi->unit ? fi->unit : "", .value = v, .total = fi->total};
    }
}

void mdc_metrics_collect_values(mdc_rt_device *d, const mdc_device_info *di, mdc_metrics_device *md)
{
    values_ctx c = {di, md};
    mdc_runtime_device_visit_ok(d, values_visit, &c);
}

/* ---- rendering ---- */

typedef struct budget {
    int64_t left, dropped;
} budget;

static bool take(budget *b, int64_t n)
{
    if (b->left < n) {
        b->dropped += n;
        return false;
    }
    b->left -= n;
    return true;
}

static void family(strbuf *out, const char *name, const char *type, const char *help)
{
    sb_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void device_label(strbuf *out, const char *name, const char *device)
{
    sb_printf(out, "%s{device=\"", name);
    mdc_metrics_label(out, device);
    sb_putc(out, '"');
}

static void render_last_ok(const mdc_metrics *m, budget *b, strbuf *out)
{
    const char *name = "mdc_device_last_success_timestamp_seconds";
    family(out, name, "gauge", "Sample time of the device's latest record without an error.");
    for (size_t i = 0; i < m->ndevices; i++) {
        const mdc_metrics_device *d = &m->devices[i];
        if (!d->has_last_ok || !take(b, 1)) continue;
        device_label(out, name, d->id);
        sb_puts(out, "} ");
        mdc_metrics_number(out, d->last_ok_s);
        sb_putc(out, '\n');
    }
}

static void render_states(const mdc_metrics *m, budget *b, strbuf *out)
{
    const char *name = "mdc_machine_state";
    family(out, name, "gauge",
           "Machine state as a state set: 1 for the current of OFF, ON, PRODUCTION, UNREACHABLE.");
    for (size_t i = 0; i < m->ndevices; i++) {
        const mdc_metrics_device *d = &m->devices[i];
        if (!d->state || !take(b, NSTATES)) continue;
        for (int s = 0; s < NSTATES; s++) {
            device_label(out, name, d->id);
            sb_printf(out, ",state=\"%s\"} %d\n", states[s], strcmp(d->state, states[s]) == 0);
        }
    }
}

static void render_points(const mdc_metrics *m, bool totals, budget *b, strbuf *out)
{
    const char *name = totals ? "mdc_point_total" : "mdc_point_value";
    if (totals)
        family(out, name, "counter",
               "Latest reading of a running total of a device (an energy register), in its unit.");
    else
        family(out, name, "gauge", "Latest numeric value of a device's point, in its unit.");
    for (size_t i = 0; i < m->ndevices; i++) {
        const mdc_metrics_device *d = &m->devices[i];
        for (size_t k = 0; k < d->npoints; k++) {
            const mdc_metrics_point *p = &d->points[k];
            if (p->total != totals || !take(b, 1)) continue;
            device_label(out, name, d->id);
            sb_puts(out, ",point=\"");
            mdc_metrics_label(out, p->name);
            sb_puts(out, "\",unit=\"");
            mdc_metrics_label(out, p->unit);
            sb_puts(out, "\"} ");
            mdc_metrics_number(out, p->value);
            sb_putc(out, '\n');
        }
    }
}

void mdc_metrics_render_values(const mdc_metrics *m, strbuf *out)
{
    budget b = {.left = m->max_series > 0 ? m->max_series : 0};
    render_last_ok(m, &b, out);
    render_states(m, &b, out);
    render_points(m, false, &b, out);
    render_points(m, true, &b, out);
    family(out, "mdc_metrics_dropped_series", "gauge",
           "Series of device values left out of this scrape by http.metrics.max_series.");
    sb_printf(out, "mdc_metrics_dropped_series %" PRId64 "\n", b.dropped);
}
