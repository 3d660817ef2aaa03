/* SPDX-License-Identifier: Apache-2.0 */
/* xalloc.h — allocation that never returns NULL: on exhaustion the process logs and aborts.
 * A collector that cannot allocate a few bytes cannot do anything useful; failing loudly is
 * better than threading ENOMEM through every code path. */
#ifndef MDC_XALLOC_H
#define MDC_XALLOC_H

#include <stdlib.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grows *p (an array of elements of `size` bytes) so it holds at least `need` elements. */
void xgrow(void *pp, size_t *cap, size_t need, size_t size);

#endif
