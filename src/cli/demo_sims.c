/* SPDX-License-Identifier: Apache-2.0 */
/* demo_sims.c — starting, watching and stopping the demo's simulators (demo_sims.h). */
#include "demo_sims.h"

#include "core/clock.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_DEADLINE_US (10 * MDC_US_PER_SEC)

static const char *const meter_names[DEMO_SIMS] = {"meter-1", "meter-2"};

/* mdc-sim beside this mdc (a build tree, /usr/bin), else from PATH. */
static void find_sim(demo_sims *d)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash && (size_t)(slash - self) + sizeof "/mdc-sim" <= sizeof d->sim) {
            snprintf(d->sim, sizeof d->sim, "%.*s/mdc-sim", (int)(slash - self), self);
            if (access(d->sim, X_OK) == 0) return;
        }
    }
    snprintf(d->sim, sizeof d->sim, "mdc-sim");
}

static void child(char *const args[], int out)
{
    prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the demo */
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(out, 1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    execvp(args[0], args);
    fprintf(stderr, "mdc demo: cannot run %s: %s\n", args[0], strerror(errno));
    _exit(127);
}

static int spawn(demo_sims *d, int k, char *const args[])
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) child(args, p[1]);
    close(p[1]);
    d->pids[k] = pid;
    d->out[k] = p[0];
    return 0;
}

/* Reads one line (without '\n') from fd, waiting until `deadline` (monotonic µs). Returns its
 * length, 0 at end of file or timeout, -1 on error. */
static int read_line(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t n = 0;
    while (n + 1 < cap) {
        int64_t left = deadline - mdc_mono_us();
        struct pollfd pf = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pf, 1, (int)(left / 1000) + 1) <= 0) return 0;
        ssize_t r = read(fd, buf + n, 1);
        if (r <= 0) return r < 0 && errno != EINTR ? -1 : 0;
        if (buf[n] == '\n') break;
        n++;
    }
    buf[n] = '\0';
    return (int)n;
}

/* Waits for the simulator's "tcp: HOST:PORT" or "pty: PATH" line. */
static int wait_announcement(demo_sims *d, int k, const char *prefix, char *line, size_t cap)
{
    int64_t deadline = mdc_mono_us() + START_DEADLINE_US;
    size_t pl = strlen(prefix);
    while (read_line(d->out[k], line, cap, deadline) > 0)
        if (strncmp(line, prefix, pl) == 0) return 0;
    fprintf(stderr, "mdc demo: the %s simulator (%s) did not start\n", meter_names[k], d->sim);
    return -1;
}

static int start_tcp(demo_sims *d)
{
    char *args[] = {d->sim,      "modbus",  "--tcp", "127.0.0.1:0", "--profile",
                    "sdm630",    "--units", "1",     "--cycle",     "off=8,idle=12,production=20",
                    "--control", d->ctl[0], NULL};
    char line[512];
    if (spawn(d, 0, args) < 0 || wait_announcement(d, 0, "tcp: ", line, sizeof line) < 0) return -1;
    const char *colon = strrchr(line, ':');
    d->tcp_port = colon ? atoi(colon + 1) : 0;
    return d->tcp_port > 0 ? 0 : -1;
}

static int start_rtu(demo_sims *d)
{
    char *args[] = {d->sim,
                    "modbus",
                    "--rtu",
                    "--link",
                    d->pty,
                    "--baud",
                    "19200",
                    "--units",
                    "2",
                    "--profile",
                    "sdm630",
                    "--cycle",
                    "idle=10,production=25,off=5",
                    "--control",
                    d->ctl[1],
                    NULL};
    char line[512];
    return spawn(d, 1, args) < 0 || wait_announcement(d, 1, "pty: ", line, sizeof line) < 0 ? -1
                                                                                            : 0;
}

/* The control FIFO exists once the simulator reads it. */
static bool fifos_ready(const demo_sims *d)
{
    struct stat st;
    for (int k = 0; k < DEMO_SIMS; k++)
        if (stat(d->ctl[k], &st) < 0 || !S_ISFIFO(st.st_mode)) return false;
    return true;
}

/* Logs the simulators' answers to control commands until both have closed their output. */
static void *relay(void *arg)
{
    demo_sims *d = arg;
    for (;;) {
        struct pollfd pf[DEMO_SIMS];
        int n = 0;
        for (int k = 0; k < DEMO_SIMS; k++) {
            pf[k] = (struct pollfd){.fd = d->out[k], .events = POLLIN};
            n += d->out[k] >= 0;
        }
        if (n == 0 || poll(pf, DEMO_SIMS, -1) < 0) return NULL;
        for (int k = 0; k < DEMO_SIMS; k++) {
            if (d->out[k] < 0 || !(pf[k].revents & (POLLIN | POLLHUP))) continue;
            char line[1024];
            int len = read_line(d->out[k], line, sizeof line, mdc_mono_us() + MDC_US_PER_SEC);
            if (len < 0 || (len == 0 && (pf[k].revents & POLLHUP))) {
                close(d->out[k]);
                d->out[k] = -1;
            } else if (strncmp(line, "error ", 6) == 0) {
                LOG_WARN("demo", "%s simulator refused the command: %s", meter_names[k], line + 6);
            } else if (len > 0) {
                LOG_INFO("demo", "%s simulator: %s", meter_names[k], line);
            }
        }
    }
}

int demo_sims_start(demo_sims *d, const char *data_dir)
{
    memset(d, 0, sizeof *d);
    for (int k = 0; k < DEMO_SIMS; k++)
        d->out[k] = -1;
    find_sim(d);
    snprintf(d->pty, sizeof d->pty, "%s/tty-meter-2", data_dir);
    unlink(d->pty);
    for (int k = 0; k < DEMO_SIMS; k++) {
        snprintf(d->ctl[k], sizeof d->ctl[k], "%s/sim-meter-%d.ctl", data_dir, k + 1);
        unlink(d->ctl[k]);
    }
    if (start_tcp(d) < 0 || start_rtu(d) < 0) return -1;
    for (int64_t end = mdc_mono_us() + START_DEADLINE_US; !fifos_ready(d);) {
        if (mdc_mono_us() > end) {
            fprintf(stderr, "mdc demo: the simulators' control FIFOs did not appear in %s\n",
                    data_dir);
            return -1;
        }
        mdc_sleep_us(20000);
    }
    d->relaying = pthread_create(&d->relay, NULL, relay, d) == 0;
    return 0;
}

void demo_sims_stop(demo_sims *d)
{
    for (int k = 0; k < DEMO_SIMS; k++)
        if (d->pids[k] > 0) kill(d->pids[k], SIGTERM);
    for (int k = 0; k < DEMO_SIMS; k++)
        if (d->pids[k] > 0) waitpid(d->pids[k], NULL, 0);
    if (d->relaying) pthread_join(d->relay, NULL); /* ends at the simulators' end of output */
    for (int k = 0; k < DEMO_SIMS; k++) {
        if (d->out[k] >= 0) close(d->out[k]);
        d->out[k] = -1;
        d->pids[k] = 0;
        if (d->ctl[k][0]) unlink(d->ctl[k]);
    }
    d->relaying = false;
    if (d->pty[0]) unlink(d->pty);
}
