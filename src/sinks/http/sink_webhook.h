/* SPDX-License-Identifier: Apache-2.0 */
/* sink_webhook.h — the "webhook" sink: records POSTed to an HTTP(S) URL (libcurl).
 *
 * One request per record (the hems tool's behaviour) or, with batch, one per spool batch
 * (format/render.h mdc_render_many: a JSON array, YAML documents, CSV rows). The body is the
 * record rendered in the configured format — json.dumps() of the record in hems style — with
 * Content-Type application/json, application/yaml or text/csv unless a configured header sets
 * it. Any response other than 2xx, or none within the timeout, is a failure: the runtime
 * retries the same batch from the spool with backoff, so nothing is lost and order is kept.
 * Records already accepted by the server are not sent again when a batch is retried in the
 * same process (the highest delivered spool sequence number is remembered).
 * TLS peers are always verified (the system CA store or ca_file).
 * Header values and the URL's user info and query never appear in errors.
 * id "webhook:" + the URL without user info/query (+ "#" and a hash of the full URL when it
 * has either, so two such URLs are two sinks).
 */
#ifndef MDC_SINK_WEBHOOK_H
#define MDC_SINK_WEBHOOK_H

#include "sinks/sink.h"
#include "format/render.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct mdc_webhook_sink_cfg {
    const char *url;
    mdc_render_cfg render;
    int64_t timeout_us;
    const char *ca_file;        /* NULL: system CA store */
    const char *const *headers; /* "Name: value" lines; NULL-terminated or NULL */
    bool batch;
} mdc_webhook_sink_cfg;

/* Everything is copied. Never returns NULL. */
mdc_sink *mdc_sink_webhook_new(const mdc_webhook_sink_cfg *cfg);

/* The sink id for a URL (see above); appended to out. */
void mdc_webhook_sink_id(const char *url, strbuf *out);

#endif
