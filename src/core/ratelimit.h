/* SPDX-License-Identifier: Apache-2.0 */
/* ratelimit.h — one log line per cause per interval, with a count of what was held back.
 *
 * A failure that repeats (a full disk, a dead receiver) must not write a line per record:
 *   if (mdc_ratelimit_allow(&rl, err.msg, now, &held)) LOG_ERROR(..., "%s (%llu more)", ...);
 * A new cause is let through at once; the same cause again only after `interval_us`.
 * Not thread-safe: one limiter per thread or guarded by the caller.
 */
#ifndef MDC_RATELIMIT_H
#define MDC_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_ratelimit {
    int64_t interval_us; /* e.g. 60 s */
    int64_t last_us;     /* when a line was last let through */
    uint64_t held;       /* occurrences held back since then */
    char cause[160];     /* what the last line was about */
} mdc_ratelimit;

void mdc_ratelimit_init(mdc_ratelimit *rl, int64_t interval_us);
/* True when a line about `cause` should be written now; *held (may be NULL) receives how many
 * occurrences were held back since the last line (then reset). */
bool mdc_ratelimit_allow(mdc_ratelimit *rl, const char *cause, int64_t now_us, uint64_t *held);
/* Forgets the cause (the condition ended): the next occurrence is let through at once. */
void mdc_ratelimit_reset(mdc_ratelimit *rl);

#endif
