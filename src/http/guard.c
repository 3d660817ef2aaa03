/* SPDX-License-Identifier: Apache-2.0 */
/* guard.c — see guard.h. */
#include "guard.h"

#include "core/clock.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

typedef struct conn {
    int fd;
    bool waiting; /* in the list: waiting for a request head */
    int64_t deadline_us;
    struct conn *prev, *next;
} conn;

struct mdc_http_guard {
    pthread_mutex_t mu;
    int64_t timeout_us;
    conn *head, *tail; /* waiting connections, earliest deadline first */
    int64_t open;
    uint64_t expired;
};

mdc_http_guard *mdc_http_guard_new(int64_t header_timeout_us)
{
    mdc_http_guard *g = xcalloc(1, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    g->timeout_us = header_timeout_us;
    return g;
}

void mdc_http_guard_free(mdc_http_guard *g)
{
    if (!g) return;
    pthread_mutex_destroy(&g->mu);
    free(g);
}

static void unlink_locked(mdc_http_guard *g, conn *k)
{
    if (!k->waiting) return;
    if (k->prev)
        k->prev->next = k->next;
    else
        g->head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    else
        g->tail = k->prev;
    k->prev = k->next = NULL;
    k->waiting = false;
}

static void wait_head_locked(mdc_http_guard *g, conn *k)
{
    if (g->timeout_us <= 0) return;
    unlink_locked(g, k);
    k->deadline_us = mdc_mono_us() + g->timeout_us;
    k->prev = g->tail;
    if (g->tail)
        g->tail->next = k;
    else
        g->head = k;
    g->tail = k;
    k->waiting = true;
}

static conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void opened(mdc_http_guard *g, struct MHD_Connection *c, void **socket_context)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    conn *k = xcalloc(1, sizeof *k);
    k->fd = ci ? ci->connect_fd : -1;
    *socket_context = k;
    pthread_mutex_lock(&g->mu);
    g->open++;
    wait_head_locked(g, k);
    pthread_mutex_unlock(&g->mu);
}

static void closed(mdc_http_guard *g, void **socket_context)
{
    conn *k = *socket_context;
    if (!k) return;
    pthread_mutex_lock(&g->mu);
    unlink_locked(g, k);
    g->open--;
    *socket_context = NULL; /* later callbacks of this connection find nothing */
    pthread_mutex_unlock(&g->mu);
    free(k);
}

void mdc_http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode code)
{
    if (code == MHD_CONNECTION_NOTIFY_STARTED)
        opened(cls, c, socket_context);
    else
        closed(cls, socket_context);
}

void mdc_http_guard_head_done(mdc_http_guard *g, struct MHD_Connection *c)
{
    pthread_mutex_lock(&g->mu);
    conn *k = conn_of(c);
    if (k) unlink_locked(g, k);
    pthread_mutex_unlock(&g->mu);
}

void mdc_http_guard_request_done(mdc_http_guard *g, struct MHD_Connection *c)
{
    pthread_mutex_lock(&g->mu);
    conn *k = conn_of(c);
    if (k) wait_head_locked(g, k);
    pthread_mutex_unlock(&g->mu);
}

void mdc_http_guard_sweep(mdc_http_guard *g, int64_t now_mono_us)
{
    pthread_mutex_lock(&g->mu);
    while (g->head && g->head->deadline_us <= now_mono_us) {
        conn *k = g->head;
        unlink_locked(g, k);
        if (k->fd >= 0) shutdown(k->fd, SHUT_RDWR); /* the daemon sees EOF and closes it */
        g->expired++;
    }
    pthread_mutex_unlock(&g->mu);
}

int64_t mdc_http_guard_open(mdc_http_guard *g)
{
    pthread_mutex_lock(&g->mu);
    int64_t n = g->open;
    pthread_mutex_unlock(&g->mu);
    return n;
}

uint64_t mdc_http_guard_expired(mdc_http_guard *g)
{
    pthread_mutex_lock(&g->mu);
    uint64_t n = g->expired;
    pthread_mutex_unlock(&g->mu);
    return n;
}
