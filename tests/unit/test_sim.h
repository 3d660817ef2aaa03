/* SPDX-License-Identifier: Apache-2.0 */
/* test_sim.h — runs `mdc-sim modbus` for a unit test: start with arguments, read its first
 * line ("tcp: ..." / "pty: ..."), send control commands (each must be acknowledged "ok ..."),
 * stop it with "quit" (it must exit 0). A teardown stops a simulator left running by a failed
 * assertion. Include after cmocka.h. */
#ifndef MDC_TEST_SIM_H
#define MDC_TEST_SIM_H

#include "core/clock.h"

#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct sim {
    pid_t pid;
    int in, out; /* its stdin (we write), its stdout (we read) */
    char first[256];
    char rbuf[4096];
    size_t rlen;
} sim;

/* The simulator of the test in progress (a copy: the test's frame is gone when an assertion
 * fails), stopped by the teardown. */
static sim running;

static void sim_path(char *buf, size_t n)
{
    const char *env = getenv("MDC_SIM");
    if (env && *env) {
        snprintf(buf, n, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(l > 0);
    exe[l] = '\0';
    snprintf(buf, n, "%s/../mdc-sim", dirname(exe));
}

/* Reads one line of the simulator's stdout within timeout_ms. */
static int sim_line(sim *s, char *line, size_t n, int timeout_ms)
{
    int64_t deadline = mdc_mono_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        char *nl = memchr(s->rbuf, '\n', s->rlen);
        if (nl) {
            size_t l = (size_t)(nl - s->rbuf);
            snprintf(line, n, "%.*s", (int)l, s->rbuf);
            memmove(s->rbuf, nl + 1, s->rlen - l - 1);
            s->rlen -= l + 1;
            return 0;
        }
        int left = (int)((deadline - mdc_mono_us()) / 1000);
        struct pollfd p = {.fd = s->out, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0) return -1;
        ssize_t r = read(s->out, s->rbuf + s->rlen, sizeof s->rbuf - s->rlen - 1);
        if (r <= 0) return -1;
        s->rlen += (size_t)r;
    }
}

static void sim_start(sim *s, const char *const *args)
{
    char path[PATH_MAX];
    sim_path(path, sizeof path);
    const char *argv[32] = {path, "modbus"};
    int k = 2;
    for (int i = 0; args[i] && k < 31; i++)
        argv[k++] = args[i];
    argv[k] = NULL;
    int pin[2], pout[2];
    assert_int_equal(pipe(pin), 0);
    assert_int_equal(pipe(pout), 0);
    memset(s, 0, sizeof *s);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive a crashed test */
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        close(pin[1]);
        close(pout[0]);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    s->in = pin[1];
    s->out = pout[0];
    running = *s;
    if (sim_line(s, s->first, sizeof s->first, 5000) < 0) fail_msg("%s did not start", path);
}

static void sim_cmd(sim *s, const char *cmd)
{
    char line[512], want[512];
    snprintf(line, sizeof line, "%s\n", cmd);
    assert_int_equal(write(s->in, line, strlen(line)), (ssize_t)strlen(line));
    assert_int_equal(sim_line(s, line, sizeof line, 3000), 0);
    snprintf(want, sizeof want, "ok %s", cmd);
    assert_string_equal(line, want);
}

static void sim_stop(sim *s)
{
    ssize_t w = write(s->in, "quit\n", 5);
    (void)w;
    int status = 0;
    pid_t r = 0;
    for (int i = 0; i < 300 && (r = waitpid(s->pid, &status, WNOHANG)) == 0; i++)
        usleep(10000);
    bool exited = r == s->pid;
    if (!exited) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &status, 0);
    }
    close(s->in);
    close(s->out);
    running.pid = 0;
    assert_true(exited); /* "quit" ends it */
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0); /* also fails on a sanitizer report */
}

static int teardown(void **state)
{
    (void)state;
    if (running.pid > 0) {
        kill(running.pid, SIGTERM);
        waitpid(running.pid, NULL, 0);
        close(running.in);
        close(running.out);
        running.pid = 0;
    }
    return 0;
}

#endif
