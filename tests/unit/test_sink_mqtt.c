/* SPDX-License-Identifier: Apache-2.0 */
/* The mqtt sink without a broker: configuration keys and their errors, sink ids, topic
 * templates and payloads (the broker tests are tests/integration/test_mqtt*.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sinks/sink_config.h"
#include "sinks/mqtt/mqtt_ledger.h"
#include "sinks/mqtt/mqtt_sink.h"

#include <string.h>

static int build(const char *json, mdc_sink **out, mdc_err *err)
{
    mdc_cfgdoc *doc;
    if (mdc_cfgdoc_load_string("s.json", json, strlen(json), &doc, err) < 0) return -1;
    mdc_cfgnode root = mdc_cfgdoc_root(doc);
    int rc = mdc_sink_from_config(&root, "data", out, err);
    mdc_cfgdoc_free(doc);
    return rc;
}

static void expect_id(const char *json, const char *id)
{
    mdc_sink *s = NULL;
    mdc_err err = {0};
    if (build(json, &s, &err) < 0) fail_msg("%s: %s", json, err.msg);
    assert_string_equal(s->id, id);
    assert_string_equal(s->ops->type, "mqtt");
    mdc_sink_destroy(s);
}

static void expect_error(const char *json, const char *msg)
{
    mdc_sink *s = NULL;
    mdc_err err = {0};
    if (build(json, &s, &err) == 0) {
        mdc_sink_destroy(s);
        fail_msg("accepted: %s", json);
    }
    assert_string_equal(err.msg, msg);
}

static void test_config(void **state)
{
    (void)state;
    expect_id("{\"type\": \"mqtt\", \"url\": \"mqtt://127.0.0.1\"}",
              "mqtt:127.0.0.1:1883/mdc/{device}");
    expect_id(
        "{\"type\": \"mqtt\", \"url\": \"mqtts://broker.local/\", \"topic\": \"a/{machine_id}\"}",
        "mqtt:broker.local:8883/a/{machine_id}");
    expect_id("{\"type\": \"mqtt\", \"url\": \"mqtt://[::1]:1884\", \"per\": \"point\", "
              "\"topic\": \"p/{device}/{point}\", \"qos\": 2, \"retain\": true, "
              "\"status_topic\": \"s/{device}\", \"client_id\": \"c\", \"username\": \"u\", "
              "\"password\": \"p\", \"keepalive\": \"1m\", \"timeout\": \"5s\", "
              "\"max_inflight\": 10, \"format\": \"json\", \"protocol\": \"5\", "
              "\"message_expiry\": \"1h\", \"user_properties\": {\"site\": \"hall 2\"}, "
              "\"availability_topic\": \"a/b\", "
              "\"homeassistant\": {\"discovery_prefix\": \"ha\", \"node_id\": \"n-1\"}, "
              "\"tls\": {\"ca\": \"ca.pem\", \"cert\": \"c.pem\", \"key\": \"c.key\", "
              "\"insecure\": true}}",
              "mqtt:[::1]:1884/p/{device}/{point}");
}

static void test_config_errors(void **state)
{
    (void)state;
    const char *url =
        "s.json:1:18: url: expected \"mqtt://HOST[:PORT]\" or \"mqtts://HOST[:PORT]\" "
        "(IPv6 in brackets), got ";
    char msg[512];
    expect_error("{\"type\": \"mqtt\"}", "s.json:1:1: missing required key \"url\"");
    snprintf(msg, sizeof msg, "%s\"tcp://h\"", url);
    expect_error("{\"type\": \"mqtt\", \"url\": \"tcp://h\"}", msg);
    snprintf(msg, sizeof msg, "%s\"mqtt://h:0\"", url);
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h:0\"}", msg);
    snprintf(msg, sizeof msg, "%s\"mqtt://h/x\"", url);
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h/x\"}", msg);
    snprintf(msg, sizeof msg, "%s\"mqtt://:1883\"", url);
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://:1883\"}", msg);
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://u:pw@h\"}",
                 "s.json:1:18: url: put credentials in \"username\" and \"password\", not in the "
                 "URL");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"qos\": 3}",
                 "s.json:1:37: qos: 3 is out of range; allowed 0..2");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"topic\": \"a/#\"}",
                 "s.json:1:37: topic: \"a/#\": '+' and '#' are wildcards, not allowed in a topic "
                 "to publish");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"topic\": \"a/{point}\"}",
                 "s.json:1:37: topic: \"a/{point}\": unknown placeholder {point} (known: "
                 "{device}, {machine_id})");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"per\": \"point\"}",
                 "s.json:1:1: topic: \"per\": \"point\" needs {point} in the topic "
                 "(\"mdc/{device}/{point}\")");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"status_topic\": \"{dev}\"}",
                 "s.json:1:37: status_topic: \"{dev}\": unknown placeholder {dev} (known: "
                 "{device}, {machine_id})");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"password\": \"x\"}",
                 "s.json:1:37: password: a password needs a \"username\"");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"tls\": {\"cert\": \"c.pem\"}}",
                 "s.json:1:37: tls.key: a client certificate needs both \"cert\" and \"key\"");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"format\": \"csv\"}",
                 "s.json:1:37: format: unknown value \"csv\"; allowed: json");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"keepalive\": 1}",
                 "s.json:1:37: keepalive: must be from 5 s to 65535 s");
    expect_error(
        "{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"qso\": 1}",
        "s.json:1:37: qso: unknown key \"qso\" (did you mean \"qos\"?); allowed: topic, per, "
        "qos, retain, status_topic, availability_topic, homeassistant, format, type, url, "
        "protocol, client_id, username, password, tls, keepalive, timeout, max_inflight, "
        "message_expiry, session_expiry, user_properties");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"protocol\": \"5.0\"}",
                 "s.json:1:37: protocol: unknown value \"5.0\"; allowed: 3.1.1, 5");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"message_expiry\": \"1h\"}",
                 "s.json:1:37: message_expiry: needs \"protocol\": \"5\"");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"user_properties\": {\"a\": \"b\"}}",
                 "s.json:1:37: user_properties: needs \"protocol\": \"5\"");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"protocol\": \"5\", "
                 "\"user_properties\": {\"a\": 1}}",
                 "s.json:1:74: user_properties.a: expected a string, got an integer");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"availability_topic\": \"a/+\"}",
                 "s.json:1:37: availability_topic: a fixed topic: no wildcards ('+', '#') or "
                 "placeholders");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"homeassistant\": "
                 "{\"node_id\": \"a b\"}}",
                 "s.json:1:55: homeassistant.node_id: only letters, digits, '_' and '-'");
    expect_error("{\"type\": \"mqtt\", \"url\": \"mqtt://h\", \"availability_topic\": \"\", "
                 "\"homeassistant\": {}}",
                 "s.json:1:63: homeassistant: Home Assistant discovery needs an availability "
                 "topic: remove \"availability_topic\": \"\"");
}

static mdc_record sample(void)
{
    mdc_record r;
    mdc_record_init(&r);
    r.ts_us = 1795327205123456LL;
    mdc_record_set_device(&r, "meter-1");
    r.has_machine_id = true;
    r.machine_id = 7;
    r.status = 2;
    mdc_record_add_double(&r, "power_kw", 5.25);
    mdc_record_add_null(&r, "a/b+c#", "timeout");
    return r;
}

static void test_topics(void **state)
{
    (void)state;
    mdc_record r = sample();
    strbuf t = STRBUF_INIT;
    mdc_mqtt_topic_expand("plant/{machine_id}/{device}/{point}/{x}", &r, "a/b+c#", &t);
    assert_string_equal(sb_str(&t), "plant/7/meter-1/a_b_c_/{x}");
    sb_reset(&t);
    r.has_machine_id = false;
    mdc_mqtt_topic_expand("{machine_id}-{device", &r, NULL, &t);
    assert_string_equal(sb_str(&t), "unknown-{device");
    mdc_err err;
    assert_int_equal(mdc_mqtt_topic_check("", false, &err), -1);
    assert_string_equal(err.msg, "empty topic");
    assert_int_equal(mdc_mqtt_topic_check("x/{point}", true, &err), 0);
    sb_free(&t);
    mdc_record_free(&r);
}

static void test_payloads(void **state)
{
    (void)state;
    mdc_record r = sample();
    strbuf p = STRBUF_INIT;
    mdc_mqtt_point_payload(&r, "power_kw", &r.fields[0].v, NULL, &p);
    assert_string_equal(sb_str(&p),
                        "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", \"value\": 5.25}");
    sb_reset(&p);
    mdc_mqtt_point_payload(&r, "x", &r.fields[1].v, "line \"1\"\n", &p);
    assert_string_equal(sb_str(&p), "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                                    "\"value\": null, \"error\": \"line \\\"1\\\"\\n\"}");
    sb_reset(&p);
    mdc_mqtt_status_payload(&r, &p);
    assert_string_equal(sb_str(&p), "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                                    "\"device\": \"meter-1\", \"machine_id\": 7, \"status\": 2, "
                                    "\"state\": \"PRODUCTION\", \"error\": null}");
    sb_reset(&p);
    mdc_record_set_error(&r, "connection refused");
    r.status = 0;
    r.has_machine_id = false;
    mdc_mqtt_status_payload(&r, &p);
    assert_string_equal(sb_str(&p),
                        "{\"timestamp\": \"2026-11-22T06:00:05.123456+00:00\", "
                        "\"device\": \"meter-1\", \"machine_id\": null, \"status\": 0, "
                        "\"state\": \"UNREACHABLE\", \"error\": \"connection refused\"}");
    sb_free(&p);
    mdc_record_free(&r);
}

static void test_unreachable_broker(void **state)
{
    (void)state;
    mdc_sink *s = NULL;
    mdc_err err = {0};
    /* port 1 on loopback: nothing listens there */
    assert_int_equal(
        build("{\"type\": \"mqtt\", \"url\": \"mqtt://127.0.0.1:1\", \"timeout\": 1}", &s, &err),
        0);
    assert_int_equal(s->ops->open(s, &err), -1);
    assert_non_null(strstr(err.msg, "mqtt 127.0.0.1:1: "));
    mdc_sink_destroy(s);
}

