/* SPDX-License-Identifier: Apache-2.0 */
/* Home Assistant MQTT discovery payloads (src/sinks/mqtt/ha_discovery.c): the exact JSON for a
 * B-route smart meter's sensors and a machine status, and every payload checked against Home
 * Assistant's documented rules for MQTT sensors (required keys, device_class/unit pairs,
 * state classes, what the Energy dashboard takes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sinks/mqtt/ha_discovery.h"

#include <jansson.h>
#include <string.h>

static mdc_field_info fields[] = {
    {.name = "power_w",
     .unit = "W",
     .label = "Instantaneous power",
     .decimals = 0,
     .quantity = "power"},
    {.name = "energy_kwh",
     .unit = "kWh",
     .label = "Cumulative energy",
     .decimals = 1,
     .quantity = "energy",
     .total = true},
    {.name = "current_r_a", .unit = "A", .decimals = 1, .quantity = "current"},
    {.name = "energy_delta_kwh", .unit = "kWh", .decimals = 3, .quantity = "energy"},
    {.name = "voltage", .unit = "V", .decimals = -1}, /* quantity from the unit */
    {.name = "power_factor", .decimals = 2, .quantity = "power_factor"},
    {.name = "parts", .decimals = -1, .quantity = "count", .total = true},
    {.name = "program", .decimals = -1},             /* nothing known: a string? */
    {.name = "temp x", .unit = "°C", .decimals = 1}, /* a unit, no class we know */
    {.name = "freq", .unit = "kW", .decimals = -1, .quantity = "frequency"}, /* a wrong unit */
};
static mdc_device_info meter = {.id = "smart-meter",
                                .driver = "broute",
                                .fields = fields,
                                .nfields = sizeof fields / sizeof fields[0]};

static const mdc_ha_ctx ctx = {.prefix = "homeassistant",
                               .node_id = "hall2",
                               .availability_topic = "mdc/availability",
                               .topic = "mdc/{device}",
                               .status_topic = "mdc/{device}/status",
                               .qos = 1};

static const char *const device_block =
    "\"availability_topic\": \"mdc/availability\", \"qos\": 1, \"device\": {\"identifiers\": "
    "[\"hall2_smart-meter\"], \"name\": \"smart-meter\", \"manufacturer\": \"mdc\", \"model\": "
    "\"broute\"}, \"origin\": {\"name\": \"mdc\", \"sw_version\": \"" MDC_VERSION "\"}}";

static void expect_config(const mdc_ha_ctx *h, const mdc_field_info *f, const char *topic,
                          const char *head)
{
    strbuf t = STRBUF_INIT, p = STRBUF_INIT, want = STRBUF_INIT;
    if (f)
        mdc_ha_field_config(h, &meter, f, &t, &p);
    else
        mdc_ha_status_config(h, &meter, &t, &p);
    sb_printf(&want, "%s, %s", head, device_block);
    assert_string_equal(sb_str(&t), topic);
    assert_string_equal(sb_str(&p), sb_str(&want));
    sb_free(&t);
    sb_free(&p);
    sb_free(&want);
}

