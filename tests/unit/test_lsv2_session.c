/* SPDX-License-Identifier: Apache-2.0 */
/* LSV2 client session against a scripted fake control on loopback: the exact bytes of the
 * opening sequence, lazy logins, polls, A_LO; buffer negotiation; M_CC and replies arriving a
 * byte at a time; refused logins; timeouts, early close, malformed and unexpected replies;
 * the NC error list; PLC reads split to the buffer size; connect failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/clock.h"
#include "drivers/lsv2/session.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- telegrams ---- */

typedef struct tgm {
    uint8_t b[1200];
    size_t n;
} tgm;

static void tg_add(tgm *t, const char *code, const void *payload, size_t len)
{
    uint8_t *p = t->b + t->n;
    p[0] = (uint8_t)(len >> 24), p[1] = (uint8_t)(len >> 16), p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    memcpy(p + 4, code, 4);
    if (len) memcpy(p + 8, payload, len);
    t->n += 8 + len;
}

static tgm tg(const char *code, const void *payload, size_t len)
{
    tgm t = {.n = 0};
    tg_add(&t, code, payload, len);
    return t;
}

#define TGS(code, lit) tg(code, lit, sizeof(lit) - 1)

static tgm ter(int code)
{
    uint8_t p[2] = {1, (uint8_t)code};
    return tg("T_ER", p, 2);
}

static tgm t_ok(void)
{
    return tg("T_OK", NULL, 0);
}

static tgm params(size_t len, uint16_t max_block)
{
    uint8_t p[124] = {0};
    const uint32_t head[] = {0x1000, 10000,  0x4000, 512,    0x4200, 512,    0x4400,
                             48,     0x4500, 48,     0x5000, 16384,  0xd000, 100};
    for (int i = 0; i < 14; i++)
        p[4 * i] = (uint8_t)(head[i] >> 24), p[4 * i + 1] = (uint8_t)(head[i] >> 16),
              p[4 * i + 2] = (uint8_t)(head[i] >> 8), p[4 * i + 3] = (uint8_t)head[i];
    p[56] = 128;
    p[98] = (uint8_t)(max_block >> 8), p[99] = (uint8_t)max_block;
    return tg("S_PR", p, len);
}

static tgm state_reply(int v)
{
    uint8_t p[2] = {0, (uint8_t)v};
    return tg("S_RI", p, 2);
}

static tgm ri(int sel)
{
    uint8_t p[2] = {0, (uint8_t)sel};
    return tg("R_RI", p, 2);
}

static tgm mb(uint32_t a, uint8_t n)
{
    uint8_t p[5] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a, n};
    return tg("R_MB", p, 5);
}

/* ---- the fake control ---- */

enum { ACT_REPLY, ACT_TRICKLE, ACT_REPLY_CLOSE, ACT_SILENT };

typedef struct step {
    tgm req, rep;
    int act;
} step;

typedef struct fake {
    int lfd, port;
    pthread_t th;
    step steps[32];
    size_t n, done;
    char mismatch[2048];
    uint8_t tail[256];
    size_t ntail;
} fake;

static fake *F; /* the fake of the running test, stopped by the teardown */

static void hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%02x", p[i]);
}

