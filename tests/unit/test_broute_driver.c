/* SPDX-License-Identifier: Apache-2.0 */
/* The broute driver: configuration errors (exact text), defaults, the fields it declares, and
 * the description `mdc check` prints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/config.h"
#include "drivers/broute/broute_driver.h"
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h" /* the device's driver and parsed configuration */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RBID "0123456789ABCDEF0123456789ABCDEF"
#define BASE "{\"id\": \"home\", \"driver\": \"broute\", \"port\": \"/dev/ttyUSB0\", "

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

/* Device objects inside a minimal file: the first is on line 2. */
static void expect_error(const char *devices, const char *msg)
{
    char text[4096];
    snprintf(text, sizeof text, "{\"devices\": [\n%s\n]}", devices);
    mdc_runtime *rt = NULL;
    mdc_config *cfg = load(text, &rt);
    if (cfg) {
        mdc_runtime_free(rt);
        mdc_config_free(cfg);
        fail_msg("accepted: %s", devices);
    }
    assert_string_equal(errbuf, msg);
    assert_null(strstr(errbuf, "s3cret")); /* the password is never shown */
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_error("{\"id\": \"home\", \"driver\": \"broute\"}",
                 "t.json:2:1: devices[0]: missing required key \"port\"");
    expect_error(
        BASE "\"rbid\": \"" RBID "\", \"pasword\": \"s3cret\"}",
        "t.json:2:104: devices[0].pasword: unknown key \"pasword\" (did you mean "
        "\"password\"?); allowed: id, machine_id, name, driver, interval, schedule, retry_max, "
        "status, parts, energy, enabled, port, baud, rbid, password, module, channel, "
        "panid, ipv6, timezone, timeout");
    expect_error(BASE "\"password\": \"s3cret\"}",
                 "t.json:2:1: devices[0]: missing required key \"rbid\"");
    expect_error(BASE "\"rbid\": \"0123\", \"password\": \"s3cret\"}",
                 "t.json:2:60: devices[0].rbid: must be the 32-character B-route ID from the power "
                 "company, got 4 characters");
    expect_error(
        BASE "\"rbid\": \"" RBID "\"}",
        "t.json:2:1: devices[0]: missing required key \"password\" (the B-route password)");
    expect_error(BASE "\"rbid\": \"" RBID
                      "\", \"password\": \"s3cret-s3cret-s3cret-s3cret-s3cret\"}",
                 "t.json:2:104: devices[0].password: must be 1 to 32 characters, got 34");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret s3cret\"}",
                 "t.json:2:104: devices[0].password: must be printable characters without spaces");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": 1234}",
                 "t.json:2:104: devices[0].password: expected a string, got an integer");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"module\": \"bp35c2\"}",
                 "t.json:2:126: devices[0].module: unknown value \"bp35c2\" (did you mean "
                 "\"bp35c0\"?); allowed: auto, bp35a1, bp35c0, rl7023");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"channel\": 61}",
                 "t.json:2:126: devices[0].channel: the channel must be 33 to 60 (0x21 to 0x3C), "
                 "got 61");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"channel\": \"2G\"}",
                 "t.json:2:126: devices[0].channel: expected the channel: an integer or 2 hex "
                 "digits, got \"2G\"");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"panid\": \"88888\"}",
                 "t.json:2:126: devices[0].panid: expected the PAN ID: an integer or 4 hex digits, "
                 "got \"88888\"");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"ipv6\": \"FE80::1\"}",
                 "t.json:2:126: devices[0].ipv6: expected the meter's IPv6 address as eight groups "
                 "of hex digits (FE80:0000:0000:0000:021C:6400:030C:12A4), got \"FE80::1\"");
    expect_error(BASE "\"rbid\": \"" RBID
                      "\", \"password\": \"s3cret\", \"timezone\": \"Mars/Base\"}",
                 "t.json:2:126: devices[0].timezone: unknown time zone 'Mars/Base': no such file "
                 "/usr/share/zoneinfo/Mars/Base; use an IANA name such as Europe/Berlin");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"baud\": 12345}",
                 "t.json:2:126: devices[0].baud: 12345 is not a supported rate (1200, 2400, 4800, "
                 "9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)");
    expect_error(BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", \"timeout\": \"0s\"}",
                 "t.json:2:126: devices[0].timeout: bad duration \"0s\"; use seconds (5) or a "
                 "string like \"500ms\", \"5s\", \"2m\", \"1h\"");
    expect_error(
        BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\"},\n"
             "{\"id\": \"home2\", \"driver\": \"broute\", \"port\": \"/dev/ttyUSB0\", "
             "\"rbid\": \"" RBID "\", \"password\": \"s3cret\"}",
        "t.json:3:1: devices[1]: shares serial:/dev/ttyUSB0 with device \"home\": a Wi-SUN "
        "module serves one meter; give each meter its own module");
}

