/* SPDX-License-Identifier: Apache-2.0 */
/* net.c — one listener per control, non-blocking connections, LSV2 framing, and the reply
 * queue that implements slow and split replies; dropped connections. */
#include "../common/net.h"
#include "lsim.h"

#include "core/xalloc.h"
#include "drivers/lsv2/telegram.h"

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

#define KIND_LISTEN  1ULL
#define KIND_CONN    2ULL
#define MAX_BUF      (LSV2_HEADER_LEN + LSV2_MAX_PAYLOAD + 4096)
#define SPLIT_GAP_US 2000

typedef struct conn {
    int fd, control;
    uint32_t gen;
    lsim_conn_state cs;
    uint8_t *buf;
    size_t len, cap;
    uint64_t served;
} conn;

typedef struct out_item {
    int64_t due;
    uint64_t seq;
    int fd;
    uint32_t gen;
    uint8_t *data;
    size_t len, off;
} out_item;

struct lsim_net {
    int *lfd;
    int nl;
    conn **conns; /* by fd */
    size_t nconns;
    uint32_t gen;
    out_item *q;
    size_t nq, capq;
    uint64_t seq;
    uint64_t *accepted, *telegrams; /* per control */
};

static uint64_t tag(uint64_t kind, uint64_t v)
{
    return kind << 32 | v;
}

lsim_net *lsim_net_open(lsim *s)
{
    sim_raise_nofile(s->n * 4 + 64);
    lsim_net *n = xcalloc(1, sizeof *n);
    n->lfd = xcalloc((size_t)s->n, sizeof *n->lfd);
    n->accepted = xcalloc((size_t)s->n, sizeof *n->accepted);
    n->telegrams = xcalloc((size_t)s->n, sizeof *n->telegrams);
    for (int i = 0; i < s->n; i++) {
        int bound;
        int fd = sim_listen_tcp("mdc-sim lsv2", s->o.host, s->o.port ? s->o.port + i : 0, &bound);
        if (fd < 0) {
            lsim_net_close(n);
            return NULL;
        }
        n->lfd[n->nl++] = fd;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag(KIND_LISTEN, (uint64_t)i)};
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
        lsim_say(strchr(s->o.host, ':') ? "listening [%s]:%d" : "listening %s:%d", s->o.host,
                 bound);
    }
    return n;
}

static void conn_close(lsim *s, lsim_net *n, conn *c)
{
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    n->conns[c->fd] = NULL;
    close(c->fd);
    free(c->buf);
    free(c);
}

void lsim_net_close(lsim_net *n)
{
    if (!n) return;
    for (int i = 0; i < n->nl; i++)
        close(n->lfd[i]);
    for (size_t i = 0; i < n->nconns; i++)
        if (n->conns[i]) {
            close(n->conns[i]->fd);
            free(n->conns[i]->buf);
            free(n->conns[i]);
        }
    for (size_t i = 0; i < n->nq; i++)
        free(n->q[i].data);
    free(n->q);
    free(n->conns);
    free(n->lfd);
    free(n->accepted);
    free(n->telegrams);
    free(n);
}

static void accept_all(lsim *s, lsim_net *n, int control)
{
    for (;;) {
        int fd = accept4(n->lfd[control], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if ((size_t)fd >= n->nconns) {
            size_t old = n->nconns;
            xgrow(&n->conns, &n->nconns, (size_t)fd + 1, sizeof *n->conns);
            memset(n->conns + old, 0, (n->nconns - old) * sizeof *n->conns);
        }
        conn *c = xcalloc(1, sizeof *c);
        c->fd = fd;
        c->control = control;
        c->gen = ++n->gen;
        c->cs.buffer = LSV2_BUFFER_DEFAULT;
        n->conns[fd] = c;
        n->accepted[control]++;
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag(KIND_CONN, (uint64_t)fd)};
        epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev);
        if (s->o.verbose) fprintf(stderr, "control %d: connection %u\n", control, c->gen);
    }
}

static void enqueue(lsim_net *n, const conn *c, int64_t due, const uint8_t *data, size_t len)
{
    xgrow(&n->q, &n->capq, n->nq + 1, sizeof *n->q);
    out_item *it = &n->q[n->nq++];
    *it = (out_item){.due = due, .seq = n->seq++, .fd = c->fd, .gen = c->gen, .len = len};
    it->data = xmalloc(len);
    memcpy(it->data, data, len);
}