static ssize_t read_full(int fd, uint8_t *b, size_t n, int ms)
{
    size_t got = 0;
    while (got < n) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, ms) <= 0) break;
        ssize_t r = read(fd, b + got, n - got);
        if (r <= 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void send_step(int fd, const step *s)
{
    if (s->act == ACT_TRICKLE) {
        for (size_t i = 0; i < s->rep.n; i++) {
            if (write(fd, s->rep.b + i, 1) != 1) return;
            usleep(300);
        }
        return;
    }
    if (s->rep.n && write(fd, s->rep.b, s->rep.n) != (ssize_t)s->rep.n) return;
}

static void *fake_main(void *arg)
{
    fake *f = arg;
    struct pollfd p = {.fd = f->lfd, .events = POLLIN};
    if (poll(&p, 1, 5000) <= 0) return NULL;
    int fd = accept(f->lfd, NULL, NULL);
    if (fd < 0) return NULL;
    for (; f->done < f->n; f->done++) {
        const step *s = &f->steps[f->done];
        uint8_t got[1200];
        ssize_t r = read_full(fd, got, s->req.n, 5000);
        if (r != (ssize_t)s->req.n || memcmp(got, s->req.b, s->req.n) != 0) {
            char a[600], b[600];
            hex(s->req.b, s->req.n, a, sizeof a);
            hex(got, r > 0 ? (size_t)r : 0, b, sizeof b);
            snprintf(f->mismatch, sizeof f->mismatch, "step %zu: expected %s, got %s", f->done, a,
                     b);
            break;
        }
        if (s->act == ACT_SILENT) continue;
        send_step(fd, s);
        if (s->act == ACT_REPLY_CLOSE) {
            f->done++;
            close(fd);
            return NULL;
        }
    }
    ssize_t r = read_full(fd, f->tail, sizeof f->tail, 2000); /* until the client closes */
    f->ntail = r > 0 ? (size_t)r : 0;
    close(fd);
    return NULL;
}

static int listener(int *port, int backlog)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, backlog), 0);
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

static fake *fake_new(void)
{
    fake *f = calloc(1, sizeof *f);
    f->lfd = listener(&f->port, 4);
    F = f;
    return f;
}

static void add(fake *f, tgm req, tgm rep, int act)
{
    f->steps[f->n++] = (step){.req = req, .rep = rep, .act = act};
}

