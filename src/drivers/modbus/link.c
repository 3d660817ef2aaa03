/* SPDX-License-Identifier: Apache-2.0 */
/* link.c — link configuration, validation, dispatch and request context in errors. */
#include "link_impl.h"
#include "pdu.h"
#include "plan.h"
#include "serial.h"
#include "core/clock.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mdc_mb_link_cfg_init(mdc_mb_link_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = MDC_MB_TCP;
    cfg->port = 502;
    cfg->baud = 9600;
    cfg->parity = 'N';
    cfg->data_bits = 8;
    cfg->stop_bits = 1;
    cfg->timeout_us = MDC_US_PER_SEC;
}

int mdc_mb_link_cfg_check(const mdc_mb_link_cfg *cfg, mdc_err *err)
{
    if (cfg->timeout_us <= 0 || cfg->timeout_us > 3600 * MDC_US_PER_SEC)
        return mdc_err_set(err, MDC_EINVAL, "timeout must be > 0 and at most 1 h");
    if (cfg->byte_timeout_us < 0 || cfg->byte_timeout_us > 3600 * MDC_US_PER_SEC)
        return mdc_err_set(err, MDC_EINVAL, "byte timeout must be 0 (automatic) .. 1 h");
    switch (cfg->kind) {
    case MDC_MB_TCP:
        if (!cfg->host[0] || !memchr(cfg->host, 0, sizeof cfg->host))
            return mdc_err_set(err, MDC_EINVAL, "TCP link needs a host");
        if (cfg->port < 1 || cfg->port > 65535)
            return mdc_err_set(err, MDC_EINVAL, "TCP port must be 1..65535 (got %d)", cfg->port);
        return 0;
    case MDC_MB_RTU:
    case MDC_MB_ASCII:
        if (!cfg->device[0] || !memchr(cfg->device, 0, sizeof cfg->device))
            return mdc_err_set(err, MDC_EINVAL, "serial link needs a device");
        if (mdc_mb_serial_check(cfg->baud, cfg->parity, cfg->data_bits, cfg->stop_bits, err) < 0)
            return mdc_err_prefix(err, "%s", cfg->device);
        if (cfg->kind == MDC_MB_RTU && cfg->data_bits != 8)
            return mdc_err_set(err, MDC_EINVAL, "%s: Modbus RTU needs 8 data bits (got %d)",
                               cfg->device, cfg->data_bits);
        if (cfg->kind == MDC_MB_ASCII && cfg->data_bits < 7)
            return mdc_err_set(err, MDC_EINVAL, "%s: Modbus ASCII needs 7 or 8 data bits (got %d)",
                               cfg->device, cfg->data_bits);
        return 0;
    }
    return mdc_err_set(err, MDC_EINVAL, "unknown link kind %d", (int)cfg->kind);
}

int mdc_mb_parse_hostport(const char *s, char *host, size_t hostcap, int *port, mdc_err *err)
{
    const char *colon, *h = s;
    size_t hl;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return mdc_err_set(err, MDC_EINVAL, "'%s': expected [ADDRESS]:PORT", s);
        h = s + 1;
        hl = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon) return mdc_err_set(err, MDC_EINVAL, "'%s': expected HOST:PORT", s);
        hl = (size_t)(colon - s);
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (hl == 0 || hl >= hostcap || colon[1] == '\0' || *end || p < 0 || p > 65535)
        return mdc_err_set(err, MDC_EINVAL, "'%s': expected HOST:PORT with a port 0..65535", s);
    memcpy(host, h, hl);
    host[hl] = '\0';
    *port = (int)p;
    return 0;
}

void mdc_mb_link_cfg_describe(const mdc_mb_link_cfg *cfg, char *buf, size_t n)
{
    if (cfg->kind == MDC_MB_TCP)
        snprintf(buf, n, "tcp %s:%d", cfg->host, cfg->port);
    else
        snprintf(buf, n, "%s %s %d %d%c%d", cfg->kind == MDC_MB_RTU ? "rtu" : "ascii", cfg->device,
                 cfg->baud, cfg->data_bits, cfg->parity, cfg->stop_bits);
}

int mdc_mb_timeout_error(const mdc_mb_link *l, int64_t us, mdc_err *err)
{
    if (l->discarded_now)
        return mdc_err_set(err, MDC_ETIMEOUT,
                           "timeout after %g ms; discarded %u repl%s that did not answer this "
                           "request",
                           (double)us / 1000.0, l->discarded_now,
                           l->discarded_now == 1 ? "y" : "ies");
    return mdc_err_set(err, MDC_ETIMEOUT, "timeout after %g ms", (double)us / 1000.0);
}

static int discard(mdc_mb_link *l)
{
    l->discarded++;
    l->discarded_now++;
    return 1;
}

