/* SPDX-License-Identifier: Apache-2.0 */
/* tcp_conn.h — one non-blocking Modbus TCP client connection, for an event loop.
 *
 * The owner (one thread) watches mdc_mb_conn_fd() for input and output — edge-triggered is fine:
 * mdc_mb_conn_run() reads until the socket would block — and calls mdc_mb_conn_run() on every
 * event and whenever mdc_mb_conn_deadline() has passed. The descriptor changes when the
 * connection is reopened; read it again after every call.
 *
 * Transactions (one read request each) are queued and sent as the connection allows: at most
 * max_outstanding on the wire at once (1: strictly one after the other, which every gateway
 * accepts), matched to their replies by MBAP transaction id. Normal transactions always go
 * before low-priority ones (probes of failing units), so a dead unit behind a shared gateway
 * waits behind its neighbours. A reply whose transaction id matches nothing outstanding (a late
 * reply after its timeout), or that cannot answer its transaction (unit id, function code, byte
 * count, length), is discarded and counted, never decoded.
 *
 * A closed connection is opened (non-blocking connect, the connect timeout of the first
 * transaction waiting) when a transaction is submitted. When it cannot be opened — refused,
 * connect timeout, no such host — every waiting transaction fails (MDC_MB_TXN_NO_CONN); the
 * caller decides when to submit again (its backoff). When an open connection breaks — reset,
 * closed by the peer (also in the middle of a reply), a stream that is not Modbus TCP — the
 * transactions on the wire fail and those not yet sent go out on a new connection. A reply
 * timeout fails only its transaction: the connection stays (a dead unit behind a live gateway
 * must not cost its neighbours anything), unless MDC_MB_CONN_SILENT_MAX timeouts in a row came
 * with nothing at all received meanwhile (the peer itself is gone): then it is closed.
 *
 * Ownership: the caller owns each transaction; it must stay valid until its done() has been
 * called. mdc_mb_conn_free() drops transactions without calling done(). */
#ifndef MDC_MODBUS_TCP_CONN_H
#define MDC_MODBUS_TCP_CONN_H

#include "mbap.h"

#include <stdbool.h>
#include <stdint.h>

#define MDC_MB_CONN_MAX_OUTSTANDING 16
#define MDC_MB_CONN_SILENT_MAX      3

typedef struct mdc_mb_conn mdc_mb_conn;
typedef struct mdc_mb_txn mdc_mb_txn;

/* Results of a transaction. */
enum {
    MDC_MB_TXN_OK = 0,
    MDC_MB_TXN_FAILED = -1,  /* err: timeout, exception, or the connection broke */
    MDC_MB_TXN_NO_CONN = -2, /* err: the connection could not be opened */
};

/* Called exactly once per submitted transaction, from within submit/run. err is NULL on OK.
 * err messages carry the request: "unit 1 FC4 addr 0 count 2: timeout after 500 ms". */
typedef void (*mdc_mb_txn_done)(mdc_mb_txn *t, int rc, const mdc_err *err);

struct mdc_mb_txn {
    /* set by the caller */
    uint8_t unit, fc; /* fc 1..4 */
    uint16_t addr, count;
    uint16_t *out; /* count values (registers, or bits as 0/1) */
    int64_t timeout_us;
    bool low_priority;
    mdc_mb_txn_done done;
    void *ctx;
    /* private to the connection */
    mdc_mb_txn *next;
    uint16_t tid;
    unsigned discarded; /* frames with its id that could not answer it */
    int64_t sent_us, deadline_us;
};

/* A closed connection to host:port (an address or a name, resolved when connecting). */
int mdc_mb_conn_new(const char *host, int port, int max_outstanding, mdc_mb_conn **out,
                    mdc_err *err);
void mdc_mb_conn_free(mdc_mb_conn *c); /* NULL is fine */

/* Queues t (opening the connection when closed) and sends what can be sent. now: monotonic. */
void mdc_mb_conn_submit(mdc_mb_conn *c, mdc_mb_txn *t, int64_t now);
/* Socket readiness (EPOLLIN/EPOLLOUT/EPOLLERR/EPOLLHUP bits; 0 when called for a deadline) and
 * the time: connects, writes, reads, matches replies, fails what timed out. */
void mdc_mb_conn_run(mdc_mb_conn *c, uint32_t events, int64_t now);

int mdc_mb_conn_fd(const mdc_mb_conn *c); /* -1 when closed */
/* Sockets opened so far: tells a new descriptor from an old one with the same number. */
uint64_t mdc_mb_conn_generation(const mdc_mb_conn *c);
bool mdc_mb_conn_is_open(const mdc_mb_conn *c);
/* The earliest connect or reply deadline (monotonic), INT64_MAX when nothing waits. */
int64_t mdc_mb_conn_deadline(const mdc_mb_conn *c);
/* Replies discarded since the connection object was created. */
uint64_t mdc_mb_conn_discarded(const mdc_mb_conn *c);
/* Transactions queued or on the wire. */
size_t mdc_mb_conn_pending(const mdc_mb_conn *c);

#endif
