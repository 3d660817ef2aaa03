/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_ledger.h — what the broker has taken, for one MQTT session.
 *
 * Every message handed to libmosquitto is noted with the library's message id and, when it
 * carries part of a record, its key: the record's spool sequence number and which of the
 * record's messages it is. The broker's acknowledgements (PUBACK, PUBCOMP, or for QoS 0 the
 * write to the socket) mark messages taken or refused.
 *
 * The ledger outlives batches and connections: while the session lasts, libmosquitto keeps the
 * QoS 1/2 messages in flight and resends them after a reconnect (same packet id, DUP flag), so
 * a record offered again is not published again: a message of it still in flight is waited
 * for, one the broker took counts at once. Only a refused message, or one lost with its
 * connection (QoS 0) or with the session, is published anew.
 *
 * A batch: begin() starts it and forgets what no later batch can need (settled messages of
 * records before the batch's first, refusals, losses); every message published for record i of
 * the batch, or found by its key, is attached to i; delivered() says how many records from the
 * start of the batch are taken.
 *
 * Pure bookkeeping (no locks, no I/O): the MQTT connection keeps one under its mutex.
 */
#ifndef MDC_MQTT_LEDGER_H
#define MDC_MQTT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MDC_MQTT_NO_REC SIZE_MAX /* a message not attached to the current batch */

typedef enum {
    MDC_MQTT_PENDING, /* in flight in libmosquitto */
    MDC_MQTT_TAKEN,
    MDC_MQTT_REFUSED,
    MDC_MQTT_LOST /* gone with its connection (QoS 0) or session: never acknowledged */
} mdc_mqtt_msg_state;

/* Which message of which record: seq > 0 the record's spool sequence number, part which of its
 * messages (a record gives the same messages each time it is offered). seq 0: no key (messages
 * no record owns, or that must be published each time). */
typedef struct mdc_mqtt_key {
    int64_t seq;
    int part;
} mdc_mqtt_key;

typedef struct mdc_mqtt_msg {
    int mid; /* the library's message id; -1 for a message the library refused */
    int qos;
    mdc_mqtt_key key;
    size_t rec;  /* index of its record in the current batch, or MDC_MQTT_NO_REC */
    int state;   /* mdc_mqtt_msg_state */
    int reason;  /* the broker's MQTT 5 reason code, or a negative libmosquitto error */
    char *topic; /* owned, kept for error messages */
} mdc_mqtt_msg;

typedef struct mdc_mqtt_early {
    int mid, reason;
} mdc_mqtt_early;

typedef struct mdc_mqtt_ledger {
    mdc_mqtt_msg *msgs; /* owned, in publish order */
    size_t n, cap;
    size_t *slots;         /* owned: keyed messages by key (message index + 1; 0: empty) */
    size_t nslots, nkeyed; /* nslots 0 or a power of two above twice nkeyed */
    size_t pending;        /* messages in flight */
    size_t batch_pending;  /* ... of them attached to the current batch */
    size_t scan;           /* no pending message before this index */
    mdc_mqtt_early *early; /* acknowledgements that came before their message was noted */
    size_t nearly, capearly;
} mdc_mqtt_ledger;

void mdc_mqtt_ledger_free(mdc_mqtt_ledger *l);
/* Forgets every message (the session is gone with its client object). */
void mdc_mqtt_ledger_clear(mdc_mqtt_ledger *l);
/* Starts a batch whose first record has spool sequence number first_seq (0: a batch of
 * messages no record owns): detaches every message and forgets the settled ones without a key,
 * the refused and lost ones, and the taken ones of records before first_seq. */
void mdc_mqtt_ledger_begin(mdc_mqtt_ledger *l, int64_t first_seq);
/* A message with this key in flight or taken: attaches it to record rec and returns true (do
 * not publish it again); false when there is none (publish it). */
bool mdc_mqtt_ledger_attach(mdc_mqtt_ledger *l, mdc_mqtt_key key, size_t rec);
/* Notes a message handed to the library for record rec (topic copied). */
void mdc_mqtt_ledger_add(mdc_mqtt_ledger *l, int mid, int qos, mdc_mqtt_key key, size_t rec,
                         const char *topic);
/* Notes a message that could not even be published: refused with libmosquitto error -rc. */
void mdc_mqtt_ledger_refuse(mdc_mqtt_ledger *l, size_t rec, int reason, const char *topic);
/* The broker acknowledged mid with an MQTT 5 reason code (0 for MQTT 3.1.1). */
void mdc_mqtt_ledger_ack(mdc_mqtt_ledger *l, int mid, int reason);
/* The messages in flight of QoS max_qos or less will never be acknowledged (QoS 0 with a lost
 * connection, all with a lost session). */
void mdc_mqtt_ledger_lose(mdc_mqtt_ledger *l, int max_qos);
/* True when a reason code means the broker took the message. */
bool mdc_mqtt_reason_ok(int reason);
/* Records [0, result) of the first nrecs of the batch are taken; *bad (may be NULL) is the
 * first message of record [result] not taken (pending, refused or lost), or NULL when all
 * nrecs are. */
size_t mdc_mqtt_ledger_delivered(const mdc_mqtt_ledger *l, size_t nrecs, const mdc_mqtt_msg **bad);

#endif
