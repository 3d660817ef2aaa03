/* SPDX-License-Identifier: Apache-2.0 */
/* Transports against `mdc-sim modbus --frozen`: TCP, RTU on a pty, ASCII 7E2 on a pty; exact
 * decoded values, exceptions, absent units, faults injected through the control channel. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "drivers/modbus/decode.h"
#include "drivers/modbus/link.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_sim.h"

static mdc_mb_link *open_link(const mdc_mb_link_cfg *c)
{
    mdc_mb_link *l;
    mdc_err err = {0};
    if (mdc_mb_link_open(c, &l, &err) != 0) fail_msg("open: %s", err.msg);
    return l;
}

static void tcp_cfg(mdc_mb_link_cfg *c, const sim *s)
{
    mdc_mb_link_cfg_init(c);
    c->kind = MDC_MB_TCP;
    mdc_err err;
    assert_int_equal(strncmp(s->first, "tcp: ", 5), 0);
    assert_int_equal(mdc_mb_parse_hostport(s->first + 5, c->host, sizeof c->host, &c->port, &err),
                     0);
    c->timeout_us = 300000;
}

static void serial_cfg(mdc_mb_link_cfg *c, const sim *s, mdc_mb_kind kind)
{
    mdc_mb_link_cfg_init(c);
    c->kind = kind;
    assert_int_equal(strncmp(s->first, "pty: ", 5), 0);
    snprintf(c->device, sizeof c->device, "%s", s->first + 5);
    c->timeout_us = 300000;
}

/* Reads and decodes one point. */
static double read_value(mdc_mb_link *l, int unit, int fc, uint16_t addr, mdc_mb_type t,
                         mdc_mb_order o, int bpr, double scale)
{
    mdc_mb_format f;
    mdc_mb_format_init(&f);
    f.type = t;
    f.order = o;
    f.bytes_per_register = bpr;
    f.scale = scale;
    int n = mdc_mb_point_registers(t, bpr, 0);
    uint16_t regs[8];
    mdc_err err = {0};
    if (mdc_mb_read(l, unit, fc, addr, (uint16_t)n, regs, &err) != 0) fail_msg("read: %s", err.msg);
    mdc_value v;
    if (mdc_mb_decode(&f, addr, regs, (size_t)n, &v, &err) != 0) fail_msg("decode: %s", err.msg);
    double d;
    assert_true(mdc_value_as_double(&v, &d));
    return d;
}

static double sdm(mdc_mb_link *l, uint16_t addr)
{
    return read_value(l, 1, 4, addr, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1.0);
}

static void expect_read_error(mdc_mb_link *l, int unit, int fc, uint16_t addr, uint16_t n, int code,
                              const char *msg)
{
    uint16_t regs[130];
    mdc_err err = {0};
    assert_int_equal(mdc_mb_read(l, unit, fc, addr, n, regs, &err), -1);
    assert_int_equal(err.code, code);
    assert_string_equal(err.msg, msg);
}

/* Frozen currents: P / (3 V PF) per phase, as float32 on the wire. */
static double frozen_current(double p_kw, double v, double pf)
{
    return mdc_mb_float_to_double((float)(p_kw * 1000.0 / (3.0 * v * pf)));
}

