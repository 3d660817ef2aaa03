/* SPDX-License-Identifier: Apache-2.0 */
/* broute_driver.c — configuration, bus (an open, joined session) and poll of the "broute"
 * driver. */
#include "broute_driver.h"
#include "collect.h"
#include "hex.h"
#include "session.h"
#include "skline.h"

#include "core/clock.h"
#include "core/keys.h"
#include "core/tz.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

typedef struct brt_cfg {
    mdc_brt_opts opts; /* strings owned by the configuration document */
    char ipv6[MDC_SK_IPV6_LEN + 1];
    const char *tz_name;
    mdc_tz *tz;
    char bus_key[300];
} brt_cfg;

typedef struct brt_bus {
    mdc_brt_session *s;
    mdc_brt_meter meter;
} brt_bus;

static const mdc_key device_keys[] = {
    {.name = "port", .type = MDC_KEY_STRING, .required = true, .help = "the module's serial port"},
    {.name = "baud",
     .type = MDC_KEY_INT,
     .def = "115200",
     .min = 1,
     .max = 4000000,
     .help = "a standard rate"},
    {.name = "rbid",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "the 32-character B-route ID from the power company"},
    {.name = "password",
     .type = MDC_KEY_SECRET,
     .help = "required: the B-route password (1 to 32 characters)"},
    {.name = "module",
     .type = MDC_KEY_ENUM,
     .def = "auto",
     .choices = mdc_brt_module_names,
     .help = "the Wi-SUN module"},
    {.name = "channel",
     .type = MDC_KEY_ANY,
     .help = "33..60, an integer or 2 hex digits (with panid and ipv6: no scan)"},
    {.name = "panid", .type = MDC_KEY_ANY, .help = "0..0xFFFE, an integer or 4 hex digits"},
    {.name = "ipv6", .type = MDC_KEY_STRING, .help = "the meter's address, eight groups of hex"},
    {.name = "timezone",
     .type = MDC_KEY_STRING,
     .def = "Asia/Tokyo",
     .help = "the meter's local zone"},
    {.name = "timeout", .type = MDC_KEY_DURATION, .def = "10s", .help = "a meter's reply"},
    {0},
};
static const mdc_keyset device_keyset = {"device (broute)", device_keys, &mdc_device_keyset};

/* ---- configuration ---- */

static int parse_credentials(const mdc_cfgnode *n, brt_cfg *c, mdc_err *err)
{
    if (mdc_key_string(n, &device_keyset, "rbid", &c->opts.rbid, err) < 0) return -1;
    size_t len = strlen(c->opts.rbid);
    if (len != 32)
        return cfg_error(n, "rbid", err,
                         "must be the 32-character B-route ID from the power company, got %zu "
                         "characters",
                         len);
    for (size_t i = 0; i < len; i++)
        if (c->opts.rbid[i] <= ' ' || c->opts.rbid[i] > '~')
            return cfg_error(n, "rbid", err, "must be printable characters without spaces");
    if (!cfg_has(n, "password"))
        return cfg_error(n, NULL, err, "missing required key \"password\" (the B-route password)");
    if (mdc_key_string(n, &device_keyset, "password", &c->opts.password, err) < 0) return -1;
    len = strlen(c->opts.password);
    if (len < 1 || len > 32)
        return cfg_error(n, "password", err, "must be 1 to 32 characters, got %zu", len);
    for (size_t i = 0; i < len; i++)
        if (c->opts.password[i] <= ' ' || c->opts.password[i] > '~')
            return cfg_error(n, "password", err, "must be printable characters without spaces");
    return 0;
}

