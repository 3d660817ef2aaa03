/* SPDX-License-Identifier: Apache-2.0 */
/* ua_sub.h — one subscription with data-change monitored items (Part 4 §5.12-5.13): created
 * in batches of the server's MaxMonitoredItemsPerCall, Publish requests kept outstanding with
 * acknowledgements, keep-alives watched, and after a reconnection either continued
 * (Republish of what was missed), transferred to the new session, or re-created. */
#ifndef MDC_UA_SUB_H
#define MDC_UA_SUB_H

#include "ua_client.h"
#include "ua_types.h"

#include "core/err.h"

enum { UA_DEADBAND_NONE = 0, UA_DEADBAND_ABSOLUTE = 1, UA_DEADBAND_PERCENT = 2 };

typedef struct ua_sub_item_cfg {
    ua_nodeid node;     /* copied by ua_sub_create */
    double sampling_ms; /* -1: the publishing interval */
    uint32_t queue_size;
    int deadband_type; /* UA_DEADBAND_* */
    double deadband;
} ua_sub_item_cfg;

typedef struct ua_sub_params {
    double publish_ms;
    uint32_t keepalive_count;
    uint32_t lifetime_count;
    uint32_t max_per_call; /* monitored items per CreateMonitoredItems (0 = all) */
    int publish_requests;  /* outstanding Publish requests (default 2) */
} ua_sub_params;

/* Called for every value notification: index into the item list. */
typedef void (*ua_sub_value_fn)(void *arg, size_t index, const ua_datavalue *dv);

typedef struct ua_sub ua_sub;

/* Creates the subscription and its items on the client's session. Items the server refused
 * keep their status (ua_sub_item_status) and yield no values. */
int ua_sub_create(ua_client *c, const ua_sub_params *p, const ua_sub_item_cfg *items, size_t n,
                  ua_sub_value_fn fn, void *arg, ua_sub **out, mdc_err *err);
/* Sends Publish requests and handles responses until the deadline. -1 when the connection or
 * the subscription failed (reconnect, then ua_sub_resume). */
int ua_sub_run(ua_sub *s, int64_t deadline, mdc_err *err);
/* After ua_client_reconnect(): continues, transfers or re-creates the subscription. */
int ua_sub_resume(ua_sub *s, bool new_session, mdc_err *err);
uint32_t ua_sub_item_status(const ua_sub *s, size_t index);
uint32_t ua_sub_id(const ua_sub *s);
/* Counters for tests and status: notifications, keep-alives, re-creations. */
typedef struct ua_sub_stats {
    uint64_t data_messages, keepalives, values, republished;
    unsigned recreated, transferred;
} ua_sub_stats;
ua_sub_stats ua_sub_get_stats(const ua_sub *s);
/* Deletes nothing on the server (CloseSession does); frees. */
void ua_sub_free(ua_sub *s);

#endif