static void test_exact_json(void **state)
{
    (void)state;
    expect_config(
        &ctx, &fields[1], "homeassistant/sensor/hall2/smart-meter_energy_kwh/config",
        "{\"name\": \"Cumulative energy\", \"unique_id\": \"hall2_smart-meter_energy_kwh\", "
        "\"state_topic\": \"mdc/smart-meter\", \"value_template\": \"{{ "
        "value_json.energy_kwh }}\", \"device_class\": \"energy\", \"state_class\": "
        "\"total_increasing\", \"unit_of_measurement\": \"kWh\", "
        "\"suggested_display_precision\": 1");
    expect_config(
        &ctx, &fields[0], "homeassistant/sensor/hall2/smart-meter_power_w/config",
        "{\"name\": \"Instantaneous power\", \"unique_id\": \"hall2_smart-meter_power_w\", "
        "\"state_topic\": \"mdc/smart-meter\", \"value_template\": \"{{ "
        "value_json.power_w }}\", \"device_class\": \"power\", \"state_class\": "
        "\"measurement\", \"unit_of_measurement\": \"W\", "
        "\"suggested_display_precision\": 0");
    expect_config(&ctx, &fields[3],
                  "homeassistant/sensor/hall2/smart-meter_energy_delta_kwh/config",
                  "{\"name\": \"energy_delta_kwh\", \"unique_id\": "
                  "\"hall2_smart-meter_energy_delta_kwh\", \"state_topic\": \"mdc/smart-meter\", "
                  "\"value_template\": \"{{ value_json.energy_delta_kwh }}\", \"state_class\": "
                  "\"measurement\", \"unit_of_measurement\": \"kWh\", "
                  "\"suggested_display_precision\": 3");
    expect_config(&ctx, &fields[8], "homeassistant/sensor/hall2/smart-meter_temp_x/config",
                  "{\"name\": \"temp x\", \"unique_id\": \"hall2_smart-meter_temp_x\", "
                  "\"state_topic\": \"mdc/smart-meter\", \"value_template\": \"{{ "
                  "value_json['temp x'] }}\", \"state_class\": \"measurement\", "
                  "\"unit_of_measurement\": \"°C\", \"suggested_display_precision\": 1");
    expect_config(&ctx, NULL, "homeassistant/sensor/hall2/smart-meter_status/config",
                  "{\"name\": \"Machine status\", \"unique_id\": \"hall2_smart-meter_status\", "
                  "\"state_topic\": \"mdc/smart-meter/status\", \"value_template\": \"{{ ['OFF', "
                  "'ON', 'PRODUCTION'][value_json.status] }}\", \"device_class\": \"enum\", "
                  "\"options\": [\"OFF\", \"ON\", \"PRODUCTION\"]");
    mdc_ha_ctx points = ctx;
    points.topic = "p/{device}/{point}";
    points.per_point = true;
    points.status_topic = NULL;
    expect_config(&points, &fields[7], "homeassistant/sensor/hall2/smart-meter_program/config",
                  "{\"name\": \"program\", \"unique_id\": \"hall2_smart-meter_program\", "
                  "\"state_topic\": \"p/smart-meter/program\", \"value_template\": \"{{ "
                  "value_json.value }}\"");
    expect_config(&points, NULL, "homeassistant/sensor/hall2/smart-meter_status/config",
                  "{\"name\": \"Machine status\", \"unique_id\": \"hall2_smart-meter_status\", "
                  "\"state_topic\": \"p/smart-meter/status\", \"value_template\": \"{{ ['OFF', "
                  "'ON', 'PRODUCTION'][value_json.value] }}\", \"device_class\": \"enum\", "
                  "\"options\": [\"OFF\", \"ON\", \"PRODUCTION\"]");
}

/* ---- Home Assistant's rules ---- */

typedef struct class_rule {
    const char *device_class;
    const char *const units[13]; /* NULL-terminated; "" = no unit allowed */
    const char *const state_classes[3];
} class_rule;

/* From Home Assistant's sensor documentation (device classes and their units; the state
 * classes each one takes). */
static const class_rule rules[] = {
    {"power", {"W", "kW", "MW", "GW", "TW", "mW", "BTU/h"}, {"measurement"}},
    {"energy",
     {"Wh", "kWh", "MWh", "GWh", "TWh", "mWh", "MJ", "GJ", "cal", "kcal", "Mcal", "Gcal"},
     {"total", "total_increasing"}},
    {"voltage", {"V", "mV", "µV", "kV", "MV"}, {"measurement"}},
    {"current", {"A", "mA"}, {"measurement"}},
    {"frequency", {"Hz", "kHz", "MHz", "GHz"}, {"measurement"}},
    {"power_factor", {"%", ""}, {"measurement"}},
    {"duration", {"d", "h", "min", "s", "ms", "µs"}, {"measurement", "total", "total_increasing"}},
};

