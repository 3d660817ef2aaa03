/* SPDX-License-Identifier: Apache-2.0 */
/* The lsv2 driver: configuration errors (exact text), the fields it declares, and polls against
 * `mdc-sim lsv2` driven through its control channel: values, status rule, alarm text, PLC
 * values and the part signal, reconnection after a drop, a refused DNC login. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/config.h"
#include "drivers/lsv2/lsv2_driver.h"
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h" /* the device's driver and parsed configuration */

#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- configuration ---- */

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

/* A device object inside a minimal file: every error is on line 2. */
static void expect_error(const char *device, const char *msg)
{
    char text[2048];
    snprintf(text, sizeof text, "{\"devices\": [\n%s\n]}", device);
    mdc_runtime *rt = NULL;
    mdc_config *cfg = load(text, &rt);
    if (cfg) {
        mdc_runtime_free(rt);
        mdc_config_free(cfg);
        fail_msg("accepted: %s", device);
    }
    assert_string_equal(errbuf, msg);
}

static void test_config_errors(void **state)
{
    (void)state;
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\"}",
                 "t.json:2:1: devices[0]: missing required key \"host\"");
    expect_error(
        "{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"prot\": 1}",
        "t.json:2:44: devices[0].prot: unknown key \"prot\" (did you mean \"port\"?); allowed: id, "
        "machine_id, name, driver, interval, schedule, retry_max, status, parts, energy, enabled, "
        "host, port, "
        "timeout, connect_timeout, overrides, alarms, plc, buffer_size, dnc_password, "
        "plc_password");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"port\": 0}",
                 "t.json:2:44: devices[0].port: 0 is out of range; allowed 1..65535");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"\"}",
                 "t.json:2:31: devices[0].host: must not be empty");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"buffer_size\": 300}",
                 "t.json:2:44: devices[0].buffer_size: must be 256 (no negotiation), 512, 1024, "
                 "2048, 3072 or 4096");
    expect_error(
        "{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": \"x\", "
        "\"memory\": \"dwrd\", \"address\": 4}]}",
        "t.json:2:66: devices[0].plc[0].memory: unknown value \"dwrd\" (did you mean "
        "\"dword\"?); allowed: marker, input, output, byte, word, dword");
    expect_error(
        "{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": \"x\", "
        "\"memory\": \"dword\", \"address\": 2594}]}",
        "t.json:2:85: devices[0].plc[0].address: dword numbers are byte offsets as in the "
        "PLC program (D2594 is not one): they must be multiples of 4");
    expect_error(
        "{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": \"x\", "
        "\"memory\": \"dword\"}]}",
        "t.json:2:52: devices[0].plc[0]: missing \"address\" (the operand number as in "
        "the PLC program: 4170 for M4170, 10368 for D10368)");
    expect_error(
        "{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": \"x\", "
        "\"address\": 4}]}",
        "t.json:2:52: devices[0].plc[0]: missing \"memory\" (marker, input, output, byte, "
        "word or dword)");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": "
                 "\"line\", \"memory\": \"word\", \"address\": 4}]}",
                 "t.json:2:53: devices[0].plc[0].name: \"line\" is a value the driver already "
                 "reads");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": "
                 "\"_x\", \"memory\": \"word\", \"address\": 4}]}",
                 "t.json:2:53: devices[0].plc[0].name: names that are empty or start with '_' are "
                 "reserved");
    expect_error(
        "{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"plc\": [{\"name\": \"a\", "
        "\"memory\": \"word\", \"address\": 4}, {\"name\": \"a\", \"memory\": \"marker\", "
        "\"address\": 1}]}",
        "t.json:2:100: devices[0].plc[1].name: duplicate name \"a\"");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"parts\": {\"signal\": "
                 "{\"memory\": \"marker\"}}}",
                 "t.json:2:54: devices[0].parts.signal: missing \"address\" (the operand number as "
                 "in the PLC program: 4170 for M4170, 10368 for D10368)");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"parts\": {\"signal\": "
                 "{\"memory\": \"marker\", \"address\": 4170, \"equal\": 1}}}",
                 "t.json:2:102: devices[0].parts.signal.equal: unknown key \"equal\" (did you mean "
                 "\"equals\"?); allowed: memory, address, equals");
    expect_error("{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"parts\": {\"counter\": "
                 "\"cycle_cnt\"}, \"plc\": [{\"name\": \"cycle_count\", \"memory\": \"dword\", "
                 "\"address\": 3504}]}",
                 "t.json:2:54: devices[0].parts.counter: no value named \"cycle_cnt\" (did you "
                 "mean \"cycle_count\"?); this device has: op_mode, prog_status, "
                 "selected_program, active_program, line, cycle_count");
}

