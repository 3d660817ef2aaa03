/* SPDX-License-Identifier: Apache-2.0 */
/* ha_discovery.c — see ha_discovery.h. Home Assistant's rules followed here (its MQTT sensor and
 * sensor-entity documentation): a sensor needs state_topic; a device needs identifiers and an
 * entity with a unique_id; device_class power/energy/voltage/current/frequency/power_factor/
 * duration each accept only certain units; energy takes state_class total or total_increasing
 * (never measurement); an enum sensor has options and neither unit nor state_class. */
#include "ha_discovery.h"
#include "mqtt_sink.h"

#include "format/json_out.h"

#include "core/record.h"

#include <inttypes.h>
#include <string.h>

typedef struct quantity_units {
    const char *quantity; /* mdc's catalog name = Home Assistant's device_class */
    const char *const *units;
    bool unitless_ok;
} quantity_units;

static const char *const power_units[] = {"W", "kW", "MW", "GW", "TW", "mW", "BTU/h", NULL};
static const char *const energy_units[] = {"Wh", "kWh", "MWh",  "GWh",  "TWh",  "mWh", "MJ",
                                           "GJ", "cal", "kcal", "Mcal", "Gcal", NULL};
static const char *const voltage_units[] = {"V", "mV", "µV", "kV", "MV", NULL};
static const char *const current_units[] = {"A", "mA", NULL};
static const char *const frequency_units[] = {"Hz", "kHz", "MHz", "GHz", NULL};
static const char *const pf_units[] = {"%", NULL};
static const char *const duration_units[] = {"d", "h", "min", "s", "ms", "µs", NULL};

static const quantity_units quantities[] = {
    {"power", power_units, false},         {"energy", energy_units, false},
    {"voltage", voltage_units, false},     {"current", current_units, false},
    {"frequency", frequency_units, false}, {"power_factor", pf_units, true},
    {"duration", duration_units, false},
};
#define NQUANTITIES (sizeof quantities / sizeof quantities[0])

static bool in_list(const char *s, const char *const *list)
{
    for (; s && *list; list++)
        if (!strcmp(s, *list)) return true;
    return false;
}

static const quantity_units *quantity_of(const mdc_field_info *f)
{
    for (size_t i = 0; i < NQUANTITIES; i++) {
        const quantity_units *q = &quantities[i];
        if (f->quantity ? !strcmp(f->quantity, q->quantity) : in_list(f->unit, q->units)) return q;
    }
    return NULL;
}

const char *mdc_ha_device_class(const mdc_field_info *f)
{
    const quantity_units *q = quantity_of(f);
    if (!q) return NULL;
    if (!(f->unit ? in_list(f->unit, q->units) : q->unitless_ok)) return NULL;
    if (!strcmp(q->quantity, "energy") && !f->total) return NULL; /* a delta is no meter */
    return q->quantity;
}

const char *mdc_ha_state_class(const mdc_field_info *f)
{
    if (f->quantity && !strcmp(f->quantity, "enum")) return NULL;
    if (f->total) return "total_increasing";
    if (f->unit || (f->quantity && strcmp(f->quantity, "enum"))) return "measurement";
    return NULL;
}

void mdc_ha_clean_id(const char *s, strbuf *out)
{
    for (; *s; s++) {
        char ch = *s;
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        sb_putc(out, ok ? ch : '_');
    }
}

void mdc_ha_object_id(const char *device, const char *field, strbuf *out)
{
    mdc_ha_clean_id(device, out);
    sb_putc(out, '_');
    mdc_ha_clean_id(field, out);
}

void mdc_ha_topic_base(const mdc_ha_ctx *h, strbuf *out)
{
    sb_printf(out, "%s/sensor/%s/", h->prefix, h->node_id);
}

static void config_topic(const mdc_ha_ctx *h, const char *device, const char *field, strbuf *out)
{
    mdc_ha_topic_base(h, out);
    mdc_ha_object_id(device, field, out);
    sb_puts(out, "/config");
}

/* "value_json.name", or value_json['name'] when name is not an identifier. */
static void json_path(const char *name, strbuf *out)
{
    bool ident = (*name < '0' || *name > '9') && *name;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            ident = false;
    if (ident) {
        sb_printf(out, "value_json.%s", name);
        return;
    }
    sb_puts(out, "value_json['");
    for (const char *p = name; *p; p++) {
        if (*p == '\'' || *p == '\\') sb_putc(out, '\\');
        sb_putc(out, *p);
    }
    sb_puts(out, "']");
}

