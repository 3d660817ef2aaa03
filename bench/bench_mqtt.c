/* SPDX-License-Identifier: Apache-2.0 */
/* bench_mqtt — records/s the mqtt sink delivers (published and acknowledged by the broker),
 * in the runtime's batches, and the same payloads for the reference (mosquitto_pub -l).
 *
 *   bench_mqtt payloads FILE N             writes the N payloads the sink will publish, one a line
 *   bench_mqtt run HOST:PORT N QOS BATCH [TYPE]
 *                                          delivers N records through the "mqtt" sink (TYPE
 *                                          mqtt, default) or the "sparkplug" sink (births, then
 *                                          DDATA by exception; bdSeq in ./data); prints
 *                                          "records/s R"
 * MQTT_EXTRA (environment): more sink keys, e.g. ', "max_inflight": 1000'.
 */
#include "core/clock.h"
#include "core/config.h"
#include "core/record.h"
#include "format/format.h"
#include "sinks/sink_config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICES 10

/* A record like the demo meters': 7 values and the derived fields. */
static void make_record(mdc_record *r, long i)
{
    static const char *const names[] = {"voltage_l1", "voltage_l2", "voltage_l3", "current_l1",
                                        "power_kw",   "frequency",  "energy_kwh"};
    static const double base[] = {230.1, 231.2, 229.3, 8.7, 6.0, 50.0, 1234.5};
    char dev[32];
    mdc_record_init(r);
    r->seq = i + 1;
    r->ts_us = 1795327205000000LL + i * 1000;
    snprintf(dev, sizeof dev, "meter-%ld", i % DEVICES + 1);
    mdc_record_set_device(r, dev);
    r->has_machine_id = true;
    r->machine_id = i % DEVICES + 1;
    r->status = 2;
    for (size_t k = 0; k < 7; k++)
        mdc_record_add_double(r, names[k], base[k] + (double)(i % 97) * 0.001);
    mdc_record_add_double(r, "energy_delta_kwh", 0.0121);
    mdc_record_add_int(r, "shift", 1);
    mdc_record_add_double(r, "shift_energy_kwh", 12.5);
}

static int payloads(const char *path, long n)
{
    FILE *f = fopen(path, "w");
    if (!f) return 1;
    strbuf sb = STRBUF_INIT;
    for (long i = 0; i < n; i++) {
        mdc_record r;
        make_record(&r, i);
        sb_reset(&sb);
        mdc_format_record(MDC_FMT_JSON, MDC_STYLE_MDC, &r, &sb);
        fwrite(sb.buf, 1, sb.len, f);
        mdc_record_free(&r);
    }
    sb_free(&sb);
    return fclose(f) == 0 ? 0 : 1;
}

static mdc_sink *make_sink(const char *hostport, int qos, const char *type)
{
    char json[512];
    bool sp = !strcmp(type, "sparkplug");
    snprintf(json, sizeof json,
             "{\"type\": \"%s\", \"url\": \"mqtt://%s\", %s"
             "\"qos\": %d, \"timeout\": \"30s\"%s}",
             type, hostport,
             sp ? "\"group_id\": \"bench\", \"edge_node_id\": \"bench\", "
                : "\"topic\": \"bench/{device}\", \"availability_topic\": \"\", ",
             qos, getenv("MQTT_EXTRA") ? getenv("MQTT_EXTRA") : "");
    mdc_cfgdoc *doc;
    mdc_err err = {0};
    mdc_sink *s = NULL;
    if (mdc_cfgdoc_load_string("bench", json, strlen(json), &doc, &err) < 0) return NULL;
    mdc_cfgnode root = mdc_cfgdoc_root(doc);
    if (mdc_sink_from_config(&root, "data", &s, &err) < 0) fprintf(stderr, "%s\n", err.msg);
    mdc_cfgdoc_free(doc);
    return s;
}

static int run(const char *hostport, long n, int qos, long batch, const char *type)
{
    mdc_sink *s = make_sink(hostport, qos, type);
    mdc_err err = {0};
    if (!s || s->ops->open(s, &err) < 0) {
        fprintf(stderr, "bench_mqtt: %s\n", err.msg);
        return 1;
    }
    mdc_record *recs = calloc((size_t)batch, sizeof *recs);
    const mdc_record **ptrs = calloc((size_t)batch, sizeof *ptrs);
    int64_t t0 = mdc_mono_us();
    for (long done = 0; done < n;) {
        long k = n - done < batch ? n - done : batch;
        for (long i = 0; i < k; i++) {
            make_record(&recs[i], done + i);
            ptrs[i] = &recs[i];
        }
        int rc = mdc_sink_write(s, (const mdc_record *const *)ptrs, (size_t)k, NULL, &err);
        for (long i = 0; i < k; i++)
            mdc_record_free(&recs[i]);
        if (rc < 0) {
            fprintf(stderr, "bench_mqtt: %s\n", err.msg);
            return 1;
        }
        done += k;
    }
    double secs = (double)(mdc_mono_us() - t0) / 1e6;
    printf("records/s %.0f (%ld records in %.3f s, %s sink, QoS %d, batches of %ld)\n",
           (double)n / secs, n, secs, type, qos, batch);
    s->ops->close(s);
    mdc_sink_destroy(s);
    free(recs);
    free(ptrs);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "payloads")) return payloads(argv[2], atol(argv[3]));
    if ((argc == 6 || argc == 7) && !strcmp(argv[1], "run"))
        return run(argv[2], atol(argv[3]), atoi(argv[4]), atol(argv[5]),
                   argc == 7 ? argv[6] : "mqtt");
    fprintf(stderr,
            "usage: bench_mqtt payloads FILE N | run HOST:PORT N QOS BATCH [mqtt|sparkplug]\n");
    return 2;
}
