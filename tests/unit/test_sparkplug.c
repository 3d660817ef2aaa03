/* SPDX-License-Identifier: Apache-2.0 */
/* Sparkplug B: the codec on exact bytes (the protobuf wire format of the specification's
 * schema, worked out by hand), NCMD and STATE decoding of hostile input, and the edge node's
 * state machine (births, aliases, report by exception, seq wrapping, deaths, rebirths). The
 * broker and an independent decoder (Eclipse Tahu's JavaScript) are in
 * tests/integration/test_sparkplug.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sinks/mqtt/sparkplug_codec.h"
#include "sinks/mqtt/sparkplug_node.h"
#include "sinks/mqtt/sparkplug_sink.h"
#include "sparkplug_b.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef Org__Eclipse__Tahu__Protobuf__Payload Payload;

static void expect_bytes(const strbuf *got, const uint8_t *want, size_t n)
{
    if (got->len != n) fail_msg("length %zu, expected %zu", got->len, n);
    for (size_t i = 0; i < n; i++)
        if ((uint8_t)got->buf[i] != want[i])
            fail_msg("byte %zu: 0x%02x, expected 0x%02x", i, (uint8_t)got->buf[i], want[i]);
}

static void test_ndeath_bytes(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    mdc_sp_ndeath_payload(1000, 3, &b);
    static const uint8_t want[] = {0x08, 0xe8, 0x07,                     /* timestamp 1000 */
                                   0x12, 0x0e,                           /* metric, 14 bytes */
                                   0x0a, 0x05, 'b',  'd', 'S', 'e', 'q', /* name */
                                   0x18, 0xe8, 0x07,                     /* timestamp */
                                   0x20, 0x04,                           /* datatype Int64 */
                                   0x58, 0x03};                          /* long_value 3; no seq */
    expect_bytes(&b, want, sizeof want);
    sb_free(&b);
}

static void test_data_bytes(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    mdc_value v = {.type = MDC_DOUBLE, .u.d = 230.1};
    mdc_sp_metric m = {
        .has_alias = true, .alias = 65537, .ts_ms = 1000, .datatype = MDC_SP_DOUBLE, .v = &v};
    mdc_sp_encode(1000, 5, &m, 1, &b);
    static const uint8_t want[] = {
        0x08, 0xe8, 0x07, 0x12, 0x12, 0x10, 0x81, 0x80, 0x04, /* alias 65537 */
        0x18, 0xe8, 0x07, 0x20, 0x0a, 0x69, 0x33, 0x33, 0x33,
        0x33, 0x33, 0xc3, 0x6c, 0x40, /* double 230.1 */
        0x18, 0x05};                  /* seq 5 */
    expect_bytes(&b, want, sizeof want);
    sb_free(&b);
}

static void test_birth_bytes(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    mdc_value v = {.type = MDC_DOUBLE, .u.d = 230.1};
    mdc_value i = {.type = MDC_INT, .u.i = -2};
    mdc_sp_metric m[] = {
        {.name = "p",
         .has_alias = true,
         .alias = 1,
         .ts_ms = 1000,
         .datatype = MDC_SP_DOUBLE,
         .v = &v,
         .unit = "kW"},
        {.name = "s", .has_alias = true, .alias = 2, .datatype = MDC_SP_INT32, .v = &i},
        {.name = "n", .has_alias = true, .alias = 3, .datatype = MDC_SP_STRING, .v = NULL},
    };
    mdc_sp_encode(1000, 0, m, 3, &b);
    static const uint8_t want[] = {
        0x08, 0xe8, 0x07, 0x12, 0x26, 0x0a, 0x01, 'p', 0x10, 0x01, 0x18, 0xe8, 0x07, 0x20, 0x0a,
        0x4a, 0x11, /* properties */
        0x0a, 0x07, 'e', 'n', 'g', 'U', 'n', 'i', 't', 0x12, 0x06, 0x08, 0x0c, 0x42, 0x02, 'k', 'W',
        0x69, 0x33, 0x33, 0x33, 0x33, 0x33, 0xc3, 0x6c, 0x40,
        /* s: Int32 -2 in int_value as its 32-bit two's complement */
        0x12, 0x0d, 0x0a, 0x01, 's', 0x10, 0x02, 0x20, 0x03, 0x50, 0xfe, 0xff, 0xff, 0xff, 0x0f,
        /* n: is_null */
        0x12, 0x09, 0x0a, 0x01, 'n', 0x10, 0x03, 0x20, 0x0c, 0x38, 0x01, 0x18, 0x00}; /* seq 0 */
    expect_bytes(&b, want, sizeof want);
    sb_free(&b);
}

