/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_ledger.c — see mqtt_ledger.h. */
#include "mqtt_ledger.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define PACKET_ID_NOT_FOUND 0x92 /* MQTT 5: PUBCOMP for a PUBREL the broker already completed */

bool mdc_mqtt_reason_ok(int reason)
{
    return reason >= 0 && reason < 0x80; /* 0x10: no matching subscribers is a success */
}

/* ---- the key index (open addressing; rebuilt whole, never deleted from) ---- */

static size_t key_hash(mdc_mqtt_key k)
{
    uint64_t h = (uint64_t)k.seq * 0x9E3779B97F4A7C15u ^ (uint64_t)(uint32_t)k.part;
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9u;
    return (size_t)(h ^ (h >> 29));
}

static bool key_eq(mdc_mqtt_key a, mdc_mqtt_key b)
{
    return a.seq == b.seq && a.part == b.part;
}

/* The slot of key: the one holding it, or the empty one where it goes. */
static size_t *slot_of(const mdc_mqtt_ledger *l, mdc_mqtt_key key)
{
    size_t mask = l->nslots - 1;
    for (size_t i = key_hash(key) & mask;; i = (i + 1) & mask) {
        size_t *s = &l->slots[i];
        if (!*s || key_eq(l->msgs[*s - 1].key, key)) return s;
    }
}

static void index_all(mdc_mqtt_ledger *l, size_t nslots)
{
    free(l->slots);
    l->nslots = nslots;
    l->slots = xcalloc(nslots, sizeof *l->slots);
    l->nkeyed = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->msgs[i].key.seq <= 0) continue;
        size_t *s = slot_of(l, l->msgs[i].key);
        if (!*s) l->nkeyed++;
        *s = i + 1; /* a later message with the same key replaces an earlier one */
    }
}

static void index_one(mdc_mqtt_ledger *l, size_t i)
{
    if (l->msgs[i].key.seq <= 0) return;
    if (2 * (l->nkeyed + 1) >= l->nslots) {
        index_all(l, l->nslots ? 2 * l->nslots : 64);
        return;
    }
    size_t *s = slot_of(l, l->msgs[i].key);
    if (!*s) l->nkeyed++;
    *s = i + 1;
}

/* ---- messages ---- */

void mdc_mqtt_ledger_clear(mdc_mqtt_ledger *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->msgs[i].topic);
    l->n = l->pending = l->batch_pending = l->scan = l->nearly = l->nkeyed = 0;
    if (l->slots) memset(l->slots, 0, l->nslots * sizeof *l->slots);
}

void mdc_mqtt_ledger_free(mdc_mqtt_ledger *l)
{
    mdc_mqtt_ledger_clear(l);
    free(l->msgs);
    free(l->slots);
    free(l->early);
    *l = (mdc_mqtt_ledger){0};
}

/* Worth keeping for a batch starting at first_seq: in flight, or taken for a record to come. */
static bool keep(const mdc_mqtt_msg *m, int64_t first_seq)
{
    if (m->state == MDC_MQTT_PENDING) return true;
    return m->state == MDC_MQTT_TAKEN && m->key.seq > 0 && m->key.seq >= first_seq;
}

void mdc_mqtt_ledger_begin(mdc_mqtt_ledger *l, int64_t first_seq)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        mdc_mqtt_msg *m = &l->msgs[i];
        if (!keep(m, first_seq)) {
            free(m->topic);
            continue;
        }
        m->rec = MDC_MQTT_NO_REC;
        l->msgs[kept++] = *m;
    }
    l->n = kept;
    l->batch_pending = l->scan = 0;
    l->nearly = 0; /* an acknowledgement comes before its message only while it is published */
    size_t nslots = 64;
    while (nslots <= 2 * kept)
        nslots *= 2;
    index_all(l, nslots);
}

bool mdc_mqtt_ledger_attach(mdc_mqtt_ledger *l, mdc_mqtt_key key, size_t rec)
{
    if (key.seq <= 0 || !l->nslots) return false;
    size_t s = *slot_of(l, key);
    if (!s) return false;
    mdc_mqtt_msg *m = &l->msgs[s - 1];
    if (m->state != MDC_MQTT_PENDING && m->state != MDC_MQTT_TAKEN) return false;
    if (m->state == MDC_MQTT_PENDING && m->rec == MDC_MQTT_NO_REC) l->batch_pending++;
    m->rec = rec;
    return true;
}

