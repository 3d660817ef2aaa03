#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# SQLite ingest: N records (11 values each) through mdc's embedded store (every table, batches
# of 500, one transaction each) vs the sqlite3 CLI importing the same records rows into an
# identical table (.import: one transaction). Best of 3 rounds each, alternating.
# Usage: bench/sqlite_ingest.sh BUILD [N]
set -uo pipefail
build=$(realpath "${1:-build}"); n=${2:-100000}
T=$(mktemp -d /tmp/mdc-bench-XXXXXX); trap 'rm -rf "$T"' EXIT
command -v sqlite3 >/dev/null || { echo "sqlite ingest: skipped (no sqlite3 CLI)"; exit 0; }
best_mdc=; best_ref=
for round in 1 2 3; do
  rm -f "$T"/*.db*
  read -r secs samples < <("$build/bench/bench_ingest" sqlite "$T/mdc.db" "$n" "$T/samples.tsv") ||
    { echo "sqlite ingest: bench_ingest failed"; exit 1; }
  sqlite3 "$T/ref.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
    CREATE TABLE records(device TEXT NOT NULL, ts TEXT NOT NULL, fields TEXT NOT NULL, errors TEXT);
    CREATE INDEX records_device_ts ON records(device, ts);" >/dev/null
  t0=$(date +%s%N)
  sqlite3 "$T/ref.db" -cmd "PRAGMA synchronous=NORMAL" ".mode tabs" ".import $T/samples.tsv records"
  t1=$(date +%s%N)
  rows="$(sqlite3 "$T/ref.db" "SELECT count(*) FROM records") $(sqlite3 "$T/mdc.db" "SELECT count(*) FROM records")"
  vals=$(sqlite3 "$T/mdc.db" "SELECT count(*) FROM samples")
  [ "$rows $vals" = "$n $n $samples" ] || { echo "sqlite ingest: row counts differ ($rows $vals; $n records, $samples values)"; exit 1; }
  ref=$(awk -v r="$(( t1 - t0 ))" 'BEGIN { printf "%.6f", r / 1e9 }')
  best_mdc=$(awk -v a="$secs" -v b="${best_mdc:-1e9}" 'BEGIN { print (a < b) ? a : b }')
  best_ref=$(awk -v a="$ref" -v b="${best_ref:-1e9}" 'BEGIN { print (a < b) ? a : b }')
done
awk -v s="$best_mdc" -v n="$samples" -v r="$n" -v ref="$best_ref" 'BEGIN {
  a = n / s; b = n / ref;
  printf "sqlite ingest: %d records (%d values); mdc store %.3f s = %.0f values/s (goal >= 100000); sqlite3 .import of the records rows %.3f s = %.0f values/s; ratio %.2f\n", r, n, s, a, ref, b, a / b }'
