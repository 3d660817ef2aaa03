/* SPDX-License-Identifier: Apache-2.0 */
/* The status API's request parsing: routes, percent-decoding, query parameters, times, and
 * the exact 4xx messages for bad paths and parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "http/request.h"

#include <stdio.h>
#include <string.h>

static mdc_http_req parse_ok(const char *target)
{
    mdc_http_req req;
    mdc_http_error e;
    if (mdc_http_parse_target(target, &req, &e) != 0)
        fail_msg("%s: unexpected %d %s", target, e.status, e.msg);
    return req;
}

static void expect_error(const char *target, int status, const char *msg)
{
    mdc_http_req req;
    mdc_http_error e;
    assert_int_equal(mdc_http_parse_target(target, &req, &e), -1);
    assert_int_equal(e.status, status);
    assert_string_equal(e.msg, msg);
}

static void test_routes(void **state)
{
    (void)state;
    mdc_http_req r = parse_ok("/");
    assert_int_equal(r.route, MDC_ROUTE_ASSET);
    assert_string_equal(r.asset, "index.html");
    r = parse_ok("/dashboard.js");
    assert_int_equal(r.route, MDC_ROUTE_ASSET);
    assert_string_equal(r.asset, "dashboard.js");
    assert_int_equal(parse_ok("/healthz").route, MDC_ROUTE_HEALTHZ);
    assert_int_equal(parse_ok("/metrics").route, MDC_ROUTE_METRICS);
    assert_int_equal(parse_ok("/api/devices").route, MDC_ROUTE_DEVICES);
    assert_int_equal(parse_ok("/api/devices/").route, MDC_ROUTE_DEVICES);
    r = parse_ok("/api/devices/meter-1");
    assert_int_equal(r.route, MDC_ROUTE_DEVICE);
    assert_string_equal(r.device, "meter-1");
    r = parse_ok("/api/devices/m%2D1.a_b/history");
    assert_int_equal(r.route, MDC_ROUTE_HISTORY);
    assert_string_equal(r.device, "m-1.a_b");
    assert_int_equal(r.limit, MDC_HTTP_LIMIT_DEF);
    assert_false(r.has_from);
    assert_int_equal(parse_ok("/api/devices/x/shifts").route, MDC_ROUTE_SHIFTS);
    r = parse_ok("/api/events?device=meter-2");
    assert_int_equal(r.route, MDC_ROUTE_EVENTS);
    assert_string_equal(r.device, "meter-2");
}

static void test_bad_paths(void **state)
{
    (void)state;
    const char *nope = "no such endpoint; try /, /healthz, /metrics, /api/devices, "
                       "/api/devices/{id}, /api/devices/{id}/history, /api/devices/{id}/shifts, "
                       "/api/devices/{id}/series, /api/devices/{id}/timeline, /api/plant, "
                       "/api/events";
    expect_error("/nope", 404, nope);
    expect_error("/api", 404, nope);
    expect_error("/API/devices", 404, nope);
    expect_error("/healthz/x", 404, nope);
    expect_error("//healthz", 404, "no such endpoint (empty path segment)");
    expect_error("/api//devices", 404, "no such endpoint (empty path segment)");
    expect_error("/api/devices/../metrics", 404, "no such endpoint (\".\" or \"..\" in the path)");
    expect_error("/a/b/c/d/e/f/g", 404, "no such endpoint (path too deep)");
    expect_error("/api/devices/%zz", 400, "bad percent-escape or NUL byte in the path");
    expect_error("/api/devices/a%00b", 400, "bad percent-escape or NUL byte in the path");
    expect_error("/api/devices/a%2", 400, "bad percent-escape or NUL byte in the path");
    expect_error("/api/devices/a%2Fb", 404, "no such device \"a/b\"");
    expect_error("/api/devices/<script>", 404, "no such device \"<script>\"");
    expect_error("/api/devices/x/history/more", 404,
                 "no such endpoint; device endpoints: /api/devices/{id}, "
                 "/api/devices/{id}/history, /api/devices/{id}/shifts, "
                 "/api/devices/{id}/series, /api/devices/{id}/timeline");
    expect_error("healthz", 400, "the request target must start with '/'");
    expect_error("/Index.HTML", 404, nope);
    char longp[MDC_HTTP_TARGET_MAX + 10];
    memset(longp, 'a', sizeof longp - 1);
    longp[0] = '/';
    longp[sizeof longp - 1] = '\0';
    expect_error(longp, 414, "request target longer than 4096 bytes");
}

/* The dashboard's routes and their parameters. */
static void test_dashboard_routes(void **state)
{
    (void)state;
    mdc_http_req r;
    mdc_http_error e;
    assert_int_equal(0, mdc_http_parse_target("/api/plant", &r, &e));
    assert_int_equal(MDC_ROUTE_PLANT, r.route);
    assert_int_equal(0, mdc_http_parse_target("/api/session", &r, &e));
    assert_int_equal(MDC_ROUTE_SESSION, r.route);
    assert_int_equal(0, mdc_http_parse_target("/api/devices?offset=48&limit=48&q=Press%20line"
                                              "&state=UNREACHABLE",
                                              &r, &e));
    assert_int_equal(MDC_ROUTE_DEVICES, r.route);
    assert_int_equal(48, r.offset);
    assert_true(r.has_limit);
    assert_int_equal(48, r.limit);
    assert_string_equal("Press line", r.q);
    assert_string_equal("UNREACHABLE", r.state);
    assert_int_equal(0, mdc_http_parse_target("/api/devices/m/series?point=power%20kw&step=5m"
                                              "&from=2026-11-22T06:00Z",
                                              &r, &e));
    assert_int_equal(MDC_ROUTE_SERIES, r.route);
    assert_string_equal("power kw", r.point);
    assert_int_equal(300 * MDC_US_PER_SEC, r.step_us);
    assert_int_equal(0, mdc_http_parse_target("/api/devices/m/series?point=p&step=90", &r, &e));
    assert_int_equal(90 * MDC_US_PER_SEC, r.step_us);
    assert_int_equal(0, mdc_http_parse_target("/api/events?catalog=false", &r, &e));
    assert_true(r.no_catalog);
    assert_int_equal(0, mdc_http_parse_target("/api/events?catalog=1", &r, &e));
    assert_false(r.no_catalog);
    expect_error("/api/events?catalog=no", 400, "catalog: expected true or false, got \"no\"");
    assert_int_equal(0, mdc_http_parse_target("/api/devices/m/timeline?from=1", &r, &e));
    assert_int_equal(MDC_ROUTE_TIMELINE, r.route);
    expect_error("/api/devices/m/series?point=p&step=2d", 400,
                 "step: expected seconds (60) or a duration (\"30s\", \"5m\", \"1h\") of at "
                 "least 1 s, got \"2d\"");
    expect_error("/api/devices/m/series?point=p&step=25h", 400,
                 "step: expected seconds (60) or a duration (\"30s\", \"5m\", \"1h\") of at "
                 "least 1 s, got \"25h\"");
    expect_error("/api/devices/m/series?point=%01", 400,
                 "point: expected a value name of at most 128 printable characters, got \"?\"");
    expect_error("/api/devices/m/timeline?point=p", 400,
                 "unknown query parameter \"point\"; allowed here: from, to");
    expect_error("/api/devices?limit=0", 400,
                 "limit: expected a whole number from 1 to 10000, got \"0\"");
}

