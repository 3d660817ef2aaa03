#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two mdc instances (one per hall, disjoint devices: "instance": "hall-1" / "hall-2") write into
# one PostgreSQL (both schemas) and one MQTT broker. Each keeps its own delivery position and
# claims its devices; hall-1 is killed -9 twice and restarted. Every record of both is in
# PostgreSQL exactly once and in order, and arrives on MQTT (its own topic) at least once. A
# third instance configured with a device of hall-1 is refused with a message naming both and
# writes nothing.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
source "$here/mqtt_lib.sh"
pg_start
createdb mes
bport=$(free_port)
broker_start broker "$bport"
bg sub mosquitto_sub -p "$bport" -q 1 -t 'mdc/+'
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1,2
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)

# hall_config INSTANCE DEVICE: the delivery config with one device, its own data_dir, and MQTT
hall_config() {
  pg_delivery_config "$port" | jq --arg i "$1" --arg d "$2" --arg url "mqtt://127.0.0.1:$bport" '
    .instance = $i | .data_dir = "data-" + $i | .devices |= map(select(.id == $d)) |
    .sinks |= map(if .schema == "belmc" then .ems_devices = [$d] | .production_devices = [$d] else . end) |
    .sinks += [{"type": "mqtt", "url": $url, "topic": "mdc/{device}", "qos": 1,
                "availability_topic": ("mdc/" + $i + "/availability")}]'
}
hall_config hall-1 ems-1 > hall-1.json
hall_config hall-2 ems-2 > hall-2.json
bg hall2 "$MDC" run -c hall-2.json

# caught_up N: hall-N's records are all in both schemas
caught_up() {
  local n
  n=$(sql "data-hall-$1/mdc.db" "SELECT count(*) FROM samples WHERE name = 'frequency'")
  [ "$n" -gt 0 ] &&
    [ "$(q mes "SELECT count(*) FROM mdc.samples WHERE device = 'ems-$1' AND name = 'frequency'")" = "$n" ] &&
    [ "$(q mes "SELECT last_seq FROM mdc.sink_state WHERE sink = 'hall-$1/belmc'")" = \
      "$(q mes "SELECT last_seq FROM mdc.sink_state WHERE sink = 'hall-$1/mdc'")" ]
}
for i in 1 2 3; do
  "$MDC" run -c hall-1.json >>hall1.log 2>>hall1.err &
  pid=$!
  PIDS+=("$pid")
  sleep "$(( 2 + i )).$(( RANDOM % 10 ))"
  [ "$i" -lt 3 ] || break
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  pass "hall-1 killed -9 (number $i)"
done
wait_for 30 caught_up 1 || fail "hall-1 delivering after its restarts"
wait_for 30 caught_up 2 || fail "hall-2 delivering"

# a third instance that also has ems-1
jq '.instance = "hall-3" | .sinks |= map(select(.type == "postgres" and .schema == "mdc"))' hall-1.json |
  jq '.data_dir = "data-hall-3"' > hall-3.json
bg hall3 "$MDC" run -c hall-3.json
wait_for 30 grep -q 'device "ems-1" is written by mdc instance "hall-1" too (mdc.owners), this is instance "hall-3"' hall3.err ||
  fail "the third instance is refused"
pass "a third instance with hall-1's device is refused: $(grep -m1 -o 'device "ems-1" is written.*instance "hall-3"' hall3.err)"
kill "$PID_hall3"; wait "$PID_hall3" || true
assert_eq "" "$(q mes "SELECT sink FROM mdc.sink_state WHERE sink LIKE 'hall-3%' UNION SELECT key FROM mdc.owners WHERE instance = 'hall-3'")" \
  "hall-3 holds no position and no claim"

sleep 2
kill "$pid"; wait "$pid" || fail "hall-1 exit status"
kill "$PID_hall2"; wait "$PID_hall2" || fail "hall-2 exit status"
caught_up 1 || fail "hall-1: everything delivered at stop"
caught_up 2 || fail "hall-2: everything delivered at stop"

assert_eq "hall-1/belmc
hall-1/mdc
hall-2/belmc
hall-2/mdc" "$(q mes "SELECT sink FROM mdc.sink_state ORDER BY sink")" "one position per instance and schema"
assert_eq "device|ems-1|hall-1
device|ems-2|hall-2
ems|1|hall-1
ems|2|hall-2
production|1|hall-1
production|2|hall-2" "$(q mes "SELECT kind, key, instance FROM mdc.owners ORDER BY 1, 2")" "each instance claims its devices and machines"
for h in 1 2; do
  ref=$(sql "data-hall-$h/mdc.db" "SELECT device, ts FROM records WHERE json_type(fields, '\$.frequency') IS NOT NULL ORDER BY rowid")
  got=$(q mes "SELECT device || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM mdc.samples WHERE device = 'ems-$h' AND name = 'frequency' ORDER BY id")
  assert_eq "$ref" "$got" "hall-$h: all $(printf '%s\n' "$ref" | wc -l) records in mdc.samples, once, in order"
  ref=$(q mes "SELECT to_char(ts AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD HH24:MI:SS.US') FROM mdc.samples WHERE device = 'ems-$h' AND name = 'frequency' AND value IS NOT NULL ORDER BY id")
  got=$(q mes "SELECT to_char(timestamp, 'YYYY-MM-DD HH24:MI:SS.US') FROM ems.machine_ems_history WHERE machine_id = $h ORDER BY id")
  assert_eq "$ref" "$got" "hall-$h: ems.machine_ems_history of machine $h, each sample once, in order"
done
# MQTT: every record of both instances on its device's topic (QoS 1: at least once)
mqtt_has_all() {
  local h n got
  for h in 1 2; do
    n=$(sql "data-hall-$h/mdc.db" "SELECT count(*) FROM samples WHERE name = 'frequency'")
    got=$(jq -rR 'fromjson? | select(.device == "ems-'"$h"'") | .timestamp' sub.log | sort -u | wc -l)
    [ "$got" = "$n" ] || return 1
  done
}
wait_for 30 mqtt_has_all || fail "MQTT: every record of both instances arrived ($(jq -rR 'fromjson? | .device' sub.log | sort | uniq -c | tr '\n' ' '))"
pass "MQTT: every record of both instances arrived; $(( $(wc -l < sub.log) - $(jq -rR 'fromjson? | .device + .timestamp' sub.log | sort -u | wc -l) )) redelivered after the kills (QoS 1)"
assert_eq "mdc/hall-1/availability offline
mdc/hall-2/availability offline" "$(mosquitto_sub -p "$bport" -t 'mdc/+/availability' -W 2 -v 2>/dev/null | sort)" \
  "each instance has its own availability topic (retained: offline after its clean stop)"
