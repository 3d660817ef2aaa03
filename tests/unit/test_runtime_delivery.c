/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime in process, without sockets: a scripted driver ("script": each poll yields the
 * next number n of its device) and a sink that fails on demand ("capture"). Delivery must hand
 * every record over exactly once and in order through temporary failures with and without
 * progress, move a record the sink keeps refusing to the dead-letter table and go on, deliver it
 * when it is retried, and resume after a restart where it stopped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/spool.h"
#include "core/xalloc.h"
#include "runtime/runtime.h"
#include "sinks/sink_config.h"
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>

/* ---- the scripted driver: field "n" = 1, 2, 3 ... per device ---- */

static const char *const script_fields[] = {"n", NULL};

static atomic_bool device_down;
static atomic_int_fast64_t next_n; /* across runtimes: a restart continues the numbering */

static int script_parse(const mdc_device_cfg *dev, void **cfg, mdc_err *err)
{
    (void)dev;
    (void)err;
    *cfg = xcalloc(1, 1);
    return 0;
}

static const char *const *script_field_names(const void *cfg)
{
    (void)cfg;
    return script_fields;
}

static int script_open(const void *cfg, void **bus, mdc_err *err)
{
    (void)err;
    *bus = (void *)cfg;
    return 0;
}

static void script_close(void *bus)
{
    (void)bus;
}

static int script_poll(void *bus, const void *cfg, mdc_record *rec, mdc_err *err)
{
    (void)bus;
    (void)cfg;
    if (atomic_load(&device_down)) return mdc_err_set(err, MDC_ETIMEOUT, "scripted timeout");
    mdc_record_add_int(rec, "n", atomic_fetch_add(&next_n, 1));
    return 0;
}

static void script_describe(const void *cfg, strbuf *out)
{
    (void)cfg;
    sb_puts(out, "scripted");
}

static const mdc_driver script_driver = {
    .name = "script",
    .parse = script_parse,
    .free_config = free,
    .fields = script_field_names,
    .describe = script_describe,
    .bus_open = script_open,
    .bus_close = script_close,
    .poll = script_poll,
};

/* ---- the capture sink ---- */

typedef struct capture {
    pthread_mutex_t mu;
    int64_t got[4096]; /* n of each record taken, in order */
    size_t ngot;
    int64_t poison;  /* refuse the record with this n (0: none) */
    int per_write;   /* take at most this many, then fail temporarily (0: no limit) */
    int fail_writes; /* fail this many writes outright, then work */
    unsigned writes;
} capture;

static capture cap = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int cap_open(mdc_sink *s, mdc_err *err)
{
    (void)s;
    (void)err;
    return 0;
}

static void cap_close(mdc_sink *s)
{
    (void)s;
}

static void cap_destroy(mdc_sink *s)
{
    free(s);
}

static int64_t value_of(const mdc_record *r)
{
    const mdc_field *f = mdc_record_find(r, "n");
    return f && f->v.type == MDC_INT ? f->v.u.i : -1;
}

static int cap_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                     mdc_err *err)
{
    (void)s;
    pthread_mutex_lock(&cap.mu);
    cap.writes++;
    int rc = 0;
    if (cap.fail_writes > 0) {
        cap.fail_writes--;
        rc = mdc_err_set(err, MDC_EIO, "scripted outage");
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (cap.per_write && (int)i == cap.per_write) {
            rc = mdc_err_set(err, MDC_EIO, "scripted partial write");
        } else if (value_of(recs[i]) == cap.poison) {
            res->rejected = true;
            res->reason = "scripted";
            rc = mdc_err_set(err, MDC_EDEVICE, "scripted refusal of %lld", (long long)cap.poison);
        } else {
            cap.got[cap.ngot++] = value_of(recs[i]);
            res->delivered = i + 1;
        }
    }
    pthread_mutex_unlock(&cap.mu);
    return rc;
}

static const mdc_sink_ops cap_ops = {
    .type = "capture",
    .open = cap_open,
    .write = cap_write,
    .close = cap_close,
    .destroy = cap_destroy,
};

static int cap_build(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    (void)n;
    (void)cfg;
    (void)err;
    *out = mdc_sink_new(&cap_ops, "capture", NULL);
    return 0;
}

/* ---- helpers ---- */

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = tu_tmpdir();
    pthread_mutex_lock(&cap.mu);
    cap.ngot = 0;
    cap.poison = 0;
    cap.per_write = 0;
    cap.fail_writes = 0;
    cap.writes = 0;
    pthread_mutex_unlock(&cap.mu);
    atomic_store(&device_down, false);
    atomic_store(&next_n, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmdir(dir);
    return 0;
}

typedef struct run {
    mdc_config *cfg;
    mdc_runtime *rt;
} run;

static void start(run *r)
{
    char json[1024];
    snprintf(json, sizeof json,
             "{\"data_dir\": \"%s\", \"spool\": {\"synchronous\": \"normal\", \"batch\": 8},"
             " \"sinks\": [{\"type\": \"capture\"}],"
             " \"devices\": [{\"id\": \"d1\", \"driver\": \"script\", \"interval\": \"10ms\"}]}",
             dir);
    mdc_err err = {0};
    if (mdc_config_load_string("test.json", json, strlen(json), NULL, &r->cfg, &err) < 0 ||
        mdc_runtime_build(r->cfg, &r->rt, &err) < 0)
        fail_msg("%s", err.msg);
    mdc_run_opts o = {.drain_seconds = 5};
    if (mdc_runtime_start(r->rt, &o, &err) < 0) fail_msg("%s", err.msg);
}

