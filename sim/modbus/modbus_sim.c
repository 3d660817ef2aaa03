/* SPDX-License-Identifier: Apache-2.0 */
/* modbus_sim.c — `mdc-sim modbus`: setup, the event loop, clean exit. See msim.h. */
#include "../common/util.h"
#include "../sim.h"
#include "msim.h"
#include "core/clock.h"
#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

typedef struct runtime {
    msim *s;
    msim_serial *ser;
    msim_tcp *tcp;
    int sigfd, fifo;
    bool fifo_created, stdin_open;
    msim_linebuf stdin_lb, fifo_lb;
} runtime;

void msim_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

int64_t msim_now_us(void)
{
    return mdc_mono_us();
}

void msim_rearm(msim *s)
{
    long i = msim_outq_earliest(&s->outq);
    struct itimerspec its = {0};
    if (i >= 0) {
        int64_t due = s->outq.items[i].due_us;
        if (due < 1) due = 1;
        its.it_value.tv_sec = due / 1000000;
        its.it_value.tv_nsec = (due % 1000000) * 1000;
    }
    timerfd_settime(s->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void epoll_add(int epfd, int fd, uint64_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void flush_due(runtime *rt)
{
    msim *s = rt->s;
    uint64_t ticks;
    ssize_t r = read(s->timerfd, &ticks, sizeof ticks);
    (void)r;
    int64_t now = msim_now_us();
    for (long i; (i = msim_outq_earliest(&s->outq)) >= 0 && s->outq.items[i].due_us <= now;) {
        msim_out *o = &s->outq.items[i];
        bool serial = rt->ser && o->fd == msim_serial_fd(rt->ser);
        if (serial) {
            ssize_t w = write(o->fd, o->data, o->len);
            (void)w;
        } else if (msim_tcp_conn_alive(rt->tcp, o->fd, o->conn_gen)) {
            msim_tcp_send(s, o->fd, o->data, o->len);
        }
        msim_outq_remove(&s->outq, (size_t)i);
    }
    msim_rearm(s);
}

/* stdin that epoll cannot watch (a regular file, /dev/null): run it now. */
static void read_stdin_now(runtime *rt)
{
    char buf[4096];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        msim_control_feed(rt->s, &rt->stdin_lb, buf, (size_t)n);
    rt->stdin_open = false;
}

static void control_readable(runtime *rt, int fd, msim_linebuf *lb)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
        msim_control_feed(rt->s, lb, buf, (size_t)n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        epoll_ctl(rt->s->epfd, EPOLL_CTL_DEL, fd, NULL); /* EOF: keep serving */
        if (fd == 0) rt->stdin_open = false;
    }
}

static int open_control(runtime *rt)
{
    msim *s = rt->s;
    rt->fifo = -1;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = MSIM_TAG_STDIN};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, 0, &ev) == 0)
        rt->stdin_open = true;
    else if (errno == EPERM)
        read_stdin_now(rt);
    if (!s->o.control[0]) return 0;
    rt->fifo = sim_open_fifo("mdc-sim modbus", s->o.control, &rt->fifo_created);
    if (rt->fifo < 0) return -1;
    epoll_add(s->epfd, rt->fifo, MSIM_TAG_FIFO);
    return 0;
}

static int open_signals(runtime *rt)
{
    rt->sigfd = sim_signalfd();
    if (rt->sigfd < 0) return -1;
    epoll_add(rt->s->epfd, rt->sigfd, MSIM_TAG_SIGNAL);
    return 0;
}

static int setup_devices(msim *s)
{
    char err[512];
    if (msim_profile_load(&s->profile, &s->o, err, sizeof err) < 0) {
        fprintf(stderr, "mdc-sim modbus: --map %s\n", err);
        return -1;
    }
    msim_model_init(&s->model, &s->o, s->profile.delta ? s->profile.meter_ids : NULL,
                    s->profile.nmeter_ids, msim_now_us());
    for (int i = 0; i < s->o.nunits; i++) {
        s->unit_on[s->o.units[i]] = true;
        msim_image_alloc(&s->images[s->o.units[i]], &s->profile);
    }
    s->image_dirty = true;
    return 0;
}

static void dispatch(runtime *rt, const struct epoll_event *ev)
{
    msim *s = rt->s;
    switch (ev->data.u64) {
    case MSIM_TAG_SIGNAL:
        s->quit = true;
        return;
    case MSIM_TAG_TIMER:
        flush_due(rt);
        return;
    case MSIM_TAG_STDIN:
        control_readable(rt, 0, &rt->stdin_lb);
        return;
    case MSIM_TAG_FIFO:
        control_readable(rt, rt->fifo, &rt->fifo_lb);
        return;
    case MSIM_TAG_SERIAL:
        msim_serial_readable(s, rt->ser);
        return;
    }
    msim_tcp_event(s, rt->tcp, ev->data.u64, ev->events);
}

static int run(runtime *rt)
{
    msim *s = rt->s;
    struct epoll_event evs[64];
    while (!s->quit) {
        int n = epoll_wait(s->epfd, evs, 64, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "mdc-sim modbus: epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        for (int i = 0; i < n && !s->quit; i++)
            dispatch(rt, &evs[i]);
    }
    return 0;
}

static void cleanup(runtime *rt)
{
    msim *s = rt->s;
    msim_serial_close(rt->ser);
    msim_tcp_close(rt->tcp);
    if (rt->fifo >= 0) close(rt->fifo);
    if (rt->fifo_created) unlink(s->o.control);
    if (rt->sigfd >= 0) close(rt->sigfd);
    if (s->timerfd >= 0) close(s->timerfd);
    if (s->epfd >= 0) close(s->epfd);
    for (int u = 0; u <= MSIM_MAX_UNITS; u++)
        msim_image_free(&s->images[u]);
    msim_model_free(&s->model);
    msim_profile_free(&s->profile);
    msim_outq_free(&s->outq);
    free(s);
}

int sim_modbus_main(int argc, char **argv)
{
    msim *s = xcalloc(1, sizeof *s);
    runtime rt = {.s = s, .sigfd = -1, .fifo = -1};
    s->epfd = s->timerfd = -1;
    int rc = msim_parse_opts(argc, argv, &s->o);
    if (rc != 0) {
        cleanup(&rt);
        return rc > 0 ? 0 : 2;
    }
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    rc = 1;
    if (s->epfd >= 0 && s->timerfd >= 0 && setup_devices(s) == 0 && open_signals(&rt) == 0) {
        epoll_add(s->epfd, s->timerfd, MSIM_TAG_TIMER);
        if (s->o.tcp)
            rt.tcp = msim_tcp_open(s);
        else
            rt.ser = msim_serial_open(s);
        if ((rt.tcp || rt.ser) && open_control(&rt) == 0) rc = run(&rt);
    }
    cleanup(&rt);
    return rc;
}
