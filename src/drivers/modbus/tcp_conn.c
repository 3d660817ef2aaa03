/* SPDX-License-Identifier: Apache-2.0 */
/* tcp_conn.c — see tcp_conn.h. States: closed → connecting → open → closed. */
#include "tcp_conn.h"
#include "pdu.h"
#include "serial.h"
#include "core/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

enum { CLOSED, CONNECTING, OPEN };

typedef struct txn_queue {
    mdc_mb_txn *head, *tail;
} txn_queue;

struct mdc_mb_conn {
    char *host;
    int port;
    int max_out;
    int fd;
    int state;
    int64_t connect_deadline;
    txn_queue normal, low; /* waiting to be sent */
    mdc_mb_txn **out;      /* on the wire: max_out slots (a fleet keeps thousands of connections) */
    int nout;
    uint16_t next_tid;
    uint8_t *wbuf; /* requests not yet written: room for two windows */
    size_t wlen, woff, wcap;
    mdc_mb_mbap_rx rx;
    int64_t last_rx_us;
    uint64_t discarded;
    uint64_t generation;      /* sockets opened */
    unsigned silent_timeouts; /* reply timeouts in a row with nothing received meanwhile */
    int depth; /* > 0 while inside submit/run: completions may submit, but not recurse */
};

static void pump(mdc_mb_conn *c, int64_t now);

int mdc_mb_conn_new(const char *host, int port, int max_outstanding, mdc_mb_conn **out,
                    mdc_err *err)
{
    if (max_outstanding < 1 || max_outstanding > MDC_MB_CONN_MAX_OUTSTANDING)
        return mdc_err_set(err, MDC_EINVAL, "outstanding requests must be 1..%d",
                           MDC_MB_CONN_MAX_OUTSTANDING);
    if (port < 1 || port > 65535)
        return mdc_err_set(err, MDC_EINVAL, "TCP port must be 1..65535 (got %d)", port);
    mdc_mb_conn *c = xcalloc(1, sizeof *c);
    c->host = xstrdup(host);
    c->port = port;
    c->max_out = max_outstanding;
    c->fd = -1;
    c->next_tid = 1;
    c->out = xcalloc((size_t)max_outstanding, sizeof *c->out);
    c->wcap = 2 * (size_t)max_outstanding * MDC_MB_MBAP_REQUEST;
    c->wbuf = xcalloc(c->wcap, 1);
    mdc_mb_mbap_rx_reset(&c->rx);
    *out = c;
    return 0;
}

void mdc_mb_conn_free(mdc_mb_conn *c)
{
    if (!c) return;
    if (c->fd >= 0) close(c->fd);
    free(c->host);
    free(c->out);
    free(c->wbuf);
    free(c);
}

int mdc_mb_conn_fd(const mdc_mb_conn *c)
{
    return c->fd;
}

uint64_t mdc_mb_conn_generation(const mdc_mb_conn *c)
{
    return c->generation;
}

bool mdc_mb_conn_is_open(const mdc_mb_conn *c)
{
    return c->state == OPEN;
}

uint64_t mdc_mb_conn_discarded(const mdc_mb_conn *c)
{
    return c->discarded;
}

/* ---- queues ---- */

