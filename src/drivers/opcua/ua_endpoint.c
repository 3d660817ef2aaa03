/* SPDX-License-Identifier: Apache-2.0 */
/* ua_endpoint.c — endpoint descriptions and their selection (see ua_endpoint.h). */
#include "ua_endpoint.h"
#include "ua_crypto.h"
#include "ua_service.h"

#include "core/strbuf.h"
#include "core/xalloc.h"

#include <string.h>

static void token_clear(ua_token_policy *t)
{
    ua_string_clear(&t->policy_id);
    ua_string_clear(&t->policy_uri);
}

void ua_endpoint_clear(ua_endpoint *e)
{
    ua_string_clear(&e->url);
    ua_string_clear(&e->server_uri);
    ua_string_clear(&e->server_cert);
    ua_string_clear(&e->policy_uri);
    ua_string_clear(&e->transport_uri);
    for (int32_t i = 0; i < e->ntokens; i++)
        token_clear(&e->tokens[i]);
    free(e->tokens);
    memset(e, 0, sizeof *e);
}

void ua_endpoint_copy(ua_endpoint *dst, const ua_endpoint *src)
{
    *dst = *src;
    ua_string_copy(&dst->url, &src->url);
    ua_string_copy(&dst->server_uri, &src->server_uri);
    ua_string_copy(&dst->server_cert, &src->server_cert);
    ua_string_copy(&dst->policy_uri, &src->policy_uri);
    ua_string_copy(&dst->transport_uri, &src->transport_uri);
    dst->tokens = src->ntokens > 0 ? xcalloc((size_t)src->ntokens, sizeof *dst->tokens) : NULL;
    for (int32_t i = 0; i < src->ntokens; i++) {
        dst->tokens[i].type = src->tokens[i].type;
        ua_string_copy(&dst->tokens[i].policy_id, &src->tokens[i].policy_id);
        ua_string_copy(&dst->tokens[i].policy_uri, &src->tokens[i].policy_uri);
    }
}

int ua_get_appdesc(ua_r *r, ua_string *uri)
{
    ua_string app = {-1, NULL};
    ua_ltext name = {{-1, NULL}, {-1, NULL}};
    int32_t type;
    const ua_type *str = ua_type_of(UA_STRING);
    int rc = ua_get_string(r, &app) || ua_skip(r, str) || ua_get_ltext(r, &name) ||
                     ua_get_i32(r, &type) || ua_skip(r, str) || ua_skip(r, str) ||
                     ua_skip_array(r, str)
                 ? -1
                 : 0;
    ua_ltext_clear(&name);
    if (uri)
        *uri = app;
    else
        ua_string_clear(&app);
    return rc;
}

static int get_token(ua_r *r, ua_token_policy *t)
{
    const ua_type *str = ua_type_of(UA_STRING);
    return ua_get_string(r, &t->policy_id) || ua_get_i32(r, &t->type) || ua_skip(r, str) ||
                   ua_skip(r, str) || ua_get_string(r, &t->policy_uri)
               ? -1
               : 0;
}

static int get_tokens(ua_r *r, ua_endpoint *e)
{
    int32_t n;
    if (ua_get_i32(r, &n) < 0) return -1;
    if (n <= 0) return 0;
    if ((size_t)n > ua_r_left(r) / 16) return ua_r_fail(r, "too many token policies");
    e->tokens = xcalloc((size_t)n, sizeof *e->tokens);
    for (int32_t i = 0; i < n; i++) {
        e->ntokens = i + 1;
        e->tokens[i].policy_id.len = e->tokens[i].policy_uri.len = -1;
        if (get_token(r, &e->tokens[i]) < 0) return -1;
    }
    return 0;
}

int ua_get_endpoint(ua_r *r, ua_endpoint *e)
{
    memset(e, 0, sizeof *e);
    return ua_get_string(r, &e->url) || ua_get_appdesc(r, &e->server_uri) ||
                   ua_get_string(r, &e->server_cert) || ua_get_i32(r, &e->mode) ||
                   ua_get_string(r, &e->policy_uri) || get_tokens(r, e) ||
                   ua_get_string(r, &e->transport_uri) || ua_get_u8(r, &e->level)
               ? -1
               : 0;
}

void ua_endpoints_free(ua_endpoint *eps, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        ua_endpoint_clear(&eps[i]);
    free(eps);
}

int ua_get_endpoints_response(const void *body, size_t n, ua_endpoint **eps, int32_t *count,
                              mdc_err *err)
{
    ua_r r;
    uint32_t status;
    int32_t cnt;
    *eps = NULL;
    *count = 0;
    ua_r_init(&r, body, n);
    if (ua_response_begin(&r, UA_ID_GET_ENDPOINTS_RESP, "GetEndpoints", &status, err) < 0)
        return -1;
    if (ua_get_i32(&r, &cnt) < 0 || cnt < 0 || (size_t)cnt > ua_r_left(&r) / 8)
        return mdc_err_set(err, MDC_EPROTO, "GetEndpoints: malformed response");
    *eps = xcalloc(cnt ? (size_t)cnt : 1, sizeof **eps);
    for (int32_t i = 0; i < cnt; i++) {
        *count = i + 1;
        if (ua_get_endpoint(&r, &(*eps)[i]) < 0)
            return mdc_err_set(err, MDC_EPROTO, "GetEndpoints: malformed endpoint (%s)",
                               r.why ? r.why : "?");
    }
    return 0;
}

static const char *policy_short(const ua_string *uri)
{
    const ua_policy *p = ua_policy_by_uri(uri->data);
    if (p) return p->name;
    const char *hash = uri->data ? strrchr(uri->data, '#') : NULL;
    return hash ? hash + 1 : "?";
}

int ua_endpoint_select(const ua_endpoint *eps, int32_t n, const char *policy_uri, int mode,
                       mdc_err *err)
{
    int best = -1;
    for (int32_t i = 0; i < n; i++) {
        if (!eps[i].policy_uri.data || strcmp(eps[i].policy_uri.data, policy_uri) != 0) continue;
        if (eps[i].mode != mode) continue;
        if (eps[i].transport_uri.data && !strstr(eps[i].transport_uri.data, "uatcp")) continue;
        if (best < 0 || eps[i].level > eps[best].level) best = (int)i;
    }
    if (best >= 0) return best;
    strbuf offered = STRBUF_INIT;
    for (int32_t i = 0; i < n; i++)
        sb_printf(&offered, "%s%s/%s", i ? ", " : "", policy_short(&eps[i].policy_uri),
                  ua_mode_name(eps[i].mode));
    const ua_policy *want = ua_policy_by_uri(policy_uri);
    mdc_err_set(err, MDC_EINVAL, "the server offers no endpoint %s/%s; it offers: %s",
                want ? want->name : policy_uri, ua_mode_name(mode),
                offered.len ? offered.buf : "none");
    sb_free(&offered);
    return -1;
}

const ua_token_policy *ua_endpoint_token(const ua_endpoint *e, int32_t type)
{
    for (int32_t i = 0; i < e->ntokens; i++)
        if (e->tokens[i].type == type) return &e->tokens[i];
    return NULL;
}
