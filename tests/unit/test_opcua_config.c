/* SPDX-License-Identifier: Apache-2.0 */
/* The "opcua" driver's configuration: fields in node order, defaults, and errors that name the
 * file, line, column and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/config.h"
#include "drivers/opcua/opcua_driver.h"
#include "drivers/opcua/ua_pki.h"
#include "test_util.h"

#include <stdio.h>
#include <string.h>

/* Parses one device (its JSON body) and returns the driver's result; err gets the message. */
static int parse(const char *device, void **cfg, mdc_err *err, strbuf *describe)
{
    char text[4096];
    snprintf(
        text, sizeof text,
        "{\"data_dir\": \"/var/mdc\", \"devices\": [{\"id\": \"m\", \"driver\": \"opcua\", %s}]}",
        device);
    mdc_config *c;
    if (mdc_config_load_string("t.json", text, strlen(text), NULL, &c, err) < 0)
        fail_msg("config: %s", err->msg);
    int rc = mdc_opcua_driver.parse(&c->devices[0], cfg, err);
    if (rc == 0 && describe) mdc_opcua_driver.describe(*cfg, describe);
    if (rc == 0 && describe) {
        const char *const *f = mdc_opcua_driver.fields(*cfg);
        for (; *f; f++)
            sb_printf(describe, "field %s\n", *f);
    }
    if (rc == 0) mdc_opcua_driver.free_config(*cfg);
    mdc_config_free(c);
    return rc;
}

static void expect_error(const char *device, const char *want)
{
    void *cfg;
    mdc_err err = {0};
    if (parse(device, &cfg, &err, NULL) == 0) fail_msg("accepted: %s", device);
    if (!strstr(err.msg, want)) fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void test_fields_and_defaults(void **state)
{
    (void)state;
    void *cfg;
    mdc_err err = {0};
    strbuf d = STRBUF_INIT;
    assert_int_equal(parse("\"endpoint\": \"opc.tcp://10.0.0.5:4840\", \"user\": \"u\", "
                           "\"password\": \"pw\", \"source_timestamps\": true, "
                           "\"nodes\": {\"z\": \"ns=2;s=Z\", \"a\": \"i=2258\"}",
                           &cfg, &err, &d),
                     0);
    const char *want = "    opc.tcp://10.0.0.5:4840, security None/None, user name, trust "
                       "directory (/var/mdc/pki)\n"
                       "    user \"u\"\n"
                       "    read: 2 nodes per poll\n"
                       "    node z                    ns=2;s=Z\n"
                       "    node a                    i=2258\n"
                       "field z\nfield z_source_time\nfield a\nfield a_source_time\n";
    assert_string_equal(sb_str(&d), want);
    assert_null(strstr(sb_str(&d), "pw"));
    sb_reset(&d);
    assert_int_equal(parse("\"endpoint\": \"opc.tcp://h\", \"mode\": \"subscribe\", "
                           "\"security\": {\"policy\": \"Basic256Sha256\"}, "
                           "\"trust\": \"first-use\", \"pki_dir\": \"p\", "
                           "\"sampling_interval\": \"250ms\", \"deadband\": {\"percent\": 5}, "
                           "\"nodes\": {\"x\": \"nsu=urn:m;s=X\"}",
                           &cfg, &err, &d),
                     0);
    assert_non_null(strstr(sb_str(&d), "security Basic256Sha256/SignAndEncrypt, anonymous, "
                                       "trust first-use (p)"));
    assert_non_null(strstr(sb_str(&d), "subscribe: sampling 250 ms, publishing 250 ms, queue 1"));
    sb_free(&d);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("\"nodes\": {\"a\": \"i=1\"}", "endpoint");
    expect_error("\"endpoint\": \"http://x\", \"nodes\": {\"a\": \"i=1\"}",
                 "must start with opc.tcp://");
    expect_error("\"endpoint\": \"opc.tcp://h\"", "needs \"nodes\"");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"nodes\": {\"a\": \"ns=2;q=1\"}",
                 "t.json:1:106: devices[0].nodes.a: bad node id \"ns=2;q=1\"");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"security\": {\"mode\": \"Sign\"}, "
                 "\"nodes\": {\"a\": \"i=1\"}",
                 "policy None goes with mode None");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"security\": {\"policy\": \"Basic128\"}, "
                 "\"nodes\": {\"a\": \"i=1\"}",
                 "security.policy");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"password\": \"secret\", "
                 "\"nodes\": {\"a\": \"i=1\"}",
                 "a password needs a \"user\"");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"nodez\": {}", "did you mean \"nodes\"");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"deadband\": {\"absolute\": 1, \"percent\": 2}, "
                 "\"nodes\": {\"a\": \"i=1\"}",
                 "give one of \"absolute\" or \"percent\"");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"mode\": \"poll\", \"nodes\": {\"a\": \"i=1\"}",
                 "devices[0].mode");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"nodes\": {\"_a\": \"i=1\"}", "reserved");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"channel_lifetime\": \"1s\", "
                 "\"nodes\": {\"a\": \"i=1\"}",
                 "at least 2.5s");
}

