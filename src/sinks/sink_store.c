/* sink_store.c — see sink_store.h. */
#include "sink_store.h"

#include "core/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

/* The name the store keeps this sink's delivery position under (store.h sink_state). */
#define WRITER "sqlite"

typedef struct store_sink {
    char *path;
    mdc_store *store; /* NULL while closed */
    uint64_t epoch;   /* the spool's, from committed_seq() */
} store_sink;

static int st_open(mdc_sink *s, mdc_err *err)
{
    store_sink *k = s->impl;
    return mdc_store_open(k->path, &k->store, err);
}

static int64_t st_committed(mdc_sink *s, uint64_t epoch)
{
    store_sink *k = s->impl;
    k->epoch = epoch;
    return mdc_store_committed_seq(k->store, WRITER, epoch);
}

static int st_write_all(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_err *err)
{
    store_sink *k = s->impl;
    return mdc_store_write(k->store, WRITER, k->epoch, recs, n, err);
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

static int st_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                    mdc_err *err)
{
    return mdc_sink_all_or_nothing(res, n, st_write_all(s, recs, n, err));
}

static const mdc_sink_ops store_ops = {
    .type = "sqlite",
    .open = st_open,
    .write = st_write,
    .committed_seq = st_committed,
    .close = st_close,
    .destroy = st_destroy,
};

mdc_sink *mdc_sink_store_new(const char *path)
{
    store_sink *k = xcalloc(1, sizeof *k);
    k->path = xstrdup(path);
    char id[4200];
    snprintf(id, sizeof id, "sqlite:%s", path);
    return mdc_sink_new(&store_ops, id, k);
}

const char *mdc_sink_store_path(const mdc_sink *s)
{
    return s && s->ops == &store_ops ? ((const store_sink *)s->impl)->path : NULL;
}