static mdc_rt_device *device(const char *text, mdc_runtime **rt, mdc_config **cfg)
{
    *cfg = load(text, rt);
    if (!*cfg) fail_msg("%s", errbuf);
    return mdc_runtime_find_device(*rt, "m");
}

static void expect_fields(const char *const *got, const char *const *want)
{
    size_t i = 0;
    for (; want[i]; i++) {
        assert_non_null(got[i]);
        assert_string_equal(got[i], want[i]);
    }
    assert_null(got[i]);
}

static void test_fields_and_describe(void **state)
{
    (void)state;
    mdc_runtime *rt;
    mdc_config *cfg;
    mdc_rt_device *d = device("{\"devices\": [{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": "
                              "\"10.0.0.5\"}]}",
                              &rt, &cfg);
    const char *const base[] = {"op_mode",        "prog_status", "selected_program",
                                "active_program", "line",        NULL};
    expect_fields(d->fields, base);
    strbuf out = STRBUF_INIT;
    d->driver->describe(d->dcfg, &out);
    assert_string_equal(sb_str(&out),
                        "    lsv2 10.0.0.5:19000, timeout 3000 ms, connect timeout 3000 ms, buffer "
                        "up to 4096\n"
                        "    per poll: R_RI 23 op_mode, R_RI 26 prog_status, R_RI 24 "
                        "selected_program/active_program/line\n");
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);

    d = device("{\"devices\": [{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"h\", \"port\": "
               "19001, \"timeout\": \"1s\", \"connect_timeout\": \"500ms\", \"buffer_size\": "
               "256, \"overrides\": true, \"alarms\": true, \"plc\": [{\"name\": \"cycle_count\", "
               "\"memory\": \"dword\", \"address\": 3504}, {\"name\": \"door\", \"memory\": "
               "\"input\", \"address\": 12}], \"parts\": {\"signal\": {\"memory\": \"dword\", "
               "\"address\": 10368, \"equals\": 255}}}]}",
               &rt, &cfg);
    const char *const all[] = {"op_mode",
                               "prog_status",
                               "selected_program",
                               "active_program",
                               "line",
                               "feed_override",
                               "spindle_override",
                               "rapid_override",
                               "alarm",
                               "cycle_count",
                               "door",
                               "_part_signal",
                               NULL};
    expect_fields(d->fields, all);
    assert_true(d->derive.signal_has_equals);
    assert_true(d->derive.signal_equals == 255);
    d->driver->describe(d->dcfg, &out);
    assert_string_equal(sb_str(&out),
                        "    lsv2 h:19001, timeout 1000 ms, connect timeout 500 ms, buffer up to "
                        "256\n"
                        "    per poll: R_RI 23 op_mode, R_RI 26 prog_status, R_RI 24 "
                        "selected_program/active_program/line, R_RI 25 overrides, R_RI 27/28 "
                        "alarm\n"
                        "    plc cycle_count          D3504 (dword)\n"
                        "    plc door                 I12 (input)\n"
                        "    part signal: D10368 (dword)\n");
    sb_free(&out);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
}

/* ---- polls against mdc-sim lsv2 ---- */

typedef struct sim {
    pid_t pid;
    int in, out;
    int port;
    char rbuf[4096];
    size_t rlen;
} sim;

static sim running;

static void sim_path(char *buf, size_t n)
{
    const char *env = getenv("MDC_SIM");
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(l > 0);
    exe[l] = '\0';
    snprintf(buf, n, "%s/../mdc-sim", dirname(exe));
}

static int sim_line(sim *s, char *line, size_t n, int timeout_ms)
{
    int64_t deadline = mdc_mono_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        char *nl = memchr(s->rbuf, '\n', s->rlen);
        if (nl) {
            size_t l = (size_t)(nl - s->rbuf);
            snprintf(line, n, "%.*s", (int)l, s->rbuf);
            memmove(s->rbuf, nl + 1, s->rlen - l - 1);
            s->rlen -= l + 1;
            return 0;
        }
        int left = (int)((deadline - mdc_mono_us()) / 1000);
        struct pollfd p = {.fd = s->out, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0) return -1;
        ssize_t r = read(s->out, s->rbuf + s->rlen, sizeof s->rbuf - s->rlen - 1);
        if (r <= 0) return -1;
        s->rlen += (size_t)r;
    }
}

