/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_mdc.c — the batch writer of mdc's own tables (the embedded store's rules, see
 * store/store_write.c), built for throughput: the records rows in one binary COPY (no text for the
 * server to parse), streamed while the rest is formatted; then, in one pipeline (one round
 * trip, with the position and COMMIT the caller adds), status_history and part_events rows and
 * one upsert each for devices, live and shift_energy (one row per device, or per device and
 * shift, for the whole chunk: what the record-by-record rules leave behind), every column an
 * array parameter in binary format. Those columns are built while the server inserts the COPY's
 * last rows. Status changes are found against the live statuses, cached per connection at three
 * levels: committed, in the open transaction, in the chunk. */
#include "sink_postgres_internal.h"

#include "format/fields_json.h"
#include "format/format.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* COPY data goes out in messages of about this size: the server takes a message whole before
 * it parses it, so smaller ones let it insert while the client formats the next (at 256 KiB a
 * batch of 4,000 records took 1.5 times as long) */
#define COPY_CHUNK (16 * 1024)

/* A device seen by this connection. */
typedef struct dev {
    char *id;
    bool has_status; /* committed live status (false when unknown) */
    int status;
    bool tx_has; /* ... as the open transaction sees it */
    int tx_status;
    /* every shift_energy row of the device before this shift start is closed: committed, as
     * the transaction sees it, and after the chunk */
    int64_t closed_us, tx_closed_us, pend_closed_us;
    bool older_shift; /* the chunk has a row of an earlier shift than its last record's */
    size_t shift_row; /* its shift_energy row of the chunk last written (index+1, 0 none) */
    /* the current chunk */
    bool touched, pend_has;
    int pend_status;
    int64_t first_us;
    const mdc_record *last; /* for devices.last_seen and live */
} dev;

/* One shift_energy row of the chunk. */
typedef struct shift_row {
    const char *device;
    int64_t start_us;
    int64_t shift;
    const mdc_value *energy, *parts; /* the last non-null ones */
    int64_t updated_us;
} shift_row;

enum { SQL_COPY, SQL_HISTORY, SQL_PARTS, SQL_DEVICES, SQL_LIVE, SQL_SHIFTS, SQL_CLOSE, NSQL };
#define MAX_COLS 6
/* each statement's array parameters */
static const int NCOLS[NSQL] = {[SQL_HISTORY] = 5, [SQL_PARTS] = 3,  [SQL_DEVICES] = 4,
                                [SQL_LIVE] = 5,    [SQL_SHIFTS] = 6, [SQL_CLOSE] = 2};

