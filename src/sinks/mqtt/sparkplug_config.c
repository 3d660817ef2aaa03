/* SPDX-License-Identifier: Apache-2.0 */
/* sparkplug_config.c — the "sparkplug" sink object (keys in sparkplug_sink.h). */
#include "sparkplug_sink.h"

#include "core/keys.h"
#include "core/strbuf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const mdc_key sparkplug_keys[] = {
    {.name = "group_id", .type = MDC_KEY_STRING, .def = "mdc", .help = "Sparkplug group id"},
    {.name = "edge_node_id",
     .type = MDC_KEY_STRING,
     .help = "default: the configuration's instance, else the host name"},
    {.name = "primary_host_id",
     .type = MDC_KEY_STRING,
     .help = "hold publishing while this host application's STATE is offline"},
    {.name = "qos",
     .type = MDC_KEY_INT,
     .def = "1",
     .min = 0,
     .max = 1,
     .help = "1: every record acknowledged before it leaves the spool; 0: the spec's"},
    {0},
};
const mdc_keyset mdc_sparkplug_keyset = {"sink sparkplug", sparkplug_keys, &mdc_mqtt_conn_keyset};

/* A Sparkplug id: non-empty, none of '/', '+', '#' (they are topic levels and wildcards). */
static int check_id(const mdc_cfgnode *n, const char *key, const char *v, mdc_err *err)
{
    if (!*v || strpbrk(v, "/+#"))
        return cfg_error(n, key, err, "must be non-empty without '/', '+' or '#', got \"%s\"", v);
    return 0;
}

static void host_name(strbuf *out)
{
    char host[256];
    if (gethostname(host, sizeof host - 1) != 0 || !*host) strcpy(host, "mdc");
    host[sizeof host - 1] = '\0';
    for (const char *p = host; *p; p++)
        sb_putc(out, strchr("/+#", *p) ? '_' : *p);
}

/* edge_node_id: default the configuration's instance, else the host name. */
static int parse_ids(const mdc_cfgnode *n, const char *instance, mdc_sparkplug_cfg *c, strbuf *edge,
                     mdc_err *err)
{
    const char *e;
    const mdc_keyset *ks = &mdc_sparkplug_keyset;
    if (mdc_key_string(n, ks, "group_id", &c->group_id, err) < 0 ||
        mdc_key_string(n, ks, "edge_node_id", &e, err) < 0 ||
        mdc_key_string(n, ks, "primary_host_id", &c->primary_host_id, err) < 0)
        return -1;
    if (e || instance)
        sb_puts(edge, e ? e : instance);
    else
        host_name(edge);
    c->edge_node_id = sb_str(edge);
    if (check_id(n, "group_id", c->group_id, err) < 0 ||
        check_id(n, "edge_node_id", c->edge_node_id, err) < 0 ||
        (c->primary_host_id && check_id(n, "primary_host_id", c->primary_host_id, err) < 0))
        return -1;
    return 0;
}

int mdc_sink_sparkplug_build(const mdc_cfgnode *n, const char *data_dir, const char *instance,
                             mdc_sink **out, mdc_err *err)
{
    mdc_sparkplug_cfg c = {0};
    char *host = NULL;
    strbuf edge = STRBUF_INIT, path = STRBUF_INIT;
    int64_t qos;
    int rc = -1;
    if (mdc_keys_check(n, &mdc_sparkplug_keyset, err) < 0 ||
        mdc_mqtt_conn_cfg_parse(n, &c.conn, &host, err) < 0 ||
        parse_ids(n, instance, &c, &edge, err) < 0 ||
        mdc_key_int(n, &mdc_sparkplug_keyset, "qos", &qos, err) < 0)
        goto done;
    c.qos = (int)qos;
    sb_printf(&path, "%s/sparkplug-%s-%s.bdseq", data_dir, c.group_id, c.edge_node_id);
    c.bdseq_path = sb_str(&path);
    *out = mdc_sink_sparkplug_new(&c);
    rc = 0;
done:
    mdc_mqtt_conn_cfg_free_props(&c.conn);
    free(host);
    sb_free(&edge);
    sb_free(&path);
    return rc;
}
