/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_internal.h — the "opcua" driver's configuration and bus, shared by its files:
 * opcua_keys.c and opcua_driver.c (configuration), opcua_bus.c (connection, poll, subscription),
 * opcua_values.c (values to record fields) and opcua_inspect.c (browse). */
#ifndef MDC_OPCUA_INTERNAL_H
#define MDC_OPCUA_INTERNAL_H

#include "opcua_driver.h"
#include "ua_client.h"
#include "ua_pki.h"
#include "ua_sub.h"
#include "ua_transport.h"

#include "core/backoff.h"
#include "core/catalog.h"

typedef enum { OPCUA_READ, OPCUA_SUBSCRIBE } opcua_mode;

/* opcua_keys.c: the keys of a device, its "security", a node object and "deadband"
 * (core/keys.h), and the choices of security. */
struct mdc_keyset;
extern const struct mdc_keyset opcua_device_keyset, opcua_security_keyset, opcua_node_keyset,
    opcua_deadband_keyset;
extern const struct mdc_keyset *const opcua_nested_keysets[];
extern const char *const opcua_policy_names[];
extern const char *const opcua_security_mode_names[];

typedef struct opcua_node {
    char *name;          /* owned */
    const char *text;    /* the node id as configured */
    ua_nodeid id;        /* parsed; ns resolved from ns_uri once connected */
    char *ns_uri;        /* "nsu=" form, else NULL */
    mdc_field_info info; /* unit, label, decimals, enum when the node is an object */
} opcua_node;

typedef struct opcua_cfg {
    char *id; /* device id */
    const char *endpoint;
    const ua_policy *policy;
    int mode; /* UA_MODE_* */
    ua_trust_mode trust;
    const char *user, *password;
    bool allow_plain_password;
    ua_user_cert user_cert; /* "user_certificate" + "user_private_key"; owned */
    bool have_user_cert;
    char *pki_dir;
    const char *app_uri;
    bool verify_hostname, verify_app_uri; /* server certificate names (default on) */
    opcua_mode collect;
    int64_t timeout_us, lifetime_us, session_timeout_us;
    int64_t sampling_us, publishing_us;
    uint32_t queue_size;
    int deadband_type;
    double deadband;
    uint32_t buffer_size;
    bool source_timestamps;
    opcua_node *nodes;
    size_t nnodes;
    const char **fields; /* NULL-terminated */
    char **owned_fields; /* "<name>_source_time" */
} opcua_cfg;

typedef struct opcua_bus {
    const opcua_cfg *cfg;
    ua_own_cert own;
    bool have_own;
    ua_client *client;
    ua_sub *sub;
    ua_nodeid *ids; /* resolved node ids, one per node */
    uint32_t max_per_read, max_per_call;
    ua_datavalue *last; /* subscribe mode: latest value per node */
    bool *have;
    bool down;           /* lost; reconnect before the next use */
    int64_t retry_at_us; /* mdc_mono_us() */
    mdc_backoff backoff;
    char last_error[MDC_ERR_MSG_MAX];
    int64_t last_request_us;
} opcua_bus;

int opcua_bus_open(const void *cfg, void **bus, mdc_err *err);
void opcua_bus_close(void *bus);
bool opcua_bus_broken(void *bus);
int opcua_poll(void *bus, const void *cfg, mdc_record *rec, mdc_err *err);
void opcua_idle(void *bus, int64_t until_mono_us);
int opcua_inspect(void *bus, const void *cfg, int argc, char **argv, strbuf *out, mdc_err *err);
/* Makes sure the client is connected (reconnecting with backoff when it was lost). */
int opcua_bus_ready(opcua_bus *b, mdc_err *err);

/* Sets a record field from a DataValue: the value, or null with the status as error. */
void opcua_set_field(mdc_field *f, const ua_datavalue *dv);
/* "2026-11-22T06:00:05.123456+00:00" of the source timestamp, or null. */
void opcua_set_time_field(mdc_field *f, const ua_datavalue *dv);

#endif