typedef struct mdc_writer {
    dev *devs;
    size_t ndevs, cap;
    size_t *slots; /* open addressing: index+1 into devs, 0 = empty */
    size_t nslots;
    strbuf records, json;
    pg_array col[NSQL][MAX_COLS];
    shift_row *shifts;
    size_t nshifts, capshifts;
    strbuf sql[NSQL]; /* for this schema, built once */
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

/* ---- SQL for this schema ---- */

static void build_sql(const pg_sink *k, mdc_writer *w)
{
    static const char *const fmt[NSQL] = {
        [SQL_COPY] = "COPY \"%s\".records(device, ts, fields, errors) FROM STDIN WITH "
                     "(FORMAT binary)",
        [SQL_HISTORY] = "INSERT INTO \"%s\".status_history(device, ts, status, previous, error) "
                        "SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int4[], "
                        "$4::int4[], $5::text[])",
        [SQL_PARTS] = "INSERT INTO \"%s\".part_events(device, ts, count) SELECT * FROM "
                      "unnest($1::text[], $2::timestamptz[], $3::int8[])",
        [SQL_DEVICES] = "INSERT INTO \"%s\".devices(id, machine_id, first_seen, last_seen) "
                        "SELECT * FROM unnest($1::text[], $2::int8[], $3::timestamptz[], "
                        "$4::timestamptz[]) ON CONFLICT (id) DO UPDATE SET machine_id = "
                        "excluded.machine_id, last_seen = excluded.last_seen",
        [SQL_LIVE] = "INSERT INTO \"%s\".live(device, ts, status, error, record) SELECT * FROM "
                     "unnest($1::text[], $2::timestamptz[], $3::int4[], $4::text[], "
                     "$5::json[]) ON CONFLICT (device) DO UPDATE SET ts = excluded.ts, status = "
                     "excluded.status, error = excluded.error, record = excluded.record",
        [SQL_SHIFTS] = "INSERT INTO \"%s\".shift_energy AS s(device, shift_start, shift, "
                       "energy_kwh, parts, closed, updated) SELECT d, st, sh, e, p, false, u "
                       "FROM unnest($1::text[], $2::timestamptz[], $3::int8[], $4::float8[], "
                       "$5::int8[], $6::timestamptz[]) v(d, st, sh, e, p, u) ON CONFLICT "
                       "(device, shift_start) DO UPDATE SET shift = excluded.shift, energy_kwh = "
                       "COALESCE(excluded.energy_kwh, s.energy_kwh), parts = "
                       "COALESCE(excluded.parts, s.parts), updated = excluded.updated",
        [SQL_CLOSE] = "UPDATE \"%s\".shift_energy s SET closed = true FROM unnest($1::text[], "
                      "$2::timestamptz[]) v(device, start) WHERE s.device = v.device AND "
                      "s.shift_start < v.start AND NOT s.closed",
    };
    for (int i = 0; i < NSQL; i++) {
        sb_reset(&w->sql[i]);
        sb_printf(&w->sql[i], fmt[i], k->schema);
    }
}

/* ---- records: binary COPY ---- */

/* r's row: device, ts, fields and errors (json: its text, fields_json.h). */
static void add_record(mdc_writer *w, const mdc_record *r)
{
    size_t errors_at;
    mdc_fields_json(r, &w->json, &errors_at);
    pgb_i16(&w->records, 4);
    pgb_text(&w->records, r->device);
    pgb_timestamptz(&w->records, r->ts_us);
    pgb_bytes(&w->records, w->json.buf, errors_at);
    if (w->json.len > errors_at)
        pgb_bytes(&w->records, w->json.buf + errors_at, w->json.len - errors_at);
    else
        pgb_null(&w->records);
}

/* The records rows (none for a record without values), sent while the next ones are formatted
 * (the server works meanwhile); the COPY's outcome is left for pg_copy_result. */
static int stream_records(pg_sink *k, mdc_writer *w, const mdc_record *const *recs, size_t n,
                          mdc_err *err)
{
    if (pg_copy_begin(k, sb_str(&w->sql[SQL_COPY]), err) < 0) return -1;
    sb_reset(&w->records);
    pgb_copy_header(&w->records);
    for (size_t i = 0; i < n; i++) {
        if (!recs[i]->device || recs[i]->nfields == 0) continue;
        add_record(w, recs[i]);
        if (w->records.len >= COPY_CHUNK && pg_copy_put(k, &w->records, err) < 0) return -1;
    }
    pgb_copy_trailer(&w->records);
    if (pg_copy_put(k, &w->records, err) < 0) return -1;
    return pg_copy_send_end(k, err);
}

/* ---- the other tables: array columns ---- */

static pg_array *start_cols(mdc_writer *w, int sql, const uint32_t *oids)
{
    for (int i = 0; i < NCOLS[sql]; i++)
        pga_start(&w->col[sql][i], oids[i]);
    return w->col[sql];
}

static void put_opt_text(pg_array *a, const char *s)
{
    if (s)
        pgb_text(pga_next(a), s);
    else
        pga_null(a);
}

static void put_opt_int4(pg_array *a, bool has, int v)
{
    if (has)
        pgb_int4(pga_next(a), v);
    else
        pga_null(a);
}

/* Sends statement sql with its array columns, when they have rows. */
static int send_cols(pg_sink *k, mdc_writer *w, int sql, mdc_err *err)
{
    pg_array *a = w->col[sql];
    int n = NCOLS[sql];
    if (a[0].n == 0) return 0;
    const char *vals[MAX_COLS];
    int lens[MAX_COLS], fmts[MAX_COLS];
    for (int i = 0; i < n; i++) {
        pga_finish(&a[i]);
        vals[i] = a[i].data.buf;
        lens[i] = (int)a[i].data.len;
        fmts[i] = 1;
    }
    return pg_pipe_send(k, sb_str(&w->sql[sql]), n, vals, lens, fmts, err);
}

/* A status_history row when the status differs from the live one (or is the first). */
static void add_status(mdc_writer *w, dev *d, const mdc_record *r)
{
    if (r->status < 0) return;
    bool have = d->pend_has || d->tx_has;
    int prev = d->pend_has ? d->pend_status : d->tx_status;
    d->pend_has = true;
    d->pend_status = r->status;
    if (have && prev == r->status) return;
    pg_array *c = w->col[SQL_HISTORY];
    pgb_text(pga_next(&c[0]), r->device);
    pgb_timestamptz(pga_next(&c[1]), r->ts_us);
    pgb_int4(pga_next(&c[2]), r->status);
    put_opt_int4(&c[3], have, prev);
    put_opt_text(&c[4], r->error);
}

static void add_parts(mdc_writer *w, const mdc_record *r)
{
    const mdc_field *f = mdc_record_find(r, "part_count_delta");
    if (!f || f->v.type != MDC_INT || f->v.u.i <= 0) return;
    pg_array *c = w->col[SQL_PARTS];
    pgb_text(pga_next(&c[0]), r->device);
    pgb_timestamptz(pga_next(&c[1]), r->ts_us);
    pgb_int8(pga_next(&c[2]), f->v.u.i);
}

/* d's row of shift start_us in the chunk: the one it last wrote (one shift: nearly always),
 * else found among all (it has rows of two shifts), else a new one. */
static shift_row *shift_row_of(mdc_writer *w, dev *d, const char *device, int64_t start_us)
{
    if (d->shift_row && w->shifts[d->shift_row - 1].start_us == start_us)
        return &w->shifts[d->shift_row - 1];
    size_t i = d->shift_row ? w->nshifts : 0;
    while (i-- > 0)
        if (w->shifts[i].start_us == start_us && !strcmp(w->shifts[i].device, device)) break;
    if (i == SIZE_MAX) {
        xgrow(&w->shifts, &w->capshifts, w->nshifts + 1, sizeof *w->shifts);
        i = w->nshifts++;
        w->shifts[i] = (shift_row){.device = device, .start_us = start_us};
    }
    d->shift_row = i + 1;
    return &w->shifts[i];
}

/* The shift_energy row of (device, shift): created or updated with this record's values. */
static void add_shift(mdc_writer *w, dev *d, const mdc_record *r)
{
    const mdc_field *shift = mdc_record_find(r, "shift");
    const mdc_field *energy = mdc_record_find(r, "shift_energy_kwh");
    const mdc_field *parts = mdc_record_find(r, "part_count");
    if (!r->shift_start_us || !shift || shift->v.type != MDC_INT || (!energy && !parts)) return;
    shift_row *row = shift_row_of(w, d, r->device, r->shift_start_us);
    row->shift = shift->v.u.i;
    row->updated_us = r->ts_us;
    if (energy && !r->error && energy->v.type != MDC_NULL) row->energy = &energy->v;
    if (parts && parts->v.type != MDC_NULL) row->parts = &parts->v;
}

static void collect(mdc_writer *w, const mdc_record *const *recs, size_t n)
{
    static const uint32_t hist[] = {PG_OID_TEXT, PG_OID_TIMESTAMPTZ, PG_OID_INT4, PG_OID_INT4,
                                    PG_OID_TEXT};
    static const uint32_t parts[] = {PG_OID_TEXT, PG_OID_TIMESTAMPTZ, PG_OID_INT8};
    start_cols(w, SQL_HISTORY, hist);
    start_cols(w, SQL_PARTS, parts);
    w->nshifts = 0;
    for (size_t i = 0; i < w->ndevs; i++) {
        w->devs[i].touched = w->devs[i].pend_has = w->devs[i].older_shift = false;
        w->devs[i].pend_closed_us = 0;
        w->devs[i].shift_row = 0;
        w->devs[i].last = NULL;
    }
    for (size_t i = 0; i < n; i++) {
        const mdc_record *r = recs[i];
        if (!r->device) continue;
        dev *d = find_dev(w, r->device);
        if (!d->touched) d->first_us = r->ts_us;
        d->touched = true;
        d->last = r;
        add_status(w, d, r);
        add_parts(w, r);
        add_shift(w, d, r);
    }
}

static void put_devices(mdc_writer *w)
{
    static const uint32_t oids[] = {PG_OID_TEXT, PG_OID_INT8, PG_OID_TIMESTAMPTZ,
                                    PG_OID_TIMESTAMPTZ};
    pg_array *c = start_cols(w, SQL_DEVICES, oids);
    for (size_t i = 0; i < w->ndevs; i++) {
        const dev *d = &w->devs[i];
        if (!d->touched) continue;
        pgb_text(pga_next(&c[0]), d->id);
        if (d->last->has_machine_id)
            pgb_int8(pga_next(&c[1]), d->last->machine_id);
        else
            pga_null(&c[1]);
        pgb_timestamptz(pga_next(&c[2]), d->first_us);
        pgb_timestamptz(pga_next(&c[3]), d->last->ts_us);
    }
}

static void put_live(mdc_writer *w)
{
    static const uint32_t oids[] = {PG_OID_TEXT, PG_OID_TIMESTAMPTZ, PG_OID_INT4, PG_OID_TEXT,
                                    PG_OID_JSON};
    pg_array *c = start_cols(w, SQL_LIVE, oids);
    for (size_t i = 0; i < w->ndevs; i++) {
        const dev *d = &w->devs[i];
        if (!d->touched) continue;
        const mdc_record *r = d->last;
        pgb_text(pga_next(&c[0]), d->id);
        pgb_timestamptz(pga_next(&c[1]), r->ts_us);
        put_opt_int4(&c[2], r->status >= 0, r->status);
        put_opt_text(&c[3], r->error);
        sb_reset(&w->json);
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, r, &w->json);
        pgb_text(pga_next(&c[4]), sb_str(&w->json)); /* json: its text */
    }
}

