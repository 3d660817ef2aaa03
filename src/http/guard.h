/* SPDX-License-Identifier: Apache-2.0 */
/* guard.h — the header deadline of the HTTP server: a connection must deliver a complete
 * request head (request line and headers) within `header_timeout` of being opened or of the
 * end of its previous request, or it is closed. libmicrohttpd's own timeout is an idle timeout
 * that every byte resets, so a client that sends one byte a second (slowloris) would hold its
 * connection forever; this deadline is not reset by anything but a complete request head.
 *
 * The guard keeps the connections waiting for a request head in one list ordered by deadline
 * (the deadline is always "now + header_timeout" when an entry is added, so appending keeps
 * the order). mdc_http_guard_sweep() (the server's ticker, once a second) shuts down the
 * sockets of the expired ones; libmicrohttpd then sees the end of the stream and closes them.
 * A socket is only touched under the guard's lock and only while libmicrohttpd has not yet
 * reported the connection closed, so it can never be a reused descriptor.
 *
 * Thread-safe: the callbacks come from libmicrohttpd's threads, the sweep from the ticker.
 */
#ifndef MDC_HTTP_GUARD_H
#define MDC_HTTP_GUARD_H

#include <microhttpd.h>
#include <stdint.h>

typedef struct mdc_http_guard mdc_http_guard;

/* header_timeout_us <= 0 turns the deadline off (the guard still counts connections). */
mdc_http_guard *mdc_http_guard_new(int64_t header_timeout_us);
/* After the daemon has stopped (every connection reported closed). NULL-safe. */
void mdc_http_guard_free(mdc_http_guard *g);

/* The MHD_OPTION_NOTIFY_CONNECTION callback; cls is the guard. */
void mdc_http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode code);
/* The request head of c is complete (the access handler's first call for a request). */
void mdc_http_guard_head_done(mdc_http_guard *g, struct MHD_Connection *c);
/* c's request ended; a keep-alive connection now waits for the next head (deadline anew). */
void mdc_http_guard_request_done(mdc_http_guard *g, struct MHD_Connection *c);

/* Shuts down every connection whose deadline is at or before now_mono_us. */
void mdc_http_guard_sweep(mdc_http_guard *g, int64_t now_mono_us);

/* Open connections, and connections closed by the deadline so far (for /metrics). */
int64_t mdc_http_guard_open(mdc_http_guard *g);
uint64_t mdc_http_guard_expired(mdc_http_guard *g);

#endif
