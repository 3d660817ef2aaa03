/* SPDX-License-Identifier: Apache-2.0 */
/* opcua_driver.c — the "opcua" driver's configuration: endpoint, security, identity, trust,
 * the node map and how values are collected (read or subscribe). */
#include "opcua_internal.h"
#include "ua_text.h"

#include "core/keys.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

static void free_config(void *p)
{
    opcua_cfg *c = p;
    if (!c) return;
    for (size_t i = 0; i < c->nnodes; i++) {
        ua_nodeid_clear(&c->nodes[i].id);
        free(c->nodes[i].ns_uri);
        free(c->nodes[i].name);
        mdc_field_info_release(&c->nodes[i].info);
    }
    for (size_t i = 0; c->owned_fields && c->owned_fields[i]; i++)
        free(c->owned_fields[i]);
    free(c->owned_fields);
    free(c->nodes);
    free(c->fields);
    free(c->pki_dir);
    free(c->id);
    if (c->have_user_cert) ua_user_cert_free(&c->user_cert);
    free(c);
}

static int parse_security(const mdc_cfgnode *dev, opcua_cfg *c, mdc_err *err)
{
    const mdc_keyset *ks = &opcua_security_keyset;
    mdc_cfgnode s;
    bool have;
    int policy = 0, mode = 0;
    if (cfg_object(dev, "security", &s, &have, err) < 0) return -1;
    if (have &&
        (mdc_keys_check(&s, ks, err) < 0 || mdc_key_enum(&s, ks, "policy", &policy, err) < 0 ||
         mdc_key_enum_or(&s, ks, "mode", policy ? 2 : 0, &mode, err) < 0))
        return -1;
    if (policy == 0 && mode != 0)
        return cfg_error(&s, "mode", err, "policy None goes with mode None");
    if (policy != 0 && mode == 0)
        return cfg_error(&s, "mode", err, "policy %s needs mode Sign or SignAndEncrypt",
                         opcua_policy_names[policy]);
    c->policy = ua_policy_by_name(opcua_policy_names[policy]);
    c->mode = mode + 1; /* UA_MODE_NONE = 1 */
    return 0;
}

/* "name": "ns=2;s=..." or "name": {"node": "ns=2;s=...", "unit": "kW", "label": ...}. */
static int parse_node(const mdc_cfgnode *nodes, const char *name, opcua_node *n, mdc_err *err)
{
    mdc_err e;
    n->name = xstrdup(name);
    n->info = mdc_field_info_none(n->name);
    if (name[0] == '_' || !name[0])
        return cfg_error(nodes, name, err, "names starting with '_' are reserved");
    mdc_cfgnode obj;
    bool is_object = json_is_object(json_object_get(nodes->json, name));
    if (is_object) {
        if (cfg_object(nodes, name, &obj, &is_object, err) < 0 ||
            mdc_keys_check(&obj, &opcua_node_keyset, err) < 0 ||
            mdc_key_string(&obj, &opcua_node_keyset, "node", &n->text, err) < 0)
            return -1;
    } else if (cfg_required_string(nodes, name, &n->text, err) < 0) {
        return -1;
    }
    if (ua_nodeid_parse(n->text, &n->id, &n->ns_uri, &e) < 0)
        return cfg_error(is_object ? &obj : nodes, is_object ? "node" : name, err, "%s", e.msg);
    return is_object ? mdc_field_info_parse(&obj, &n->info, err) : 0;
}

static int parse_nodes(const mdc_cfgnode *dev, opcua_cfg *c, mdc_err *err)
{
    mdc_cfgnode nodes;
    bool have;
    if (cfg_object(dev, "nodes", &nodes, &have, err) < 0) return -1;
    size_t n = have ? json_object_size(nodes.json) : 0;
    if (n == 0)
        return cfg_error(dev, have ? "nodes" : NULL, err,
                         "needs \"nodes\": {\"name\": \"ns=2;s=...\", ...}");
    c->nodes = xcalloc(n, sizeof *c->nodes);
    const char *key;
    json_t *v;
    json_object_foreach(nodes.json, key, v)
    {
        (void)v;
        if (parse_node(&nodes, key, &c->nodes[c->nnodes++], err) < 0) return -1;
    }
    return 0;
}

static void build_fields(opcua_cfg *c)
{
    size_t per = c->source_timestamps ? 2 : 1, k = 0;
    c->fields = xcalloc(c->nnodes * per + 1, sizeof *c->fields);
    c->owned_fields = xcalloc(c->nnodes + 1, sizeof *c->owned_fields);
    for (size_t i = 0; i < c->nnodes; i++) {
        c->fields[k++] = c->nodes[i].name;
        if (!c->source_timestamps) continue;
        strbuf t = STRBUF_INIT;
        sb_printf(&t, "%s_source_time", c->nodes[i].name);
        c->owned_fields[i] = sb_detach(&t);
        c->fields[k++] = c->owned_fields[i];
    }
}

