#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Webhook drain after an outage (issue 11): how fast mdc delivers a backlog to a receiver that
# was down, against the same backlog delivered to a receiver that never failed — both in one
# run, to the same local receiver (tests/integration/sink_server.py), one POST per record,
# while 20 simulated meters keep adding 200 records/s.
#
#   reference: the receiver down, mdc run until BACKLOG records wait, mdc stopped; then the
#              receiver up and mdc started again: this process never sees a failure. Drain rate
#              = records delivered from its first delivery until it has caught up, per second.
#   outage:    the same mdc, caught up; the receiver down until BACKLOG records wait (the
#              issue's 10-minute outage at 10 records/s is 6,000 records), then up again.
#              Drain rate measured the same way, from the first delivery after the return;
#              the wait until that first delivery (the sink's backoff) is printed apart.
#
# Usage: bench/webhook_drain.sh BUILD [BACKLOG]   (default 6000; goal: ratio >= 0.8). Best of
# ROUNDS (3) rounds: the machine is shared.
set -euo pipefail
build=$(realpath "${1:-build}"); backlog=${2:-6000}
here=$(cd "$(dirname "$0")" && pwd)
server=$here/../tests/integration/sink_server.py
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM # the EXIT trap stops the receivers, the simulator and mdc
cd "$tmp"
port=$(( 20000 + RANDOM % 10000 )) sport=$(( 30000 + RANDOM % 10000 ))

"$build/mdc-sim" modbus --tcp "127.0.0.1:$sport" --ports 20 --frozen > sim.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '^tcp:' sim.log 2>/dev/null && break; sleep 0.1; done
{ echo "{\"data_dir\": \"data\", \"http\": {\"listen\": \"127.0.0.1:0\"}, \"sinks\": [{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:$port/in\", \"timeout\": \"2s\"}], \"devices\": ["
  for i in $(seq 0 19); do
    [ "$i" -gt 0 ] && echo ','
    printf '{"id": "m%d", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%d"}, "interval": "100ms", "points": [{"name": "v", "function": 4, "address": 0, "type": "float32"}, {"name": "p", "function": 4, "address": 52, "type": "float32"}]}' "$i" $(( sport + i ))
  done
  echo ']}'; } > mdc.json

receiver_up() {
  rm -f port
  python3 "$server" --port "$port" --port-file port --log /dev/null &
  rpid=$!; pids+=("$rpid")
  for _ in $(seq 100); do [ -s port ] && break; sleep 0.05; done
}
receiver_down() { kill "$rpid"; wait "$rpid" 2>/dev/null || true; }
mdc_up() {
  : > mdc.err
  "$build/mdc" run -c mdc.json 2> mdc.err &
  mpid=$!; pids+=("$mpid")
  for _ in $(seq 100); do grep -q 'serving' mdc.err 2>/dev/null && break; sleep 0.1; done
  hp=$(sed -n 's|.*serving the dashboard, API and metrics on http://127.0.0.1:\([0-9]*\)/.*|\1|p' mdc.err)
}
metric() { curl -s "http://127.0.0.1:$hp/metrics" | awk -v m="$1" 'index($1, m "{") == 1 && /type="webhook"/ {print $2}'; }
wait_backlog() { while [ "$(metric mdc_sink_backlog_records)" -lt "$backlog" ]; do sleep 0.2; done; }

# drain: from the first delivery after $1 (ns) until the backlog is below one second of
# production; prints "rate wait_s delivered"
drain() {
  local t0=$1 d0 s d1 e d2
  d0=$(metric mdc_sink_delivered_records_total)
  while [ "$(metric mdc_sink_delivered_records_total)" = "$d0" ]; do sleep 0.01; done
  s=$(date +%s%N); d1=$(metric mdc_sink_delivered_records_total)
  while [ "$(metric mdc_sink_backlog_records)" -gt 200 ]; do sleep 0.01; done
  e=$(date +%s%N); d2=$(metric mdc_sink_delivered_records_total)
  awk -v n=$(( d2 - d1 )) -v ns=$(( e - s )) -v w=$(( s - t0 )) \
    'BEGIN {printf "%.0f %.1f %d\n", n / (ns / 1e9), w / 1e9, n}'
}

# One round: the reference (a backlog waiting for a receiver this process never saw fail),
# then the outage (the same process, caught up, the receiver down until the backlog is there).
round() {
  mdc_up
  wait_backlog
  b_ref=$(metric mdc_sink_backlog_records)
  kill -TERM "$mpid"; wait "$mpid" 2>/dev/null || true
  receiver_up
  mdc_up
  read -r ref_rate ref_wait ref_n <<<"$(drain "$(date +%s%N)")"
  local t; t=$(date +%s)
  receiver_down
  wait_backlog
  outage_s=$(( $(date +%s) - t ))
  b_out=$(metric mdc_sink_backlog_records)
  local t0; t0=$(date +%s%N)
  receiver_up
  read -r out_rate out_wait out_n <<<"$(drain "$t0")"
  kill -TERM "$mpid"; wait "$mpid" 2>/dev/null || true
  receiver_down
  echo "webhook drain, round $1: never failed: $b_ref waiting, $ref_n delivered at $ref_rate records/s;" \
    "after a ${outage_s}s outage: $b_out waiting, $out_n delivered at $out_rate records/s" \
    "(first delivery ${out_wait}s after the receiver returned)"
  [ "$ref_rate" -gt "$best_ref" ] && best_ref=$ref_rate
  [ "$out_rate" -gt "$best_out" ] && best_out=$out_rate
  return 0
}

best_ref=0 best_out=0
for r in $(seq "${ROUNDS:-3}"); do round "$r"; done
ratio=$(awk -v a="$best_out" -v b="$best_ref" 'BEGIN {printf "%.2f", a / b}')
echo "webhook drain: $backlog records after an outage $best_out records/s vs never failed $best_ref records/s (best of ${ROUNDS:-3}): ratio $ratio (goal >= 0.8)"
