/* SPDX-License-Identifier: Apache-2.0 */
/* mux.c — the event threads: a few threads (runtime.event_threads) serve every event-driven
 * bus (driver.h, mdc_async_ops), many per thread, with epoll and two timer heaps — device slots
 * by wall-clock time, bus deadlines (connect and reply timeouts) by monotonic time.
 *
 * A device is polled on its own schedule as on a bus thread (poller.c), with the same rules: a
 * failing device yields its slots' records (status 0, the last error) without I/O until its
 * backoff has passed, then the next slot is a real poll, sent behind every other poll on a
 * shared connection (a probe); a bus that could not be opened is retried with the same capped,
 * jittered backoff. Each bus has its own socket and deadlines, so a dead, refusing or
 * black-holed endpoint never delays another. Completed polls go through the same record flow
 * (record_flow.c), batched: one durable spool append per loop turn. */
#include "mux.h"
#include "heap.h"
#include "record_flow.h"

#include "core/clock.h"
#include "core/log.h"
#include "core/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#define MAX_EVENTS  512
#define MAX_WAIT_MS 1000

/* ---- buses: descriptors and deadlines ---- */

static void watch_fd(mdc_rt_mux *m, mux_bus *mb)
{
    uint64_t gen = 0;
    int fd = mb->ops->fd(mb->handle, &gen);
    if (fd == mb->fd && gen == mb->gen) return;
    mb->fd = fd;
    mb->gen = gen;
    if (fd < 0) return; /* a closed descriptor left epoll by itself */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = mb};
    if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 && errno == EEXIST)
        epoll_ctl(m->epfd, EPOLL_CTL_MOD, fd, &ev);
}

void mdc_rt_mux_after_call(mdc_rt_mux *m, mux_bus *mb)
{
    watch_fd(m, mb);
    int64_t d = mb->ops->deadline(mb->handle);
    if (d == mb->armed) return;
    mb->armed = d; /* older heap entries of this bus are stale from now on */
    if (d != INT64_MAX) mdc_heap_push(&m->io, d, mb);
}

/* ---- records: one batch fills while the other commits ---- */

void mdc_rt_mux_add_record(mdc_rt_mux *m, mux_dev *md)
{
    mux_batch *b = &m->batch[m->fill];
    mdc_rt_batch_add(m->rt, &b->b, md->d, &md->d->scratch);
    xgrow(&b->owners, &b->capowners, b->nowners + 1, sizeof *b->owners);
    b->owners[b->nowners++] = md;
    md->in_batch = true;
}

void mdc_rt_mux_add_copy(mdc_rt_mux *m, mux_dev *md, const mdc_record *rec)
{
    mdc_rt_batch_add_copy(m->rt, &m->batch[m->fill].b, md->d, rec);
}

/* Publishes the committing batch when it is done (waiting for it when `wait`), then sends the
 * filling one to the spool. The thread never waits for the disk unless told to. */
static void flush_step(mdc_rt_mux *m, bool wait)
{
    mux_batch *other = &m->batch[!m->fill], *fill = &m->batch[m->fill];
    if (other->b.ticket) {
        if (!mdc_rt_batch_finish(m->rt, &other->b, wait)) return;
        for (size_t i = 0; i < other->nowners; i++)
            other->owners[i]->in_batch = false;
        other->nowners = 0;
    }
    if (fill->b.n == 0) return;
    mdc_rt_batch_start(m->rt, &fill->b);
    m->fill = !m->fill;
}

/* Every record committed and published (a device is due whose last record is still on its way,
 * or the thread ends). */
void mdc_rt_mux_drain(mdc_rt_mux *m)
{
    flush_step(m, true);
    flush_step(m, true);
}

static bool committing(const mdc_rt_mux *m)
{
    return m->batch[0].b.ticket || m->batch[1].b.ticket;
}

/* ---- the loop ---- */

static void handle_events(mdc_rt_mux *m, const struct epoll_event *evs, int n)
{
    int64_t now = mdc_mono_us();
    for (int i = 0; i < n; i++) {
        if (evs[i].data.ptr == NULL) { /* the wake-up eventfd */
            uint64_t v;
            ssize_t r = read(m->wakefd, &v, sizeof v);
            (void)r;
            continue;
        }
        mux_bus *mb = evs[i].data.ptr;
        mb->ops->run(mb->handle, evs[i].events, now);
        mdc_rt_mux_after_call(m, mb);
    }
}

static void handle_deadlines(mdc_rt_mux *m)
{
    int64_t now = mdc_mono_us();
    mdc_heap_entry top;
    while (mdc_heap_peek(&m->io, &top) && top.key <= now) {
        mdc_heap_pop(&m->io);
        mux_bus *mb = top.item;
        if (mb->armed != top.key) continue; /* stale */
        mb->armed = INT64_MAX;
        mb->ops->run(mb->handle, 0, now);
        mdc_rt_mux_after_call(m, mb);
    }
}

/* Starts the polls whose slot has come; probes of failing devices after the others, so that
 * on a shared connection they queue behind their healthy neighbours. */