static int parse_deadband(const mdc_cfgnode *dev, opcua_cfg *c, mdc_err *err)
{
    mdc_cfgnode d;
    bool have;
    if (cfg_object(dev, "deadband", &d, &have, err) < 0) return -1;
    if (!have) return 0;
    if (mdc_keys_check(&d, &opcua_deadband_keyset, err) < 0) return -1;
    bool abs = cfg_has(&d, "absolute"), pct = cfg_has(&d, "percent");
    if (abs == pct) return cfg_error(&d, NULL, err, "give one of \"absolute\" or \"percent\"");
    c->deadband_type = abs ? UA_DEADBAND_ABSOLUTE : UA_DEADBAND_PERCENT;
    if (mdc_key_number(&d, &opcua_deadband_keyset, abs ? "absolute" : "percent", &c->deadband,
                       err) < 0)
        return -1;
    if (c->deadband < 0 || (pct && c->deadband > 100))
        return cfg_error(&d, abs ? "absolute" : "percent", err, "must be 0..%s",
                         pct ? "100" : "any positive number");
    return 0;
}

static int parse_identity(const mdc_cfgnode *n, opcua_cfg *c, mdc_err *err)
{
    const mdc_keyset *ks = &opcua_device_keyset;
    int trust;
    if (mdc_key_enum(n, ks, "trust", &trust, err) < 0 ||
        mdc_key_string(n, ks, "user", &c->user, err) < 0 ||
        mdc_key_string(n, ks, "password", &c->password, err) < 0 ||
        mdc_key_bool(n, ks, "allow_plaintext_password", &c->allow_plain_password, err) < 0 ||
        mdc_key_string(n, ks, "application_uri", &c->app_uri, err) < 0 ||
        mdc_key_bool(n, ks, "verify_hostname", &c->verify_hostname, err) < 0 ||
        mdc_key_bool(n, ks, "verify_application_uri", &c->verify_app_uri, err) < 0)
        return -1;
    c->trust = trust ? UA_TRUST_FIRST_USE : UA_TRUST_DIRECTORY;
    if (c->password && !c->user)
        return cfg_error(n, "password", err, "a password needs a \"user\"");
    if (c->user && !*c->user) return cfg_error(n, "user", err, "must not be empty");
    return 0;
}

/* "user_certificate" and "user_private_key": an X.509 user identity, loaded now so that a
 * wrong file is reported by `mdc check` (the key's content never appears in errors). */
static int parse_user_cert(const mdc_cfgnode *n, opcua_cfg *c, mdc_err *err)
{
    const char *cert, *key;
    mdc_err e;
    if (mdc_key_string(n, &opcua_device_keyset, "user_certificate", &cert, err) < 0 ||
        mdc_key_string(n, &opcua_device_keyset, "user_private_key", &key, err) < 0)
        return -1;
    if (!cert && !key) return 0;
    if (!cert || !key)
        return cfg_error(n, cert ? "user_certificate" : "user_private_key", err,
                         "\"user_certificate\" and \"user_private_key\" go together");
    if (c->user)
        return cfg_error(n, "user_certificate", err,
                         "log in with \"user\" and \"password\" or with a user certificate, "
                         "not both");
    if (ua_user_cert_load(cert, key, &c->user_cert, &e) < 0)
        return cfg_error(n, strstr(e.msg, "private key") ? "user_private_key" : "user_certificate",
                         err, "%s", e.msg);
    c->have_user_cert = true;
    return 0;
}

static int parse_timing(const mdc_cfgnode *n, opcua_cfg *c, mdc_err *err)
{
    const mdc_keyset *ks = &opcua_device_keyset;
    int mode;
    int64_t queue, buffer;
    if (mdc_key_enum(n, ks, "mode", &mode, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &c->timeout_us, err) < 0 ||
        mdc_key_duration(n, ks, "channel_lifetime", &c->lifetime_us, err) < 0 ||
        mdc_key_duration(n, ks, "session_timeout", &c->session_timeout_us, err) < 0 ||
        mdc_key_duration(n, ks, "sampling_interval", &c->sampling_us, err) < 0 ||
        mdc_key_duration_or(n, ks, "publishing_interval", c->sampling_us, &c->publishing_us, err) <
            0 ||
        mdc_key_int(n, ks, "queue_size", &queue, err) < 0 ||
        mdc_key_int(n, ks, "buffer_size", &buffer, err) < 0 ||
        mdc_key_bool(n, ks, "source_timestamps", &c->source_timestamps, err) < 0)
        return -1;
    if (c->lifetime_us < 2500000)
        return cfg_error(n, "channel_lifetime", err, "must be at least 2.5s");
    c->collect = mode ? OPCUA_SUBSCRIBE : OPCUA_READ;
    c->queue_size = (uint32_t)queue;
    c->buffer_size = (uint32_t)buffer;
    return 0;
}

