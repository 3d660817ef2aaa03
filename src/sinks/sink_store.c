/* SPDX-License-Identifier: Apache-2.0 */
/* sink_store.c — see sink_store.h. */
#include "sink_store.h"

#include "core/clock.h"
#include "core/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/statvfs.h>

/* The name the store keeps this sink's delivery position under (store.h sink_state). */
#define WRITER "sqlite"

#define PRUNE_CHUNK       5000
#define PRUNE_INTERVAL_US (60 * MDC_US_PER_SEC)
#define PRUNE_BUDGET_US   (100 * 1000) /* per write: retention never holds delivery up long */

typedef struct store_sink {
    char *path;
    mdc_store_sink_cfg cfg;
    mdc_store *store; /* NULL while closed */
    uint64_t epoch;   /* the spool's, from committed_seq() */
    int64_t prune_at_us;
    int64_t free_checked_us, free_bytes;
} store_sink;

static int st_open(mdc_sink *s, mdc_err *err)
{
    store_sink *k = s->impl;
    return mdc_store_open(k->path, k->cfg.sync_full, &k->store, err);
}

static int64_t st_committed(mdc_sink *s, uint64_t epoch)
{
    store_sink *k = s->impl;
    k->epoch = epoch;
    return mdc_store_committed_seq(k->store, WRITER, epoch);
}

static void st_close(mdc_sink *s)
{
    store_sink *k = s->impl;
    mdc_store_close(k->store);
    k->store = NULL;
}

static void st_destroy(mdc_sink *s)
{
    st_close(s);
    store_sink *k = s->impl;
    free(k->path);
    free(k);
    free(s);
}

/* Deletes what is past its retention, a chunk at a time, within PRUNE_BUDGET_US. */
static void prune(store_sink *k)
{
    int64_t now = mdc_now_us(), t0 = mdc_mono_us();
    if (now < k->prune_at_us) return;
    int64_t day = 86400 * MDC_US_PER_SEC;
    int64_t samples = k->cfg.samples_days > 0 ? now - k->cfg.samples_days * day : 0;
    int64_t history = k->cfg.history_days > 0 ? now - k->cfg.history_days * day : 0;
    int64_t deleted = 0;
    mdc_err err = {0};
    do {
        if (mdc_store_prune(k->store, samples, history, PRUNE_CHUNK, &deleted, &err) < 0) break;
    } while (deleted > 0 && mdc_mono_us() - t0 < PRUNE_BUDGET_US);
    k->prune_at_us = now + (deleted > 0 ? MDC_US_PER_SEC : PRUNE_INTERVAL_US);
}

/* Free space on the store's file system, looked up at most once a second. */
static int64_t disk_free(store_sink *k)
{
    int64_t now = mdc_mono_us();
    if (k->free_checked_us && now - k->free_checked_us < MDC_US_PER_SEC) return k->free_bytes;
    struct statvfs v;
    k->free_bytes =
        statvfs(k->path, &v) == 0 ? (int64_t)v.f_bavail * (int64_t)v.f_frsize : INT64_MAX;
    k->free_checked_us = now;
    return k->free_bytes;
}

static int st_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    store_sink *k = s->impl;
    prune(k);
    int64_t avail = disk_free(k);
    if (k->cfg.min_free_bytes > 0 && avail < k->cfg.min_free_bytes)
        return mdc_err_set(err, MDC_ENOSPC,
                           "sqlite %s: only %lld MB free, below the reserve of %lld MB: records "
                           "wait in the spool (free some space, or shorten the retention)",
                           k->path, (long long)(avail >> 20),
                           (long long)(k->cfg.min_free_bytes >> 20));
    bool refused;
    int rc = mdc_store_write(k->store, WRITER, k->epoch, recs, n, &res->delivered, &refused, err);
    if (refused) {
        res->rejected = true;
        res->reason = "data";
    }
    return rc;
}

static const mdc_sink_ops store_ops = {
    .type = "sqlite",
    .open = st_open,
    .write = st_write,
    .committed_seq = st_committed,
    .close = st_close,
    .destroy = st_destroy,
};

mdc_sink *mdc_sink_store_new(const char *path, const mdc_store_sink_cfg *cfg)
{
    store_sink *k = xcalloc(1, sizeof *k);
    k->path = xstrdup(path);
    k->cfg = cfg ? *cfg : mdc_store_sink_defaults();
    char id[4200];
    snprintf(id, sizeof id, "sqlite:%s", path);
    return mdc_sink_new(&store_ops, id, k);
}

mdc_store_sink_cfg mdc_store_sink_defaults(void)
{
    return (mdc_store_sink_cfg){
        .samples_days = 30, .history_days = 3650, .min_free_bytes = 0, .sync_full = true};
}

const char *mdc_sink_store_path(const mdc_sink *s)
{
    return s && s->ops == &store_ops ? ((const store_sink *)s->impl)->path : NULL;
}
