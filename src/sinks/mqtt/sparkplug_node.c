/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_node.c — see sparkplug_node.h. */
#include "sparkplug_node.h"
#include "sparkplug_codec.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define NAMESPACE "spBv1.0"

void mdc_sp_node_init(mdc_sp_node *n, const char *group, const char *edge, mdc_sp_emit emit,
                      void *ctx)
{
    *n = (mdc_sp_node){
        .group = xstrdup(group), .edge = xstrdup(edge), .seq = -1, .emit = emit, .ctx = ctx};
    sb_init(&n->topic);
    sb_init(&n->payload);
}

static void free_device(mdc_sp_device *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->m[i].name);
        mdc_value_free(&d->m[i].last);
    }
    free(d->m);
    free(d->id);
}

void mdc_sp_node_free(mdc_sp_node *n)
{
    for (size_t i = 0; i < n->ndevs; i++)
        free_device(&n->devs[i]);
    free(n->devs);
    free(n->group);
    free(n->edge);
    sb_free(&n->topic);
    sb_free(&n->payload);
}

void mdc_sp_topic(const mdc_sp_node *n, const char *type, const char *device, strbuf *out)
{
    sb_reset(out);
    sb_printf(out, NAMESPACE "/%s/%s/%s", n->group, type, n->edge);
    if (device) sb_printf(out, "/%s", device);
}

static int next_seq(mdc_sp_node *n)
{
    n->seq = n->seq < 0 ? 0 : (n->seq + 1) % 256;
    return n->seq;
}

void mdc_sp_ndeath_payload(uint64_t ts_ms, int bdseq, strbuf *out)
{
    mdc_value v = {.type = MDC_INT, .u.i = bdseq};
    mdc_sp_metric m = {.name = "bdSeq", .ts_ms = ts_ms, .datatype = MDC_SP_INT64, .v = &v};
    sb_reset(out);
    mdc_sp_encode(ts_ms, -1, &m, 1, out); /* an NDEATH has no seq */
}

int mdc_sp_nbirth(mdc_sp_node *n, uint64_t ts_ms, int bdseq)
{
    mdc_value seqv = {.type = MDC_INT, .u.i = bdseq}, no = {.type = MDC_BOOL, .u.b = false};
    mdc_sp_metric m[] = {
        {.name = "bdSeq", .ts_ms = ts_ms, .datatype = MDC_SP_INT64, .v = &seqv},
        {.name = MDC_SP_REBIRTH, .ts_ms = ts_ms, .datatype = MDC_SP_BOOLEAN, .v = &no},
    };
    for (size_t i = 0; i < n->ndevs; i++)
        n->devs[i].born = false;
    n->seq = -1;
    mdc_sp_topic(n, "NBIRTH", NULL, &n->topic);
    sb_reset(&n->payload);
    mdc_sp_encode(ts_ms, next_seq(n), m, 2, &n->payload);
    return n->emit(n->ctx, sb_str(&n->topic), &n->payload);
}

static mdc_sp_device *device(mdc_sp_node *n, const char *id)
{
    for (size_t i = 0; i < n->ndevs; i++)
        if (!strcmp(n->devs[i].id, id)) return &n->devs[i];
    xgrow(&n->devs, &n->cap, n->ndevs + 1, sizeof *n->devs);
    n->devs[n->ndevs] = (mdc_sp_device){.id = xstrdup(id)};
    return &n->devs[n->ndevs++];
}

static uint64_t alias_of(const mdc_sp_node *n, const mdc_sp_device *d, size_t i)
{
    return ((uint64_t)(d - n->devs) + 1) << 16 | (uint64_t)(i + 1);
}

static const char *unit_of(const mdc_sp_node *n, const mdc_sp_device *d, const char *name)
{
    const mdc_field_info *f = mdc_device_info_field(mdc_catalog_device(n->catalog, d->id), name);
    return f ? f->unit : NULL;
}

/* A record's values as (name, value) pairs: the status first, then the fields. */
static size_t record_values(const mdc_record *r, const char **names, const mdc_value **vals,
                            mdc_value *status)
{
    size_t k = 0;
    if (r->status >= 0) {
        *status = (mdc_value){.type = MDC_INT, .u.i = r->status};
        names[k] = "status";
        vals[k++] = status;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        names[k] = r->fields[i].name;
        vals[k++] = &r->fields[i].v;
    }
    return k;
}

static mdc_sp_metric_state *metric(mdc_sp_device *d, const char *name)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->m[i].name, name)) return &d->m[i];
    return NULL;
}

/* True when the host must be told the device anew: not born, or a metric it does not know, or
 * a value that does not fit the datatype of its birth. */
static bool needs_birth(const mdc_sp_device *d, const char **names, const mdc_value **vals,
                        size_t k)
{
    if (!d->born) return true;
    for (size_t i = 0; i < k; i++) {
        const mdc_sp_metric_state *m = metric((mdc_sp_device *)d, names[i]);
        if (!m || !mdc_sp_fits(vals[i], m->datatype)) return true;
    }
    return false;
}

