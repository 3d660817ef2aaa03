/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_sink.h — the "sparkplug" sink: mdc as a Sparkplug B 3.0 edge node.
 *
 *   {"type": "sparkplug", "url": "mqtt://127.0.0.1:1883", "group_id": "plant",
 *    "edge_node_id": "hall-2", "primary_host_id": "scada"}
 *
 * Keys: the connection's (mqtt_conn.h), group_id ("mdc"), edge_node_id (default: this host's
 * name; distinct per mdc instance), primary_host_id (none: publish at once; else hold until its
 * STATE says online and stop while it says offline), qos (1: the broker acknowledges every
 * birth, data and death message before its record leaves the spool; 0: the specification's
 * QoS for them, written to the socket = delivered).
 *
 * Lifecycle: the NDEATH (with this connection's bdSeq) is the Last Will; after CONNACK the
 * bdSeq of the next connection is stored (data_dir/sparkplug-GROUP-EDGE.bdseq, so bdSeq goes on
 * across restarts), NCMD is subscribed, the primary host's STATE awaited, and the NBIRTH
 * published. Records become DBIRTH/DDATA/DDEATH (sparkplug_node.h). An NCMD with Node
 * Control/Rebirth = true, or a failed batch, makes the next write publish NBIRTH and every
 * device's DBIRTH again. A clean stop publishes the NDEATH itself before disconnecting.
 *
 * Sink id: "sparkplug:HOST:PORT/GROUP/EDGE".
 */
#ifndef MDC_SPARKPLUG_SINK_H
#define MDC_SPARKPLUG_SINK_H

#include "core/confread.h"
#include "sinks/mqtt/mqtt_conn.h"
#include "sinks/sink.h"

typedef struct mdc_sparkplug_cfg {
    mdc_mqtt_conn_cfg conn;
    const char *group_id, *edge_node_id;
    const char *primary_host_id; /* NULL: none */
    int qos;
    const char *bdseq_path; /* where bdSeq lives between runs */
} mdc_sparkplug_cfg;

/* data_dir: where the bdSeq file goes. */
struct mdc_keyset;
extern const struct mdc_keyset mdc_sparkplug_keyset;
int mdc_sink_sparkplug_build(const mdc_cfgnode *n, const char *data_dir, const char *instance,
                             mdc_sink **out, mdc_err *err);
/* The config is copied. */
mdc_sink *mdc_sink_sparkplug_new(const mdc_sparkplug_cfg *cfg);

/* bdSeq store: the value in path (0 when the file does not exist yet), or -1 with err. */
int mdc_sp_bdseq_load(const char *path, int *out, mdc_err *err);
/* Writes value durably (a temporary file, fsync, rename). */
int mdc_sp_bdseq_store(const char *path, int value, mdc_err *err);

#endif
