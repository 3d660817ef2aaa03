/* modbus_driver.c — glue between a device's configuration and the Modbus layer: points are
 * parsed into formats and spans, the spans merged into requests once, and each poll reads the
 * requests in order and decodes every point. */
#include "modbus_driver.h"
#include "decode.h"
#include "link.h"
#include "plan.h"

#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

typedef struct mb_point {
    const char *name;
    const char *unit;
    mdc_field_info info; /* unit, label, decimals, enum for the catalog */
    mdc_mb_format fmt;
    mdc_mb_span span;
} mb_point;

typedef struct mb_cfg {
    char *id;
    mdc_mb_link_cfg link;
    char bus_key[300];
    int unit_id;
    mb_point *points;
    size_t npoints;
    const char **fields; /* point names, NULL-terminated */
    mdc_mb_span *spans;
    mdc_mb_plan plan;
    mdc_mb_plan_opts plan_opts;
} mb_cfg;

typedef struct mb_bus {
    mdc_mb_link *link;
    uint16_t *buf; /* grown to the largest request of the devices on this bus */
    size_t cap;
} mb_bus;

static const char *const device_keys[] = {"connection",
                                          "unit_id",
                                          "timeout",
                                          "byte_timeout",
                                          "max_registers_per_request",
                                          "max_gap",
                                          "points",
                                          "bytes_per_register",
                                          NULL};

/* ---- configuration ---- */

static int parse_serial(const mdc_cfgnode *c, mdc_mb_link_cfg *l, mdc_err *err)
{
    static const char *const parities[] = {"N", "E", "O", NULL};
    int64_t baud, data_bits, stop_bits;
    int parity = l->kind == MDC_MB_ASCII ? 1 : 0;
    if (cfg_int(c, "baud", 9600, 50, 4000000, &baud, err) < 0 ||
        cfg_enum(c, "parity", parities, parity, &parity, err) < 0 ||
        cfg_int(c, "data_bits", l->kind == MDC_MB_ASCII ? 7 : 8, 5, 8, &data_bits, err) < 0 ||
        cfg_int(c, "stop_bits", 1, 1, 2, &stop_bits, err) < 0)
        return -1;
    l->baud = (int)baud;
    l->parity = "NEO"[parity];
    l->data_bits = (int)data_bits;
    l->stop_bits = (int)stop_bits;
    return 0;
}

static int parse_connection(const mdc_cfgnode *dev, mdc_mb_link_cfg *l, mdc_err *err)
{
    static const char *const keys[] = {"tcp",    "rtu",       "ascii",     "baud",
                                       "parity", "data_bits", "stop_bits", NULL};
    mdc_cfgnode c;
    bool have;
    if (cfg_object(dev, "connection", &c, &have, err) < 0) return -1;
    if (!have)
        return cfg_error(dev, NULL, err,
                         "missing \"connection\": {\"tcp\": \"HOST:PORT\"}, "
                         "{\"rtu\": \"/dev/ttyUSB0\"} or {\"ascii\": ...}");
    if (cfg_check_keys(&c, keys, err) < 0) return -1;
    const char *kinds[] = {"tcp", "rtu", "ascii"};
    int which = -1;
    for (int i = 0; i < 3; i++)
        if (cfg_has(&c, kinds[i])) {
            if (which >= 0) return cfg_error(&c, kinds[i], err, "give only one of tcp, rtu, ascii");
            which = i;
        }
    if (which < 0) return cfg_error(&c, NULL, err, "needs one of \"tcp\", \"rtu\", \"ascii\"");
    const char *target;
    if (cfg_required_string(&c, kinds[which], &target, err) < 0) return -1;
    l->kind = which == 0 ? MDC_MB_TCP : which == 1 ? MDC_MB_RTU : MDC_MB_ASCII;
    mdc_err e;
    if (l->kind == MDC_MB_TCP) {
        for (int i = 3; i < 7; i++)
            if (cfg_has(&c, keys[i]))
                return cfg_error(&c, keys[i], err, "only for serial connections (rtu, ascii)");
        if (mdc_mb_parse_hostport(target, l->host, sizeof l->host, &l->port, &e) < 0)
            return cfg_error(&c, "tcp", err, "%s", e.msg);
        return 0;
    }
    if (strlen(target) >= sizeof l->device)
        return cfg_error(&c, kinds[which], err, "device path too long");
    snprintf(l->device, sizeof l->device, "%s", target);
    if (parse_serial(&c, l, err) < 0) return -1;
    if (mdc_mb_link_cfg_check(l, &e) < 0) return cfg_error(&c, NULL, err, "%s", e.msg);
    return 0;
}

