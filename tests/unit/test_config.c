/* SPDX-License-Identifier: Apache-2.0 */
/* Configuration loading: defaults, env expansion, and the exact text of error messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/config.h"
#include "core/dotenv.h"
#include "runtime/runtime.h"

#include <stdlib.h>
#include <string.h>

static char errbuf[1024];

/* Loads and builds; returns NULL and fills errbuf on failure. */
static mdc_config *load(const char *text, mdc_runtime **rt)
{
    mdc_config *cfg = NULL;
    mdc_err err = {0};
    errbuf[0] = '\0';
    if (mdc_config_load_string("t.json", text, strlen(text), NULL, &cfg, &err) < 0) {
        strcpy(errbuf, err.msg);
        return NULL;
    }
    if (rt && mdc_runtime_build(cfg, rt, &err) < 0) {
        strcpy(errbuf, err.msg);
        mdc_config_free(cfg);
        return NULL;
    }
    return cfg;
}

static void expect_error(const char *text, const char *msg)
{
    mdc_runtime *rt = NULL;
    mdc_config *cfg = load(text, &rt);
    if (cfg) {
        mdc_runtime_free(rt);
        mdc_config_free(cfg);
        fail_msg("expected an error: %s", msg);
    }
    assert_string_equal(errbuf, msg);
}

#define DEV(extra)                                                                                 \
    "{\"devices\": [{\"id\": \"m1\", \"driver\": \"modbus\",\n"                                    \
    " \"connection\": {\"tcp\": \"127.0.0.1:502\"},\n"                                             \
    " \"points\": [{\"name\": \"p\", \"function\": 4, \"address\": 0, \"type\": \"float32\"},\n"   \
    "            {\"name\": \"e\", \"function\": 4, \"address\": 2, \"type\": \"float32\"}]" extra \
    "}]}"