static void q_push(txn_queue *q, mdc_mb_txn *t)
{
    t->next = NULL;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static mdc_mb_txn *q_pop(txn_queue *q)
{
    mdc_mb_txn *t = q->head;
    if (t) {
        q->head = t->next;
        if (!q->head) q->tail = NULL;
        t->next = NULL;
    }
    return t;
}

static size_t q_len(const txn_queue *q)
{
    size_t n = 0;
    for (const mdc_mb_txn *t = q->head; t; t = t->next)
        n++;
    return n;
}

size_t mdc_mb_conn_pending(const mdc_mb_conn *c)
{
    return q_len(&c->normal) + q_len(&c->low) + (size_t)c->nout;
}

static mdc_mb_txn *first_waiting(const mdc_mb_conn *c)
{
    return c->normal.head ? c->normal.head : c->low.head;
}

int64_t mdc_mb_conn_deadline(const mdc_mb_conn *c)
{
    if (c->state == CONNECTING) return c->connect_deadline;
    int64_t d = INT64_MAX;
    for (int i = 0; i < c->nout; i++)
        if (c->out[i]->deadline_us < d) d = c->out[i]->deadline_us;
    return d;
}

/* ---- completion ---- */

/* Calls t's done(); errors name the request, or the endpoint when it could not be reached:
 * "unit 1 FC4 addr 0 count 2: timeout after 500 ms", "127.0.0.1:502: connection refused". */
static void complete(const mdc_mb_conn *c, mdc_mb_txn *t, int rc, const mdc_err *why)
{
    if (rc == MDC_MB_TXN_OK) {
        t->done(t, rc, NULL);
        return;
    }
    mdc_err e = *why;
    if (rc == MDC_MB_TXN_NO_CONN && strchr(c->host, ':'))
        mdc_err_prefix(&e, "[%s]:%d", c->host, c->port);
    else if (rc == MDC_MB_TXN_NO_CONN)
        mdc_err_prefix(&e, "%s:%d", c->host, c->port);
    else
        mdc_err_prefix(&e, "unit %u FC%u addr %u count %u", t->unit, t->fc, t->addr, t->count);
    t->done(t, rc, &e);
}

static void remove_out(mdc_mb_conn *c, int i)
{
    c->out[i] = c->out[--c->nout];
}

/* Closes the socket. The transactions on the wire fail with rc/why; those still waiting fail
 * too when the connection could not be opened (MDC_MB_TXN_NO_CONN), and otherwise wait for the
 * next connection (opened at the end of the current call). */
static void fail_all(mdc_mb_conn *c, int rc, const mdc_err *why)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->state = CLOSED;
    c->wlen = c->woff = 0;
    c->silent_timeouts = 0;
    mdc_mb_mbap_rx_reset(&c->rx);
    mdc_mb_txn *done[MDC_MB_CONN_MAX_OUTSTANDING];
    int n = c->nout;
    memcpy(done, c->out, (size_t)n * sizeof *done);
    c->nout = 0;
    txn_queue normal = {0}, low = {0};
    if (rc == MDC_MB_TXN_NO_CONN) {
        normal = c->normal;
        low = c->low;
        c->normal = c->low = (txn_queue){0};
    }
    /* completions may submit again: the connection is consistent (closed) by now */
    for (int i = 0; i < n; i++)
        complete(c, done[i], rc, why);
    for (mdc_mb_txn *t; (t = q_pop(&normal)) || (t = q_pop(&low));)
        complete(c, t, rc, why);
}

static void fail_errno(mdc_mb_conn *c, int rc, const char *what, int e)
{
    mdc_err err;
    char buf[64];
    if (e == ECONNREFUSED)
        mdc_err_set(&err, MDC_EIO, "connection refused");
    else if (e == ECONNRESET)
        mdc_err_set(&err, MDC_EIO, "connection reset by peer");
    else
        mdc_err_set(&err, MDC_EIO, "%s: %s", what, mdc_mb_strerror(e, buf, sizeof buf));
    fail_all(c, rc, &err);
}

/* ---- connecting ---- */

static int resolve(const mdc_mb_conn *c, struct sockaddr_storage *sa, socklen_t *len, mdc_err *err)
{
    memset(sa, 0, sizeof *sa);
    struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
    if (inet_pton(AF_INET, c->host, &v4->sin_addr) == 1) { /* literals need no resolver */
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)c->port);
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, c->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)c->port);
        *len = sizeof *v6;
        return 0;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%d", c->port);
    int rc =
        getaddrinfo(c->host, service, &hints, &res); /* blocks: names resolve once per connect */
    if (rc != 0) return mdc_err_set(err, MDC_EIO, "cannot resolve host: %s", gai_strerror(rc));
    memcpy(sa, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void start_connect(mdc_mb_conn *c, int64_t now)
{
    struct sockaddr_storage sa;
    socklen_t len = 0;
    mdc_err err;
    if (resolve(c, &sa, &len, &err) < 0) {
        fail_all(c, MDC_MB_TXN_NO_CONN, &err);
        return;
    }
    c->fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fail_errno(c, MDC_MB_TXN_NO_CONN, "socket", errno);
        return;
    }
    c->generation++;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->state = CONNECTING;
    c->connect_deadline = now + first_waiting(c)->timeout_us;
    if (connect(c->fd, (struct sockaddr *)&sa, len) == 0) {
        c->state = OPEN;
        c->last_rx_us = 0; /* nothing received on it yet */
    } else if (errno != EINPROGRESS) {
        fail_errno(c, MDC_MB_TXN_NO_CONN, "connect", errno);
    }
}

