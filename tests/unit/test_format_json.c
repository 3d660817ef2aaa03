/* SPDX-License-Identifier: Apache-2.0 */
/* JSON rendering: mdc records and byte-exact hems records (Python json.dumps defaults). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/format.h"

#include <math.h>
#include <string.h>

#define TS_MDC  1795327205123456LL /* 2026-11-22T06:00:05.123456Z */
#define TS_HEMS 1698400800123456LL /* 2023-10-27T10:00:00.123456Z */

static void expect(mdc_format_style st, const mdc_record *r, const char *want)
{
    strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "prefix|"); /* appends, never overwrites */
    mdc_format_record(MDC_FMT_JSON, st, r, &sb);
    assert_memory_equal(sb_str(&sb), "prefix|", 7);
    assert_string_equal(sb_str(&sb) + 7, want);
    sb_free(&sb);
}

static void meter_record(mdc_record *r)
{
    mdc_record_init(r);
    r->ts_us = TS_MDC;
    mdc_record_set_device(r, "meter-1");
    r->has_machine_id = true;
    r->machine_id = 1;
    r->status = MDC_STATUS_PRODUCTION;
    mdc_record_add_double(r, "voltage_l1", 230.5);
    mdc_record_add_double(r, "power_kw", 5.2);
    mdc_record_add_double(r, "energy_kwh", 1234.5678);
    mdc_record_add_int(r, "shift", 1);
}

static void test_mdc_record(void **state)
{
    (void)state;
    mdc_record r;
    meter_record(&r);
    expect(MDC_STYLE_MDC, &r,
           "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"device\": \"meter-1\", "
           "\"machine_id\": 1, \"status\": 2, \"voltage_l1\": 230.5, \"power_kw\": 5.2, "
           "\"energy_kwh\": 1234.5678, \"shift\": 1}\n");
    mdc_record_free(&r);
}

static void test_mdc_nulls_and_errors(void **state)
{
    (void)state;
    mdc_record r;
    meter_record(&r);
    mdc_record_add_null(&r, "frequency", "timeout");
    mdc_record_add_bool(&r, "running", false);
    mdc_record_add_null(&r, "pf", "illegal data address");
    mdc_record_add_null(&r, "spare", NULL);
    expect(MDC_STYLE_MDC, &r,
           "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"device\": \"meter-1\", "
           "\"machine_id\": 1, \"status\": 2, \"voltage_l1\": 230.5, \"power_kw\": 5.2, "
           "\"energy_kwh\": 1234.5678, \"shift\": 1, \"frequency\": null, \"running\": false, "
           "\"pf\": null, \"spare\": null, "
           "\"errors\": {\"frequency\": \"timeout\", \"pf\": \"illegal data address\"}}\n");
    /* HEMS style has no identity and no errors map; a value that could not be read has no key
     * (the hems tool adds a key only when its value was decoded), a present None is null. */
    expect(MDC_STYLE_HEMS, &r,
           "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"voltage_l1\": 230.5, "
           "\"power_kw\": 5.2, \"energy_kwh\": 1234.5678, \"shift\": 1, \"running\": false, "
           "\"spare\": null}\n");
    mdc_record_free(&r);
}

static void test_mdc_unreachable(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = 0;
    mdc_record_set_device(&r, "dmu60");
    r.status = MDC_STATUS_OFF;
    mdc_record_set_error(&r, "connect 172.16.0.21:19000: Connection refused");
    expect(MDC_STYLE_MDC, &r,
           "{\"timestamp\": \"1970-01-01T00:00:00.000000+00:00\", \"device\": \"dmu60\", "
           "\"status\": 0, \"error\": \"connect 172.16.0.21:19000: Connection refused\"}\n");
    mdc_record_free(&r);
}

static void test_bare_record(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    expect(MDC_STYLE_MDC, &r, "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\"}\n");
    mdc_record_free(&r);
}

static void test_strings_escaped(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    mdc_record_add_string(&r, "s",
                          "\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac\xf0\x9f\x98\x80\xef\xbf\xbd\xff|"
                          "\x01\n\t\r\b\f\x7f\"\\/");
    mdc_record_add_string(&r, "a\"b", "");
    mdc_record_add_string(&r, "\xd0\xba\xd0\xbb\xd1\x8e\xd1\x87", "x");
    mdc_record_add_string(&r, "bad", "\xe6\x97x\xed\xa0\x80\xf0\x9f\x98\xc0\xaf");
    expect(MDC_STYLE_MDC, &r,
           "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
           "\"s\": \"\\u00e9\\u65e5\\u672c\\ud83d\\ude00\\ufffd\\ufffd|"
           "\\u0001\\n\\t\\r\\b\\f\\u007f\\\"\\\\/\", \"a\\\"b\": \"\", "
           "\"\\u043a\\u043b\\u044e\\u0447\": \"x\", "
           "\"bad\": \"\\ufffdx\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"}\n");
    mdc_record_free(&r);
}

