/* SPDX-License-Identifier: Apache-2.0 */
/* The catalog (core/catalog.h) as the runtime builds it from a configuration: Modbus points'
 * unit, label, decimals and enum; LSV2's op_mode/prog_status names and PLC display keys; OPC UA
 * node objects; B-route's units; derive's fields (and NAME_raw for a colliding device value);
 * units that imply a quantity and a total; configuration errors (exact text); the points JSON
 * of /api (exact bytes); values as `mdc read` shows them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/config.h"
#include "format/display.h"
#include "http/catalog_json.h"
#include "runtime/runtime.h"

#include <stdio.h>
#include <string.h>

static char errbuf[1024];

static mdc_config *load(const char *text, mdc_runtime **rt)
{
    mdc_config *cfg = NULL;
    mdc_err err = {0};
    errbuf[0] = '\0';
    if (mdc_config_load_string("t.json", text, strlen(text), NULL, &cfg, &err) < 0) {
        snprintf(errbuf, sizeof errbuf, "%s", err.msg);
        return NULL;
    }
    if (mdc_runtime_build(cfg, rt, &err) < 0) {
        snprintf(errbuf, sizeof errbuf, "%s", err.msg);
        mdc_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static const char *const plant =
    "{\"shifts\": [{\"id\": 1, \"start\": \"06:00\"}], \"sinks\": [{\"type\": \"stdout\"}],\n"
    " \"devices\": [\n"
    "  {\"id\": \"m\", \"driver\": \"modbus\", \"connection\": {\"tcp\": \"127.0.0.1:1\"},\n"
    "   \"points\": [{\"name\": \"power_kw\", \"address\": 1, \"unit\": \"kW\", \"label\": "
    "\"Power\","
    " \"decimals\": 3},\n"
    "    {\"name\": \"energy_kwh\", \"address\": 3, \"type\": \"float32\", \"unit\": \"kWh\"},\n"
    "    {\"name\": \"mode\", \"address\": 5, \"enum\": {\"0\": \"STOP\", \"1\": \"RUN\"}},\n"
    "    {\"name\": \"shift\", \"address\": 6}],\n"
    "   \"status\": {\"power\": \"power_kw\", \"production_above\": 1}, \"energy\": {\"point\": "
    "\"energy_kwh\"}},\n"
    "  {\"id\": \"t\", \"driver\": \"lsv2\", \"host\": \"127.0.0.1\", \"overrides\": true,\n"
    "   \"plc\": [{\"name\": \"temp\", \"memory\": \"word\", \"address\": 2, \"unit\": \"°C\"}]},\n"
    "  {\"id\": \"o\", \"driver\": \"opcua\", \"endpoint\": \"opc.tcp://127.0.0.1:4840\",\n"
    "   \"nodes\": {\"p\": {\"node\": \"ns=2;s=P\", \"unit\": \"W\", \"decimals\": 0}, \"q\": "
    "\"ns=2;s=Q\"}},\n"
    "  {\"id\": \"h\", \"driver\": \"broute\", \"port\": \"/dev/null\", \"rbid\": "
    "\"00112233445566778899AABBCCDDEEFF\", \"password\": \"0123456789AB\"}]}";

static void test_devices(void **state)
{
    (void)state;
    mdc_runtime *rt;
    mdc_config *cfg = load(plant, &rt);
    assert_non_null(cfg);
    const mdc_catalog *cat = mdc_runtime_catalog(rt);
    assert_int_equal(4, cat->ndevices);
    const mdc_device_info *m = mdc_catalog_device(cat, "m");
    const char *names[] = {"power_kw", "energy_kwh",      "mode", "shift_raw", "energy_delta_kwh",
                           "shift",    "shift_energy_kwh"};
    assert_int_equal(7, m->nfields);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(names[i], m->fields[i].name);
    const mdc_field_info *p = mdc_device_info_field(m, "power_kw");
    assert_string_equal("kW", p->unit);
    assert_string_equal("Power", p->label);
    assert_int_equal(3, p->decimals);
    assert_string_equal("power", p->quantity);
    assert_false(p->total);
    const mdc_field_info *e = mdc_device_info_field(m, "energy_kwh");
    assert_string_equal("energy", e->quantity);
    assert_true(e->total);
    assert_int_equal(-1, e->decimals);
    assert_string_equal("RUN", mdc_field_info_enum(mdc_device_info_field(m, "mode"), 1));
    assert_null(mdc_field_info_enum(mdc_device_info_field(m, "mode"), 7));
    assert_string_equal("kWh", mdc_device_info_field(m, "shift_energy_kwh")->unit);

    const mdc_device_info *t = mdc_catalog_device(cat, "t");
    assert_string_equal("AUTOMATIC", mdc_field_info_enum(mdc_device_info_field(t, "op_mode"), 4));
    assert_string_equal("STARTED", mdc_field_info_enum(mdc_device_info_field(t, "prog_status"), 0));
    assert_string_equal("%", mdc_device_info_field(t, "feed_override")->unit);
    assert_string_equal("temperature", mdc_device_info_field(t, "temp")->quantity);

    const mdc_device_info *o = mdc_catalog_device(cat, "o");
    assert_string_equal("W", mdc_device_info_field(o, "p")->unit);
    assert_int_equal(0, mdc_device_info_field(o, "p")->decimals);
    assert_null(mdc_device_info_field(o, "q")->unit);

    const mdc_device_info *h = mdc_catalog_device(cat, "h");
    assert_string_equal("kWh", mdc_device_info_field(h, "cumulative_power_kwh")->unit);
    assert_true(mdc_device_info_field(h, "cumulative_power_kwh")->total);
    assert_string_equal("W", mdc_device_info_field(h, "instant_power_w")->unit);
    assert_string_equal("A", mdc_device_info_field(h, "current_r_a")->unit);
    assert_false(mdc_device_info_field(h, "recent_30min_consumption_kwh")->total);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

static void test_points_json(void **state)
{
    (void)state;
    mdc_runtime *rt;
    mdc_config *cfg = load("{\"sinks\": [{\"type\": \"stdout\"}], \"devices\": [{\"id\": \"m\", "
                           "\"driver\": \"modbus\", \"connection\": {\"tcp\": \"127.0.0.1:1\"}, "
                           "\"points\": [{\"name\": \"v\", \"address\": 1, \"unit\": \"V\", "
                           "\"decimals\": 1}, {\"name\": \"x\", \"address\": 2, \"enum\": "
                           "{\"-1\": \"FAULT\"}}]}]}",
                           &rt);
    assert_non_null(cfg);
    strbuf out = STRBUF_INIT;
    mdc_catalog_device_json(&mdc_runtime_catalog(rt)->devices[0], &out);
    assert_string_equal(
        "{\"id\": \"m\", \"points\": {\"status\": {\"label\": \"Machine status\", \"unit\": null, "
        "\"decimals\": 0, \"quantity\": \"enum\", \"total\": false, \"enum\": {\"0\": \"OFF\", "
        "\"1\": \"ON\", \"2\": \"PRODUCTION\"}}, \"v\": {\"label\": null, \"unit\": \"V\", "
        "\"decimals\": 1, \"quantity\": \"voltage\", \"total\": false}, \"x\": {\"label\": null, "
        "\"unit\": null, \"decimals\": null, \"quantity\": \"enum\", \"total\": false, \"enum\": "
        "{\"-1\": \"FAULT\"}}, \"shift\": {\"label\": \"Shift\", \"unit\": null, \"decimals\": 0, "
        "\"quantity\": null, \"total\": false}}}",
        sb_str(&out));
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

static void expect_error(const char *point, const char *msg)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"devices\": [{\"id\": \"m\", \"driver\": \"modbus\", \"connection\": {\"tcp\": "
             "\"127.0.0.1:1\"}, \"points\": [%s]}]}",
             point);
    mdc_runtime *rt;
    assert_null(load(text, &rt));
    assert_string_equal(msg, errbuf);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"name\": \"a\", \"address\": 1, \"enum\": {\"x\": \"A\"}}",
                 "t.json:1:132: devices[0].points[0].enum.x: an enumeration's keys are whole "
                 "numbers (\"0\", \"2\")");
    expect_error("{\"name\": \"a\", \"address\": 1, \"enum\": {\"1\": \"\"}}",
                 "t.json:1:132: devices[0].points[0].enum.1: must not be empty");
    expect_error("{\"name\": \"a\", \"address\": 1, \"enum\": {}}",
                 "t.json:1:123: devices[0].points[0].enum: is empty; e.g. {\"0\": \"STOPPED\"}");
    expect_error("{\"name\": \"a\", \"address\": 1, \"label\": 3}",
                 "t.json:1:123: devices[0].points[0].label: expected a string, got an integer");
}

static void show(const mdc_value *v, const mdc_field_info *f, const char *want)
{
    strbuf out = STRBUF_INIT;
    mdc_display_value(v, f, &out);
    assert_string_equal(want, sb_str(&out));
    sb_free(&out);
}

static void test_display(void **state)
{
    (void)state;
    mdc_field_info kwh = mdc_field_info_none("e");
    kwh.unit = "kWh";
    mdc_value d = {.type = MDC_DOUBLE, .u.d = 1234.5161};
    show(&d, &kwh, "1234.5161 kWh"); /* as read: every digit kept */
    kwh.decimals = 1;
    show(&d, &kwh, "1234.5 kWh");
    kwh.decimals = 3;
    d.u.d = 6.0;
    show(&d, &kwh, "6.000 kWh");
    mdc_value i = {.type = MDC_INT, .u.i = 2};
    show(&i, mdc_catalog_status_field(), "2 PRODUCTION");
    i.u.i = 9;
    show(&i, mdc_catalog_status_field(), "9");
    mdc_value n = {.type = MDC_NULL};
    show(&n, &kwh, "-");
    mdc_value b = {.type = MDC_BOOL, .u.b = true};
    show(&b, NULL, "yes");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_points_json),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_display),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
