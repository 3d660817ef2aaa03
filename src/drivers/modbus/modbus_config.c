/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_config.c — a "modbus" device's keys (CONFIG.md, docs/configuration.md) → mdc_mb_dev. */
#include "modbus_impl.h"
#include "template.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

static const char *const engines[] = {"event", "blocking", NULL};

static const mdc_key device_keys[] = {
    {.name = "connection",
     .type = MDC_KEY_OBJECT,
     .help = "required: {\"tcp\": \"HOST:PORT\"}, {\"rtu\": \"/dev/ttyUSB0\"} or {\"ascii\": ...}"},
    {.name = "unit_id",
     .type = MDC_KEY_INT,
     .def = "1",
     .min = 0,
     .max = 255,
     .help = "the Modbus unit (slave) id"},
    {.name = "timeout", .type = MDC_KEY_DURATION, .def = "1s", .help = "response and connect"},
    {.name = "byte_timeout",
     .type = MDC_KEY_DURATION,
     .def = "automatic",
     .help = "the longest silence within a serial frame"},
    {.name = "max_registers_per_request",
     .type = MDC_KEY_INT,
     .def = "125 or the template's",
     .min = 1,
     .max = MDC_MB_MAX_READ_REGISTERS,
     .help = "the device's limit per read"},
    {.name = "max_gap",
     .type = MDC_KEY_INT,
     .def = "10 or the template's",
     .min = -1,
     .max = 124,
     .help = "registers of a hole requests are merged across (-1: never merge)"},
    {.name = "points", .type = MDC_KEY_ARRAY, .help = "what to read (keys of modbus point)"},
    {.name = "points_file",
     .type = MDC_KEY_STRING,
     .help = "instead of points: a JSON file {\"points\": [...]}, shared by the devices naming it"},
    {.name = "bytes_per_register",
     .type = MDC_KEY_INT,
     .def = "2",
     .min = 1,
     .max = 2,
     .help = "the points' default"},
    {.name = "tcp_engine",
     .type = MDC_KEY_ENUM,
     .def = "event",
     .choices = engines,
     .help = "TCP: the runtime's event threads, or a blocking thread of its own"},
    {.name = "template", .type = MDC_KEY_STRING, .help = "a built-in register map (mdc templates)"},
    {.name = "template_points",
     .type = MDC_KEY_ARRAY,
     .def = "all",
     .help = "the template's points to read"},
    {.name = "max_outstanding",
     .type = MDC_KEY_INT,
     .def = "1",
     .min = 1,
     .max = 16,
     .help = "TCP event engine: requests on the wire at once on one connection"},
    {.name = "rounding",
     .type = MDC_KEY_ENUM,
     .def = "decimal",
     .choices = mdc_mb_roundings,
     .help = "the points' default"},
    {0},
};
const mdc_keyset mdc_mb_device_keyset = {"device (modbus)", device_keys, &mdc_device_keyset};

static const char *const parities[] = {"N", "E", "O", NULL};

/* The serial keys follow the three kinds of connection (parse_connection relies on it). */
static const mdc_key connection_keys[] = {
    {.name = "tcp",
     .type = MDC_KEY_STRING,
     .nonempty = true,
     .help = "HOST:PORT (port default 502)"},
    {.name = "rtu", .type = MDC_KEY_STRING, .nonempty = true, .help = "a serial port: Modbus RTU"},
    {.name = "ascii",
     .type = MDC_KEY_STRING,
     .nonempty = true,
     .help = "a serial port: Modbus ASCII"},
    {.name = "baud",
     .type = MDC_KEY_INT,
     .def = "9600",
     .min = 50,
     .max = 4000000,
     .help = "serial: a standard rate"},
    {.name = "parity",
     .type = MDC_KEY_ENUM,
     .def = "N (E for ascii)",
     .choices = parities,
     .help = "serial"},
    {.name = "data_bits",
     .type = MDC_KEY_INT,
     .def = "8 (7 for ascii)",
     .min = 5,
     .max = 8,
     .help = "serial"},
    {.name = "stop_bits", .type = MDC_KEY_INT, .def = "1", .min = 1, .max = 2, .help = "serial"},
    {0},
};
const mdc_keyset mdc_mb_connection_keyset = {"device (modbus): connection", connection_keys, NULL};

static int parse_serial(const mdc_cfgnode *c, mdc_mb_link_cfg *l, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_mb_connection_keyset;
    bool ascii = l->kind == MDC_MB_ASCII;
    int64_t baud, data_bits, stop_bits;
    int parity;
    if (mdc_key_int(c, ks, "baud", &baud, err) < 0 ||
        mdc_key_enum_or(c, ks, "parity", ascii ? 1 : 0, &parity, err) < 0 ||
        mdc_key_int_or(c, ks, "data_bits", ascii ? 7 : 8, &data_bits, err) < 0 ||
        mdc_key_int(c, ks, "stop_bits", &stop_bits, err) < 0)
        return -1;
    l->baud = (int)baud;
    l->parity = "NEO"[parity];
    l->data_bits = (int)data_bits;
    l->stop_bits = (int)stop_bits;
    return 0;
}

