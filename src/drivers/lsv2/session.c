/* SPDX-License-Identifier: Apache-2.0 */
/* session.c — LSV2 over TCP: bounded connect, exact telegram reads with a deadline, the
 * opening sequence and lazy logins. Run info and PLC reads are in session_calls.c. */
#include "session_internal.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_SKIPPED_MCC  16
#define CLOSE_TIMEOUT_US 500000

/* ---- errors ---- */

int lsv2_fail(lsv2_session *s, lsv2_health h, mdc_err *err, int code, const char *what,
              const char *fmt, ...)
{
    if (h != LSV2_OK) s->health = h;
    char msg[MDC_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mdc_err_set(err, code, "%s: %s: %s", s->peer, what, msg);
}

/* ---- socket I/O with a deadline ---- */

static int ms_left(int64_t deadline)
{
    int64_t left = deadline - mdc_mono_us();
    if (left <= 0) return 0;
    return (int)((left + 999) / 1000);
}

/* 1 ready, 0 timed out, -1 error (errno). */
static int wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int ms = ms_left(deadline);
        if (ms == 0) return 0;
        int r = poll(&p, 1, ms);
        if (r > 0) return 1;
        if (r < 0 && errno != EINTR) return -1;
    }
}

static long timeout_ms(const lsv2_session *s)
{
    return (long)(s->cfg.timeout_us / 1000);
}

static int send_all(lsv2_session *s, const uint8_t *buf, size_t n, int64_t deadline,
                    const char *what, mdc_err *err)
{
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(s->fd, buf + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(s->fd, POLLOUT, deadline);
            if (r > 0) continue;
            if (r == 0)
                return lsv2_fail(s, LSV2_BROKEN_TIMEOUT, err, MDC_ETIMEOUT, what,
                                 "could not send within %ld ms", timeout_ms(s));
        }
        bool closed = errno == EPIPE || errno == ECONNRESET;
        return lsv2_fail(s, closed ? LSV2_BROKEN_CLOSED : LSV2_BROKEN_IO, err, MDC_EIO, what,
                         "send: %s", strerror(errno));
    }
    return 0;
}

/* Reads exactly n bytes; `part` names them in messages ("header", "payload"). */
static int recv_exact(lsv2_session *s, uint8_t *buf, size_t n, int64_t deadline, const char *what,
                      const char *part, mdc_err *err)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = recv(s->fd, buf + got, n - got, 0);
        if (r > 0) {
            got += (size_t)r;
            continue;
        }
        if (r == 0) {
            if (got == 0 && strcmp(part, "header") == 0)
                return lsv2_fail(s, LSV2_BROKEN_CLOSED, err, MDC_EIO, what,
                                 "connection closed by the control before the reply");
            return lsv2_fail(s, LSV2_BROKEN_CLOSED, err, MDC_EIO, what,
                             "connection closed by the control after %zu of %zu %s bytes", got, n,
                             part);
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int w = wait_fd(s->fd, POLLIN, deadline);
            if (w > 0) continue;
            if (w == 0) {
                if (got == 0 && strcmp(part, "header") == 0)
                    return lsv2_fail(s, LSV2_BROKEN_TIMEOUT, err, MDC_ETIMEOUT, what,
                                     "no reply within %ld ms", timeout_ms(s));
                return lsv2_fail(s, LSV2_BROKEN_TIMEOUT, err, MDC_ETIMEOUT, what,
                                 "reply incomplete after %ld ms (%zu of %zu %s bytes)",
                                 timeout_ms(s), got, n, part);
            }
        }
        bool closed = errno == ECONNRESET;
        return lsv2_fail(s, closed ? LSV2_BROKEN_CLOSED : LSV2_BROKEN_IO, err, MDC_EIO, what,
                         "recv: %s", strerror(errno));
    }
    return 0;
}

static int read_telegram(lsv2_session *s, int64_t deadline, const char *what, lsv2_telegram *t,
                         mdc_err *err)
{
    uint8_t hdr[LSV2_HEADER_LEN];
    uint32_t len;
    mdc_err e;
    if (recv_exact(s, hdr, sizeof hdr, deadline, what, "header", err) < 0) return -1;
    if (lsv2_decode_header(hdr, LSV2_MAX_PAYLOAD, t->code, &len, &e) < 0)
        return lsv2_fail(s, LSV2_BROKEN_PROTO, err, MDC_EPROTO, what, "%s", e.msg);
    if (len > s->rcap) {
        s->rbuf = xrealloc(s->rbuf, len);
        s->rcap = len;
    }
    if (len && recv_exact(s, s->rbuf, len, deadline, what, "payload", err) < 0) return -1;
    t->payload = s->rbuf;
    t->len = len;
    return 0;
}

/* ---- exchange ---- */

