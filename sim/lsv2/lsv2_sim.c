/* SPDX-License-Identifier: Apache-2.0 */
/* lsv2_sim.c — `mdc-sim lsv2`: setup, the event loop, clean exit. See lsim.h. */
#include "../common/util.h"
#include "../sim.h"
#include "lsim.h"

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
#include <sys/stat.h>
#include <unistd.h>

typedef struct runtime {
    lsim *s;
    int sigfd, fifo;
    bool fifo_created;
    lsim_linebuf stdin_lb, fifo_lb;
} runtime;

void lsim_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

int64_t lsim_now_us(void)
{
    return mdc_mono_us();
}

static void epoll_add(int epfd, int fd, uint64_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static void control_readable(runtime *rt, int fd, lsim_linebuf *lb)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0)
        lsim_control_feed(rt->s, lb, buf, (size_t)n);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        epoll_ctl(rt->s->epfd, EPOLL_CTL_DEL, fd, NULL); /* EOF: keep serving */
}

static int open_control(runtime *rt)
{
    lsim *s = rt->s;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LSIM_TAG_STDIN};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, 0, &ev) < 0 && errno == EPERM) {
        char buf[4096]; /* a regular file or /dev/null: run it now */
        ssize_t n;
        while ((n = read(0, buf, sizeof buf)) > 0)
            lsim_control_feed(s, &rt->stdin_lb, buf, (size_t)n);
    }
    if (!s->o.control[0]) return 0;
    rt->fifo = sim_open_fifo("mdc-sim lsv2", s->o.control, &rt->fifo_created);
    if (rt->fifo < 0) return -1;
    epoll_add(s->epfd, rt->fifo, LSIM_TAG_FIFO);
    return 0;
}

static int open_signals(runtime *rt)
{
    rt->sigfd = sim_signalfd();
    if (rt->sigfd < 0) return -1;
    epoll_add(rt->s->epfd, rt->sigfd, LSIM_TAG_SIGNAL);
    return 0;
}

static void dispatch(runtime *rt, const struct epoll_event *ev)
{
    lsim *s = rt->s;
    switch (ev->data.u64) {
    case LSIM_TAG_SIGNAL:
        s->quit = true;
        return;
    case LSIM_TAG_STDIN:
        control_readable(rt, 0, &rt->stdin_lb);
        return;
    case LSIM_TAG_FIFO:
        control_readable(rt, rt->fifo, &rt->fifo_lb);
        return;
    }
    lsim_net_event(s, s->net, ev->data.u64, ev->events);
}

static int run(runtime *rt)
{
    lsim *s = rt->s;
    struct epoll_event evs[64];
    while (!s->quit) {
        int timeout = lsim_net_flush(s, s->net);
        int n = epoll_wait(s->epfd, evs, 64, timeout);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "mdc-sim lsv2: epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        for (int i = 0; i < n && !s->quit; i++)
            dispatch(rt, &evs[i]);
    }
    lsim_net_flush(s, s->net);
    return 0;
}

static void cleanup(runtime *rt)
{
    lsim *s = rt->s;
    lsim_net_close(s->net);
    if (rt->fifo >= 0) close(rt->fifo);
    if (rt->fifo_created) unlink(s->o.control);
    if (rt->sigfd >= 0) close(rt->sigfd);
    if (s->epfd >= 0) close(s->epfd);
    for (int i = 0; s->machines && i < s->n; i++)
        lsim_machine_free(&s->machines[i]);
    free(s->machines);
    free(s);
}

int sim_lsv2_main(int argc, char **argv)
{
    lsim *s = xcalloc(1, sizeof *s);
    runtime rt = {.s = s, .sigfd = -1, .fifo = -1};
    s->epfd = -1;
    int rc = lsim_parse_opts(argc, argv, &s->o);
    if (rc != 0) {
        cleanup(&rt);
        return rc > 0 ? 0 : 2;
    }
    s->profile = lsim_profile_get(s->o.profile);
    s->n = s->o.controls;
    s->machines = xcalloc((size_t)s->n, sizeof *s->machines);
    int64_t now = lsim_now_us();
    for (int i = 0; i < s->n; i++)
        lsim_machine_init(&s->machines[i], &s->o, s->profile, now);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    rc = 1;
    if (s->epfd >= 0 && open_signals(&rt) == 0 && (s->net = lsim_net_open(s)) != NULL &&
        open_control(&rt) == 0)
        rc = run(&rt);
    cleanup(&rt);
    return rc;
}
