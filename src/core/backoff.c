/* SPDX-License-Identifier: Apache-2.0 */
#include "backoff.h"

void mdc_backoff_init(mdc_backoff *b, int64_t base_us, int64_t cap_us, uint64_t seed)
{
    b->base_us = base_us > 0 ? base_us : 1;
    b->cap_us = cap_us >= b->base_us ? cap_us : b->base_us;
    b->failures = 0;
    b->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t next_rand(mdc_backoff *b)
{
    uint64_t x = b->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b->rng = x;
    return x;
}

int64_t mdc_backoff_next(mdc_backoff *b)
{
    if (b->failures < 62) b->failures++;
    int64_t d = b->base_us;
    for (unsigned i = 1; i < b->failures && d < b->cap_us; i++)
        d *= 2;
    if (d > b->cap_us) d = b->cap_us;
    int64_t half = d / 2;
    return half + (half > 0 ? (int64_t)(next_rand(b) % (uint64_t)(half + 1)) : 0);
}

void mdc_backoff_reset(mdc_backoff *b)
{
    b->failures = 0;
}
