/* SPDX-License-Identifier: Apache-2.0 */
/* sink_pubsub.h — the "pubsub" sink: records published to a Google Cloud Pub/Sub topic over
 * its REST API, one message per record, a spool batch per request (at most max_messages and
 * about 8 MB of body per request).
 *
 *   POST {endpoint}/v1/projects/{project}/topics/{topic}:publish
 *   Authorization: Bearer {access token}
 *   {"messages":[{"data":"<base64 of the record>"}, ...]}
 *
 * The message data is the record in the configured format (json.dumps() of the record in hems
 * style, as hems-data-collector publishes it; no attributes). The access token comes from a
 * service-account key file (credentials; default $GOOGLE_APPLICATION_CREDENTIALS): an
 * RS256-signed JWT is exchanged at the key's token_uri (or the configured one) and the token
 * is renewed before it expires (and at once after a 401/403). With emulator_host (the
 * PUBSUB_EMULATOR_HOST convention) requests go to http://{emulator_host} without auth.
 * Non-2xx or a missing/short messageIds list is a failure: the runtime retries from the spool.
 * Keys and tokens are never part of a message. id "pubsub:projects/{project}/topics/{topic}".
 */
#ifndef MDC_SINK_PUBSUB_H
#define MDC_SINK_PUBSUB_H

#include "sinks/pubsub_name.h"
#include "sinks/sink.h"
#include "format/render.h"

#include <stddef.h>
#include <stdint.h>

typedef struct mdc_pubsub_sink_cfg {
    const char *project, *topic;
    const char *credentials;   /* key file; NULL: $GOOGLE_APPLICATION_CREDENTIALS at open() */
    const char *endpoint;      /* NULL: MDC_PUBSUB_ENDPOINT */
    const char *emulator_host; /* "host:port" or NULL */
    const char *token_uri;     /* NULL: the key file's */
    const char *scope;         /* NULL: MDC_PUBSUB_SCOPE */
    mdc_render_cfg render;
    int64_t timeout_us;
    const char *ca_file;
    size_t max_messages; /* per request, 1..1000 (0: 1000) */
} mdc_pubsub_sink_cfg;

/* Everything is copied. Never returns NULL. */
mdc_sink *mdc_sink_pubsub_new(const mdc_pubsub_sink_cfg *cfg);

#endif
