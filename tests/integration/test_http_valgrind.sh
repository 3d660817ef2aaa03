#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The HTTP server, the event stream, the MQTT sink (through a broker restart) and a SIGHUP
# reload, all under valgrind memcheck: no errors and no leaks at exit.
if [ "${MDC_SANITIZED:-0}" = 1 ]; then
  echo "skipped: valgrind cannot run sanitizer builds (the normal build runs this test)"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps.sh installs it)"
bport=$(free_port)
broker_start b "$bport"
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
cat > mdc.json <<JSON
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0", "token": "vg-token"},
  "sinks": [ {"type": "sqlite"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "topic": "v/{device}", "status_topic": "v/{device}/s",
     "timeout": "3s"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "topic": "p/{device}/{point}", "per": "point", "qos": 2} ],
  "devices": [ { "id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001},
                  {"name": "energy", "function": 4, "address": 342, "type": "float32"} ],
      "status": {"power": "power_kw", "production_above": 1}, "energy": {"point": "energy"} },
    { "id": "gone", "driver": "modbus", "connection": {"tcp": "127.0.0.1:1"}, "interval": "1s",
      "points": [ {"name": "v", "function": 4, "address": 0} ] } ] }
JSON
valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --quiet "$MDC" run -c mdc.json > mdc.log 2> mdc.err &
pid=$!; PIDS+=($pid)
wait_for 60 grep -q 'serving the dashboard' mdc.err || fail "no HTTP server under valgrind"
hp=$(http_port mdc.err)
H=(-H "Authorization: Bearer vg-token" --max-time 20)
wait_for 60 bash -c "curl -s -H 'Authorization: Bearer vg-token' http://127.0.0.1:$hp/api/devices | grep -q PRODUCTION" ||
  fail "no records under valgrind"
bg events curl -s -N "${H[@]}" "http://127.0.0.1:$hp/api/events"
for p in / /dashboard.js /healthz /metrics /api/devices /api/devices/m '/api/devices/m/history?limit=2' \
  /api/devices/m/shifts /nope '/api/devices/m/history?from=x' /api/devices/zz; do
  curl -s -o /dev/null "${H[@]}" "http://127.0.0.1:$hp$p" || fail "GET $p"
done
curl -s -o /dev/null --max-time 20 "http://127.0.0.1:$hp/api/devices" || true # 401
broker_stop b
sleep 3
broker_start b "$bport"
sed -i 's/"interval": "1s"/"interval": "2s"/' mdc.json
kill -HUP $pid
wait_for 60 grep -q 'reloaded: collecting' mdc.err || fail "reload under valgrind"
hp=$(http_port mdc.err)
echo '{' > bad.json; cp mdc.json good.json; cp bad.json mdc.json
kill -HUP $pid
wait_for 30 grep -q 'reload failed' mdc.err || fail "refused reload under valgrind"
cp good.json mdc.json
sleep 4
curl -s -o /dev/null "${H[@]}" "http://127.0.0.1:$hp/metrics" || fail "metrics after the reloads"
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
grep -E "==[0-9]+==" mdc.err | head -30 >&2 || true
assert_eq 0 "$rc" "valgrind: no errors, no leaks, exit 0"
grep -q '^event: record$' events.log || fail "events streamed under valgrind"
