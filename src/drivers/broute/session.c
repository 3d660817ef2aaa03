/* SPDX-License-Identifier: Apache-2.0 */
/* session.c — the session object, the item pump and module commands. */
#include "session_internal.h"

#include "core/clock.h"
#include "core/strbuf.h"
#include "core/trace.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

void mdc_brt_opts_init(mdc_brt_opts *o)
{
    memset(o, 0, sizeof *o);
    o->baud = 115200;
    o->module = MDC_BRT_MODULE_AUTO;
    o->channel = o->panid = -1;
    o->timeout_us = 10 * MDC_US_PER_SEC;
    o->cmd_timeout_us = 2 * MDC_US_PER_SEC;
    o->join_timeout_us = 30 * MDC_US_PER_SEC;
    o->scan_first = 4;
    o->scan_last = 8;
    o->join_tries = 3;
    o->send_tries = 3;
}

static mdc_brt_session *create(const mdc_brt_opts *o)
{
    mdc_brt_session *s = xcalloc(1, sizeof *s);
    s->o = *o;
    s->port_path = xstrdup(o->port ? o->port : "(socket)");
    s->rbid = xstrdup(o->rbid ? o->rbid : "");
    s->password = xstrdup(o->password ? o->password : "");
    s->o.port = s->port_path;
    s->o.rbid = s->rbid;
    s->o.password = s->password;
    s->o.ipv6 = NULL;
    if (o->ipv6 && mdc_sk_ipv6_canon(o->ipv6, strlen(o->ipv6), s->ipv6_cfg) == 0)
        s->o.ipv6 = s->ipv6_cfg;
    mdc_sk_rx_init(&s->rx);
    s->module = o->module;
    s->side = mdc_brt_module_has_side(o->module);
    s->channel = s->panid = -1;
    return s;
}

int mdc_brt_session_open(const mdc_brt_opts *o, mdc_brt_session **out, mdc_err *err)
{
    mdc_brt_port *p;
    if (mdc_brt_port_open(o->port, o->baud, &p, err) < 0) return -1;
    mdc_brt_session *s = create(o);
    s->port = p;
    *out = s;
    return 0;
}

mdc_brt_session *mdc_brt_session_from_fd(int fd, const mdc_brt_opts *o)
{
    mdc_brt_session *s = create(o);
    s->port = mdc_brt_port_from_fd(fd);
    return s;
}

void mdc_brt_session_close(mdc_brt_session *s)
{
    if (!s) return;
    mdc_brt_port_close(s->port);
    explicit_bzero(s->password, strlen(s->password));
    free(s->password);
    free(s->rbid);
    free(s->port_path);
    free(s);
}

bool mdc_brt_session_broken(const mdc_brt_session *s)
{
    return s->broken;
}

bool mdc_brt_session_joined(const mdc_brt_session *s)
{
    return s->joined && !s->reauth;
}

uint64_t mdc_brt_session_join_count(const mdc_brt_session *s)
{
    return s->join_count;
}

const mdc_brt_stats *mdc_brt_session_stats(const mdc_brt_session *s)
{
    return &s->st;
}

void mdc_brt_session_info(const mdc_brt_session *s, mdc_brt_info *out)
{
    memset(out, 0, sizeof *out);
    out->module = s->module;
    snprintf(out->version, sizeof out->version, "%s", s->version);
    out->channel = s->channel;
    out->panid = s->panid;
    snprintf(out->ipv6, sizeof out->ipv6, "%s", s->ipv6);
    snprintf(out->mac, sizeof out->mac, "%s", s->mac);
}

