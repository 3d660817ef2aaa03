/* SPDX-License-Identifier: Apache-2.0 */
/* http_sinks_config.c — the webhook and pubsub sink objects, and the module's entry. */
#include "sink_pubsub.h"
#include "sink_webhook.h"

#include "core/keys.h"
#include "core/xalloc.h"
#include "sinks/sink_config.h"
#include "sinks/sink_config_text.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const mdc_key webhook_keys[] = {
    MDC_SINK_TYPE_KEY("\"webhook\""),
    {.name = "url",
     .type = MDC_KEY_STRING,
     .required = true,
     .help = "http:// or https:// URL; user info and query are secrets"},
    MDC_SINK_FORMAT_KEY,
    {.name = "timeout", .type = MDC_KEY_DURATION, .def = "10s", .help = "a whole request"},
    {.name = "headers", .type = MDC_KEY_OBJECT, .help = "{\"Name\": \"value\"}, values secret"},
    {.name = "ca_file", .type = MDC_KEY_STRING, .help = "CA certificates (default: the system's)"},
    {.name = "batch", .type = MDC_KEY_BOOL, .def = "false", .help = "one POST per spool batch"},
    {0},
};
static const mdc_keyset mdc_webhook_keyset = {"sink webhook", webhook_keys, &mdc_text_keyset};

static const mdc_key pubsub_keys[] = {
    MDC_SINK_TYPE_KEY("\"pubsub\""),
    {.name = "project", .type = MDC_KEY_STRING, .required = true, .help = "Google Cloud project"},
    {.name = "topic", .type = MDC_KEY_STRING, .required = true, .help = "Pub/Sub topic"},
    {.name = "credentials",
     .type = MDC_KEY_STRING,
     .help = "service-account key file (default $GOOGLE_APPLICATION_CREDENTIALS)"},
    {.name = "endpoint",
     .type = MDC_KEY_STRING,
     .def = "https://pubsub.googleapis.com",
     .help = "the API's base URL"},
    {.name = "token_uri", .type = MDC_KEY_STRING, .help = "default: the key file's"},
    {.name = "scope", .type = MDC_KEY_STRING, .help = "OAuth2 scope"},
    {.name = "emulator_host",
     .type = MDC_KEY_STRING,
     .help = "HOST:PORT of an emulator (default $PUBSUB_EMULATOR_HOST)"},
    MDC_SINK_FORMAT_KEY,
    {.name = "timeout", .type = MDC_KEY_DURATION, .def = "10s", .help = "a whole request"},
    {.name = "ca_file", .type = MDC_KEY_STRING, .help = "CA certificates (default: the system's)"},
    {.name = "max_messages",
     .type = MDC_KEY_INT,
     .def = "1000",
     .min = 1,
     .max = 1000,
     .help = "messages per publish request"},
    {0},
};
static const mdc_keyset mdc_pubsub_keyset = {"sink pubsub", pubsub_keys, &mdc_text_keyset};

/* ---- webhook ---- */

static void free_lines(char **lines)
{
    for (size_t i = 0; lines && lines[i]; i++)
        free(lines[i]);
    free(lines);
}

static int header_line(const mdc_cfgnode *h, const char *name, char **out, mdc_err *err)
{
    const char *value;
    if (!*name || strpbrk(name, ": \t\r\n"))
        return cfg_error(h, name, err, "a header name cannot be empty or have spaces or ':'");
    if (cfg_secret(h, name, NULL, &value, err) < 0) return -1;
    if (strpbrk(value, "\r\n")) return cfg_error(h, name, err, "a header value must be one line");
    strbuf line = STRBUF_INIT;
    sb_printf(&line, "%s: %s", name, value);
    *out = sb_detach(&line);
    return 0;
}

/* "headers": {"Name": "value"}: values are read as secrets (tokens) and never shown. */
static int parse_headers(const mdc_cfgnode *n, char ***out, mdc_err *err)
{
    mdc_cfgnode h;
    bool present;
    *out = NULL;
    if (cfg_object(n, "headers", &h, &present, err) < 0 || !present) return 0;
    char **lines = xcalloc(json_object_size(h.json) + 1, sizeof *lines);
    size_t k = 0;
    const char *name;
    json_t *v;
    json_object_foreach(h.json, name, v)
    {
        if (header_line(&h, name, &lines[k], err) < 0) {
            free_lines(lines);
            return -1;
        }
        k++;
    }
    *out = lines;
    return 0;
}

static int http_url(const mdc_cfgnode *n, const char *key, bool required, const char **out,
                    mdc_err *err)
{
    int rc = required ? cfg_required_string(n, key, out, err) : cfg_string(n, key, NULL, out, err);
    if (rc < 0) return -1;
    if (*out && strncmp(*out, "http://", 7) != 0 && strncmp(*out, "https://", 8) != 0)
        return cfg_error(n, key, err, "expected an http:// or https:// URL");
    return 0;
}