static void test_valid(void **state)
{
    (void)state;
    const char *text =
        "{\"devices\": [" BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\", "
        "\"module\": \"bp35c0\", \"channel\": \"21\", \"panid\": 34952, "
        "\"ipv6\": \"fe80:0:0:0:21c:6400:30c:12a4\", \"timezone\": \"UTC\", \"timeout\": \"3s\"}]}";
    mdc_runtime *rt = NULL;
    mdc_config *cfg = load(text, &rt);
    if (!cfg) fail_msg("%s", errbuf);
    mdc_rt_device *d = mdc_runtime_device(rt, 0);
    assert_ptr_equal(d->driver, &mdc_broute_driver);
    static const char *const names[] = {"cumulative_power_kwh",
                                        "instant_power_w",
                                        "current_a",
                                        "current_r_a",
                                        "current_t_a",
                                        "historical_timestamp",
                                        "historical_cumulative_power_kwh",
                                        "recent_30min_timestamp",
                                        "recent_30min_consumption_kwh",
                                        NULL};
    for (int i = 0; names[i] || d->fields[i]; i++) {
        assert_non_null(d->fields[i]);
        assert_string_equal(d->fields[i], names[i]);
    }
    strbuf out = STRBUF_INIT;
    d->driver->describe(d->dcfg, &out);
    assert_string_equal(
        sb_str(&out),
        "    serial /dev/ttyUSB0 115200 8N1, module bp35c0, timeout 3000 ms, meter time zone UTC\n"
        "    meter: channel 33 (0x21), PAN ID 0x8888, FE80:0000:0000:0000:021C:6400:030C:12A4 "
        "(no scan)\n"
        "    B-route ID and password set; fields: cumulative_power_kwh instant_power_w current_a "
        "current_r_a current_t_a historical_timestamp historical_cumulative_power_kwh "
        "recent_30min_timestamp recent_30min_consumption_kwh\n");
    assert_null(strstr(sb_str(&out), "s3cret"));
    assert_null(strstr(sb_str(&out), RBID));
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

/* Without zoneinfo files the default meter zone is the fixed rule JST-9 (no DST in Japan);
 * a zone named in the configuration must exist. */
static void test_no_tzdata(void **state)
{
    (void)state;
    const char *old = getenv("TZDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZDIR", "/nonexistent-zoneinfo", 1);
    mdc_runtime *rt = NULL;
    mdc_config *cfg =
        load("{\"devices\": [" BASE "\"rbid\": \"" RBID "\", \"password\": \"s3cret\"}]}", &rt);
    if (!cfg) fail_msg("%s", errbuf);
    strbuf out = STRBUF_INIT;
    mdc_rt_device *d = mdc_runtime_device(rt, 0);
    d->driver->describe(d->dcfg, &out);
    assert_non_null(strstr(sb_str(&out), "meter time zone JST-9\n"));
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    expect_error(BASE "\"rbid\": \"" RBID
                      "\", \"password\": \"s3cret\", \"timezone\": \"Asia/Tokyo\"}",
                 "t.json:2:126: devices[0].timezone: unknown time zone 'Asia/Tokyo': no such file "
                 "/nonexistent-zoneinfo/Asia/Tokyo; use an IANA name such as Europe/Berlin");
    if (saved)
        setenv("TZDIR", saved, 1);
    else
        unsetenv("TZDIR");
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_no_tzdata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
