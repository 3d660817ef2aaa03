/* SPDX-License-Identifier: Apache-2.0 */
/* ratelimit.c — see ratelimit.h. */
#include "ratelimit.h"

#include <stdio.h>
#include <string.h>

void mdc_ratelimit_init(mdc_ratelimit *rl, int64_t interval_us)
{
    memset(rl, 0, sizeof *rl);
    rl->interval_us = interval_us;
}

bool mdc_ratelimit_allow(mdc_ratelimit *rl, const char *cause, int64_t now_us, uint64_t *held)
{
    bool same = rl->cause[0] && strncmp(rl->cause, cause, sizeof rl->cause - 1) == 0;
    if (same && now_us - rl->last_us < rl->interval_us) {
        rl->held++;
        return false;
    }
    if (held) *held = same ? rl->held : 0;
    rl->held = 0;
    rl->last_us = now_us;
    snprintf(rl->cause, sizeof rl->cause, "%s", cause);
    return true;
}

void mdc_ratelimit_reset(mdc_ratelimit *rl)
{
    rl->cause[0] = '\0';
    rl->held = 0;
}
