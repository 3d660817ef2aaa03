/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_owners.c — several mdc instances (one per hall...) writing into one database:
 * each sink claims what it writes in pg_schema.owners(kind, key, instance) when it opens —
 * its devices (schema mdc: kind "device") or its machines (schema belmc: "ems", "production")
 * — under an advisory lock, so two instances starting together cannot both win. A claim held
 * by another instance fails open() with a message that names it: two writers of the same live
 * rows, shift totals or machine_raw history would silently corrupt each other. Claims of this
 * instance for things its configuration no longer has are released, so moving a device from
 * one instance to another needs only both configurations changed and the old one restarted. */
#include "sink_postgres_internal.h"

#include <stdio.h>
#include <string.h>

/* "{a,b,c}": claims and kinds are made of [A-Za-z0-9._:-], nothing to quote. */
static void array_literal(strbuf *out, const char *const *v, size_t n)
{
    sb_putc(out, '{');
    for (size_t i = 0; i < n; i++)
        sb_printf(out, "%s%s", i ? "," : "", v[i]);
    sb_putc(out, '}');
}

static void kinds_literal(const pg_sink *k, strbuf *out)
{
    static const char *const mdc[] = {"device"}, *const belmc[] = {"ems", "production"};
    if (k->flavour == MDC_PG_BELMC)
        array_literal(out, belmc, 2);
    else
        array_literal(out, mdc, 1);
}

/* What a claim is, for people: device "x", machine 3 (ems tables). */
static void describe(strbuf *out, const char *kind, const char *key)
{
    if (strcmp(kind, "device") == 0)
        sb_printf(out, "device \"%s\"", key);
    else
        sb_printf(out, "machine %s (%s tables)", key, kind);
}

static int conflict(pg_sink *k, PGresult *res, mdc_err *err)
{
    strbuf what = STRBUF_INIT;
    const char *kind = PQgetvalue(res, 0, 0), *key = PQgetvalue(res, 0, 1);
    const char *other = PQgetvalue(res, 0, 2);
    describe(&what, kind, key);
    int more = PQntuples(res) - 1;
    mdc_err_set(err, MDC_EINVAL,
                "%s%s is written by mdc instance \"%s\" too (%s.owners), this is instance "
                "\"%s\": give each instance its own devices (the \"instance\" key names it); to "
                "move one, remove it from the other instance's configuration and restart that "
                "instance, or delete its claim: DELETE FROM %s.owners WHERE kind = '%s' AND "
                "key = '%s'",
                sb_str(&what), more > 0 ? " (and more)" : "", *other ? other : "(unnamed)",
                k->schema, *k->instance ? k->instance : "(unnamed)", k->schema, kind, key);
    sb_free(&what);
    return -1;
}

static int claim_all(pg_sink *k, const char *const *p, mdc_err *err)
{
    static const char *const sql[] = {
        "DELETE FROM \"%s\".owners WHERE instance = $1 AND kind = ANY($3::text[]) AND "
        "NOT (kind || ':' || key = ANY($2::text[]))",
        "INSERT INTO \"%s\".owners(kind, key, instance) SELECT split_part(c, ':', 1), "
        "substr(c, strpos(c, ':') + 1), $1 FROM unnest($2::text[]) c ON CONFLICT DO NOTHING",
        "SELECT kind, key, instance FROM \"%s\".owners WHERE kind || ':' || key = "
        "ANY($2::text[]) AND instance <> $1 ORDER BY kind, key"};
    static const int nparams[] = {3, 2, 2};
    PGresult *res = NULL;
    for (int i = 0; i < 3; i++) {
        sb_reset(&k->sql);
        sb_printf(&k->sql, sql[i], k->schema);
        if (res) PQclear(res);
        if (!(res = pg_query(k, sb_str(&k->sql), nparams[i], p, err))) return -1;
    }
    int rc = PQntuples(res) > 0 ? conflict(k, res, err) : 0;
    PQclear(res);
    return rc;
}

int pg_claim(pg_sink *k, mdc_err *err)
{
    strbuf claims = STRBUF_INIT, kinds = STRBUF_INIT;
    array_literal(&claims, (const char *const *)k->claims, k->nclaims);
    kinds_literal(k, &kinds);
    const char *p[] = {k->instance, sb_str(&claims), sb_str(&kinds)};
    int rc = pg_exec(k, "BEGIN; SELECT pg_advisory_xact_lock(hashtext('mdc owners'))", err);
    if (rc == 0) rc = claim_all(k, p, err);
    if (rc == 0) rc = pg_exec(k, "COMMIT", err);
    if (rc < 0) PQclear(PQexec(k->conn, "ROLLBACK"));
    sb_free(&claims);
    sb_free(&kinds);
    return rc;
}