static void test_defaults(void **state)
{
    (void)state;
    mdc_runtime *rt;
    mdc_config *cfg = load("{}", &rt);
    assert_non_null(cfg);
    assert_string_equal(cfg->timezone, "UTC");
    assert_string_equal(cfg->data_dir, "data");
    assert_int_equal(cfg->nshifts, 1);
    assert_int_equal(cfg->shifts[0].start_min, 0);
    assert_int_equal(mdc_runtime_sink_count(rt), 1);
    assert_string_equal(mdc_runtime_sink_id(mdc_runtime_sink(rt, 0)), "sqlite:data/mdc.db");
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

static void test_device_defaults(void **state)
{
    (void)state;
    mdc_runtime *rt;
    mdc_config *cfg = load(DEV(""), &rt);
    assert_non_null(cfg);
    assert_int_equal(cfg->ndevices, 1);
    assert_int_equal(cfg->devices[0].schedule.kind, MDC_SCHED_INTERVAL);
    assert_int_equal(cfg->devices[0].schedule.interval_us, 5000000);
    assert_false(cfg->devices[0].has_machine_id);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

static void test_env_expansion(void **state)
{
    (void)state;
    setenv("MDC_T_PORT", "1502", 1);
    setenv("MDC_T_IV", "250ms", 1);
    mdc_runtime *rt;
    mdc_config *cfg = load("{\"devices\": [{\"id\": \"m1\", \"driver\": \"modbus\",\n"
                           " \"connection\": {\"tcp\": \"127.0.0.1:${MDC_T_PORT}\"},"
                           " \"interval\": \"${MDC_T_IV}\", \"unit_id\": \"${MDC_T_UNIT:-7}\","
                           " \"points\": [{\"name\": \"p\", \"address\": 0}]}]}",
                           &rt);
    assert_non_null(cfg);
    assert_int_equal(cfg->devices[0].schedule.interval_us, 250000);
    strbuf out = STRBUF_INIT;
    mdc_runtime_describe(rt, &out);
    assert_non_null(strstr(sb_str(&out), "tcp 127.0.0.1:1502, unit 7"));
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

static void test_unset_env(void **state)
{
    (void)state;
    unsetenv("MDC_T_MISSING");
    expect_error("{\n  \"data_dir\": \"${MDC_T_MISSING}\"\n}",
                 "t.json:2:3: data_dir: environment variable MDC_T_MISSING is not set (set it, or "
                 "put it in a .env file beside the configuration)");
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"timezone\": \"UTC\",\n \"devises\": []}",
                 "t.json:2:2: devises: unknown key \"devises\" (did you mean \"devices\"?); "
                 "allowed: timezone, data_dir, shifts, sinks, devices, spool, http, log_level, "
                 "instance, runtime, retry_max");
    expect_error("{\"timezone\": \"Asia/Kolkatta\"}",
                 "t.json:1:2: timezone: unknown time zone 'Asia/Kolkatta': no such file "
                 "/usr/share/zoneinfo/Asia/Kolkatta; use an IANA name such as Europe/Berlin");
    expect_error(
        "{\"shifts\": [{\"id\": 1, \"start\": \"14:00\"}, {\"id\": 2, \"start\": \"06:00\"}]}",
        "t.json:1:52: shifts[1].start: shift starts must be in increasing order within "
        "the day (the last shift wraps past midnight)");
    expect_error("{\"shifts\": [{\"id\": 1, \"start\": \"6am\"}]}",
                 "t.json:1:23: shifts[0].start: expected a local time \"HH:MM\" (00:00..23:59), "
                 "got \"6am\"");
    expect_error("{\"devices\": [{\"id\": \"a b\", \"driver\": \"modbus\"}]}",
                 "t.json:1:15: devices[0].id: \"a b\" is not a valid device id; use 1-64 letters, "
                 "digits, '-', '_' or '.'");
    expect_error(DEV(", \"interval\": \"5 s\""),
                 "t.json:4:77: devices[0].interval: bad duration \"5 s\"; use seconds (5) or a "
                 "string like \"500ms\", \"5s\", \"2m\", \"1h\"");
    expect_error(DEV(", \"interval\": 0.0000001"),
                 "t.json:4:77: devices[0].interval: duration 1e-07 s is below the resolution of "
                 "1 microsecond");
    expect_error(DEV(", \"interval\": \"0.1us\""),
                 "t.json:4:77: devices[0].interval: duration \"0.1us\" is below the resolution "
                 "of 1 microsecond");
    expect_error(DEV(", \"schedule\": \"*/5 * * *\""),
                 "t.json:4:77: devices[0].schedule: cron \"*/5 * * *\": expected 5 fields "
                 "(minute hour day-of-month month day-of-week) or a macro such as @daily, got 4");
    expect_error(DEV(", \"status\": {\"power\": \"pwr\"}"),
                 "t.json:4:88: devices[0].status.power: no value named \"pwr\"; this device has: "
                 "p, e");
    expect_error(DEV(", \"energy\": {\"point\": \"E\"}"),
                 "t.json:4:88: devices[0].energy.point: no value named \"E\" (did you mean "
                 "\"e\"?); this device has: p, e");
    expect_error(DEV(", \"parts\": {\"signal\": \"p\", \"counter\": \"e\"}"),
                 "t.json:4:77: devices[0].parts: give exactly one of \"signal\" (count rising "
                 "edges) or \"counter\" (count an absolute counter's increases)");
    expect_error("{\"sinks\": [{\"type\": \"stdout\", \"format\": \"jsno\"}]}",
                 "t.json:1:31: sinks[0].format: unknown value \"jsno\" (did you mean \"json\"?); "
                 "allowed: json, yaml, csv");
    expect_error("{\"sinks\": [{\"type\": \"kafka\"}]}",
                 "t.json:1:13: sinks[0].type: unknown value \"kafka\"; allowed: sqlite, stdout, "
                 "file, webhook, pubsub, log, postgres, mqtt, sparkplug");
    expect_error("{\"devices\": 3}",
                 "t.json:1:2: devices: expected an array ([ ... ]), got an integer");
    expect_error("{\"devices\": [}", "t.json:1:14: invalid JSON: unexpected token near '}'");
    expect_error("[]", "t.json:1:1: the configuration must be a JSON object ({ ... })");
    expect_error("{\"data_dir\": \"a\", \"data_dir\": \"b\"}",
                 "t.json:1:28: invalid JSON: duplicate object key near '\"data_dir\"'");
}

static void test_duplicate_device(void **state)
{
    (void)state;
    expect_error("{\"devices\": [{\"id\": \"m\", \"driver\": \"modbus\"},\n"
                 "             {\"id\": \"m\", \"driver\": \"modbus\"}]}",
                 "t.json:2:15: devices[1].id: duplicate device id \"m\" (also devices[0])");
}

static void test_secret_masking(void **state)
{
    (void)state;
    setenv("MDC_T_SECRET", "hunter2", 1);
    mdc_config *cfg = load("{\"data_dir\": \"x\"}", NULL);
    assert_non_null(cfg);
    mdc_cfgnode root = mdc_cfgdoc_root(cfg->doc);
    mdc_config_free(cfg);
    mdc_cfgdoc *doc;
    mdc_err err;
    const char *text = "{\"password\": \"${MDC_T_SECRET}\"}";
    assert_int_equal(mdc_cfgdoc_load_string("s.json", text, strlen(text), &doc, &err), 0);
    root = mdc_cfgdoc_root(doc);
    const char *pw;
    assert_int_equal(cfg_secret(&root, "password", NULL, &pw, &err), 0);
    assert_string_equal(pw, "hunter2");
    strbuf s = STRBUF_INIT;
    /* by field (core/redact.h): the password field is masked; what mdc prints never holds the
     * secret elsewhere, and its text is never searched for */
    sb_puts(&s, "connect user=x password=hunter2 failed");
    mdc_cfgdoc_mask(doc, &s);
    assert_string_equal(sb_str(&s), "connect user=x password=*** failed");
    sb_free(&s);
    mdc_cfgdoc_free(doc);
}

static void test_durations(void **state)
{
    (void)state;
    int64_t us;
    assert_int_equal(mdc_parse_duration_us("500ms", &us), 0);
    assert_int_equal(us, 500000);
    assert_int_equal(mdc_parse_duration_us("1.5s", &us), 0);
    assert_int_equal(us, 1500000);
    assert_int_equal(mdc_parse_duration_us("2m", &us), 0);
    assert_int_equal(us, 120000000);
    assert_int_equal(mdc_parse_duration_us("1h", &us), 0);
    assert_int_equal(us, 3600000000LL);
    assert_int_equal(mdc_parse_duration_us("7", &us), 0);
    assert_int_equal(us, 7000000);
    assert_int_equal(mdc_parse_duration_us("0s", &us), -1);
    assert_int_equal(mdc_parse_duration_us("-1s", &us), -1);
    assert_int_equal(mdc_parse_duration_us("5 s", &us), -1);
    assert_int_equal(mdc_parse_duration_us("5x", &us), -1);
}

static void test_dotenv(void **state)
{
    (void)state;
    unsetenv("MDC_DE_A");
    unsetenv("MDC_DE_B");
    unsetenv("MDC_DE_C");
    unsetenv("MDC_DE_D");
    setenv("MDC_DE_KEEP", "original", 1);
    const char *text = "# comment\n"
                       "export MDC_DE_A=plain value # trailing comment\n"
                       "MDC_DE_B='single ${MDC_DE_A} #x'\n"
                       "MDC_DE_C=\"double ${MDC_DE_A}\\n2\"\n"
                       "\n"
                       "MDC_DE_KEEP=overridden\n"
                       "MDC_DE_D=${MDC_DE_UNSET_X}end\n";
    mdc_err err;
    assert_int_equal(mdc_dotenv_parse(".env", text, strlen(text), &err), 1);
    assert_string_equal(getenv("MDC_DE_A"), "plain value");
    assert_string_equal(getenv("MDC_DE_B"), "single ${MDC_DE_A} #x");
    assert_string_equal(getenv("MDC_DE_C"), "double plain value\n2");
    assert_string_equal(getenv("MDC_DE_KEEP"), "original");
    assert_string_equal(getenv("MDC_DE_D"), "end");
    const char *bad = "OK=1\nthis is not an assignment\n";
    assert_int_equal(mdc_dotenv_parse(".env", bad, strlen(bad), &err), -1);
    assert_string_equal(err.msg, ".env:2: expected '=' after the name");
}

static void test_did_you_mean(void **state)
{
    (void)state;
    const char *const c[] = {"interval", "schedule", "timeout", NULL};
    assert_string_equal(mdc_did_you_mean("intervall", c), "interval");
    assert_string_equal(mdc_did_you_mean("shedule", c), "schedule");
    assert_null(mdc_did_you_mean("frobnicate", c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),       cmocka_unit_test(test_device_defaults),
        cmocka_unit_test(test_env_expansion),  cmocka_unit_test(test_unset_env),
        cmocka_unit_test(test_errors),         cmocka_unit_test(test_duplicate_device),
        cmocka_unit_test(test_secret_masking), cmocka_unit_test(test_durations),
        cmocka_unit_test(test_dotenv),         cmocka_unit_test(test_did_you_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
