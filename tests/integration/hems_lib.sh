# SPDX-License-Identifier: Apache-2.0
# hems_lib.sh — helpers for the `mdc hems` integration tests (sourced after lib.sh).

# The simulator's frozen meter, as hems-data-collector's JSON record without its timestamp.
HEMS_JSON_THREE='"cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 3.0, "current_t_a": 2.0, "historical_timestamp": "2023-10-27T10:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_consumption_kwh": 0.2, "recent_30min_timestamp": "2023-10-27T10:00:00+00:00"}'
HEMS_CSV_HEADER='timestamp,cumulative_power_kwh,instant_power_w,current_a,current_r_a,current_t_a,historical_timestamp,historical_cumulative_power_kwh,recent_30min_timestamp,recent_30min_consumption_kwh'
HEMS_CSV_THREE='12345.6,500,5.0,3.0,2.0,2023-10-27T10:00:00+00:00,12345.4,2023-10-27T10:00:00+00:00,0.2'

export B_ROUTE_ID=00000000000000000000000000000000 B_ROUTE_PASSWORD=000000000000
export HEMS_DATA_DIR="$T/spool" LOCAL_TIMEZONE=Asia/Tokyo
unset SERIAL_PORT SERIAL_RATE WEBHOOK_URL GCP_PROJECT_ID GCP_TOPIC_NAME PUBSUB_EMULATOR_HOST \
  GOOGLE_APPLICATION_CREDENTIALS BROUTE_MODULE

# start_broute NAME SIM-OPTIONS...: a simulated module + meter on $T/tty-NAME.
start_broute() {
  local name=$1; shift
  bg "$name" "$MDC_SIM" broute --link "$T/tty-$name" "$@"
  wait_for 5 test -e "$T/tty-$name" || fail "simulator $name did not start"
}

# hems_until COUNT PATTERN FILE ARGS...: runs `mdc hems ARGS` in the background (stdout to
# hems.out, stderr to hems.err) until FILE has COUNT lines matching PATTERN, then stops it
# with SIGTERM and checks it exited 0.
hems_until() {
  local count=$1 pattern=$2 file=$3; shift 3
  : >"$T/hems.out" # emptied before the fork (lib.sh bg): FILE may be one of them
  : >"$T/hems.err"
  $MDC_WRAP "$MDC" hems "$@" >"$T/hems.out" 2>"$T/hems.err" &
  local pid=$!
  local deadline=$(( $(date +%s) + ${HEMS_WAIT:-60} ))
  local n
  for (( ; ; )); do
    n=$(grep -c -- "$pattern" "$file" 2>/dev/null) || true
    [ "${n:-0}" -ge "$count" ] && break
    if ! kill -0 "$pid" 2>/dev/null; then wait "$pid" || true; fail "mdc hems exited early"; fi
    [ "$(date +%s)" -lt "$deadline" ] || { kill "$pid"; wait "$pid" || true; fail "no $count records in $file"; }
    sleep 0.1
  done
  kill -TERM "$pid"
  wait "$pid" || fail "mdc hems exited with $? after SIGTERM"
}

# Records without their timestamps (JSON lines / CSV rows).
json_bodies() { sed -E 's/^\{"timestamp": "[^"]*", /{/' "$@"; }
csv_bodies() { cut -d, -f2- "$@"; }
# Every timestamp is UTC ISO 8601 as Python's isoformat() writes it.
check_json_timestamps() {
  grep -Evq '^\{"timestamp": "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?\+00:00", ' "$1" &&
    fail "a timestamp in $1 is not isoformat()" || true
}
