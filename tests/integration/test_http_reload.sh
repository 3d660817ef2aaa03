#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# systemd integration and SIGHUP: READY/WATCHDOG/RELOADING/STOPPING over a fake $NOTIFY_SOCKET;
# a valid new configuration is applied (devices added, the HTTP server moved) without losing
# the records spooled for a sink that is down; an invalid one is refused with the reason while
# the old one keeps running; SIGTERM drains and exits 0.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"
command -v python3 >/dev/null && command -v jq >/dev/null || { echo "SKIP: python3 or jq missing"; exit 77; }

# The fake systemd: one line per datagram, newlines shown as '|'.
cat > notify.py <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        out.write(s.recv(4096).decode().replace("\n", "|") + "\n")
PY
bg notify python3 notify.py "$T/notify.sock" "$T/notify.txt"
wait_for 5 test -S notify.sock || fail "fake notify socket"

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --units 1,2
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
# The broker is down while mdc starts and reloads. A persistent subscriber session registered
# now collects (offline) whatever mdc delivers once the broker is back.
bport=$(free_port)
mkdir -p bdb
broker_start b "$bport" "persistence true" "persistence_location $T/bdb/" "max_queued_messages 100000"
mosquitto_sub -p "$bport" -i reload-sub -c -q 1 -t 'r/#' -W 1 >/dev/null 2>&1 || true
broker_stop b
device() { # ID UNIT
  echo "{\"id\": \"$1\", \"driver\": \"modbus\", \"connection\": {\"tcp\": \"127.0.0.1:$port\"}, \"unit_id\": $2,
    \"interval\": \"500ms\", \"points\": [{\"name\": \"power_kw\", \"function\": 4, \"address\": 52, \"type\": \"float32\"}]}"
}
config() { # LISTEN DEVICES...
  local listen=$1; shift
  local devs; devs=$(IFS=,; echo "$*")
  cat > mdc.json <<JSON
{ "data_dir": "data", "http": {"listen": "$listen"},
  "sinks": [ {"type": "sqlite"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "topic": "r/{device}", "timeout": "2s"} ],
  "devices": [ $devs ] }
JSON
}
config 127.0.0.1:0 "$(device meter-1 1)"
NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q '^READY=1' notify.txt || fail "READY=1"
assert_eq 'READY=1|STATUS=collecting from 1 device into 2 sinks' "$(grep '^READY' notify.txt | head -1)" "READY with a status"
sleep 2.2
[ "$(grep -c '^WATCHDOG=1$' notify.txt)" -ge 3 ] || fail "watchdog pings every half period: $(grep -c WATCHDOG notify.txt)"
pass "WATCHDOG=1 every half period ($(grep -c '^WATCHDOG=1$' notify.txt) in 2 s)"
hp=$(http_port mdc.err)
backlog() { curl -s "http://127.0.0.1:$1/metrics" | grep '^mdc_sink_backlog_records{sink="mqtt:' | awk '{print $2}'; }
[ "$(backlog "$hp")" -gt 2 ] || fail "records wait for the absent broker"

# ---- a valid reload: one more device, the HTTP server on a fixed port ----
hp2=$(free_port)
config "127.0.0.1:$hp2" "$(device meter-1 1)" "$(device meter-2 2)"
kill -HUP "$PID_mdc"
wait_for 10 grep -q 'reloaded: collecting from 2 devices into 2 sinks' mdc.err || fail "reload applied"
grep -q 'INFO  SIGHUP: reloading mdc.json' mdc.err || fail "reload logged"
grep -q "^RELOADING=1|MONOTONIC_USEC=[0-9]*$" notify.txt || fail "RELOADING=1 with MONOTONIC_USEC"
assert_eq 'READY=1|STATUS=collecting from 2 devices into 2 sinks' "$(grep '^READY' notify.txt | tail -1)" "READY after the reload"
wait_for 5 tcp_open "$hp2" || fail "the HTTP server moved to its new port"
tcp_open "$hp" && fail "the old port is closed"
api() { curl -s "http://127.0.0.1:$hp2$1"; }
wait_for 5 bash -c "curl -s http://127.0.0.1:$hp2/api/devices | jq -e '.devices[1].reachable'" ||
  fail "the new device is collected"