static void test_tcp_sdm630(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--tcp", "127.0.0.1:0", "--frozen", NULL});
    mdc_mb_link_cfg c;
    tcp_cfg(&c, &s);
    mdc_mb_link *l = open_link(&c);
    /* one block, decoded point by point */
    uint16_t regs[6];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 1, 4, 0, 6, regs, &err), 0);
    assert_int_equal(regs[0], 0x4366); /* 230.1f = 0x4366199A */
    assert_int_equal(regs[1], 0x199A);
    assert_true(sdm(l, 0x00) == 230.1);
    assert_true(sdm(l, 0x02) == 231.2);
    assert_true(sdm(l, 0x04) == 229.3);
    assert_true(sdm(l, 0x06) == frozen_current(6.0, 230.1, 0.92));
    assert_true(sdm(l, 0x34) == 6000.0);
    assert_true(sdm(l, 0x46) == 50.0);
    assert_true(sdm(l, 0x48) == 1234.5);
    assert_true(sdm(l, 0x156) == 1234.5);
    assert_true(read_value(l, 1, 3, 0x00, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1) == 230.1);
    uint16_t bit;
    assert_int_equal(mdc_mb_read(l, 1, 1, 0, 1, &bit, &err), 0);
    assert_int_equal(bit, 1);
    /* control channel */
    sim_cmd(&s, "state off");
    assert_true(sdm(l, 0x34) == 0.0);
    assert_true(sdm(l, 0x06) == 0.0);
    assert_true(sdm(l, 0x00) == 230.1); /* voltage stays when off */
    assert_true(sdm(l, 0x46) == 50.0);
    assert_int_equal(mdc_mb_read(l, 1, 2, 0, 1, &bit, &err), 0);
    assert_int_equal(bit, 0);
    sim_cmd(&s, "state idle");
    assert_true(sdm(l, 0x34) == 800.0);
    sim_cmd(&s, "set voltage_l1 230.5");
    assert_true(sdm(l, 0x00) == 230.5);
    sim_cmd(&s, "set energy_kwh 1234.5678");
    assert_true(sdm(l, 0x156) == mdc_mb_float_to_double(1234.5678f));
    sim_cmd(&s, "spike 10");
    assert_true(sdm(l, 0x156) == mdc_mb_float_to_double(1244.5678f));
    sim_cmd(&s, "reset-energy");
    assert_true(sdm(l, 0x48) == 0.0);
    sim_cmd(&s, "set power_kw 5.2");
    assert_true(sdm(l, 0x34) == 5200.0);
    sim_cmd(&s, "unset power_kw");
    assert_true(sdm(l, 0x34) == 800.0);
    mdc_mb_link_close(l);
    sim_stop(&s);
}

static void test_tcp_errors(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--tcp", "127.0.0.1:0", "--frozen", NULL});
    mdc_mb_link_cfg c;
    tcp_cfg(&c, &s);
    mdc_mb_link *l = open_link(&c);
    expect_read_error(l, 1, 4, 5000, 2, MDC_EDEVICE,
                      "unit 1 FC4 addr 5000 count 2: exception 02 illegal data address");
    expect_read_error(l, 2, 4, 0, 2, MDC_ETIMEOUT,
                      "unit 2 FC4 addr 0 count 2: timeout after 300 ms");
    assert_false(mdc_mb_link_needs_reopen(l));
    assert_true(sdm(l, 0) == 230.1); /* unit 1 still answers right after */
    sim_cmd(&s, "exception 4");
    expect_read_error(l, 1, 4, 0, 2, MDC_EDEVICE,
                      "unit 1 FC4 addr 0 count 2: exception 04 server device failure");
    sim_cmd(&s, "exception 0");
    assert_true(sdm(l, 0) == 230.1);
    /* a late reply is flushed before the next request */
    sim_cmd(&s, "slow 450");
    expect_read_error(l, 1, 4, 0, 2, MDC_ETIMEOUT,
                      "unit 1 FC4 addr 0 count 2: timeout after 300 ms");
    sim_cmd(&s, "slow 0");
    usleep(250000);
    assert_true(sdm(l, 2) == 231.2);
    sim_cmd(&s, "silence 0.4");
    expect_read_error(l, 1, 4, 0, 2, MDC_ETIMEOUT,
                      "unit 1 FC4 addr 0 count 2: timeout after 300 ms");
    usleep(150000);
    assert_true(sdm(l, 4) == 229.3);
    /* argument checks before anything is sent */
    expect_read_error(l, 1, 3, 0, 126, MDC_EINVAL,
                      "unit 1 FC3 addr 0 count 126: count must be 1..125");
    expect_read_error(l, 1, 5, 0, 1, MDC_EINVAL,
                      "unit 1 FC5 addr 0 count 1: function 5 is not a read function (1..4)");
    /* the server goes away: the connection is broken */
    sim_stop(&s);
    uint16_t regs[2];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 1, 4, 0, 2, regs, &err), -1);
    assert_int_equal(err.code, MDC_EIO);
    assert_true(mdc_mb_link_needs_reopen(l));
    assert_int_equal(mdc_mb_read(l, 1, 4, 0, 2, regs, &err), -1);
    assert_int_equal(err.code, MDC_ESTATE);
    mdc_mb_link_close(l);
    /* and refuses new connections */
    mdc_mb_link *l2;
    assert_int_equal(mdc_mb_link_open(&c, &l2, &err), -1);
    char want[300];
    snprintf(want, sizeof want, "%s:%d: connection refused", c.host, c.port);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, MDC_EIO);
}

