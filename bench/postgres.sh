#!/usr/bin/env bash
# PostgreSQL ingest: N records (11 samples each) through mdc's postgres sink (schema "mdc": every
# table, batches of 500, one transaction each with the delivery position) vs `psql \copy` of the
# same samples rows into an identical table, on a throwaway local server (socket, fsync off for
# both). Best of 3 rounds each, alternating, to damp other load. Usage: bench/postgres.sh BUILD [N]
set -uo pipefail
build=$(realpath "${1:-build}"); n=${2:-50000}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/mdc-bench-XXXXXX)
cleanup() { rm -rf "$T"; }
free_port() { echo $(( 20000 + RANDOM % 10000 )); }
trap cleanup EXIT
source "$here/../tests/integration/pg.sh"
pg_available || { echo "postgres: skipped (no PostgreSQL server binaries)"; exit 0; }
pg_start >/dev/null || { echo "postgres: skipped (the server did not start)"; exit 0; }
best_mdc=; best_ref=
for round in 1 2 3; do
  db=bench$round
  createdb "$db"
  read -r secs samples < <("$build/bench/bench_ingest" postgres "dbname=$db" "$n" "$T/samples.tsv") ||
    { echo "postgres: bench_ingest failed"; exit 1; }
  psql_ -d "$db" -c "CREATE TABLE ref (LIKE mdc.samples INCLUDING ALL)"
  t0=$(date +%s%N)
  psql_ -d "$db" -c "\\copy ref(device, ts, name, value, value_text, error) FROM '$T/samples.tsv'"
  t1=$(date +%s%N)
  rows=$(psql_ -d "$db" -c "SELECT (SELECT count(*) FROM ref) || ' ' || (SELECT count(*) FROM mdc.samples)")
  [ "$rows" = "$samples $samples" ] || { echo "postgres: row counts differ ($rows, $samples)"; exit 1; }
  ref=$(awk -v r="$(( t1 - t0 ))" 'BEGIN { printf "%.6f", r / 1e9 }')
  best_mdc=$(awk -v a="$secs" -v b="${best_mdc:-1e9}" 'BEGIN { print (a < b) ? a : b }')
  best_ref=$(awk -v a="$ref" -v b="${best_ref:-1e9}" 'BEGIN { print (a < b) ? a : b }')
  dropdb "$db"
done
awk -v s="$best_mdc" -v n="$samples" -v ref="$best_ref" 'BEGIN {
  a = n / s; b = n / ref;
  printf "postgres ingest: %d samples; mdc sink %.3f s = %.0f samples/s; psql \\copy %.3f s = %.0f samples/s; ratio %.2f (goal >= 0.5)\n", n, s, a, ref, b, a / b }'
