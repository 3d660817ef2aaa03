/* SPDX-License-Identifier: Apache-2.0 */
/* ua_services.h — the services the collector uses, on a connected ua_client: Read (split by
 * the server's MaxNodesPerRead), Browse and BrowseNext, and the server's operation limits. */
#ifndef MDC_UA_SERVICES_H
#define MDC_UA_SERVICES_H

#include "ua_client.h"
#include "ua_types.h"

enum {
    UA_ATTR_NODEID = 1,
    UA_ATTR_NODECLASS = 2,
    UA_ATTR_BROWSENAME = 3,
    UA_ATTR_DISPLAYNAME = 4,
    UA_ATTR_VALUE = 13,
    UA_ATTR_DATATYPE = 14
};

/* Well-known nodes */
#define UA_NS0_OBJECTS_FOLDER         85
#define UA_NS0_SERVER_STATE           2259
#define UA_NS0_NAMESPACE_ARRAY        2255
#define UA_NS0_MAX_NODES_PER_READ     11705
#define UA_NS0_MAX_MONITORED_PER_CALL 11714
#define UA_NS0_HIERARCHICAL_REFS      33

/* Reads `attribute` of n nodes into out[n] (zeroed by the caller; cleared with
 * ua_datavalue_clear), in requests of at most max_per_read nodes (0 = all at once).
 * Per-node failures are in each DataValue's status; -1 only when a request failed. */
int ua_read(ua_client *c, const ua_nodeid *nodes, size_t n, uint32_t attribute,
            uint32_t max_per_read, ua_datavalue *out, mdc_err *err);
/* A server limit (UA_NS0_MAX_NODES_PER_READ, ...); 0 when unknown or unlimited. */
uint32_t ua_read_limit(ua_client *c, uint32_t node);

typedef struct ua_reference {
    ua_nodeid ref_type;
    bool forward;
    ua_expnodeid target;
    ua_qname browse_name;
    ua_ltext display_name;
    int32_t node_class;
    ua_expnodeid type_def;
} ua_reference;

void ua_references_free(ua_reference *refs, size_t n);
/* Forward hierarchical references of `node` (Browse, then BrowseNext until done). */
int ua_browse(ua_client *c, const ua_nodeid *node, uint32_t max_per_call, ua_reference **refs,
              size_t *n, mdc_err *err);
const char *ua_node_class_name(int32_t cls);

#endif
