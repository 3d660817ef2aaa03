/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_conn.c — connecting to PostgreSQL with clear errors, keeping passwords out of
 * every message, and the small exec/COPY helpers the writers use. */
#include "sink_postgres_internal.h"

#include "core/redact.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libpq prints NOTICEs ("relation already exists, skipping") on stderr by default; a library
 * never prints. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* By field, never by searching for the password's text (core/redact.h): the id and the
 * messages are built without it; a conninfo echoed by libpq has its password field masked. */
void pg_mask(const pg_sink *k, strbuf *text)
{
    (void)k;
    mdc_redact(text);
}

/* libpq quotes the fragment of a conninfo or URI it cannot parse ("invalid percent-encoded
 * token: "p%zz""), which may be the password: each quoted fragment is masked. */
static void mask_quoted(strbuf *text)
{
    strbuf out = STRBUF_INIT;
    bool in = false;
    for (const char *p = sb_str(text); *p; p++) {
        if (*p == '"') {
            sb_puts(&out, in ? "\"" : "\"***");
            in = !in;
        } else if (!in) {
            sb_putc(&out, *p);
        }
    }
    sb_free(text);
    *text = out;
}

/* One line: newlines and tabs of libpq's messages become spaces; no trailing blanks. */
static void one_line(strbuf *out, const char *msg)
{
    bool space = false;
    for (const char *p = msg ? msg : ""; *p; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = out->len > 0;
            continue;
        }
        if (space) sb_putc(out, ' ');
        space = false;
        sb_putc(out, *p);
    }
}

static int set_masked(const pg_sink *k, mdc_err *err, int code, strbuf *msg)
{
    pg_mask(k, msg);
    mdc_err_set(err, code, "%s", sb_str(msg));
    sb_free(msg);
    return -1;
}

static const char *or_default(const char *s, const char *def)
{
    return s && *s ? s : def;
}

/* The settings as libpq would resolve them without connecting (conninfo, keys, environment). */
static void resolve(const pg_sink *k, const char **host, const char **port, const char **db,
                    const char **user, PQconninfoOption **parsed)
{
    *host = k->host;
    *port = k->port;
    *db = k->dbname;
    *user = k->user;
    *parsed = k->conninfo ? PQconninfoParse(k->conninfo, NULL) : NULL;
    for (PQconninfoOption *o = *parsed; o && o->keyword; o++) {
        if (!o->val || !*o->val) continue;
        if (!*host && strcmp(o->keyword, "host") == 0) *host = o->val;
        if (!*host && strcmp(o->keyword, "hostaddr") == 0) *host = o->val;
        if (!*port && strcmp(o->keyword, "port") == 0) *port = o->val;
        if (!*db && strcmp(o->keyword, "dbname") == 0) *db = o->val;
        if (!*user && strcmp(o->keyword, "user") == 0) *user = o->val;
    }
}

void pg_describe_target(const pg_sink *k, strbuf *out)
{
    const char *host, *port, *db, *user;
    PQconninfoOption *parsed;
    resolve(k, &host, &port, &db, &user, &parsed);
    host = or_default(host, getenv("PGHOST"));
    port = or_default(port, getenv("PGPORT"));
    db = or_default(db, getenv("PGDATABASE"));
    user = or_default(user, getenv("PGUSER"));
    sb_printf(out, "%s:%s/%s as %s", or_default(host, "(default host)"), or_default(port, "5432"),
              or_default(db, or_default(user, "(default database)")),
              or_default(user, "(default user)"));
    PQconninfoFree(parsed);
}

static void describe_conn(PGconn *c, strbuf *out)
{
    sb_printf(out, "%s:%s/%s as %s", or_default(PQhost(c), "?"), or_default(PQport(c), "5432"),
              or_default(PQdb(c), "?"), or_default(PQuser(c), "?"));
}

static bool has(const char *msg, const char *what)
{
    return msg && strstr(msg, what) != NULL;
}

/* A failed connection: say what to fix. */
static int connect_error(pg_sink *k, mdc_err *err)
{
    const char *raw = PQerrorMessage(k->conn);
    strbuf msg = STRBUF_INIT, target = STRBUF_INIT, why = STRBUF_INIT;
    describe_conn(k->conn, &target);
    one_line(&why, raw);
    if (has(raw, "connection info string") || has(raw, "URI") || has(raw, "percent-encoded"))
        mask_quoted(&why);
    int code = MDC_EIO;
    if (has(raw, "password authentication failed") || has(raw, "no password supplied") ||
        has(raw, "authentication failed") || (has(raw, "role \"") && has(raw, "does not exist"))) {
        code = MDC_EAUTH;
        sb_printf(&msg,
                  "PostgreSQL at %s rejected the credentials (check user and password: the "
                  "\"password\" key, PGPASSWORD, DB_PASSWORD or ~/.pgpass): %s",
                  sb_str(&target), sb_str(&why));
    } else if (has(raw, "database \"") && has(raw, "does not exist")) {
        sb_printf(&msg,
                  "database \"%s\" does not exist at %s (create it with createdb, or fix "
                  "\"dbname\"): %s",
                  or_default(PQdb(k->conn), "?"), sb_str(&target), sb_str(&why));
    } else {
        sb_printf(&msg, "cannot connect to PostgreSQL at %s: %s", sb_str(&target), sb_str(&why));
    }
    sb_free(&target);
    sb_free(&why);
    pg_disconnect(k);
    return set_masked(k, err, code, &msg);
}

