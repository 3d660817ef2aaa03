/* SPDX-License-Identifier: Apache-2.0 */
/* request.c — one ECHONET Lite transaction over SKSENDTO / ERXUDP. */
#include "session_internal.h"

#include "core/clock.h"

#include <stdio.h>
#include <string.h>

typedef struct req_ctx {
    const mdc_el_frame *req;
    mdc_el_frame *res;
    uint8_t *buf;
    bool waiting_ok; /* phase 1: until the module's OK or FAIL for SKSENDTO */
    bool ok_seen, failed, matched, retry;
    bool pana_ok; /* EVENT 25 during this attempt */
    mdc_err why;  /* why a retransmission is needed */
} req_ctx;

/* "Get E0 E7 E8 EA" for messages. */
static void describe(const mdc_el_frame *f, char *out, size_t n)
{
    char esv[16];
    size_t l = (size_t)snprintf(out, n, "%s", mdc_el_esv_name(f->esv, esv, sizeof esv));
    for (unsigned i = 0; i < f->opc && l < n; i++)
        l += (size_t)snprintf(out + l, n - l, " %02X", f->props[i].epc);
}

static bool from_meter(const mdc_brt_session *s, const mdc_sk_erxudp *u)
{
    char ip[MDC_SK_IPV6_LEN + 1];
    return u->rport == MDC_SK_PORT_ECHONET && u->lport == MDC_SK_PORT_ECHONET &&
           mdc_sk_ipv6_canon(u->sender, strlen(u->sender), ip) == 0 && strcmp(ip, s->ipv6) == 0;
}

/* 1 when the reception is the response, 0 to ignore it. */
static int take_reply(mdc_brt_session *s, req_ctx *c, const mdc_sk_erxudp *u)
{
    mdc_el_frame f;
    mdc_err e;
    if (!from_meter(s, u) || mdc_el_decode(u->data, u->len, &f, &e) < 0) {
        s->st.ignored_udp++;
        return 0;
    }
    if (f.tid != c->req->tid) { /* a late or repeated reply to an earlier request */
        if (f.esv == MDC_EL_SET_RES || f.esv == MDC_EL_GET_RES || mdc_el_is_sna(f.esv))
            s->st.stale_replies++;
        else
            s->st.ignored_udp++;
        return 0;
    }
    if (mdc_el_match(c->req, &f, &e) < 0) {
        s->st.ignored_udp++;
        return 0;
    }
    memcpy(c->buf, u->data, u->len);
    return mdc_el_decode(c->buf, u->len, c->res, &e) == 0;
}

/* Marks the attempt for retransmission. Before the module has answered the SKSENDTO itself,
 * keep waiting for that answer, so that it is never taken for the next command's. */
static int retry(req_ctx *c, int code, const char *fmt, const char *arg)
{
    c->retry = true;
    mdc_err_set(&c->why, code, fmt, arg);
    return c->waiting_ok ? 0 : 1;
}

static int event_want(mdc_brt_session *s, req_ctx *c, const mdc_sk_line *l)
{
    if (l->code == MDC_SK_EV_PANA_OK) c->pana_ok = true;
    if (l->code == MDC_SK_EV_UDP_SENT && l->param == 1)
        return retry(c, MDC_EDEVICE, "%s", "the module could not send the request (EVENT 21 01)");
    if (l->code == MDC_SK_EV_EXPIRED)
        return retry(c, MDC_EDEVICE, "%s", "the PANA session expired (EVENT 29)");
    if (!s->joined)
        return retry(c, MDC_EDEVICE, "the PANA session ended (EVENT %s)",
                     l->code == MDC_SK_EV_PANA_FAIL ? "24" : "26/27/28");
    return 0;
}

static int req_want(mdc_brt_session *s, const brt_item *it, void *p, mdc_err *err)
{
    (void)err;
    req_ctx *c = p;
    if (it->type == MDC_SK_ITEM_UDP) {
        if (!c->matched) c->matched = take_reply(s, c, it->udp) == 1;
        return c->matched && !c->waiting_ok;
    }
    if (it->type != MDC_SK_ITEM_LINE) return 0;
    const mdc_sk_line *l = &it->line;
    if (l->kind == MDC_SK_OK && !c->ok_seen) {
        c->ok_seen = true;
        return c->waiting_ok;
    }
    if (l->kind == MDC_SK_FAIL && c->waiting_ok) {
        char code[64];
        snprintf(code, sizeof code, "FAIL ER%02d (%s)", l->code, mdc_sk_fail_name(l->code));
        /* ER10: no session to send with, unless one came up meanwhile */
        if (l->code == 10 && !s->reauth && !c->pana_ok) s->joined = false;
        c->failed = true;
        retry(c, MDC_EDEVICE, "SKSENDTO: %s", code);
        return 1;
    }
    if (l->kind == MDC_SK_EVENT) return event_want(s, c, l);
    return 0;
}