static void test_ncmd(void **state)
{
    (void)state;
    strbuf b = STRBUF_INIT;
    mdc_value yes = {.type = MDC_BOOL, .u.b = true}, no = {.type = MDC_BOOL, .u.b = false};
    mdc_sp_metric m = {.name = MDC_SP_REBIRTH, .datatype = MDC_SP_BOOLEAN, .v = &yes};
    mdc_err err;
    bool rebirth;
    mdc_sp_encode(5, -1, &m, 1, &b);
    assert_int_equal(mdc_sp_decode_ncmd(b.buf, b.len, 0, &rebirth, &err), 0);
    assert_true(rebirth);
    sb_reset(&b);
    m.v = &no;
    mdc_sp_encode(5, -1, &m, 1, &b);
    assert_int_equal(mdc_sp_decode_ncmd(b.buf, b.len, 0, &rebirth, &err), 0);
    assert_false(rebirth);
    sb_reset(&b);
    m = (mdc_sp_metric){.has_alias = true, .alias = 7, .datatype = MDC_SP_BOOLEAN, .v = &yes};
    mdc_sp_encode(5, -1, &m, 1, &b);
    assert_int_equal(mdc_sp_decode_ncmd(b.buf, b.len, 7, &rebirth, &err), 0);
    assert_true(rebirth);
    assert_int_equal(mdc_sp_decode_ncmd(b.buf, b.len, 0, &rebirth, &err), 0);
    assert_false(rebirth);
    static const uint8_t junk[] = {0x12, 0x7f, 0x01};
    assert_int_equal(mdc_sp_decode_ncmd(junk, sizeof junk, 0, &rebirth, &err), -1);
    assert_string_equal(err.msg, "sparkplug: NCMD: not a Sparkplug B payload (3 bytes)");
    sb_free(&b);
}

static void test_state(void **state)
{
    (void)state;
    bool online;
    int64_t ts;
    mdc_err err;
    const char *on = "{\"online\": true, \"timestamp\": 1668114759262}";
    assert_int_equal(mdc_sp_parse_state(on, strlen(on), &online, &ts, &err), 0);
    assert_true(online);
    assert_int_equal(ts, 1668114759262LL);
    const char *off = "{\"online\":false}";
    assert_int_equal(mdc_sp_parse_state(off, strlen(off), &online, &ts, &err), 0);
    assert_false(online);
    assert_int_equal(mdc_sp_parse_state("ONLINE", 6, &online, &ts, &err), -1); /* Sparkplug 2 */
    assert_int_equal(mdc_sp_parse_state("{\"online\": 1}", 13, &online, &ts, &err), -1);
}

/* ---- the node ---- */

typedef struct sent {
    char topic[128];
    Payload *p;
} sent;

static sent msgs[64];
static size_t nmsgs;

static int collect(void *ctx, const char *topic, const strbuf *payload)
{
    (void)ctx;
    assert_true(nmsgs < 64);
    snprintf(msgs[nmsgs].topic, sizeof msgs[nmsgs].topic, "%s", topic);
    msgs[nmsgs].p = org__eclipse__tahu__protobuf__payload__unpack(NULL, payload->len,
                                                                  (const uint8_t *)payload->buf);
    assert_non_null(msgs[nmsgs].p);
    nmsgs++;
    return 0;
}

static void clear(void)
{
    for (size_t i = 0; i < nmsgs; i++)
        org__eclipse__tahu__protobuf__payload__free_unpacked(msgs[i].p, NULL);
    nmsgs = 0;
}

static void meter_record(mdc_record *r, const char *dev, int64_t t, double v, bool err)
{
    mdc_record_init(r);
    r->ts_us = t * 1000;
    mdc_record_set_device(r, dev);
    if (err) {
        r->status = 0;
        mdc_record_set_error(r, "connection refused");
        return;
    }
    r->status = 2;
    mdc_record_add_double(r, "power_kw", v);
    mdc_record_add_double(r, "energy_kwh", 100);
}

static void feed(mdc_sp_node *n, const char *dev, int64_t t, double v, bool err)
{
    mdc_record r;
    meter_record(&r, dev, t, v, err);
    assert_int_equal(mdc_sp_record(n, &r), 0);
    mdc_record_free(&r);
}

