/* SPDX-License-Identifier: Apache-2.0 */
/* The module dialogue of a B-route session against a scripted module on a socket pair: the
 * exact bytes of every command (computed SKSETPWD length, SKSENDTO with and without SIDE, the
 * scan escalation), the choice of PAN by LQI, a rejected join, and replies that must be
 * discarded (another TID, another sender, a multicast INF). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/broute/hex.h"
#include "drivers/broute/session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define METER "FE80:0000:0000:0000:021C:6400:030C:12A4"
#define OTHER "FE80:0000:0000:0000:021C:6400:030C:9999"
#define OWN   "FE80:0000:0000:0000:021D:1290:1234:5678"
#define RBID  "0123456789ABCDEF0123456789ABCDEF"
#define HDR   "ERXUDP " METER " " OWN " 0E1A 0E1A 001C6400030C12A4 1 "

typedef struct step {
    const char *expect; /* the command the module must receive (SKSENDTO: its header) */
    const char *answer; /* written after it; "%TID" is replaced by the request's TID */
    size_t len;         /* of answer when it holds NUL bytes (then written as it is) */
} step;

#define S(...)           ((step){S_(__VA_ARGS__, 0)})
#define S_(e, a, l, ...) .expect = (e), .answer = (a), .len = (l)

typedef struct fake {
    int fd;
    const step *steps;
    int nsteps, done;
    char log[8192]; /* everything received, SKSENDTO data as hex in brackets */
    size_t loglen;
    char failure[1200];
} fake;

static void logf_(fake *f, const char *s, size_t n)
{
    if (f->loglen + n < sizeof f->log) {
        memcpy(f->log + f->loglen, s, n);
        f->loglen += n;
        f->log[f->loglen] = '\0';
    }
}

static int read_byte(int fd, char *c)
{
    return read(fd, c, 1) == 1 ? 0 : -1;
}

/* One command: a CRLF line, or a SKSENDTO header and its data (whose TID goes to *tid). */
static int read_command(fake *f, char *cmd, size_t cap, unsigned *tid)
{
    size_t n = 0;
    char c;
    for (;;) {
        if (read_byte(f->fd, &c) < 0) return -1;
        if (n == 0 && (c == '\r' || c == '\n')) continue;
        if (c == '\r') continue;
        if (c == '\n') break;
        if (n + 1 < cap) cmd[n++] = c;
        cmd[n] = '\0';
        int spaces = 0;
        for (size_t i = 0; i < n; i++)
            spaces += cmd[i] == ' ';
        bool side = strstr(cmd, " 1 0 ") != NULL;
        if (strncmp(cmd, "SKSENDTO ", 9) == 0 && c == ' ' && spaces == (side ? 7 : 6)) {
            unsigned len = (unsigned)strtoul(cmd + n - 5, NULL, 16);
            uint8_t data[256];
            char hex[520];
            for (unsigned i = 0; i < len; i++)
                if (read_byte(f->fd, (char *)&data[i]) < 0) return -1;
            *tid = (unsigned)(data[2] << 8 | data[3]);
            mdc_brt_hex_encode(data, len, hex);
            logf_(f, cmd, n);
            logf_(f, "[", 1);
            logf_(f, hex, strlen(hex));
            logf_(f, "]\n", 2);
            cmd[n - 1] = '\0';
            return 0;
        }
    }
    cmd[n] = '\0';
    logf_(f, cmd, n);
    logf_(f, "\n", 1);
    return 0;
}

static void *fake_module(void *arg)
{
    fake *f = arg;
    for (; f->done < f->nsteps; f->done++) {
        const step *st = &f->steps[f->done];
        char cmd[512], out[4096];
        unsigned tid = 0;
        if (read_command(f, cmd, sizeof cmd, &tid) < 0) break;
        if (strcmp(cmd, st->expect) != 0) {
            snprintf(f->failure, sizeof f->failure, "step %d: got \"%s\", expected \"%s\"", f->done,
                     cmd, st->expect);
            break;
        }
        if (st->len) {
            if (write(f->fd, st->answer, st->len) != (ssize_t)st->len) break;
            continue;
        }
        /* %TID → the request's TID, %OLD → the one before */
        size_t o = 0;
        for (const char *p = st->answer; *p && o + 8 < sizeof out;) {
            if (strncmp(p, "%TID", 4) == 0 || strncmp(p, "%OLD", 4) == 0) {
                o += (size_t)snprintf(out + o, sizeof out - o, "%04X", p[1] == 'T' ? tid : tid - 1);
                p += 4;
            } else {
                out[o++] = *p++;
            }
        }
        if (write(f->fd, out, o) != (ssize_t)o) break;
    }
    return NULL;
}

typedef struct harness {
    int sv[2];
    fake f;
    pthread_t th;
    mdc_brt_session *s;
} harness;

