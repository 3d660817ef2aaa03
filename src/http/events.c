/* SPDX-License-Identifier: Apache-2.0 */
/* events.c — see events.h. */
#include "events.h"
#include "catalog_json.h"

#include "core/clock.h"
#include "core/strbuf.h"
#include "core/xalloc.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define RING       512
#define BLOCK_SIZE (16 * 1024)

typedef struct slot {
    char device[65];
    char *text; /* one JSON line */
    size_t len;
} slot;

typedef struct client {
    mdc_events *ev;
    struct MHD_Connection *conn;
    char device[65]; /* filter; "" = every device */
    uint64_t next;   /* id of the next event to send */
    uint64_t ping_seen;
    bool greeted, suspended;
    bool catalog; /* greet with the catalog event */
    strbuf pend;  /* bytes ready to send */
    size_t pend_off;
    struct client *prev, *nextc;
} client;

struct mdc_events {
    pthread_mutex_t mu;
    slot ring[RING];
    uint64_t next_id; /* id of the next event published; ids start at 1 */
    uint64_t ping_gen;
    bool stopping;
    client *clients;
    int64_t nclients;
    char **cat_ids, **cat_json; /* per device: id and {"id", "points"} */
    size_t ncat;
};

static void free_catalog_locked(mdc_events *ev)
{
    for (size_t i = 0; i < ev->ncat; i++) {
        free(ev->cat_ids[i]);
        free(ev->cat_json[i]);
    }
    free(ev->cat_ids);
    free(ev->cat_json);
    ev->cat_ids = ev->cat_json = NULL;
    ev->ncat = 0;
}

void mdc_events_set_catalog(mdc_events *ev, const mdc_catalog *cat)
{
    size_t n = cat ? cat->ndevices : 0;
    char **ids = xcalloc(n ? n : 1, sizeof *ids), **json = xcalloc(n ? n : 1, sizeof *json);
    for (size_t i = 0; i < n; i++) {
        strbuf b = STRBUF_INIT;
        mdc_catalog_device_json(&cat->devices[i], &b);
        ids[i] = xstrdup(cat->devices[i].id);
        json[i] = sb_detach(&b);
    }
    pthread_mutex_lock(&ev->mu);
    free_catalog_locked(ev);
    ev->cat_ids = ids;
    ev->cat_json = json;
    ev->ncat = n;
    pthread_mutex_unlock(&ev->mu);
}

/* event: catalog with every device's, or the filtered device's, points. */
static void greet_catalog_locked(const mdc_events *ev, const char *device, strbuf *out)
{
    sb_puts(out, "event: catalog\ndata: {\"devices\": [");
    int n = 0;
    for (size_t i = 0; i < ev->ncat; i++) {
        if (device[0] && strcmp(device, ev->cat_ids[i]) != 0) continue;
        if (n++) sb_puts(out, ", ");
        sb_puts(out, ev->cat_json[i]);
    }
    sb_puts(out, "]}\n\n");
}

mdc_events *mdc_events_new(void)
{
    mdc_events *ev = xcalloc(1, sizeof *ev);
    pthread_mutex_init(&ev->mu, NULL);
    ev->next_id = 1;
    return ev;
}

void mdc_events_free(mdc_events *ev)
{
    if (!ev) return;
    for (size_t i = 0; i < RING; i++)
        free(ev->ring[i].text);
    free_catalog_locked(ev);
    pthread_mutex_destroy(&ev->mu);
    free(ev);
}

static void resume_all_locked(mdc_events *ev)
{
    for (client *c = ev->clients; c; c = c->nextc)
        if (c->suspended) {
            c->suspended = false;
            MHD_resume_connection(c->conn);
        }
}

void mdc_events_publish(mdc_events *ev, const char *device, const char *text, size_t len)
{
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    pthread_mutex_lock(&ev->mu);
    slot *s = &ev->ring[ev->next_id % RING];
    char *old = s->text;
    s->text = copy;
    s->len = len;
    snprintf(s->device, sizeof s->device, "%s", device ? device : "");
    ev->next_id++;
    resume_all_locked(ev);
    pthread_mutex_unlock(&ev->mu);
    free(old);
}