static const char *const point_keys[] = {"name",
                                         "function",
                                         "address",
                                         "type",
                                         "order",
                                         "unit",
                                         "label",
                                         "enum",
                                         "scale",
                                         "offset",
                                         "decimals",
                                         "length",
                                         "bytes_per_register",
                                         "na",
                                         NULL};

static int parse_point(const mdc_cfgnode *p, int default_bpr, mb_point *pt, mdc_err *err)
{
    int64_t fc, addr, decimals, length, bpr;
    const char *type = NULL, *order = NULL;
    mdc_mb_format_init(&pt->fmt);
    if (cfg_check_keys(p, point_keys, err) < 0 ||
        cfg_required_string(p, "name", &pt->name, err) < 0 ||
        cfg_int(p, "function", 3, 1, 4, &fc, err) < 0 ||
        cfg_int(p, "address", -1, 0, 65535, &addr, err) < 0 ||
        cfg_string(p, "type", fc <= 2 ? "bool" : "uint16", &type, err) < 0 ||
        cfg_string(p, "order", NULL, &order, err) < 0 ||
        cfg_string(p, "unit", NULL, &pt->unit, err) < 0 ||
        cfg_double(p, "scale", 1.0, &pt->fmt.scale, err) < 0 ||
        cfg_double(p, "offset", 0.0, &pt->fmt.offset, err) < 0 ||
        cfg_int(p, "decimals", -1, -1, 15, &decimals, err) < 0 ||
        cfg_int(p, "length", 0, 0, MDC_MB_STRING_MAX_REGS, &length, err) < 0 ||
        cfg_int(p, "bytes_per_register", default_bpr, 1, 2, &bpr, err) < 0 ||
        cfg_bool(p, "na", false, &pt->fmt.na_markers, err) < 0)
        return -1;
    if (addr < 0) return cfg_error(p, NULL, err, "missing \"address\" (the 0-based PDU address)");
    if (pt->name[0] == '_')
        return cfg_error(p, "name", err, "names starting with '_' are reserved");
    mdc_err e;
    if (mdc_mb_type_parse(type, &pt->fmt.type, &e) < 0) {
        static const char *const types[] = {"bool",    "uint16", "int16", "uint32",
                                            "int32",   "uint64", "int64", "float32",
                                            "float64", "string", NULL};
        const char *near = mdc_did_you_mean(type, types);
        if (near) return cfg_error(p, "type", err, "%s (did you mean \"%s\"?)", e.msg, near);
        return cfg_error(p, "type", err, "%s", e.msg);
    }
    if (order && mdc_mb_order_parse(order, pt->fmt.type, &pt->fmt.order, &e) < 0)
        return cfg_error(p, "order", err, "%s", e.msg);
    if ((fc <= 2) != (pt->fmt.type == MDC_MB_BOOL) && fc <= 2)
        return cfg_error(p, "type", err, "function %lld reads bits: the type must be bool",
                         (long long)fc);
    if (pt->fmt.type == MDC_MB_STRING && length == 0)
        return cfg_error(p, NULL, err, "a string needs \"length\" (number of registers)");
    pt->fmt.decimals = (int)decimals;
    pt->fmt.length = (int)length;
    pt->fmt.bytes_per_register = (int)bpr;
    if (mdc_mb_format_check(&pt->fmt, &e) < 0) return cfg_error(p, NULL, err, "%s", e.msg);
    int nregs = fc <= 2 ? 1 : mdc_mb_point_registers(pt->fmt.type, (int)bpr, (int)length);
    if (nregs < 1 || addr + nregs > 65536)
        return cfg_error(p, "address", err, "the point does not fit in the address space");
    pt->span = (mdc_mb_span){
        .name = pt->name, .function = (int)fc, .address = (uint16_t)addr, .count = (uint16_t)nregs};
    pt->info = mdc_field_info_none(pt->name);
    pt->info.unit = pt->unit;
    pt->info.decimals = (int)decimals;
    return mdc_field_info_parse(p, &pt->info, err); /* last: nothing to free on failure */
}

