/* SPDX-License-Identifier: Apache-2.0 */
/* ua_sub_internal.h — subscription state shared by ua_sub.c (creation, recovery) and
 * ua_publish.c (the Publish loop). */
#ifndef MDC_UA_SUB_INTERNAL_H
#define MDC_UA_SUB_INTERNAL_H

#include "ua_assemble.h"
#include "ua_sub.h"

#define UA_MAX_ACKS 64

typedef struct ua_sub_item {
    ua_sub_item_cfg cfg;
    uint32_t status;
    uint32_t monitored_id;
} ua_sub_item;

struct ua_sub {
    ua_client *c;
    ua_sub_params p;
    ua_sub_item *items;
    size_t n;
    ua_sub_value_fn fn;
    void *arg;
    uint32_t id;
    double publish_ms;
    uint32_t keepalive_count, lifetime_count;
    /* publish loop */
    int outstanding;
    int target;
    uint32_t acks[UA_MAX_ACKS];
    int nacks;
    uint32_t last_seq;
    bool have_seq;
    int64_t last_heard_us; /* mdc_mono_us() of the last Publish response */
    uint32_t failure;      /* a status that ends the subscription (set by the handler) */
    ua_sub_stats stats;
};

int ua_sub_publish_init(ua_sub *s);
void ua_sub_on_response(void *arg, uint32_t request_id, const ua_msg *m);
/* Handles one NotificationMessage (also from Republish). */
int ua_sub_notification(ua_sub *s, ua_r *r);
int ua_sub_create_on_server(ua_sub *s, mdc_err *err);

#endif
