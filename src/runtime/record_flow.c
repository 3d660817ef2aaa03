/* SPDX-License-Identifier: Apache-2.0 */
/* record_flow.c — see record_flow.h. */
#include "record_flow.h"
#include "hints.h"

#include "core/backoff.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

bool mdc_rt_err_keep(char **slot, const char *msg)
{
    if (!*slot && !msg) return false;
    if (*slot && msg && strcmp(*slot, msg) == 0) return false;
    free(*slot);
    *slot = msg ? xstrdup(msg) : NULL;
    return true;
}

const char *mdc_rt_err_text(const char *slot)
{
    return slot ? slot : "";
}

void mdc_rt_note_latency(mdc_rt_device *d, int64_t us)
{
    size_t b = 0;
    while (b < MDC_RT_LATENCY_BUCKETS && (double)us > mdc_rt_latency_bounds_s[b] * 1e6)
        b++;
    atomic_fetch_add(&d->latency_hist[b], 1);
    atomic_fetch_add(&d->latency_sum_us, (uint_fast64_t)(us > 0 ? us : 0));
    atomic_store(&d->last_latency_us, us);
}

int64_t mdc_rt_retry_delay(unsigned failures, uint64_t seed, int64_t cap)
{
    mdc_backoff b;
    mdc_backoff_init(&b, MDC_RT_RETRY_BASE_US, cap, seed);
    int64_t d = 0;
    for (unsigned i = 0; i < failures && i < 16; i++)
        d = mdc_backoff_next(&b);
    return d;
}

uint64_t mdc_rt_seed(const void *p, int64_t t)
{
    return (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15ull ^ (uint64_t)t;
}

void mdc_rt_note_failure(mdc_rt_device *d, const mdc_err *err, int64_t now, bool log_changes,
                         int64_t cap)
{
    d->failures++;
    d->retry_at_us = now + mdc_rt_retry_delay(d->failures, mdc_rt_seed(d, now), cap);
    if (mdc_rt_err_keep(&d->last_error, err->msg) && log_changes)
        LOG_WARN(d->cfg->id, "unreachable: %s (retrying with backoff)%s", err->msg,
                 mdc_rt_hint(d, err->code));
    atomic_fetch_add(&d->poll_errors, 1);
}

int64_t mdc_rt_bus_retry_cap(const mdc_rt_bus *bus)
{
    int64_t cap = INT64_MAX;
    for (size_t i = 0; i < bus->ndevs; i++)
        if (bus->devs[i]->cfg->retry_max_us < cap) cap = bus->devs[i]->cfg->retry_max_us;
    return cap;
}

void mdc_rt_charge_reconnect(mdc_rt_device *d, int64_t retry_at, const char *msg)
{
    d->failures++;
    d->retry_at_us = retry_at;
    mdc_rt_err_keep(&d->last_error, msg);
}

void mdc_rt_set_identity(const mdc_rt_device *d, mdc_record *rec, int64_t now)
{
    rec->ts_us = now;
    mdc_record_set_device(rec, d->cfg->id);
    rec->has_machine_id = d->cfg->has_machine_id;
    rec->machine_id = d->cfg->machine_id;
}

void mdc_rt_fill_unreachable(mdc_rt_device *d, mdc_record *rec, const char *why)
{
    for (size_t i = rec->nfields; d->fields[i]; i++)
        mdc_record_add_null(rec, d->fields[i], NULL);
    for (size_t i = 0; i < rec->nfields; i++) { /* an unreachable device has no point errors */
        free(rec->fields[i].error);
        rec->fields[i].error = NULL;
        mdc_value_free(&rec->fields[i].v);
    }
    mdc_record_set_error(rec, why);
}

static void log_events(const char *dev, strbuf *events)
{
    char *line = events->buf;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        LOG_WARN(dev, "%s", line);
        line = nl ? nl + 1 : NULL;
    }
}

/* Derive rules, their events logged, the status published, the state as JSON into `state`;
 * the state before them in *before (it comes back if the record is lost). */