static void test_rtu_two_units(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--rtu", "--units", "1,3", "--frozen", NULL});
    mdc_mb_link_cfg c;
    serial_cfg(&c, &s, MDC_MB_RTU);
    mdc_mb_link *l = open_link(&c);
    int64_t t0 = mdc_mono_us();
    assert_true(sdm(l, 0) == 230.1);
    int64_t took = mdc_mono_us() - t0;
    /* 8 + 3.5 + 9 characters of 10 bits at 9600 baud: 21.4 ms at least */
    assert_true(took >= 21000);
    assert_true(read_value(l, 3, 4, 2, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1) == 231.2);
    expect_read_error(l, 2, 4, 0, 2, MDC_ETIMEOUT,
                      "unit 2 FC4 addr 0 count 2: timeout after 300 ms");
    /* the simulator did not lose step: both present units answer at once */
    assert_true(read_value(l, 1, 4, 4, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1) == 229.3);
    assert_true(read_value(l, 3, 4, 0x46, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1) == 50.0);
    expect_read_error(l, 1, 4, 600, 2, MDC_EDEVICE,
                      "unit 1 FC4 addr 600 count 2: exception 02 illegal data address");
    /* one meter per unit: unit 3 alone goes idle */
    sim_cmd(&s, "unit 3 state idle");
    assert_true(read_value(l, 3, 4, 0x34, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1) == 800.0);
    assert_true(sdm(l, 0x34) == 6000.0);
    /* a full 125-register block */
    uint16_t regs[125];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 1, 4, 0, 125, regs, &err), 0);
    assert_int_equal(regs[0x46], 0x4248); /* 50.0f */
    mdc_mb_link_close(l);
    sim_stop(&s);
}

static void test_ascii_delta_7e2(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--ascii", "--profile", "delta", "--parity", "E", "--data-bits",
                                   "7", "--stop-bits", "2", "--frozen", NULL});
    mdc_mb_link_cfg c;
    serial_cfg(&c, &s, MDC_MB_ASCII);
    c.parity = 'E';
    c.data_bits = 7;
    c.stop_bits = 2;
    mdc_mb_link *l = open_link(&c);
    /* meter 1 PHASE_A VOLTAGE: number 4200 → address 4199, CDAB, one byte per register */
    uint16_t regs[4];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 1, 3, 4199, 4, regs, &err), 0);
    const uint16_t want[4] = {0x19, 0x9A, 0x43, 0x66}; /* 230.1f = 0x4366199A */
    assert_memory_equal(regs, want, sizeof want);
    const mdc_mb_order cdab = MDC_MB_ORDER_WORDSWAP;
    assert_true(read_value(l, 1, 3, 4199, MDC_MB_FLOAT32, cdab, 1, 1) == 230.1);
    assert_true(read_value(l, 1, 3, 4239, MDC_MB_FLOAT32, cdab, 1, 1) == 50.0);     /* FREQUENCY */
    assert_true(read_value(l, 1, 3, 4243, MDC_MB_FLOAT32, cdab, 1, 1) == 6.0);      /* kW */
    assert_true(read_value(l, 1, 3, 4294, MDC_MB_INT32, cdab, 1, 0.001) == 1234.5); /* energy */
    /* meter 3 (base 4430, "other" offsets): frequency at +35, power at +39 */
    sim_cmd(&s, "meter 3 set power_kw 5.2");
    assert_true(read_value(l, 1, 3, 4430 + 39 - 1, MDC_MB_FLOAT32, cdab, 1, 1) == 5.2);
    assert_true(read_value(l, 1, 3, 4430 + 35 - 1, MDC_MB_FLOAT32, cdab, 1, 1) == 50.0);
    assert_true(read_value(l, 1, 3, 4243, MDC_MB_FLOAT32, cdab, 1, 1) == 6.0);
    sim_cmd(&s, "meter 14 set energy_kwh 98765.432");
    assert_true(read_value(l, 1, 3, 6665 + 90 - 1, MDC_MB_INT32, cdab, 1, 0.001) == 98765.432);
    expect_read_error(l, 2, 3, 4199, 4, MDC_ETIMEOUT,
                      "unit 2 FC3 addr 4199 count 4: timeout after 300 ms");
    expect_read_error(l, 1, 4, 4199, 4, MDC_EDEVICE,
                      "unit 1 FC4 addr 4199 count 4: exception 02 illegal data address");
    assert_true(read_value(l, 1, 3, 4203, MDC_MB_FLOAT32, cdab, 1, 1) == 231.2);
    /* the line goes away (a USB adapter unplugged): reopen */
    sim_stop(&s);
    assert_int_equal(mdc_mb_read(l, 1, 3, 4199, 4, regs, &err), -1);
    assert_int_equal(err.code, MDC_EIO);
    assert_true(mdc_mb_link_needs_reopen(l));
    mdc_mb_link_close(l);
}

