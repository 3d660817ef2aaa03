/* sink_postgres_mdc.c — the batch writer of mdc's own tables (the embedded store's rules, see
 * store/store_write.c), built for throughput: one COPY each for samples, status_history and
 * part_events, and one multi-row upsert each for devices, live and shift_energy (one row per
 * device, or per device and shift, for the whole batch: what the record-by-record rules leave
 * behind). Status changes are found against the live statuses, cached per connection. */
#include "sink_postgres_internal.h"

#include "format/float_repr.h"
#include "format/format.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define MAX_PARAMS 60000 /* per statement; PostgreSQL's limit is 65535 */
#define COPY_CHUNK (128 * 1024)

/* A device seen by this connection. */
typedef struct dev {
    char *id;
    bool has_status; /* committed live status (NULL when unknown) */
    int status;
    /* the current batch */
    bool touched, pend_has;
    int pend_status;
    char first_ts[40];
    const mdc_record *last; /* for devices.last_seen and live */
} dev;

/* One shift_energy row of the batch. */
typedef struct shift_row {
    const char *device;
    int64_t start_us;
    int64_t shift;
    const mdc_value *energy, *parts; /* the last non-null ones */
    int64_t updated_us;
} shift_row;

typedef struct mdc_writer {
    dev *devs;
    size_t ndevs, cap;
    size_t *slots; /* open addressing: index+1 into devs, 0 = empty */
    size_t nslots;
    strbuf samples, history, parts, json;
    shift_row *shifts;
    size_t nshifts, capshifts;
} mdc_writer;

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void rehash(mdc_writer *w)
{
    free(w->slots);
    w->nslots = w->nslots ? w->nslots * 2 : 64;
    w->slots = xcalloc(w->nslots, sizeof *w->slots);
    for (size_t i = 0; i < w->ndevs; i++) {
        size_t j = hash(w->devs[i].id) & (w->nslots - 1);
        while (w->slots[j])
            j = (j + 1) & (w->nslots - 1);
        w->slots[j] = i + 1;
    }
}

static dev *find_dev(mdc_writer *w, const char *id)
{
    if ((w->ndevs + 1) * 2 > w->nslots) rehash(w);
    size_t j = hash(id) & (w->nslots - 1);
    for (; w->slots[j]; j = (j + 1) & (w->nslots - 1))
        if (strcmp(w->devs[w->slots[j] - 1].id, id) == 0) return &w->devs[w->slots[j] - 1];
    xgrow(&w->devs, &w->cap, w->ndevs + 1, sizeof *w->devs);
    dev *d = &w->devs[w->ndevs];
    memset(d, 0, sizeof *d);
    d->id = xstrdup(id);
    w->slots[j] = ++w->ndevs;
    return d;
}

static void forget_devs(mdc_writer *w)
{
    for (size_t i = 0; i < w->ndevs; i++)
        free(w->devs[i].id);
    w->ndevs = 0;
    if (w->slots) memset(w->slots, 0, w->nslots * sizeof *w->slots);
}

/* ---- COPY text ---- */

static bool ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return false;
    return true;
}

/* A text field: valid UTF-8 (invalid bytes become U+FFFD), COPY-escaped. */
static void put_text(strbuf *out, const char *s)
{
    if (ascii(s)) {
        pg_copy_escape(out, s);
        return;
    }
    strbuf clean = STRBUF_INIT;
    mdc_fmt_utf8_clean(&clean, s);
    pg_copy_escape(out, sb_str(&clean));
    sb_free(&clean);
}

static void put_opt_text(strbuf *out, const char *s)
{
    if (s)
        put_text(out, s);
    else
        sb_puts(out, "\\N");
}

/* value (double precision) and value_text columns. */
static void put_value(strbuf *out, const mdc_value *v)
{
    char num[MDC_FLOAT_REPR_MAX];
    switch (v->type) {
    case MDC_NULL:
        sb_puts(out, "\\N\t\\N");
        return;
    case MDC_BOOL:
        sb_puts(out, v->u.b ? "1\t\\N" : "0\t\\N");
        return;
    case MDC_INT:
        sb_printf(out, "%lld\t\\N", (long long)v->u.i);
        return;
    case MDC_DOUBLE:
        mdc_float_repr(v->u.d, num, sizeof num);
        sb_puts(out, num);
        sb_puts(out, "\t\\N");
        return;
    case MDC_STRING:
        sb_puts(out, "\\N\t");
        put_text(out, v->u.s);
        return;
    }
}

