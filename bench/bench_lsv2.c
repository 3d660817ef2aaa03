/* SPDX-License-Identifier: Apache-2.0 */
/* bench_lsv2 — LSV2 poll throughput against `mdc-sim lsv2` on loopback, as ratios against a
 * reference measured in the same run. Usage: bench_lsv2 HOST:PORT SECONDS
 *   bare     a hand-written loop sending the seed's five pre-encoded telegrams per poll (R_RI 23,
 *            R_MB, R_RI 26, R_RI 23, R_RI 24, as BELmc's collector does) and reading each reply
 *            with plain blocking reads: the floor for this simulator and this machine.
 *   session  the same five telegrams through mdc's LSV2 session (deadlines, decoding, parsing).
 *   driver   mdc's lsv2 driver poll as configured in production (R_RI 23, 26, 24 and the part
 *            marker: four telegrams), building a record.
 * For each: polls/s, telegrams/s and the client's CPU time per poll (this process only; the
 * simulator runs in its own process).
 */
#include "core/clock.h"
#include "core/config.h"
#include "drivers/lsv2/session.h"
#include "runtime/runtime.h"
#include "runtime/runtime_internal.h" /* the device's driver and parsed configuration */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct result {
    double polls_per_s, cpu_us_per_poll;
} result;

static int64_t cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
           (int64_t)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

static void die(const char *what, const char *msg) __attribute__((noreturn));
static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_lsv2: %s: %s\n", what, msg);
    exit(1);
}

/* ---- bare: pre-encoded telegrams over a blocking socket ---- */

static void put(uint8_t **p, const char *code, const uint8_t *payload, size_t n)
{
    uint8_t *b = *p;
    b[0] = 0, b[1] = 0, b[2] = (uint8_t)(n >> 8), b[3] = (uint8_t)n;
    memcpy(b + 4, code, 4);
    memcpy(b + 8, payload, n);
    *p += 8 + n;
}

static void read_exact(int fd, uint8_t *b, size_t n)
{
    for (size_t got = 0; got < n;) {
        ssize_t r = read(fd, b + got, n - got);
        if (r <= 0) die("bare", "read failed");
        got += (size_t)r;
    }
}

static void reply(int fd)
{
    uint8_t b[4096];
    read_exact(fd, b, 8);
    size_t len = (size_t)b[2] << 8 | b[3];
    if (len > sizeof b || memcmp(b + 4, "T_ER", 4) == 0) die("bare", "bad reply");
    if (len) read_exact(fd, b, len);
}

