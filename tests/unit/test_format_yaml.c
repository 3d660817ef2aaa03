/* SPDX-License-Identifier: Apache-2.0 */
/* YAML rendering: mdc documents, and hems records exactly as PyYAML's
 * yaml.dump(record, default_flow_style=False) prints them (expected texts produced by PyYAML 6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/format.h"
#include "format/format_module.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define TS_MDC  1795327205123456LL /* 2026-11-22T06:00:05.123456Z */
#define TS_HEMS 1698400800123456LL /* 2023-10-27T10:00:00.123456Z */

static void expect(mdc_format_style st, const mdc_record *r, const char *want)
{
    strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "prefix|");
    mdc_format_record(MDC_FMT_YAML, st, r, &sb);
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
    mdc_record_add_null(r, "power_kw", "timeout");
    mdc_record_add_int(r, "count", -5);
    mdc_record_add_bool(r, "running", true);
    mdc_record_add_string(r, "program", "O1234 \"x\", y");
    mdc_record_add_null(r, "freq", "illegal data address");
}

/* Without libyaml (out of memory, or no module for a caller that did not load it): the record's
 * JSON as a flow-style YAML document, framed as the block style would be. */
static void test_json_fallback(void **state)
{
    (void)state;
    mdc_record r;
    meter_record(&r);
    strbuf json = STRBUF_INIT, got = STRBUF_INIT, want = STRBUF_INIT;
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, &r, &json);
    sb_printf(&want, "--- %s", sb_str(&json));
    mdc_fmt_yaml_as_json(MDC_STYLE_MDC, &r, &got);
    assert_string_equal(sb_str(&got), sb_str(&want));
    assert_int_equal(sb_str(&got)[got.len - 1], '\n');
    sb_reset(&json), sb_reset(&got), sb_reset(&want);
    mdc_format_record(MDC_FMT_JSON, MDC_STYLE_HEMS, &r, &json);
    sb_printf(&want, "%s\n", sb_str(&json)); /* print()'s blank line after the document */
    mdc_fmt_yaml_as_json(MDC_STYLE_HEMS, &r, &got);
    assert_string_equal(sb_str(&got), sb_str(&want));
    sb_free(&json), sb_free(&got), sb_free(&want);
    mdc_record_free(&r);
}

static void test_mdc_document(void **state)
{
    (void)state;
    mdc_record r;
    meter_record(&r);
    expect(MDC_STYLE_MDC, &r,
           "---\n"
           "timestamp: '2026-11-22T06:00:05.123456+00:00'\n"
           "device: meter-1\n"
           "machine_id: 1\n"
           "status: 2\n"
           "voltage_l1: 230.5\n"
           "power_kw: null\n"
           "count: -5\n"
           "running: true\n"
           "program: O1234 \"x\", y\n"
           "freq: null\n"
           "errors:\n"
           "  power_kw: timeout\n"
           "  freq: illegal data address\n");
    mdc_record_set_error(&r, "connect 127.0.0.1:5020: Connection refused");
    strbuf sb = STRBUF_INIT;
    mdc_format_record(MDC_FMT_YAML, MDC_STYLE_MDC, &r, &sb);
    const char *tail = "  freq: illegal data address\n"
                       "error: 'connect 127.0.0.1:5020: Connection refused'\n";
    assert_true(sb.len > strlen(tail));
    assert_string_equal(sb_str(&sb) + sb.len - strlen(tail), tail);
    /* Two records make a two-document stream. */
    mdc_format_record(MDC_FMT_YAML, MDC_STYLE_MDC, &r, &sb);
    const char *second = strstr(sb_str(&sb) + 1, "---\n");
    assert_non_null(second);
    assert_int_equal(second[-1], '\n');
    assert_null(strstr(sb_str(&sb), "..."));
    sb_free(&sb);
    mdc_record_free(&r);
}

