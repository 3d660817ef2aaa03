/* SPDX-License-Identifier: Apache-2.0 */
/* bench_modbus_fleet — the reference for bench/modbus_fleet.sh: a bare libmodbus loop doing the
 * polls mdc does for a fleet (every second, RATE reads of 20 input registers decoded as 10
 * float32 values, spread over CONNECTIONS connections to consecutive ports), with nothing else:
 * no schedule, no records, no spool, no sink. Prints the CPU it takes, in % of one core.
 *   bench_modbus_fleet HOST FIRST_PORT CONNECTIONS RATE SECONDS
 * libmodbus waits with select(), so CONNECTIONS must stay below about 1000 (descriptors under
 * FD_SETSIZE); the rate, not the connection count, sets the cost per poll. */
#include "core/clock.h"

#include <errno.h>
#include <modbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static modbus_t **connect_all(const char *host, int first, int n)
{
    modbus_t **ctx = calloc((size_t)n, sizeof *ctx);
    for (int i = 0; i < n; i++) {
        ctx[i] = modbus_new_tcp(host, first + i);
        modbus_set_slave(ctx[i], 1);
        modbus_set_response_timeout(ctx[i], 1, 0);
        if (!ctx[i] || modbus_connect(ctx[i]) < 0) {
            fprintf(stderr, "connect %s:%d: %s\n", host, first + i, modbus_strerror(errno));
            exit(1);
        }
    }
    return ctx;
}

/* One poll: 20 registers, 10 float32 ABCD values. Returns their sum (keeps the decode). */
static double poll_one(modbus_t *ctx)
{
    uint16_t r[20];
    if (modbus_read_input_registers(ctx, 0, 20, r) != 20) {
        fprintf(stderr, "read: %s\n", modbus_strerror(errno));
        exit(1);
    }
    double sum = 0;
    for (int i = 0; i < 10; i++) {
        uint32_t u = (uint32_t)r[2 * i] << 16 | r[2 * i + 1];
        float f;
        memcpy(&f, &u, sizeof f);
        sum += f;
    }
    return sum;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_modbus_fleet HOST FIRST_PORT CONNECTIONS RATE SECONDS\n");
        return 2;
    }
    const char *host = argv[1];
    int first = atoi(argv[2]), n = atoi(argv[3]), rate = atoi(argv[4]), secs = atoi(argv[5]);
    if (n < 1 || n > 1000 || rate < 1 || secs < 1) {
        fprintf(stderr, "bench_modbus_fleet: 1..1000 connections, rate and seconds >= 1\n");
        return 2;
    }
    modbus_t **ctx = connect_all(host, first, n);
    double c0 = cpu_seconds(), sink = 0;
    int64_t start = mdc_mono_us(), late = 0;
    long polls = 0;
    for (int s = 0; s < secs; s++) {
        int64_t slot = start + (int64_t)s * 1000000;
        int64_t wait = slot - mdc_mono_us();
        if (wait > 0) mdc_sleep_us(wait);
        for (int k = 0; k < rate; k++, polls++)
            sink += poll_one(ctx[polls % n]);
        if (mdc_mono_us() > slot + 1000000) late++;
    }
    int64_t end = start + (int64_t)secs * 1000000 - mdc_mono_us();
    if (end > 0) mdc_sleep_us(end);
    double cpu = cpu_seconds() - c0, wall = (double)(mdc_mono_us() - start) / 1e6;
    printf("bare libmodbus: %d polls/s (20 registers, 10 float32 each) over %d connections for "
           "%.1f s: CPU %.1f%% of one core, %.1f us per poll%s\n",
           rate, n, wall, 100.0 * cpu / wall, 1e6 * cpu / (double)polls,
           late ? " (could not keep the rate)" : "");
    for (int i = 0; i < n; i++) {
        modbus_close(ctx[i]);
        modbus_free(ctx[i]);
    }
    free(ctx);
    return sink < 0; /* never: the values are positive */
}