/* A number for an int8 column: integers as they are, whole doubles converted, else NULL. */
static void put_opt_int8(pg_array *a, const mdc_value *v)
{
    double d;
    if (v && v->type == MDC_INT)
        pgb_int8(pga_next(a), v->u.i);
    else if (v && mdc_value_as_double(v, &d) && d == floor(d) && fabs(d) < 9.2e18)
        pgb_int8(pga_next(a), (int64_t)d);
    else
        pga_null(a);
}

static void put_opt_float8(pg_array *a, const mdc_value *v)
{
    double d;
    if (v && mdc_value_as_double(v, &d))
        pgb_float8(pga_next(a), d);
    else
        pga_null(a);
}

/* Each (device, shift) row to upsert, then per device the shift before which every one is closed.
 */
static void put_shifts(mdc_writer *w)
{
    static const uint32_t oids[] = {PG_OID_TEXT,   PG_OID_TIMESTAMPTZ, PG_OID_INT8,
                                    PG_OID_FLOAT8, PG_OID_INT8,        PG_OID_TIMESTAMPTZ};
    pg_array *c = start_cols(w, SQL_SHIFTS, oids);
    for (size_t i = 0; i < w->nshifts; i++) {
        const shift_row *s = &w->shifts[i];
        pgb_text(pga_next(&c[0]), s->device);
        pgb_timestamptz(pga_next(&c[1]), s->start_us);
        pgb_int8(pga_next(&c[2]), s->shift);
        put_opt_float8(&c[3], s->energy);
        put_opt_int8(&c[4], s->parts);
        pgb_timestamptz(pga_next(&c[5]), s->updated_us);
    }
    /* per device, the shifts before that of its last record in the chunk: only when that is a
     * new shift, or the chunk wrote a row of an earlier one (a late record) */
    c = start_cols(w, SQL_CLOSE, oids);
    for (size_t i = 0; i < w->ndevs; i++) {
        dev *d = &w->devs[i];
        if (!d->touched || !d->last->shift_start_us) continue;
        if (d->last->shift_start_us <= d->tx_closed_us && !d->older_shift) continue;
        pgb_text(pga_next(&c[0]), d->id);
        pgb_timestamptz(pga_next(&c[1]), d->last->shift_start_us);
        d->pend_closed_us = d->last->shift_start_us;
    }
}