static void test_numbers(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    mdc_record_add_double(&r, "negzero", -0.0);
    mdc_record_add_double(&r, "big", 1e16);
    mdc_record_add_double(&r, "bigger", 1.5e20);
    mdc_record_add_double(&r, "small", 1e-5);
    mdc_record_add_double(&r, "tiny", 0.0001);
    mdc_record_add_double(&r, "integral", 123456.0);
    mdc_record_add_int(&r, "max", INT64_MAX);
    mdc_record_add_int(&r, "min", INT64_MIN);
    mdc_record_add_bool(&r, "t", true);
    expect(MDC_STYLE_MDC, &r,
           "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"negzero\": -0.0, "
           "\"big\": 1e+16, \"bigger\": 1.5e+20, \"small\": 1e-05, \"tiny\": 0.0001, "
           "\"integral\": 123456.0, \"max\": 9223372036854775807, "
           "\"min\": -9223372036854775808, \"t\": true}\n");
    mdc_record_free(&r);
}

/* Setters refuse NaN/inf, but a record built by hand may carry them. */
static void test_nonfinite(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_HEMS - 123456;
    mdc_field *f = mdc_record_add(&r, "nan");
    f->v.type = MDC_DOUBLE;
    f->v.u.d = NAN;
    f = mdc_record_add(&r, "inf");
    f->v.type = MDC_DOUBLE;
    f->v.u.d = -INFINITY;
    expect(MDC_STYLE_MDC, &r,
           "{\"timestamp\": \"2023-10-27T10:00:00.000000+00:00\", \"nan\": null, "
           "\"inf\": null}\n");
    expect(MDC_STYLE_HEMS, &r,
           "{\"timestamp\": \"2023-10-27T10:00:00+00:00\", \"nan\": NaN, "
           "\"inf\": -Infinity}\n");
    mdc_record_free(&r);
}

static void hems_record(mdc_record *r)
{
    mdc_record_init(r);
    r->ts_us = TS_HEMS;
    mdc_record_add_double(r, "cumulative_power_kwh", 12345.6);
    mdc_record_add_int(r, "instant_power_w", 500);
    mdc_record_add_double(r, "current_a", 7.5);
    mdc_record_add_double(r, "current_r_a", 5.0);
    mdc_record_add_null(r, "current_t_a", NULL);
    mdc_record_add_string(r, "historical_timestamp", "2023-10-27T10:00:00+00:00");
    mdc_record_add_double(r, "historical_cumulative_power_kwh", 12345.5);
    mdc_record_add_string(r, "recent_30min_timestamp", "2023-10-27T09:30:00+00:00");
    mdc_record_add_double(r, "recent_30min_consumption_kwh", 0.2);
}

/* The seed README's example (single-phase: current_t_a null), as json.dumps prints it. */
static void test_hems_record(void **state)
{
    (void)state;
    mdc_record r;
    hems_record(&r);
    expect(MDC_STYLE_HEMS, &r,
           "{\"timestamp\": \"2023-10-27T10:00:00.123456+00:00\", "
           "\"cumulative_power_kwh\": 12345.6, \"instant_power_w\": 500, \"current_a\": 7.5, "
           "\"current_r_a\": 5.0, \"current_t_a\": null, "
           "\"historical_timestamp\": \"2023-10-27T10:00:00+00:00\", "
           "\"historical_cumulative_power_kwh\": 12345.5, "
           "\"recent_30min_timestamp\": \"2023-10-27T09:30:00+00:00\", "
           "\"recent_30min_consumption_kwh\": 0.2}\n");
    /* isoformat() drops a zero fraction; mdc style never does. */
    r.ts_us = TS_HEMS - 123456;
    strbuf sb = STRBUF_INIT;
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_HEMS, &r, &sb);
    assert_memory_equal(sb_str(&sb), "{\"timestamp\": \"2023-10-27T10:00:00+00:00\", ", 43);
    mdc_record_free(&r);
    sb_free(&sb);
}

static void test_names(void **state)
{
    (void)state;
    mdc_format_kind k = MDC_FMT_CSV;
    assert_int_equal(mdc_format_parse("json", &k), 0);
    assert_int_equal(k, MDC_FMT_JSON);
    assert_int_equal(mdc_format_parse("yaml", &k), 0);
    assert_int_equal(k, MDC_FMT_YAML);
    assert_int_equal(mdc_format_parse("yml", &k), 0);
    assert_int_equal(k, MDC_FMT_YAML);
    assert_int_equal(mdc_format_parse("csv", &k), 0);
    assert_int_equal(k, MDC_FMT_CSV);
    assert_int_equal(mdc_format_parse("xml", &k), -1);
    assert_int_equal(mdc_format_parse("JSON", &k), -1);
    assert_int_equal(mdc_format_parse(NULL, &k), -1);
    assert_int_equal(k, MDC_FMT_CSV);
    assert_string_equal(mdc_format_name(MDC_FMT_YAML), "yaml");
    assert_string_equal(mdc_format_extension(MDC_FMT_JSON), ".json");
    assert_string_equal(mdc_format_extension(MDC_FMT_YAML), ".yaml");
    assert_string_equal(mdc_format_extension(MDC_FMT_CSV), ".csv");
    mdc_format_style st = MDC_STYLE_MDC;
    assert_int_equal(mdc_format_style_parse("hems", &st), 0);
    assert_int_equal(st, MDC_STYLE_HEMS);
    assert_int_equal(mdc_format_style_parse("other", &st), -1);
    assert_string_equal(mdc_format_style_name(MDC_STYLE_MDC), "mdc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mdc_record),      cmocka_unit_test(test_mdc_nulls_and_errors),
        cmocka_unit_test(test_mdc_unreachable), cmocka_unit_test(test_bare_record),
        cmocka_unit_test(test_strings_escaped), cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_nonfinite),       cmocka_unit_test(test_hems_record),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
