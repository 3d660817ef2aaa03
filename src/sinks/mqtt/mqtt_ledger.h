/* mqtt_ledger.h — which records of a batch the broker has taken.
 *
 * Every message published for a batch is noted with the index of the record it carries (in
 * publish order, so indexes never go down); the broker's acknowledgements (PUBACK, PUBCOMP,
 * or for QoS 0 the write to the socket) mark them taken or refused. The records delivered are
 * those before the first record with a message not taken: what write() reports as progress.
 *
 * Pure bookkeeping (no locks, no I/O): the MQTT connection keeps one under its mutex.
 */
#ifndef MDC_MQTT_LEDGER_H
#define MDC_MQTT_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { MDC_MQTT_PENDING, MDC_MQTT_TAKEN, MDC_MQTT_REFUSED } mdc_mqtt_msg_state;

typedef struct mdc_mqtt_msg {
    int mid;     /* the library's message id */
    size_t rec;  /* index of the record in the batch */
    int state;   /* mdc_mqtt_msg_state */
    int reason;  /* the broker's MQTT 5 reason code, or a negative libmosquitto error */
    char *topic; /* owned, kept for error messages */
} mdc_mqtt_msg;

typedef struct mdc_mqtt_early {
    int mid, reason;
} mdc_mqtt_early;

typedef struct mdc_mqtt_ledger {
    mdc_mqtt_msg *msgs; /* owned */
    size_t n, cap;
    size_t pending;        /* messages not acknowledged yet */
    size_t scan;           /* no pending message before this index */
    mdc_mqtt_early *early; /* acknowledgements that came before their message was noted */
    size_t nearly, capearly;
} mdc_mqtt_ledger;

/* Forgets everything (keeps memory). */
void mdc_mqtt_ledger_reset(mdc_mqtt_ledger *l);
void mdc_mqtt_ledger_free(mdc_mqtt_ledger *l);
/* Notes a published message (topic copied). */
void mdc_mqtt_ledger_add(mdc_mqtt_ledger *l, int mid, size_t rec, const char *topic);
/* Notes a message that could not even be published: refused with libmosquitto error -rc. */
void mdc_mqtt_ledger_refuse(mdc_mqtt_ledger *l, size_t rec, int reason, const char *topic);
/* The broker acknowledged mid with an MQTT 5 reason code (0 for MQTT 3.1.1). */
void mdc_mqtt_ledger_ack(mdc_mqtt_ledger *l, int mid, int reason);
/* True when a reason code means the broker took the message. */
bool mdc_mqtt_reason_ok(int reason);
/* Records [0, result) of the nrecs published are taken; *bad (may be NULL) is the first message
 * not taken (pending or refused), or NULL when all are. */
size_t mdc_mqtt_ledger_delivered(const mdc_mqtt_ledger *l, size_t nrecs, const mdc_mqtt_msg **bad);

#endif