static void start(fake *f)
{
    assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

/* Joins the fake and checks it saw exactly its script, then `tail`. */
static void finish(fake *f, const void *tail, size_t ntail)
{
    pthread_join(f->th, NULL);
    f->th = 0;
    if (f->mismatch[0]) fail_msg("%s", f->mismatch);
    assert_int_equal(f->done, f->n);
    if (f->ntail != ntail || (ntail && memcmp(f->tail, tail, ntail) != 0)) {
        char a[600];
        hex(f->tail, f->ntail, a, sizeof a);
        fail_msg("after the script the client sent %s", a);
    }
}

static int teardown(void **state)
{
    (void)state;
    if (!F) return 0;
    if (F->th) {
        shutdown(F->lfd, SHUT_RDWR);
        pthread_join(F->th, NULL);
    }
    close(F->lfd);
    free(F);
    F = NULL;
    return 0;
}

static lsv2_session_cfg cfg(const fake *f)
{
    return (lsv2_session_cfg){.host = "127.0.0.1",
                              .port = f->port,
                              .connect_timeout_us = 1000000,
                              .timeout_us = 300000,
                              .max_buffer = 4096};
}

#define VERSION_ITNC                                                                               \
    "iTNC530\0"                                                                                    \
    "340490 06 SP3\0"                                                                              \
    "800A_AA.PLC\0"                                                                                \
    "%0000111100000000\0"

static void opening(fake *f, size_t plen, uint16_t max_block, bool ccc)
{
    add(f, TGS("A_LG", "INSPECT\0"), t_ok(), ACT_REPLY);
    add(f, tg("R_VR", NULL, 0), TGS("S_VR", VERSION_ITNC), ACT_REPLY);
    add(f, tg("R_PR", NULL, 0), params(plen, max_block), ACT_REPLY);
    if (ccc) add(f, TGS("C_CC", "\x00\x07"), t_ok(), ACT_REPLY);
}

static void test_open_poll_close(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_REPLY);
    add(f, ri(23), state_reply(4), ACT_REPLY);
    add(f, ri(26), state_reply(0), ACT_REPLY);
    add(f, ri(24),
        TGS("S_RI", "\x00\x00\x01\x2c"
                    "TNC:\\nc_prog\\PART.H\0"
                    "TNC:\\nc_prog\\SUB.H\0"),
        ACT_REPLY);
    add(f, ri(25), TGS("S_RI", "\x00\x00\x27\x10\x00\x00\x27\x10\x00\x00\x13\x88"), ACT_REPLY);
    add(f,
        TGS("A_LG", "PLCDEBUG\0"
                    "807667\0"),
        t_ok(), ACT_REPLY);
    add(f, mb(0x1000 + 4170, 1), TGS("S_MB", "\x01"), ACT_REPLY);
    add(f, mb(0x5000 + 10368, 4), TGS("S_MB", "\xff\x00\x00\x00"), ACT_REPLY);
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    c.plc_password = "807667";
    lsv2_session *s;
    mdc_err err = {0};
    if (lsv2_open(&c, &s, &err) < 0) fail_msg("%s", err.msg);
    assert_int_equal(lsv2_buffer_size(s), 4096);
    assert_string_equal(lsv2_version_info(s)->control, "iTNC530");
    assert_int_equal(lsv2_params_info(s)->len, 124);
    assert_int_equal(lsv2_params_info(s)->words_start, 0x5000);
    int v;
    assert_int_equal(lsv2_read_exec_state(s, &v, &err), 0);
    assert_int_equal(v, LSV2_EXEC_AUTOMATIC);
    assert_int_equal(lsv2_read_pgm_state(s, &v, &err), 0);
    assert_int_equal(v, LSV2_PGM_STARTED);
    lsv2_stack st;
    assert_int_equal(lsv2_read_stack(s, &st, &err), 0);
    assert_int_equal(st.line, 300);
    assert_string_equal(st.main, "TNC:\\nc_prog\\PART.H");
    assert_string_equal(st.current, "TNC:\\nc_prog\\SUB.H");
    lsv2_overrides o;
    assert_int_equal(lsv2_read_overrides(s, &o, &err), 0);
    assert_int_equal(o.feed, 10000);
    assert_int_equal(o.rapid, 5000);
    int64_t val;
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_MARKER, 4170, 1, &val, &err), 0);
    assert_int_equal(val, 1);
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_DWORD, 10368, 1, &val, &err), 0);
    assert_int_equal(val, 255);
    assert_int_equal(lsv2_telegrams(s), 12);
    assert_int_equal(lsv2_health_of(s), LSV2_OK);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_old_control(void **state)
{
    (void)state;
    fake *f = fake_new();
    add(f, TGS("A_LG", "INSPECT\0"), t_ok(), ACT_REPLY);
    add(f, tg("R_VR", NULL, 0),
        TGS("S_VR", "TNC 426/430M\0"
                    "280476 24\0"
                    "GR495.07SA\0"),
        ACT_REPLY);
    add(f, tg("R_PR", NULL, 0), params(120, 256), ACT_REPLY); /* no C_CC */
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s;
    mdc_err err = {0};
    if (lsv2_open(&c, &s, &err) < 0) fail_msg("%s", err.msg);
    assert_int_equal(lsv2_version_info(s)->nfields, 3);
    assert_int_equal(lsv2_buffer_size(s), 256);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_buffer_refused_or_limited(void **state)
{
    (void)state;
    fake *f = fake_new();
    add(f, TGS("A_LG", "INSPECT\0"), t_ok(), ACT_REPLY);
    add(f, tg("R_VR", NULL, 0), TGS("S_VR", VERSION_ITNC), ACT_REPLY);
    add(f, tg("R_PR", NULL, 0), params(120, 4096), ACT_REPLY);
    add(f, TGS("C_CC", "\x00\x03"), ter(24), ACT_REPLY); /* max_buffer 1024; refused */
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    c.max_buffer = 1024;
    lsv2_session *s;
    mdc_err err = {0};
    if (lsv2_open(&c, &s, &err) < 0) fail_msg("%s", err.msg);
    assert_int_equal(lsv2_buffer_size(s), 256);
    assert_int_equal(lsv2_health_of(s), LSV2_OK);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static lsv2_session *open_ok(lsv2_session_cfg *c)
{
    lsv2_session *s;
    mdc_err err = {0};
    if (lsv2_open(c, &s, &err) < 0) fail_msg("%s", err.msg);
    return s;
}

static void test_mcc_and_trickle(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_TRICKLE);
    tgm two = TGS("M_CC", "\x00\x1b\x00\x64");
    tg_add(&two, "S_RI", "\x00\x03", 2);
    add(f, ri(23), two, ACT_TRICKLE);
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    int v;
    mdc_err err = {0};
    assert_int_equal(lsv2_read_exec_state(s, &v, &err), 0);
    assert_int_equal(v, LSV2_EXEC_SINGLE_STEP);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_dnc_refused(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), ter(49), ACT_REPLY);
    add(f, TGS("A_LG", "DNC\0"), ter(49), ACT_REPLY);
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    int v;
    mdc_err err = {0};
    char want[512];
    snprintf(want, sizeof want,
             "DNC login refused by the control: T_ER 49 NO_LOGIN (login not possible, e.g. held by "
             "another interface or option missing) (A_LG DNC to 127.0.0.1:%d); R_RI needs the DNC "
             "option and external access allowed in MOD",
             f->port);
    assert_int_equal(lsv2_read_exec_state(s, &v, &err), -1);
    assert_int_equal(err.code, MDC_EAUTH);
    assert_string_equal(err.msg, want);
    assert_int_equal(lsv2_health_of(s), LSV2_OK);
    /* the next poll asks again */
    memset(&err, 0, sizeof err);
    assert_int_equal(lsv2_read_pgm_state(s, &v, &err), -1);
    assert_string_equal(err.msg, want);
    assert_int_equal(lsv2_telegrams(s), 6);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_wrong_plc_password(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f,
        TGS("A_LG", "PLCDEBUG\0"
                    "1234\0"),
        ter(30), ACT_REPLY);
    add(f, mb(0x1000 + 1, 1), ter(23), ACT_REPLY);             /* tried without PLCDEBUG */
    add(f, mb(0x5000, 4), ter(23), ACT_REPLY);                 /* the login is not asked again */
    add(f, mb(0x1000 + 5, 1), TGS("S_MB", "\x01"), ACT_REPLY); /* a control that allows it */
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    c.plc_password = "1234";
    lsv2_session *s = open_ok(&c);
    int64_t v;
    mdc_err err = {0};
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_MARKER, 1, 1, &v, &err), -1);
    assert_int_equal(err.code, MDC_EAUTH);
    assert_non_null(strstr(err.msg, "PLCDEBUG login refused by the control: T_ER 30 BAD_KEY "
                                    "(wrong password)"));
    assert_non_null(strstr(err.msg, "; check the password; R_MB without PLCDEBUG: T_ER 23 NO_PRIV "
                                    "(no privilege for execution)"));
    assert_null(strstr(err.msg, "1234")); /* never the secret */
    /* the login is not asked again for a while: the same error, one telegram (R_MB) */
    char first[MDC_ERR_MSG_MAX];
    snprintf(first, sizeof first, "%s", err.msg);
    memset(&err, 0, sizeof err);
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_DWORD, 0, 1, &v, &err), -1);
    assert_string_equal(err.msg, first);
    assert_int_equal(lsv2_telegrams(s), 7);
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_MARKER, 5, 1, &v, &err), 0);
    assert_int_equal(v, 1);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_timeout(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_REPLY);
    add(f, ri(23), t_ok(), ACT_SILENT);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    int v;
    mdc_err err = {0};
    int64_t t0 = mdc_mono_us();
    assert_int_equal(lsv2_read_exec_state(s, &v, &err), -1);
    int64_t took = mdc_mono_us() - t0;
    assert_true(took >= 290000 && took < 1000000);
    char want[200];
    snprintf(want, sizeof want, "127.0.0.1:%d: R_RI 23: no reply within 300 ms", f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, MDC_ETIMEOUT);
    assert_int_equal(lsv2_health_of(s), LSV2_BROKEN_TIMEOUT);
    /* a broken session sends nothing more, not even A_LO */
    assert_int_equal(lsv2_read_pgm_state(s, &v, &err), -1);
    assert_int_equal(err.code, MDC_ESTATE);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_closed_mid_header(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_REPLY);
    tgm part = {.b = {0, 0, 0}, .n = 3};
    add(f, ri(26), part, ACT_REPLY_CLOSE);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    int v;
    mdc_err err = {0};
    assert_int_equal(lsv2_read_pgm_state(s, &v, &err), -1);
    char want[200];
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_RI 26: connection closed by the control after 3 of 8 header bytes",
             f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, MDC_EIO);
    assert_int_equal(lsv2_health_of(s), LSV2_BROKEN_CLOSED);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_closed_before_reply(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), tg("T_OK", NULL, 0), ACT_REPLY);
    tgm none = {.n = 0};
    add(f, ri(24), none, ACT_REPLY_CLOSE);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    lsv2_stack st;
    mdc_err err = {0};
    assert_int_equal(lsv2_read_stack(s, &st, &err), -1);
    char want[200];
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_RI 24: connection closed by the control before the reply", f->port);
    assert_string_equal(err.msg, want);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_bad_replies(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_REPLY);
    add(f, ri(24), TGS("S_RI", "\x00"), ACT_REPLY); /* too short: the stream stays usable */
    add(f, ri(23), TGS("S_VR", "\x00\x01"), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    lsv2_stack st;
    int v;
    mdc_err err = {0};
    char want[200];
    assert_int_equal(lsv2_read_stack(s, &st, &err), -1);
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_RI 24: S_RI 24 has 1 byte (expected a line number and program paths)",
             f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, MDC_EPROTO);
    assert_int_equal(lsv2_health_of(s), LSV2_OK);
    assert_int_equal(lsv2_read_exec_state(s, &v, &err), -1);
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_RI 23: unexpected reply S_VR with 2 payload bytes (expected S_RI or "
             "T_ER)",
             f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(lsv2_health_of(s), LSV2_BROKEN_PROTO);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_malformed_header(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_REPLY);
    tgm junk = {.b = {0, 0, 0, 2, 0, 1, 2, 3, 0, 0}, .n = 10};
    add(f, ri(23), junk, ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    int v;
    mdc_err err = {0};
    assert_int_equal(lsv2_read_exec_state(s, &v, &err), -1);
    char want[200];
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_RI 23: malformed header 00 00 00 02 00 01 02 03 (the code is not "
             "ASCII)",
             f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(lsv2_health_of(s), LSV2_BROKEN_PROTO);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_nc_errors(void **state)
{
    (void)state;
    fake *f = fake_new();
    opening(f, 124, 4096, true);
    add(f, TGS("A_LG", "DNC\0"), t_ok(), ACT_REPLY);
    add(f, ri(27),
        TGS("S_RI", "\x00\x03\x00\x03\x81\x00\x00\x0a"
                    "010 Machine guard is open !\0"),
        ACT_REPLY);
    add(f, ri(28),
        TGS("S_RI", "\x00\x01\x00\x02\x00\x00\x00\x07"
                    "Emergency stop\0"),
        ACT_REPLY);
    add(f, ri(28), ter(57), ACT_REPLY);
    add(f, ri(27), ter(57), ACT_REPLY); /* no error active */
    add(f, ri(27), ter(24), ACT_REPLY); /* not supported */
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    lsv2_nc_error list[4];
    size_t n;
    mdc_err err = {0};
    assert_int_equal(lsv2_read_nc_errors(s, list, 4, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].number, -2130706422);
    assert_string_equal(list[0].text, "010 Machine guard is open !");
    assert_string_equal(list[1].text, "Emergency stop");
    assert_int_equal(lsv2_read_nc_errors(s, list, 4, &n, &err), 0);
    assert_int_equal(n, 0);
    assert_int_equal(lsv2_read_nc_errors(s, list, 4, &n, &err), -1);
    assert_int_equal(err.code, MDC_EDEVICE);
    assert_int_equal(lsv2_last_error(s)->code, 24);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_plc_chunks(void **state)
{
    (void)state;
    fake *f = fake_new();
    add(f, TGS("A_LG", "INSPECT\0"), t_ok(), ACT_REPLY);
    add(f, tg("R_VR", NULL, 0), TGS("S_VR", VERSION_ITNC), ACT_REPLY);
    add(f, tg("R_PR", NULL, 0), params(120, 256), ACT_REPLY);
    add(f, TGS("A_LG", "PLCDEBUG\0"), t_ok(), ACT_REPLY);
    /* 300 markers from M100 with a 256-byte buffer: 248 + 52 */
    uint8_t bits[248];
    for (int i = 0; i < 248; i++)
        bits[i] = (uint8_t)(i % 3 == 0);
    add(f, mb(0x1000 + 100, 248), tg("S_MB", bits, 248), ACT_REPLY);
    add(f, mb(0x1000 + 348, 52), tg("S_MB", bits, 52), ACT_REPLY);
    /* 70 dwords from D8: 62 (248 bytes) + 8 */
    uint8_t words[248] = {0};
    for (int i = 0; i < 62; i++)
        words[4 * i] = (uint8_t)i;
    add(f, mb(0x5000 + 8, 248), tg("S_MB", words, 248), ACT_REPLY);
    add(f, mb(0x5000 + 8 + 248, 32), tg("S_MB", words, 32), ACT_REPLY);
    add(f, mb(0x5000 + 4, 4), TGS("S_MB", "\x01\x02"), ACT_REPLY); /* short answer */
    add(f, mb(0x1000 + 9999, 1), ter(52), ACT_REPLY);
    add(f, tg("A_LO", NULL, 0), t_ok(), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s = open_ok(&c);
    int64_t v[300];
    mdc_err err = {0};
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_MARKER, 100, 300, v, &err), 0);
    assert_int_equal(v[0], 1);
    assert_int_equal(v[1], 0);
    assert_int_equal(v[3], 1);
    assert_int_equal(v[249], 0); /* bits[1] */
    assert_int_equal(v[251], 1); /* bits[3] */
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_DWORD, 8, 70, v, &err), 0);
    assert_int_equal(v[61], 61);
    assert_int_equal(v[62], 0);
    assert_int_equal(v[69], 7);
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_DWORD, 4, 1, v, &err), -1);
    char want[200];
    snprintf(want, sizeof want, "127.0.0.1:%d: R_MB 0x5004+4: S_MB has 2 bytes (asked for 4)",
             f->port);
    assert_string_equal(err.msg, want);
    /* beyond the markers of S_PR: refused before anything is sent */
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_MARKER, 9999, 2, v, &err), -1);
    snprintf(want, sizeof want, "127.0.0.1:%d: M10000 is beyond the control's 10000 markers (S_PR)",
             f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(lsv2_read_plc(s, LSV2_MEM_MARKER, 9999, 1, v, &err), -1);
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_MB 0x370f+1: T_ER 52 BAD_MEMADR (bad memory address)", f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(lsv2_health_of(s), LSV2_OK);
    lsv2_close(s);
    finish(f, NULL, 0);
}

