/* SPDX-License-Identifier: Apache-2.0 */
/* spool_prefetch.c — see spool_prefetch.h. The prefetcher's thread waits for a wanted batch,
 * reads it with mdc_spool_read (SQLite's step under the spool's lock, the decoding outside it)
 * and keeps it until the caller takes or discards it. */
#include "spool_prefetch.h"

#include "clock.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* The read ran on the sink's thread before, which has this stack (runtime/threads.c). */
#define PREFETCH_STACK (256 * 1024)

typedef enum {
    PF_IDLE,    /* nothing prefetched */
    PF_WANTED,  /* a read is asked for; the thread has not begun it */
    PF_READING, /* the thread is reading it */
    PF_READY    /* read: b (rc 0) or a failure (rc -1) */
} pf_state;

struct mdc_spool_prefetch {
    mdc_spool *sp;
    size_t base, catch_up, size;
    size_t from;       /* the smallest full batch whose next one is prefetched */
    unsigned ratio;    /* ... when the caller's turn took this many times its read (0: always) */
    int64_t handed_us; /* when the last batch was handed out (0: none yet) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, stop;
    pf_state state;
    mdc_spool_batch b; /* the batch wanted, being read or read (owned while not handed out) */
    int rc;
    mdc_spool_prefetch_stats stats;
};

void mdc_spool_batch_free(mdc_spool_batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        mdc_record_free(&b->recs[i]);
    free(b->recs);
    b->recs = NULL;
    b->n = 0;
}

static int read_batch(mdc_spool *sp, mdc_spool_batch *b, mdc_err *err)
{
    b->corrupt = 0;
    int64_t t0 = mdc_mono_us();
    int rc = mdc_spool_read(sp, b->after, b->max, &b->recs, &b->n, &b->corrupt, &b->last, err);
    b->read_us = mdc_mono_us() - t0;
    return rc;
}

static void *prefetch_main(void *arg)
{
    mdc_spool_prefetch *pf = arg;
    pthread_mutex_lock(&pf->mu);
    for (;;) {
        while (pf->state != PF_WANTED && !pf->stop)
            pthread_cond_wait(&pf->cv, &pf->mu);
        if (pf->stop) break;
        pf->state = PF_READING;
        mdc_spool_batch b = {.after = pf->b.after, .max = pf->b.max};
        pthread_mutex_unlock(&pf->mu);
        mdc_err err = {0};
        int rc = read_batch(pf->sp, &b, &err);
        pthread_mutex_lock(&pf->mu);
        pf->b = b;
        pf->rc = rc;
        pf->state = PF_READY;
        pthread_cond_broadcast(&pf->cv);
    }
    pthread_mutex_unlock(&pf->mu);
    return NULL;
}

mdc_spool_prefetch *mdc_spool_prefetch_new(mdc_spool *sp, size_t base, size_t catch_up, size_t from,
                                           unsigned ratio)
{
    mdc_spool_prefetch *pf = xcalloc(1, sizeof *pf);
    pf->sp = sp;
    pf->base = base ? base : 1;
    pf->catch_up = catch_up ? catch_up : 1;
    pf->from = from;
    pf->ratio = ratio;
    pf->size = pf->base;
    pthread_mutex_init(&pf->mu, NULL);
    pthread_cond_init(&pf->cv, NULL);
    return pf;
}

/* Waits for a read under way and frees what is prefetched (pf->mu held). */
static void drop_locked(mdc_spool_prefetch *pf)
{
    while (pf->state == PF_READING)
        pthread_cond_wait(&pf->cv, &pf->mu);
    if (pf->state != PF_IDLE) pf->stats.discarded++;
    if (pf->state == PF_READY) mdc_spool_batch_free(&pf->b);
    pf->state = PF_IDLE;
}