static void test_identity_keys(void **state)
{
    (void)state;
    void *cfg;
    mdc_err err = {0};
    strbuf d = STRBUF_INIT;
    /* server identity checks: on unless turned off, and said so */
    assert_int_equal(
        parse("\"endpoint\": \"opc.tcp://h\", \"nodes\": {\"a\": \"i=1\"}", &cfg, &err, &d), 0);
    assert_null(strstr(sb_str(&d), "not checked"));
    sb_reset(&d);
    assert_int_equal(parse("\"endpoint\": \"opc.tcp://h\", \"verify_hostname\": false, "
                           "\"nodes\": {\"a\": \"i=1\"}",
                           &cfg, &err, &d),
                     0);
    assert_non_null(
        strstr(sb_str(&d), "    server certificate not checked for: the endpoint's host name\n"));
    sb_reset(&d);
    assert_int_equal(parse("\"endpoint\": \"opc.tcp://h\", \"verify_hostname\": false, "
                           "\"verify_application_uri\": false, \"nodes\": {\"a\": \"i=1\"}",
                           &cfg, &err, &d),
                     0);
    assert_non_null(strstr(sb_str(&d), "    server certificate not checked for: the endpoint's "
                                       "host name, the server's ApplicationUri\n"));
    expect_error("\"endpoint\": \"opc.tcp://h\", \"verify_hostname\": \"maybe\", "
                 "\"nodes\": {\"a\": \"i=1\"}",
                 "devices[0].verify_hostname");
    /* a user certificate: both files, not with a user name, loaded at once */
    char *dir = tu_tmpdir(), dev[2000];
    bool created;
    assert_int_equal(mdc_opcua_cert_ensure(dir, "urn:user:alice", &created, &err), 0);
    snprintf(dev, sizeof dev,
             "\"endpoint\": \"opc.tcp://h\", \"user_certificate\": \"%s/own/cert.pem\", "
             "\"user_private_key\": \"%s/own/private/key.pem\", \"nodes\": {\"a\": \"i=1\"}",
             dir, dir);
    sb_reset(&d);
    assert_int_equal(parse(dev, &cfg, &err, &d), 0);
    assert_non_null(strstr(sb_str(&d), "security None/None, user certificate, trust"));
    assert_non_null(strstr(sb_str(&d), "    user certificate \"mdc@"));
    assert_non_null(strstr(sb_str(&d), "\" (thumbprint "));
    snprintf(dev, sizeof dev,
             "\"endpoint\": \"opc.tcp://h\", \"user_certificate\": \"%s/own/cert.pem\", "
             "\"nodes\": {\"a\": \"i=1\"}",
             dir);
    expect_error(dev, "devices[0].user_certificate: \"user_certificate\" and \"user_private_key\" "
                      "go together");
    snprintf(dev, sizeof dev,
             "\"endpoint\": \"opc.tcp://h\", \"user\": \"u\", \"user_certificate\": \"%s/own/"
             "cert.pem\", \"user_private_key\": \"%s/own/private/key.pem\", "
             "\"nodes\": {\"a\": \"i=1\"}",
             dir, dir);
    expect_error(dev, "devices[0].user_certificate: log in with \"user\" and \"password\" or with "
                      "a user certificate, not both");
    snprintf(dev, sizeof dev,
             "\"endpoint\": \"opc.tcp://h\", \"user_certificate\": \"%s/own/cert.pem\", "
             "\"user_private_key\": \"%s/own/cert.pem\", \"nodes\": {\"a\": \"i=1\"}",
             dir, dir);
    expect_error(dev, "devices[0].user_private_key: user private key \"");
    expect_error("\"endpoint\": \"opc.tcp://h\", \"user_certificate\": \"/nonexistent/u.pem\", "
                 "\"user_private_key\": \"/nonexistent/u.key\", \"nodes\": {\"a\": \"i=1\"}",
                 "devices[0].user_certificate: user certificate \"/nonexistent/u.pem\": cannot "
                 "read it: No such file or directory");
    tu_rmdir(dir);
    sb_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_identity_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