/* Waits for the module's EVENT 33 after an EVENT 32. */
static int tx_ok_want(mdc_brt_session *s, const brt_item *it, void *ctx, mdc_err *err)
{
    (void)it;
    (void)ctx;
    (void)err;
    return !s->tx_limited;
}

static int transmit(mdc_brt_session *s, mdc_el_frame *req, mdc_err *err)
{
    uint8_t frame[MDC_EL_FRAME_MAX];
    char hdr[128];
    s->tid = (uint16_t)(s->tid + 1);
    req->tid = s->tid;
    size_t n = mdc_el_encode(req, frame, sizeof frame);
    if (n == 0) return mdc_err_set(err, MDC_EINVAL, "ECHONET Lite request too large");
    size_t h = mdc_sk_cmd_sendto(hdr, sizeof hdr, s->ipv6, MDC_SK_PORT_ECHONET, s->side, n);
    uint8_t out[sizeof hdr + MDC_EL_FRAME_MAX];
    memcpy(out, hdr, h);
    memcpy(out + h, frame, n);
    s->st.transmissions++;
    return brt_send(s, out, h + n, err);
}

/* One transmission: 0 answered, 1 retransmit (c->why), -1 failed. */
static int attempt(mdc_brt_session *s, req_ctx *c, mdc_el_frame *req, mdc_err *err)
{
    if (mdc_brt_session_ensure(s, err) < 0) return -1;
    if (s->tx_limited && brt_wait(s, mdc_mono_us() + s->o.timeout_us, tx_ok_want, NULL,
                                  "end of the transmission-time limit (EVENT 33)", err) < 0)
        return -1;
    c->ok_seen = c->failed = c->matched = c->retry = c->pana_ok = false;
    c->waiting_ok = true;
    if (transmit(s, req, err) < 0) return -1;
    /* OK comes once the radio has sent (after EVENT 21): allow the whole reply time */
    int64_t reply_deadline = mdc_mono_us() + s->o.timeout_us;
    int64_t ok_deadline = brt_cmd_deadline(s, 256);
    if (ok_deadline < reply_deadline) ok_deadline = reply_deadline;
    if (brt_wait(s, ok_deadline, req_want, c, "answer to SKSENDTO", err) < 0) {
        if (err->code == MDC_ETIMEOUT) s->broken = true;
        return -1;
    }
    c->waiting_ok = false;
    if (c->matched && !c->failed) return 0;
    if (c->retry) return 1;
    if (brt_wait(s, reply_deadline, req_want, c, "reply from the meter", err) < 0) {
        if (err->code != MDC_ETIMEOUT) return -1;
        mdc_err_set(&c->why, MDC_ETIMEOUT, "no reply from the meter within %.1f s",
                    (double)s->o.timeout_us / 1e6);
        return 1;
    }
    return c->matched ? 0 : 1;
}

int mdc_brt_request(mdc_brt_session *s, mdc_el_frame *req, mdc_el_frame *res, uint8_t *buf,
                    mdc_err *err)
{
    req_ctx c = {.req = req, .res = res, .buf = buf};
    char what[80];
    describe(req, what, sizeof what);
    s->st.requests++;
    for (int t = 0; t < s->o.send_tries; t++) {
        int rc = attempt(s, &c, req, err);
        if (rc == 0) {
            s->unanswered = 0;
            return 0;
        }
        if (rc < 0) return mdc_err_prefix(err, "%s", what);
    }
    /* a session the module thinks is up but the meter no longer answers: join again */
    if (++s->unanswered >= 2) {
        s->unanswered = 0;
        s->joined = false;
    }
    *err = c.why;
    return mdc_err_prefix(err, "%s: no valid reply after %d transmissions; last", what,
                          s->o.send_tries);
}