static void test_delta_map_file(void **state)
{
    (void)state;
    char path[] = "/tmp/mdc-test-ems-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *json = "{\"7\": {\"PHASE_A VOLTAGE\": [100, 4], \"ACTIVE ENERGY 3P DELIVERED\": "
                       "[200, 4], \"TOTAL INSTANTANEOUS ACTIVE POWER\": [104, 4]}}";
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    sim s;
    sim_start(&s, (const char *[]){"--rtu", "--map", path, "--frozen", "--energy", "42.125", NULL});
    mdc_mb_link_cfg c;
    serial_cfg(&c, &s, MDC_MB_RTU);
    mdc_mb_link *l = open_link(&c);
    const mdc_mb_order cdab = MDC_MB_ORDER_WORDSWAP;
    assert_true(read_value(l, 1, 3, 99, MDC_MB_FLOAT32, cdab, 1, 1) == 230.1);
    assert_true(read_value(l, 1, 3, 103, MDC_MB_FLOAT32, cdab, 1, 1) == 6.0);
    assert_true(read_value(l, 1, 3, 199, MDC_MB_INT32, cdab, 1, 0.001) == 42.125);
    sim_cmd(&s, "meter 7 state off");
    assert_true(read_value(l, 1, 3, 103, MDC_MB_FLOAT32, cdab, 1, 1) == 0.0);
    sim_stop(&s);
    uint16_t regs[4];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 1, 3, 99, 4, regs, &err), -1);
    assert_int_equal(err.code, MDC_EIO);
    assert_true(mdc_mb_link_needs_reopen(l));
    mdc_mb_link_close(l);
    unlink(path);
}

/* Every 2nd reply comes 700 ms late, after the 500 ms timeout: the late reply arrives while the
 * next request waits — same unit, function and count, another meter's values — and must be
 * drained, never taken as that request's answer. */
static void late_replies_delta(mdc_mb_kind kind)
{
    sim s;
    const char *rtu[] = {"--rtu", "--profile", "delta", "--frozen", NULL};
    const char *ascii[] = {"--ascii", "--profile", "delta", "--frozen", NULL};
    sim_start(&s, kind == MDC_MB_RTU ? rtu : ascii);
    mdc_mb_link_cfg c;
    serial_cfg(&c, &s, kind);
    if (kind == MDC_MB_ASCII) c.parity = 'E', c.data_bits = 7;
    c.timeout_us = 500000;
    sim_cmd(&s, "meter 1 set voltage_l1 201");
    sim_cmd(&s, "meter 2 set voltage_l1 202");
    sim_cmd(&s, "late 700 2");
    mdc_mb_link *l = open_link(&c);
    const mdc_mb_order cdab = MDC_MB_ORDER_WORDSWAP;
    /* meter 1 at 4199, meter 2 at 4314: 4 registers each */
    assert_true(read_value(l, 1, 3, 4199, MDC_MB_FLOAT32, cdab, 1, 1) == 201); /* reply 1 */
    uint16_t regs[4];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 1, 3, 4314, 4, regs, &err), -1); /* reply 2 is late */
    assert_int_equal(err.code, MDC_ETIMEOUT);
    assert_int_equal(mdc_mb_link_discarded(l), 0);
    /* reply 2 (meter 2: 202) arrives first, then reply 3 (meter 1: 201) */
    assert_true(read_value(l, 1, 3, 4199, MDC_MB_FLOAT32, cdab, 1, 1) == 201);
    assert_int_equal(mdc_mb_link_discarded(l), 1);
    sim_cmd(&s, "late 0");
    assert_true(read_value(l, 1, 3, 4314, MDC_MB_FLOAT32, cdab, 1, 1) == 202);
    assert_int_equal(mdc_mb_link_discarded(l), 1);
    mdc_mb_link_close(l);
    sim_stop(&s);
}

static void test_late_replies_rtu(void **state)
{
    (void)state;
    late_replies_delta(MDC_MB_RTU);
}

static void test_late_replies_ascii(void **state)
{
    (void)state;
    late_replies_delta(MDC_MB_ASCII);
}

