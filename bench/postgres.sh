#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PostgreSQL ingest through mdc's postgres sink (schema "mdc": every table, each batch one
# transaction with the delivery position), each figure next to `psql \copy` of the same records
# rows into an identical table, measured in the same run on a throwaway local server (socket,
# fsync off for both). Records have 11 values (one records row; 11 rows in the samples view).
#   1. ingest: N records of 10 meters, in batches of 500 (spool.batch's default: what the
#      delivery reads while the sink keeps up) and of 8,000 (16 times that: what it reads once a
#      backlog builds, i.e. whenever the sink's speed is what limits); best of 3 rounds,
#      alternating with the reference, to damp other load. Goal >= 0.9x.
#   2. catch-up, the sink alone: C records of 1,000 meters (a 1-hour outage of 1,000 meters at
#      1 s leaves 3.6 M) from memory, batches of 500 and 8,000;
#      the time 3.6 M records would take.
#   3. catch-up, end to end: the same backlog in a spool, drained as the delivery thread does
#      (read, write, acknowledge) while 1,000 records/s keep arriving; where the time goes, and
#      the time the 3.6 M backlog would take (backlog / (rate - arrivals)). Goal < 60 s.
# Figures 2 and 3 are the best of 2 rounds, each next to its reference.
# Usage: bench/postgres.sh BUILD [N [C]]   (defaults 50,000 and 100,000)
set -uo pipefail
build=$(realpath "${1:-build}"); n=${2:-50000}; c=${3:-100000}
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/mdc-bench-XXXXXX)
cleanup() { rm -rf "$T"; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $(( 20000 + RANDOM % 10000 ))
}
trap cleanup EXIT
source "$here/../tests/integration/pg.sh"
pg_available || { echo "postgres: skipped (no PostgreSQL server binaries)"; exit 0; }
pg_start >/dev/null || { echo "postgres: skipped (the server did not start)"; exit 0; }
BACKLOG=3600000

# reference DB TSV: seconds for psql \copy of TSV into a table like mdc.records
reference() {
  psql_ -d "$1" -c "CREATE TABLE IF NOT EXISTS ref (LIKE mdc.records INCLUDING ALL)"
  local t0 t1
  t0=$(date +%s%N)
  psql_ -d "$1" -c "\\copy ref(device, ts, fields, errors) FROM '$2'"
  t1=$(date +%s%N)
  awk -v r="$(( t1 - t0 ))" 'BEGIN { printf "%.6f", r / 1e9 }'
}

rows_match() { # DB RECORDS
  local rows
  rows=$(psql_ -d "$1" -c "SELECT (SELECT count(*) FROM ref) || ' ' || (SELECT count(*) FROM mdc.records)")
  [ "$rows" = "$2 $2" ] || { echo "postgres: row counts differ ($rows, $2)"; exit 1; }
}

min() { awk -v a="$1" -v b="${2:-1e9}" 'BEGIN { print (a < b) ? a : b }'; }

# 1. ingest
for batch in 500 8000; do
  best_mdc=; best_ref=
  for round in 1 2 3; do
    db=bench$round
    createdb "$db"
    read -r secs samples < <("$build/bench/bench_ingest" postgres "dbname=$db" "$n" "$T/samples.tsv" 10 "$batch") ||
      { echo "postgres: bench_ingest failed"; exit 1; }
    ref=$(reference "$db" "$T/samples.tsv")
    rows_match "$db" "$n"
    best_mdc=$(min "$secs" "$best_mdc"); best_ref=$(min "$ref" "$best_ref")
    dropdb "$db"
  done
  awk -v s="$best_mdc" -v n="$samples" -v ref="$best_ref" -v b="$batch" 'BEGIN {
    a = n / s; r = n / ref;
    printf "postgres ingest: %d samples (10 meters, batches of %d); mdc sink %.3f s = %.0f samples/s; psql \\copy %.3f s = %.0f samples/s; ratio %.2f (goal >= 0.9)\n", n, b, s, a, ref, r, a / r }'
done

# 2. catch-up, the sink alone (best of 2 rounds, each next to its reference)
for batch in 500 8000; do
  best_mdc=; best_ref=
  for round in 1 2; do
    createdb catchup
    read -r secs samples < <("$build/bench/bench_ingest" postgres "dbname=catchup" "$c" "$T/fleet.tsv" 1000 "$batch") ||
      { echo "postgres: bench_ingest failed"; exit 1; }
    ref=$(reference catchup "$T/fleet.tsv")
    rows_match catchup "$c"
    dropdb catchup
    best_mdc=$(min "$secs" "$best_mdc"); best_ref=$(min "$ref" "$best_ref")
  done
  awk -v s="$best_mdc" -v n="$samples" -v r="$c" -v ref="$best_ref" -v b="$batch" -v full="$BACKLOG" 'BEGIN {
    printf "postgres catch-up, sink alone: %d records of 1000 meters (%d samples), batches of %d: %.3f s = %.0f records/s = %.0f samples/s; psql \\copy of the same rows %.3f s = %.0f samples/s; ratio %.2f; 3.6 M records: %.0f s (psql \\copy: %.0f s)\n",
      r, n, b, s, r / s, n / s, ref, n / ref, ref / s, full / (r / s), full * (n / r) / (n / ref) }'
done

# 3. catch-up, end to end (best of 2 rounds, each next to its reference)
best=; best_ref=
for round in 1 2; do
  createdb catchup
  rm -f "$T"/spool.db*
  line=$("$build/bench/bench_catchup" postgres "dbname=catchup" "$T/spool.db" "$c" 1000 500) ||
    { echo "postgres: bench_catchup failed"; exit 1; }
  read -r secs recs samples read_s write_s ack_s arrived fill_s _left <<< "$line"
  [ "$(psql_ -d catchup -c "SELECT count(*) FROM mdc.records")" = "$recs" ] ||
    { echo "postgres: catch-up rows differ"; exit 1; }
  ref=$(reference catchup "$T/fleet.tsv")
  ref_rows=$(psql_ -d catchup -c "SELECT count(*) FROM ref")
  dropdb catchup
  if [ -z "$best" ] || awk -v a="$secs" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best=$line; fi
  best_ref=$(min "$ref" "$best_ref")
done
read -r secs recs samples read_s write_s ack_s arrived fill_s _left <<< "$best"
awk -v s="$secs" -v r="$recs" -v n="$samples" -v rd="$read_s" -v wr="$write_s" -v ak="$ack_s" -v arr="$arrived" \
    -v fill="$fill_s" -v c="$c" -v ref="$best_ref" -v refn="$ref_rows" -v full="$BACKLOG" 'BEGIN {
  rate = r / s; other = s - rd - wr - ak;
  printf "postgres catch-up, end to end: backlog %d records (appended in %.1f s) + %d arriving at 1000/s, drained in %.3f s = %.0f records/s = %.0f samples/s (psql \\copy of the backlog rows: %.0f records/s, ratio %.2f); time in spool reads %.1f s (%.0f%%), sink writes %.1f s (%.0f%%, %.0f records/s), acks %.1f s (%.0f%%), other %.1f s; 3.6 M backlog: %.0f s (goal < 60 s; the sink'"'"'s writes alone: %.0f s)\n",
    c, fill, arr, s, rate, n / s, refn / ref, rate / (refn / ref), rd, 100 * rd / s, wr, 100 * wr / s, r / wr, ak, 100 * ak / s, other,
    full / (rate - 1000), full / (r / wr - 1000) }'