static void derive(mdc_runtime *rt, mdc_rt_device *d, mdc_record *rec, strbuf *events,
                   strbuf *state, mdc_derive_state *before)
{
    sb_reset(events);
    sb_reset(state);
    *before = d->st;
    mdc_derive_apply(&d->derive, &rt->shifts, &d->st, rec, events);
    log_events(d->cfg->id, events);
    atomic_store(&d->status, rec->status);
    mdc_derive_state_to_json(&d->st, state);
}

/* The latest record, for the status API, copied into the live record's own memory. */
static void keep_live(mdc_rt_device *d, const mdc_record *rec)
{
    pthread_mutex_lock(&d->live_mu);
    if (rec->error && d->has_live && !d->live.error) { /* keep the last good one: a swap */
        mdc_record t = d->last_ok;
        d->last_ok = d->live;
        d->live = t;
        d->has_last_ok = true;
    }
    mdc_record_assign(&d->live, rec);
    d->has_live = true;
    pthread_mutex_unlock(&d->live_mu);
}

/* A record the spool could not take is lost (counted, logged once a minute per cause); the
 * derive state goes back to what it was before it, so the energy and the counter increase it
 * carried show up in the next stored record's deltas instead of vanishing. */
static void record_lost(mdc_rt_device *d, const mdc_derive_state *before, const mdc_err *err)
{
    d->st = *before;
    bool full = err->code == MDC_ENOSPC;
    atomic_fetch_add(full ? &d->lost_disk_full : &d->lost_spool_error, 1);
    atomic_store(&d->last_loss_us, mdc_now_us());
    uint64_t held = 0;
    if (mdc_ratelimit_allow(&d->loss_log, err->msg, mdc_now_us(), &held))
        LOG_ERROR(d->cfg->id, "record lost: %s (%llu more lost since the last such line)%s",
                  err->msg, (unsigned long long)held,
                  full ? "; free some space in data_dir (or lower spool.max_bytes, the store's "
                         "retention): collection resumes by itself"
                       : "");
}

static void publish(mdc_runtime *rt, mdc_rt_device *d, const mdc_record *rec, int rc,
                    const mdc_err *err, const mdc_derive_state *before)
{
    if (rc < 0) {
        record_lost(d, before, err);
    } else {
        atomic_fetch_add(&d->records, 1);
        if (d->loss_log.cause[0]) LOG_INFO(d->cfg->id, "records are stored again");
        mdc_ratelimit_reset(&d->loss_log);
    }
    keep_live(d, rec);
    if (rt->observer) rt->observer(rt->observer_ctx, rec);
}

static void log_dropped(int64_t dropped)
{
    if (dropped)
        LOG_ERROR("spool",
                  "spool full: dropped the %lld oldest undelivered record%s; a sink has been "
                  "down too long — raise spool.max_records / spool.max_bytes or fix it",
                  (long long)dropped, dropped == 1 ? "" : "s");
}

static void state_key(const mdc_rt_device *d, char *key, size_t n)
{
    snprintf(key, n, "derive:%s", d->cfg->id);
}

void mdc_rt_record_done(mdc_runtime *rt, mdc_rt_device *d, mdc_record *rec)
{
    mdc_derive_state before;
    derive(rt, d, rec, &d->events, &d->state, &before);
    char key[128];
    state_key(d, key, sizeof key);
    mdc_err err = {0};
    int64_t dropped = 0;
    int rc = mdc_spool_append(rt->spool, rec, key, sb_str(&d->state), &d->enc, &dropped, &err);
    publish(rt, d, rec, rc, &err, &before);
    log_dropped(dropped);
}

/* The live state (the API, /healthz, /metrics) shows a held record at once, derived with a
 * copy of the derive state: the real derivation happens once, when the slot's record goes out. */
bool mdc_rt_hold(mdc_runtime *rt, mdc_rt_device *d, mdc_record *rec, int64_t probe_at)
{
    if (!rec->error || !d->failures) return false;
    int64_t until = d->next_due_us;
    if (until - rec->ts_us > MDC_RT_HOLD_MAX_US) until = rec->ts_us + MDC_RT_HOLD_MAX_US;
    if (probe_at >= until) return false;
    mdc_record_assign(&d->held, rec);
    d->has_held = true;
    d->held_until_us = until;
    mdc_derive_state preview = d->st;
    mdc_derive_apply(&d->derive, &rt->shifts, &preview, rec, NULL);
    atomic_store(&d->status, rec->status);
    keep_live(d, rec);
    return true;
}

