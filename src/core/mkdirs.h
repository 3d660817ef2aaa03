/* SPDX-License-Identifier: Apache-2.0 */
/* mkdirs.h — creating a directory and its missing parents (mkdir -p). */
#ifndef MDC_MKDIRS_H
#define MDC_MKDIRS_H

#include "err.h"

#include <sys/types.h>

/* Creates path and each missing parent with `mode`; existing ones are fine. `what` names the
 * last directory in errors ("cannot create data directory PATH: reason"; a parent is a
 * "directory"); NULL: "cannot create PATH: reason" for both. Fails with MDC_EINVAL for a path
 * longer than 4095 bytes and MDC_EIO otherwise, errno as mkdir(2) left it. */
int mdc_mkdirs(const char *path, mode_t mode, const char *what, mdc_err *err);

#endif
