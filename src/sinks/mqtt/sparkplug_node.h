/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_node.h — the Sparkplug B 3.0 edge node state machine of the "sparkplug" sink (pure:
 * it decides what to publish and hands each message to an emitter; no I/O).
 *
 * Topics: spBv1.0/GROUP/{NBIRTH,NDEATH,DBIRTH,DDATA,DDEATH}/EDGE[/DEVICE]. The NBIRTH (seq 0)
 * carries bdSeq (Int64) and Node Control/Rebirth (Boolean false); every later message carries
 * the next seq, 0-255 wrapping. A device's first record after an NBIRTH (or after its death,
 * or when a new metric or another data type appears) becomes its DBIRTH: every metric with name,
 * alias, datatype, value and unit (the "engUnit" property); later records become DDATA with
 * aliases only and only the metrics whose value changed (report by exception; a record that
 * changed nothing publishes nothing). A record with a device-level error (unreachable) becomes
 * the device's DDEATH. Metric and payload timestamps are the record's sample time (ms): a record
 * sent again from the spool gives the same metrics.
 *
 * Aliases are unique across the edge node: (device slot + 1) << 16 | (metric index + 1).
 */
#ifndef MDC_SPARKPLUG_NODE_H
#define MDC_SPARKPLUG_NODE_H

#include "core/catalog.h"
#include "core/record.h"
#include "core/strbuf.h"

#include <stdbool.h>
#include <stdint.h>

/* Publishes one message: 0 when it is on its way, 1 refused for good, -1 temporary failure. */
typedef int (*mdc_sp_emit)(void *ctx, const char *topic, const strbuf *payload);

typedef struct mdc_sp_metric_state {
    char *name; /* owned */
    uint32_t datatype;
    mdc_value last; /* owned; what the host has (MDC_NULL: null) */
} mdc_sp_metric_state;

typedef struct mdc_sp_device {
    char *id; /* owned */
    bool born;
    mdc_sp_metric_state *m;
    size_t n, cap;
} mdc_sp_device;

typedef struct mdc_sp_node {
    char *group, *edge;         /* owned */
    const mdc_catalog *catalog; /* may be NULL: no units */
    int seq;                    /* of the last message; -1 before the NBIRTH */
    mdc_sp_device *devs;        /* slot = index */
    size_t ndevs, cap;
    strbuf topic, payload;
    mdc_sp_emit emit;
    void *ctx;
} mdc_sp_node;

void mdc_sp_node_init(mdc_sp_node *n, const char *group, const char *edge, mdc_sp_emit emit,
                      void *ctx);
void mdc_sp_node_free(mdc_sp_node *n);
/* spBv1.0/GROUP/TYPE/EDGE[/DEVICE] into out (reset first). */
void mdc_sp_topic(const mdc_sp_node *n, const char *type, const char *device, strbuf *out);
/* The NDEATH payload for bdseq (the Last Will), into out (reset first). */
void mdc_sp_ndeath_payload(uint64_t ts_ms, int bdseq, strbuf *out);
/* Publishes the NBIRTH (seq 0); every device is born again with its next record. */
int mdc_sp_nbirth(mdc_sp_node *n, uint64_t ts_ms, int bdseq);
/* Publishes what record r means for its device (DBIRTH, DDATA, DDEATH or nothing). */
int mdc_sp_record(mdc_sp_node *n, const mdc_record *r);
/* DBIRTH again, from what the host last got, for every device born now (after a rebirth
 * request's NBIRTH, which unmarked them: call with the state from before it). */
int mdc_sp_rebirth_devices(mdc_sp_node *n, uint64_t ts_ms, const bool *was_born);

#endif