static void handle_slots(mdc_rt_mux *m)
{
    int64_t now = mdc_now_us();
    mdc_heap_entry top;
    m->nprobes = 0;
    while (!atomic_load(&m->rt->stop_polling) && mdc_heap_peek(&m->slots, &top) && top.key <= now) {
        mdc_heap_pop(&m->slots);
        mux_dev *md = top.item;
        if (md->in_flight) { /* a probe: the slot starts when it ends */
            md->slot_waiting = true;
            continue;
        }
        if (md->in_batch) mdc_rt_mux_drain(m); /* the spool fell a slot behind */
        if (mdc_rt_mux_is_probe(md, now)) {
            xgrow(&m->probes, &m->capprobes, m->nprobes + 1, sizeof *m->probes);
            m->probes[m->nprobes++] = top.item;
        } else {
            mdc_rt_mux_start_poll(m, top.item, now);
        }
    }
    for (size_t i = 0; i < m->nprobes; i++)
        mdc_rt_mux_start_poll(m, m->probes[i], now);
}

/* Probes between slots, and held slots that end. */
static void handle_retries(mdc_rt_mux *m)
{
    int64_t now = mdc_now_us();
    mdc_heap_entry top;
    while (!atomic_load(&m->rt->stop_polling) && mdc_heap_peek(&m->retries, &top) &&
           top.key <= now) {
        mdc_heap_pop(&m->retries);
        mux_dev *md = top.item;
        if (md->wake_at != top.key) continue; /* stale */
        md->wake_at = INT64_MAX;
        mdc_rt_mux_retry_due(m, md, now);
    }
}

/* Milliseconds until the next timer (rounded up), at most MAX_WAIT_MS. */
static int wait_ms(const mdc_rt_mux *m)
{
    int64_t wait = (int64_t)MAX_WAIT_MS * 1000;
    mdc_heap_entry top;
    if (mdc_heap_peek(&m->slots, &top) && top.key - mdc_now_us() < wait)
        wait = top.key - mdc_now_us();
    if (mdc_heap_peek(&m->io, &top) && top.key - mdc_mono_us() < wait)
        wait = top.key - mdc_mono_us();
    if (mdc_heap_peek(&m->retries, &top) && top.key - mdc_now_us() < wait)
        wait = top.key - mdc_now_us();
    if (committing(m) && wait > 5000) wait = 5000; /* publish soon after the commit */
    if (wait <= 0) return 0;
    return (int)((wait + 999) / 1000);
}

static bool finished(const mdc_rt_mux *m)
{
    return m->rt->opts.once && m->once_done == m->ndevs;
}

static void *mux_main(void *arg)
{
    mdc_rt_mux *m = arg;
    struct epoll_event *evs = xcalloc(MAX_EVENTS, sizeof *evs);
    int64_t now = mdc_now_us();
    for (size_t i = 0; i < m->ndevs; i++) {
        mdc_rt_device *d = m->devs[i].d;
        d->next_due_us = m->rt->opts.once ? now : mdc_schedule_next(&d->cfg->schedule, now);
        mdc_heap_push(&m->slots, d->next_due_us, &m->devs[i]);
    }
    while (!atomic_load(&m->rt->stop_polling) && !finished(m)) {
        int n = epoll_wait(m->epfd, evs, MAX_EVENTS, wait_ms(m));
        if (n < 0 && errno != EINTR) {
            LOG_ERROR("runtime", "event thread: epoll_wait: %s", strerror(errno));
            break;
        }
        handle_events(m, evs, n > 0 ? n : 0);
        while (n == MAX_EVENTS) { /* everything ready is read before any deadline is judged */
            n = epoll_wait(m->epfd, evs, MAX_EVENTS, 0);
            handle_events(m, evs, n > 0 ? n : 0);
        }
        handle_deadlines(m);
        flush_step(m, false);
        handle_slots(m);
        handle_retries(m);
        flush_step(m, false);
    }
    for (size_t i = 0; i < m->ndevs; i++) /* the spool is still open: held records go in */
        mdc_rt_mux_release_held(m, &m->devs[i]);
    mdc_rt_mux_drain(m);
    if (m->rt->opts.once) atomic_fetch_add(&m->rt->devices_polled_once, m->once_done);
    free(evs);
    return NULL;
}

/* ---- setup ---- */

static bool bus_is_async(const mdc_rt_bus *b)
{
    const mdc_async_ops *a = b->driver->async;
    return a && a->enabled(b->devs[0]->dcfg);
}

bool mdc_rt_bus_is_async(const mdc_rt_bus *b)
{
    return bus_is_async(b);
}

static mdc_rt_mux *mux_new(mdc_runtime *rt)
{
    mdc_rt_mux *m = xcalloc(1, sizeof *m);
    m->rt = rt;
    m->epfd = epoll_create1(EPOLL_CLOEXEC);
    m->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (m->epfd >= 0 && m->wakefd >= 0) epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->wakefd, &ev);
    mdc_rt_batch_init(&m->batch[0].b);
    mdc_rt_batch_init(&m->batch[1].b);
    return m;
}