#define NOKEY ((mdc_mqtt_key){0, 0})

/* The ledger: records taken in order; an early acknowledgement; a refusal stops progress. */
static void test_ledger(void **state)
{
    (void)state;
    mdc_mqtt_ledger l = {0};
    const mdc_mqtt_msg *bad;
    mdc_mqtt_ledger_begin(&l, 0);
    mdc_mqtt_ledger_add(&l, 1, 1, NOKEY, 0, "t/0");
    mdc_mqtt_ledger_add(&l, 2, 1, NOKEY, 0, "t/0s");
    mdc_mqtt_ledger_ack(&l, 4, 0); /* before its message is noted */
    mdc_mqtt_ledger_add(&l, 3, 1, NOKEY, 1, "t/1");
    mdc_mqtt_ledger_add(&l, 4, 1, NOKEY, 2, "t/2");
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 4, &bad), 0);
    assert_int_equal(bad->mid, 1);
    mdc_mqtt_ledger_ack(&l, 2, 0);
    mdc_mqtt_ledger_ack(&l, 1, 0x10); /* no matching subscribers: taken */
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 4, &bad), 1);
    mdc_mqtt_ledger_ack(&l, 3, 0x87);
    assert_int_equal(l.pending, 0);
    assert_int_equal(l.batch_pending, 0);
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 4, &bad), 1);
    assert_int_equal(bad->state, MDC_MQTT_REFUSED);
    assert_string_equal(bad->topic, "t/1");
    assert_string_equal(mdc_mqtt_refusal_class(bad->reason), "not_authorized");
    mdc_mqtt_ledger_begin(&l, 0);
    assert_int_equal(l.n, 0); /* nothing keyed: all forgotten */
    mdc_mqtt_ledger_add(&l, 9, 1, NOKEY, 0, "a");
    mdc_mqtt_ledger_ack(&l, 9, 0);
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 3, &bad), 3); /* records 1, 2: no message */
    assert_null(bad);
    mdc_mqtt_ledger_refuse(&l, 1, -25, "big");
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 2, &bad), 1);
    assert_string_equal(mdc_mqtt_refusal_class(bad->reason), "packet_too_large");
    mdc_mqtt_ledger_free(&l);
}

