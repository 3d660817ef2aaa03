/* SPDX-License-Identifier: Apache-2.0 */
/* ha_announce.h — Home Assistant discovery messages published after each connect. */
#ifndef MDC_HA_ANNOUNCE_H
#define MDC_HA_ANNOUNCE_H

#include "ha_discovery.h"
#include "mqtt_conn.h"

/* Publishes (retained, QoS 1) a sensor config for every field of every catalog device, and an
 * empty retained config for every retained config of this node the catalog no longer has;
 * waits for the broker to take them all. sync_topic: a topic of ours for the marker. */
int mdc_ha_announce(mdc_mqtt_conn *c, const mdc_ha_ctx *h, const mdc_catalog *cat,
                    const char *sync_topic, mdc_err *err);

#endif