static bool listed(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n && list[i]; i++)
        if (!strcmp(s, list[i])) return true;
    return false;
}

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Fails the test when cfg breaks one of Home Assistant's rules for an MQTT sensor. */
static void check_ha_rules(const char *topic, const char *payload)
{
    json_error_t e;
    json_t *o = json_loads(payload, 0, &e);
    if (!o) fail_msg("%s: not JSON: %s", topic, e.text);
    const char *dc = str(o, "device_class"), *sc = str(o, "state_class"),
               *unit = str(o, "unit_of_measurement");
    if (!str(o, "state_topic")) fail_msg("%s: state_topic is required", topic);
    if (!str(o, "unique_id")) fail_msg("%s: a device needs entities with unique_id", topic);
    json_t *dev = json_object_get(o, "device");
    if (!json_is_array(json_object_get(dev, "identifiers")) ||
        !json_array_size(json_object_get(dev, "identifiers")))
        fail_msg("%s: device.identifiers", topic);
    if (!str(json_object_get(o, "origin"), "name")) fail_msg("%s: origin.name", topic);
    if (sc && !listed(sc, (const char *const[]){"measurement", "total", "total_increasing"}, 3))
        fail_msg("%s: state_class %s", topic, sc);
    if (dc && !strcmp(dc, "enum")) {
        if (sc || unit || !json_array_size(json_object_get(o, "options")))
            fail_msg("%s: enum needs options and neither unit nor state_class", topic);
    } else if (dc) {
        const class_rule *r = NULL;
        for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
            if (!strcmp(rules[i].device_class, dc)) r = &rules[i];
        if (!r) fail_msg("%s: device_class %s unknown here", topic, dc);
        if (!listed(unit ? unit : "", r->units, 13))
            fail_msg("%s: unit %s not valid for %s", topic, unit ? unit : "(none)", dc);
        if (sc && !listed(sc, r->state_classes, 3))
            fail_msg("%s: state_class %s not valid for %s", topic, sc, dc);
    }
    if (json_object_get(o, "suggested_display_precision") && !sc)
        fail_msg("%s: a display precision for a value not known to be numeric", topic);
    json_decref(o);
}

static void test_rules(void **state)
{
    (void)state;
    strbuf t = STRBUF_INIT, p = STRBUF_INIT;
    for (size_t i = 0; i <= meter.nfields; i++) {
        sb_reset(&t);
        sb_reset(&p);
        if (i < meter.nfields)
            mdc_ha_field_config(&ctx, &meter, &fields[i], &t, &p);
        else
            mdc_ha_status_config(&ctx, &meter, &t, &p);
        check_ha_rules(sb_str(&t), sb_str(&p));
    }
    sb_free(&t);
    sb_free(&p);
}

/* The Energy dashboard takes a sensor with device_class energy, an energy unit and state_class
 * total or total_increasing: the meter's cumulative energy is one, its per-sample delta not. */
static void test_energy_dashboard(void **state)
{
    (void)state;
    assert_string_equal(mdc_ha_device_class(&fields[1]), "energy");
    assert_string_equal(mdc_ha_state_class(&fields[1]), "total_increasing");
    assert_null(mdc_ha_device_class(&fields[3]));
    assert_string_equal(mdc_ha_device_class(&fields[4]), "voltage");
    assert_string_equal(mdc_ha_device_class(&fields[5]), "power_factor");
    assert_null(mdc_ha_device_class(&fields[9]));
    assert_string_equal(mdc_ha_state_class(&fields[6]), "total_increasing");
    assert_null(mdc_ha_state_class(&fields[7]));
    strbuf id = STRBUF_INIT;
    mdc_ha_object_id("hall 2/m+1", "a#b", &id);
    assert_string_equal(sb_str(&id), "hall_2_m_1_a_b");
    sb_free(&id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_json),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_energy_dashboard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
