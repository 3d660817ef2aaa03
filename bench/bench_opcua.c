/* SPDX-License-Identifier: Apache-2.0 */
/* bench_opcua — the OPC UA client under load (driven by bench/opcua.sh):
 *   bench_opcua read URL NODES SECONDS        Reads of NODES nodes (ns=2;s=Bench.N), back to back
 *   bench_opcua subscribe URL ITEMS SECONDS   ITEMS monitored items (sampled each second);
 *                                             values received, CPU, RSS
 * Prints one line of figures. */
#include "core/clock.h"
#include "drivers/opcua/ua_client.h"
#include "drivers/opcua/ua_services.h"
#include "drivers/opcua/ua_sub.h"
#include "drivers/opcua/ua_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static ua_nodeid *bench_nodes(size_t n)
{
    ua_nodeid *ids = calloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++) {
        char text[64];
        mdc_err err;
        snprintf(text, sizeof text, "ns=2;s=Bench.%zu", i);
        ua_nodeid_parse(text, &ids[i], NULL, &err);
    }
    return ids;
}

static void free_nodes(ua_nodeid *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ua_nodeid_clear(&ids[i]);
    free(ids);
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) kb = atol(line + 6);
    if (f) fclose(f);
    return kb;
}

static int bench_read(ua_client *c, size_t n, double seconds)
{
    ua_nodeid *ids = bench_nodes(n);
    ua_datavalue *dv = calloc(n, sizeof *dv);
    mdc_err err = {0};
    long reads = 0;
    int64_t start = mdc_mono_us(), end = start + (int64_t)(seconds * 1e6);
    while (mdc_mono_us() < end) {
        if (ua_read(c, ids, n, UA_ATTR_VALUE, 0, dv, &err) < 0) {
            fprintf(stderr, "read: %s\n", err.msg);
            return 1;
        }
        for (size_t i = 0; i < n; i++)
            ua_datavalue_clear(&dv[i]);
        reads++;
    }
    double dt = (double)(mdc_mono_us() - start) / 1e6;
    printf("mdc reads/s %.0f (%zu nodes per Read, %ld Reads in %.1f s)\n", reads / dt, n, reads,
           dt);
    free(dv);
    free_nodes(ids, n);
    return 0;
}

static void count_value(void *arg, size_t index, const ua_datavalue *dv)
{
    (void)index;
    (void)dv;
    (*(long *)arg)++;
}

static int bench_subscribe(ua_client *c, size_t n, double seconds)
{
    ua_nodeid *ids = bench_nodes(n);
    ua_sub_item_cfg *items = calloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = (ua_sub_item_cfg){ids[i], 1000, 1, UA_DEADBAND_NONE, 0};
    ua_sub_params p = {.publish_ms = 1000,
                       .keepalive_count = 10,
                       .lifetime_count = 100,
                       .max_per_call = ua_read_limit(c, UA_NS0_MAX_MONITORED_PER_CALL)};
    long values = 0;
    ua_sub *s;
    mdc_err err = {0};
    if (ua_sub_create(c, &p, items, n, count_value, &values, &s, &err) < 0) {
        fprintf(stderr, "subscribe: %s\n", err.msg);
        return 1;
    }
    /* settle: the initial values of every item */
    if (ua_sub_run(s, mdc_mono_us() + 3000000, &err) < 0) fprintf(stderr, "%s\n", err.msg);
    long v0 = values;
    double cpu0 = cpu_seconds();
    int64_t start = mdc_mono_us();
    if (ua_sub_run(s, start + (int64_t)(seconds * 1e6), &err) < 0) {
        fprintf(stderr, "run: %s\n", err.msg);
        return 1;
    }
    double dt = (double)(mdc_mono_us() - start) / 1e6, cpu = cpu_seconds() - cpu0;
    printf("mdc subscribe: %zu items, %.0f values/s received, CPU %.2f%% of one core, RSS %ld kB\n",
           n, (double)(values - v0) / dt, 100.0 * cpu / dt, rss_kb());
    ua_sub_free(s);
    free(items);
    free_nodes(ids, n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_opcua read|subscribe URL COUNT SECONDS\n");
        return 2;
    }
    ua_client_cfg cfg = {.endpoint_url = argv[2],
                         .policy = ua_policy_get(UA_POLICY_NONE),
                         .mode = UA_MODE_NONE,
                         .timeout_us = 10000000};
    ua_client *c;
    mdc_err err = {0};
    if (ua_client_connect(&cfg, &c, &err) < 0) {
        fprintf(stderr, "connect: %s\n", err.msg);
        return 1;
    }
    size_t n = (size_t)atol(argv[3]);
    double seconds = atof(argv[4]);
    int rc = !strcmp(argv[1], "read") ? bench_read(c, n, seconds) : bench_subscribe(c, n, seconds);
    ua_client_free(c);
    return rc;
}