static void test_query(void **state)
{
    (void)state;
    mdc_http_req r = parse_ok("/api/devices/m/history?from=2026-11-22T06:00:00Z&to=1795334400"
                              "&limit=5&access_token=t%20k");
    assert_true(r.has_from && r.has_to);
    assert_int_equal(r.from_us, 1795327200000000LL);
    assert_int_equal(r.to_us, 1795334400000000LL);
    assert_int_equal(r.limit, 5);
    assert_true(r.has_token);
    assert_string_equal(r.token, "t k");
    r = parse_ok("/metrics?&&access_token=abc&");
    assert_string_equal(r.token, "abc");
    expect_error("/metrics?x=1", 400, "unknown query parameter \"x\"; allowed here: none");
    expect_error("/api/devices/m/history?form=1", 400,
                 "unknown query parameter \"form\"; allowed here: from, to, limit");
    expect_error("/api/devices/m/shifts?limit=1", 400,
                 "unknown query parameter \"limit\"; allowed here: from, to");
    expect_error("/api/devices/m/history?limit=1&limit=2", 400,
                 "query parameter \"limit\" given twice");
    expect_error("/api/devices/m/history?limit=0", 400,
                 "limit: expected a whole number from 1 to 10000, got \"0\"");
    expect_error("/api/devices/m/history?limit=10001", 400,
                 "limit: expected a whole number from 1 to 10000, got \"10001\"");
    expect_error("/api/devices/m/history?limit=99999999999999999999", 400,
                 "limit: expected a whole number from 1 to 10000, got \"99999999999999999999\"");
    expect_error("/api/devices/m/history?limit=", 400,
                 "limit: expected a whole number from 1 to 10000, got \"\"");
    expect_error("/api/devices/m/history?from=yesterday", 400,
                 "from: expected an ISO 8601 time (2026-11-22T06:00:00Z, "
                 "2026-11-22T11:30:00+05:30, 2026-11-22) or Unix seconds, got \"yesterday\"");
    expect_error("/api/devices/m/history?from=2&to=1", 400, "from must be before to");
    expect_error("/api/events?device=a%2Fb", 400, "device: \"a/b\" is not a device id");
    expect_error("/api/devices/m/history?from=%", 400,
                 "bad percent-escape or NUL byte in the query");
    expect_error("/api/devices/m/history?to=%22%5C", 400,
                 "to: expected an ISO 8601 time (2026-11-22T06:00:00Z, "
                 "2026-11-22T11:30:00+05:30, 2026-11-22) or Unix seconds, got \"??\"");
}

