/* SPDX-License-Identifier: Apache-2.0 */
/* NodeId text forms (ns/i/s/g/b, nsu=), Guids, base64, status names and JSON values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/opcua/ua_text.h"

#include <stdlib.h>
#include <string.h>

static void parse_format(const char *text, const char *formatted)
{
    ua_nodeid id;
    char *uri;
    mdc_err err = {0};
    if (ua_nodeid_parse(text, &id, &uri, &err) < 0) fail_msg("%s: %s", text, err.msg);
    assert_null(uri);
    strbuf out = STRBUF_INIT;
    ua_nodeid_format(&id, &out);
    assert_string_equal(sb_str(&out), formatted);
    sb_free(&out);
    ua_nodeid_clear(&id);
}

static void test_nodeid_text(void **state)
{
    (void)state;
    parse_format("i=85", "i=85");
    parse_format("ns=0;i=2258", "i=2258");
    parse_format("ns=2;s=/Channel/State/progStatus", "ns=2;s=/Channel/State/progStatus");
    parse_format("ns=2;s=a;b=c", "ns=2;s=a;b=c"); /* ';' inside a string id */
    parse_format("s=Name", "s=Name");
    parse_format("ns=1;g=72962b91-fa75-4ae6-8d28-b404dc7daf63",
                 "ns=1;g=72962B91-FA75-4AE6-8D28-B404DC7DAF63");
    parse_format("ns=3;b=AAEC+vv8", "ns=3;b=AAEC+vv8");
    parse_format("ns=65535;i=4294967295", "ns=65535;i=4294967295");
    ua_nodeid id;
    char *uri;
    mdc_err err = {0};
    assert_int_equal(ua_nodeid_parse("ns=2;s=X", &id, &uri, &err), 0);
    assert_int_equal(id.ns, 2);
    assert_int_equal(id.kind, UA_NID_STRING);
    assert_string_equal(id.str.data, "X");
    ua_nodeid_clear(&id);
    assert_int_equal(ua_nodeid_parse("nsu=urn:testpeer:machine;s=Machine.Power", &id, &uri, &err),
                     0);
    assert_string_equal(uri, "urn:testpeer:machine");
    assert_string_equal(id.str.data, "Machine.Power");
    free(uri);
    ua_nodeid_clear(&id);
    assert_int_equal(ua_nodeid_parse("nsu=urn:x;s=/Channel;State", &id, &uri, &err), 0);
    assert_string_equal(uri, "urn:x"); /* a ';' inside the string identifier */
    assert_string_equal(id.str.data, "/Channel;State");
    free(uri);
    ua_nodeid_clear(&id);
    assert_int_equal(ua_nodeid_parse("nsu=http://x/y;i=5", &id, &uri, &err), 0);
    assert_string_equal(uri, "http://x/y");
    assert_int_equal(id.num, 5);
    free(uri);
}

static void bad(const char *text)
{
    ua_nodeid id;
    char *uri;
    mdc_err err = {0};
    if (ua_nodeid_parse(text, &id, &uri, &err) == 0) fail_msg("accepted %s", text);
    assert_null(uri);
    assert_non_null(strstr(err.msg, "node id"));
}

static void test_nodeid_text_errors(void **state)
{
    (void)state;
    bad("");
    bad("85");
    bad("i=");
    bad("i=x1");
    bad("i=4294967296");
    bad("ns=70000;i=1");
    bad("ns=2");
    bad("ns=x;i=1");
    bad("x=1");
    bad("g=1234");
    bad("ns=1;g=72962b91-fa75-4ae6-8d28-b404dc7daf6");
    bad("b=***");
    bad("nsu=;i=1");
}

static void test_expanded_format(void **state)
{
    (void)state;
    ua_expnodeid e = {ua_nodeid_numeric(0, 5), {5, "urn:x"}, 2};
    strbuf out = STRBUF_INIT;
    ua_expnodeid_format(&e, &out);
    assert_string_equal(sb_str(&out), "svr=2;nsu=urn:x;i=5");
    sb_free(&out);
}

static void test_base64(void **state)
{
    (void)state;
    const char *cases[][2] = {{"", ""},
                              {"f", "Zg=="},
                              {"fo", "Zm8="},
                              {"foo", "Zm9v"},
                              {"foob", "Zm9vYg=="},
                              {"fooba", "Zm9vYmE="},
                              {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        strbuf e = STRBUF_INIT, d = STRBUF_INIT;
        ua_base64_encode(cases[i][0], strlen(cases[i][0]), &e);
        assert_string_equal(sb_str(&e), cases[i][1]);
        assert_int_equal(ua_base64_decode(cases[i][1], strlen(cases[i][1]), &d), 0);
        assert_string_equal(sb_str(&d), cases[i][0]);
        sb_free(&e);
        sb_free(&d);
    }
    strbuf d = STRBUF_INIT;
    assert_int_equal(ua_base64_decode("Z", 1, &d), -1);
    assert_int_equal(ua_base64_decode("Zm9v!", 5, &d), -1);
    sb_free(&d);
}

static void test_status_names(void **state)
{
    (void)state;
    char buf[96];
    assert_string_equal(ua_status_name(0x80340000u), "BadNodeIdUnknown");
    assert_string_equal(ua_status_name(0x801F0000u), "BadUserAccessDenied");
    assert_string_equal(ua_status_name(0x00000000u), "Good");
    assert_string_equal(ua_status_name(0x40920000u), "UncertainInitialValue");
    assert_string_equal(ua_status_name(0x80340400u), "BadNodeIdUnknown"); /* flag bits */
    assert_null(ua_status_name(0x8FFF0000u));
    assert_string_equal(ua_status_text(0x80130000u, buf, sizeof buf),
                        "BadSecurityChecksFailed (0x80130000)");
    assert_string_equal(ua_status_text(0x8FFF0000u, buf, sizeof buf), "status 0x8FFF0000");
    assert_true(ua_status_is_bad(0x80000000u));
    assert_true(ua_status_is_uncertain(0x40000000u));
    assert_false(ua_status_is_bad(0x40000000u));
}

static void test_json(void **state)
{
    (void)state;
    strbuf out = STRBUF_INIT;
    double d[] = {0.5, 1e21, -3, 0.1};
    ua_variant v = {UA_DOUBLE, true, 4, d, 0, NULL};
    ua_variant_json(&v, &out);
    assert_string_equal(sb_str(&out), "[0.5,1e+21,-3,0.1]");
    sb_reset(&out);
    ua_string s[] = {{3, "a\"\n"}, {-1, NULL}};
    ua_variant sv = {UA_STRING, true, 2, s, 0, NULL};
    ua_variant_json(&sv, &out);
    assert_string_equal(sb_str(&out), "[\"a\\\"\\n\",null]");
    sb_reset(&out);
    int64_t dt = ua_datetime_from_unix_us(1795327205123000LL);
    ua_variant tv = {UA_DATETIME, false, 1, &dt, 0, NULL};
    ua_variant_json(&tv, &out);
    assert_string_equal(sb_str(&out), "\"2026-11-22T06:00:05.123Z\"");
    sb_reset(&out);
    ua_variant empty = {UA_INT32, true, 0, NULL, 0, NULL};
    ua_variant_json(&empty, &out);
    assert_string_equal(sb_str(&out), "[]");
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodeid_text),     cmocka_unit_test(test_nodeid_text_errors),
        cmocka_unit_test(test_expanded_format), cmocka_unit_test(test_base64),
        cmocka_unit_test(test_status_names),    cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
