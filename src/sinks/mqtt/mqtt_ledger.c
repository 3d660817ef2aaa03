/* mqtt_ledger.c — see mqtt_ledger.h. */
#include "mqtt_ledger.h"

#include "core/xalloc.h"

#include <stdlib.h>

void mdc_mqtt_ledger_reset(mdc_mqtt_ledger *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->msgs[i].topic);
    l->n = l->pending = l->scan = l->nearly = 0;
}

void mdc_mqtt_ledger_free(mdc_mqtt_ledger *l)
{
    mdc_mqtt_ledger_reset(l);
    free(l->msgs);
    free(l->early);
    *l = (mdc_mqtt_ledger){0};
}

bool mdc_mqtt_reason_ok(int reason)
{
    return reason >= 0 && reason < 0x80; /* 0x10: no matching subscribers is a success */
}

static void settle(mdc_mqtt_ledger *l, mdc_mqtt_msg *m, int reason)
{
    m->state = mdc_mqtt_reason_ok(reason) ? MDC_MQTT_TAKEN : MDC_MQTT_REFUSED;
    m->reason = reason;
    l->pending--;
}

static mdc_mqtt_msg *push(mdc_mqtt_ledger *l, int mid, size_t rec, const char *topic)
{
    xgrow(&l->msgs, &l->cap, l->n + 1, sizeof *l->msgs);
    mdc_mqtt_msg *m = &l->msgs[l->n++];
    *m = (mdc_mqtt_msg){
        .mid = mid, .rec = rec, .state = MDC_MQTT_PENDING, .topic = xstrdup(topic ? topic : "")};
    l->pending++;
    return m;
}

void mdc_mqtt_ledger_add(mdc_mqtt_ledger *l, int mid, size_t rec, const char *topic)
{
    mdc_mqtt_msg *m = push(l, mid, rec, topic);
    for (size_t i = 0; i < l->nearly; i++)
        if (l->early[i].mid == mid) {
            settle(l, m, l->early[i].reason);
            l->early[i] = l->early[--l->nearly];
            return;
        }
}

void mdc_mqtt_ledger_refuse(mdc_mqtt_ledger *l, size_t rec, int reason, const char *topic)
{
    settle(l, push(l, -1, rec, topic), reason);
}

void mdc_mqtt_ledger_ack(mdc_mqtt_ledger *l, int mid, int reason)
{
    while (l->scan < l->n && l->msgs[l->scan].state != MDC_MQTT_PENDING)
        l->scan++;
    for (size_t i = l->scan; i < l->n; i++)
        if (l->msgs[i].mid == mid && l->msgs[i].state == MDC_MQTT_PENDING) {
            settle(l, &l->msgs[i], reason);
            return;
        }
    xgrow(&l->early, &l->capearly, l->nearly + 1, sizeof *l->early);
    l->early[l->nearly++] = (mdc_mqtt_early){mid, reason};
}

size_t mdc_mqtt_ledger_delivered(const mdc_mqtt_ledger *l, size_t nrecs, const mdc_mqtt_msg **bad)
{
    if (bad) *bad = NULL;
    for (size_t i = 0; i < l->n; i++)
        if (l->msgs[i].state != MDC_MQTT_TAKEN) {
            if (bad) *bad = &l->msgs[i];
            return l->msgs[i].rec < nrecs ? l->msgs[i].rec : nrecs;
        }
    return nrecs;
}