static int parse_pki_dir(const mdc_device_cfg *dev, opcua_cfg *c, mdc_err *err)
{
    const char *dir;
    const char *data_dir = dev->data_dir ? dev->data_dir : "data";
    if (mdc_key_string_or(&dev->node, &opcua_device_keyset, "pki_dir", NULL, &dir, err) < 0)
        return -1;
    strbuf p = STRBUF_INIT;
    if (dir)
        sb_puts(&p, dir);
    else
        sb_printf(&p, "%s/pki", data_dir);
    c->pki_dir = sb_detach(&p);
    return 0;
}

static int opcua_parse(const mdc_device_cfg *dev, void **out, mdc_err *err)
{
    const mdc_cfgnode *n = &dev->node;
    mdc_err e;
    if (mdc_keys_check_common(n, &mdc_device_keyset, &opcua_device_keyset, err) < 0) return -1;
    opcua_cfg *c = xcalloc(1, sizeof *c);
    c->id = xstrdup(dev->id);
    ua_url u;
    if (mdc_key_string(n, &opcua_device_keyset, "endpoint", &c->endpoint, err) < 0) goto fail;
    if (ua_url_parse(c->endpoint, &u, &e) < 0) {
        cfg_error(n, "endpoint", err, "%s", e.msg);
        goto fail;
    }
    if (parse_security(n, c, err) < 0 || parse_identity(n, c, err) < 0 ||
        parse_user_cert(n, c, err) < 0 || parse_timing(n, c, err) < 0 ||
        parse_deadband(n, c, err) < 0 || parse_nodes(n, c, err) < 0 ||
        parse_pki_dir(dev, c, err) < 0)
        goto fail;
    build_fields(c);
    *out = c;
    return 0;
fail:
    free_config(c);
    return -1;
}

static const char *const *opcua_fields(const void *p)
{
    return ((const opcua_cfg *)p)->fields;
}

static void opcua_describe(const void *p, strbuf *out)
{
    const opcua_cfg *c = p;
    sb_printf(out, "    %s, security %s/%s, %s, trust %s (%s)\n", c->endpoint, c->policy->name,
              ua_mode_name(c->mode),
              c->user             ? "user name"
              : c->have_user_cert ? "user certificate"
                                  : "anonymous",
              c->trust == UA_TRUST_FIRST_USE ? "first-use" : "directory", c->pki_dir);
    if (c->user) sb_printf(out, "    user \"%s\"\n", c->user);
    if (c->have_user_cert)
        sb_printf(out, "    user certificate \"%s\" (thumbprint %s)\n", c->user_cert.name,
                  c->user_cert.thumbprint);
    if (!c->verify_hostname || !c->verify_app_uri)
        sb_printf(out, "    server certificate not checked for: %s%s%s\n",
                  c->verify_hostname ? "" : "the endpoint's host name",
                  !c->verify_hostname && !c->verify_app_uri ? ", " : "",
                  c->verify_app_uri ? "" : "the server's ApplicationUri");
    if (c->collect == OPCUA_SUBSCRIBE)
        sb_printf(out, "    subscribe: sampling %lld ms, publishing %lld ms, queue %u\n",
                  (long long)(c->sampling_us / 1000), (long long)(c->publishing_us / 1000),
                  (unsigned)c->queue_size);
    else
        sb_printf(out, "    read: %zu node%s per poll\n", c->nnodes, c->nnodes == 1 ? "" : "s");
    for (size_t i = 0; i < c->nnodes; i++)
        sb_printf(out, "    node %-20s %s\n", c->nodes[i].name, c->nodes[i].text);
}

static bool opcua_field_info(const void *p, const char *name, mdc_field_info *out)
{
    const opcua_cfg *c = p;
    for (size_t i = 0; i < c->nnodes; i++)
        if (strcmp(c->nodes[i].name, name) == 0) {
            *out = c->nodes[i].info;
            return true;
        }
    return false;
}

const mdc_driver mdc_opcua_driver = {
    .name = "opcua",
    .keys = &opcua_device_keyset,
    .nested_keys = opcua_nested_keysets,
    .parse = opcua_parse,
    .free_config = free_config,
    .fields = opcua_fields,
    .describe = opcua_describe,
    .bus_key = NULL,
    .bus_check = NULL,
    .bus_open = opcua_bus_open,
    .bus_close = opcua_bus_close,
    .bus_broken = opcua_bus_broken,
    .poll = opcua_poll,
    .inspect = opcua_inspect,
    .idle = opcua_idle,
    .field_info = opcua_field_info,
};