static void add_samples(mdc_writer *w, const mdc_record *r, const char *ts)
{
    for (size_t i = 0; i < r->nfields; i++) {
        const mdc_field *f = &r->fields[i];
        put_text(&w->samples, r->device);
        sb_printf(&w->samples, "\t%s\t", ts);
        put_text(&w->samples, f->name);
        sb_putc(&w->samples, '\t');
        put_value(&w->samples, &f->v);
        sb_putc(&w->samples, '\t');
        put_opt_text(&w->samples, f->error);
        sb_putc(&w->samples, '\n');
    }
}

/* A status_history row when the status differs from the live one (or is the first). */
static void add_status(mdc_writer *w, dev *d, const mdc_record *r, const char *ts)
{
    if (r->status < 0) return;
    bool have = d->pend_has || d->has_status;
    int prev = d->pend_has ? d->pend_status : d->status;
    d->pend_has = true;
    d->pend_status = r->status;
    if (have && prev == r->status) return;
    put_text(&w->history, r->device);
    sb_printf(&w->history, "\t%s\t%d\t", ts, r->status);
    if (have)
        sb_printf(&w->history, "%d\t", prev);
    else
        sb_puts(&w->history, "\\N\t");
    put_opt_text(&w->history, r->error);
    sb_putc(&w->history, '\n');
}

static void add_parts(mdc_writer *w, const mdc_record *r, const char *ts)
{
    const mdc_field *f = mdc_record_find(r, "part_count_delta");
    if (!f || f->v.type != MDC_INT || f->v.u.i <= 0) return;
    put_text(&w->parts, r->device);
    sb_printf(&w->parts, "\t%s\t%lld\n", ts, (long long)f->v.u.i);
}

/* The shift_energy row of (device, shift): created or updated with this record's values. */
static void add_shift(mdc_writer *w, const mdc_record *r)
{
    const mdc_field *shift = mdc_record_find(r, "shift");
    const mdc_field *energy = mdc_record_find(r, "shift_energy_kwh");
    const mdc_field *parts = mdc_record_find(r, "part_count");
    if (!r->shift_start_us || !shift || shift->v.type != MDC_INT || (!energy && !parts)) return;
    shift_row *row = NULL;
    for (size_t i = w->nshifts; i-- > 0 && !row;) /* the same device's row is usually recent */
        if (w->shifts[i].start_us == r->shift_start_us && !strcmp(w->shifts[i].device, r->device))
            row = &w->shifts[i];
    if (!row) {
        xgrow(&w->shifts, &w->capshifts, w->nshifts + 1, sizeof *w->shifts);
        row = &w->shifts[w->nshifts++];
        memset(row, 0, sizeof *row);
        row->device = r->device;
        row->start_us = r->shift_start_us;
    }
    row->shift = shift->v.u.i;
    row->updated_us = r->ts_us;
    if (energy && !r->error && energy->v.type != MDC_NULL) row->energy = &energy->v;
    if (parts && parts->v.type != MDC_NULL) row->parts = &parts->v;
}

static void reset_batch(mdc_writer *w)
{
    sb_reset(&w->samples);
    sb_reset(&w->history);
    sb_reset(&w->parts);
    w->nshifts = 0;
    for (size_t i = 0; i < w->ndevs; i++) {
        w->devs[i].touched = w->devs[i].pend_has = false;
        w->devs[i].last = NULL;
    }
}

/* ---- multi-row upserts ---- */

/* Parameters of one statement: text values kept in one buffer. */
typedef struct params {
    strbuf text;
    size_t *off; /* offset into text, or SIZE_MAX for NULL */
    size_t n, cap;
} params;

static void param(params *p, const char *s)
{
    xgrow(&p->off, &p->cap, p->n + 1, sizeof *p->off);
    if (!s) {
        p->off[p->n++] = SIZE_MAX;
        return;
    }
    p->off[p->n++] = p->text.len;
    sb_puts(&p->text, s);
    sb_putc(&p->text, '\0');
}

static void paramf(params *p, const char *fmt, long long v)
{
    char b[32];
    snprintf(b, sizeof b, fmt, v);
    param(p, b);
}

static void param_utc(params *p, int64_t t_us)
{
    char b[40];
    mdc_format_utc_us(t_us, b, sizeof b);
    param(p, b);
}

static void param_value(params *p, const mdc_value *v)
{
    char b[MDC_FLOAT_REPR_MAX];
    if (!v || v->type == MDC_NULL || v->type == MDC_STRING) {
        param(p, NULL);
    } else if (v->type == MDC_DOUBLE) {
        mdc_float_repr(v->u.d, b, sizeof b);
        param(p, b);
    } else {
        paramf(p, "%lld", v->type == MDC_BOOL ? (long long)v->u.b : (long long)v->u.i);
    }
}

