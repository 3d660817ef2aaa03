/* SPDX-License-Identifier: Apache-2.0 */
/* The non-blocking Modbus TCP connection (tcp_conn.c) driven by a small epoll loop, against
 * `mdc-sim modbus` over loopback: exact values, exceptions, a silent unit behind a live
 * gateway, late replies drained by transaction id, pipelining across units, priorities, and
 * hostile peers — a refused port, a listener that never answers, a peer that hangs up in the
 * middle of a reply, a stream that is not Modbus TCP. No timing assertions: every wait is for a
 * condition, with a generous deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "drivers/modbus/decode.h"
#include "drivers/modbus/tcp_conn.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "test_sim.h"

typedef struct req {
    mdc_mb_txn t;
    uint16_t vals[20];
    bool done;
    int rc;
    mdc_err err;
} req;

static void on_done(mdc_mb_txn *t, int rc, const mdc_err *err)
{
    req *r = t->ctx;
    r->done = true;
    r->rc = rc;
    if (err) r->err = *err;
}

static void make(req *r, uint8_t unit, uint16_t addr, uint16_t count, int64_t timeout_ms)
{
    memset(r, 0, sizeof *r);
    r->t = (mdc_mb_txn){.unit = unit,
                        .fc = 4,
                        .addr = addr,
                        .count = count,
                        .out = r->vals,
                        .timeout_us = timeout_ms * 1000,
                        .done = on_done,
                        .ctx = r};
}

/* Drives the connection (edge-triggered epoll, as the runtime does) until every request in
 * rs[0..n) is done; fails after 15 s. */
static void drive(mdc_mb_conn *c, req **rs, size_t n)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int fd = -1;
    uint64_t gen = 0;
    int64_t give_up = mdc_mono_us() + 15000000;
    for (;;) {
        size_t left = 0;
        for (size_t i = 0; i < n; i++)
            left += !rs[i]->done;
        if (left == 0) break;
        if (mdc_mono_us() > give_up) fail_msg("requests did not complete");
        if (mdc_mb_conn_fd(c) != fd || mdc_mb_conn_generation(c) != gen) {
            fd = mdc_mb_conn_fd(c);
            gen = mdc_mb_conn_generation(c);
            struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET};
            if (fd >= 0) epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        }
        int64_t d = mdc_mb_conn_deadline(c), wait = (d - mdc_mono_us()) / 1000 + 1;
        struct epoll_event ev;
        int k = epoll_wait(ep, &ev, 1,
                           d == INT64_MAX || wait > 100 ? 100
                           : wait < 0                   ? 0
                                                        : (int)wait);
        mdc_mb_conn_run(c, k > 0 ? ev.events : 0, mdc_mono_us());
    }
    close(ep);
}

static void run1(mdc_mb_conn *c, req *r)
{
    mdc_mb_conn_submit(c, &r->t, mdc_mono_us());
    drive(c, &r, 1);
}

static int sim_port(const sim *s)
{
    assert_int_equal(strncmp(s->first, "tcp: 127.0.0.1:", 15), 0);
    return atoi(s->first + 15);
}

static mdc_mb_conn *conn_to(int port, int outstanding)
{
    mdc_mb_conn *c;
    mdc_err err;
    if (mdc_mb_conn_new("127.0.0.1", port, outstanding, &c, &err) < 0) fail_msg("%s", err.msg);
    return c;
}

