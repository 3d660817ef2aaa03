#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Catch-up after an outage, end to end, into each sink, every figure next to its reference from
# the same run (bench_catchup.c says how the drain works):
#   a 1-hour outage of 1,000 meters at 1 s leaves 3.6 M records (39.6 M values); this measures
#   a backlog of C records of 1,000 meters (default 360,000: a tenth) drained through the spool
#   (synchronous=full, the default) while 1,000 new records/s keep arriving, and prints the
#   time the full 3.6 M backlog would take at the measured rate, 3.6 M / (rate - 1,000)
#   (C=3600000 measures it). Goal: < 60 s, a drain of >= 60,000 records/s.
#     codec      the spool's record codec alone (encode + decode, no disk)
#     null       spool -> a sink that takes everything (the spool's own cost)
#     sqlite     the embedded store                   vs sqlite3 .import of the records rows
#     postgres   schema "mdc" on a private server      vs psql \copy of the records rows
#     mqtt       QoS 1 to a private mosquitto          vs mosquitto_pub -q 1 -l of the payloads
#   and the store at 10,000 meters: a backlog of 100,000 records drained while 10,000 records/s
#   arrive (at most 90 s), with spool.batch 500 (the default) and 5,000: the records/s it
#   sustains, and whether it keeps up.
# "spool reads" is the time the drain waited for a batch: the delivery thread's reader reads the
# next batch while the sink writes (src/core/spool_prefetch.h), so only what that did not hide.
# The references handle the backlog's rows only, as fast as their tool goes (one transaction,
# one connection); the sinks also write their other tables, positions and acknowledgements.
# Usage: bench/catchup.sh BUILD [C [SINKS]]   SINKS: a list like "null sqlite postgres mqtt 10k"
set -uo pipefail
build=$(realpath "${1:-build}"); c=${2:-360000}; sinks=${3:-"null sqlite postgres mqtt 10k"}
here=$(cd "$(dirname "$0")" && pwd)
PATH=$PATH:/usr/sbin
T=$(mktemp -d /tmp/mdc-bench-XXXXXX)
broker=
cleanup() { [ -n "$broker" ] && kill "$broker" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $(( 20000 + RANDOM % 10000 ))
}
bc_() { "$build/bench/bench_catchup" "$@"; }
secs_since() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }'; }
FULL=3600000

# report NAME LINE REF_NAME REF_SECS REF_UNITS UNITS_PER_RECORD: the drain next to its reference
report() {
  local name=$1 line=$2 ref_name=$3 ref_s=$4 ref_units=$5 per=$6
  read -r secs recs samples read_s write_s ack_s arrived fill_s left <<< "$line"
  awk -v name="$name" -v s="$secs" -v r="$recs" -v rd="$read_s" -v wr="$write_s" -v ak="$ack_s" \
      -v arr="$arrived" -v fill="$fill_s" -v c="$c" -v rn="$ref_name" -v rs="$ref_s" \
      -v ru="$ref_units" -v per="$per" -v full="$FULL" 'BEGIN {
    rate = r / s
    printf "%s: backlog %d records (appended in %.1f s) + %d arriving at 1000/s, drained in %.1f s = %.0f records/s; spool reads %.0f%%, sink writes %.0f%%",
      name, c, fill, arr, s, rate, 100 * rd / s, 100 * wr / s
    if (wr > 0.01) printf " (%.0f records/s)", r / wr
    printf ", acks %.0f%%;", 100 * ak / s
    if (rate > 1000) printf " 3.6 M backlog: %.0f s (goal < 60 s)", full / (rate - 1000)
    else printf " 3.6 M backlog: never (it does not keep up with 1000/s)"
    if (rn != "") {
      rrate = ru / rs / per
      printf "; %s of the same backlog: %.1f s = %.0f records/s, ratio %.2f; 3.6 M: %.0f s", rn, rs, rrate, rate / rrate, full / rrate
    }
    printf "\n" }'
}

if [ "$c" -eq "$FULL" ]; then
  echo "catch-up: measured backlog $c records of 1000 meters (11 values each): the full 3.6 M"
else
  echo "catch-up: measured backlog $c records of 1000 meters (11 values each); the times for 3.6 M are extrapolated from it"
fi
if [[ " $sinks " == *" sqlite "* || " $sinks " == *" null "* ]]; then
  s=$(bc_ ref codec - "$c" 1000) || exit 1
  awk -v s="$s" -v c="$c" 'BEGIN { printf "codec alone: %d records encoded and decoded in %.2f s = %.0f records/s\n", c, s, c / s }'
fi

if [[ " $sinks " == *" null "* ]]; then
  line=$(bc_ null - "$T/spool.db" "$c" 1000 500) || exit 1
  report "spool -> null sink" "$line" "" 0 0 1
  rm -f "$T"/spool.db*