static void start(harness *h, const step *steps, int n, const mdc_brt_opts *o)
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, h->sv), 0);
    memset(&h->f, 0, sizeof h->f);
    h->f.fd = h->sv[1];
    h->f.steps = steps;
    h->f.nsteps = n;
    pthread_create(&h->th, NULL, fake_module, &h->f);
    h->s = mdc_brt_session_from_fd(h->sv[0], o);
}

static void finish(harness *h)
{
    mdc_brt_session_close(h->s); /* closes sv[0]: the module thread sees the end */
    pthread_join(h->th, NULL);
    close(h->sv[1]);
    if (h->f.failure[0]) fail_msg("%s", h->f.failure);
    assert_int_equal(h->f.done, h->f.nsteps);
}

static void options(mdc_brt_opts *o)
{
    mdc_brt_opts_init(o);
    o->rbid = RBID;
    o->password = "0123456789AB";
    o->cmd_timeout_us = 2000000;
    o->timeout_us = 500000;
}

static const step init_steps[] = {
#define I(e, a)                                                                                    \
    {                                                                                              \
        .expect = (e), .answer = (a)                                                               \
    }
    I("SKRESET", "SKRESET\r\nOK\r\n"),
    I("SKSREG SFE 0", "SKSREG SFE 0\r\nOK\r\n"), /* the echo of the command that turns it off */
    I("SKVER", "EVER 1.2.10\r\nOK\r\n"),
    I("SKINFO", "EINFO " OWN " 001D129012345678 21 8888 FFFE\r\nOK\r\n"),
    I("SKSETRBID " RBID, "OK\r\n"),
    I("SKSETPWD C 0123456789AB", "OK\r\n"),
};

static void test_configured_pan(void **state)
{
    (void)state;
    step steps[32];
    int n = 0;
    for (size_t i = 0; i < sizeof init_steps / sizeof init_steps[0]; i++)
        steps[n++] = init_steps[i];
    steps[n++] = S("SKSREG S2 21", "OK\r\n");
    steps[n++] = S("SKSREG S3 8888", "OK\r\n");
    steps[n++] =
        S("SKJOIN " METER, "OK\r\nEVENT 21 " METER " 00\r\n"
                           "ERXUDP " METER " " OWN " 02CC 02CC 001C6400030C12A4 0 0002 0000\r\n"
                           "EVENT 25 " METER "\r\n"
                           "ERXUDP " METER " FF02:0000:0000:0000:0000:0000:0000:0001 0E1A 0E1A "
                           "001C6400030C12A4 0 0012 108103610EF0010EF0017301D50401028801\r\n");
    /* a stale reply (the previous TID), one from another sender, then the answer */
    steps[n++] =
        S("SKSENDTO 1 " METER " 0E1A 1 000E",
          "EVENT 21 " METER " 00\r\nOK\r\n" HDR "0012 1081%OLD02880105FF017201E704000004A8\r\n"
          "ERXUDP " OTHER " " OWN " 0E1A 0E1A 001C6400030C9999 1 0012 1081%TID02880105FF"
          "017201E704000004A8\r\n" HDR "0012 1081%TID02880105FF017201E704000004B0\r\n");
    mdc_brt_opts o;
    options(&o);
    o.module = MDC_BRT_MODULE_AUTO;
    o.channel = 33;
    o.panid = 0x8888;
    o.ipv6 = "fe80:0:0:0:21c:6400:30c:12a4";
    harness h;
    start(&h, steps, n, &o);
    mdc_err err = {0};
    if (mdc_brt_session_start(h.s, &err) < 0) fail_msg("start: %s", err.msg);
    mdc_brt_info info;
    mdc_brt_session_info(h.s, &info);
    assert_int_equal(info.module, MDC_BRT_MODULE_BP35A1); /* EINFO without SIDE */
    assert_string_equal(info.version, "1.2.10");
    assert_string_equal(info.ipv6, METER);
    assert_true(mdc_brt_session_joined(h.s));
    mdc_el_frame req, res;
    uint8_t buf[MDC_EL_FRAME_MAX];
    memset(&req, 0, sizeof req);
    req.seoj = MDC_EL_EOJ_CONTROLLER;
    req.deoj = MDC_EL_EOJ_SMART_METER;
    req.esv = MDC_EL_GET;
    req.opc = 1;
    req.props[0].epc = 0xE7;
    if (mdc_brt_request(h.s, &req, &res, buf, &err) < 0) fail_msg("request: %s", err.msg);
    assert_int_equal(req.tid, 1);
    assert_memory_equal(res.props[0].edt, "\x00\x00\x04\xB0", 4);
    const mdc_brt_stats *st = mdc_brt_session_stats(h.s);
    assert_int_equal(st->stale_replies, 1);
    assert_int_equal(st->ignored_udp, 1); /* another sender */
    assert_int_equal(st->scans, 0);
    finish(&h);
    assert_string_equal(h.f.log,
                        "SKRESET\nSKSREG SFE 0\nSKVER\nSKINFO\nSKSETRBID " RBID "\n"
                        "SKSETPWD C 0123456789AB\nSKSREG S2 21\nSKSREG S3 8888\n"
                        "SKJOIN " METER "\n"
                        "SKSENDTO 1 " METER " 0E1A 1 000E [1081000105FF010288016201E700]\n");
}

