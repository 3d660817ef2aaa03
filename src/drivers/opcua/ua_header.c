/* SPDX-License-Identifier: Apache-2.0 */
/* ua_header.c — RequestHeader and ResponseHeader, and the common start of every response. */
#include "ua_service.h"
#include "ua_text.h"

void ua_put_request_header(strbuf *w, const ua_nodeid *auth_token, uint32_t handle,
                           uint32_t timeout_ms)
{
    ua_nodeid null_id = ua_nodeid_numeric(0, 0);
    ua_put_nodeid(w, auth_token ? auth_token : &null_id);
    ua_put_i64(w, ua_datetime_now());
    ua_put_u32(w, handle);
    ua_put_u32(w, 0);          /* ReturnDiagnostics */
    ua_put_cstr(w, NULL);      /* AuditEntryId */
    ua_put_u32(w, timeout_ms); /* TimeoutHint */
    ua_put_typeid(w, 0);       /* AdditionalHeader: null ExtensionObject */
    ua_put_u8(w, UA_EXT_NONE);
}

int ua_get_response_header(ua_r *r, ua_response_header *h)
{
    ua_diaginfo diag = {0};
    ua_extobj extra = {0};
    int rc = ua_get_i64(r, &h->timestamp) || ua_get_u32(r, &h->request_handle) ||
                     ua_get_u32(r, &h->service_result) || ua_get_diaginfo(r, &diag) ||
                     ua_skip_array(r, ua_type_of(UA_STRING)) || ua_get_extobj(r, &extra)
                 ? -1
                 : 0;
    ua_diaginfo_clear(&diag);
    ua_extobj_clear(&extra);
    return rc;
}

int ua_response_begin(ua_r *r, uint32_t expected, const char *service, uint32_t *status,
                      mdc_err *err)
{
    ua_nodeid type;
    ua_response_header h = {0};
    char buf[96];
    *status = 0;
    if (ua_get_nodeid(r, &type) < 0 || ua_get_response_header(r, &h) < 0) {
        ua_nodeid_clear(&type);
        return mdc_err_set(err, MDC_EPROTO, "%s: malformed response (%s)", service,
                           r->why ? r->why : "?");
    }
    *status = h.service_result;
    bool numeric = type.kind == UA_NID_NUMERIC && type.ns == 0;
    uint32_t id = type.num;
    ua_nodeid_clear(&type);
    if (numeric && id == UA_ID_SERVICE_FAULT)
        return mdc_err_set(
            err, MDC_EDEVICE, "%s failed: %s", service,
            ua_status_text(h.service_result ? h.service_result : 0x80000000u, buf, sizeof buf));
    if (!numeric || id != expected)
        return mdc_err_set(err, MDC_EPROTO, "%s: unexpected response type %u", service,
                           (unsigned)id);
    if (ua_status_is_bad(h.service_result))
        return mdc_err_set(err, MDC_EDEVICE, "%s failed: %s", service,
                           ua_status_text(h.service_result, buf, sizeof buf));
    return 0;
}
