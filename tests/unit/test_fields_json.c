/* SPDX-License-Identifier: Apache-2.0 */
/* A record's values as the databases' records rows keep them (format/fields_json.h): exact text
 * for every value type, escaping, a NaN (null, with the record's error for it), the errors object
 * and its absence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "format/fields_json.h"

#include <math.h>
#include <string.h>

static void test_every_type(void **state)
{
    (void)state;
    mdc_record r;
    mdc_record_init(&r);
    mdc_record_add_double(&r, "voltage_l1", 230.0);
    mdc_record_add_double(&r, "power_kw", 0.1 + 0.2);
    mdc_record_add_int(&r, "parts", -7);
    mdc_record_add_bool(&r, "running", true);
    mdc_record_add_string(&r, "program \"7\"", "A\tB\\C\xff");
    mdc_record_add_double(&r, "nan", NAN);
    mdc_record_add_null(&r, "energy_kwh", "exception 2 \"illegal address\"");
    strbuf out = STRBUF_INIT;
    size_t at;
    mdc_fields_json(&r, &out, &at);
    assert_string_equal(sb_str(&out) + at,
                        "{\"nan\":\"value is NaN\",\"energy_kwh\":\"exception 2 \\\"illegal "
                        "address\\\"\"}");
    out.buf[at] = '\0';
    assert_string_equal(sb_str(&out),
                        "{\"voltage_l1\":230.0,\"power_kw\":0.30000000000000004,\"parts\":-7,"
                        "\"running\":true,\"program \\\"7\\\"\":\"A\\tB\\\\C\xef\xbf\xbd\","
                        "\"nan\":null,\"energy_kwh\":null}");
    /* reused: the text is replaced; no errors, nothing after the fields */
    mdc_record_free(&r);
    mdc_record_init(&r);
    mdc_record_add_int(&r, "a", 1);
    mdc_fields_json(&r, &out, &at);
    assert_string_equal(sb_str(&out), "{\"a\":1}");
    assert_int_equal(at, out.len);
    mdc_record_free(&r);
    /* no values at all */
    mdc_record_init(&r);
    mdc_fields_json(&r, &out, &at);
    assert_string_equal(sb_str(&out), "{}");
    mdc_record_free(&r);
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_type)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
