/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_conn_internal.h — what mqtt_conn.c (connecting) and mqtt_publish.c (batches) share. */
#ifndef MDC_MQTT_CONN_INTERNAL_H
#define MDC_MQTT_CONN_INTERNAL_H

#include "mqtt_conn.h"
#include "mqtt_ledger.h"

#include <pthread.h>

struct mosquitto;

struct mdc_mqtt_conn {
    mdc_mqtt_conn_cfg cfg; /* owned copy */
    struct mosquitto *mosq;
    bool loop_started;
    mdc_mqtt_on_message on_message;
    void *ctx;
    pthread_mutex_t mu; /* guards everything below; the loop thread writes it */
    pthread_cond_t cv;
    bool connected, conn_done; /* CONNACK or failure seen */
    int conn_rc, disc_rc;
    int suback_mid, sub_granted; /* the last SUBACK seen */
    int sub_want;                /* the SUBACK waited for */
    char last_log[256];
    bool log_error; /* the library reported an error (a failed TLS handshake...) */
    mdc_mqtt_ledger ledger;
    /* persistent sessions (mqtt_conn.h) */
    char session_id[32]; /* the generated client id of this process's session ("" if none) */
    bool wiped;          /* a configured client id's old session was ended (clean start) */
    bool kept;           /* mosq is disconnected but kept with its session and messages */
};

/* err = "mqtt HOST:PORT: what: libmosquitto's reason (its last log line)"; returns -1. */
int mdc_mqtt_lib_fail(mdc_mqtt_conn *c, mdc_err *err, const char *what, int rc);
/* Waits (c->mu held) until pred holds or the deadline passes; returns pred. */
bool mdc_mqtt_wait_locked(mdc_mqtt_conn *c, int64_t deadline_us,
                          bool (*pred)(const mdc_mqtt_conn *));
/* Why the connection was lost, for people. */
const char *mdc_mqtt_disc_text(const mdc_mqtt_conn *c, int rc, char *buf, size_t size);

#endif