static int parse_points(const mdc_cfgnode *dev, mb_cfg *c, int default_bpr, mdc_err *err)
{
    size_t n;
    if (cfg_array(dev, "points", &n, err) < 0) return -1;
    if (n == 0)
        return cfg_error(dev, cfg_has(dev, "points") ? "points" : NULL, err,
                         "needs at least one point in \"points\"");
    c->points = xcalloc(n, sizeof *c->points);
    c->spans = xcalloc(n, sizeof *c->spans);
    c->fields = xcalloc(n + 1, sizeof *c->fields);
    for (size_t i = 0; i < n; i++, c->npoints++) {
        mdc_cfgnode p;
        if (cfg_array_object(dev, "points", i, &p, err) < 0 ||
            parse_point(&p, default_bpr, &c->points[i], err) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->points[j].name, c->points[i].name) == 0) {
                mdc_field_info_release(&c->points[i].info);
                return cfg_error(&p, "name", err, "duplicate point name \"%s\"", c->points[i].name);
            }
        c->spans[i] = c->points[i].span;
        c->fields[i] = c->points[i].name;
    }
    return 0;
}

static void mb_free_config(void *p)
{
    mb_cfg *c = p;
    if (!c) return;
    mdc_mb_plan_free(&c->plan);
    for (size_t i = 0; i < c->npoints; i++)
        mdc_field_info_release(&c->points[i].info);
    free(c->points);
    free(c->spans);
    free(c->fields);
    free(c->id);
    free(c);
}

static int parse_limits(const mdc_cfgnode *n, mb_cfg *c, mdc_err *err)
{
    int64_t unit, maxregs, gap;
    mdc_mb_link_cfg_init(&c->link);
    if (cfg_int(n, "unit_id", 1, 0, 255, &unit, err) < 0 ||
        cfg_duration_us(n, "timeout", 1000000, &c->link.timeout_us, err) < 0 ||
        cfg_duration_us(n, "byte_timeout", 1, &c->link.byte_timeout_us, err) < 0 ||
        cfg_int(n, "max_registers_per_request", MDC_MB_MAX_READ_REGISTERS, 1,
                MDC_MB_MAX_READ_REGISTERS, &maxregs, err) < 0 ||
        cfg_int(n, "max_gap", 10, -1, 124, &gap, err) < 0)
        return -1;
    if (!cfg_has(n, "byte_timeout")) c->link.byte_timeout_us = 0; /* automatic */
    c->unit_id = (int)unit;
    mdc_mb_plan_opts_init(&c->plan_opts);
    c->plan_opts.max_registers = (int)maxregs;
    c->plan_opts.max_gap = (int)gap;
    return 0;
}

static int mb_parse(const mdc_device_cfg *dev, void **out, mdc_err *err)
{
    const mdc_cfgnode *n = &dev->node;
    if (mdc_device_check_keys(dev, device_keys, err) < 0) return -1;
    mb_cfg *c = xcalloc(1, sizeof *c);
    c->id = xstrdup(dev->id);
    int64_t bpr;
    mdc_err e;
    if (parse_limits(n, c, err) < 0 || parse_connection(n, &c->link, err) < 0 ||
        cfg_int(n, "bytes_per_register", 2, 1, 2, &bpr, err) < 0 ||
        parse_points(n, c, (int)bpr, err) < 0)
        goto fail;
    if (c->link.kind != MDC_MB_TCP && c->unit_id == 0) {
        cfg_error(n, "unit_id", err, "unit 0 is broadcast on a serial line; use 1..247");
        goto fail;
    }
    if (mdc_mb_plan_build(c->spans, c->npoints, &c->plan_opts, &c->plan, &e) < 0) {
        cfg_error(n, "points", err, "%s", e.msg);
        goto fail;
    }
    if (c->link.kind == MDC_MB_TCP)
        snprintf(c->bus_key, sizeof c->bus_key, "tcp:%s:%d", c->link.host, c->link.port);
    else
        snprintf(c->bus_key, sizeof c->bus_key, "serial:%s", c->link.device);
    *out = c;
    return 0;
fail:
    mb_free_config(c);
    return -1;
}

static const char *const *mb_fields(const void *p)
{
    return ((const mb_cfg *)p)->fields;
}

