/* SPDX-License-Identifier: Apache-2.0 */
/* sink_postgres_shift.c — production.shift_summary: the time a machine spent OFF, ON (idle)
 * and in PRODUCTION during a shift, from its machine_raw status rows (BELmc's
 * manage_shift_summary, belmc.md §2). The row (machine_id, shift, timestamp = shift start) is
 * created with zeroed counts and metrics (BELmc's oee_engine fills those) and only its three
 * times and updatedate are written afterwards. */
#include "sink_postgres_internal.h"

#include "core/xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void mdc_pg_status_durations(const double *t, const int *status, size_t n, double end,
                             double out[3])
{
    out[0] = out[1] = out[2] = 0;
    for (size_t i = 0; i < n; i++) {
        double from = t[i] > 0 ? t[i] : 0;
        double to = i + 1 < n ? t[i + 1] : end;
        if (to > end) to = end;
        if (to > from && status[i] >= 0 && status[i] <= 2) out[status[i]] += to - from;
    }
}

void mdc_pg_format_duration(double seconds, char *buf, size_t n)
{
    long long s = seconds > 0 ? (long long)floor(seconds) : 0;
    if (s > 24 * 3600) s = 24 * 3600; /* PostgreSQL's time type ends at 24:00:00 */
    snprintf(buf, n, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

/* The rows that matter: the last one at or before the shift start, and every one after it up
 * to ts; times in seconds after the shift start. */
static const char rows_sql[] =
    "SELECT EXTRACT(EPOCH FROM (timestamp - $2::timestamp))::float8, status "
    "FROM production.machine_raw WHERE machine_id = $1 AND timestamp <= $3::timestamp AND "
    "timestamp >= COALESCE((SELECT MAX(timestamp) FROM production.machine_raw WHERE "
    "machine_id = $1 AND timestamp <= $2::timestamp), $2::timestamp) ORDER BY timestamp, id";

static int durations(pg_sink *k, const char *machine, const char *shift_start, const char *ts,
                     double end_s, double out[3], mdc_err *err)
{
    const char *p[] = {machine, shift_start, ts};
    PGresult *res = pg_query(k, rows_sql, 3, p, err);
    if (!res) return -1;
    size_t n = (size_t)PQntuples(res);
    double *t = xcalloc(n ? n : 1, sizeof *t);
    int *st = xcalloc(n ? n : 1, sizeof *st);
    for (size_t i = 0; i < n; i++) {
        t[i] = strtod(PQgetvalue(res, (int)i, 0), NULL);
        st[i] = atoi(PQgetvalue(res, (int)i, 1));
    }
    PQclear(res);
    mdc_pg_status_durations(t, st, n, end_s, out);
    free(t);
    free(st);
    return 0;
}

static const char update_sql[] =
    "UPDATE production.shift_summary SET off_time = $4, idle_time = $5, production_time = $6, "
    "updatedate = $7 WHERE machine_id = $1 AND shift = $2 AND timestamp = $3";
static const char insert_sql[] =
    "INSERT INTO production.shift_summary(machine_id, shift, timestamp, off_time, idle_time, "
    "production_time, updatedate, total_parts, good_parts, bad_parts, availability, performance, "
    "quality, availability_loss, performance_loss, quality_loss, oee) "
    "VALUES($1, $2, $3, $4, $5, $6, $7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)";

int pg_belmc_shift_summary(pg_sink *k, int64_t machine, int shift, const char *shift_start,
                           const char *ts, double end_s, mdc_err *err)
{
    char m[24], s[16], times[3][32];
    snprintf(m, sizeof m, "%lld", (long long)machine);
    snprintf(s, sizeof s, "%d", shift);
    double secs[3];
    if (durations(k, m, shift_start, ts, end_s, secs, err) < 0) return -1;
    for (int i = 0; i < 3; i++)
        mdc_pg_format_duration(secs[i], times[i], sizeof times[i]);
    const char *p[] = {m, s, shift_start, times[0], times[1], times[2], ts};
    PGresult *res = pg_query(k, update_sql, 7, p, err);
    if (!res) return -1;
    bool found = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return found ? 0 : pg_run(k, insert_sql, 7, p, err);
}