/* Session state changes that any item can bring, whatever is being waited for. */
static void note(mdc_brt_session *s, const brt_item *it)
{
    if (it->type == MDC_SK_ITEM_NOISE) return;
    if (it->type != MDC_SK_ITEM_LINE || it->line.kind != MDC_SK_EVENT) return;
    switch (it->line.code) {
    case MDC_SK_EV_EXPIRED:
        s->reauth = true;
        s->st.expiries++;
        break;
    case MDC_SK_EV_PANA_OK:
        s->joined = true;
        s->reauth = false;
        break;
    case MDC_SK_EV_PANA_FAIL:
        if (s->reauth) s->joined = s->reauth = false;
        break;
    case MDC_SK_EV_TERM_REQ:
    case MDC_SK_EV_TERM_OK:
    case MDC_SK_EV_TERM_TIMEOUT:
        s->joined = s->reauth = false;
        break;
    case MDC_SK_EV_TX_LIMIT:
        s->tx_limited = true;
        break;
    case MDC_SK_EV_TX_OK:
        s->tx_limited = false;
        break;
    }
}

/* ---- the line trace (core/trace.h), with SKSETPWD's argument masked ---- */

static const char setpwd[] = "SKSETPWD";

/* Traces data[0, n); a SKSETPWD command (sent, or echoed back by a module whose echo could not
 * be switched off) shows the command only: its argument is the password. */
static void trace_line(const mdc_brt_session *s, const char *dir, const char *data, size_t n)
{
    if (!mdc_trace_enabled()) return;
    const char *pw = memmem(data, n, setpwd, sizeof setpwd - 1);
    if (pw) {
        strbuf masked = STRBUF_INIT;
        sb_append(&masked, data, (size_t)(pw - data) + sizeof setpwd - 1);
        sb_puts(&masked, " ********");
        mdc_trace_bytes(s->port_path, dir, masked.buf, masked.len);
        sb_free(&masked);
        return;
    }
    mdc_trace_bytes(s->port_path, dir, data, n);
}

static void trace_item(const mdc_brt_session *s, const mdc_sk_item *raw)
{
    if (!mdc_trace_enabled()) return;
    if (raw->type != MDC_SK_ITEM_UDP) {
        trace_line(s, raw->type == MDC_SK_ITEM_NOISE ? "recv (noise)" : "recv", raw->line,
                   raw->len);
        return;
    }
    const mdc_sk_erxudp *u = raw->udp;
    strbuf t = STRBUF_INIT;
    sb_printf(&t, "ERXUDP %s %s %04X %04X %s %s%zu bytes: ", u->sender, u->dest, u->rport, u->lport,
              u->senderlla, u->secured ? "secured " : "", u->len);
    for (size_t i = 0; i < u->len; i++)
        sb_printf(&t, "%02X", u->data[i]);
    mdc_trace_bytes(s->port_path, "recv", t.buf, t.len);
    sb_free(&t);
}

static void to_item(const mdc_sk_item *raw, brt_item *it)
{
    it->type = raw->type;
    it->udp = raw->udp;
    if (raw->type == MDC_SK_ITEM_LINE)
        mdc_sk_line_parse(raw->line, raw->len, &it->line);
    else
        memset(&it->line, 0, sizeof it->line);
}

/* Dispatches complete items: 1 done, 0 none left, -1 failed. */
static int dispatch(mdc_brt_session *s, brt_want want, void *ctx, mdc_err *err)
{
    mdc_sk_item raw;
    while (mdc_sk_rx_next(&s->rx, &raw)) {
        brt_item it;
        if (raw.type == MDC_SK_ITEM_NOISE) s->st.noise_bytes += raw.len;
        trace_item(s, &raw);
        to_item(&raw, &it);
        note(s, &it);
        int rc = want ? want(s, &it, ctx, err) : 0;
        if (rc) return rc;
    }
    return 0;
}

static int read_more(mdc_brt_session *s, int64_t deadline_us, mdc_err *err)
{
    char buf[2048];
    size_t cap = mdc_sk_rx_space(&s->rx);
    if (cap > sizeof buf) cap = sizeof buf;
    ssize_t n = mdc_brt_port_read(s->port, buf, cap, deadline_us, err);
    if (n < 0) {
        s->broken = true;
        return mdc_err_prefix(err, "%s", s->port_path);
    }
    s->st.rx_bytes += (uint64_t)n;
    mdc_sk_rx_feed(&s->rx, buf, (size_t)n);
    return 0;
}

