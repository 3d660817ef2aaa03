/* SPDX-License-Identifier: Apache-2.0 */
/* tcp.c — Modbus TCP: listeners on one or many ports, non-blocking connections, MBAP framing. */
#include "../common/net.h"
#include "msim.h"
#include "drivers/modbus/pdu.h"
#include "core/xalloc.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define KIND_LISTEN 1ULL
#define KIND_CONN   2ULL
#define MBAP_MAX    260

typedef struct conn {
    int fd;
    uint32_t gen;
    uint8_t buf[2 * MBAP_MAX];
    size_t len;
} conn;

struct msim_tcp {
    int *lfd;
    int nl;
    int *paused; /* listeners taken out of epoll while out of descriptors */
    int npaused;
    conn **conns; /* by fd */
    size_t nconns;
    uint32_t gen;
};

static uint64_t tag(uint64_t kind, uint64_t v)
{
    return kind << 32 | v;
}

/* Every port with one client needs two descriptors: say so when the limit cannot allow it. */
static void check_nofile(int ports)
{
    int need = ports * 2 + 16;
    sim_raise_nofile(need);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)need)
        fprintf(stderr,
                "mdc-sim modbus: --ports %d: a client on every port needs about %d open files, "
                "but the limit is %llu (hard limit %llu); connections beyond it wait. Run "
                "several simulators with fewer ports each.\n",
                ports, need, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
}

msim_tcp *msim_tcp_open(msim *s)
{
    check_nofile(s->o.ports);
    msim_tcp *t = xcalloc(1, sizeof *t);
    t->lfd = xcalloc((size_t)s->o.ports, sizeof *t->lfd);
    t->paused = xcalloc((size_t)s->o.ports, sizeof *t->paused);
    int first = 0;
    for (int i = 0; i < s->o.ports; i++) {
        int bound;
        int fd = sim_listen_tcp("mdc-sim modbus", s->o.host, s->o.port + i, &bound);
        if (fd < 0) {
            msim_tcp_close(t);
            return NULL;
        }
        if (i == 0) first = bound;
        t->lfd[t->nl++] = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag(KIND_LISTEN, (uint64_t)i)};
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
    }
    if (s->o.ports > 1)
        msim_say("tcp: %s:%d-%d", s->o.host, first, first + s->o.ports - 1);
    else
        msim_say("tcp: %s:%d", s->o.host, first);
    return t;
}

/* A descriptor is free again: listeners paused for lack of one accept again. */
static void resume_listeners(msim *s, msim_tcp *t)
{
    for (int i = 0; i < t->npaused; i++) {
        int k = t->paused[i];
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag(KIND_LISTEN, (uint64_t)k)};
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, t->lfd[k], &ev);
    }
    t->npaused = 0;
}

static void conn_close(msim *s, msim_tcp *t, conn *c)
{
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    msim_outq_drop_fd(&s->outq, c->fd);
    t->conns[c->fd] = NULL;
    close(c->fd);
    free(c);
    resume_listeners(s, t);
}

void msim_tcp_close(msim_tcp *t)
{
    if (!t) return;
    for (int i = 0; i < t->nl; i++)
        close(t->lfd[i]);
    for (size_t i = 0; i < t->nconns; i++) {
        if (t->conns[i]) {
            close(t->conns[i]->fd);
            free(t->conns[i]);
        }
    }
    free(t->conns);
    free(t->lfd);
    free(t->paused);
    free(t);
}

bool msim_tcp_conn_alive(const msim_tcp *t, int fd, uint32_t gen)
{
    return t && fd >= 0 && (size_t)fd < t->nconns && t->conns[fd] && t->conns[fd]->gen == gen;
}

/* Out of descriptors: the listener leaves epoll (it would wake us in a loop) until a
 * connection closes. */