static int add_bus(mdc_rt_mux *m, mdc_rt_bus *b, mdc_err *err)
{
    mux_bus *mb = xcalloc(1, sizeof *mb);
    mb->mux = m;
    mb->bus = b;
    mb->ops = b->driver->async;
    mb->fd = -1;
    mb->armed = INT64_MAX;
    if (mb->ops->bus_new(b->devs[0]->dcfg, &mb->handle, err) < 0) {
        free(mb);
        return mdc_err_prefix(err, "%s", b->key ? b->key : b->devs[0]->cfg->id);
    }
    xgrow(&m->buses, &m->capbuses, m->nbuses + 1, sizeof *m->buses);
    m->buses[m->nbuses++] = mb;
    for (size_t i = 0; i < b->ndevs; i++) {
        xgrow(&m->devs, &m->capdevs, m->ndevs + 1, sizeof *m->devs);
        m->devs[m->ndevs++] = (mux_dev){.d = b->devs[i], .mb = mb, .wake_at = INT64_MAX};
    }
    return 0;
}

/* Thousands of sockets: the soft open-file limit goes up to the hard one when needed. */
static void raise_nofile(size_t need)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)need &&
        rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max < (rlim_t)need ? rl.rlim_max : (rlim_t)need;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The buses, largest first, each to the thread with the fewest devices so far. */
static int distribute(mdc_runtime *rt, mdc_err *err)
{
    for (size_t i = 0; i < rt->nbuses; i++) {
        mdc_rt_bus *b = rt->buses[i];
        if (!bus_is_async(b)) continue;
        mdc_rt_mux *best = rt->muxes[0];
        for (size_t k = 1; k < rt->nmuxes; k++)
            if (rt->muxes[k]->ndevs < best->ndevs) best = rt->muxes[k];
        if (add_bus(best, b, err) < 0) return -1;
    }
    return 0;
}

size_t mdc_rt_async_bus_count(const mdc_runtime *rt)
{
    size_t n = 0;
    for (size_t i = 0; i < rt->nbuses; i++)
        n += bus_is_async(rt->buses[i]);
    return n;
}

int mdc_rt_mux_start(mdc_runtime *rt, size_t stack, mdc_err *err)
{
    size_t nbus = mdc_rt_async_bus_count(rt);
    if (nbus == 0) return 0;
    raise_nofile(nbus + rt->nbuses + 256);
    rt->nmuxes = (size_t)rt->event_threads < nbus ? (size_t)rt->event_threads : nbus;
    rt->muxes = xcalloc(rt->nmuxes, sizeof *rt->muxes);
    for (size_t k = 0; k < rt->nmuxes; k++) {
        rt->muxes[k] = mux_new(rt);
        if (rt->muxes[k]->epfd < 0 || rt->muxes[k]->wakefd < 0)
            return mdc_err_set(err, MDC_EIO, "cannot create an event thread: %s", strerror(errno));
    }
    if (distribute(rt, err) < 0) return -1;
    for (size_t k = 0; k < rt->nmuxes; k++) {
        pthread_attr_t a;
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, stack);
        int rc = pthread_create(&rt->muxes[k]->thread, &a, mux_main, rt->muxes[k]);
        pthread_attr_destroy(&a);
        if (rc != 0)
            return mdc_err_set(err, MDC_EIO, "cannot start an event thread: %s", strerror(rc));
        rt->muxes[k]->started = true;
    }
    return 0;
}

void mdc_rt_mux_wake(mdc_runtime *rt)
{
    uint64_t one = 1;
    for (size_t k = 0; k < rt->nmuxes; k++)
        if (rt->muxes[k]->wakefd >= 0) {
            ssize_t w = write(rt->muxes[k]->wakefd, &one, sizeof one);
            (void)w;
        }
}

void mdc_rt_mux_stop(mdc_runtime *rt)
{
    mdc_rt_mux_wake(rt);
    for (size_t k = 0; k < rt->nmuxes; k++) {
        mdc_rt_mux *m = rt->muxes[k];
        if (m->started) pthread_join(m->thread, NULL);
        m->started = false;
        for (size_t i = 0; i < m->nbuses; i++) {
            m->buses[i]->ops->bus_free(m->buses[i]->handle);
            free(m->buses[i]->last_error);
            free(m->buses[i]);
        }
        if (m->epfd >= 0) close(m->epfd);
        if (m->wakefd >= 0) close(m->wakefd);
        mdc_heap_free(&m->slots);
        mdc_heap_free(&m->io);
        mdc_heap_free(&m->retries);
        for (int b = 0; b < 2; b++) {
            mdc_rt_batch_free(&m->batch[b].b);
            free(m->batch[b].owners);
        }
        free(m->probes);
        free(m->buses);
        free(m->devs);
        free(m);
    }
    free(rt->muxes);
    rt->muxes = NULL;
    rt->nmuxes = 0;
}