void mdc_spool_prefetch_free(mdc_spool_prefetch *pf)
{
    if (!pf) return;
    pthread_mutex_lock(&pf->mu);
    pf->stop = true;
    pthread_cond_broadcast(&pf->cv);
    pthread_mutex_unlock(&pf->mu);
    if (pf->started) pthread_join(pf->thread, NULL);
    if (pf->state == PF_READY) mdc_spool_batch_free(&pf->b); /* read, never taken */
    pthread_cond_destroy(&pf->cv);
    pthread_mutex_destroy(&pf->mu);
    free(pf);
}

void mdc_spool_prefetch_discard(mdc_spool_prefetch *pf)
{
    pthread_mutex_lock(&pf->mu);
    drop_locked(pf);
    pthread_mutex_unlock(&pf->mu);
}

size_t mdc_spool_prefetch_size(const mdc_spool_prefetch *pf)
{
    return pf->size;
}

mdc_spool_prefetch_stats mdc_spool_prefetch_stats_get(mdc_spool_prefetch *pf)
{
    pthread_mutex_lock(&pf->mu);
    mdc_spool_prefetch_stats st = pf->stats;
    pthread_mutex_unlock(&pf->mu);
    return st;
}

/* Asks the thread (started now if need be) for the batch after `after`; without a thread the
 * next call simply reads it. */
static void want(mdc_spool_prefetch *pf, int64_t after, size_t max)
{
    pthread_mutex_lock(&pf->mu);
    drop_locked(pf);
    if (!pf->started) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, PREFETCH_STACK);
        pf->started = pthread_create(&pf->thread, &a, prefetch_main, pf) == 0;
        pthread_attr_destroy(&a);
    }
    if (pf->started) {
        pf->b = (mdc_spool_batch){.after = after, .max = max};
        pf->state = PF_WANTED;
        pthread_cond_signal(&pf->cv);
    }
    pthread_mutex_unlock(&pf->mu);
}

/* Hands out the prefetched batch if it is the one wanted (after, max), waiting for its read
 * (begun or about to be); otherwise drops whatever there is. True: *out is filled. */
static bool take_prefetched(mdc_spool_prefetch *pf, int64_t after, size_t max, mdc_spool_batch *out)
{
    pthread_mutex_lock(&pf->mu);
    bool same = pf->state != PF_IDLE && pf->b.after == after && pf->b.max == max;
    while (same && pf->state != PF_READY)
        pthread_cond_wait(&pf->cv, &pf->mu);
    bool taken = same && pf->rc == 0; /* after a failure: read again, for the current error */
    if (taken) {
        *out = pf->b;
        pf->b = (mdc_spool_batch){0};
        pf->state = PF_IDLE;
        pf->stats.used++;
    } else
        drop_locked(pf);
    pthread_mutex_unlock(&pf->mu);
    return taken;
}

int mdc_spool_prefetch_next(mdc_spool_prefetch *pf, int64_t after, mdc_spool_batch *out,
                            mdc_err *err)
{
    size_t max = pf->size;
    int64_t away = pf->handed_us ? mdc_mono_us() - pf->handed_us : 0; /* the caller's turn */
    *out = (mdc_spool_batch){.after = after, .max = max};
    if (!take_prefetched(pf, after, max, out)) {
        if (read_batch(pf->sp, out, err) < 0) return -1;
        pthread_mutex_lock(&pf->mu);
        pf->stats.read++;
        pthread_mutex_unlock(&pf->mu);
    }
    /* a full batch means a backlog: the next one is larger, and (from a full batch of `from`,
     * when the caller's turn is long enough to hide a read) read while this one is written */
    size_t limit = pf->base * pf->catch_up;
    pf->size = out->n < max ? pf->base : (max * 2 < limit ? max * 2 : limit);
    bool worth = away >= (int64_t)pf->ratio * out->read_us;
    if (out->n == max && max >= pf->from && worth) want(pf, out->recs[out->n - 1].seq, pf->size);
    pf->handed_us = mdc_mono_us();
    return 0;
}