/* On a shared RTU line the late reply comes from another unit: drained as well, and the error
 * of the request it overtook names what happened. */
static void test_late_reply_other_unit_rtu(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--rtu", "--units", "1,3", "--frozen", NULL});
    mdc_mb_link_cfg c;
    serial_cfg(&c, &s, MDC_MB_RTU);
    c.timeout_us = 500000;
    sim_cmd(&s, "unit 3 set voltage_l1 233");
    mdc_mb_link *l = open_link(&c);
    assert_true(read_value(l, 3, 4, 0, MDC_MB_FLOAT32, MDC_MB_ORDER_BE, 2, 1) == 233);
    sim_cmd(&s, "late 700 1");
    uint16_t regs[2];
    mdc_err err;
    assert_int_equal(mdc_mb_read(l, 3, 4, 0, 2, regs, &err), -1);
    assert_int_equal(err.code, MDC_ETIMEOUT);
    sim_cmd(&s, "late 0");
    /* unit 3's late reply, then unit 1's answer */
    assert_true(sdm(l, 0) == 230.1);
    assert_int_equal(mdc_mb_link_discarded(l), 1);
    mdc_mb_link_close(l);
    sim_stop(&s);
}

static void test_link_cfg(void **state)
{
    (void)state;
    mdc_mb_link_cfg c;
    mdc_err err;
    mdc_mb_link_cfg_init(&c);
    c.kind = MDC_MB_RTU;
    snprintf(c.device, sizeof c.device, "/dev/ttyUSB0");
    c.baud = 14400;
    assert_int_equal(mdc_mb_link_cfg_check(&c, &err), -1);
    assert_string_equal(err.msg, "/dev/ttyUSB0: baud rate 14400 is not a standard rate (e.g. "
                                 "1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)");
    c.baud = 9600;
    c.data_bits = 7;
    assert_int_equal(mdc_mb_link_cfg_check(&c, &err), -1);
    assert_string_equal(err.msg, "/dev/ttyUSB0: Modbus RTU needs 8 data bits (got 7)");
    c.kind = MDC_MB_ASCII;
    c.parity = 'X';
    assert_int_equal(mdc_mb_link_cfg_check(&c, &err), -1);
    assert_string_equal(err.msg, "/dev/ttyUSB0: parity must be N, E or O (got 'X')");
    c.parity = 'E';
    c.stop_bits = 2;
    assert_int_equal(mdc_mb_link_cfg_check(&c, &err), 0);
    char d[128];
    mdc_mb_link_cfg_describe(&c, d, sizeof d);
    assert_string_equal(d, "ascii /dev/ttyUSB0 9600 7E2");
    mdc_mb_link *l;
    snprintf(c.device, sizeof c.device, "/nonexistent/tty");
    assert_int_equal(mdc_mb_link_open(&c, &l, &err), -1);
    assert_string_equal(err.msg, "/nonexistent/tty: No such file or directory");
    char host[64];
    int port;
    assert_int_equal(mdc_mb_parse_hostport("10.0.0.5:502", host, sizeof host, &port, &err), 0);
    assert_string_equal(host, "10.0.0.5");
    assert_int_equal(port, 502);
    assert_int_equal(mdc_mb_parse_hostport("[::1]:5020", host, sizeof host, &port, &err), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 5020);
    assert_int_equal(mdc_mb_parse_hostport("meter.local", host, sizeof host, &port, &err), -1);
    assert_int_equal(mdc_mb_parse_hostport("h:99999", host, sizeof host, &port, &err), -1);
    mdc_mb_link_cfg_init(&c);
    snprintf(c.host, sizeof c.host, "no-such-host.invalid");
    assert_int_equal(mdc_mb_link_open(&c, &l, &err), -1);
    assert_int_equal(err.code, MDC_EIO);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_tcp_sdm630, teardown),
        cmocka_unit_test_teardown(test_tcp_errors, teardown),
        cmocka_unit_test_teardown(test_rtu_two_units, teardown),
        cmocka_unit_test_teardown(test_ascii_delta_7e2, teardown),
        cmocka_unit_test_teardown(test_delta_map_file, teardown),
        cmocka_unit_test_teardown(test_late_replies_rtu, teardown),
        cmocka_unit_test_teardown(test_late_replies_ascii, teardown),
        cmocka_unit_test_teardown(test_late_reply_other_unit_rtu, teardown),
        cmocka_unit_test(test_link_cfg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
