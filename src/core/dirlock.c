/* SPDX-License-Identifier: Apache-2.0 */
/* dirlock.c — see dirlock.h. */
#include "dirlock.h"
#include "mkdirs.h"

#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct mdc_dirlock {
    char *dir;
    int fd;
};

/* The PID the holder wrote, or 0 when the file holds none (yet). */
static long holder_pid(int fd)
{
    char buf[32];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    char *end;
    long pid = strtol(buf, &end, 10);
    return pid > 0 && (*end == '\n' || *end == '\0') ? pid : 0;
}

static int busy(const char *dir, const char *path, int fd, mdc_err *err)
{
    long pid = holder_pid(fd);
    if (pid)
        return mdc_err_set(err, MDC_ESTATE,
                           "data directory %s is in use by another process (pid %ld, %s): stop "
                           "it first, or give this one another data directory",
                           dir, pid, path);
    return mdc_err_set(err, MDC_ESTATE,
                       "data directory %s is in use by another process (%s): stop it first, or "
                       "give this one another data directory",
                       dir, path);
}

static int write_pid(int fd, const char *path, mdc_err *err)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
        return mdc_err_set(err, MDC_EIO, "cannot write %s: %s", path, strerror(errno));
    return 0;
}

int mdc_dirlock_acquire(const char *dir, mdc_dirlock **out, mdc_err *err)
{
    if (mdc_mkdirs(dir, 0755, "data directory", err) < 0) return -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/mdc.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return mdc_err_set(err, MDC_EIO, "cannot open %s: %s", path, strerror(errno));
    int rc;
    while ((rc = flock(fd, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
        ;
    if (rc < 0) {
        int e = errno;
        rc = e == EWOULDBLOCK ? busy(dir, path, fd, err)
                              : mdc_err_set(err, MDC_EIO, "cannot lock %s: %s", path, strerror(e));
        close(fd);
        return rc;
    }
    if (write_pid(fd, path, err) < 0) {
        close(fd);
        return -1;
    }
    mdc_dirlock *l = xcalloc(1, sizeof *l);
    l->dir = xstrdup(dir);
    l->fd = fd;
    *out = l;
    return 0;
}

void mdc_dirlock_release(mdc_dirlock *l)
{
    if (!l) return;
    close(l->fd); /* closing the only descriptor of the open file releases the lock */
    free(l->dir);
    free(l);
}

const char *mdc_dirlock_dir(const mdc_dirlock *l)
{
    return l->dir;
}