static void sim_start(sim *s, const char *profile)
{
    char path[PATH_MAX];
    sim_path(path, sizeof path);
    const char *argv[] = {path,    "lsv2",    "--listen", "127.0.0.1:0", "--profile",
                          profile, "--state", "idle",     NULL};
    int pin[2], pout[2];
    assert_int_equal(pipe(pin), 0);
    assert_int_equal(pipe(pout), 0);
    memset(s, 0, sizeof *s);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        close(pin[1]);
        close(pout[0]);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    s->in = pin[1];
    s->out = pout[0];
    running = *s;
    char line[256];
    if (sim_line(s, line, sizeof line, 5000) < 0) fail_msg("%s did not start", path);
    assert_int_equal(sscanf(line, "listening 127.0.0.1:%d", &s->port), 1);
}

static void sim_cmd(sim *s, const char *cmd)
{
    char line[512], want[512];
    snprintf(line, sizeof line, "%s\n", cmd);
    assert_int_equal(write(s->in, line, strlen(line)), (ssize_t)strlen(line));
    assert_int_equal(sim_line(s, line, sizeof line, 3000), 0);
    snprintf(want, sizeof want, "ok %s", cmd);
    assert_string_equal(line, want);
}

static void sim_stop(sim *s)
{
    ssize_t w = write(s->in, "quit\n", 5);
    (void)w;
    int status = 0;
    pid_t r = 0;
    for (int i = 0; i < 300 && (r = waitpid(s->pid, &status, WNOHANG)) == 0; i++)
        usleep(10000);
    if (r != s->pid) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
    }
    close(s->in);
    close(s->out);
    running.pid = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static int teardown(void **state)
{
    (void)state;
    if (running.pid > 0) {
        kill(running.pid, SIGTERM);
        waitpid(running.pid, NULL, 0);
        close(running.in);
        close(running.out);
        running.pid = 0;
    }
    return 0;
}

/* Renders a polled record as "name=value" lines (errors as name!message). */
static void render(const mdc_record *r, strbuf *out)
{
    sb_printf(out, "status=%d\n", r->status);
    for (size_t i = 0; i < r->nfields; i++) {
        const mdc_field *f = &r->fields[i];
        if (f->error) {
            sb_printf(out, "%s!%s\n", f->name, f->error);
            continue;
        }
        switch (f->v.type) {
        case MDC_NULL:
            sb_printf(out, "%s=null\n", f->name);
            break;
        case MDC_BOOL:
            sb_printf(out, "%s=%s\n", f->name, f->v.u.b ? "true" : "false");
            break;
        case MDC_INT:
            sb_printf(out, "%s=%lld\n", f->name, (long long)f->v.u.i);
            break;
        case MDC_DOUBLE:
            sb_printf(out, "%s=%g\n", f->name, f->v.u.d);
            break;
        case MDC_STRING:
            sb_printf(out, "%s=%s\n", f->name, f->v.u.s);
            break;
        }
    }
}

typedef struct drv {
    mdc_runtime *rt;
    mdc_config *cfg;
    mdc_rt_device *d;
    void *bus;
} drv;

static void drv_open(drv *x, const sim *s, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"devices\": [{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"127.0.0.1\", "
             "\"port\": %d, \"timeout\": \"1s\"%s}]}",
             s->port, extra);
    x->d = device(text, &x->rt, &x->cfg);
    mdc_err err = {0};
    if (x->d->driver->bus_open(x->d->dcfg, &x->bus, &err) < 0) fail_msg("open: %s", err.msg);
}

static void drv_close(drv *x)
{
    if (x->bus) x->d->driver->bus_close(x->bus);
    mdc_runtime_free(x->rt);
    mdc_config_free(x->cfg);
}

/* One poll, rendered; rc -1 renders "failed: MESSAGE". */
static void poll_text(drv *x, strbuf *out)
{
    mdc_record rec;
    mdc_record_init(&rec);
    mdc_err err = {0};
    sb_reset(out);
    if (x->d->driver->poll(x->bus, x->d->dcfg, &rec, &err) < 0)
        sb_printf(out, "failed: %s\n", err.msg);
    else
        render(&rec, out);
    mdc_record_free(&rec);
}

