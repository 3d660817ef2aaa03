#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The mqtt sink against a real mosquitto broker: exact topics and payloads per record and per
# point, the retained per-device status following the machine, credentials (a wrong password is
# refused and never logged), and a broker stopped and restarted mid-run without losing a record.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"

bport=$(free_port)
broker_start b "$bport" "persistence true" "persistence_location $T/bdb/" "max_queued_messages 100000" \
  "autosave_interval 0"
mkdir -p "$T/bdb"
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --control ctl
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
ctl() { echo "$1" > ctl; wait_for 5 grep -q "^ok $2" sim.log || fail "sim did not ack $1"; }

cat > mdc.json <<JSON
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0"},
  "sinks": [ {"type": "sqlite"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "topic": "plant/{machine_id}/{device}",
     "status_topic": "plant/{device}/status", "client_id": "mdc-test", "timeout": "2s"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport/", "topic": "points/{device}/{point}",
     "per": "point", "qos": 2} ],
  "devices": [ { "id": "meter-1", "machine_id": 7, "driver": "modbus",
    "connection": {"tcp": "127.0.0.1:$port"}, "interval": "200ms",
    "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"},
      {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "decimals": 3},
      {"name": "missing", "function": 4, "address": 2000, "type": "uint16"} ],
    "status": {"power": "power_kw", "production_above": 4.5} } ] }
JSON

# A persistent-session subscriber: what the broker queues for it survives the restart.
bg subA mosquitto_sub -p "$bport" -i persist-sub -c -q 1 -t 'plant/+/meter-1' -v
bg live mosquitto_sub -p "$bport" -q 2 -t 'points/#' -t 'plant/+/status' -v -F '%r %q %t %p'
subscribed b 'plant/+/meter-1'
subscribed b 'plant/+/status'
bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q 'points/meter-1/missing' live.log || fail "no per-point messages"
hp=$(http_port mdc.err)

# ---- exact topics and payloads ----
strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}"/"timestamp": T/'; }
first=$(head -1 subA.log | strip)
assert_eq 'plant/7/meter-1 {"timestamp": T, "device": "meter-1", "machine_id": 7, "status": 2, "voltage_l1": 230.1, "power_kw": 6.0, "missing": null, "shift": 1, "errors": {"missing": "unit 1 FC4 addr 2000 count 1: exception 02 illegal data address"}}' \
  "$first" "one JSON record per message on plant/{machine_id}/{device}"
assert_eq '0 2 points/meter-1/status {"timestamp": T, "value": 2}
0 2 points/meter-1/voltage_l1 {"timestamp": T, "value": 230.1}
0 2 points/meter-1/power_kw {"timestamp": T, "value": 6.0}
0 2 points/meter-1/missing {"timestamp": T, "value": null, "error": "unit 1 FC4 addr 2000 count 1: exception 02 illegal data address"}
0 2 points/meter-1/shift {"timestamp": T, "value": 1}' \
  "$(grep ' points/meter-1/' live.log | head -5 | strip)" "per point: one message per value (QoS 2)"
ts1=$(grep ' points/meter-1/' live.log | head -5 | sed -E 's/.*"timestamp": "([^"]*)".*/\1/' | sort -u | wc -l)
assert_eq 1 "$ts1" "the points of one record share its timestamp"

# ---- retained status ----
status_now() { mosquitto_sub -p "$bport" -t plant/meter-1/status -C 1 -W 5 -F '%r %t %p' | strip; }
assert_eq '1 plant/meter-1/status {"timestamp": T, "device": "meter-1", "machine_id": 7, "status": 2, "state": "PRODUCTION", "error": null}' \
  "$(status_now)" "retained status for a new subscriber"
assert_eq 1 "$(grep -c ' plant/meter-1/status ' live.log)" "status published once while it does not change"
ctl "state off" "state"
wait_for 5 grep -q '"state": "OFF"' live.log || fail "status change published"
assert_eq '1 plant/meter-1/status {"timestamp": T, "device": "meter-1", "machine_id": 7, "status": 0, "state": "OFF", "error": null}' \
  "$(status_now)" "the retained status follows the machine"
