/* SPDX-License-Identifier: Apache-2.0 */
/* ua_text.h — text forms: NodeIds ("ns=2;s=Name", "i=85", "g=…", "b=…", "nsu=URI;…"), Guids,
 * base64, status code names, and values as JSON text. */
#ifndef MDC_UA_TEXT_H
#define MDC_UA_TEXT_H

#include "ua_types.h"

#include "core/err.h"
#include "core/strbuf.h"

/* Parses a NodeId. With "nsu=URI;" the URI is returned in *ns_uri (malloc'd, the caller
 * resolves it against the server's NamespaceArray) and out->ns is 0; otherwise *ns_uri is
 * NULL. ns_uri may be NULL when URIs are not accepted. */
int ua_nodeid_parse(const char *text, ua_nodeid *out, char **ns_uri, mdc_err *err);
/* "i=85", "ns=2;s=Machine.Power", "ns=1;g=…", "ns=1;b=…" (ns omitted when 0). */
void ua_nodeid_format(const ua_nodeid *id, strbuf *out);
/* As above, with "nsu=URI;" when the ExpandedNodeId carries a namespace URI ("svr=N;" too). */
void ua_expnodeid_format(const ua_expnodeid *id, strbuf *out);

int ua_guid_parse(const char *s, size_t n, ua_guid *out); /* 8-4-4-4-12 hex; 0 or -1 */
void ua_guid_format(const ua_guid *g, strbuf *out);

void ua_base64_encode(const void *p, size_t n, strbuf *out);
/* Decodes standard base64 (padding optional, whitespace not allowed); 0 or -1. */
int ua_base64_decode(const char *s, size_t n, strbuf *out);

/* "BadNodeIdUnknown"; NULL for codes without a standard name (flag bits ignored). */
const char *ua_status_name(uint32_t code);
/* "BadNodeIdUnknown (0x80340000)" into buf. */
const char *ua_status_text(uint32_t code, char *buf, size_t n);
static inline bool ua_status_is_bad(uint32_t code)
{
    return (code >> 30) >= 2;
}
static inline bool ua_status_is_uncertain(uint32_t code)
{
    return (code >> 30) == 1;
}

/* ISO 8601 UTC with milliseconds: "2026-11-22T06:00:05.123Z"; "" for 0 (unset). */
void ua_datetime_format(int64_t dt, strbuf *out);
/* A Variant as JSON: numbers, strings (escaped), booleans, arrays ([...]), null; DateTime as
 * an ISO string, ByteString as base64, NodeId/QualifiedName/LocalizedText/Guid as text. */
void ua_variant_json(const ua_variant *v, strbuf *out);
/* One element of a Variant (index i) as JSON. */
void ua_value_json(int type, const void *elem, strbuf *out);
/* Appends a JSON string literal. */
void ua_json_string(const char *s, size_t n, strbuf *out);

#endif
