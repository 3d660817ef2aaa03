/* SPDX-License-Identifier: Apache-2.0 */
/* bench_broute — one B-route collection cycle against `mdc-sim broute` (started by
 * bench/broute.sh), compared with the bound from the bytes on the wire plus the simulator's
 * configured delays, and the set-up (module reset to PANA session) time.
 *
 *   bench_broute PTY BAUD METER_DELAY_MS JOIN_DELAY_MS SCAN_SCALE [CYCLES]
 *
 * Bound of an exchange = (bytes sent + bytes received) x 10 bits / baud + the simulator's
 * delays (meter delay per ECHONET Lite request; scan time x scale per SKSCAN; join delay per
 * SKJOIN). The module's short answers (EVENT 21, OK) cross the line while the meter "thinks",
 * so the bound slightly overestimates what is possible and a ratio a little under 1 is normal.
 */
#include "core/clock.h"
#include "core/tz.h"
#include "drivers/broute/collect.h"
#include "drivers/broute/port.h"
#include "drivers/broute/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct snap {
    uint64_t bytes, transmissions, scans, joins;
    int64_t t;
} snap;

static snap take(const mdc_brt_session *s)
{
    const mdc_brt_stats *st = mdc_brt_session_stats(s);
    return (snap){st->tx_bytes + st->rx_bytes, st->transmissions, st->scans, st->joins,
                  mdc_mono_us()};
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: bench_broute PTY BAUD METER_DELAY_MS JOIN_DELAY_MS SCAN_SCALE "
                        "[CYCLES]\n");
        return 2;
    }
    int baud = atoi(argv[2]), cycles = argc > 6 ? atoi(argv[6]) : 20;
    int64_t meter_us = atoi(argv[3]) * 1000LL, join_us = atoi(argv[4]) * 1000LL;
    double scale = atof(argv[5]);
    mdc_brt_opts o;
    mdc_brt_opts_init(&o);
    o.port = argv[1];
    o.baud = baud;
    o.rbid = "00000000000000000000000000000000";
    o.password = "000000000000";
    o.timeout_us = 5 * MDC_US_PER_SEC + meter_us;
    mdc_brt_session *s;
    mdc_err err = {0};
    mdc_tz *tz;
    if (mdc_tz_load("Asia/Tokyo", &tz, &err) < 0 || mdc_brt_session_open(&o, &s, &err) < 0) {
        fprintf(stderr, "bench_broute: %s\n", err.msg);
        return 1;
    }
    snap a = take(s);
    if (mdc_brt_session_start(s, &err) < 0) {
        fprintf(stderr, "bench_broute: start: %s\n", err.msg);
        return 1;
    }
    snap b = take(s);
    double scan_s = 0;
    for (uint64_t i = 0; i < b.scans; i++)
        scan_s +=
            (double)(int64_t)(9600.0 * (double)((1u << (o.scan_first + i)) + 1) * 28 * scale) / 1e6;
    double wire = (double)mdc_brt_wire_us(baud, b.bytes - a.bytes) / 1e6;
    double bound = wire + scan_s + (double)(b.joins * (uint64_t)join_us) / 1e6;
    double wall = (double)(b.t - a.t) / 1e6;
    printf("broute benchmark: %d baud, meter delay %lld ms, join delay %lld ms, scan time x %g\n",
           baud, (long long)(meter_us / 1000), (long long)(join_us / 1000), scale);
    printf("set-up (SKRESET to EVENT 25): %.3f s; bound %.3f s (%llu bytes = %.1f ms on the wire, "
           "%llu scan(s) %.3f s, %llu join(s)); ratio %.3f\n",
           wall, bound, (unsigned long long)(b.bytes - a.bytes), wire * 1e3,
           (unsigned long long)b.scans, scan_s, (unsigned long long)b.joins, wall / bound);
    mdc_brt_meter m;
    mdc_brt_meter_init(&m);
    double *ratios = calloc((size_t)cycles, sizeof *ratios),
           *walls = calloc((size_t)cycles, sizeof *walls);
    for (int c = 0; c <= cycles; c++) {
        mdc_brt_reading r;
        a = take(s);
        if (mdc_brt_collect(s, &m, tz, mdc_now_us() / MDC_US_PER_SEC, &r, &err) < 0) {
            fprintf(stderr, "bench_broute: cycle %d: %s\n", c, err.msg);
            return 1;
        }
        b = take(s);
        wire = (double)mdc_brt_wire_us(baud, b.bytes - a.bytes) / 1e6;
        uint64_t req = b.transmissions - a.transmissions;
        bound = wire + (double)(req * (uint64_t)meter_us) / 1e6;
        wall = (double)(b.t - a.t) / 1e6;
        if (c == 0) {
            printf("first cycle (%llu requests: E1 D3 D7, E0 E7 E8 EA, E5, E2): %.4f s; bound %.4f "
                   "s (%llu bytes = %.1f ms on the wire + %llu x meter delay); ratio %.3f\n",
                   (unsigned long long)req, wall, bound, (unsigned long long)(b.bytes - a.bytes),
                   wire * 1e3, (unsigned long long)req, wall / bound);
            continue;
        }
        ratios[c - 1] = wall / bound;
        walls[c - 1] = wall;
        if (c == 1)
            printf("steady cycle (%llu request: E0 E7 E8 EA; 30-minute value kept): bound %.4f s "
                   "(%llu bytes = %.1f ms on the wire + meter delay)\n",
                   (unsigned long long)req, bound, (unsigned long long)(b.bytes - a.bytes),
                   wire * 1e3);
    }
    qsort(ratios, (size_t)cycles, sizeof *ratios, cmp);
    qsort(walls, (size_t)cycles, sizeof *walls, cmp);
    printf("steady cycle over %d runs: wall median %.4f s (min %.4f, max %.4f); ratio median %.3f "
           "(max %.3f)\n",
           cycles, walls[cycles / 2], walls[0], walls[cycles - 1], ratios[cycles / 2],
           ratios[cycles - 1]);
    free(ratios);
    free(walls);
    mdc_brt_session_close(s);
    mdc_tz_free(tz);
    return 0;
}