ctl "state production" "state"

# ---- the broker goes away mid-run: nothing is lost ----
sleep 1
kill "$PID_subA"; wait "$PID_subA" 2>/dev/null || true # its session keeps queueing
broker_stop b
sink_id="mqtt:127.0.0.1:$bport/plant/{machine_id}/{device}"
health_names_sink() { curl -s "http://127.0.0.1:$hp/healthz" | grep -qF "sink $sink_id: "; }
wait_for 10 health_names_sink || fail "healthz names the failing sink"
code=$(curl -s -o health.json -w '%{http_code}' "http://127.0.0.1:$hp/healthz")
assert_eq 503 "$code" "healthz is 503 while the broker is down"
sleep 1
backlog() { curl -s "http://127.0.0.1:$hp/metrics" | grep -F "mdc_sink_backlog_records{sink=\"$sink_id\"" | awk '{print $2}'; }
drained() { [ "$(backlog)" = 0 ]; }
[ "$(backlog)" -gt 0 ] || fail "records wait in the spool while the broker is down"
pass "backlog $(backlog) while the broker is down"
broker_start b "$bport"
wait_for 20 drained || fail "the backlog drains after the broker returns"
grep -F "ERROR [$sink_id]" mdc.err | grep -q "connection lost\|cannot open\|not connected" ||
  fail "the outage is logged"
grep -qF "INFO  [$sink_id] delivering again" mdc.err || fail "recovery logged"
sleep 1
kill -TERM "$PID_mdc"; wait "$PID_mdc"; rc=$?
assert_eq 0 "$rc" "SIGTERM exits 0"
bg subB mosquitto_sub -p "$bport" -i persist-sub -c -q 1 -t 'plant/+/meter-1' -v -W 4
wait "$PID_subB" 2>/dev/null || true
cat subA.log subB.log | sed -E 's/.*"timestamp": "([^"]*)".*/\1/' | sort -u > mqtt.ts
sql data/mdc.db "SELECT DISTINCT ts FROM samples WHERE device = 'meter-1' ORDER BY ts" > store.ts
n=$(wc -l < store.ts)
[ "$n" -ge 15 ] || fail "enough records for the test ($n)"
assert_eq "" "$(comm -23 store.ts mqtt.ts | head -5)" "every one of the $n records reached the broker across its restart"

# ---- credentials ----
mosquitto_passwd -b -c "$T/pw" mdc 's3cret-pw' 2>/dev/null || fail "mosquitto_passwd"
aport=$(free_port)
broker_start a "$aport" "allow_anonymous false" "password_file $T/pw"
mkcfg() {
  cat > auth.json <<JSON
{ "data_dir": "data-auth", "sinks": [ {"type": "mqtt", "url": "mqtt://127.0.0.1:$aport", "topic": "a/{device}",
    "username": "mdc", "password": "\${MQTT_PASSWORD}"} ],
  "devices": [ { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    "interval": "1s", "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
}
mkcfg
bg asub mosquitto_sub -p "$aport" -u mdc -P 's3cret-pw' -t 'a/meter-1' -C 1 -W 10
subscribed a 'a/meter-1'
MQTT_PASSWORD='s3cret-pw' "$MDC" run -c auth.json --once > auth.out 2> auth.err || fail "run with credentials"
wait "$PID_asub" 2>/dev/null || true
grep -q '"device": "meter-1"' asub.log || fail "delivered with username and password"
pass "username/password accepted"
rm -rf data-auth
MQTT_PASSWORD='wrong-pw' bg bad "$MDC" run -c auth.json
wait_for 10 grep -q "refused the connection" bad.err || fail "wrong password refused"
grep -q "the broker refused the connection: Connection Refused: not authorised" bad.err ||
  fail "the refusal says why: $(grep ERROR bad.err | head -1)"
kill -TERM "$PID_bad"; wait "$PID_bad" 2>/dev/null || true
if grep -q 'wrong-pw\|s3cret-pw' bad.err auth.err mdc.err; then fail "a password appeared in a log"; fi
pass "passwords never logged"
