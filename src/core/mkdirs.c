/* SPDX-License-Identifier: Apache-2.0 */
/* mkdirs.c — see mkdirs.h. */
#include "mkdirs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir(buf) unless it exists; the error names it as `what` (NULL: no word). */
static int make_one(const char *buf, mode_t mode, const char *what, mdc_err *err)
{
    if (mkdir(buf, mode) == 0 || errno == EEXIST) return 0;
    int saved = errno;
    mdc_err_set(err, MDC_EIO, "cannot create %s%s%s: %s", what ? what : "", what ? " " : "", buf,
                strerror(saved));
    errno = saved;
    return -1;
}

int mdc_mkdirs(const char *path, mode_t mode, const char *what, mdc_err *err)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return mdc_err_set(err, MDC_EINVAL, "%s%spath too long: %.64s...", what ? what : "",
                           what ? " " : "", path);
    }
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (make_one(buf, mode, what ? "directory" : NULL, err) < 0) return -1;
        *p = '/';
    }
    return make_one(buf, mode, what, err);
}