static void finish_connect(mdc_mb_conn *c)
{
    int e = 0;
    socklen_t l = sizeof e;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0) e = errno;
    if (e != 0) {
        fail_errno(c, MDC_MB_TXN_NO_CONN, "connect", e);
        return;
    }
    c->state = OPEN;
    c->last_rx_us = 0; /* nothing received on it yet */
}

static void connect_timeout(mdc_mb_conn *c)
{
    mdc_err err;
    mdc_mb_txn *t = first_waiting(c);
    mdc_err_set(&err, MDC_ETIMEOUT, "connect timeout after %g ms",
                t ? (double)t->timeout_us / 1000.0 : 0.0);
    fail_all(c, MDC_MB_TXN_NO_CONN, &err);
}

/* ---- sending ---- */

static bool tid_in_use(const mdc_mb_conn *c, uint16_t tid)
{
    for (int i = 0; i < c->nout; i++)
        if (c->out[i]->tid == tid) return true;
    return false;
}

static uint16_t new_tid(mdc_mb_conn *c)
{
    while (tid_in_use(c, c->next_tid))
        c->next_tid++;
    return c->next_tid++;
}

/* Room for one more request in the write buffer (unsent bytes moved to its front). */
static bool write_room(mdc_mb_conn *c)
{
    if (c->woff > 0) {
        memmove(c->wbuf, c->wbuf + c->woff, c->wlen - c->woff);
        c->wlen -= c->woff;
        c->woff = 0;
    }
    return c->wlen + MDC_MB_MBAP_REQUEST <= c->wcap;
}

/* Moves waiting transactions onto the wire buffer while the window allows. */
static void fill_window(mdc_mb_conn *c, int64_t now)
{
    while (c->nout < c->max_out && first_waiting(c)) {
        if (!write_room(c)) { /* requests of timed-out transactions still unsent */
            mdc_err err;
            mdc_err_set(&err, MDC_EIO, "the peer does not read its requests");
            fail_all(c, MDC_MB_TXN_FAILED, &err);
            return;
        }
        mdc_mb_txn *t = c->normal.head ? q_pop(&c->normal) : q_pop(&c->low);
        t->tid = new_tid(c);
        t->discarded = 0;
        t->sent_us = now;
        t->deadline_us = now + t->timeout_us;
        c->out[c->nout++] = t;
        mdc_mb_mbap_read_request(t->tid, t->unit, t->fc, t->addr, t->count, c->wbuf + c->wlen);
        c->wlen += MDC_MB_MBAP_REQUEST;
    }
}

static void flush_writes(mdc_mb_conn *c)
{
    while (c->woff < c->wlen) {
        ssize_t w = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (w > 0) {
            c->woff += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && errno == EAGAIN) {
            return; /* the next EPOLLOUT edge */
        } else {
            fail_errno(c, MDC_MB_TXN_FAILED, "send", w < 0 ? errno : EPIPE);
            return;
        }
    }
    c->wlen = c->woff = 0;
}

/* ---- receiving ---- */

static int find_out(const mdc_mb_conn *c, uint16_t tid)
{
    for (int i = 0; i < c->nout; i++)
        if (c->out[i]->tid == tid) return i;
    return -1;
}

static void on_frame(mdc_mb_conn *c, const mdc_mb_mbap_frame *f)
{
    int i = find_out(c, f->tid);
    if (i < 0) { /* a late reply after its timeout, or a stranger */
        c->discarded++;
        return;
    }
    mdc_mb_txn *t = c->out[i];
    mdc_err err;
    int rc = mdc_mb_mbap_parse_read_reply(f, t->unit, t->fc, t->count, t->out, &err);
    if (rc < 0 && err.code == MDC_EPROTO) { /* cannot be its answer: keep waiting */
        c->discarded++;
        t->discarded++;
        return;
    }
    remove_out(c, i);
    complete(c, t, rc == 0 ? MDC_MB_TXN_OK : MDC_MB_TXN_FAILED, &err);
}

/* Feeds received bytes to the frame receiver; false when the connection was failed. */
static bool consume(mdc_mb_conn *c, const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t used;
        mdc_mb_mbap_frame f;
        mdc_err err;
        int rc = mdc_mb_mbap_rx_feed(&c->rx, p, n, &used, &f, &err);
        if (rc < 0) {
            fail_all(c, MDC_MB_TXN_FAILED, &err);
            return false;
        }
        p += used;
        n -= used;
        if (rc == 1) on_frame(c, &f);
        if (c->state != OPEN) return false;
    }
    return true;
}

