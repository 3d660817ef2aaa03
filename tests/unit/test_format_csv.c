/* SPDX-License-Identifier: Apache-2.0 */
/* CSV rendering: mdc rows with the error column, hems rows (Python str() of each value). */
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

static void expect_row(mdc_format_style st, const mdc_record *r, const char *want)
{
    strbuf sb = STRBUF_INIT;
    sb_puts(&sb, "x");
    mdc_format_record(MDC_FMT_CSV, st, r, &sb);
    assert_string_equal(sb_str(&sb) + 1, want);
    sb_free(&sb);
}

static void expect_header(mdc_format_style st, const mdc_record *r, const char *want)
{
    strbuf sb = STRBUF_INIT;
    mdc_format_csv_header(st, r, &sb);
    assert_string_equal(sb_str(&sb), want);
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

static void test_mdc(void **state)
{
    (void)state;
    mdc_record r;
    meter_record(&r);
    expect_header(MDC_STYLE_MDC, &r,
                  "timestamp,device,machine_id,status,voltage_l1,power_kw,count,running,program,"
                  "freq,error\n");
    expect_row(MDC_STYLE_MDC, &r,
               "2026-11-22T06:00:05.123456+00:00,meter-1,1,2,230.5,,-5,true,"
               "\"O1234 \"\"x\"\", y\",,power_kw: timeout; freq: illegal data address\n");
    mdc_record_set_error(&r, "login failed");
    expect_row(MDC_STYLE_MDC, &r,
               "2026-11-22T06:00:05.123456+00:00,meter-1,1,2,230.5,,-5,true,"
               "\"O1234 \"\"x\"\", y\",,login failed; power_kw: timeout; "
               "freq: illegal data address\n");
    mdc_record_free(&r);
}

static void test_mdc_no_errors(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    mdc_record_set_device(&r, "m");
    mdc_record_add_double(&r, "a", 1e16);
    mdc_record_add_double(&r, "b", -0.0);
    mdc_record_add_double(&r, "c", 1e-5);
    mdc_record_add_int(&r, "d", INT64_MIN);
    mdc_record_add_bool(&r, "e", false);
    expect_header(MDC_STYLE_MDC, &r, "timestamp,device,a,b,c,d,e,error\n");
    expect_row(MDC_STYLE_MDC, &r,
               "2026-11-22T06:00:05.123456+00:00,m,1e+16,-0.0,1e-05,-9223372036854775808,"
               "false,\n");
    mdc_record_free(&r);
}

static void test_mdc_quoting(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_MDC;
    mdc_record_add_string(&r, "plain", "a b;c");
    mdc_record_add_string(&r, "lead", " a");
    mdc_record_add_string(&r, "trail", "a\t");
    mdc_record_add_string(&r, "nl", "a\nb");
    mdc_record_add_string(&r, "cr", "a\rb");
    mdc_record_add_string(&r, "empty", "");
    mdc_record_add_string(&r, "utf8", "\xc3\xa9t\xc3\xa9\xff");
    mdc_record_add_string(&r, "a,b", "q\"");
    expect_header(MDC_STYLE_MDC, &r, "timestamp,plain,lead,trail,nl,cr,empty,utf8,\"a,b\",error\n");
    expect_row(MDC_STYLE_MDC, &r,
               "2026-11-22T06:00:05.123456+00:00,a b;c,\" a\",\"a\t\",\"a\nb\",\"a\rb\",,"
               "\xc3\xa9t\xc3\xa9\xef\xbf\xbd,\"q\"\"\",\n");
    mdc_record_free(&r);
}

/* Non-finite doubles (never stored by the setters): empty in mdc, Python str() in hems. */
static void test_nonfinite(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_HEMS;
    mdc_field *f = mdc_record_add(&r, "nan");
    f->v.type = MDC_DOUBLE;
    f->v.u.d = NAN;
    f = mdc_record_add(&r, "inf");
    f->v.type = MDC_DOUBLE;
    f->v.u.d = INFINITY;
    mdc_record_add_bool(&r, "b", true);
    expect_row(MDC_STYLE_MDC, &r, "2023-10-27T10:00:00.123456+00:00,,,true,\n");
    expect_row(MDC_STYLE_HEMS, &r, "2023-10-27T10:00:00.123456+00:00,nan,inf,True\n");
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

static void test_hems(void **state)
{
    (void)state;
    mdc_record r;
    hems_record(&r);
    expect_header(MDC_STYLE_HEMS, &r,
                  "timestamp,cumulative_power_kwh,instant_power_w,current_a,current_r_a,"
                  "current_t_a,historical_timestamp,historical_cumulative_power_kwh,"
                  "recent_30min_timestamp,recent_30min_consumption_kwh\n");
    expect_row(MDC_STYLE_HEMS, &r,
               "2023-10-27T10:00:00.123456+00:00,12345.6,500,7.5,5.0,None,"
               "2023-10-27T10:00:00+00:00,12345.5,2023-10-27T09:30:00+00:00,0.2\n");
    r.ts_us -= 123456; /* isoformat() without a fraction */
    expect_row(MDC_STYLE_HEMS, &r,
               "2023-10-27T10:00:00+00:00,12345.6,500,7.5,5.0,None,"
               "2023-10-27T10:00:00+00:00,12345.5,2023-10-27T09:30:00+00:00,0.2\n");
    mdc_record_free(&r);
}

/* The hems tool's fixed header: columns in its order whatever the record's order; missing
 * keys (and values that could not be read) are empty, a present None is "None". */
static void test_hems_fixed_columns(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = TS_HEMS;
    mdc_record_add_double(&r, "cumulative_power_kwh", 1234.5);
    mdc_record_add_int(&r, "instant_power_w", 1192);
    mdc_record_add_double(&r, "current_a", 9.8);
    mdc_record_add_double(&r, "current_r_a", 9.8);
    mdc_record_add_null(&r, "current_t_a", NULL);
    mdc_record_add_null(&r, "historical_timestamp", "EA: no reply");
    mdc_record_add_double(&r, "recent_30min_consumption_kwh", 1.5);
    mdc_record_add_string(&r, "recent_30min_timestamp", "2023-10-26T16:00:00+00:00");
    strbuf sb = STRBUF_INIT;
    mdc_format_csv_header_cols(MDC_HEMS_CSV_COLUMNS, MDC_HEMS_CSV_NCOLUMNS, &sb);
    mdc_format_csv_row_cols(MDC_STYLE_HEMS, &r, MDC_HEMS_CSV_COLUMNS, MDC_HEMS_CSV_NCOLUMNS, &sb);
    assert_string_equal(sb_str(&sb),
                        "timestamp,cumulative_power_kwh,instant_power_w,current_a,current_r_a,"
                        "current_t_a,historical_timestamp,historical_cumulative_power_kwh,"
                        "recent_30min_timestamp,recent_30min_consumption_kwh\n"
                        "2023-10-27T10:00:00.123456+00:00,1234.5,1192,9.8,9.8,None,,,"
                        "2023-10-26T16:00:00+00:00,1.5\n");
    sb_free(&sb);
    mdc_record_free(&r);
}

static void test_cols_identity_and_error(void **state)
{
    (void)state;
    mdc_record r;
    meter_record(&r);
    const char *cols[] = {"device", "status", "nope", "count", "error"};
    strbuf sb = STRBUF_INIT;
    mdc_format_csv_row_cols(MDC_STYLE_MDC, &r, cols, 5, &sb);
    assert_string_equal(sb_str(&sb),
                        "meter-1,2,,-5,power_kw: timeout; freq: illegal data address\n");
    sb_free(&sb);
    mdc_record_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mdc),
        cmocka_unit_test(test_mdc_no_errors),
        cmocka_unit_test(test_mdc_quoting),
        cmocka_unit_test(test_nonfinite),
        cmocka_unit_test(test_hems),
        cmocka_unit_test(test_hems_fixed_columns),
        cmocka_unit_test(test_cols_identity_and_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
