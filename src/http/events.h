/* SPDX-License-Identifier: Apache-2.0 */
/* events.h — the server-sent events stream of /api/events.
 *
 * A hub keeps the latest events in a ring; every client has its own position in it. A client
 * with nothing to send is suspended (it costs no thread) and resumed when an event or a
 * keep-alive ping arrives, so any number of streams share the server's few threads. A client
 * that falls more than the ring behind skips ahead and is told how many events it missed.
 *
 * The stream (text/event-stream):
 *   retry: 2000              once, at the start
 *   event: catalog / data: {"devices": [{"id", "points"}, ...]}   once, after retry: what
 *                            the values mean (catalog_json.h); only the filtered device's
 *   id: N / event: record / data: {record as JSON, one line}     per record
 *   : ping                   every keep-alive period
 *   : missed N events        when the client fell behind
 */
#ifndef MDC_HTTP_EVENTS_H
#define MDC_HTTP_EVENTS_H

#include "core/catalog.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mdc_events mdc_events;

mdc_events *mdc_events_new(void);
/* Frees the hub; call after the HTTP daemon is stopped (no client left). */
void mdc_events_free(mdc_events *ev);

/* Broadcasts one event: `text` is a single line of JSON from device `device`. */
void mdc_events_publish(mdc_events *ev, const char *device, const char *text, size_t len);
/* Sets what the catalog event says (the attached runtime's catalog; NULL: no devices). New
 * streams greet with it; records stay as they are, the metadata travels beside them. */
void mdc_events_set_catalog(mdc_events *ev, const mdc_catalog *cat);
/* Wakes every client for a keep-alive comment. */
void mdc_events_ping(mdc_events *ev);
/* Ends every stream (resumes them so that they finish) and refuses new ones; waits up to
 * timeout_ms for the clients to go. */
void mdc_events_shutdown(mdc_events *ev, int timeout_ms);
/* Open streams. */
int64_t mdc_events_clients(mdc_events *ev);

/* A streaming response for a new client on `conn`, optionally only for one device (NULL or ""
 * for all), with the catalog event first or not. NULL when the hub is shutting down. */
struct MHD_Response *mdc_events_response(mdc_events *ev, struct MHD_Connection *conn,
                                         const char *device, bool catalog);

#endif