int mdc_mb_link_take_reply(mdc_mb_link *l, int unit, int fc, uint16_t count, const uint8_t *adu,
                           size_t n, uint16_t *out, mdc_err *err)
{
    if (n < 2 || adu[0] != unit) return discard(l);
    if (mdc_mb_orphans_take(&l->orphans, adu[0], adu + 1, n - 1, mdc_mono_us())) return discard(l);
    mdc_err e;
    if (mdc_mb_pdu_parse_read_reply(adu + 1, n - 1, fc, count, out, &e) == 0) return 0;
    if (e.code == MDC_EPROTO) return discard(l);
    *err = e;
    return -1;
}

/* Serial lines wait 100 ms plus a few characters between parts of a reply; TCP the response
 * timeout. */
static int64_t auto_byte_timeout(const mdc_mb_link_cfg *cfg, int char_bits)
{
    if (cfg->byte_timeout_us > 0) return cfg->byte_timeout_us;
    if (cfg->kind == MDC_MB_TCP) return cfg->timeout_us;
    int64_t t = 100000 + mdc_mb_wire_us(cfg->baud, char_bits, 4);
    return t < cfg->timeout_us ? t : cfg->timeout_us;
}

int mdc_mb_link_open(const mdc_mb_link_cfg *cfg, mdc_mb_link **out, mdc_err *err)
{
    *out = NULL;
    if (mdc_mb_link_cfg_check(cfg, err) < 0) return -1;
    mdc_mb_link *l = xcalloc(1, sizeof *l);
    l->cfg = *cfg;
    l->fd = -1;
    if (cfg->kind != MDC_MB_TCP) {
        l->char_bits = mdc_mb_char_bits(cfg->parity, cfg->data_bits, cfg->stop_bits);
        l->silent_us = mdc_mb_silent_us(cfg->baud, l->char_bits);
    }
    l->byte_timeout_us = auto_byte_timeout(cfg, l->char_bits);
    int rc = cfg->kind == MDC_MB_ASCII ? mdc_mb_asc_open(l, err) : mdc_mb_lm_open(l, err);
    if (rc < 0) {
        free(l);
        if (cfg->kind == MDC_MB_TCP) return mdc_err_prefix(err, "%s:%d", cfg->host, cfg->port);
        return mdc_err_prefix(err, "%s", cfg->device);
    }
    l->last_end_us = mdc_mono_us();
    *out = l;
    return 0;
}

void mdc_mb_link_close(mdc_mb_link *l)
{
    if (!l) return;
    if (l->cfg.kind == MDC_MB_ASCII)
        mdc_mb_asc_close(l);
    else
        mdc_mb_lm_close(l);
    free(l);
}

bool mdc_mb_link_needs_reopen(const mdc_mb_link *l)
{
    return l->needs_reopen;
}

uint64_t mdc_mb_link_discarded(const mdc_mb_link *l)
{
    return l->discarded;
}

static int check_request(const mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count,
                         mdc_err *err)
{
    int min_unit = l->cfg.kind == MDC_MB_TCP ? 0 : 1;
    if (unit < min_unit || unit > 255)
        return mdc_err_set(err, MDC_EINVAL, "unit id must be %d..255", min_unit);
    if (fc < 1 || fc > 4)
        return mdc_err_set(err, MDC_EINVAL, "function %d is not a read function (1..4)", fc);
    int max = fc <= 2 ? MDC_MB_MAX_READ_BITS : MDC_MB_MAX_READ_REGISTERS;
    if (count < 1 || count > max) return mdc_err_set(err, MDC_EINVAL, "count must be 1..%d", max);
    if ((uint32_t)addr + count > 65536)
        return mdc_err_set(err, MDC_EINVAL, "request runs past address 65535");
    if (l->needs_reopen)
        return mdc_err_set(err, MDC_ESTATE, "connection is broken; reopen the link");
    return 0;
}

/* Keeps the line quiet for t3.5 between the end of one transaction and the next request. */
static void wait_silent_period(const mdc_mb_link *l)
{
    if (l->silent_us <= 0) return;
    int64_t wait = l->last_end_us + l->silent_us - mdc_mono_us();
    if (wait > 0) mdc_sleep_us(wait);
}

int mdc_mb_read(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t count, uint16_t *out,
                mdc_err *err)
{
    int rc = check_request(l, unit, fc, addr, count, err);
    if (rc == 0) {
        wait_silent_period(l);
        l->discarded_now = 0;
        if (l->cfg.kind == MDC_MB_ASCII)
            rc = mdc_mb_asc_read(l, unit, fc, addr, count, out, err);
        else
            rc = mdc_mb_lm_read(l, unit, fc, addr, count, out, err);
        l->last_end_us = mdc_mono_us();
        /* on a serial line its reply may still come: drain it when it does */
        if (rc < 0 && err->code == MDC_ETIMEOUT && l->cfg.kind != MDC_MB_TCP)
            mdc_mb_orphans_add(&l->orphans, (uint8_t)unit, fc, count,
                               l->last_end_us + l->cfg.timeout_us);
    }
    if (rc < 0) return mdc_err_prefix(err, "unit %d FC%d addr %u count %u", unit, fc, addr, count);
    return 0;
}
