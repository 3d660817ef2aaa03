/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_inspect.c — `mdc read -c FILE DEVICE --browse [NODE]`: the children of a node (the
 * Objects folder by default) with their node ids, classes and current values, to find the
 * right nodes on a new machine (--browse-max N: at most N references per Browse call, the rest
 * by BrowseNext). Without --browse: each configured node with its raw value. */
#include "opcua_internal.h"
#include "ua_services.h"
#include "ua_text.h"

#include "core/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void print_value(const ua_datavalue *dv, strbuf *out)
{
    char buf[96];
    if (ua_status_is_bad(dv->status)) {
        sb_printf(out, "(%s)", ua_status_text(dv->status, buf, sizeof buf));
        return;
    }
    const ua_type *t = ua_type_of(dv->value.type);
    if (t) sb_printf(out, "%s%s ", t->name, dv->value.is_array ? "[]" : "");
    ua_variant_json(&dv->value, out);
}

static void print_children(ua_client *c, const ua_reference *refs, size_t n, uint32_t max,
                           strbuf *out)
{
    ua_nodeid *vars = xcalloc(n ? n : 1, sizeof *vars);
    ua_datavalue *dv = xcalloc(n ? n : 1, sizeof *dv);
    size_t nv = 0;
    for (size_t i = 0; i < n; i++)
        if (refs[i].node_class == 2 && refs[i].target.server_index == 0 &&
            !refs[i].target.ns_uri.data)
            vars[nv++] = refs[i].target.id; /* borrowed */
    mdc_err e;
    bool values = nv == 0 || ua_read(c, vars, nv, UA_ATTR_VALUE, max, dv, &e) == 0;
    for (size_t i = 0, k = 0; i < n; i++) {
        const ua_reference *r = &refs[i];
        strbuf id = STRBUF_INIT;
        ua_expnodeid_format(&r->target, &id);
        sb_printf(out, "%-40s %-13s %s", sb_str(&id), ua_node_class_name(r->node_class),
                  r->browse_name.name.data ? r->browse_name.name.data : "");
        sb_free(&id);
        if (r->node_class == 2 && r->target.server_index == 0 && !r->target.ns_uri.data) {
            sb_puts(out, " = ");
            if (values)
                print_value(&dv[k], out);
            else
                sb_printf(out, "(%s)", e.msg);
            k++;
        }
        sb_putc(out, '\n');
    }
    for (size_t i = 0; i < nv; i++)
        ua_datavalue_clear(&dv[i]);
    free(dv);
    free(vars);
}

static int browse(opcua_bus *b, const char *start, uint32_t max, strbuf *out, mdc_err *err)
{
    ua_nodeid node;
    char *uri = NULL;
    if (ua_nodeid_parse(start ? start : "i=85", &node, &uri, err) < 0) return -1;
    if (uri) {
        int ns = ua_client_namespace_index(b->client, uri, err);
        free(uri);
        if (ns < 0) {
            ua_nodeid_clear(&node);
            return -1;
        }
        node.ns = (uint16_t)ns;
    }
    ua_reference *refs = NULL;
    size_t n = 0;
    int rc = ua_browse(b->client, &node, max, &refs, &n, err);
    if (rc == 0) {
        strbuf id = STRBUF_INIT;
        ua_nodeid_format(&node, &id);
        sb_printf(out, "children of %s (%zu):\n", sb_str(&id), n);
        sb_free(&id);
        print_children(b->client, refs, n, b->max_per_read, out);
    }
    ua_references_free(refs, n);
    ua_nodeid_clear(&node);
    return rc;
}

static int show_nodes(opcua_bus *b, strbuf *out, mdc_err *err)
{
    const opcua_cfg *c = b->cfg;
    ua_datavalue *dv = xcalloc(c->nnodes, sizeof *dv);
    int rc = ua_read(b->client, b->ids, c->nnodes, UA_ATTR_VALUE, b->max_per_read, dv, err);
    for (size_t i = 0; rc == 0 && i < c->nnodes; i++) {
        sb_printf(out, "%-20s %-40s ", c->nodes[i].name, c->nodes[i].text);
        print_value(&dv[i], out);
        sb_putc(out, '\n');
    }
    for (size_t i = 0; i < c->nnodes; i++)
        ua_datavalue_clear(&dv[i]);
    free(dv);
    return rc;
}

int opcua_inspect(void *p, const void *cfgp, int argc, char **argv, strbuf *out, mdc_err *err)
{
    opcua_bus *b = p;
    (void)cfgp;
    const char *start = NULL;
    bool do_browse = false;
    uint32_t max = 0; /* references per Browse call; the rest come by BrowseNext */
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--browse"))
            do_browse = true;
        else if (!strcmp(argv[i], "--browse-max") && i + 1 < argc)
            max = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (do_browse && !start && argv[i][0] != '-')
            start = argv[i];
        else if (strcmp(argv[i], "--raw") != 0)
            return mdc_err_set(err, MDC_EINVAL, "unknown option %s (try --browse [NODE])", argv[i]);
    }
    if (opcua_bus_ready(b, err) < 0) return -1;
    ua_client_stats st = ua_client_get_stats(b->client);
    const ua_endpoint *ep = ua_client_endpoint(b->client);
    sb_printf(out, "connected to %s (%s/%s)%s\n", b->cfg->endpoint, b->cfg->policy->name,
              ua_mode_name(b->cfg->mode), st.sessions ? ", session active" : "");
    if (ep && ep->server_uri.data) sb_printf(out, "server %s\n", ep->server_uri.data);
    return do_browse ? browse(b, start, max, out, err) : show_nodes(b, out, err);
}