/* A session's ledger across batches: a record offered again is not published again while its
 * message is in flight or taken; refused, lost (QoS 0 with its connection) and forgotten ones
 * are. */
static void test_ledger_session(void **state)
{
    (void)state;
    mdc_mqtt_ledger l = {0};
    const mdc_mqtt_msg *bad;
    mdc_mqtt_key k10 = {10, 1}, k11 = {11, 1}, k11s = {11, 0}, k12 = {12, 1};
    mdc_mqtt_ledger_begin(&l, 10);
    assert_false(mdc_mqtt_ledger_attach(&l, k10, 0));
    mdc_mqtt_ledger_add(&l, 1, 2, k10, 0, "q/10");
    mdc_mqtt_ledger_add(&l, 2, 2, k11s, 1, "q/11s");
    mdc_mqtt_ledger_add(&l, 3, 2, k11, 1, "q/11");
    mdc_mqtt_ledger_add(&l, 4, 0, k12, 2, "q/12");
    mdc_mqtt_ledger_ack(&l, 1, 0);
    mdc_mqtt_ledger_ack(&l, 2, 0);
    mdc_mqtt_ledger_lose(&l, 0); /* the connection went: QoS 0 gone, QoS 2 resent later */
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 3, &bad), 1);
    assert_int_equal(bad->mid, 3);
    assert_int_equal(l.batch_pending, 1);
    /* the runtime moves past record 10 and offers 11 and 12 again */
    mdc_mqtt_ledger_begin(&l, 11);
    assert_int_equal(l.batch_pending, 0);
    assert_true(mdc_mqtt_ledger_attach(&l, k11s, 0)); /* taken */
    assert_true(mdc_mqtt_ledger_attach(&l, k11, 0));  /* in flight: wait for it */
    assert_int_equal(l.batch_pending, 1);
    assert_false(mdc_mqtt_ledger_attach(&l, k12, 1)); /* lost: publish again */
    assert_false(mdc_mqtt_ledger_attach(&l, k10, 1)); /* forgotten (before the batch) */
    mdc_mqtt_ledger_add(&l, 5, 0, k12, 1, "q/12");
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 2, &bad), 0);
    mdc_mqtt_ledger_ack(&l, 3, 0x92); /* PUBCOMP after a resent PUBREL the broker had done */
    mdc_mqtt_ledger_ack(&l, 5, 0);
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 2, &bad), 2);
    assert_null(bad);
    assert_int_equal(l.pending, 0);
    /* the library reuses a message id: the old message is gone */
    mdc_mqtt_ledger_begin(&l, 13);
    mdc_mqtt_ledger_add(&l, 7, 1, (mdc_mqtt_key){13, 1}, 0, "q/13");
    mdc_mqtt_ledger_add(&l, 7, 1, (mdc_mqtt_key){14, 1}, 1, "q/14");
    assert_int_equal(mdc_mqtt_ledger_delivered(&l, 2, &bad), 0);
    assert_int_equal(bad->state, MDC_MQTT_LOST);
    assert_int_equal(l.pending, 1);
    /* many keys: the index grows and finds every one */
    mdc_mqtt_ledger_begin(&l, 100);
    for (int i = 0; i < 500; i++)
        mdc_mqtt_ledger_add(&l, 1000 + i, 1, (mdc_mqtt_key){100 + i / 5, i % 5}, (size_t)i / 5,
                            "q/n");
    for (int i = 0; i < 500; i += 7)
        assert_true(mdc_mqtt_ledger_attach(&l, (mdc_mqtt_key){100 + i / 5, i % 5}, (size_t)i / 5));
    assert_false(mdc_mqtt_ledger_attach(&l, (mdc_mqtt_key){100, 5}, 0));
    mdc_mqtt_ledger_clear(&l);
    assert_false(mdc_mqtt_ledger_attach(&l, (mdc_mqtt_key){100, 1}, 0));
    mdc_mqtt_ledger_free(&l);
}

static void test_reasons(void **state)
{
    (void)state;
    char text[128];
    assert_string_equal(mdc_mqtt_reason_text(0x95, text, sizeof text),
                        "reason code 0x95 Packet too large");
    assert_null(mdc_mqtt_refusal_class(0x97)); /* quota exceeded: later */
    assert_string_equal(mdc_mqtt_refusal_class(0x99), "payload_format_invalid");
    assert_string_equal(mdc_mqtt_refusal_class(-9), "payload_too_large");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_topics),
        cmocka_unit_test(test_payloads),
        cmocka_unit_test(test_unreachable_broker),
        cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_ledger_session),
        cmocka_unit_test(test_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