fi

if [[ " $sinks " == *" sqlite "* ]] && command -v sqlite3 >/dev/null; then
  line=$(bc_ sqlite "$T/mdc.db" "$T/spool.db" "$c" 1000 500) || exit 1
  rm -f "$T"/spool.db* "$T"/mdc.db*
  bc_ ref sqlite "$T/rows.tsv" "$c" 1000 || exit 1
  sqlite3 "$T/ref.db" "PRAGMA journal_mode=WAL;
    CREATE TABLE records(device TEXT NOT NULL, ts TEXT NOT NULL, fields TEXT NOT NULL, errors TEXT);
    CREATE INDEX records_device_ts ON records(device, ts);" >/dev/null
  t0=$(date +%s%N)
  sqlite3 "$T/ref.db" -cmd "PRAGMA synchronous=FULL" ".mode tabs" ".import $T/rows.tsv records" || exit 1
  ref=$(secs_since "$t0")
  rows=$(sqlite3 "$T/ref.db" "SELECT count(*) FROM records")
  report "sqlite store" "$line" "sqlite3 .import" "$ref" "$rows" 1
  rm -f "$T"/ref.db* "$T/rows.tsv"
fi

if [[ " $sinks " == *" postgres "* ]]; then
  source "$here/../tests/integration/pg.sh"
  if pg_available && pg_start >/dev/null; then
    createdb catchup
    line=$(bc_ postgres "dbname=catchup" "$T/spool.db" "$c" 1000 500) || exit 1
    rm -f "$T"/spool.db*
    read -r _ recs _ <<< "$line"
    [ "$(psql_ -d catchup -c "SELECT count(*) FROM mdc.records")" = "$recs" ] ||
      { echo "postgres: catch-up rows differ"; exit 1; }
    bc_ ref pg "$T/rows.tsv" "$c" 1000 || exit 1
    psql_ -d catchup -c "CREATE TABLE ref (LIKE mdc.records INCLUDING ALL)"
    t0=$(date +%s%N)
    psql_ -d catchup -c "\\copy ref(device, ts, fields, errors) FROM '$T/rows.tsv'" || exit 1
    ref=$(secs_since "$t0")
    rows=$(psql_ -d catchup -c "SELECT count(*) FROM ref")
    report "postgres (schema mdc, server fsync off)" "$line" "psql \\copy" "$ref" "$rows" 1
    dropdb catchup
    rm -f "$T/rows.tsv"
  else
    echo "postgres: skipped (no PostgreSQL server)"
  fi
fi

if [[ " $sinks " == *" mqtt "* ]] && command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null; then
  port=$(free_port)
  printf 'listener %d 127.0.0.1\nallow_anonymous true\nuser %s\nlog_dest none\n' \
    "$port" "$(id -un)" > "$T/b.conf"
  mosquitto -c "$T/b.conf" > "$T/broker.log" 2>&1 &
  broker=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  line=$(bc_ mqtt "127.0.0.1:$port" "$T/spool.db" "$c" 1000 500) || exit 1
  rm -f "$T"/spool.db*
  bc_ ref mqtt "$T/payloads.txt" "$c" 1000 || exit 1
  t0=$(date +%s%N)
  mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t bench/meter -l < "$T/payloads.txt" || exit 1
  ref=$(secs_since "$t0")
  report "mqtt (QoS 1)" "$line" "mosquitto_pub -q 1 -l" "$ref" "$c" 1
  rm -f "$T/payloads.txt"
fi

if [[ " $sinks " == *" 10k "* ]]; then
  for batch in 500 5000; do
    line=$(BENCH_MAX_S=90 bc_ sqlite "$T/mdc.db" "$T/spool.db" 100000 10000 "$batch" 10000) || exit 1
    read -r secs recs samples read_s write_s ack_s arrived fill_s left <<< "$line"
    awk -v s="$secs" -v r="$recs" -v arr="$arrived" -v left="$left" -v wr="$write_s" -v b="$batch" 'BEGIN {
      rate = r / s
      if (left == 0 && rate > 10000)
        verdict = sprintf("caught up; a 1-hour outage (36 M records) would take %.0f s", 36e6 / (rate - 10000))
      else
        verdict = sprintf("does NOT keep up with 10000 records/s: %d records still waiting after %.0f s", left, s)
      printf "sqlite store, 10000 meters, spool.batch %d: backlog 100000 records + %d arriving at 10000/s: %d written in %.1f s = %.0f records/s (sink writes %.0f records/s); %s\n",
        b, arr, r, s, rate, r / wr, verdict }'
    rm -f "$T"/spool.db* "$T"/mdc.db*
  done
fi