void mdc_events_ping(mdc_events *ev)
{
    pthread_mutex_lock(&ev->mu);
    ev->ping_gen++;
    resume_all_locked(ev);
    pthread_mutex_unlock(&ev->mu);
}

void mdc_events_shutdown(mdc_events *ev, int timeout_ms)
{
    pthread_mutex_lock(&ev->mu);
    ev->stopping = true;
    resume_all_locked(ev);
    pthread_mutex_unlock(&ev->mu);
    for (int i = 0; i < timeout_ms / 10 && mdc_events_clients(ev) > 0; i++)
        mdc_sleep_us(10000);
}

int64_t mdc_events_clients(mdc_events *ev)
{
    pthread_mutex_lock(&ev->mu);
    int64_t n = ev->nclients;
    pthread_mutex_unlock(&ev->mu);
    return n;
}

/* Puts the client's next piece of the stream into c->pend; false when there is none. */
static bool refill_locked(client *c)
{
    mdc_events *ev = c->ev;
    if (!c->greeted) {
        c->greeted = true;
        sb_puts(&c->pend, "retry: 2000\n\n");
        if (c->catalog) greet_catalog_locked(ev, c->device, &c->pend);
        return true;
    }
    uint64_t oldest = ev->next_id > RING ? ev->next_id - RING : 1;
    if (c->next < oldest) {
        sb_printf(&c->pend, ": missed %" PRIu64 " events\n\n", oldest - c->next);
        c->next = oldest;
        return true;
    }
    while (c->next < ev->next_id) {
        uint64_t id = c->next++;
        const slot *s = &ev->ring[id % RING];
        if (c->device[0] && strcmp(c->device, s->device) != 0) continue;
        sb_printf(&c->pend, "id: %" PRIu64 "\nevent: record\ndata: ", id);
        sb_append(&c->pend, s->text, s->len);
        sb_puts(&c->pend, "\n\n");
        return true;
    }
    if (c->ping_seen != ev->ping_gen) {
        c->ping_seen = ev->ping_gen;
        sb_puts(&c->pend, ": ping\n\n");
        return true;
    }
    return false;
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    client *c = cls;
    mdc_events *ev = c->ev;
    pthread_mutex_lock(&ev->mu);
    if (ev->stopping) {
        pthread_mutex_unlock(&ev->mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = 0;
    while (n < max) {
        if (c->pend_off < c->pend.len) {
            size_t k = c->pend.len - c->pend_off;
            if (k > max - n) k = max - n;
            memcpy(buf + n, c->pend.buf + c->pend_off, k);
            c->pend_off += k;
            n += k;
            continue;
        }
        sb_reset(&c->pend);
        c->pend_off = 0;
        if (!refill_locked(c)) break;
    }
    if (n == 0) { /* nothing now: sleep until publish/ping resumes us */
        c->suspended = true;
        MHD_suspend_connection(c->conn);
    }
    pthread_mutex_unlock(&ev->mu);
    return (ssize_t)n;
}

static void release(void *cls)
{
    client *c = cls;
    mdc_events *ev = c->ev;
    pthread_mutex_lock(&ev->mu);
    if (c->prev)
        c->prev->nextc = c->nextc;
    else
        ev->clients = c->nextc;
    if (c->nextc) c->nextc->prev = c->prev;
    ev->nclients--;
    pthread_mutex_unlock(&ev->mu);
    sb_free(&c->pend);
    free(c);
}

struct MHD_Response *mdc_events_response(mdc_events *ev, struct MHD_Connection *conn,
                                         const char *device, bool catalog)
{
    client *c = xcalloc(1, sizeof *c);
    c->ev = ev;
    c->conn = conn;
    c->catalog = catalog;
    snprintf(c->device, sizeof c->device, "%s", device ? device : "");
    pthread_mutex_lock(&ev->mu);
    if (ev->stopping) {
        pthread_mutex_unlock(&ev->mu);
        free(c);
        return NULL;
    }
    c->next = ev->next_id; /* only what happens from now on */
    c->ping_seen = ev->ping_gen;
    c->nextc = ev->clients;
    if (ev->clients) ev->clients->prev = c;
    ev->clients = c;
    ev->nclients++;
    pthread_mutex_unlock(&ev->mu);
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, BLOCK_SIZE, reader, c, release);
    if (!r) release(c);
    return r;
}