static void test_mdc_bare(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    expect(MDC_STYLE_MDC, &r, "---\ntimestamp: '2026-11-22T06:00:05.123456+00:00'\n");
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

/* The seed README's example with current_t_a null: keys sorted, timestamps quoted, blank line. */
static void test_hems_record(void **state)
{
    (void)state;
    mdc_record r;
    hems_record(&r);
    expect(MDC_STYLE_HEMS, &r,
           "cumulative_power_kwh: 12345.6\n"
           "current_a: 7.5\n"
           "current_r_a: 5.0\n"
           "current_t_a: null\n"
           "historical_cumulative_power_kwh: 12345.5\n"
           "historical_timestamp: '2023-10-27T10:00:00+00:00'\n"
           "instant_power_w: 500\n"
           "recent_30min_consumption_kwh: 0.2\n"
           "recent_30min_timestamp: '2023-10-27T09:30:00+00:00'\n"
           "timestamp: '2023-10-27T10:00:00.123456+00:00'\n"
           "\n");
    mdc_record_free(&r);
}

/* The hems record has no identity: device, machine_id and status are left out. */
static void test_hems_sorted_without_identity(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    mdc_record_set_device(&r, "meter-1");
    r.has_machine_id = true;
    r.machine_id = 1;
    r.status = 2;
    mdc_record_add_double(&r, "voltage_l1", 230.5);
    mdc_record_set_error(&r, "x");
    expect(MDC_STYLE_HEMS, &r,
           "error: x\ntimestamp: '2026-11-22T06:00:05.123456+00:00'\nvoltage_l1: 230.5\n\n");
    mdc_record_free(&r);
}

static void test_hems_numbers(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_HEMS - 123456;
    mdc_record_add_bool(&r, "b", true);
    mdc_record_add_double(&r, "big", 1e16);
    mdc_record_add_double(&r, "f", 1.5e20);
    mdc_record_add_int(&r, "i", INT64_MIN);
    mdc_record_add_null(&r, "n", NULL);
    mdc_field *f = mdc_record_add(&r, "nan");
    f->v.type = MDC_DOUBLE;
    f->v.u.d = NAN;
    mdc_record_add_double(&r, "neg", -0.0);
    f = mdc_record_add(&r, "ni");
    f->v.type = MDC_DOUBLE;
    f->v.u.d = -INFINITY;
    mdc_record_add_double(&r, "small", 1e-5);
    expect(MDC_STYLE_HEMS, &r,
           "b: true\n"
           "big: 1.0e+16\n"
           "f: 1.5e+20\n"
           "i: -9223372036854775808\n"
           "n: null\n"
           "nan: .nan\n"
           "neg: -0.0\n"
           "ni: -.inf\n"
           "small: 1.0e-05\n"
           "timestamp: '2023-10-27T10:00:00+00:00'\n"
           "\n");
    mdc_record_free(&r);
}

/* Strings that PyYAML's YAML 1.1 resolvers would read as something else get quoted. */
static const char *const tricky[] = {"2023-10-27T10:00:00+00:00",
                                     "2023-10-27",
                                     "2001-12-14 21:59:43.10 -5",
                                     "2002-1-14",
                                     "123",
                                     "-7",
                                     "1.5",
                                     "1e5",
                                     "1.0e+5",
                                     "0x1F",
                                     "0o17",
                                     "012",
                                     "1_000",
                                     "1:30",
                                     "190:20:30.15",
                                     ".inf",
                                     "-.Inf",
                                     ".NaN",
                                     "yes",
                                     "No",
                                     "on",
                                     "OFF",
                                     "y",
                                     "~",
                                     "null",
                                     "NULL",
                                     "",
                                     "<<",
                                     "=",
                                     "hello world",
                                     "a: b",
                                     "a:b",
                                     "- x",
                                     "-x",
                                     "#c",
                                     "a #c",
                                     " lead",
                                     "trail ",
                                     "multi\nline",
                                     "tab\there",
                                     "\xc3\xa9t\xc3\xa9",
                                     "it's",
                                     "'q'",
                                     "\"dq\"",
                                     "---",
                                     "? x",
                                     "@at",
                                     "%p",
                                     "!t",
                                     "&a",
                                     "*a",
                                     "|",
                                     "> x",
                                     "[1]",
                                     "{a}",
                                     "x, y"};

static void test_hems_tricky_strings(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_HEMS;
    char key[8];
    for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++) {
        snprintf(key, sizeof key, "k%02zu", i);
        mdc_record_add_string(&r, key, tricky[i]);
    }
    strbuf sb = STRBUF_INIT;
    mdc_format_record(MDC_FMT_YAML, MDC_STYLE_HEMS, &r, &sb);
    const char *want = "k00: '2023-10-27T10:00:00+00:00'\n"
                       "k01: '2023-10-27'\n"
                       "k02: '2001-12-14 21:59:43.10 -5'\n"
                       "k03: 2002-1-14\n"
                       "k04: '123'\n"
                       "k05: '-7'\n"
                       "k06: '1.5'\n"
                       "k07: 1e5\n"
                       "k08: '1.0e+5'\n"
                       "k09: '0x1F'\n"
                       "k10: 0o17\n"
                       "k11: '012'\n"
                       "k12: '1_000'\n"
                       "k13: '1:30'\n"
                       "k14: '190:20:30.15'\n"
                       "k15: '.inf'\n"
                       "k16: '-.Inf'\n"
                       "k17: '.NaN'\n"
                       "k18: 'yes'\n"
                       "k19: 'No'\n"
                       "k20: 'on'\n"
                       "k21: 'OFF'\n"
                       "k22: y\n"
                       "k23: '~'\n"
                       "k24: 'null'\n"
                       "k25: 'NULL'\n"
                       "k26: ''\n"
                       "k27: '<<'\n"
                       "k28: '='\n"
                       "k29: hello world\n"
                       "k30: 'a: b'\n"
                       "k31: a:b\n"
                       "k32: '- x'\n"
                       "k33: -x\n"
                       "k34: '#c'\n"
                       "k35: 'a #c'\n"
                       "k36: ' lead'\n"
                       "k37: 'trail '\n"
                       "k38: 'multi\n"
                       "\n"
                       "  line'\n"
                       "k39: \"tab\\there\"\n"
                       "k40: \"\\xE9t\\xE9\"\n"
                       "k41: it's\n"
                       "k42: '''q'''\n"
                       "k43: '\"dq\"'\n"
                       "k44: '---'\n"
                       "k45: '? x'\n"
                       "k46: '@at'\n"
                       "k47: '%p'\n"
                       "k48: '!t'\n"
                       "k49: '&a'\n"
                       "k50: '*a'\n"
                       "k51: '|'\n"
                       "k52: '> x'\n"
                       "k53: '[1]'\n"
                       "k54: '{a}'\n"
                       "k55: x, y\n"
                       "";
    assert_memory_equal(sb_str(&sb), want, strlen(want));
    assert_string_equal(sb_str(&sb) + strlen(want),
                        "timestamp: '2023-10-27T10:00:00.123456+00:00'\n\n");
    sb_free(&sb);
    mdc_record_free(&r);
}

static void test_invalid_utf8_and_odd_keys(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    mdc_record_add_string(&r, "bad",
                          "a\xff"
                          "b");
    mdc_record_add_string(&r, "true", "ok");
    mdc_record_add_string(&r, "emoji", "\xf0\x9f\x98\x80");
    expect(MDC_STYLE_MDC, &r,
           "---\n"
           "timestamp: '2026-11-22T06:00:05.123456+00:00'\n"
           "bad: \"a\\uFFFDb\"\n"
           "'true': ok\n"
           "emoji: \"\\U0001F600\"\n");
    mdc_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mdc_document),
        cmocka_unit_test(test_mdc_bare),
        cmocka_unit_test(test_hems_record),
        cmocka_unit_test(test_hems_sorted_without_identity),
        cmocka_unit_test(test_hems_numbers),
        cmocka_unit_test(test_hems_tricky_strings),
        cmocka_unit_test(test_invalid_utf8_and_odd_keys),
        cmocka_unit_test(test_json_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