static void mb_describe(const void *p, strbuf *out)
{
    const mb_cfg *c = p;
    char link[400];
    mdc_mb_link_cfg_describe(&c->link, link, sizeof link);
    sb_printf(out, "    %s, unit %d, timeout %lld ms\n", link, c->unit_id,
              (long long)(c->link.timeout_us / 1000));
    for (size_t i = 0; i < c->npoints; i++) {
        const mb_point *pt = &c->points[i];
        sb_printf(out, "    point %-20s FC%d addr %-5u %s", pt->name, pt->span.function,
                  pt->span.address, mdc_mb_type_name(pt->fmt.type));
        const char *order = mdc_mb_order_name(pt->fmt.order, pt->fmt.type);
        if (order && *order) sb_printf(out, " %s", order);
        if (pt->fmt.bytes_per_register == 1) sb_puts(out, " (1 byte/register)");
        if (pt->fmt.scale != 1.0) sb_printf(out, " x%g", pt->fmt.scale);
        if (pt->fmt.offset != 0.0) sb_printf(out, " %+g", pt->fmt.offset);
        if (pt->unit) sb_printf(out, " [%s]", pt->unit);
        sb_puts(out, "\n");
    }
    sb_printf(out, "    %zu request%s per poll:\n", c->plan.nrequests,
              c->plan.nrequests == 1 ? "" : "s");
    strbuf plan = STRBUF_INIT;
    mdc_mb_plan_describe(&c->plan, c->spans, &plan);
    for (char *line = plan.buf; line && *line;) {
        char *nl = strchr(line, '\n');
        sb_printf(out, "      %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
        line = nl ? nl + 1 : NULL;
    }
    sb_free(&plan);
}

/* ---- bus ---- */

static const char *mb_bus_key(const void *p)
{
    return ((const mb_cfg *)p)->bus_key;
}

static int mb_bus_check(const void *a, const void *b, mdc_err *err)
{
    const mdc_mb_link_cfg *x = &((const mb_cfg *)a)->link, *y = &((const mb_cfg *)b)->link;
    if (x->kind != y->kind || x->baud != y->baud || x->parity != y->parity ||
        x->data_bits != y->data_bits || x->stop_bits != y->stop_bits)
        return mdc_err_set(err, MDC_EINVAL,
                           "devices on one line must use the same framing "
                           "(tcp/rtu/ascii, baud, parity, data and stop bits)");
    return 0;
}

static int mb_bus_open(const void *p, void **out, mdc_err *err)
{
    const mb_cfg *c = p;
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

static void decode_point(const mb_point *pt, const uint16_t *regs, mdc_field *f)
{
    mdc_value v = {0};
    mdc_err e;
    if (mdc_mb_decode(&pt->fmt, pt->span.address, regs, pt->span.count, &v, &e) < 0) {
        mdc_field_set_error(f, e.msg);
        return;
    }
    mdc_value_free(&f->v);
    f->v = v;
}

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
    const mb_cfg *c = p;
    for (size_t r = 0; r < c->plan.nrequests; r++)
        ensure_buffer(b, c->plan.requests[r].count);
    mdc_record_reserve(rec, c->npoints + 4); /* + derived fields */
    for (size_t i = 0; i < c->npoints; i++)
        mdc_record_add_null(rec, c->points[i].name, NULL);
    size_t ok = 0;
    mdc_err fatal = {0};
    for (size_t r = 0; r < c->plan.nrequests; r++) {
        const mdc_mb_request *q = &c->plan.requests[r];
        mdc_err e = {0};
        if (fatal.code == MDC_OK &&
            mdc_mb_read(b->link, c->unit_id, q->function, q->address, q->count, b->buf, &e) == 0) {
            ok++;
            for (size_t i = 0; i < c->npoints; i++)
                if (c->plan.slots[i].request == r)
                    decode_point(&c->points[i], b->buf + c->plan.slots[i].offset, &rec->fields[i]);
            continue;
        }
        if (fatal.code == MDC_OK && e.code != MDC_EDEVICE) /* a timeout or a dead line: stop */
            fatal = e;
        const mdc_err *why = fatal.code != MDC_OK ? &fatal : &e;
        for (size_t i = 0; i < c->npoints; i++)
            if (c->plan.slots[i].request == r) mdc_field_set_error(&rec->fields[i], why->msg);
    }
    if (ok == 0 && fatal.code != MDC_OK) {
        *err = fatal;
        return -1;
    }
    return 0;
}

static int mb_inspect(void *bp, const void *p, int argc, char **argv, strbuf *out, mdc_err *err)
{
    (void)argc;
    (void)argv;
    mb_bus *b = bp;
    const mb_cfg *c = p;
    for (size_t i = 0; i < c->npoints; i++) {
        const mb_point *pt = &c->points[i];
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
    const mb_cfg *c = p;
    for (size_t i = 0; i < c->npoints; i++)
        if (strcmp(c->points[i].name, name) == 0) {
            *out = c->points[i].info;
            if (out->decimals < 0 && c->points[i].fmt.type == MDC_MB_BOOL) out->decimals = 0;
            return true;
        }
    return false;
}

const mdc_driver mdc_modbus_driver = {
    .name = "modbus",
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
};