static int bare_connect(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bare", "connect failed");
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static result bare(const char *host, int port, double seconds, uint32_t marker_addr)
{
    int fd = bare_connect(host, port);
    uint8_t login[64], *p = login;
    put(&p, "A_LG", (const uint8_t *)"INSPECT", 8);
    put(&p, "A_LG", (const uint8_t *)"DNC", 4);
    put(&p, "A_LG", (const uint8_t *)"PLCDEBUG", 9);
    for (uint8_t *q = login; q < p;) { /* one at a time: the control answers each */
        size_t n = 8 + ((size_t)q[2] << 8 | q[3]);
        if (write(fd, q, n) != (ssize_t)n) die("bare", "write failed");
        reply(fd);
        q += n;
    }
    const uint8_t ri23[] = {0, 23}, ri26[] = {0, 26}, ri24[] = {0, 24};
    const uint8_t mb[] = {(uint8_t)(marker_addr >> 24), (uint8_t)(marker_addr >> 16),
                          (uint8_t)(marker_addr >> 8), (uint8_t)marker_addr, 1};
    uint8_t tel[5][16];
    size_t len[5];
    const struct {
        const char *code;
        const uint8_t *p;
        size_t n;
    } seq[5] = {{"R_RI", ri23, 2},
                {"R_MB", mb, 5},
                {"R_RI", ri26, 2},
                {"R_RI", ri23, 2},
                {"R_RI", ri24, 2}};
    for (int i = 0; i < 5; i++) {
        uint8_t *q = tel[i];
        put(&q, seq[i].code, seq[i].p, seq[i].n);
        len[i] = (size_t)(q - tel[i]);
    }
    long n = 0;
    int64_t c0 = cpu_us(), t0 = mdc_mono_us(), end = t0 + (int64_t)(seconds * 1e6);
    while (mdc_mono_us() < end) {
        for (int i = 0; i < 5; i++) {
            if (write(fd, tel[i], len[i]) != (ssize_t)len[i]) die("bare", "write failed");
            reply(fd);
        }
        n++;
    }
    result r = {n / ((mdc_mono_us() - t0) / 1e6), (double)(cpu_us() - c0) / (double)n};
    close(fd);
    return r;
}

/* ---- session: the seed's five telegrams through mdc's client ---- */

static result session(const char *host, int port, double seconds)
{
    lsv2_session_cfg c = {.host = host,
                          .port = port,
                          .connect_timeout_us = 1000000,
                          .timeout_us = 3000000,
                          .max_buffer = 4096};
    lsv2_session *s;
    mdc_err err;
    if (lsv2_open(&c, &s, &err) < 0) die("session", err.msg);
    long n = 0;
    int64_t c0 = cpu_us(), t0 = mdc_mono_us(), end = t0 + (int64_t)(seconds * 1e6);
    while (mdc_mono_us() < end) {
        int a, b, e;
        int64_t m;
        lsv2_stack st;
        if (lsv2_read_exec_state(s, &a, &err) < 0 ||
            lsv2_read_plc(s, LSV2_MEM_MARKER, 4170, 1, &m, &err) < 0 ||
            lsv2_read_pgm_state(s, &b, &err) < 0 || lsv2_read_exec_state(s, &e, &err) < 0 ||
            lsv2_read_stack(s, &st, &err) < 0)
            die("session", err.msg);
        n++;
    }
    result r = {n / ((mdc_mono_us() - t0) / 1e6), (double)(cpu_us() - c0) / (double)n};
    lsv2_close(s);
    return r;
}

/* ---- driver: a production poll building a record ---- */

static result driver(const char *host, int port, double seconds)
{
    char json[512];
    snprintf(json, sizeof json,
             "{\"devices\": [{\"id\": \"m\", \"driver\": \"lsv2\", \"host\": \"%s\", \"port\": %d, "
             "\"parts\": {\"signal\": {\"memory\": \"marker\", \"address\": 4170}}}]}",
             host, port);
    mdc_config *cfg = NULL;
    mdc_runtime *rt = NULL;
    mdc_err err;
    if (mdc_config_load_string("bench", json, strlen(json), NULL, &cfg, &err) < 0 ||
        mdc_runtime_build(cfg, &rt, &err) < 0)
        die("driver", err.msg);
    mdc_rt_device *d = mdc_runtime_device(rt, 0);
    void *bus;
    if (d->driver->bus_open(d->dcfg, &bus, &err) < 0) die("driver", err.msg);
    long n = 0;
    int64_t c0 = cpu_us(), t0 = mdc_mono_us(), end = t0 + (int64_t)(seconds * 1e6);
    while (mdc_mono_us() < end) {
        mdc_record rec;
        mdc_record_init(&rec);
        if (d->driver->poll(bus, d->dcfg, &rec, &err) < 0 || mdc_record_error_count(&rec))
            die("driver", "poll failed");
        mdc_record_free(&rec);
        n++;
    }
    result r = {n / ((mdc_mono_us() - t0) / 1e6), (double)(cpu_us() - c0) / (double)n};
    d->driver->bus_close(bus);
    mdc_runtime_free(rt);
    mdc_config_free(cfg);
    return r;
}

static void show(const char *what, int telegrams, result r, result ref)
{
    printf("lsv2 %-8s %8.0f polls/s (%d telegrams: %8.0f telegrams/s), client CPU %6.1f us/poll "
           "(%5.1f us/telegram); rate %.2fx bare\n",
           what, r.polls_per_s, telegrams, r.polls_per_s * telegrams, r.cpu_us_per_poll,
           r.cpu_us_per_poll / telegrams, r.polls_per_s / ref.polls_per_s);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_lsv2 HOST:PORT SECONDS   (against mdc-sim lsv2)\n");
        return 2;
    }
    char host[64];
    const char *colon = strrchr(argv[1], ':');
    if (!colon || (size_t)(colon - argv[1]) >= sizeof host) die("address", argv[1]);
    snprintf(host, sizeof host, "%.*s", (int)(colon - argv[1]), argv[1]);
    int port = atoi(colon + 1);
    double secs = atof(argv[2]) / 3;
    /* the marker's address comes from S_PR, as mdc computes it */
    lsv2_session_cfg c = {
        .host = host, .port = port, .connect_timeout_us = 1000000, .timeout_us = 1000000};
    lsv2_session *s;
    mdc_err err;
    if (lsv2_open(&c, &s, &err) < 0) die("open", err.msg);
    uint32_t marker;
    if (lsv2_plc_address(lsv2_params_info(s), LSV2_MEM_MARKER, 4170, &marker, &err) < 0)
        die("address", err.msg);
    lsv2_close(s);
    result ref = bare(host, port, secs, marker);
    show("bare", 5, ref, ref);
    show("session", 5, session(host, port, secs), ref);
    show("driver", 4, driver(host, port, secs), ref);
    return 0;
}