static int parse_connection(const mdc_cfgnode *dev, mdc_mb_link_cfg *l, mdc_err *err)
{
    const mdc_key *keys = connection_keys;
    mdc_cfgnode c;
    bool have;
    if (cfg_object(dev, "connection", &c, &have, err) < 0) return -1;
    if (!have)
        return cfg_error(dev, NULL, err,
                         "missing \"connection\": {\"tcp\": \"HOST:PORT\"}, "
                         "{\"rtu\": \"/dev/ttyUSB0\"} or {\"ascii\": ...}");
    if (mdc_keys_check(&c, &mdc_mb_connection_keyset, err) < 0) return -1;
    const char *kinds[] = {"tcp", "rtu", "ascii"};
    int which = -1;
    for (int i = 0; i < 3; i++)
        if (cfg_has(&c, kinds[i])) {
            if (which >= 0) return cfg_error(&c, kinds[i], err, "give only one of tcp, rtu, ascii");
            which = i;
        }
    if (which < 0) return cfg_error(&c, NULL, err, "needs one of \"tcp\", \"rtu\", \"ascii\"");
    const char *target;
    if (mdc_key_string(&c, &mdc_mb_connection_keyset, kinds[which], &target, err) < 0) return -1;
    l->kind = which == 0 ? MDC_MB_TCP : which == 1 ? MDC_MB_RTU : MDC_MB_ASCII;
    mdc_err e;
    if (l->kind == MDC_MB_TCP) {
        for (int i = 3; i < 7; i++)
            if (cfg_has(&c, keys[i].name))
                return cfg_error(&c, keys[i].name, err, "only for serial connections (rtu, ascii)");
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

/* A template's defaults (pn) apply where the device sets nothing. */
static int parse_limits(const mdc_cfgnode *n, const mdc_mb_point_nodes *pn, mdc_mb_dev *c,
                        mdc_mb_plan_opts *plan, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_mb_device_keyset;
    int64_t unit, maxregs, gap;
    mdc_mb_link_cfg_init(&c->link);
    int def_regs = pn->max_registers > 0 ? pn->max_registers : MDC_MB_MAX_READ_REGISTERS;
    int def_gap = pn->max_gap >= -1 ? pn->max_gap : 10;
    if (mdc_key_int(n, ks, "unit_id", &unit, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &c->link.timeout_us, err) < 0 ||
        mdc_key_duration_or(n, ks, "byte_timeout", 0 /* automatic */, &c->link.byte_timeout_us,
                            err) < 0 ||
        mdc_key_int_or(n, ks, "max_registers_per_request", def_regs, &maxregs, err) < 0 ||
        mdc_key_int_or(n, ks, "max_gap", def_gap, &gap, err) < 0)
        return -1;
    c->unit_id = (int)unit;
    mdc_mb_plan_opts_init(plan);
    plan->max_registers = (int)maxregs;
    plan->max_gap = (int)gap;
    return 0;
}

/* "tcp_engine" and "max_outstanding" (TCP only). */
static int parse_engine(const mdc_cfgnode *n, mdc_mb_dev *c, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_mb_device_keyset;
    int engine;
    int64_t outstanding;
    if (mdc_key_enum(n, ks, "tcp_engine", &engine, err) < 0 ||
        mdc_key_int(n, ks, "max_outstanding", &outstanding, err) < 0)
        return -1;
    const char *tcp_only = cfg_has(n, "tcp_engine") ? "tcp_engine" : "max_outstanding";
    if (c->link.kind != MDC_MB_TCP && (cfg_has(n, "tcp_engine") || cfg_has(n, "max_outstanding")))
        return cfg_error(n, tcp_only, err, "only for TCP connections");
    if (engine == MDC_MB_ENGINE_BLOCKING && outstanding > 1)
        return cfg_error(n, "max_outstanding", err,
                         "the blocking engine sends one request at a time; use "
                         "\"tcp_engine\": \"event\"");
    c->engine = (mdc_mb_engine)engine;
    c->max_outstanding = (int)outstanding;
    return 0;
}

static int parse_points_of(const mdc_cfgnode *n, const mdc_mb_point_nodes *pn, mdc_mb_dev *c,
                           const mdc_mb_plan_opts *plan, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_mb_device_keyset;
    int64_t bpr;
    int rounding;
    const char *file;
    if (mdc_key_int(n, ks, "bytes_per_register", &bpr, err) < 0 ||
        mdc_key_enum(n, ks, "rounding", &rounding, err) < 0 ||
        mdc_key_string(n, ks, "points_file", &file, err) < 0)
        return -1;
    mdc_mb_point_defaults pd = {.bpr = (int)bpr, .rounding = (mdc_mb_rounding)rounding};
    if (file && (cfg_has(n, "points") || cfg_has(n, "template")))
        return cfg_error(n, "points_file", err,
                         "give one of \"points\" (with or without a \"template\") and "
                         "\"points_file\"");
    if (file) return mdc_mb_points_file(n, file, &pd, plan, &c->ps, err);
    if (pn->keep) return mdc_mb_points_parse_nodes(n, pn->nodes, pn->n, &pd, plan, &c->ps, err);
    return mdc_mb_points_parse(n, &pd, plan, &c->ps, err);
}

static void make_bus_key(mdc_mb_dev *c)
{
    strbuf k = STRBUF_INIT;
    if (c->link.kind == MDC_MB_TCP)
        sb_printf(&k, "tcp:%s:%d", c->link.host, c->link.port);
    else
        sb_printf(&k, "serial:%s", c->link.device);
    c->bus_key = xstrdup(sb_str(&k));
    sb_free(&k);
}

int mdc_mb_dev_parse(const mdc_device_cfg *dev, mdc_mb_dev **out, mdc_err *err)
{
    const mdc_cfgnode *n = &dev->node;
    if (mdc_keys_check_common(n, &mdc_device_keyset, &mdc_mb_device_keyset, err) < 0) return -1;
    mdc_mb_dev *c = xcalloc(1, sizeof *c);
    mdc_mb_plan_opts plan;
    mdc_mb_point_nodes pn; /* with a "template": its points merged with the device's */
    if (mdc_mb_point_nodes_get(n, &pn, err) < 0) goto fail;
    int rc = parse_limits(n, &pn, c, &plan, err) < 0 || parse_connection(n, &c->link, err) < 0 ||
                     parse_engine(n, c, err) < 0 || parse_points_of(n, &pn, c, &plan, err) < 0
                 ? -1
                 : 0;
    mdc_mb_point_nodes_free(&pn);
    if (rc < 0) goto fail;
    if (c->link.kind != MDC_MB_TCP && c->unit_id == 0) {
        cfg_error(n, "unit_id", err, "unit 0 is broadcast on a serial line; use 1..247");
        goto fail;
    }
    make_bus_key(c);
    *out = c;
    return 0;
fail:
    mdc_mb_dev_free(c);
    return -1;
}

void mdc_mb_dev_free(mdc_mb_dev *c)
{
    if (!c) return;
    mdc_mb_points_release(c->ps);
    free(c->bus_key);
    free(c);
}

void mdc_mb_dev_describe(const mdc_mb_dev *c, strbuf *out)
{
    const mdc_mb_pointset *ps = c->ps;
    char link[400];
    mdc_mb_link_cfg_describe(&c->link, link, sizeof link);
    sb_printf(out, "    %s, unit %d, timeout %lld ms", link, c->unit_id,
              (long long)(c->link.timeout_us / 1000));
    if (c->link.kind == MDC_MB_TCP && c->engine == MDC_MB_ENGINE_BLOCKING)
        sb_puts(out, ", blocking engine");
    else if (c->link.kind == MDC_MB_TCP && c->max_outstanding > 1)
        sb_printf(out, ", %d requests in flight", c->max_outstanding);
    sb_puts(out, "\n");
    for (size_t i = 0; i < ps->npoints; i++) {
        const mdc_mb_point *pt = &ps->points[i];
        sb_printf(out, "    point %-20s FC%d addr %-5u %s", pt->name, pt->span.function,
                  pt->span.address, mdc_mb_type_name(pt->fmt.type));
        const char *order = mdc_mb_order_name(pt->fmt.order, pt->fmt.type);
        if (order && *order) sb_printf(out, " %s", order);
        if (pt->fmt.bytes_per_register == 1) sb_puts(out, " (1 byte/register)");
        if (pt->fmt.scale != 1.0) sb_printf(out, " x%g", pt->fmt.scale);
        if (pt->fmt.offset != 0.0) sb_printf(out, " %+g", pt->fmt.offset);
        if (pt->unit) sb_printf(out, " [%s]", pt->unit);
        if (pt->fmt.rounding == MDC_MB_ROUND_PYTHON && pt->fmt.decimals >= 0)
            sb_printf(out, " round(x, %d) as Python", pt->fmt.decimals);
        sb_puts(out, "\n");
    }
    sb_printf(out, "    %zu request%s per poll:\n", ps->plan.nrequests,
              ps->plan.nrequests == 1 ? "" : "s");
    strbuf plan = STRBUF_INIT;
    mdc_mb_plan_describe(&ps->plan, ps->spans, &plan);
    for (char *line = plan.buf; line && *line;) {
        char *nl = strchr(line, '\n');
        sb_printf(out, "      %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
        line = nl ? nl + 1 : NULL;
    }
    sb_free(&plan);
}
