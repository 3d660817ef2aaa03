/* SPDX-License-Identifier: Apache-2.0 */
/* join.c — module start-up, active scan, PANA join, and recovery of an ended session. */
#include "session_internal.h"

#include "hex.h"

#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PANS 8

typedef struct brt_pan {
    int channel, panid, lqi;
    char mac[17];
} brt_pan;

/* ---- module initialisation ---- */

static int ever_want(mdc_brt_session *s, const brt_item *it, void *ctx, mdc_err *err)
{
    (void)ctx;
    (void)err;
    if (it->type == MDC_SK_ITEM_LINE && it->line.kind == MDC_SK_EVER)
        snprintf(s->version, sizeof s->version, "%s", it->line.text);
    return 0;
}

static int einfo_want(mdc_brt_session *s, const brt_item *it, void *ctx, mdc_err *err)
{
    (void)err;
    if (it->type == MDC_SK_ITEM_LINE && it->line.kind == MDC_SK_EINFO) *(int *)ctx = it->line.side;
    (void)s;
    return 0;
}

/* SKRESET, tolerating one FAIL caused by what was in the module's input buffer before. */
static int reset_module(mdc_brt_session *s, mdc_err *err)
{
    if (brt_send(s, "\r\n", 2, err) < 0) return -1;
    int fail;
    if (brt_command(s, "SKRESET", "SKRESET", NULL, NULL, &fail, err) == 0) return 0;
    if (!fail) return -1;
    return brt_command(s, "SKRESET", "SKRESET", NULL, NULL, NULL, err);
}

static int detect_module(mdc_brt_session *s, mdc_err *err)
{
    int side = -2;
    if (brt_command(s, "SKINFO", "SKINFO", einfo_want, &side, NULL, err) < 0) return -1;
    if (s->o.module != MDC_BRT_MODULE_AUTO) return 0;
    if (side == -2) return mdc_err_set(err, MDC_EPROTO, "SKINFO: no EINFO line in the answer");
    s->module = side >= 0 ? MDC_BRT_MODULE_BP35C0 : MDC_BRT_MODULE_BP35A1;
    s->side = side >= 0;
    return 0;
}

static int set_credentials(mdc_brt_session *s, mdc_err *err)
{
    char cmd[96];
    snprintf(cmd, sizeof cmd, "SKSETRBID %s", s->rbid);
    int rc = brt_command(s, cmd, "SKSETRBID", NULL, NULL, NULL, err);
    explicit_bzero(cmd, sizeof cmd);
    if (rc < 0) return -1;
    size_t n = mdc_sk_cmd_setpwd(cmd, sizeof cmd, s->password);
    if (n < 2)
        return mdc_err_set(err, MDC_EINVAL, "the B-route password must be 1 to 32 characters");
    cmd[n - 2] = '\0'; /* brt_command adds the CRLF */
    rc = brt_command(s, cmd, "SKSETPWD", NULL, NULL, NULL, err);
    explicit_bzero(cmd, sizeof cmd);
    return rc;
}

static int init_module(mdc_brt_session *s, mdc_err *err)
{
    int fail;
    if (reset_module(s, err) < 0) return -1;
    /* echo off; a module without SFE keeps echoing, which the line reader ignores */
    if (brt_command(s, "SKSREG SFE 0", "SKSREG SFE", NULL, NULL, &fail, err) < 0 && !fail)
        return -1;
    if (brt_command(s, "SKVER", "SKVER", ever_want, NULL, NULL, err) < 0 ||
        detect_module(s, err) < 0 || set_credentials(s, err) < 0)
        return -1;
    return 0;
}

/* ---- active scan ---- */

typedef struct scan_ctx {
    const mdc_brt_session *s;
    brt_pan cur;
    bool in_desc;
    brt_pan pans[MAX_PANS];
    int n;
} scan_ctx;

/* The link-local IPv6 address of a MAC address (what SKLL64 prints): FE80::/64 and the
 * EUI-64 with the universal/local bit flipped. */
static void mac_to_ipv6(const char *mac, char out[MDC_SK_IPV6_LEN + 1])
{
    uint8_t b[8];
    mdc_brt_hex_decode(mac, 8, b);
    b[0] ^= 0x02;
    snprintf(out, MDC_SK_IPV6_LEN + 1, "FE80:0000:0000:0000:%02X%02X:%02X%02X:%02X%02X:%02X%02X",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

static bool wanted(const mdc_brt_session *s, const brt_pan *p)
{
    if (s->o.channel >= 0 && p->channel != s->o.channel) return false;
    if (s->o.panid >= 0 && p->panid != s->o.panid) return false;
    if (s->o.ipv6) {
        char ip[MDC_SK_IPV6_LEN + 1];
        mac_to_ipv6(p->mac, ip);
        if (strcmp(ip, s->o.ipv6) != 0) return false;
    }
    return true;
}

static void flush_pan(scan_ctx *c)
{
    if (!c->in_desc) return;
    c->in_desc = false;
    if (c->cur.channel < 0 || c->cur.panid < 0 || !c->cur.mac[0] || !wanted(c->s, &c->cur)) return;
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->pans[i].mac, c->cur.mac) == 0) return;
    if (c->n < MAX_PANS) c->pans[c->n++] = c->cur;
}