static void test_node(void **state)
{
    (void)state;
    mdc_field_info fi[] = {{.name = "power_kw", .unit = "kW", .decimals = 3}};
    mdc_device_info di = {.id = "m1", .fields = fi, .nfields = 1};
    mdc_catalog cat = {.devices = &di, .ndevices = 1};
    mdc_sp_node n;
    mdc_sp_node_init(&n, "plant", "edge-1", collect, NULL);
    n.catalog = &cat;
    assert_int_equal(mdc_sp_nbirth(&n, 50, 7), 0);
    assert_string_equal(msgs[0].topic, "spBv1.0/plant/NBIRTH/edge-1");
    assert_int_equal(msgs[0].p->seq, 0);
    assert_string_equal(msgs[0].p->metrics[0]->name, "bdSeq");
    assert_int_equal(msgs[0].p->metrics[0]->long_value, 7);
    assert_string_equal(msgs[0].p->metrics[1]->name, "Node Control/Rebirth");
    assert_false(msgs[0].p->metrics[1]->boolean_value);
    clear();
    feed(&n, "m1", 1000, 5.0, false); /* DBIRTH */
    feed(&n, "m1", 2000, 5.0, false); /* nothing changed: nothing */
    feed(&n, "m1", 3000, 6.5, false); /* DDATA power_kw only */
    feed(&n, "m2", 3000, 1.0, false); /* another device: DBIRTH, other aliases */
    assert_int_equal(nmsgs, 3);
    Payload *b = msgs[0].p;
    assert_string_equal(msgs[0].topic, "spBv1.0/plant/DBIRTH/edge-1/m1");
    assert_int_equal(b->seq, 1);
    assert_int_equal(b->n_metrics, 3);
    assert_string_equal(b->metrics[0]->name, "status");
    assert_int_equal(b->metrics[0]->datatype, MDC_SP_INT32);
    assert_int_equal(b->metrics[0]->int_value, 2);
    assert_int_equal(b->metrics[0]->alias, 65537);
    assert_string_equal(b->metrics[1]->name, "power_kw");
    assert_int_equal(b->metrics[1]->alias, 65538);
    assert_string_equal(b->metrics[1]->properties->keys[0], "engUnit");
    assert_string_equal(b->metrics[1]->properties->values[0]->string_value, "kW");
    assert_null(b->metrics[2]->properties); /* no unit known */
    Payload *d = msgs[1].p;
    assert_string_equal(msgs[1].topic, "spBv1.0/plant/DDATA/edge-1/m1");
    assert_int_equal(d->seq, 2);
    assert_int_equal(d->n_metrics, 1);
    assert_null(d->metrics[0]->name);
    assert_int_equal(d->metrics[0]->alias, 65538);
    assert_true(d->metrics[0]->double_value == 6.5);
    assert_int_equal(d->metrics[0]->timestamp, 3000);
    assert_int_equal(msgs[2].p->metrics[0]->alias, 2 * 65536 + 1);
    clear();
    /* unreachable: DDEATH once; back: DBIRTH */
    feed(&n, "m1", 4000, 0, true);
    feed(&n, "m1", 5000, 0, true);
    feed(&n, "m1", 6000, 6.5, false);
    assert_int_equal(nmsgs, 2);
    assert_string_equal(msgs[0].topic, "spBv1.0/plant/DDEATH/edge-1/m1");
    assert_int_equal(msgs[0].p->seq, 4);
    assert_string_equal(msgs[1].topic, "spBv1.0/plant/DBIRTH/edge-1/m1");
    clear();
    /* seq wraps after 255 */
    for (int i = 0; i < 260; i++) {
        feed(&n, "m1", 7000 + i, 10 + i, false);
        if (nmsgs == 64) clear();
    }
    assert_int_equal(msgs[nmsgs - 1].p->seq, (5 + 260) % 256);
    clear();
    /* a rebirth: NBIRTH with seq 0, then the births of the devices the host knew */
    bool was[2] = {n.devs[0].born, n.devs[1].born};
    assert_int_equal(mdc_sp_nbirth(&n, 9000, 7), 0);
    assert_int_equal(mdc_sp_rebirth_devices(&n, 9000, was), 0);
    assert_int_equal(nmsgs, 3);
    assert_int_equal(msgs[1].p->seq, 1);
    assert_string_equal(msgs[2].topic, "spBv1.0/plant/DBIRTH/edge-1/m2");
    assert_true(msgs[1].p->metrics[1]->double_value == 10 + 259);
    clear();
    /* a value of another type: born again with the new datatype */
    mdc_record r;
    meter_record(&r, "m1", 10000, 0, false);
    mdc_value_free(&r.fields[0].v);
    r.fields[0].v = (mdc_value){.type = MDC_STRING, .u.s = strdup("n/a")};
    assert_int_equal(mdc_sp_record(&n, &r), 0);
    mdc_record_free(&r);
    assert_string_equal(msgs[0].topic, "spBv1.0/plant/DBIRTH/edge-1/m1");
    assert_int_equal(msgs[0].p->metrics[1]->datatype, MDC_SP_STRING);
    clear();
    mdc_sp_node_free(&n);
}

static void test_bdseq_file(void **state)
{
    (void)state;
    char path[] = "/tmp/mdc-bdseq-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    int v;
    mdc_err err;
    assert_int_equal(mdc_sp_bdseq_load(path, &v, &err), 0);
    assert_int_equal(v, 0);
    assert_int_equal(mdc_sp_bdseq_store(path, 255, &err), 0);
    assert_int_equal(mdc_sp_bdseq_load(path, &v, &err), 0);
    assert_int_equal(v, 255);
    FILE *f = fopen(path, "w");
    fputs("300\n", f);
    fclose(f);
    assert_int_equal(mdc_sp_bdseq_load(path, &v, &err), -1);
    assert_non_null(strstr(err.msg, "expected a bdSeq from 0 to 255, got \"300"));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ndeath_bytes), cmocka_unit_test(test_data_bytes),
        cmocka_unit_test(test_birth_bytes),  cmocka_unit_test(test_ncmd),
        cmocka_unit_test(test_state),        cmocka_unit_test(test_node),
        cmocka_unit_test(test_bdseq_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
