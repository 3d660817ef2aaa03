/* SPDX-License-Identifier: Apache-2.0 */
/* util.c — see util.h. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

int sim_signalfd(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int sim_open_fifo(const char *who, const char *path, bool *created)
{
    *created = false;
    if (mkfifo(path, 0600) == 0) {
        *created = true;
    } else if (errno != EEXIST) {
        fprintf(stderr, "%s: --control %s: %s\n", who, path, strerror(errno));
        return -1;
    }
    /* O_RDWR: the FIFO never reports end-of-file when a writer goes away */
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fprintf(stderr, "%s: --control %s: %s\n", who, path, strerror(errno));
    return fd;
}

int sim_parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int sim_parse_double(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || v != v) return -1;
    *out = v;
    return 0;
}
