/* SPDX-License-Identifier: Apache-2.0 */
/* bench_modbus — Modbus poll throughput, printed as ratios against references measured in the
 * same run:
 *   tcp HOST:PORT SECONDS   mdc's driver poll (plan, read, decode of 62 float32 + 1 uint16
 *                           points = 125 registers) vs a bare libmodbus loop reading the same
 *                           125 registers: registers/s and the ratio.
 *   rtu TTY BAUD SECONDS    one-register polls through mdc's RTU link vs the line-rate bound
 *                           of research/modbus.md §5.2 (13 + 2N characters + 2 x t3.5).
 */
#include "core/clock.h"
#include "core/config.h"
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h" /* the device's driver and parsed configuration */

#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mdc_runtime *build(const char *json, mdc_config **cfg)
{
    mdc_err err;
    if (mdc_config_load_string("bench", json, strlen(json), NULL, cfg, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    mdc_runtime *rt;
    if (mdc_runtime_build(*cfg, &rt, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    return rt;
}

/* Polls the first device through its driver for `seconds`; returns polls/s. */
static double driver_rate(mdc_runtime *rt, double seconds)
{
    mdc_rt_device *d = mdc_runtime_device(rt, 0);
    void *bus;
    mdc_err err;
    if (d->driver->bus_open(d->dcfg, &bus, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    long n = 0;
    int64_t end = mdc_mono_us() + (int64_t)(seconds * 1e6), t0 = mdc_mono_us();
    mdc_record rec; /* reused from poll to poll, as a bus thread does */
    mdc_record_init(&rec);
    while (mdc_mono_us() < end) {
        mdc_record_clear(&rec);
        if (d->driver->poll(bus, d->dcfg, &rec, &err) < 0 || mdc_record_error_count(&rec)) {
            fprintf(stderr, "poll failed: %s\n", err.msg);
            exit(1);
        }
        n++;
    }
    mdc_record_free(&rec);
    double rate = n / ((mdc_mono_us() - t0) / 1e6);
    d->driver->bus_close(bus);
    return rate;
}

static double bare_rate(const char *host, int port, double seconds)
{
    modbus_t *ctx = modbus_new_tcp(host, port);
    modbus_set_slave(ctx, 1);
    if (modbus_connect(ctx) < 0) {
        fprintf(stderr, "connect: %s\n", modbus_strerror(errno));
        exit(1);
    }
    uint16_t regs[125];
    long n = 0;
    int64_t end = mdc_mono_us() + (int64_t)(seconds * 1e6), t0 = mdc_mono_us();
    while (mdc_mono_us() < end) {
        if (modbus_read_input_registers(ctx, 0, 125, regs) != 125) {
            fprintf(stderr, "read: %s\n", modbus_strerror(errno));
            exit(1);
        }
        n++;
    }
    double rate = n / ((mdc_mono_us() - t0) / 1e6);
    modbus_close(ctx);
    modbus_free(ctx);
    return rate;
}

static int bench_tcp(const char *hostport, double seconds)
{
    char host[64];
    int port;
    if (sscanf(hostport, "%63[^:]:%d", host, &port) != 2) return 2;
    strbuf json = STRBUF_INIT;
    sb_printf(&json,
              "{\"devices\": [{\"id\": \"m\", \"driver\": \"modbus\", \"connection\": "
              "{\"tcp\": \"%s\"}, \"points\": [",
              hostport);
    for (int i = 0; i < 62; i++)
        sb_printf(&json,
                  "%s{\"name\": \"p%d\", \"function\": 4, \"address\": %d, \"type\": \"float32\"}",
                  i ? ", " : "", i, 2 * i);
    sb_puts(&json, ", {\"name\": \"last\", \"function\": 4, \"address\": 124}]}]}");
    mdc_config *cfg;
    mdc_runtime *rt = build(sb_str(&json), &cfg);
    double ref1 = bare_rate(host, port, seconds / 2);
    double mdc = driver_rate(rt, seconds);
    double ref2 = bare_rate(host, port, seconds / 2);
    double ref = (ref1 + ref2) / 2;
    printf("modbus tcp: bare libmodbus %.0f req/s (%.0f registers/s); mdc driver %.0f polls/s "
           "(%.0f registers/s, 63 points decoded each); ratio %.2f (goal >= 0.9)\n",
           ref, ref * 125, mdc, mdc * 125, mdc / ref);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    sb_free(&json);
    return 0;
}

static int bench_rtu(const char *tty, int baud, double seconds)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"devices\": [{\"id\": \"m\", \"driver\": \"modbus\", \"connection\": {\"rtu\": "
             "\"%s\", \"baud\": %d}, \"points\": [{\"name\": \"v\", \"function\": 4, "
             "\"address\": 0}]}]}",
             tty, baud);
    mdc_config *cfg;
    mdc_runtime *rt = build(json, &cfg);
    double rate = driver_rate(rt, seconds);
    double ch = 10.0 / baud;                            /* 8N1 character time */
    double t35 = baud > 19200 ? 1.75e-3 : 3.5 * ch;     /* silent interval */
    double bound = 1.0 / ((13 + 2 * 1) * ch + 2 * t35); /* N = 1 register */
    printf("modbus rtu %d 8N1, 1 register: mdc %.1f req/s; line-rate bound %.1f req/s; "
           "ratio %.2f (goal >= 0.9)\n",
           baud, rate, bound, rate / bound);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "tcp")) return bench_tcp(argv[2], atof(argv[3]));
    if (argc == 5 && !strcmp(argv[1], "rtu"))
        return bench_rtu(argv[2], atoi(argv[3]), atof(argv[4]));
    fprintf(stderr, "usage: bench_modbus tcp HOST:PORT SECONDS | rtu TTY BAUD SECONDS\n");
    return 2;
}