int brt_wait(mdc_brt_session *s, int64_t deadline_us, brt_want want, void *ctx, const char *what,
             mdc_err *err)
{
    int64_t start = mdc_mono_us();
    for (;;) {
        int rc = dispatch(s, want, ctx, err);
        if (rc) return rc < 0 ? -1 : 0;
        if (mdc_mono_us() >= deadline_us)
            return mdc_err_set(err, MDC_ETIMEOUT, "no %s within %.1f s", what,
                               (double)(deadline_us - start) / 1e6);
        if (read_more(s, deadline_us, err) < 0) return -1;
    }
}

int brt_pump(mdc_brt_session *s, mdc_err *err)
{
    for (;;) {
        if (dispatch(s, NULL, NULL, err) < 0) return -1;
        char buf[2048];
        size_t cap = mdc_sk_rx_space(&s->rx);
        if (cap > sizeof buf) cap = sizeof buf;
        ssize_t n = mdc_brt_port_read(s->port, buf, cap, 0, err);
        if (n < 0) {
            s->broken = true;
            return mdc_err_prefix(err, "%s", s->port_path);
        }
        if (n == 0) return 0;
        s->st.rx_bytes += (uint64_t)n;
        mdc_sk_rx_feed(&s->rx, buf, (size_t)n);
    }
}

int brt_send(mdc_brt_session *s, const void *data, size_t n, mdc_err *err)
{
    trace_line(s, "send", data, n);
    int64_t deadline = mdc_mono_us() + mdc_brt_wire_us(s->o.baud, n) + MDC_US_PER_SEC;
    if (mdc_brt_port_write(s->port, data, n, deadline, err) < 0) {
        s->broken = true;
        return mdc_err_prefix(err, "%s", s->port_path);
    }
    s->st.tx_bytes += n;
    return 0;
}

int64_t brt_cmd_deadline(const mdc_brt_session *s, size_t n)
{
    /* the command, and a few lines of answer, cross the line */
    return mdc_mono_us() + s->o.cmd_timeout_us + mdc_brt_wire_us(s->o.baud, n + 256);
}

typedef struct cmd_ctx {
    const char *name;
    brt_want data;
    void *ctx;
    int fail;
} cmd_ctx;

static int cmd_want(mdc_brt_session *s, const brt_item *it, void *p, mdc_err *err)
{
    cmd_ctx *c = p;
    if (it->type == MDC_SK_ITEM_LINE && it->line.kind == MDC_SK_OK) return 1;
    if (it->type == MDC_SK_ITEM_LINE && it->line.kind == MDC_SK_FAIL) {
        c->fail = it->line.code;
        return mdc_err_set(err, MDC_EDEVICE, "%s: FAIL ER%02d (%s)", c->name, it->line.code,
                           mdc_sk_fail_name(it->line.code));
    }
    return c->data ? c->data(s, it, c->ctx, err) : 0;
}

int brt_command(mdc_brt_session *s, const char *cmd, const char *name, brt_want data, void *ctx,
                int *fail_code, mdc_err *err)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s\r\n", cmd);
    if (n < 0 || (size_t)n >= sizeof line)
        return mdc_err_set(err, MDC_EINVAL, "%s: command too long", name);
    cmd_ctx c = {.name = name, .data = data, .ctx = ctx, .fail = 0};
    if (fail_code) *fail_code = 0;
    if (brt_send(s, line, (size_t)n, err) < 0) return -1;
    char what[64];
    snprintf(what, sizeof what, "answer to %s", name);
    explicit_bzero(line, sizeof line);
    int rc = brt_wait(s, brt_cmd_deadline(s, (size_t)n), cmd_want, &c, what, err);
    if (rc < 0 && fail_code) *fail_code = c.fail;
    if (rc < 0 && err && err->code == MDC_ETIMEOUT) {
        s->broken = true; /* a module that does not answer a local command needs a reset */
        mdc_err_prefix(err, "%s", s->port_path);
        size_t l = strlen(err->msg);
        snprintf(err->msg + l, sizeof err->msg - l,
                 " (is a Wi-SUN module on this port, at %d baud?)", s->o.baud);
    }
    return rc;
}
