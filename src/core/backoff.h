/* SPDX-License-Identifier: Apache-2.0 */
/* backoff.h — capped exponential backoff with jitter, for reconnects and retries.
 * delay(n) = d/2 + random(0, d/2) where d = min(cap, base * 2^(n-1)): it grows quickly, never
 * exceeds the cap, and spreads retries of many peers apart. */
#ifndef MDC_BACKOFF_H
#define MDC_BACKOFF_H

#include <stdint.h>

typedef struct mdc_backoff {
    int64_t base_us, cap_us;
    unsigned failures;
    uint64_t rng; /* xorshift state; seeded per instance */
} mdc_backoff;

void mdc_backoff_init(mdc_backoff *b, int64_t base_us, int64_t cap_us, uint64_t seed);
/* Records a failure and returns the delay before the next attempt. */
int64_t mdc_backoff_next(mdc_backoff *b);
void mdc_backoff_reset(mdc_backoff *b);

#endif
