/* SPDX-License-Identifier: Apache-2.0 */
/* Debug builds assert the driver and sink contracts (driver.h, sink.h): a driver whose poll does
 * not fill the record it was given, and a sink that reports more delivered than it was given or
 * a rejection without a reason, stop the program at once (here: a forked child dies of SIGABRT),
 * while drivers and sinks that keep the contract run on. Skipped with NDEBUG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "core/xalloc.h"
#include "runtime/runtime.h"
#include "sinks/sink.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- a driver that says it reads "a" and "b" ---- */

typedef enum { FILL_RIGHT, FILL_SWAPPED, FILL_SHORT, FAIL_WITHOUT_ERR } poll_mode;
static poll_mode mode;

static const char *const two_fields[] = {"a", "b", NULL};

static int two_parse(const mdc_device_cfg *dev, void **cfg, mdc_err *err)
{
    (void)dev, (void)err;
    *cfg = xcalloc(1, 1);
    return 0;
}

static const char *const *two_field_names(const void *cfg)
{
    (void)cfg;
    return two_fields;
}

static int two_open(const void *cfg, void **bus, mdc_err *err)
{
    (void)err;
    *bus = (void *)cfg;
    return 0;
}

static void two_close(void *bus)
{
    (void)bus;
}

static int two_poll(void *bus, const void *cfg, mdc_record *rec, mdc_err *err)
{
    (void)bus, (void)cfg, (void)err;
    switch (mode) {
    case FILL_RIGHT:
        mdc_record_add_int(rec, "a", 1);
        mdc_record_add_int(rec, "b", 2);
        mdc_record_add_int(rec, "_hidden", 3);
        return 0;
    case FILL_SWAPPED:
        mdc_record_add_int(rec, "b", 2);
        mdc_record_add_int(rec, "a", 1);
        return 0;
    case FILL_SHORT:
        mdc_record_add_int(rec, "a", 1);
        return 0;
    case FAIL_WITHOUT_ERR:
        return -1;
    }
    return 0;
}

static void two_describe(const void *cfg, strbuf *out)
{
    (void)cfg;
    sb_puts(out, "two fields");
}

static const mdc_driver two_driver = {
    .name = "two",
    .parse = two_parse,
    .free_config = free,
    .fields = two_field_names,
    .describe = two_describe,
    .bus_open = two_open,
    .bus_close = two_close,
    .poll = two_poll,
};

/* Runs fn in a child; returns the signal that ended it, or 0 when it exited normally. */
static int run_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGABRT, SIG_DFL);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2); /* the assertion's message is expected */
        fn();
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static void poll_once(void)
{
    static const char text[] = "{\"devices\": [{\"id\": \"d\", \"driver\": \"two\"}]}";
    mdc_config *cfg;
    mdc_runtime *rt;
    mdc_err err = {0};
    if (mdc_config_load_string("t.json", text, strlen(text), NULL, &cfg, &err) < 0 ||
        mdc_runtime_build(cfg, &rt, &err) < 0)
        _exit(3);
    mdc_record rec;
    mdc_record_init(&rec);
    mdc_runtime_read_once(rt, mdc_runtime_device(rt, 0), &rec, NULL, 0, NULL, &err);
    mdc_record_free(&rec);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

static void test_driver_contract(void **state)
{
    (void)state;
    mode = FILL_RIGHT;
    assert_int_equal(run_child(poll_once), 0);
    mode = FILL_SWAPPED;
    assert_int_equal(run_child(poll_once), SIGABRT);
    mode = FILL_SHORT;
    assert_int_equal(run_child(poll_once), SIGABRT);
    mode = FAIL_WITHOUT_ERR;
    assert_int_equal(run_child(poll_once), SIGABRT);
}

/* ---- a sink whose write reports what `result` says ---- */

static mdc_sink_result result;
static int result_rc;

static int fake_write(mdc_sink *s, const mdc_record *const *recs, size_t n, mdc_sink_result *res,
                      mdc_err *err)
{
    (void)s, (void)recs, (void)n;
    *res = result;
    if (result_rc < 0) mdc_err_set(err, MDC_EIO, "scripted failure");
    return result_rc;
}

static void write_two(void)
{
    static const mdc_sink_ops ops = {.type = "fake", .write = fake_write};
    mdc_sink *s = mdc_sink_new(&ops, "fake", NULL);
    mdc_record a, b;
    mdc_record_init(&a);
    mdc_record_init(&b);
    const mdc_record *recs[] = {&a, &b};
    mdc_err err = {0};
    mdc_sink_write(s, recs, 2, NULL, &err);
    _exit(0);
}

static int write_with(int rc, mdc_sink_result r)
{
    result_rc = rc;
    result = r;
    return run_child(write_two);
}

static void test_sink_contract(void **state)
{
    (void)state;
    assert_int_equal(write_with(0, (mdc_sink_result){.delivered = 2}), 0);
    assert_int_equal(write_with(-1, (mdc_sink_result){.delivered = 1}), 0);
    assert_int_equal(
        write_with(-1, (mdc_sink_result){.delivered = 0, .rejected = true, .reason = "data"}), 0);
    assert_int_equal(write_with(0, (mdc_sink_result){.delivered = 3}), SIGABRT);
    assert_int_equal(write_with(-1, (mdc_sink_result){.delivered = 2}), SIGABRT);
    assert_int_equal(write_with(0, (mdc_sink_result){.delivered = 1}), SIGABRT);
    assert_int_equal(write_with(-1, (mdc_sink_result){.rejected = true}), SIGABRT);
    assert_int_equal(write_with(1, (mdc_sink_result){.delivered = 2}), SIGABRT);
}

int main(void)
{
#ifdef NDEBUG
    return 77; /* the asserts are compiled out */
#endif
    mdc_log_set_level(MDC_LOG_OFF);
    if (mdc_driver_register(&two_driver) < 0) return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_contract),
        cmocka_unit_test(test_sink_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
