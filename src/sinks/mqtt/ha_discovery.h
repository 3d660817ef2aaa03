/* SPDX-License-Identifier: Apache-2.0 */
/* ha_discovery.h — Home Assistant MQTT discovery for the "mqtt" sink (pure: topics and JSON).
 *
 * One Home Assistant device per mdc device (identifiers ["NODE_DEVICE"], manufacturer "mdc",
 * model = the driver) with one sensor per field: device_class and state_class from what the
 * catalog says the field measures (energy registers that only grow: device_class energy,
 * state_class total_increasing — usable in the Energy dashboard), unit_of_measurement,
 * suggested_display_precision, the sink's availability topic, and a state_topic with a
 * value_template that picks the value out of the sink's own messages. The machine status is an
 * enum sensor (OFF, ON, PRODUCTION).
 *
 * Config topics: PREFIX/sensor/NODE/OBJECT/config, OBJECT = DEVICE_FIELD with every character
 * outside [a-zA-Z0-9_-] replaced by '_'.
 */
#ifndef MDC_HA_DISCOVERY_H
#define MDC_HA_DISCOVERY_H

#include "core/catalog.h"
#include "core/strbuf.h"

#include <stdbool.h>

typedef struct mdc_ha_ctx {
    const char *prefix;             /* "homeassistant" */
    const char *node_id;            /* [a-zA-Z0-9_-]+ */
    const char *availability_topic; /* NULL: none */
    const char *topic;              /* the sink's data topic template */
    const char *status_topic;       /* the sink's status topic template, or NULL */
    bool per_point;                 /* the data topic carries one value ({"value": ...}) */
    int qos;
} mdc_ha_ctx;

/* Home Assistant's device_class for a field, or NULL: only with a unit Home Assistant accepts
 * for that class (energy only for running totals). The quantity comes from the catalog, else
 * from the unit. */
const char *mdc_ha_device_class(const mdc_field_info *f);
/* "measurement", "total_increasing" or NULL (not known to be numeric). */
const char *mdc_ha_state_class(const mdc_field_info *f);
/* OBJECT for a field ("status" for the machine status). */
void mdc_ha_object_id(const char *device, const char *field, strbuf *out);
/* PREFIX/sensor/NODE/ */
void mdc_ha_topic_base(const mdc_ha_ctx *h, strbuf *out);
/* The discovery message of field f of device d (appended to topic and payload). */
void mdc_ha_field_config(const mdc_ha_ctx *h, const mdc_device_info *d, const mdc_field_info *f,
                         strbuf *topic, strbuf *payload);
/* The discovery message of d's machine status. */
void mdc_ha_status_config(const mdc_ha_ctx *h, const mdc_device_info *d, strbuf *topic,
                          strbuf *payload);
/* A node id made of s: characters outside [a-zA-Z0-9_-] become '_'. */
void mdc_ha_clean_id(const char *s, strbuf *out);

#endif
