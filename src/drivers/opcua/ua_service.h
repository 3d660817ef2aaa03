/* SPDX-License-Identifier: Apache-2.0 */
/* ua_service.h — service framing: encoding ids, RequestHeader, ResponseHeader, ServiceFault
 * (Part 4 §7.32/7.33, Part 6 §5.3). */
#ifndef MDC_UA_SERVICE_H
#define MDC_UA_SERVICE_H

#include "ua_types.h"

#include "core/err.h"

enum {
    UA_ID_SERVICE_FAULT = 397,
    UA_ID_OPN_REQ = 446,
    UA_ID_OPN_RESP = 449,
    UA_ID_CLO_REQ = 452,
    UA_ID_GET_ENDPOINTS_REQ = 428,
    UA_ID_GET_ENDPOINTS_RESP = 431,
    UA_ID_CREATE_SESSION_REQ = 461,
    UA_ID_CREATE_SESSION_RESP = 464,
    UA_ID_ACTIVATE_SESSION_REQ = 467,
    UA_ID_ACTIVATE_SESSION_RESP = 470,
    UA_ID_CLOSE_SESSION_REQ = 473,
    UA_ID_CLOSE_SESSION_RESP = 476,
    UA_ID_READ_REQ = 631,
    UA_ID_READ_RESP = 634,
    UA_ID_BROWSE_REQ = 527,
    UA_ID_BROWSE_RESP = 530,
    UA_ID_BROWSE_NEXT_REQ = 533,
    UA_ID_BROWSE_NEXT_RESP = 536,
    UA_ID_CREATE_SUBSCRIPTION_REQ = 787,
    UA_ID_CREATE_SUBSCRIPTION_RESP = 790,
    UA_ID_CREATE_MONITORED_ITEMS_REQ = 751,
    UA_ID_CREATE_MONITORED_ITEMS_RESP = 754,
    UA_ID_PUBLISH_REQ = 826,
    UA_ID_PUBLISH_RESP = 829,
    UA_ID_REPUBLISH_REQ = 832,
    UA_ID_REPUBLISH_RESP = 835,
    UA_ID_TRANSFER_SUBSCRIPTIONS_REQ = 841,
    UA_ID_TRANSFER_SUBSCRIPTIONS_RESP = 844,
    UA_ID_DELETE_SUBSCRIPTIONS_REQ = 847,
    UA_ID_DELETE_SUBSCRIPTIONS_RESP = 850,
    UA_ID_ANONYMOUS_TOKEN = 321,
    UA_ID_USERNAME_TOKEN = 324,
    UA_ID_DATA_CHANGE_NOTIFICATION = 811,
    UA_ID_STATUS_CHANGE_NOTIFICATION = 820,
    UA_ID_EVENT_NOTIFICATION_LIST = 916,
    UA_ID_DATA_CHANGE_FILTER = 724,
};

/* Status codes the client acts on. */
#define UA_GOOD                            0x00000000u
#define UA_BAD_TIMEOUT                     0x800A0000u
#define UA_BAD_SHUTDOWN                    0x800C0000u
#define UA_BAD_SECURE_CHANNEL_ID_INVALID   0x80220000u
#define UA_BAD_SESSION_ID_INVALID          0x80250000u
#define UA_BAD_SESSION_CLOSED              0x80260000u
#define UA_BAD_SESSION_NOT_ACTIVATED       0x80270000u
#define UA_BAD_SUBSCRIPTION_ID_INVALID     0x80280000u
#define UA_BAD_USER_ACCESS_DENIED          0x801F0000u
#define UA_BAD_IDENTITY_TOKEN_INVALID      0x80200000u
#define UA_BAD_IDENTITY_TOKEN_REJECTED     0x80210000u
#define UA_BAD_USER_SIGNATURE_INVALID      0x80570000u
#define UA_BAD_TOO_MANY_PUBLISH_REQUESTS   0x80780000u
#define UA_BAD_NO_SUBSCRIPTION             0x80790000u
#define UA_BAD_MESSAGE_NOT_AVAILABLE       0x807B0000u
#define UA_BAD_SECURE_CHANNEL_CLOSED       0x80860000u
#define UA_BAD_SECURITY_CHECKS_FAILED      0x80130000u
#define UA_BAD_CERTIFICATE_URI_INVALID     0x80170000u
#define UA_BAD_CERTIFICATE_USE_NOT_ALLOWED 0x80180000u
#define UA_BAD_CERTIFICATE_UNTRUSTED       0x801A0000u

typedef struct ua_response_header {
    int64_t timestamp;
    uint32_t request_handle;
    uint32_t service_result;
} ua_response_header;

void ua_put_request_header(strbuf *w, const ua_nodeid *auth_token, uint32_t handle,
                           uint32_t timeout_ms);
int ua_get_response_header(ua_r *r, ua_response_header *h);

/* Reads the type id and ResponseHeader of a response body. A ServiceFault, a ServiceResult
 * that is Bad, or another type than `expected` fail with a message naming `service` and the
 * status; *status receives the status (0 when the body did not decode). */
int ua_response_begin(ua_r *r, uint32_t expected, const char *service, uint32_t *status,
                      mdc_err *err);

#endif