int lsv2_exchange(lsv2_session *s, const lsv2_req *req, const char *expect, lsv2_telegram *reply,
                  mdc_err *err)
{
    s->last_error = (lsv2_error){.type = 0, .code = -1, .len = 0};
    if (s->health != LSV2_OK)
        return mdc_err_set(err, MDC_ESTATE, "%s: %s: the connection is broken", s->peer, req->what);
    mdc_err e;
    long n = lsv2_encode_req(req, s->wbuf, sizeof s->wbuf, &e);
    if (n < 0) return lsv2_fail(s, LSV2_OK, err, MDC_EINVAL, req->what, "%s", e.msg);
    if (n > s->buffer)
        return lsv2_fail(s, LSV2_OK, err, MDC_EINVAL, req->what,
                         "request of %ld bytes exceeds the buffer of %d", n, s->buffer);
    int64_t deadline = mdc_mono_us() + s->cfg.timeout_us;
    if (send_all(s, s->wbuf, (size_t)n, deadline, req->what, err) < 0) return -1;
    s->telegrams++;
    for (int skipped = 0;; skipped++) {
        if (read_telegram(s, deadline, req->what, reply, err) < 0) return -1;
        if (!lsv2_is_code(reply, "M_CC") || skipped == MAX_SKIPPED_MCC) break;
    }
    if (lsv2_is_code(reply, "T_ER") || lsv2_is_code(reply, "T_BD")) {
        lsv2_parse_error(reply->payload, reply->len, &s->last_error);
        char d[200];
        lsv2_error_describe(&s->last_error, d, sizeof d);
        return lsv2_fail(s, LSV2_OK, err, MDC_EDEVICE, req->what, "%s", d);
    }
    if (!lsv2_is_code(reply, expect))
        return lsv2_fail(s, LSV2_BROKEN_PROTO, err, MDC_EPROTO, req->what,
                         "unexpected reply %s with %zu payload bytes (expected %s or T_ER)",
                         reply->code, reply->len, expect);
    return 0;
}

const lsv2_error *lsv2_last_error(const lsv2_session *s)
{
    return &s->last_error;
}

/* ---- logins ---- */

static bool logged_in(const lsv2_session *s, const char *name)
{
    for (int i = 0; i < s->nlogins; i++)
        if (strcmp(s->logins[i], name) == 0) return true;
    return false;
}

static const char *login_hint(const char *name, int code)
{
    if (code == LSV2_ERR_BAD_KEY) return "; check the password";
    if (strcmp(name, LSV2_LOGIN_DNC) == 0)
        return "; R_RI needs the DNC option and external access allowed in MOD";
    if (strcmp(name, LSV2_LOGIN_PLCDEBUG) == 0)
        return "; PLC memory may need a password (plc_password)";
    return "";
}

int lsv2_login(lsv2_session *s, const char *name, const char *password, mdc_err *err)
{
    if (logged_in(s, name)) return 0;
    if (strcmp(s->refused, name) == 0 && mdc_mono_us() - s->refused_at_us < LSV2_REFUSAL_HOLD_US) {
        if (err) *err = s->refusal; /* asked recently: the answer will not have changed */
        return -1;
    }
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e = {0};
    if (lsv2_req_login(&req, name, password, err) < 0) return -1;
    if (lsv2_exchange(s, &req, "T_OK", &t, &e) == 0) {
        if (s->nlogins < LSV2_MAX_LOGINS)
            snprintf(s->logins[s->nlogins++], sizeof s->logins[0], "%s", name);
        return 0;
    }
    if (e.code != MDC_EDEVICE) {
        if (err) *err = e;
        return -1;
    }
    char d[200];
    lsv2_error_describe(&s->last_error, d, sizeof d);
    mdc_err_set(&s->refusal, MDC_EAUTH, "%s login refused by the control: %s (%s to %s)%s", name, d,
                req.what, s->peer, login_hint(name, s->last_error.code));
    if (strcmp(name, LSV2_LOGIN_PLCDEBUG) == 0) { /* see session.h */
        snprintf(s->refused, sizeof s->refused, "%s", name);
        s->refused_at_us = mdc_mono_us();
    }
    if (err) *err = s->refusal;
    return -1;
}

/* ---- connect and the opening sequence ---- */

static int connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out, int *why)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return (*why = errno, -1);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        *why = errno;
        close(fd);
        return -1;
    }
    int r = wait_fd(fd, POLLOUT, deadline);
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (r <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
        *why = r == 0 ? ETIMEDOUT : soerr ? soerr : errno;
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return 0;
}