static void test_open_failures(void **state)
{
    (void)state;
    fake *f = fake_new();
    add(f, TGS("A_LG", "INSPECT\0"), ter(80), ACT_REPLY);
    start(f);
    lsv2_session_cfg c = cfg(f);
    lsv2_session *s;
    mdc_err err = {0};
    assert_int_equal(lsv2_open(&c, &s, &err), -1);
    char want[300];
    snprintf(want, sizeof want,
             "INSPECT login refused by the control: T_ER 80 TO_MANY_OPEN_TCP (too many open TCP "
             "connections) (A_LG INSPECT to 127.0.0.1:%d)",
             f->port);
    assert_string_equal(err.msg, want);
    finish(f, NULL, 0);
    teardown(NULL);

    f = fake_new();
    add(f, TGS("A_LG", "INSPECT\0"), t_ok(), ACT_REPLY);
    add(f, tg("R_VR", NULL, 0),
        TGS("S_VR", "iTNC530\0"
                    "340490\0"),
        ACT_REPLY);
    start(f);
    c = cfg(f);
    assert_int_equal(lsv2_open(&c, &s, &err), -1);
    snprintf(want, sizeof want,
             "127.0.0.1:%d: R_VR: S_VR has 2 fields (expected 3 to 5: control, NC, PLC, [SPLC], "
             "[options])",
             f->port);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, MDC_EPROTO);
    finish(f, NULL, 0);
}