static void key_string(strbuf *out, const char *key, const char *value)
{
    sb_printf(out, ", \"%s\": ", key);
    mdc_json_str(out, value);
}

/* The record whose topic a device's messages go to. */
static void device_record(const mdc_device_info *d, mdc_record *r)
{
    mdc_record_init(r);
    r->device = (char *)d->id; /* borrowed: r is never freed */
    r->has_machine_id = d->has_machine_id;
    r->machine_id = d->machine_id;
}

static void unique_id(const mdc_ha_ctx *h, const char *device, const char *field, strbuf *out)
{
    strbuf id = STRBUF_INIT;
    sb_printf(&id, "%s_", h->node_id);
    mdc_ha_object_id(device, field, &id);
    key_string(out, "unique_id", sb_str(&id));
    sb_free(&id);
}

static void common_tail(const mdc_ha_ctx *h, const mdc_device_info *d, strbuf *out)
{
    if (h->availability_topic) key_string(out, "availability_topic", h->availability_topic);
    sb_printf(out, ", \"qos\": %d, \"device\": {\"identifiers\": [", h->qos);
    strbuf id = STRBUF_INIT;
    sb_printf(&id, "%s_", h->node_id);
    mdc_ha_clean_id(d->id, &id);
    mdc_json_str(out, sb_str(&id));
    sb_free(&id);
    sb_puts(out, "]");
    key_string(out, "name", d->id);
    key_string(out, "manufacturer", "mdc");
    if (d->driver) key_string(out, "model", d->driver);
    sb_puts(out, "}, \"origin\": {\"name\": \"mdc\"");
#ifdef MDC_VERSION
    key_string(out, "sw_version", MDC_VERSION);
#endif
    sb_puts(out, "}}");
}

static void state_topic(const mdc_ha_ctx *h, const mdc_device_info *d, const char *tmpl,
                        const char *point, strbuf *out)
{
    mdc_record r;
    device_record(d, &r);
    strbuf t = STRBUF_INIT;
    mdc_mqtt_topic_expand(tmpl, &r, point, &t);
    key_string(out, "state_topic", sb_str(&t));
    sb_free(&t);
    (void)h;
}

static void field_classes(const mdc_field_info *f, strbuf *out)
{
    const char *dc = mdc_ha_device_class(f), *sc = mdc_ha_state_class(f);
    if (dc) key_string(out, "device_class", dc);
    if (sc) key_string(out, "state_class", sc);
    if (f->unit) key_string(out, "unit_of_measurement", f->unit);
    if (f->decimals >= 0 && sc)
        sb_printf(out, ", \"suggested_display_precision\": %d", f->decimals);
}

void mdc_ha_field_config(const mdc_ha_ctx *h, const mdc_device_info *d, const mdc_field_info *f,
                         strbuf *topic, strbuf *payload)
{
    config_topic(h, d->id, f->name, topic);
    sb_puts(payload, "{\"name\": ");
    mdc_json_str(payload, f->label ? f->label : f->name);
    unique_id(h, d->id, f->name, payload);
    state_topic(h, d, h->topic, h->per_point ? f->name : NULL, payload);
    strbuf tmpl = STRBUF_INIT;
    sb_puts(&tmpl, "{{ ");
    json_path(h->per_point ? "value" : f->name, &tmpl);
    sb_puts(&tmpl, " }}");
    key_string(payload, "value_template", sb_str(&tmpl));
    sb_free(&tmpl);
    field_classes(f, payload);
    common_tail(h, d, payload);
}

void mdc_ha_status_config(const mdc_ha_ctx *h, const mdc_device_info *d, strbuf *topic,
                          strbuf *payload)
{
    config_topic(h, d->id, "status", topic);
    sb_puts(payload, "{\"name\": \"Machine status\"");
    unique_id(h, d->id, "status", payload);
    const char *pick = "value_json.status";
    if (h->status_topic)
        state_topic(h, d, h->status_topic, NULL, payload);
    else if (h->per_point)
        state_topic(h, d, h->topic, "status", payload), pick = "value_json.value";
    else
        state_topic(h, d, h->topic, NULL, payload);
    strbuf tmpl = STRBUF_INIT;
    sb_printf(&tmpl, "{{ ['OFF', 'ON', 'PRODUCTION'][%s] }}", pick);
    key_string(payload, "value_template", sb_str(&tmpl));
    sb_free(&tmpl);
    sb_puts(payload,
            ", \"device_class\": \"enum\", \"options\": [\"OFF\", \"ON\", \"PRODUCTION\"]");
    common_tail(h, d, payload);
}