static void schedule(lsim *s, lsim_net *n, const conn *c, const uint8_t *data, size_t len)
{
    int64_t due = lsim_now_us() + (int64_t)(s->o.slow_ms * 1000.0);
    if (!s->o.split || len < 4) return enqueue(n, c, due, data, len);
    size_t a = 3, b = len < 10 ? len - a : 5; /* header split inside, then the rest */
    enqueue(n, c, due, data, a);
    enqueue(n, c, due + SPLIT_GAP_US, data + a, b);
    if (a + b < len) enqueue(n, c, due + 2 * SPLIT_GAP_US, data + a + b, len - a - b);
}

/* Answers every complete telegram in the buffer. Returns false when the connection closed. */
static bool handle_telegrams(lsim *s, lsim_net *n, conn *c)
{
    size_t off = 0;
    bool alive = true;
    while (alive) {
        lsv2_telegram t;
        long used = lsv2_decode(c->buf + off, c->len - off, LSV2_MAX_PAYLOAD, &t, NULL);
        if (used == 0) break;
        if (used < 0 || (s->o.drop_after > 0 && c->served >= (uint64_t)s->o.drop_after)) {
            if (s->o.verbose) fprintf(stderr, "control %d: dropping the connection\n", c->control);
            conn_close(s, n, c);
            return false;
        }
        c->served++;
        n->telegrams[c->control]++;
        uint8_t out[8192];
        char what[160];
        size_t rl = lsim_serve(s, &s->machines[c->control], &c->cs, t.code, t.payload, t.len, out,
                               sizeof out, what, sizeof what);
        if (s->o.verbose) fprintf(stderr, "control %d: %s\n", c->control, what);
        if (rl) schedule(s, n, c, out, rl);
        off += (size_t)used;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
    return true;
}

static void conn_readable(lsim *s, lsim_net *n, conn *c)
{
    for (;;) {
        if (c->cap - c->len < 4096) {
            if (c->cap >= MAX_BUF) {
                conn_close(s, n, c);
                return;
            }
            c->cap = c->cap ? c->cap * 2 : 8192;
            c->buf = xrealloc(c->buf, c->cap);
        }
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r > 0) {
            c->len += (size_t)r;
            if (!handle_telegrams(s, n, c)) return;
            continue;
        }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (r < 0 && errno == EINTR) continue;
        conn_close(s, n, c); /* EOF or error */
        return;
    }
}

bool lsim_net_event(lsim *s, lsim_net *n, uint64_t t, uint32_t events)
{
    (void)events;
    uint64_t kind = t >> 32, v = t & 0xffffffffu;
    if (kind == KIND_LISTEN && v < (uint64_t)n->nl) {
        accept_all(s, n, (int)v);
        return true;
    }
    if (kind == KIND_CONN && v < n->nconns && n->conns[v]) {
        conn_readable(s, n, n->conns[v]);
        return true;
    }
    return kind == KIND_CONN || kind == KIND_LISTEN;
}

static long earliest(const lsim_net *n)
{
    long best = -1;
    for (size_t i = 0; i < n->nq; i++)
        if (best < 0 || n->q[i].due < n->q[best].due ||
            (n->q[i].due == n->q[best].due && n->q[i].seq < n->q[best].seq))
            best = (long)i;
    return best;
}

static void remove_item(lsim_net *n, size_t i)
{
    free(n->q[i].data);
    n->q[i] = n->q[--n->nq];
}

int lsim_net_flush(lsim *s, lsim_net *n)
{
    (void)s;
    for (;;) {
        long i = earliest(n);
        if (i < 0) return -1;
        out_item *it = &n->q[i];
        int64_t now = lsim_now_us();
        if (it->due > now) return (int)((it->due - now + 999) / 1000);
        conn *c = (size_t)it->fd < n->nconns ? n->conns[it->fd] : NULL;
        if (!c || c->gen != it->gen) {
            remove_item(n, (size_t)i);
            continue;
        }
        ssize_t w =
            send(it->fd, it->data + it->off, it->len - it->off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) it->off += (size_t)w;
        if (it->off == it->len || (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
            remove_item(n, (size_t)i);
        else
            it->due = now + 1000; /* the socket is full: try again shortly */
    }
}

int lsim_net_drop(lsim_net *n, lsim *s, int control)
{
    int k = 0;
    for (size_t i = 0; i < n->nconns; i++)
        if (n->conns[i] && (control < 0 || n->conns[i]->control == control)) {
            conn_close(s, n, n->conns[i]);
            k++;
        }
    return k;
}

void lsim_net_stats(const lsim_net *n, int control, uint64_t *conns, uint64_t *telegrams, int *open)
{
    *conns = n->accepted[control];
    *telegrams = n->telegrams[control];
    *open = 0;
    for (size_t i = 0; i < n->nconns; i++)
        if (n->conns[i] && n->conns[i]->control == control) (*open)++;
}