static void stop(run *r)
{
    mdc_runtime_stop(r->rt);
    mdc_runtime_free(r->rt);
    mdc_config_free(r->cfg);
}

static size_t got(void)
{
    pthread_mutex_lock(&cap.mu);
    size_t n = cap.ngot;
    pthread_mutex_unlock(&cap.mu);
    return n;
}

/* Waits (generously: the machine may be busy) until the sink has taken n records. */
static void wait_got(size_t n)
{
    int64_t deadline = mdc_mono_us() + 60 * MDC_US_PER_SEC;
    while (got() < n) {
        if (mdc_mono_us() > deadline) fail_msg("only %zu of %zu records delivered", got(), n);
        mdc_sleep_us(5000);
    }
}

/* Every record 1..k exactly once, in order, except `skip` (0: none). */
static void assert_sequence(size_t k, int64_t skip)
{
    pthread_mutex_lock(&cap.mu);
    int64_t want = 1;
    for (size_t i = 0; i < k; i++, want++) {
        if (want == skip) want++;
        if (cap.got[i] != want)
            fail_msg("record %zu: got n=%lld, want %lld", i, (long long)cap.got[i],
                     (long long)want);
    }
    pthread_mutex_unlock(&cap.mu);
}

static int64_t dead_count(void)
{
    char path[600];
    snprintf(path, sizeof path, "%s/spool.db", dir);
    mdc_spool *sp;
    mdc_err err = {0};
    mdc_spool_opts o = {.admin = true};
    if (mdc_spool_open(path, &o, &sp, &err) < 0) fail_msg("%s", err.msg);
    int64_t n = mdc_spool_dead_count(sp, "capture");
    mdc_spool_close(sp);
    return n;
}

/* ---- tests ---- */

static void test_in_order_exactly_once(void **state)
{
    (void)state;
    run r;
    start(&r);
    wait_got(40);
    stop(&r);
    assert_sequence(got(), 0);
    start(&r); /* a restart resumes after the last record delivered */
    size_t before = got();
    wait_got(before + 20);
    stop(&r);
    assert_sequence(got(), 0);
}

static void test_outage_and_partial_writes(void **state)
{
    (void)state;
    pthread_mutex_lock(&cap.mu);
    cap.fail_writes = 3; /* an outage: nothing goes through (backoff 0.5 s, 1 s, 2 s) */
    cap.per_write = 3;   /* afterwards every write takes 3 records and then fails */
    pthread_mutex_unlock(&cap.mu);
    run r;
    start(&r);
    wait_got(60);
    stop(&r);
    assert_sequence(got(), 0);
}

static void test_poison_record_becomes_dead_letter(void **state)
{
    (void)state;
    pthread_mutex_lock(&cap.mu);
    cap.poison = 5;
    pthread_mutex_unlock(&cap.mu);
    run r;
    start(&r);
    wait_got(30); /* records after the refused one keep flowing */
    stop(&r);
    assert_sequence(got(), 5);
    assert_int_equal(dead_count(), 1);
    pthread_mutex_lock(&cap.mu);
    assert_true(cap.writes >= 3); /* refused three times before it was set aside */
    cap.poison = 0;
    pthread_mutex_unlock(&cap.mu);

    /* mdc spool retry: the next run offers it again; it is delivered and leaves the table */
    char path[600];
    snprintf(path, sizeof path, "%s/spool.db", dir);
    mdc_spool *sp;
    mdc_err err = {0};
    mdc_spool_opts o = {.admin = true};
    assert_int_equal(mdc_spool_open(path, &o, &sp, &err), 0);
    assert_int_equal(mdc_spool_dead_mark_retry(sp, 0, NULL, &err), 1);
    mdc_spool_close(sp);
    size_t before = got();
    start(&r);
    int64_t deadline = mdc_mono_us() + 60 * MDC_US_PER_SEC;
    bool found = false;
    while (!found && mdc_mono_us() < deadline) {
        mdc_sleep_us(10000);
        pthread_mutex_lock(&cap.mu);
        for (size_t i = before; i < cap.ngot; i++)
            found |= cap.got[i] == 5;
        pthread_mutex_unlock(&cap.mu);
    }
    stop(&r);
    assert_true(found);
    assert_int_equal(dead_count(), 0);
}

static void test_unreachable_device_still_yields_records(void **state)
{
    (void)state;
    atomic_store(&device_down, true);
    run r;
    start(&r);
    int64_t deadline = mdc_mono_us() + 60 * MDC_US_PER_SEC;
    while (got() < 5 && mdc_mono_us() < deadline)
        mdc_sleep_us(5000);
    atomic_store(&device_down, false);
    stop(&r);
    pthread_mutex_lock(&cap.mu);
    assert_true(cap.ngot >= 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(cap.got[i], -1); /* null value: the slot's record says unreachable */
    pthread_mutex_unlock(&cap.mu);
}

int main(void)
{
    mdc_log_set_level(MDC_LOG_OFF);
    static const mdc_sink_type capture_type = {"capture", cap_build, NULL, NULL};
    if (mdc_driver_register(&script_driver) < 0 || mdc_sink_type_register(&capture_type) < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_in_order_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outage_and_partial_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poison_record_becomes_dead_letter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_device_still_yields_records, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