static int mdc_sink_webhook_from_config(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_webhook_keyset;
    mdc_webhook_sink_cfg c = {0};
    mdc_text_opts t = {0};
    char **headers = NULL;
    int rc = -1;
    if (mdc_keys_check(n, ks, err) < 0 || http_url(n, "url", true, &c.url, err) < 0 ||
        mdc_text_opts_parse(n, &t, err) < 0 || mdc_text_render_parse(n, &t, &c.render, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &c.timeout_us, err) < 0 ||
        mdc_key_string(n, ks, "ca_file", &c.ca_file, err) < 0 ||
        mdc_key_bool(n, ks, "batch", &c.batch, err) < 0 || parse_headers(n, &headers, err) < 0)
        goto done;
    c.headers = (const char *const *)headers;
    *out = mdc_text_shaped(mdc_sink_webhook_new(&c), &t);
    rc = 0;
done:
    free_lines(headers);
    mdc_text_opts_free(&t);
    return rc;
}

/* ---- pubsub ---- */

static int pubsub_names(const mdc_cfgnode *n, mdc_pubsub_sink_cfg *c, mdc_err *err)
{
    mdc_err e;
    if (cfg_required_string(n, "project", &c->project, err) < 0 ||
        cfg_required_string(n, "topic", &c->topic, err) < 0)
        return -1;
    if (mdc_pubsub_name_check("the project", c->project, &e) < 0)
        return cfg_error(n, "project", err, "%s", e.msg);
    if (mdc_pubsub_name_check("the topic", c->topic, &e) < 0)
        return cfg_error(n, "topic", err, "%s", e.msg);
    return 0;
}

static int pubsub_endpoints(const mdc_cfgnode *n, mdc_pubsub_sink_cfg *c, mdc_err *err)
{
    const char *emu = getenv("PUBSUB_EMULATOR_HOST");
    if (http_url(n, "endpoint", false, &c->endpoint, err) < 0 ||
        http_url(n, "token_uri", false, &c->token_uri, err) < 0 ||
        cfg_string(n, "scope", NULL, &c->scope, err) < 0 ||
        cfg_string(n, "emulator_host", emu && *emu ? emu : NULL, &c->emulator_host, err) < 0)
        return -1;
    if (c->emulator_host && (!*c->emulator_host || strpbrk(c->emulator_host, "/?# ")))
        return cfg_error(n, "emulator_host", err, "expected HOST:PORT, got \"%s\"",
                         c->emulator_host);
    return 0;
}

static int mdc_sink_pubsub_from_config(const mdc_cfgnode *n, mdc_sink **out, mdc_err *err)
{
    const mdc_keyset *ks = &mdc_pubsub_keyset;
    mdc_pubsub_sink_cfg c = {0};
    mdc_text_opts t = {0};
    int64_t max;
    int rc = -1;
    if (mdc_keys_check(n, ks, err) < 0 || pubsub_names(n, &c, err) < 0 ||
        mdc_key_string(n, ks, "credentials", &c.credentials, err) < 0 ||
        pubsub_endpoints(n, &c, err) < 0 || mdc_text_opts_parse(n, &t, err) < 0 ||
        mdc_text_render_parse(n, &t, &c.render, err) < 0 ||
        mdc_key_duration(n, ks, "timeout", &c.timeout_us, err) < 0 ||
        mdc_key_string(n, ks, "ca_file", &c.ca_file, err) < 0 ||
        mdc_key_int(n, ks, "max_messages", &max, err) < 0)
        goto done;
    c.max_messages = (size_t)max;
    *out = mdc_text_shaped(mdc_sink_pubsub_new(&c), &t);
    rc = 0;
done:
    mdc_text_opts_free(&t);
    return rc;
}

/* ---- the module (core/module.h) ---- */

static int build_webhook(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    (void)cfg;
    return mdc_sink_webhook_from_config(n, out, err);
}

static int build_pubsub(const mdc_cfgnode *n, const mdc_config *cfg, mdc_sink **out, mdc_err *err)
{
    (void)cfg;
    return mdc_sink_pubsub_from_config(n, out, err);
}

static const mdc_sink_type http_sink_types[] = {
    {"webhook", build_webhook, &mdc_webhook_keyset, NULL},
    {"pubsub", build_pubsub, &mdc_pubsub_keyset, NULL},
    {0},
};

const mdc_sink_module mdc_module_http_sinks = {{"http_sinks", MDC_VERSION}, http_sink_types, NULL};