static void test_token_even_on_errors(void **state)
{
    (void)state;
    mdc_http_req req;
    mdc_http_error e;
    assert_int_equal(mdc_http_parse_target("/nope?access_token=sec", &req, &e), -1);
    assert_true(req.has_token);
    assert_string_equal(req.token, "sec");
}

static int64_t t(const char *s)
{
    int64_t v;
    if (mdc_http_parse_time(s, &v) != 0) fail_msg("%s: not a time", s);
    return v;
}

static void test_times(void **state)
{
    (void)state;
    assert_int_equal(t("2026-11-22"), 1795305600000000LL);
    assert_int_equal(t("2026-11-22T06:00"), 1795327200000000LL);
    assert_int_equal(t("2026-11-22T06:00:05Z"), 1795327205000000LL);
    assert_int_equal(t("2026-11-22t06:00:05z"), 1795327205000000LL);
    assert_int_equal(t("2026-11-22 06:00:05.123456"), 1795327205123456LL);
    assert_int_equal(t("2026-11-22T06:00:05.1234567+00:00"), 1795327205123456LL);
    assert_int_equal(t("2026-11-22T11:30:05+05:30"), 1795327205000000LL);
    assert_int_equal(t("2026-11-22T01:00:05-0500"), 1795327205000000LL);
    assert_int_equal(t("2024-02-29"), 1709164800000000LL);
    assert_int_equal(t("1795327205"), 1795327205000000LL);
    assert_int_equal(t("1795327205.5"), 1795327205500000LL);
    assert_int_equal(t("0"), 0);
    const char *bad[] = {"",
                         "x",
                         "2026-13-01",
                         "2026-02-29",
                         "2026-11-31",
                         "2026-11-22T24:00",
                         "2026-11-22T06:60",
                         "2026-11-22T06:00:60",
                         "2026-11-22T06",
                         "2026-11-22T06:00+5",
                         "2026-11-22Z1",
                         "-1",
                         "1.",
                         "1e9",
                         "999999999999999",
                         "2026-11-22T06:00:05."};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t v;
        if (mdc_http_parse_time(bad[i], &v) == 0) fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_pct_decode(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(mdc_http_pct_decode("a%41%62+c", 9, out), 5);
    assert_string_equal(out, "aAb+c");
    assert_int_equal(mdc_http_pct_decode("%", 1, out), -1);
    assert_int_equal(mdc_http_pct_decode("%4", 2, out), -1);
    assert_int_equal(mdc_http_pct_decode("%g0", 3, out), -1);
    assert_int_equal(mdc_http_pct_decode("%00", 3, out), -1);
    assert_true(mdc_http_valid_id("a.B-c_9"));
    assert_false(mdc_http_valid_id(""));
    assert_false(mdc_http_valid_id("a b"));
    char id65[66];
    memset(id65, 'a', 65);
    id65[65] = '\0';
    assert_false(mdc_http_valid_id(id65));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_dashboard_routes),
        cmocka_unit_test(test_query),
        cmocka_unit_test(test_token_even_on_errors),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_pct_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
