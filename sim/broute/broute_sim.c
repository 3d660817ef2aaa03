/* SPDX-License-Identifier: Apache-2.0 */
/* broute_sim.c — `mdc-sim broute`: set-up, the event loop, the pty, clean exit. See bsim.h. */
#include "../common/util.h"
#include "../sim.h"
#include "bsim.h"
#include "drivers/broute/port.h"

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
#include <sys/timerfd.h>
#include <termios.h>
#include <unistd.h>

enum { TAG_SIGNAL = 1, TAG_TIMER, TAG_STDIN, TAG_PTY };

void bsim_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

int64_t bsim_now_us(void)
{
    return mdc_mono_us();
}

int64_t bsim_wire_us(const bsim *s, size_t n)
{
    return s->o.no_line_delay ? 0 : mdc_brt_wire_us(s->o.baud, n);
}

/* Due time of the next item: it starts when ready and the line is free, and arrives after its
 * time on the line. */
static int64_t due_of(const bsim *s, const bsim_item *it)
{
    int64_t start = it->ready_us > s->q.line_free_us ? it->ready_us : s->q.line_free_us;
    return start + bsim_wire_us(s, it->len);
}

static void rearm(bsim *s)
{
    long i = bsim_outq_next(&s->q);
    struct itimerspec its = {0};
    if (i >= 0) {
        int64_t due = due_of(s, &s->q.items[i]);
        if (due < 1) due = 1;
        its.it_value.tv_sec = due / 1000000;
        its.it_value.tv_nsec = (due % 1000000) * 1000;
    }
    timerfd_settime(s->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void flush_due(bsim *s)
{
    uint64_t ticks;
    ssize_t r = read(s->timerfd, &ticks, sizeof ticks);
    (void)r;
    for (long i; (i = bsim_outq_next(&s->q)) >= 0;) {
        bsim_item *it = &s->q.items[i];
        int64_t due = due_of(s, it);
        if (due > bsim_now_us()) break;
        ssize_t w = write(s->master, it->data, it->len);
        (void)w; /* a full pty buffer means nobody reads: drop, as a line would */
        s->q.line_free_us = due;
        int action = it->action;
        bsim_outq_remove(&s->q, (size_t)i);
        if (action) bsim_module_action(s, action);
    }
    rearm(s);
}

void bsim_emit(bsim *s, int64_t ready_us, const void *data, size_t len, int action)
{
    bsim_outq_push(&s->q, ready_us, data, len, action);
    rearm(s);
}

void bsim_emitf(bsim *s, int64_t ready_us, int action, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        bsim_emit(s, ready_us, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1, action);
}

static void epoll_add(int epfd, int fd, uint64_t tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = tag};
    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int make_link(const char *link, const char *target)
{
    struct stat st;
    if (lstat(link, &st) == 0) {
        if (!S_ISLNK(st.st_mode)) {
            fprintf(stderr, "mdc-sim broute: --link %s exists and is not a symlink\n", link);
            return -1;
        }
        unlink(link);
    }
    if (symlink(target, link) < 0) {
        fprintf(stderr, "mdc-sim broute: --link %s: %s\n", link, strerror(errno));
        return -1;
    }
    return 0;
}

static int open_pty(bsim *s)
{
    s->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->master < 0 || grantpt(s->master) < 0 || unlockpt(s->master) < 0 ||
        ptsname_r(s->master, s->path, sizeof s->path) != 0) {
        fprintf(stderr, "mdc-sim broute: cannot create a pseudo-terminal: %s\n", strerror(errno));
        return -1;
    }
    /* keep the slave open so the master never sees a hang-up between clients */
    s->slave = open(s->path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios t;
    if (s->slave < 0 || tcgetattr(s->slave, &t) < 0) {
        fprintf(stderr, "mdc-sim broute: %s: %s\n", s->path, strerror(errno));
        return -1;
    }
    cfmakeraw(&t);
    tcsetattr(s->slave, TCSANOW, &t);
    fcntl(s->master, F_SETFL, fcntl(s->master, F_GETFL) | O_NONBLOCK);
    if (s->o.link[0] && make_link(s->o.link, s->path) < 0) return -1;
    epoll_add(s->epfd, s->master, TAG_PTY);
    bsim_say("pty: %s", s->path);
    return 0;
}

static void pty_readable(bsim *s)
{
    uint8_t buf[4096];
    for (;;) {
        ssize_t n = read(s->master, buf, sizeof buf);
        if (n <= 0) return;
        bsim_module_input(s, buf, (size_t)n, bsim_now_us());
    }
}

static void stdin_readable(bsim *s)
{
    char buf[4096];
    ssize_t n = read(0, buf, sizeof buf);
    if (n > 0)
        bsim_control_feed(s, buf, (size_t)n);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, 0, NULL); /* end of input: keep serving */
}

static void open_stdin(bsim *s)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = TAG_STDIN};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, 0, &ev) == 0 || errno != EPERM) return;
    char buf[4096]; /* a regular file or /dev/null: run it now */
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0)
        bsim_control_feed(s, buf, (size_t)n);
}

static int open_signals(bsim *s)
{
    s->sigfd = sim_signalfd();
    if (s->sigfd < 0) return -1;
    epoll_add(s->epfd, s->sigfd, TAG_SIGNAL);
    return 0;
}

static int run(bsim *s)
{
    struct epoll_event evs[16];
    while (!s->quit) {
        int n = epoll_wait(s->epfd, evs, 16, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            fprintf(stderr, "mdc-sim broute: epoll_wait: %s\n", strerror(errno));
            return 1;
        }
        for (int i = 0; i < n && !s->quit; i++) {
            switch (evs[i].data.u64) {
            case TAG_SIGNAL:
                s->quit = true;
                break;
            case TAG_TIMER:
                flush_due(s);
                break;
            case TAG_STDIN:
                stdin_readable(s);
                break;
            case TAG_PTY:
                pty_readable(s);
                break;
            }
        }
    }
    return 0;
}

static void cleanup(bsim *s)
{
    if (s->o.link[0] && s->path[0]) unlink(s->o.link);
    if (s->master >= 0) close(s->master);
    if (s->slave >= 0) close(s->slave);
    if (s->sigfd >= 0) close(s->sigfd);
    if (s->timerfd >= 0) close(s->timerfd);
    if (s->epfd >= 0) close(s->epfd);
    bsim_meter_free(&s->meter);
    bsim_outq_free(&s->q);
    free(s);
}

int sim_broute_main(int argc, char **argv)
{
    bsim *s = xcalloc(1, sizeof *s);
    s->master = s->slave = s->sigfd = s->timerfd = s->epfd = -1;
    int rc = bsim_parse_opts(argc, argv, &s->o);
    if (rc != 0) {
        cleanup(s);
        return rc > 0 ? 0 : 2;
    }
    char err[256];
    if (bsim_meter_init(&s->meter, &s->o, err, sizeof err) < 0) {
        fprintf(stderr, "mdc-sim broute: %s\n", err);
        cleanup(s);
        return 2;
    }
    s->mute = s->o.mute;
    s->rng = s->o.seed * 0x2545F4914F6CDD1Dull + 7;
    bsim_module_reset(s);
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    rc = 1;
    if (s->epfd >= 0 && s->timerfd >= 0 && open_signals(s) == 0) {
        epoll_add(s->epfd, s->timerfd, TAG_TIMER);
        if (open_pty(s) == 0) {
            open_stdin(s);
            rc = run(s);
        }
    }
    cleanup(s);
    return rc;
}
