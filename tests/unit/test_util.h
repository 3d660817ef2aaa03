/* SPDX-License-Identifier: Apache-2.0 */
/* test_util.h — helpers shared by unit tests. */
#ifndef MDC_TEST_UTIL_H
#define MDC_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh temporary directory; removed (recursively) by tu_rmdir. */
static inline char *tu_tmpdir(void)
{
    char *d = strdup("/tmp/mdc-test-XXXXXX");
    if (!mkdtemp(d)) abort();
    return d;
}

static inline void tu_rmdir(char *d)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", d);
    free(d);
}

#endif