static void test_connect_refused(void **state)
{
    (void)state;
    int port;
    int fd = listener(&port, 1);
    close(fd); /* nothing listens there now */
    lsv2_session_cfg c = {
        .host = "127.0.0.1", .port = port, .connect_timeout_us = 1000000, .timeout_us = 300000};
    lsv2_session *s;
    mdc_err err = {0};
    assert_int_equal(lsv2_open(&c, &s, &err), -1);
    char want[200];
    snprintf(want, sizeof want, "127.0.0.1:%d: connect: Connection refused", port);
    assert_string_equal(err.msg, want);
    assert_int_equal(err.code, MDC_EIO);
}

/* A listener whose accept queue is full drops new SYNs: connect() cannot complete. */
static void test_connect_timeout(void **state)
{
    (void)state;
    int port;
    int lfd = listener(&port, 0);
    int fill[4];
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    for (int i = 0; i < 4; i++) {
        fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fill[i], (struct sockaddr *)&a, sizeof a);
    }
    usleep(50000);
    lsv2_session_cfg c = {
        .host = "127.0.0.1", .port = port, .connect_timeout_us = 200000, .timeout_us = 300000};
    lsv2_session *s;
    mdc_err err = {0};
    int64_t t0 = mdc_mono_us();
    int rc = lsv2_open(&c, &s, &err);
    int64_t took = mdc_mono_us() - t0;
    for (int i = 0; i < 4; i++)
        close(fill[i]);
    close(lfd);
    assert_int_equal(rc, -1);
    assert_true(took < 900000); /* bounded either way */
    if (err.code == MDC_ETIMEOUT) {
        char want[200];
        snprintf(want, sizeof want, "127.0.0.1:%d: connect: no answer within 200 ms", port);
        assert_string_equal(err.msg, want);
        assert_true(took >= 190000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_open_poll_close, teardown),
        cmocka_unit_test_teardown(test_old_control, teardown),
        cmocka_unit_test_teardown(test_buffer_refused_or_limited, teardown),
        cmocka_unit_test_teardown(test_mcc_and_trickle, teardown),
        cmocka_unit_test_teardown(test_dnc_refused, teardown),
        cmocka_unit_test_teardown(test_wrong_plc_password, teardown),
        cmocka_unit_test_teardown(test_timeout, teardown),
        cmocka_unit_test_teardown(test_closed_mid_header, teardown),
        cmocka_unit_test_teardown(test_closed_before_reply, teardown),
        cmocka_unit_test_teardown(test_bad_replies, teardown),
        cmocka_unit_test_teardown(test_malformed_header, teardown),
        cmocka_unit_test_teardown(test_nc_errors, teardown),
        cmocka_unit_test_teardown(test_plc_chunks, teardown),
        cmocka_unit_test_teardown(test_open_failures, teardown),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_connect_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