static float f32(const uint16_t *r)
{
    uint32_t u = (uint32_t)r[0] << 16 | r[1];
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static void test_values_exception_silent_unit(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--tcp", "127.0.0.1:0", "--units", "1,2", "--frozen", NULL});
    sim_cmd(&s, "unit 2 set voltage_l1 232.5");
    mdc_mb_conn *c = conn_to(sim_port(&s), 1);
    req r;
    make(&r, 1, 0, 6, 2000);
    run1(c, &r);
    assert_int_equal(r.rc, MDC_MB_TXN_OK);
    assert_int_equal(r.vals[0], 0x4366); /* 230.1f = 0x4366199A */
    assert_int_equal(r.vals[1], 0x199A);
    assert_true(f32(r.vals + 2) == 231.2f);
    make(&r, 2, 0, 2, 2000);
    run1(c, &r);
    assert_true(f32(r.vals) == 232.5f);
    make(&r, 1, 5000, 2, 2000);
    run1(c, &r);
    assert_int_equal(r.rc, MDC_MB_TXN_FAILED);
    assert_int_equal(r.err.code, MDC_EDEVICE);
    assert_string_equal(r.err.msg,
                        "unit 1 FC4 addr 5000 count 2: exception 02 illegal data address");
    /* unit 9 does not answer: its request times out, the connection stays for the others */
    make(&r, 9, 0, 2, 300);
    run1(c, &r);
    assert_int_equal(r.rc, MDC_MB_TXN_FAILED);
    assert_string_equal(r.err.msg, "unit 9 FC4 addr 0 count 2: timeout after 300 ms");
    assert_true(mdc_mb_conn_is_open(c));
    uint64_t gen = mdc_mb_conn_generation(c);
    make(&r, 1, 0, 2, 2000);
    run1(c, &r);
    assert_int_equal(r.rc, MDC_MB_TXN_OK);
    assert_true(mdc_mb_conn_generation(c) == gen);
    assert_int_equal(mdc_mb_conn_discarded(c), 0);
    mdc_mb_conn_free(c);
    sim_stop(&s);
}

/* Every 2nd reply comes 700 ms late (the timeout is 500 ms): the late reply carries unit 1's
 * values and arrives while unit 2's request waits; its transaction id gives it away. */
static void test_late_reply_discarded(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--tcp", "127.0.0.1:0", "--units", "1,2", "--frozen", NULL});
    sim_cmd(&s, "unit 1 set voltage_l1 201");
    sim_cmd(&s, "unit 2 set voltage_l1 202");
    sim_cmd(&s, "late 700 2");
    mdc_mb_conn *c = conn_to(sim_port(&s), 1);
    req a, b, d;
    make(&a, 2, 0, 2, 500);
    run1(c, &a); /* reply 1: in time */
    assert_true(a.rc == MDC_MB_TXN_OK && f32(a.vals) == 202.0f);
    make(&a, 1, 0, 2, 500);
    run1(c, &a); /* reply 2: late */
    assert_int_equal(a.rc, MDC_MB_TXN_FAILED);
    assert_int_equal(a.err.code, MDC_ETIMEOUT);
    make(&b, 2, 0, 2, 2000); /* reply 3 in time; reply 2 (unit 1: 201) arrives meanwhile */
    run1(c, &b);
    assert_true(b.rc == MDC_MB_TXN_OK && f32(b.vals) == 202.0f);
    sim_cmd(&s, "late 0");
    for (int i = 0; i < 200 && mdc_mb_conn_discarded(c) == 0; i++) { /* until the late one came */
        make(&d, 2, 0, 2, 2000);
        run1(c, &d);
        assert_true(d.rc == MDC_MB_TXN_OK && f32(d.vals) == 202.0f);
        usleep(50000);
    }
    assert_int_equal(mdc_mb_conn_discarded(c), 1);
    mdc_mb_conn_free(c);
    sim_stop(&s);
}

/* Several requests on the wire at once, to three units with distinct values, answered in any
 * order; normal requests before low-priority ones. */
static void test_pipeline_and_priority(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--tcp", "127.0.0.1:0", "--units", "1-3", "--frozen", NULL});
    sim_cmd(&s, "unit 1 set voltage_l1 201");
    sim_cmd(&s, "unit 2 set voltage_l1 202");
    sim_cmd(&s, "unit 3 set voltage_l1 203");
    sim_cmd(&s, "late 200 2"); /* replies overtake each other */
    mdc_mb_conn *c = conn_to(sim_port(&s), 4);
    enum { N = 12 };
    req rs[N], *p[N];
    for (int i = 0; i < N; i++) {
        make(&rs[i], (uint8_t)(1 + i % 3), 0, 2, 5000);
        rs[i].t.low_priority = i == 0;
        p[i] = &rs[i];
        mdc_mb_conn_submit(c, &rs[i].t, mdc_mono_us());
    }
    assert_int_equal(mdc_mb_conn_pending(c), N);
    drive(c, p, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(rs[i].rc, MDC_MB_TXN_OK);
        assert_true(f32(rs[i].vals) == (float)(201 + i % 3));
    }
    assert_int_equal(mdc_mb_conn_discarded(c), 0);
    /* one at a time: a probe submitted first still goes after the normal request */
    mdc_mb_conn_free(c);
    c = conn_to(sim_port(&s), 1);
    sim_cmd(&s, "late 0");
    make(&rs[0], 1, 0, 2, 2000);
    run1(c, &rs[0]); /* connected */
    make(&rs[0], 1, 0, 2, 2000);
    make(&rs[1], 2, 0, 2, 2000);
    make(&rs[2], 3, 0, 2, 2000);
    rs[1].t.low_priority = true;
    mdc_mb_conn_submit(c, &rs[0].t, mdc_mono_us()); /* on the wire at once */
    mdc_mb_conn_submit(c, &rs[1].t, mdc_mono_us()); /* waits: low priority */
    mdc_mb_conn_submit(c, &rs[2].t, mdc_mono_us()); /* waits: normal, goes first */
    req *q[] = {&rs[2]};
    drive(c, q, 1);
    assert_false(rs[1].done);
    q[0] = &rs[1];
    drive(c, q, 1);
    assert_true(rs[0].done && rs[1].rc == MDC_MB_TXN_OK && f32(rs[1].vals) == 202.0f);
    mdc_mb_conn_free(c);
    sim_stop(&s);
}

static int listener(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_refused_and_black_hole(void **state)
{
    (void)state;
    int port, lfd = listener(&port);
    /* a listener that accepts (the kernel does) but never answers */
    mdc_mb_conn *c = conn_to(port, 1);
    req r;
    for (int i = 0; i < MDC_MB_CONN_SILENT_MAX; i++) {
        make(&r, 1, 0, 2, 200);
        run1(c, &r);
        assert_int_equal(r.rc, MDC_MB_TXN_FAILED);
        assert_string_equal(r.err.msg, "unit 1 FC4 addr 0 count 2: timeout after 200 ms");
    }
    assert_false(mdc_mb_conn_is_open(c)); /* silent again and again: closed */
    close(lfd);
    /* nothing listens any more: refused */
    make(&r, 1, 0, 2, 2000);
    run1(c, &r);
    assert_int_equal(r.rc, MDC_MB_TXN_NO_CONN);
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d: connection refused", port);
    assert_string_equal(r.err.msg, want);
    mdc_mb_conn_free(c);
}

/* The peer hangs up in the middle of a reply: the request on the wire fails, the one waiting
 * goes out on a new connection. */
static void test_cut_reply_and_garbage(void **state)
{
    (void)state;
    sim s;
    sim_start(&s, (const char *[]){"--tcp", "127.0.0.1:0", "--frozen", NULL});
    mdc_mb_conn *c = conn_to(sim_port(&s), 1);
    req a, b;
    make(&a, 1, 0, 2, 2000);
    run1(c, &a);
    uint64_t gen = mdc_mb_conn_generation(c);
    sim_cmd(&s, "cut 9");
    make(&a, 1, 0, 2, 2000);
    make(&b, 1, 2, 2, 2000);
    mdc_mb_conn_submit(c, &a.t, mdc_mono_us());
    mdc_mb_conn_submit(c, &b.t, mdc_mono_us());
    req *ab[] = {&a};
    drive(c, ab, 1);
    assert_int_equal(a.rc, MDC_MB_TXN_FAILED);
    assert_string_equal(a.err.msg, "unit 1 FC4 addr 0 count 2: connection closed by the peer in "
                                   "the middle of a reply");
    sim_cmd(&s, "cut 0");
    ab[0] = &b;
    drive(c, ab, 1);
    assert_int_equal(b.rc, MDC_MB_TXN_OK);
    assert_true(f32(b.vals) == 231.2f);
    assert_true(mdc_mb_conn_generation(c) == gen + 1);
    mdc_mb_conn_free(c);
    sim_stop(&s);
}

/* A peer that speaks something else: the stream is not Modbus TCP, the connection is closed. */
static void test_not_modbus(void **state)
{
    (void)state;
    int port, lfd = listener(&port);
    mdc_mb_conn *c = conn_to(port, 1);
    req r;
    make(&r, 1, 0, 2, 5000);
    mdc_mb_conn_submit(c, &r.t, mdc_mono_us()); /* connecting */
    struct pollfd p = {.fd = lfd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 5000), 1);
    int peer = accept(lfd, NULL, NULL);
    assert_true(peer >= 0);
    const char junk[] = "HTTP/1.1 400 Bad Request\r\n\r\n";
    assert_int_equal(write(peer, junk, sizeof junk - 1), (ssize_t)sizeof junk - 1);
    req *rs[] = {&r};
    drive(c, rs, 1);
    assert_int_equal(r.rc, MDC_MB_TXN_FAILED);
    assert_string_equal(r.err.msg, "unit 1 FC4 addr 0 count 2: MBAP protocol id 21584, expected 0 "
                                   "(not Modbus TCP)");
    assert_false(mdc_mb_conn_is_open(c));
    close(peer);
    close(lfd);
    mdc_mb_conn_free(c);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_values_exception_silent_unit, teardown),
        cmocka_unit_test_teardown(test_late_reply_discarded, teardown),
        cmocka_unit_test_teardown(test_pipeline_and_priority, teardown),
        cmocka_unit_test(test_refused_and_black_hole),
        cmocka_unit_test_teardown(test_cut_reply_and_garbage, teardown),
        cmocka_unit_test(test_not_modbus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