static int hex_field(const char *v, int *out)
{
    uint32_t x;
    size_t n = strlen(v);
    if (n < 1 || n > 4 || mdc_brt_hex_u32(v, n, &x) < 0) return -1;
    *out = (int)x;
    return 0;
}

static void pan_field(brt_pan *p, const char *key, const char *value)
{
    if (strcmp(key, "Channel") == 0)
        hex_field(value, &p->channel);
    else if (strcmp(key, "Pan ID") == 0)
        hex_field(value, &p->panid);
    else if (strcmp(key, "LQI") == 0)
        hex_field(value, &p->lqi);
    else if (strcmp(key, "Addr") == 0 && strlen(value) == 16 && mdc_brt_is_hex(value, 16))
        snprintf(p->mac, sizeof p->mac, "%s", value);
}

static int scan_want(mdc_brt_session *s, const brt_item *it, void *p, mdc_err *err)
{
    (void)s;
    (void)err;
    scan_ctx *c = p;
    if (it->type != MDC_SK_ITEM_LINE) return 0;
    const mdc_sk_line *l = &it->line;
    if (l->kind == MDC_SK_PANFIELD && c->in_desc) {
        pan_field(&c->cur, l->key, l->value);
        return 0;
    }
    flush_pan(c);
    if (l->kind == MDC_SK_EPANDESC) {
        c->in_desc = true;
        c->cur = (brt_pan){.channel = -1, .panid = -1, .lqi = 0};
    }
    return l->kind == MDC_SK_EVENT && l->code == MDC_SK_EV_SCAN_DONE;
}

static int by_lqi(const void *a, const void *b)
{
    return ((const brt_pan *)b)->lqi - ((const brt_pan *)a)->lqi;
}

static int scan(mdc_brt_session *s, scan_ctx *c, mdc_err *err)
{
    c->s = s;
    c->n = 0;
    for (int d = s->o.scan_first; d <= s->o.scan_last; d++) {
        char cmd[64];
        mdc_sk_cmd_scan(cmd, sizeof cmd, d, s->side);
        cmd[strlen(cmd) - 2] = '\0';
        s->st.scans++;
        c->in_desc = false;
        if (brt_command(s, cmd, "SKSCAN", scan_want, c, NULL, err) < 0) return -1;
        int64_t deadline = mdc_mono_us() + mdc_sk_scan_us(d) * 3 / 2 + s->o.cmd_timeout_us;
        if (brt_wait(s, deadline, scan_want, c, "end of the active scan (EVENT 22)", err) < 0)
            return -1;
        flush_pan(c);
        if (c->n > 0) {
            qsort(c->pans, (size_t)c->n, sizeof c->pans[0], by_lqi);
            return 0;
        }
    }
    return mdc_err_set(
        err, MDC_EDEVICE,
        "no smart meter found: active scans with durations %d to %d received no "
        "beacon%s (is the meter in range and its B-route service started?)",
        s->o.scan_first, s->o.scan_last,
        s->o.channel >= 0 || s->o.panid >= 0 || s->o.ipv6 ? " from the configured PAN" : "");
}

/* ---- join ---- */

static int ll64_want(mdc_brt_session *s, const brt_item *it, void *ctx, mdc_err *err)
{
    (void)ctx;
    (void)err;
    if (it->type != MDC_SK_ITEM_LINE || it->line.kind != MDC_SK_IPV6) return 0;
    return mdc_sk_ipv6_canon(it->line.addr, strlen(it->line.addr), s->ipv6) == 0;
}

typedef struct pana_ctx {
    int result; /* 0 pending, 1 joined, 2 refused */
} pana_ctx;

static int pana_want(mdc_brt_session *s, const brt_item *it, void *p, mdc_err *err)
{
    (void)s;
    (void)err;
    pana_ctx *c = p;
    if (it->type != MDC_SK_ITEM_LINE || it->line.kind != MDC_SK_EVENT) return 0;
    if (it->line.code == MDC_SK_EV_PANA_OK) c->result = 1;
    if (it->line.code == MDC_SK_EV_PANA_FAIL) c->result = 2;
    return c->result != 0;
}