/* channel/panid: an integer, or a string of hex digits as SKSTACK prints them ("21", "8888"). */
static int parse_hexnum(const mdc_cfgnode *n, const char *key, size_t digits, int64_t lo,
                        int64_t hi, const char *what, int *out, mdc_err *err)
{
    json_t *v = json_object_get(n->json, key);
    *out = -1;
    if (!v) return 0;
    int64_t x;
    if (json_is_string(v)) {
        const char *s;
        uint32_t u;
        if (cfg_string(n, key, NULL, &s, err) < 0) return -1;
        if (strlen(s) != digits || mdc_brt_hex_u32(s, digits, &u) < 0)
            return cfg_error(n, key, err, "expected %s: an integer or %zu hex digits, got \"%s\"",
                             what, digits, s);
        x = u;
    } else if (cfg_int(n, key, 0, INT64_MIN, INT64_MAX, &x, err) < 0) {
        return -1;
    }
    if (x < lo || x > hi)
        return cfg_error(n, key, err, "%s must be %lld to %lld (0x%llX to 0x%llX), got %lld", what,
                         (long long)lo, (long long)hi, (long long)lo, (long long)hi, (long long)x);
    *out = (int)x;
    return 0;
}

static int parse_meter(const mdc_cfgnode *n, brt_cfg *c, mdc_err *err)
{
    const char *ip;
    if (parse_hexnum(n, "channel", 2, 33, 60, "the channel", &c->opts.channel, err) < 0 ||
        parse_hexnum(n, "panid", 4, 0, 0xFFFE, "the PAN ID", &c->opts.panid, err) < 0 ||
        mdc_key_string(n, &device_keyset, "ipv6", &ip, err) < 0)
        return -1;
    if (ip) {
        if (mdc_sk_ipv6_canon(ip, strlen(ip), c->ipv6) < 0)
            return cfg_error(n, "ipv6", err,
                             "expected the meter's IPv6 address as eight groups of hex digits "
                             "(FE80:0000:0000:0000:021C:6400:030C:12A4), got \"%s\"",
                             ip);
        c->opts.ipv6 = c->ipv6;
    }
    return 0;
}

static int parse_link(const mdc_cfgnode *n, brt_cfg *c, mdc_err *err)
{
    int64_t baud;
    int module;
    const mdc_keyset *ks = &device_keyset;
    if (mdc_key_string(n, ks, "port", &c->opts.port, err) < 0 ||
        mdc_key_int(n, ks, "baud", &baud, err) < 0 ||
        mdc_key_enum(n, ks, "module", &module, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &c->opts.timeout_us, err) < 0)
        return -1;
    if (!mdc_brt_baud_supported((int)baud))
        return cfg_error(n, "baud", err,
                         "%lld is not a supported rate (1200, 2400, 4800, 9600, 19200, 38400, "
                         "57600, 115200, 230400, 460800, 921600)",
                         (long long)baud);
    c->opts.baud = (int)baud;
    c->opts.module = (mdc_brt_module)module;
    return 0;
}

static void brt_free_config(void *p)
{
    brt_cfg *c = p;
    if (!c) return;
    mdc_tz_free(c->tz);
    free(c);
}

static int brt_parse(const mdc_device_cfg *dev, void **out, mdc_err *err)
{
    const mdc_cfgnode *n = &dev->node;
    if (mdc_keys_check_common(n, &mdc_device_keyset, &device_keyset, err) < 0) return -1;
    brt_cfg *c = xcalloc(1, sizeof *c);
    mdc_brt_opts_init(&c->opts);
    mdc_err e;
    if (parse_link(n, c, err) < 0 || parse_credentials(n, c, err) < 0 ||
        parse_meter(n, c, err) < 0 ||
        mdc_key_string(n, &device_keyset, "timezone", &c->tz_name, err) < 0)
        goto fail;
    if (mdc_tz_load(c->tz_name, &c->tz, &e) < 0 &&
        (cfg_has(n, "timezone") || mdc_tz_from_posix("JST-9", &c->tz, &e) < 0)) {
        /* without tzdata the default zone is the fixed rule JST-9: Japan has no DST */
        cfg_error(n, "timezone", err, "%s", e.msg);
        goto fail;
    }
    snprintf(c->bus_key, sizeof c->bus_key, "serial:%s", c->opts.port);
    *out = c;
    return 0;
fail:
    brt_free_config(c);
    return -1;
}

static const char *const *brt_fields(const void *p)
{
    (void)p;
    return mdc_brt_field_names;
}