static void pause_listener(msim *s, msim_tcp *t, int k)
{
    static bool said;
    if (!said) fprintf(stderr, "mdc-sim modbus: accept: %s (waiting)\n", strerror(errno));
    said = true;
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, t->lfd[k], NULL);
    t->paused[t->npaused++] = k;
}

static void accept_all(msim *s, msim_tcp *t, int k)
{
    for (;;) {
        int fd = accept4(t->lfd[k], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) pause_listener(s, t, k);
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if ((size_t)fd >= t->nconns) {
            size_t n = (size_t)fd + 64;
            t->conns = xrealloc(t->conns, n * sizeof *t->conns);
            memset(t->conns + t->nconns, 0, (n - t->nconns) * sizeof *t->conns);
            t->nconns = n;
        }
        conn *c = xcalloc(1, sizeof *c);
        c->fd = fd;
        c->gen = ++t->gen;
        t->conns[fd] = c;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP,
                                 .data.u64 = tag(KIND_CONN, (uint64_t)fd)};
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
    }
}

void msim_tcp_send(const msim *s, int fd, const uint8_t *adu, size_t len)
{
    bool cut = s->cut_bytes > 0 && s->cut_bytes < len;
    ssize_t w = send(fd, adu, cut ? s->cut_bytes : len, MSG_NOSIGNAL | MSG_DONTWAIT);
    (void)w;                          /* a client that does not read loses replies */
    if (cut) shutdown(fd, SHUT_RDWR); /* the hang-up closes the connection */
}

static void send_reply(msim *s, conn *c, const uint8_t *adu, size_t len)
{
    int64_t delay = msim_reply_delay(s);
    if (delay <= 0) {
        msim_tcp_send(s, c->fd, adu, len);
        return;
    }
    msim_out out = {.due_us = msim_now_us() + delay, .fd = c->fd, .conn_gen = c->gen, .len = len};
    memcpy(out.data, adu, len);
    msim_outq_push(&s->outq, &out);
    msim_rearm(s);
}

/* Serves every complete MBAP frame in the buffer; false when the stream is not Modbus TCP. */
static bool frames(msim *s, conn *c)
{
    size_t off = 0;
    while (c->len - off >= 7) {
        const uint8_t *h = c->buf + off;
        unsigned proto = (unsigned)h[2] << 8 | h[3], len = (unsigned)h[4] << 8 | h[5];
        if (proto != 0 || len < 2 || len > 254) return false;
        if (c->len - off < 6 + len) break;
        uint8_t reply[7 + MDC_MB_PDU_MAX];
        char what[160];
        size_t plen = msim_serve(s, h[6], h + 7, len - 1, reply + 7, what, sizeof what);
        if (s->o.verbose) msim_say("tcp %s", what);
        if (plen > 0) {
            memcpy(reply, h, 4); /* transaction and protocol ids */
            reply[4] = (uint8_t)((plen + 1) >> 8);
            reply[5] = (uint8_t)((plen + 1) & 0xFF);
            reply[6] = h[6];
            send_reply(s, c, reply, 7 + plen);
        }
        off += 6 + len;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    return true;
}

static void readable(msim *s, msim_tcp *t, conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n <= 0) {
            conn_close(s, t, c);
            return;
        }
        c->len += (size_t)n;
        if (!frames(s, c)) {
            conn_close(s, t, c);
            return;
        }
    }
}

bool msim_tcp_event(msim *s, msim_tcp *t, uint64_t tg, uint32_t events)
{
    uint64_t kind = tg >> 32, v = tg & 0xFFFFFFFFULL;
    if (!t || (kind != KIND_LISTEN && kind != KIND_CONN)) return false;
    if (kind == KIND_LISTEN) {
        accept_all(s, t, (int)v);
        return true;
    }
    conn *c = v < t->nconns ? t->conns[v] : NULL;
    if (!c) return true;
    if (events & EPOLLIN)
        readable(s, t, c);
    else if (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP))
        conn_close(s, t, c);
    return true;
}
