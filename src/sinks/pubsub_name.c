/* SPDX-License-Identifier: Apache-2.0 */
/* pubsub_name.c — Pub/Sub project and topic names, checked before they go into a URL. */
#include "pubsub_name.h"

#include <stdbool.h>
#include <string.h>

int mdc_pubsub_name_check(const char *what, const char *name, mdc_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255)
        return mdc_err_set(err, MDC_EINVAL, "%s must be 1 to 255 characters", what);
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  strchr("-_.~+%:", c);
        if (!ok)
            return mdc_err_set(err, MDC_EINVAL,
                               "%s \"%s\" has a character that is not allowed (%c)", what, name, c);
    }
    return 0;
}