static int tcp_connect(lsv2_session *s, mdc_err *err)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res;
    char port[16];
    snprintf(port, sizeof port, "%d", s->cfg.port);
    int rc = getaddrinfo(s->host, port, &hints, &res);
    if (rc != 0)
        return mdc_err_set(err, MDC_EIO, "%s: cannot resolve the host: %s", s->peer,
                           gai_strerror(rc));
    int64_t deadline = mdc_mono_us() + s->cfg.connect_timeout_us;
    int why = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
        if (connect_one(ai, deadline, &s->fd, &why) == 0) break;
    freeaddrinfo(res);
    if (s->fd >= 0) return 0;
    if (why == ETIMEDOUT)
        return mdc_err_set(err, MDC_ETIMEOUT, "%s: connect: no answer within %lld ms", s->peer,
                           (long long)(s->cfg.connect_timeout_us / 1000));
    return mdc_err_set(err, MDC_EIO, "%s: connect: %s", s->peer, strerror(why));
}

static int read_version(lsv2_session *s, mdc_err *err)
{
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e;
    lsv2_req_version(&req, 0);
    if (lsv2_exchange(s, &req, "S_VR", &t, err) < 0) return -1;
    if (lsv2_parse_version(t.payload, t.len, &s->version, &e) < 0)
        return lsv2_fail(s, LSV2_BROKEN_PROTO, err, MDC_EPROTO, req.what, "%s", e.msg);
    return 0;
}

static int read_params(lsv2_session *s, mdc_err *err)
{
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e;
    lsv2_req_params(&req);
    if (lsv2_exchange(s, &req, "S_PR", &t, err) < 0) return -1;
    if (lsv2_parse_params(t.payload, t.len, &s->params, &e) < 0)
        return lsv2_fail(s, LSV2_BROKEN_PROTO, err, MDC_EPROTO, req.what, "%s", e.msg);
    return 0;
}

/* C_CC SET_BUFxxxx when the control offers more than 256 bytes. A refusal keeps 256. */
static int negotiate_buffer(lsv2_session *s, mdc_err *err)
{
    int size = lsv2_pick_buffer(s->params.max_block_length, s->cfg.max_buffer);
    if (size <= LSV2_BUFFER_DEFAULT) return 0;
    lsv2_req req;
    lsv2_telegram t;
    mdc_err e = {0};
    lsv2_req_ccc(&req, (uint16_t)lsv2_buffer_code(size));
    if (lsv2_exchange(s, &req, "T_OK", &t, &e) == 0) {
        s->buffer = size;
        return 0;
    }
    if (e.code == MDC_EDEVICE) return 0; /* refused: stay at 256 */
    if (err) *err = e;
    return -1;
}

static char *dup_opt(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static void wipe_free(char *s)
{
    if (!s) return;
    explicit_bzero(s, strlen(s));
    free(s);
}

static void session_free(lsv2_session *s)
{
    if (s->fd >= 0) close(s->fd);
    free(s->host);
    wipe_free(s->dnc_password);
    wipe_free(s->plc_password);
    free(s->rbuf);
    free(s);
}

int lsv2_open(const lsv2_session_cfg *cfg, lsv2_session **out, mdc_err *err)
{
    lsv2_session *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->host = xstrdup(cfg->host);
    s->dnc_password = dup_opt(cfg->dnc_password);
    s->plc_password = dup_opt(cfg->plc_password);
    s->cfg.host = s->host;
    s->cfg.dnc_password = s->dnc_password;
    s->cfg.plc_password = s->plc_password;
    if (s->cfg.max_buffer <= 0) s->cfg.max_buffer = LSV2_BUFFER_MAX;
    s->fd = -1;
    s->buffer = LSV2_BUFFER_DEFAULT;
    s->last_error.code = -1;
    snprintf(s->peer, sizeof s->peer, strchr(s->host, ':') ? "[%s]:%d" : "%s:%d", s->host,
             s->cfg.port);
    if (tcp_connect(s, err) < 0 || lsv2_login(s, LSV2_LOGIN_INSPECT, NULL, err) < 0 ||
        read_version(s, err) < 0 || read_params(s, err) < 0 || negotiate_buffer(s, err) < 0) {
        session_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void lsv2_close(lsv2_session *s)
{
    if (!s) return;
    if (s->fd >= 0 && s->health == LSV2_OK) {
        lsv2_req req;
        lsv2_telegram t;
        lsv2_req_logout(&req, NULL, NULL);
        if (s->cfg.timeout_us > CLOSE_TIMEOUT_US) s->cfg.timeout_us = CLOSE_TIMEOUT_US;
        lsv2_exchange(s, &req, "T_OK", &t, NULL);
    }
    session_free(s);
}

lsv2_health lsv2_health_of(const lsv2_session *s)
{
    return s->health;
}

const char *lsv2_peer(const lsv2_session *s)
{
    return s->peer;
}

const lsv2_version *lsv2_version_info(const lsv2_session *s)
{
    return &s->version;
}

const lsv2_params *lsv2_params_info(const lsv2_session *s)
{
    return &s->params;
}

int lsv2_buffer_size(const lsv2_session *s)
{
    return s->buffer;
}

uint64_t lsv2_telegrams(const lsv2_session *s)
{
    return s->telegrams;
}
