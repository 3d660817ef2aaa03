/* SPDX-License-Identifier: Apache-2.0 */
/* mqtt_module.c — the mqtt module's entry (core/module.h): the MQTT and Sparkplug B sinks. */
#include "mqtt_conn.h"
#include "mqtt_sink.h"
#include "sparkplug_sink.h"

#include "core/keys.h"
#include "sinks/sink_config.h"

static int build_mqtt(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    return mdc_sink_mqtt_build(n, cfg->instance, out, err);
}

static int build_sparkplug(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out,
                           mdc_err *err)
{
    return mdc_sink_sparkplug_build(n, cfg->data_dir, cfg->instance, out, err);
}

static const mdc_sink_type mqtt_types[] = {
    {"mqtt", build_mqtt, &mdc_mqtt_keyset, NULL},
    {"sparkplug", build_sparkplug, &mdc_sparkplug_keyset, NULL},
    {0},
};

static const mdc_keyset *const mqtt_nested[] = {&mdc_mqtt_conn_keyset, &mdc_mqtt_tls_keyset,
                                                &mdc_mqtt_ha_keyset, NULL};

const mdc_sink_module mdc_module_mqtt = {{"mqtt", MDC_VERSION}, mqtt_types, mqtt_nested};