static void brt_describe(const void *p, strbuf *out)
{
    const brt_cfg *c = p;
    const mdc_brt_opts *o = &c->opts;
    sb_printf(out, "    serial %s %d 8N1, module %s, timeout %lld ms, meter time zone %s\n",
              o->port, o->baud, mdc_brt_module_name(o->module), (long long)(o->timeout_us / 1000),
              mdc_tz_name(c->tz));
    if (o->channel >= 0 && o->panid >= 0 && o->ipv6)
        sb_printf(out, "    meter: channel %d (0x%02X), PAN ID 0x%04X, %s (no scan)\n", o->channel,
                  o->channel, o->panid, o->ipv6);
    else
        sb_printf(out, "    meter: found by active scan%s\n",
                  o->channel >= 0 || o->panid >= 0 || o->ipv6 ? " (filtered by the given keys)"
                                                              : "");
    sb_printf(out, "    B-route ID and password set; fields:");
    for (int i = 0; i < MDC_BRT_NFIELDS; i++)
        sb_printf(out, " %s", mdc_brt_field_names[i]);
    sb_puts(out, "\n");
}

/* ---- bus ---- */

static const char *brt_bus_key(const void *p)
{
    return ((const brt_cfg *)p)->bus_key;
}

static int brt_bus_check(const void *a, const void *b, mdc_err *err)
{
    (void)a;
    (void)b;
    return mdc_err_set(err, MDC_EINVAL,
                       "a Wi-SUN module serves one meter; give each meter its own module");
}

static int brt_bus_open(const void *p, void **out, mdc_err *err)
{
    const brt_cfg *c = p;
    brt_bus *b = xcalloc(1, sizeof *b);
    if (mdc_brt_session_open(&c->opts, &b->s, err) < 0) {
        free(b);
        return -1;
    }
    if (mdc_brt_session_start(b->s, err) < 0) {
        mdc_brt_session_close(b->s);
        free(b);
        return -1;
    }
    mdc_brt_meter_init(&b->meter);
    *out = b;
    return 0;
}

static void brt_bus_close(void *p)
{
    brt_bus *b = p;
    if (!b) return;
    mdc_brt_session_close(b->s);
    free(b);
}

static bool brt_bus_broken(void *p)
{
    return mdc_brt_session_broken(((brt_bus *)p)->s);
}

/* ---- poll ---- */

static void add_value(mdc_record *rec, const char *name, const mdc_brt_value *v)
{
    char ts[40];
    switch (v->kind) {
    case MDC_BRT_V_DOUBLE:
        mdc_record_add_double(rec, name, v->d);
        return;
    case MDC_BRT_V_INT:
        mdc_record_add_int(rec, name, v->i);
        return;
    case MDC_BRT_V_TIME:
        mdc_format_utc_s(v->i * MDC_US_PER_SEC, ts, sizeof ts);
        mdc_record_add_string(rec, name, ts);
        return;
    case MDC_BRT_V_ERROR:
        mdc_record_add_null(rec, name, v->why);
        return;
    case MDC_BRT_V_NULL:
        break;
    }
    mdc_record_add_null(rec, name, NULL);
}

static int brt_poll(void *bp, const void *p, mdc_record *rec, mdc_err *err)
{
    brt_bus *b = bp;
    const brt_cfg *c = p;
    mdc_brt_reading r;
    int64_t now_s = mdc_floordiv(rec->ts_us ? rec->ts_us : mdc_now_us(), MDC_US_PER_SEC);
    if (mdc_brt_collect(b->s, &b->meter, c->tz, now_s, &r, err) < 0) return -1;
    for (int i = 0; i < MDC_BRT_NFIELDS; i++)
        add_value(rec, mdc_brt_field_names[i], &r.v[i]);
    return 0;
}

static void hexdump_prop(const mdc_el_prop *pr, strbuf *out)
{
    char hex[2 * 255 + 1];
    if (pr->pdc)
        mdc_brt_hex_encode(pr->edt, pr->pdc, hex);
    else
        snprintf(hex, sizeof hex, "(not available)");
    sb_printf(out, "  EPC %02X: %s\n", pr->epc, hex);
}