int pg_connect(pg_sink *k, mdc_err *err)
{
    const char *keys[20], *vals[20];
    int n = 0;
    char timeout[32];
    keys[n] = "application_name", vals[n++] = "mdc";
    /* a peer that vanishes mid-query is noticed within about a minute, not hours (TCP only;
     * the conninfo may override these) */
    keys[n] = "keepalives_idle", vals[n++] = "30";
    keys[n] = "keepalives_interval", vals[n++] = "10";
    keys[n] = "keepalives_count", vals[n++] = "3";
    keys[n] = "tcp_user_timeout", vals[n++] = "60000";
    if (k->connect_timeout_s > 0) {
        snprintf(timeout, sizeof timeout, "%lld", (long long)k->connect_timeout_s);
        keys[n] = "connect_timeout", vals[n++] = timeout;
    }
    if (k->conninfo) keys[n] = "dbname", vals[n++] = k->conninfo; /* expanded by libpq */
    const struct {
        const char *key, *val;
    } opt[] = {{"host", k->host}, {"port", k->port},         {"dbname", k->dbname},
               {"user", k->user}, {"password", k->password}, {"sslmode", k->sslmode}};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++)
        if (opt[i].val) keys[n] = opt[i].key, vals[n++] = opt[i].val;
    keys[n] = NULL;
    vals[n] = NULL;
    pg_disconnect(k);
    k->conn = PQconnectdbParams(keys, vals, k->conninfo ? 1 : 0);
    if (!k->conn) return mdc_err_set(err, MDC_ENOMEM, "postgres: out of memory");
    if (PQstatus(k->conn) != CONNECTION_OK) return connect_error(k, err);
    PQsetNoticeProcessor(k->conn, quiet_notice, NULL);
    if (pg_exec(k, "SET client_min_messages = warning; SET TIME ZONE 'UTC'", err) < 0) {
        pg_disconnect(k);
        return -1;
    }
    return 0;
}

void pg_disconnect(pg_sink *k)
{
    if (k->conn) PQfinish(k->conn);
    k->conn = NULL;
}

int pg_fail(pg_sink *k, PGresult *res, mdc_err *err, const char *what)
{
    strbuf msg = STRBUF_INIT;
    bool lost = !k->conn || PQstatus(k->conn) != CONNECTION_OK;
    sb_printf(&msg, "postgres: %s%s: ", lost ? "connection lost: " : "", what);
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(k->sqlstate, sizeof k->sqlstate, "%s", state && !lost ? state : "");
    if (primary) {
        one_line(&msg, primary);
        if (state) sb_printf(&msg, " (SQLSTATE %s)", state);
    } else {
        one_line(&msg, k->conn ? PQerrorMessage(k->conn) : "not connected");
    }
    if (res) PQclear(res);
    return set_masked(k, err, MDC_EIO, &msg);
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

void pg_defer(pg_sink *k, const char *sql)
{
    k->pending = sql;
}

/* PQexec of the deferred statement and sql in one string: one round trip. PQexec returns the
 * last result, or the first failure (the rest is not run), or COPY_IN at a COPY. */
static PGresult *exec_with_pending(pg_sink *k, const char *sql)
{
    if (!k->pending) return PQexec(k->conn, sql);
    strbuf q = STRBUF_INIT;
    sb_printf(&q, "%s; %s", k->pending, sql);
    k->pending = NULL;
    PGresult *res = PQexec(k->conn, sb_str(&q));
    sb_free(&q);
    return res;
}

int pg_exec(pg_sink *k, const char *sql, mdc_err *err)
{
    PGresult *res = exec_with_pending(k, sql);
    if (!res || !result_ok(res)) return pg_fail(k, res, err, "query failed");
    PQclear(res);
    return 0;
}

PGresult *pg_query(pg_sink *k, const char *sql, int n, const char *const *params, mdc_err *err)
{
    if (k->pending) { /* the extended protocol takes one statement at a time */
        const char *first = k->pending;
        k->pending = NULL;
        if (pg_exec(k, first, err) < 0) return NULL;
    }
    PGresult *res = PQexecParams(k->conn, sql, n, NULL, params, NULL, NULL, 0);
    if (!res || !result_ok(res)) {
        pg_fail(k, res, err, "query failed");
        return NULL;
    }
    return res;
}

int pg_run(pg_sink *k, const char *sql, int n, const char *const *params, mdc_err *err)
{
    PGresult *res = pg_query(k, sql, n, params, err);
    if (!res) return -1;
    PQclear(res);
    return 0;
}

int pg_copy_begin(pg_sink *k, const char *sql, mdc_err *err)
{
    PGresult *res = exec_with_pending(k, sql);
    if (!res || PQresultStatus(res) != PGRES_COPY_IN) return pg_fail(k, res, err, "COPY failed");
    PQclear(res);
    return 0;
}

int pg_copy_result(pg_sink *k, mdc_err *err)
{
    PGresult *res;
    int ret = 0;
    while ((res = PQgetResult(k->conn)) != NULL) {
        if (ret == 0 && PQresultStatus(res) != PGRES_COMMAND_OK) {
            ret = pg_fail(k, res, err, "COPY failed");
            continue;
        }
        PQclear(res);
    }
    return ret;
}

int pg_copy_put(pg_sink *k, strbuf *data, mdc_err *err)
{
    int rc = data->len ? PQputCopyData(k->conn, data->buf, (int)data->len) : 1;
    sb_reset(data);
    if (rc == 1) return 0;
    pg_fail(k, NULL, err, "COPY failed");
    if (PQputCopyEnd(k->conn, "aborted") == 1) pg_copy_result(k, NULL);
    return -1;
}

int pg_copy_send_end(pg_sink *k, mdc_err *err)
{
    return PQputCopyEnd(k->conn, NULL) == 1 ? 0 : pg_fail(k, NULL, err, "COPY failed");
}
