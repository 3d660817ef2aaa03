/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_state.c — where delivery stands, committed with the data it describes:
 *   pg_schema.sink_state(sink, epoch, last_seq)   the highest spool sequence number committed;
 *   pg_schema.sink_rejected(sink, epoch, seq)     records at or below it that were NOT
 *                                                 committed because PostgreSQL refused them
 *                                                 (the runtime dead-letters them and may offer
 *                                                 them again: `mdc spool retry`).
 * A record is skipped as already written when its seq is at or below last_seq and not marked.
 * Sequence numbers only grow within an epoch but are not consecutive (each spool opening
 * numbers on from the clock), so nothing here counts on seq + 1. */
#include "sink_postgres_internal.h"

#include "core/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void epoch_text(const pg_sink *k, char *buf, size_t n)
{
    snprintf(buf, n, "%" PRIu64, k->epoch);
}

static int load_rejected(pg_sink *k, const char *const *p, mdc_err *err)
{
    sb_reset(&k->sql);
    sb_printf(&k->sql,
              "SELECT seq FROM \"%s\".sink_rejected WHERE sink = $1 AND epoch = $2 ORDER BY seq",
              k->schema);
    PGresult *res = pg_query(k, sb_str(&k->sql), 2, p, err);
    if (!res) return -1;
    k->nrejected = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        xgrow(&k->rejected, &k->caprejected, k->nrejected + 1, sizeof *k->rejected);
        k->rejected[k->nrejected++] = strtoll(PQgetvalue(res, i, 0), NULL, 10);
    }
    PQclear(res);
    return 0;
}

int pg_load_position(pg_sink *k, mdc_err *err)
{
    k->last_seq = -1;
    k->nrejected = 0;
    if (!k->has_epoch) return 0;
    char epoch[24];
    epoch_text(k, epoch, sizeof epoch);
    sb_reset(&k->sql);
    sb_printf(&k->sql, "SELECT last_seq FROM \"%s\".sink_state WHERE sink = $1 AND epoch = $2",
              k->schema);
    const char *p[] = {k->state_key, epoch};
    PGresult *res = pg_query(k, sb_str(&k->sql), 2, p, err);
    if (!res) return -1;
    if (PQntuples(res) == 1) k->last_seq = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return load_rejected(k, p, err);
}

static bool find(const pg_sink *k, int64_t seq, size_t *at)
{
    size_t lo = 0, hi = k->nrejected;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (k->rejected[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    return lo < k->nrejected && k->rejected[lo] == seq;
}

bool pg_is_rejected(const pg_sink *k, int64_t seq)
{
    size_t at;
    return k->nrejected && find(k, seq, &at);
}

/* "{1,2,3}" of the written records that carried a mark; false when none did. */
static bool marked_written(const pg_sink *k, const mdc_record *const *written, size_t n,
                           strbuf *out)
{
    bool any = false;
    for (size_t i = 0; i < n && k->nrejected; i++)
        if (pg_is_rejected(k, written[i]->seq)) {
            sb_printf(out, "%s%lld", any ? "," : "{", (long long)written[i]->seq);
            any = true;
        }
    if (any) sb_putc(out, '}');
    return any;
}

int pg_queue_position(pg_sink *k, int64_t last, const mdc_record *const *written, size_t n,
                      const mdc_record *rejected, mdc_err *err)
{
    if (!k->has_epoch) return 0;
    char epoch[24], seq[24], bad[24];
    epoch_text(k, epoch, sizeof epoch);
    snprintf(seq, sizeof seq, "%lld", (long long)last);
    const char *p[] = {k->state_key, epoch, seq};
    sb_reset(&k->sql);
    sb_printf(&k->sql,
              "INSERT INTO \"%s\".sink_state(sink, epoch, last_seq, updated) "
              "VALUES($1, $2, $3, now()) ON CONFLICT (sink, epoch) DO UPDATE SET "
              "last_seq = excluded.last_seq, updated = excluded.updated",
              k->schema);
    if (pg_pipe_send(k, sb_str(&k->sql), 3, p, NULL, NULL, err) < 0) return -1;
    strbuf list = STRBUF_INIT;
    int rc = 0;
    if (marked_written(k, written, n, &list)) {
        const char *q[] = {k->state_key, epoch, sb_str(&list)};
        sb_reset(&k->sql);
        sb_printf(&k->sql,
                  "DELETE FROM \"%s\".sink_rejected WHERE sink = $1 AND epoch = $2 AND "
                  "seq = ANY($3::bigint[])",
                  k->schema);
        rc = pg_pipe_send(k, sb_str(&k->sql), 3, q, NULL, NULL, err);
    }
    sb_free(&list);
    if (rc < 0 || !rejected) return rc;
    snprintf(bad, sizeof bad, "%lld", (long long)rejected->seq);
    const char *r[] = {k->state_key, epoch, bad};
    sb_reset(&k->sql);
    sb_printf(&k->sql,
              "INSERT INTO \"%s\".sink_rejected(sink, epoch, seq) VALUES($1, $2, $3) "
              "ON CONFLICT DO NOTHING",
              k->schema);
    return pg_pipe_send(k, sb_str(&k->sql), 3, r, NULL, NULL, err);
}

void pg_apply_position(pg_sink *k, int64_t last, const mdc_record *const *written, size_t n,
                       const mdc_record *rejected)
{
    size_t at;
    for (size_t i = 0; i < n && k->nrejected; i++)
        if (find(k, written[i]->seq, &at)) {
            memmove(&k->rejected[at], &k->rejected[at + 1],
                    (k->nrejected - at - 1) * sizeof *k->rejected);
            k->nrejected--;
        }
    if (rejected && !find(k, rejected->seq, &at)) {
        xgrow(&k->rejected, &k->caprejected, k->nrejected + 1, sizeof *k->rejected);
        memmove(&k->rejected[at + 1], &k->rejected[at], (k->nrejected - at) * sizeof *k->rejected);
        k->rejected[at] = rejected->seq;
        k->nrejected++;
    }
    if (last > k->last_seq) k->last_seq = last;
}