static void read_all(mdc_mb_conn *c, int64_t now)
{
    uint8_t buf[4096];
    while (c->state == OPEN) {
        ssize_t r = recv(c->fd, buf, sizeof buf, 0);
        if (r > 0) {
            c->last_rx_us = now;
            c->silent_timeouts = 0;
            if (!consume(c, buf, (size_t)r)) return;
            if ((size_t)r < sizeof buf) return; /* drained (a short read) */
        } else if (r == 0) {
            mdc_err err;
            mdc_err_set(&err, MDC_EIO,
                        c->rx.len ? "connection closed by the peer in the middle of a reply"
                                  : "connection closed by the peer");
            fail_all(c, MDC_MB_TXN_FAILED, &err);
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN) {
            return;
        } else {
            fail_errno(c, MDC_MB_TXN_FAILED, "recv", errno);
        }
    }
}

/* ---- timeouts ---- */

static void reply_timeouts(mdc_mb_conn *c, int64_t now)
{
    for (int i = 0; i < c->nout;) {
        mdc_mb_txn *t = c->out[i];
        if (t->deadline_us > now) {
            i++;
            continue;
        }
        mdc_err err;
        if (t->discarded)
            mdc_err_set(&err, MDC_ETIMEOUT,
                        "timeout after %g ms; discarded %u repl%s that did not answer this "
                        "request",
                        (double)t->timeout_us / 1000.0, t->discarded,
                        t->discarded == 1 ? "y" : "ies");
        else
            mdc_err_set(&err, MDC_ETIMEOUT, "timeout after %g ms", (double)t->timeout_us / 1000.0);
        /* nothing at all came back, again and again: the peer itself is suspect */
        if (c->last_rx_us < t->sent_us && ++c->silent_timeouts >= MDC_MB_CONN_SILENT_MAX) {
            fail_all(c, MDC_MB_TXN_FAILED, &err);
            return;
        }
        remove_out(c, i); /* its late reply, if any, will find no transaction */
        complete(c, t, MDC_MB_TXN_FAILED, &err);
        i = 0;
    }
}

/* ---- driving ---- */

/* Connects, sends, as far as possible without blocking. */
static void pump(mdc_mb_conn *c, int64_t now)
{
    if (c->state == CLOSED && first_waiting(c)) start_connect(c, now);
    if (c->state != OPEN) return;
    fill_window(c, now);
    flush_writes(c);
}

void mdc_mb_conn_submit(mdc_mb_conn *c, mdc_mb_txn *t, int64_t now)
{
    q_push(t->low_priority ? &c->low : &c->normal, t);
    if (c->depth > 0) return; /* inside a completion: run() pumps when it unwinds */
    c->depth++;
    pump(c, now);
    c->depth--;
}

/* A deadline passed: the owner may not have seen the socket's latest events yet (a busy loop
 * turn). Look before declaring a timeout: a reply or a connect that is there counts. */
static uint32_t events_now(const mdc_mb_conn *c)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN | POLLOUT};
    if (poll(&p, 1, 0) != 1) return 0;
    return (p.revents & POLLIN ? EPOLLIN : 0) | (p.revents & POLLOUT ? EPOLLOUT : 0) |
           (p.revents & POLLERR ? EPOLLERR : 0) | (p.revents & POLLHUP ? EPOLLHUP : 0);
}

void mdc_mb_conn_run(mdc_mb_conn *c, uint32_t events, int64_t now)
{
    c->depth++;
    if (events == 0 && c->fd >= 0 && now >= mdc_mb_conn_deadline(c)) events = events_now(c);
    if (c->state == CONNECTING) {
        if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
            finish_connect(c);
        else if (now >= c->connect_deadline)
            connect_timeout(c);
    }
    if (c->state == OPEN) {
        fill_window(c, now); /* just connected: the requests go before any reply is read */
        if (c->state == OPEN) flush_writes(c);
        if (c->state == OPEN && (events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP)))
            read_all(c, now);
        if (c->state == OPEN && (events & EPOLLOUT)) flush_writes(c);
        if (c->state == OPEN) reply_timeouts(c, now);
    }
    pump(c, now);
    c->depth--;
}