assert_eq '["meter-1","meter-2"]' "$(api /api/devices | jq -c '[.devices[].id]')" "both devices after the reload"
grep -qx 'mdc_config_reloads_total{result="success"} 1' <(api /metrics) || fail "reload counted"

# ---- an invalid reload: refused, the running configuration stays ----
sed -i 's/"interval": "500ms"/"intervall": "500ms"/' mdc.json
kill -HUP "$PID_mdc"
wait_for 10 grep -q 'reload failed' mdc.err || fail "bad reload reported"
grep -q 'ERROR reload failed; still running the previous configuration: mdc.json:[0-9]*:[0-9]*: devices\[0\].intervall: unknown key "intervall" (did you mean "interval"?)' mdc.err ||
  fail "the reason, with file, line and key: $(grep 'reload failed' mdc.err)"
pass "invalid configuration refused with the reason"
n1=$(api /api/devices | jq '.devices[0].polls')
polled_more() { [ "$(api /api/devices | jq '.devices[0].polls')" -gt "$n1" ]; }
wait_for 10 polled_more || fail "still collecting after the refused reload ($n1 -> $(api /api/devices | jq '.devices[0].polls'))"
grep -qx 'mdc_config_reloads_total{result="failure"} 1' <(api /metrics) || fail "failure counted"
[ "$(grep -c '^READY=1' notify.txt)" -ge 3 ] || fail "READY=1 again after a refused reload"

# ---- the spooled records survived the reload: the broker comes, every record arrives ----
before=$(backlog "$hp2")
[ "$before" -gt 5 ] || fail "a backlog across the reload ($before)"
broker_start b "$bport"
wait_for 20 bash -c "[ \"\$(curl -s http://127.0.0.1:$hp2/metrics | grep '^mdc_sink_backlog_records{sink=\"mqtt:' | awk '{print \$2}')\" = 0 ]" ||
  fail "the backlog drains"

# ---- a reload that moves the HTTP server again: the reload counts carry over ----
hp3=$(free_port)
config "127.0.0.1:$hp3" "$(device meter-1 1)" "$(device meter-2 2)"
kill -HUP "$PID_mdc"
wait_for 10 bash -c "[ \$(grep -c 'reloaded: collecting' mdc.err) -ge 2 ]" || fail "second reload applied"
wait_for 5 tcp_open "$hp3" || fail "the HTTP server moved to $hp3"
assert_eq 'mdc_config_reloads_total{result="success"} 2
mdc_config_reloads_total{result="failure"} 1' "$(curl -s "http://127.0.0.1:$hp3/metrics" | grep '^mdc_config_reloads_total')" \
  "reload counts survive a server restart"

# ---- SIGTERM ----
kill -TERM "$PID_mdc"; wait "$PID_mdc"; rc=$?
assert_eq 0 "$rc" "SIGTERM exits 0"
assert_eq 'STOPPING=1' "$(grep -v '^WATCHDOG' notify.txt | tail -1)" "STOPPING=1 at the end"
grep -q 'INFO  SIGTERM: stopping' mdc.err || fail "SIGTERM logged"

# what the persistent session received vs every record in the store
mosquitto_sub -p "$bport" -i reload-sub -c -q 1 -t 'r/#' -v -W 3 > sub.log 2>/dev/null || true
sed -E 's/.*"timestamp": "([^"]*)".*/\1/' sub.log | sort -u > mqtt.ts
sql data/mdc.db "SELECT DISTINCT ts FROM samples ORDER BY ts" > store.ts
missing=$(comm -23 store.ts mqtt.ts | wc -l)
total=$(wc -l < store.ts)
assert_eq 0 "$missing" "all $total records spooled before, during and after the reload reached the broker"