static int brt_inspect(void *bp, const void *p, int argc, char **argv, strbuf *out, mdc_err *err)
{
    (void)p;
    (void)argc;
    (void)argv;
    brt_bus *b = bp;
    mdc_brt_info info;
    mdc_brt_session_info(b->s, &info);
    const mdc_brt_stats *st = mdc_brt_session_stats(b->s);
    sb_printf(out,
              "module %s, firmware %s; meter %s (MAC %s), channel %d (0x%02X), PAN ID 0x%04X\n",
              mdc_brt_module_name(info.module), info.version[0] ? info.version : "?", info.ipv6,
              info.mac[0] ? info.mac : "?", info.channel, info.channel, info.panid);
    sb_printf(out, "set-up (reset to joined) %.3f s, %llu scan(s), %llu join attempt(s)\n",
              (double)st->setup_us / 1e6, (unsigned long long)st->scans,
              (unsigned long long)st->joins);
    static const uint8_t epcs[] = {0xE1, 0xD3, 0xD7, 0xE0, 0xE7, 0xE8, 0xEA};
    mdc_el_frame req, res;
    uint8_t buf[MDC_EL_FRAME_MAX];
    memset(&req, 0, sizeof req);
    req.seoj = MDC_EL_EOJ_CONTROLLER;
    req.deoj = MDC_EL_EOJ_SMART_METER;
    req.esv = MDC_EL_GET;
    req.opc = sizeof epcs;
    for (unsigned i = 0; i < sizeof epcs; i++)
        req.props[i].epc = epcs[i];
    if (mdc_brt_request(b->s, &req, &res, buf, err) < 0) return -1;
    char esv[16];
    sb_printf(out, "%s TID %04X:\n", mdc_el_esv_name(res.esv, esv, sizeof esv), res.tid);
    for (unsigned i = 0; i < res.opc; i++)
        hexdump_prop(&res.props[i], out);
    return 0;
}

/* The smart meter's values (ECHONET Lite low-voltage smart meter class, collect.c). */
static bool brt_field_info(const void *p, const char *name, mdc_field_info *out)
{
    (void)p;
    static const mdc_field_info infos[MDC_BRT_NFIELDS] = {
        {.name = "cumulative_power_kwh", .unit = "kWh", .label = "Energy (meter)", .decimals = -1},
        {.name = "instant_power_w", .unit = "W", .label = "Power", .decimals = 0},
        {.name = "current_a", .unit = "A", .label = "Current", .decimals = 1},
        {.name = "current_r_a", .unit = "A", .label = "Current R", .decimals = 1},
        {.name = "current_t_a", .unit = "A", .label = "Current T", .decimals = 1},
        {.name = "historical_timestamp", .label = "Last 30-minute reading at", .decimals = -1},
        {.name = "historical_cumulative_power_kwh",
         .unit = "kWh",
         .label = "Energy at the last 30-minute reading",
         .decimals = -1},
        {.name = "recent_30min_timestamp", .label = "Last 30 minutes until", .decimals = -1},
        {.name = "recent_30min_consumption_kwh",
         .unit = "kWh",
         .label = "Energy in the last 30 minutes",
         .decimals = -1,
         .quantity = "energy"}, /* a difference, not a total */
    };
    for (size_t i = 0; i < MDC_BRT_NFIELDS; i++)
        if (strcmp(infos[i].name, name) == 0) {
            *out = infos[i];
            return true;
        }
    return false;
}

const mdc_driver mdc_broute_driver = {
    .name = "broute",
    .keys = &device_keyset,
    .parse = brt_parse,
    .free_config = brt_free_config,
    .fields = brt_fields,
    .describe = brt_describe,
    .bus_key = brt_bus_key,
    .bus_check = brt_bus_check,
    .bus_open = brt_bus_open,
    .bus_close = brt_bus_close,
    .bus_broken = brt_bus_broken,
    .poll = brt_poll,
    .inspect = brt_inspect,
    .field_info = brt_field_info,
};