#define FULL                                                                                       \
    ", \"overrides\": true, \"alarms\": true, \"plc\": [{\"name\": \"cycle_count\", \"memory\": "  \
    "\"dword\", \"address\": 3504}, {\"name\": \"i1\", \"memory\": \"input\", \"address\": 0}], "  \
    "\"parts\": {\"signal\": {\"memory\": \"marker\", \"address\": 4170}}"

static void test_poll_itnc530(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, "itnc530");
    drv x = {0};
    drv_open(&x, &s, FULL);
    strbuf out = STRBUF_INIT;
    poll_text(&x, &out);
    assert_string_equal(sb_str(&out), "status=1\n"
                                      "op_mode=0\n"
                                      "prog_status=7\n"
                                      "selected_program=TNC:\\nc_prog\\PART_\xc3\x9c"
                                      "1.H\n"
                                      "active_program=TNC:\\nc_prog\\PART_\xc3\x9c"
                                      "1.H\n"
                                      "line=0\n"
                                      "feed_override=100\n"
                                      "spindle_override=85\n"
                                      "rapid_override=50\n"
                                      "alarm=null\n"
                                      "cycle_count=0\n"
                                      "i1=true\n"
                                      "_part_signal=0\n");
    sim_cmd(&s, "state started");
    sim_cmd(&s, "signal high");
    poll_text(&x, &out);
    assert_string_equal(sb_str(&out), "status=2\n"
                                      "op_mode=4\n"
                                      "prog_status=0\n"
                                      "selected_program=TNC:\\nc_prog\\PART_\xc3\x9c"
                                      "1.H\n"
                                      "active_program=TNC:\\nc_prog\\SUB\\DRILL_8.H\n"
                                      "line=12\n"
                                      "feed_override=100\n"
                                      "spindle_override=85\n"
                                      "rapid_override=50\n"
                                      "alarm=null\n"
                                      "cycle_count=1\n"
                                      "i1=true\n"
                                      "_part_signal=1\n");
    sim_cmd(&s, "state error");
    sim_cmd(&s, "signal low");
    poll_text(&x, &out);
    assert_non_null(strstr(sb_str(&out), "status=1\nop_mode=4\nprog_status=5\n"));
    assert_non_null(strstr(sb_str(&out), "alarm=010 Machine guard is open !\n"));
    assert_non_null(strstr(sb_str(&out), "_part_signal=0\n"));
    sim_cmd(&s, "alarm 1080 Emergency stop|Lubrication low");
    poll_text(&x, &out);
    assert_non_null(strstr(sb_str(&out), "alarm=1080 Emergency stop; Lubrication low\n"));
    sb_free(&out);
    drv_close(&x);
    sim_stop(&s);
}

static void test_poll_reconnects_after_drop(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, "tnc640");
    drv x = {0};
    drv_open(&x, &s, ", \"alarms\": true");
    strbuf out = STRBUF_INIT;
    poll_text(&x, &out);
    char want[600];
    snprintf(want, sizeof want,
             "status=1\nop_mode=0\nprog_status=7\nselected_program=TNC:\\nc_prog\\demo\\FLANGE.h\n"
             "active_program=TNC:\\nc_prog\\demo\\FLANGE.h\nline=0\n"
             "alarm!127.0.0.1:%d: R_RI 27: T_ER 24 WRONG_PARA (wrong or unsupported parameter)\n",
             s.port);
    assert_string_equal(sb_str(&out), want);
    sim_cmd(&s, "drop");
    usleep(20000);
    poll_text(&x, &out); /* the control closed the idle connection: one new session */
    assert_string_equal(sb_str(&out), want);
    assert_false(x.d->driver->bus_broken(x.bus));
    sim_cmd(&s, "refuse dnc");
    sim_cmd(&s, "drop");
    usleep(20000);
    poll_text(&x, &out);
    snprintf(want, sizeof want,
             "failed: DNC login refused by the control: T_ER 49 NO_LOGIN (login not possible, e.g. "
             "held by another interface or option missing) (A_LG DNC to 127.0.0.1:%d); R_RI needs "
             "the DNC option and external access allowed in MOD\n",
             s.port);
    assert_string_equal(sb_str(&out), want);
    assert_false(x.d->driver->bus_broken(x.bus)); /* the session itself is fine */
    sb_free(&out);
    drv_close(&x);
    sim_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_fields_and_describe),
        cmocka_unit_test_teardown(test_poll_itnc530, teardown),
        cmocka_unit_test_teardown(test_poll_reconnects_after_drop, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
