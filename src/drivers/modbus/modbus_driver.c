/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_driver.c — the "modbus" driver: configuration (modbus_config.c), the blocking bus —
 * a thread per TCP endpoint or serial line, and `mdc read` — reading the requests of the plan
 * in order and decoding every point, and the event-driven TCP bus (modbus_async.c). */
#include "modbus_driver.h"
#include "modbus_impl.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

typedef struct mb_bus {
    mdc_mb_link *link;
    uint16_t *buf; /* grown to the largest request of the devices on this bus */
    size_t cap;
    uint64_t discarded_seen; /* link discards already reported */
} mb_bus;

static int mb_parse(const mdc_device_cfg *dev, void **out, mdc_err *err)
{
    return mdc_mb_dev_parse(dev, (mdc_mb_dev **)out, err);
}

static void mb_free_config(void *p)
{
    mdc_mb_dev_free(p);
}

static const char *const *mb_fields(const void *p)
{
    return ((const mdc_mb_dev *)p)->ps->fields;
}

static void mb_describe(const void *p, strbuf *out)
{
    mdc_mb_dev_describe(p, out);
}

/* ---- bus ---- */

static const char *mb_bus_key(const void *p)
{
    return ((const mdc_mb_dev *)p)->bus_key;
}

static int mb_bus_check(const void *a, const void *b, mdc_err *err)
{
    const mdc_mb_dev *p = a, *q = b;
    const mdc_mb_link_cfg *x = &p->link, *y = &q->link;
    if (x->kind != y->kind || x->baud != y->baud || x->parity != y->parity ||
        x->data_bits != y->data_bits || x->stop_bits != y->stop_bits)
        return mdc_err_set(err, MDC_EINVAL,
                           "devices on one line must use the same framing "
                           "(tcp/rtu/ascii, baud, parity, data and stop bits)");
    if (x->kind == MDC_MB_TCP &&
        (p->engine != q->engine || p->max_outstanding != q->max_outstanding))
        return mdc_err_set(err, MDC_EINVAL,
                           "units behind one TCP endpoint share its connection: give them the "
                           "same tcp_engine and max_outstanding");
    return 0;
}

static int mb_bus_open(const void *p, void **out, mdc_err *err)
{
    const mdc_mb_dev *c = p;
    mb_bus *b = xcalloc(1, sizeof *b);
    if (mdc_mb_link_open(&c->link, &b->link, err) < 0) {
        free(b);
        return -1;
    }
    *out = b;
    return 0;
}

static void mb_bus_close(void *p)
{
    mb_bus *b = p;
    if (!b) return;
    mdc_mb_link_close(b->link);
    free(b->buf);
    free(b);
}

static bool mb_bus_broken(void *p)
{
    return mdc_mb_link_needs_reopen(((mb_bus *)p)->link);
}

/* ---- poll ---- */

static void ensure_buffer(mb_bus *b, size_t n)
{
    if (n > b->cap) {
        b->buf = xrealloc(b->buf, n * sizeof *b->buf);
        b->cap = n;
    }
}

static int mb_poll(void *bp, const void *p, mdc_record *rec, mdc_err *err)
{
    mb_bus *b = bp;
    const mdc_mb_dev *c = p;
    const mdc_mb_plan *plan = &c->ps->plan;
    ensure_buffer(b, c->ps->max_count);
    mdc_mb_rec_begin(c, rec);
    size_t ok = 0;
    for (size_t r = 0; r < plan->nrequests; r++) {
        const mdc_mb_request *q = &plan->requests[r];
        mdc_err e = {0};
        if (mdc_mb_read(b->link, c->unit_id, q->function, q->address, q->count, b->buf, &e) == 0) {
            ok++;
            mdc_mb_rec_store(c, r, b->buf, rec);
        } else if (e.code == MDC_EDEVICE) { /* an exception: the other requests go on */
            mdc_mb_rec_fail(c, r, r + 1, e.msg, rec);
        } else { /* a timeout or a dead line: stop */
            mdc_mb_rec_fail(c, r, plan->nrequests, e.msg, rec);
            if (ok > 0) return 0;
            *err = e;
            return -1;
        }
    }
    return 0;
}

static uint64_t mb_take_discarded(void *bp)
{
    mb_bus *b = bp;
    uint64_t total = mdc_mb_link_discarded(b->link), n = total - b->discarded_seen;
    b->discarded_seen = total;
    return n;
}

static int mb_inspect(void *bp, const void *p, int argc, char **argv, strbuf *out, mdc_err *err)
{
    (void)argc;
    (void)argv;
    mb_bus *b = bp;
    const mdc_mb_dev *c = p;
    for (size_t i = 0; i < c->ps->npoints; i++) {
        const mdc_mb_point *pt = &c->ps->points[i];
        ensure_buffer(b, pt->span.count);
        sb_printf(out, "%s: FC%d address %u, %u %s\n", pt->name, pt->span.function,
                  pt->span.address, pt->span.count,
                  pt->span.function <= 2 ? "bit(s)" : "register(s)");
        mdc_err e;
        if (mdc_mb_read(b->link, c->unit_id, pt->span.function, pt->span.address, pt->span.count,
                        b->buf, &e) < 0) {
            sb_printf(out, "  error: %s\n", e.msg);
            if (e.code != MDC_EDEVICE) return (*err = e, -1);
            continue;
        }
        sb_puts(out, "  raw: ");
        mdc_mb_raw_hex(b->buf, pt->span.count, out);
        sb_puts(out, "\n");
        if (pt->span.function >= 3)
            mdc_mb_raw_interpret(b->buf, pt->span.count, pt->fmt.bytes_per_register, out);
    }
    return 0;
}

static bool mb_field_info(const void *p, const char *name, mdc_field_info *out)
{
    const mdc_mb_pointset *ps = ((const mdc_mb_dev *)p)->ps;
    for (size_t i = 0; i < ps->npoints; i++)
        if (strcmp(ps->points[i].name, name) == 0) {
            *out = ps->points[i].info;
            if (out->decimals < 0 && ps->points[i].fmt.type == MDC_MB_BOOL) out->decimals = 0;
            return true;
        }
    return false;
}

static const mdc_keyset *const nested_keys[] = {&mdc_mb_connection_keyset, &mdc_mb_point_keyset,
                                                &mdc_mb_points_file_keyset, NULL};

const mdc_driver mdc_modbus_driver = {
    .name = "modbus",
    .keys = &mdc_mb_device_keyset,
    .nested_keys = nested_keys,
    .parse = mb_parse,
    .free_config = mb_free_config,
    .fields = mb_fields,
    .describe = mb_describe,
    .bus_key = mb_bus_key,
    .bus_check = mb_bus_check,
    .bus_open = mb_bus_open,
    .bus_close = mb_bus_close,
    .bus_broken = mb_bus_broken,
    .poll = mb_poll,
    .inspect = mb_inspect,
    .field_info = mb_field_info,
    .take_discarded = mb_take_discarded,
    .async = &mdc_mb_async_ops,
};