static void settle(mdc_mqtt_ledger *l, mdc_mqtt_msg *m, int state, int reason)
{
    m->state = state;
    m->reason = reason;
    l->pending--;
    if (m->rec != MDC_MQTT_NO_REC) l->batch_pending--;
}

static void settle_by_reason(mdc_mqtt_ledger *l, mdc_mqtt_msg *m, int reason)
{
    bool ok = mdc_mqtt_reason_ok(reason) || (m->qos == 2 && reason == PACKET_ID_NOT_FOUND);
    settle(l, m, ok ? MDC_MQTT_TAKEN : MDC_MQTT_REFUSED, reason);
}

/* The pending message with this id, or NULL. */
static mdc_mqtt_msg *pending_mid(mdc_mqtt_ledger *l, int mid)
{
    while (l->scan < l->n && l->msgs[l->scan].state != MDC_MQTT_PENDING)
        l->scan++;
    for (size_t i = l->scan; i < l->n; i++)
        if (l->msgs[i].mid == mid && l->msgs[i].state == MDC_MQTT_PENDING) return &l->msgs[i];
    return NULL;
}

static mdc_mqtt_msg *push(mdc_mqtt_ledger *l, int mid, int qos, mdc_mqtt_key key, size_t rec,
                          const char *topic)
{
    xgrow(&l->msgs, &l->cap, l->n + 1, sizeof *l->msgs);
    mdc_mqtt_msg *m = &l->msgs[l->n++];
    *m = (mdc_mqtt_msg){.mid = mid,
                        .qos = qos,
                        .key = key,
                        .rec = rec,
                        .state = MDC_MQTT_PENDING,
                        .topic = xstrdup(topic ? topic : "")};
    l->pending++;
    if (rec != MDC_MQTT_NO_REC) l->batch_pending++;
    index_one(l, l->n - 1);
    return m;
}

void mdc_mqtt_ledger_add(mdc_mqtt_ledger *l, int mid, int qos, mdc_mqtt_key key, size_t rec,
                         const char *topic)
{
    mdc_mqtt_msg *old = pending_mid(l, mid);
    if (old) settle(l, old, MDC_MQTT_LOST, 0); /* the library reused its id: it is gone */
    mdc_mqtt_msg *m = push(l, mid, qos, key, rec, topic);
    for (size_t i = 0; i < l->nearly; i++)
        if (l->early[i].mid == mid) {
            settle_by_reason(l, m, l->early[i].reason);
            l->early[i] = l->early[--l->nearly];
            return;
        }
}

void mdc_mqtt_ledger_refuse(mdc_mqtt_ledger *l, size_t rec, int reason, const char *topic)
{
    mdc_mqtt_msg *m = push(l, -1, 0, (mdc_mqtt_key){0, 0}, rec, topic);
    settle(l, m, MDC_MQTT_REFUSED, reason);
}

void mdc_mqtt_ledger_ack(mdc_mqtt_ledger *l, int mid, int reason)
{
    mdc_mqtt_msg *m = pending_mid(l, mid);
    if (m) {
        settle_by_reason(l, m, reason);
        return;
    }
    xgrow(&l->early, &l->capearly, l->nearly + 1, sizeof *l->early);
    l->early[l->nearly++] = (mdc_mqtt_early){mid, reason};
}

void mdc_mqtt_ledger_lose(mdc_mqtt_ledger *l, int max_qos)
{
    for (size_t i = l->scan; i < l->n; i++)
        if (l->msgs[i].state == MDC_MQTT_PENDING && l->msgs[i].qos <= max_qos)
            settle(l, &l->msgs[i], MDC_MQTT_LOST, 0);
}

size_t mdc_mqtt_ledger_delivered(const mdc_mqtt_ledger *l, size_t nrecs, const mdc_mqtt_msg **bad)
{
    const mdc_mqtt_msg *first = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const mdc_mqtt_msg *m = &l->msgs[i];
        if (m->rec < nrecs && m->state != MDC_MQTT_TAKEN && (!first || m->rec < first->rec))
            first = m;
    }
    if (bad) *bad = first;
    return first ? first->rec : nrecs;
}