static const char epandesc_a[] = "EVENT 20 " OTHER " 0\r\nEPANDESC\r\n  Channel:21\r\n"
                                 "  Channel Page:09\r\n  Pan ID:1234\r\n  Addr:001C6400030C9999\r\n"
                                 "  LQI:40\r\n  Side:0\r\n  PairID:030C9999\r\n";
static const char epandesc_b[] = "EVENT 20 " METER " 0\r\nEPANDESC\r\n  Channel:3B\r\n"
                                 "  Channel Page:09\r\n  Pan ID:8888\r\n  Addr:001C6400030C12A4\r\n"
                                 "  LQI:A0\r\n  Side:0\r\n  PairID:030C12A4\r\n";

static void test_scan_and_join(void **state)
{
    (void)state;
    char scan2[1024];
    snprintf(scan2, sizeof scan2, "OK\r\n%s%sEVENT 22 " OWN " 0\r\n", epandesc_a, epandesc_b);
    step steps[32];
    int n = 0;
    for (size_t i = 0; i < sizeof init_steps / sizeof init_steps[0]; i++)
        steps[n++] = init_steps[i];
    steps[3].answer = "EINFO " OWN " 001D129012345678 21 8888 FFFE 0\r\nOK\r\n"; /* SIDE */
    steps[n++] = S("SKSCAN 2 FFFFFFFF 4 0", "OK\r\nEVENT 22 " OWN " 0\r\n");
    steps[n++] = S("SKSCAN 2 FFFFFFFF 5 0", scan2);
    steps[n++] = S("SKLL64 001C6400030C12A4", METER "\r\n"); /* the better LQI */
    steps[n++] = S("SKSREG S2 3B", "OK\r\n");
    steps[n++] = S("SKSREG S3 8888", "OK\r\n");
    steps[n++] = S("SKJOIN " METER, "OK\r\nEVENT 24 " METER " 0\r\n");
    steps[n++] = S("SKJOIN " METER, "OK\r\nEVENT 25 " METER " 0\r\n");
    steps[n++] = S("SKSENDTO 1 " METER " 0E1A 1 0 000E",
                   "FAIL ER04\r\n"); /* refused: sent again with a new TID */
    /* binary ERXUDP (BP35C0): R current 0x0D0A puts CR LF inside the data */
    static const char binary[] = "EVENT 21 " METER " 0 00\r\nOK\r\nERXUDP " METER " " OWN
                                 " 0E1A 0E1A 001C6400030C12A4 98 1 0 0012 \x10\x81\x00\x02\x02"
                                 "\x88\x01\x05\xFF\x01\x72\x01\xE8\x04\x0D\x0A\x00\x22\r\n";
    steps[n++] = S("SKSENDTO 1 " METER " 0E1A 1 0 000E", binary, sizeof binary - 1);
    for (int i = 0; i < 3; i++)
        steps[n++] = S("SKSENDTO 1 " METER " 0E1A 1 0 000E", "EVENT 21 " METER " 0 00\r\nOK\r\n");
    mdc_brt_opts o;
    options(&o);
    harness h;
    start(&h, steps, n, &o);
    mdc_err err = {0};
    if (mdc_brt_session_start(h.s, &err) < 0) fail_msg("start: %s", err.msg);
    mdc_brt_info info;
    mdc_brt_session_info(h.s, &info);
    assert_int_equal(info.module, MDC_BRT_MODULE_BP35C0);
    assert_int_equal(info.channel, 0x3B);
    assert_string_equal(info.mac, "001C6400030C12A4");
    const mdc_brt_stats *st = mdc_brt_session_stats(h.s);
    assert_int_equal(st->scans, 2);
    assert_int_equal(st->joins, 2);
    assert_int_equal(mdc_brt_session_join_count(h.s), 1);
    mdc_el_frame req, res;
    uint8_t buf[MDC_EL_FRAME_MAX];
    memset(&req, 0, sizeof req);
    req.seoj = MDC_EL_EOJ_CONTROLLER;
    req.deoj = MDC_EL_EOJ_SMART_METER;
    req.esv = MDC_EL_GET;
    req.opc = 1;
    req.props[0].epc = 0xE8;
    if (mdc_brt_request(h.s, &req, &res, buf, &err) < 0) fail_msg("request: %s", err.msg);
    assert_int_equal(req.tid, 2);
    assert_memory_equal(res.props[0].edt, "\x0D\x0A\x00\x22", 4);
    assert_int_equal(st->transmissions, 2);
    /* no reply at all: three transmissions, then the error */
    assert_int_equal(mdc_brt_request(h.s, &req, &res, buf, &err), -1);
    assert_string_equal(err.msg, "Get E8: no valid reply after 3 transmissions; last: no reply "
                                 "from the meter within 0.5 s");
    finish(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configured_pan),
        cmocka_unit_test(test_scan_and_join),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