/* Runs "head VALUES ($1,..),(..) tail" for the rows collected in p (ncols per row). */
static int run_values(pg_sink *k, const char *head, const char *tail, params *p, size_t ncols,
                      mdc_err *err)
{
    if (p->n == 0) return 0;
    strbuf q = STRBUF_INIT;
    sb_puts(&q, head);
    sb_puts(&q, " VALUES ");
    for (size_t i = 0; i < p->n; i++)
        sb_printf(&q, "%s$%zu", i % ncols == 0 ? (i ? "),(" : "(") : ",", i + 1);
    sb_puts(&q, ") ");
    sb_puts(&q, tail);
    const char **vals = xcalloc(p->n, sizeof *vals);
    for (size_t i = 0; i < p->n; i++)
        vals[i] = p->off[i] == SIZE_MAX ? NULL : p->text.buf + p->off[i];
    int rc = pg_run(k, sb_str(&q), (int)p->n, vals, err);
    free(vals);
    sb_free(&q);
    sb_reset(&p->text);
    p->n = 0;
    return rc;
}

static int upsert_devices(pg_sink *k, mdc_writer *w, params *p, mdc_err *err)
{
    char head[200], tail[200];
    snprintf(head, sizeof head, "INSERT INTO \"%s\".devices(id, machine_id, first_seen, last_seen)",
             k->schema);
    snprintf(tail, sizeof tail,
             "ON CONFLICT (id) DO UPDATE SET machine_id = excluded.machine_id, "
             "last_seen = excluded.last_seen");
    for (size_t i = 0; i < w->ndevs; i++) {
        const dev *d = &w->devs[i];
        if (!d->touched) continue;
        param(p, d->id);
        if (d->last->has_machine_id)
            paramf(p, "%lld", (long long)d->last->machine_id);
        else
            param(p, NULL);
        param(p, d->first_ts);
        param_utc(p, d->last->ts_us);
        if (p->n + 4 > MAX_PARAMS && run_values(k, head, tail, p, 4, err) < 0) return -1;
    }
    return run_values(k, head, tail, p, 4, err);
}

static int upsert_live(pg_sink *k, mdc_writer *w, params *p, mdc_err *err)
{
    char head[200], tail[200];
    snprintf(head, sizeof head, "INSERT INTO \"%s\".live(device, ts, status, error, record)",
             k->schema);
    snprintf(tail, sizeof tail,
             "ON CONFLICT (device) DO UPDATE SET ts = excluded.ts, status = excluded.status, "
             "error = excluded.error, record = excluded.record");
    for (size_t i = 0; i < w->ndevs; i++) {
        const dev *d = &w->devs[i];
        if (!d->touched) continue;
        const mdc_record *r = d->last;
        param(p, d->id);
        param_utc(p, r->ts_us);
        if (r->status >= 0)
            paramf(p, "%lld", r->status);
        else
            param(p, NULL);
        param(p, r->error);
        sb_reset(&w->json);
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, r, &w->json);
        param(p, sb_str(&w->json));
        if (p->n + 5 > MAX_PARAMS && run_values(k, head, tail, p, 5, err) < 0) return -1;
    }
    return run_values(k, head, tail, p, 5, err);
}

/* Upserts each (device, shift) row, then closes every earlier shift of the device. */
static int upsert_shifts(pg_sink *k, mdc_writer *w, params *p, mdc_err *err)
{
    char head[200], tail[400];
    snprintf(head, sizeof head,
             "INSERT INTO \"%s\".shift_energy(device, shift_start, shift, energy_kwh, parts, "
             "closed, updated)",
             k->schema);
    snprintf(tail, sizeof tail,
             "ON CONFLICT (device, shift_start) DO UPDATE SET shift = excluded.shift, "
             "energy_kwh = COALESCE(excluded.energy_kwh, shift_energy.energy_kwh), "
             "parts = COALESCE(excluded.parts, shift_energy.parts), updated = excluded.updated");
    for (size_t i = 0; i < w->nshifts; i++) {
        const shift_row *s = &w->shifts[i];
        param(p, s->device);
        param_utc(p, s->start_us);
        paramf(p, "%lld", (long long)s->shift);
        param_value(p, s->energy);
        param_value(p, s->parts);
        param(p, "false");
        param_utc(p, s->updated_us);
        if (p->n + 7 > MAX_PARAMS && run_values(k, head, tail, p, 7, err) < 0) return -1;
    }
    if (run_values(k, head, tail, p, 7, err) < 0) return -1;
    /* close: per device, the shift of its last record in the batch */
    snprintf(head, sizeof head, "UPDATE \"%s\".shift_energy s SET closed = true FROM (", k->schema);
    snprintf(tail, sizeof tail,
             ") v(device, start) WHERE s.device = v.device AND s.shift_start < "
             "v.start::timestamptz AND NOT s.closed");
    for (size_t i = 0; i < w->ndevs; i++) {
        const dev *d = &w->devs[i];
        if (!d->touched || !d->last->shift_start_us) continue;
        param(p, d->id);
        param_utc(p, d->last->shift_start_us);
        if (p->n + 2 > MAX_PARAMS && run_values(k, head, tail, p, 2, err) < 0) return -1;
    }
    return run_values(k, head, tail, p, 2, err);
}