/* Takes the record's values into d (new metrics appended; datatypes from non-null values). */
static void take_values(mdc_sp_device *d, const char **names, const mdc_value **vals, size_t k,
                        bool birth)
{
    for (size_t i = 0; i < k; i++) {
        mdc_sp_metric_state *m = metric(d, names[i]);
        if (!m) {
            xgrow(&d->m, &d->cap, d->n + 1, sizeof *d->m);
            m = &d->m[d->n++];
            *m = (mdc_sp_metric_state){.name = xstrdup(names[i])};
            m->datatype = strcmp(names[i], "status") ? mdc_sp_datatype(vals[i]) : MDC_SP_INT32;
        } else if (birth && !mdc_sp_fits(vals[i], m->datatype)) {
            m->datatype = mdc_sp_datatype(vals[i]);
        }
        mdc_value_free(&m->last);
        mdc_value_copy(&m->last, vals[i]);
    }
}

static int emit_birth(mdc_sp_node *n, mdc_sp_device *d, uint64_t ts_ms)
{
    mdc_sp_metric *ms = xcalloc(d->n ? d->n : 1, sizeof *ms);
    for (size_t i = 0; i < d->n; i++)
        ms[i] = (mdc_sp_metric){.name = d->m[i].name,
                                .has_alias = true,
                                .alias = alias_of(n, d, i),
                                .ts_ms = ts_ms,
                                .datatype = d->m[i].datatype,
                                .v = &d->m[i].last,
                                .unit = unit_of(n, d, d->m[i].name)};
    mdc_sp_topic(n, "DBIRTH", d->id, &n->topic);
    sb_reset(&n->payload);
    mdc_sp_encode(ts_ms, next_seq(n), ms, d->n, &n->payload);
    free(ms);
    d->born = true;
    return n->emit(n->ctx, sb_str(&n->topic), &n->payload);
}

static int emit_data(mdc_sp_node *n, mdc_sp_device *d, const char **names, const mdc_value **vals,
                     size_t k, uint64_t ts_ms)
{
    mdc_sp_metric *ms = xcalloc(k ? k : 1, sizeof *ms);
    size_t changed = 0;
    for (size_t i = 0; i < k; i++) {
        mdc_sp_metric_state *m = metric(d, names[i]);
        if (mdc_value_equal(&m->last, vals[i])) continue;
        ms[changed++] = (mdc_sp_metric){.has_alias = true,
                                        .alias = alias_of(n, d, (size_t)(m - d->m)),
                                        .ts_ms = ts_ms,
                                        .datatype = m->datatype,
                                        .v = vals[i]};
    }
    int rc = 0;
    if (changed) {
        mdc_sp_topic(n, "DDATA", d->id, &n->topic);
        sb_reset(&n->payload);
        mdc_sp_encode(ts_ms, next_seq(n), ms, changed, &n->payload);
        rc = n->emit(n->ctx, sb_str(&n->topic), &n->payload);
    }
    free(ms);
    take_values(d, names, vals, k, false);
    return rc;
}

static int emit_death(mdc_sp_node *n, mdc_sp_device *d, uint64_t ts_ms)
{
    if (!d->born) return 0; /* the host does not know it alive */
    d->born = false;
    mdc_sp_topic(n, "DDEATH", d->id, &n->topic);
    sb_reset(&n->payload);
    mdc_sp_encode(ts_ms, next_seq(n), NULL, 0, &n->payload);
    return n->emit(n->ctx, sb_str(&n->topic), &n->payload);
}

int mdc_sp_record(mdc_sp_node *n, const mdc_record *r)
{
    if (!r->device) return 0;
    mdc_sp_device *d = device(n, r->device);
    uint64_t ts_ms = (uint64_t)(r->ts_us / 1000);
    if (r->error) return emit_death(n, d, ts_ms);
    const char **names = xcalloc(r->nfields + 1, sizeof *names);
    const mdc_value **vals = xcalloc(r->nfields + 1, sizeof *vals);
    mdc_value status;
    size_t k = record_values(r, names, vals, &status);
    int rc;
    if (needs_birth(d, names, vals, k)) {
        take_values(d, names, vals, k, true);
        rc = emit_birth(n, d, ts_ms);
    } else {
        rc = emit_data(n, d, names, vals, k, ts_ms);
    }
    free(names);
    free(vals);
    return rc;
}

int mdc_sp_rebirth_devices(mdc_sp_node *n, uint64_t ts_ms, const bool *was_born)
{
    int rc = 0;
    for (size_t i = 0; i < n->ndevs && rc == 0; i++)
        if (was_born[i]) rc = emit_birth(n, &n->devs[i], ts_ms);
    return rc;
}