mdc_record *mdc_rt_take_held(mdc_rt_device *d)
{
    if (!d->has_held) return NULL;
    d->has_held = false;
    return &d->held;
}

bool mdc_rt_held_answered(mdc_rt_device *d)
{
    if (!d->has_held) return false;
    d->has_held = false;
    LOG_DEBUG(d->cfg->id, "read within the slot that could not be read: its record replaces "
                          "the unreachable one");
    return true;
}

void mdc_rt_batch_init(mdc_rt_batch *b)
{
    memset(b, 0, sizeof *b);
    sb_init(&b->events);
}

void mdc_rt_batch_free(mdc_rt_batch *b)
{
    for (size_t i = 0; i < b->cap; i++) {
        mdc_record_free(&b->slots[i].copy);
        sb_free(&b->slots[i].state);
        sb_free(&b->slots[i].enc);
    }
    free(b->slots);
    free(b->items);
    free(b->keys);
    sb_free(&b->events);
    memset(b, 0, sizeof *b);
}

static mdc_rt_batch_slot *new_slot(mdc_rt_batch *b)
{
    if (b->n == b->cap) {
        size_t old = b->cap;
        xgrow(&b->slots, &b->cap, b->n + 1, sizeof *b->slots);
        for (size_t i = old; i < b->cap; i++) {
            mdc_record_init(&b->slots[i].copy);
            sb_init(&b->slots[i].state);
            sb_init(&b->slots[i].enc);
        }
    }
    return &b->slots[b->n++];
}

void mdc_rt_batch_add(mdc_runtime *rt, mdc_rt_batch *b, mdc_rt_device *d, mdc_record *rec)
{
    mdc_rt_batch_slot *s = new_slot(b);
    s->d = d;
    s->rec = rec;
    derive(rt, d, rec, &b->events, &s->state, &s->before);
}

void mdc_rt_batch_add_copy(mdc_runtime *rt, mdc_rt_batch *b, mdc_rt_device *d,
                           const mdc_record *rec)
{
    mdc_rt_batch_slot *s = new_slot(b);
    mdc_record_assign(&s->copy, rec);
    s->d = d;
    s->rec = &s->copy;
    derive(rt, d, s->rec, &b->events, &s->state, &s->before);
}

/* The spool items of the batch; their keys in b->keys (grown, reused). */
static void make_items(mdc_rt_batch *b)
{
    xgrow(&b->items, &b->capitems, b->n, sizeof *b->items);
    xgrow(&b->keys, &b->capkeys, b->n, sizeof *b->keys);
    for (size_t i = 0; i < b->n; i++) {
        state_key(b->slots[i].d, b->keys[i], sizeof b->keys[i]);
        b->items[i] = (mdc_spool_item){.rec = b->slots[i].rec,
                                       .state_key = b->keys[i],
                                       .state = sb_str(&b->slots[i].state),
                                       .enc = &b->slots[i].enc};
    }
}

void mdc_rt_batch_start(mdc_runtime *rt, mdc_rt_batch *b)
{
    if (b->n == 0 || b->ticket) return;
    make_items(b);
    b->ticket = mdc_spool_append_start(rt->spool, b->items, b->n);
}

bool mdc_rt_batch_finish(mdc_runtime *rt, mdc_rt_batch *b, bool wait)
{
    if (!b->ticket) return b->n == 0;
    mdc_err err = {0};
    int64_t dropped = 0;
    int rc = mdc_spool_append_finish(rt->spool, b->ticket, wait, &dropped, &err);
    if (rc == 1) return false; /* still committing */
    b->ticket = NULL;
    for (size_t i = 0; i < b->n; i++)
        publish(rt, b->slots[i].d, b->slots[i].rec, rc, &err, &b->slots[i].before);
    log_dropped(dropped);
    b->n = 0;
    return true;
}

void mdc_rt_batch_flush(mdc_runtime *rt, mdc_rt_batch *b)
{
    mdc_rt_batch_start(rt, b);
    mdc_rt_batch_finish(rt, b, true);
}