/* Waits for the end of a PANA exchange: 0 joined, 1 refused, -1 error/timeout. */
static int await_pana(mdc_brt_session *s, mdc_err *err)
{
    pana_ctx c = {0};
    int64_t deadline = mdc_mono_us() + s->o.join_timeout_us;
    if (brt_wait(s, deadline, pana_want, &c, "end of PANA authentication (EVENT 24/25)", err) < 0)
        return -1;
    if (c.result == 1) {
        s->joined = true;
        s->reauth = false;
        return 0;
    }
    s->joined = false;
    return 1;
}

int brt_join(mdc_brt_session *s, mdc_err *err)
{
    char cmd[80];
    snprintf(cmd, sizeof cmd, "SKJOIN %s", s->ipv6);
    for (int t = 0; t < s->o.join_tries; t++) {
        s->st.joins++;
        if (brt_command(s, cmd, "SKJOIN", NULL, NULL, NULL, err) < 0) return -1;
        int rc = await_pana(s, err);
        if (rc <= 0) {
            if (rc == 0) s->join_count++;
            return rc;
        }
    }
    mdc_err_set(err, MDC_EAUTH,
                "the meter %s refused PANA authentication (EVENT 24) %d times; check the "
                "B-route ID and password",
                s->ipv6, s->o.join_tries);
    return 1;
}

static int set_pan(mdc_brt_session *s, const brt_pan *p, mdc_err *err)
{
    char cmd[64];
    s->channel = p->channel;
    s->panid = p->panid;
    snprintf(s->mac, sizeof s->mac, "%s", p->mac);
    if (!s->o.ipv6) {
        snprintf(cmd, sizeof cmd, "SKLL64 %s", p->mac);
        s->ipv6[0] = '\0';
        if (brt_command(s, cmd, "SKLL64", ll64_want, NULL, NULL, err) < 0) return -1;
    } else {
        snprintf(s->ipv6, sizeof s->ipv6, "%s", s->o.ipv6);
    }
    snprintf(cmd, sizeof cmd, "SKSREG S2 %02X", p->channel);
    if (brt_command(s, cmd, "SKSREG S2", NULL, NULL, NULL, err) < 0) return -1;
    snprintf(cmd, sizeof cmd, "SKSREG S3 %04X", p->panid);
    return brt_command(s, cmd, "SKSREG S3", NULL, NULL, NULL, err);
}

static int find_and_join(mdc_brt_session *s, mdc_err *err)
{
    scan_ctx c;
    if (s->o.channel >= 0 && s->o.panid >= 0 && s->o.ipv6) {
        c.n = 1;
        c.pans[0] = (brt_pan){.channel = s->o.channel, .panid = s->o.panid};
    } else if (scan(s, &c, err) < 0) {
        return -1;
    }
    mdc_err first = {0};
    for (int i = 0; i < c.n; i++) {
        if (set_pan(s, &c.pans[i], err) < 0) return -1;
        int rc = brt_join(s, err);
        if (rc <= 0) return rc;
        if (i == 0) first = *err;
    }
    *err = first;
    return -1;
}

int mdc_brt_session_start(mdc_brt_session *s, mdc_err *err)
{
    int64_t t0 = mdc_mono_us();
    s->joined = s->reauth = s->tx_limited = false;
    s->broken = false;
    if (init_module(s, err) < 0 || find_and_join(s, err) < 0) {
        s->broken = true;
        return -1;
    }
    s->st.setup_us = mdc_mono_us() - t0;
    return 0;
}

/* ---- recovery ---- */

static int rejoin(mdc_brt_session *s, mdc_err *err)
{
    int fail;
    s->st.rejoins++;
    if (brt_command(s, "SKREJOIN", "SKREJOIN", NULL, NULL, &fail, err) == 0 &&
        await_pana(s, err) == 0)
        return 0;
    if (s->broken) return -1;
    return brt_join(s, err) == 0 ? 0 : -1; /* a fresh session */
}

int mdc_brt_session_ensure(mdc_brt_session *s, mdc_err *err)
{
    if (s->broken) return mdc_err_set(err, MDC_ESTATE, "the session must be started again");
    if (brt_pump(s, err) < 0) return -1;
    if (s->reauth) { /* EVENT 29: the module re-authenticates by itself */
        int rc = await_pana(s, err);
        if (rc < 0 && s->broken) return -1;
        if (rc != 0) s->joined = s->reauth = false;
    }
    if (s->joined) return 0;
    if (!s->ipv6[0]) return mdc_err_set(err, MDC_ESTATE, "the session was never started");
    if (rejoin(s, err) < 0) {
        s->broken = true;
        return mdc_err_prefix(err, "joining the meter again after the session ended");
    }
    return 0;
}