static void collect(mdc_writer *w, const mdc_record *const *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const mdc_record *r = recs[i];
        if (!r->device) continue;
        char ts[40];
        mdc_format_utc_us(r->ts_us, ts, sizeof ts);
        dev *d = find_dev(w, r->device);
        if (!d->touched) snprintf(d->first_ts, sizeof d->first_ts, "%s", ts);
        d->touched = true;
        d->last = r;
        add_status(w, d, r, ts);
        add_parts(w, r, ts);
        add_shift(w, r);
    }
}

static int copy_rows(pg_sink *k, const char *table, const char *cols, strbuf *rows, mdc_err *err)
{
    if (rows->len == 0) return 0;
    char q[256];
    snprintf(q, sizeof q, "COPY \"%s\".%s(%s) FROM STDIN", k->schema, table, cols);
    return pg_copy(k, q, rows, err);
}

/* The samples rows, sent while the next ones are formatted (the server works meanwhile). */
static int stream_samples(pg_sink *k, mdc_writer *w, const mdc_record *const *recs, size_t n,
                          mdc_err *err)
{
    char q[256], ts[40];
    snprintf(q, sizeof q,
             "COPY \"%s\".samples(device, ts, name, value, value_text, error) FROM STDIN",
             k->schema);
    if (pg_copy_begin(k, q, err) < 0) return -1;
    for (size_t i = 0; i < n; i++) {
        if (!recs[i]->device) continue;
        mdc_format_utc_us(recs[i]->ts_us, ts, sizeof ts);
        add_samples(w, recs[i], ts);
        if (w->samples.len >= COPY_CHUNK && pg_copy_put(k, &w->samples, err) < 0) return -1;
    }
    if (pg_copy_put(k, &w->samples, err) < 0) return -1;
    return pg_copy_end(k, err);
}

static int w_write(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    mdc_writer *w = k->w;
    reset_batch(w);
    if (stream_samples(k, w, recs, n, err) < 0) return -1;
    collect(w, recs, n);
    params p = {0};
    int rc = -1;
    if (copy_rows(k, "status_history", "device, ts, status, previous, error", &w->history, err) ==
            0 &&
        copy_rows(k, "part_events", "device, ts, count", &w->parts, err) == 0 &&
        upsert_devices(k, w, &p, err) == 0 && upsert_live(k, w, &p, err) == 0 &&
        upsert_shifts(k, w, &p, err) == 0)
        rc = 0;
    sb_free(&p.text);
    free(p.off);
    return rc;
}

static void w_done(pg_sink *k, bool committed)
{
    mdc_writer *w = k->w;
    if (!w) return;
    for (size_t i = 0; i < w->ndevs; i++) {
        dev *d = &w->devs[i];
        if (committed && d->pend_has) {
            d->has_status = true;
            d->status = d->pend_status;
        }
        d->pend_has = false;
        d->last = NULL; /* points into the batch */
    }
    w->nshifts = 0;
}

/* The live statuses, so that status changes are found without a query per record. */
static int load_statuses(pg_sink *k, mdc_writer *w, mdc_err *err)
{
    char q[128];
    snprintf(q, sizeof q, "SELECT device, status FROM \"%s\".live", k->schema);
    PGresult *res = pg_query(k, q, 0, NULL, err);
    if (!res) return -1;
    forget_devs(w);
    for (int i = 0; i < PQntuples(res); i++) {
        dev *d = find_dev(w, PQgetvalue(res, i, 0));
        d->has_status = !PQgetisnull(res, i, 1);
        d->status = d->has_status ? atoi(PQgetvalue(res, i, 1)) : 0;
    }
    PQclear(res);
    return 0;
}

static int w_prepare(pg_sink *k, mdc_err *err)
{
    if (!k->w) k->w = xcalloc(1, sizeof(mdc_writer));
    if (pg_mdc_migrate(k, err) < 0) return -1;
    return load_statuses(k, k->w, err);
}

static void w_free(pg_sink *k)
{
    mdc_writer *w = k->w;
    if (!w) return;
    forget_devs(w);
    free(w->devs);
    free(w->slots);
    free(w->shifts);
    sb_free(&w->samples);
    sb_free(&w->history);
    sb_free(&w->parts);
    sb_free(&w->json);
    free(w);
    k->w = NULL;
}

const pg_writer_ops pg_mdc_ops = {
    .prepare = w_prepare,
    .write = w_write,
    .done = w_done,
    .free = w_free,
};