/* Which devices have a row of an earlier shift than their last record's in the chunk. */
static void find_older_shifts(mdc_writer *w)
{
    for (size_t i = 0; i < w->nshifts; i++) {
        dev *d = find_dev(w, w->shifts[i].device);
        if (w->shifts[i].start_us < d->last->shift_start_us) d->older_shift = true;
    }
}

static int w_write(pg_sink *k, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    mdc_writer *w = k->w;
    if (stream_records(k, w, recs, n, err) < 0) return -1;
    collect(w, recs, n); /* while the server inserts the COPY's last rows */
    find_older_shifts(w);
    put_devices(w);
    put_live(w);
    put_shifts(w);
    if (pg_copy_result(k, err) < 0) return -1;
    for (int sql = SQL_HISTORY; sql < NSQL; sql++)
        if (send_cols(k, w, sql, err) < 0) return -1;
    return pg_pipe_begin(k, err); /* the caller's statements follow in the same pipeline */
}

static void w_done(pg_sink *k, pg_outcome what)
{
    mdc_writer *w = k->w;
    if (!w) return;
    for (size_t i = 0; i < w->ndevs; i++) {
        dev *d = &w->devs[i];
        if (what == PG_CHUNK_OK && d->pend_has) {
            d->tx_has = true;
            d->tx_status = d->pend_status;
        }
        if (what == PG_CHUNK_OK && d->pend_closed_us > d->tx_closed_us)
            d->tx_closed_us = d->pend_closed_us;
        if (what == PG_COMMITTED) {
            d->has_status = d->tx_has;
            d->status = d->tx_status;
            d->closed_us = d->tx_closed_us;
        } else if (what == PG_ROLLED_BACK) {
            d->tx_has = d->has_status;
            d->tx_status = d->status;
            d->tx_closed_us = d->closed_us;
        }
        d->pend_has = d->older_shift = false;
        d->pend_closed_us = 0;
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
        d->has_status = d->tx_has = !PQgetisnull(res, i, 1);
        d->status = d->tx_status = d->has_status ? atoi(PQgetvalue(res, i, 1)) : 0;
    }
    PQclear(res);
    return 0;
}

static int w_prepare(pg_sink *k, mdc_err *err)
{
    if (!k->w) {
        k->w = xcalloc(1, sizeof(mdc_writer));
        build_sql(k, k->w);
    }
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
    sb_free(&w->records);
    sb_free(&w->json);
    for (int sql = 0; sql < NSQL; sql++)
        for (int i = 0; i < MAX_COLS; i++)
            pga_free(&w->col[sql][i]);
    for (int i = 0; i < NSQL; i++)
        sb_free(&w->sql[i]);
    free(w);
    k->w = NULL;
}

const pg_writer_ops pg_mdc_ops = {
    .prepare = w_prepare,
    .write = w_write,
    .done = w_done,
    .free = w_free,
};
