/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_bdseq.c — bdSeq kept between runs in a small file (see sparkplug_sink.h). */
#include "sparkplug_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int mdc_sp_bdseq_load(const char *path, int *out, mdc_err *err)
{
    *out = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT) return 0;
        return mdc_err_set(err, MDC_EIO, "sparkplug: cannot read %s: %s", path, strerror(errno));
    }
    char buf[32] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *end;
    long v = strtol(buf, &end, 10);
    if (end == buf || (*end && *end != '\n') || v < 0 || v > 255)
        return mdc_err_set(err, MDC_EINVAL,
                           "sparkplug: %s: expected a bdSeq from 0 to 255, got \"%.20s\"; delete "
                           "the file to start again at 0",
                           path, buf);
    *out = (int)v;
    return 0;
}

int mdc_sp_bdseq_store(const char *path, int value, mdc_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return mdc_err_set(err, MDC_EIO, "sparkplug: cannot write %s: %s", tmp, strerror(errno));
    char buf[16];
    int len = snprintf(buf, sizeof buf, "%d\n", value);
    bool ok = write(fd, buf, (size_t)len) == len && fsync(fd) == 0;
    int e = errno;
    close(fd);
    if (!ok || rename(tmp, path) < 0) {
        if (ok) e = errno;
        unlink(tmp);
        return mdc_err_set(err, MDC_EIO, "sparkplug: cannot store bdSeq in %s: %s", path,
                           strerror(e));
    }
    return 0;
}
