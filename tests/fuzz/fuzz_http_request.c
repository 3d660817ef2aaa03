/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the status API's request target parsing (path routing, percent-decoding,
 * query parameters, times). Input: the raw request target. Checks invariants of the result. */
#include "http/request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mdc_http_req *req, int rc, const mdc_http_error *e)
{
    if (rc < 0) {
        if (e->status != 400 && e->status != 404 && e->status != 414) abort();
        if (!memchr(e->msg, '\0', sizeof e->msg) || !e->msg[0]) abort();
        return;
    }
    if (req->limit < 1 || req->limit > MDC_HTTP_LIMIT_MAX) abort();
    if (req->has_from && req->has_to && req->from_us >= req->to_us) abort();
    bool device_route = req->route == MDC_ROUTE_DEVICE || req->route == MDC_ROUTE_HISTORY ||
                        req->route == MDC_ROUTE_SHIFTS || req->route == MDC_ROUTE_SERIES ||
                        req->route == MDC_ROUTE_TIMELINE;
    if (req->route == MDC_ROUTE_SERIES && !req->point[0]) abort();
    if (req->has_step && (req->step_us < 1000000 || req->step_us > 86400LL * 1000000)) abort();
    if (req->offset < 0) abort();
    if (device_route && !mdc_http_valid_id(req->device)) abort();
    if (req->route == MDC_ROUTE_ASSET && !req->asset[0]) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *target = malloc(size + 1);
    memcpy(target, data, size);
    target[size] = '\0';
    mdc_http_req req;
    mdc_http_error e;
    check(&req, mdc_http_parse_target(target, &req, &e), &e);
    int64_t t;
    mdc_http_parse_time(target, &t);
    char *dec = malloc(size + 1);
    int n = mdc_http_pct_decode(target, strlen(target), dec);
    if (n >= 0 && (size_t)n > strlen(target)) abort();
    free(dec);
    free(target);
    return 0;
}
