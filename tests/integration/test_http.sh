#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The HTTP server: every endpoint's exact response (volatile fields removed with jq), the
# bearer token enforced (401), bad paths, parameters and methods answered 4xx with a message,
# garbage on the socket survived, and the token never echoed.
source "$(dirname "$0")/lib.sh"
command -v jq >/dev/null && command -v curl >/dev/null || { echo "SKIP: jq or curl missing"; exit 77; }

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
dead=$(free_port) # nothing listens there
export MDC_HTTP_TOKEN='tok-3f9a'
cat > mdc.json <<JSON
{ "timezone": "Asia/Kolkata", "data_dir": "data", "http": {"listen": "127.0.0.1:0", "token": "\${MDC_HTTP_TOKEN}"},
  "shifts": [ {"id": 1, "start": "06:00"}, {"id": 2, "start": "14:00"}, {"id": 3, "start": "22:00"} ],
  "sinks": [ {"type": "sqlite"} ],
  "devices": [
    { "id": "meter-1", "machine_id": 7, "name": "Press", "driver": "modbus",
      "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32", "unit": "V"},
        {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "decimals": 3,
         "unit": "kW", "label": "Active power"},
        {"name": "energy_kwh", "function": 4, "address": 342, "type": "float32", "decimals": 4, "unit": "kWh"},
        {"name": "missing", "function": 4, "address": 2000, "type": "uint16"} ],
      "status": {"power": "power_kw", "production_above": 4.5}, "energy": {"point": "energy_kwh"} },
    { "id": "meter-2", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$dead"}, "interval": "1s",
      "timeout": "200ms",
      "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32"} ] } ] }
JSON
bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q 'serving the dashboard' mdc.err || fail "http server not started"
hp=$(sed -n 's|.*on http://127.0.0.1:\([0-9]*\)/ (bearer token required)$|\1|p' mdc.err)
[ -n "$hp" ] || fail "the log says a token is required: $(grep http mdc.err)"
base="http://127.0.0.1:$hp"
auth=(-H "Authorization: Bearer $MDC_HTTP_TOKEN")
# get PATH [CURL_ARGS...]: body to $T/body, prints the status code
get() {
  local p=$1 code; shift
  code=$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$base$p")
  cat "$T/body" >> "$T/bodies.all"
  echo "$code"
}
wait_for 10 bash -c "curl -s -H 'Authorization: Bearer $MDC_HTTP_TOKEN' $base/api/devices | jq -e '.devices[0].timestamp and .devices[1].timestamp' >/dev/null" ||
  fail "both devices polled"
shift_now=$(TZ=Asia/Kolkata date +%H | awk '{h=$1+0; print (h>=6&&h<14)?1:(h>=14&&h<22)?2:3}')

# ---- the token ----
assert_eq 401 "$(get /api/devices)" "no token: 401"
assert_eq '{"error": "missing or wrong bearer token"}' "$(cat body)" "401 body"
curl -s -D hdr -o /dev/null "$base/healthz"
grep -qi '^WWW-Authenticate: Bearer realm="mdc"' hdr || fail "WWW-Authenticate header"
assert_eq 401 "$(get /api/devices -H 'Authorization: Bearer tok-3f9b')" "wrong token: 401"
assert_eq 401 "$(get /api/devices -H "Authorization: Basic $MDC_HTTP_TOKEN")" "not a bearer token: 401"
assert_eq 401 "$(get /nope)" "unknown paths need the token too (no probing)"
assert_eq 200 "$(get /api/devices "${auth[@]}")" "bearer header: 200"
assert_eq 200 "$(get "/api/devices?access_token=$MDC_HTTP_TOKEN")" "access_token parameter: 200"
assert_eq 200 "$(get /api/devices -H "authorization: bearer   $MDC_HTTP_TOKEN")" "scheme case-insensitive"

# ---- /api/devices ----
# norm: the volatile parts of a body (times, counters) replaced by T and N
norm() {
  sed -E 's/"(timestamp|next|from|to|last_success)": "[0-9T:.+-]{32}"/"\1": T/g;
    s/"(polls|poll_errors|missed_slots)": [0-9]+/"\1": N/g; s/"last_poll_seconds": [0-9.e-]+/"last_poll_seconds": N/g;
    s/"shift": '"$shift_now"'([,}])/"shift": S\1/g' "$@"
}
get /api/devices "${auth[@]}" >/dev/null
# what the values mean (the catalog): beside the values, never inside them
P_STATUS='"status": {"label": "Machine status", "unit": null, "decimals": 0, "quantity": "enum", "total": false, "enum": {"0": "OFF", "1": "ON", "2": "PRODUCTION"}}'
P_SHIFT='"shift": {"label": "Shift", "unit": null, "decimals": 0, "quantity": null, "total": false}'
P1='{'"$P_STATUS"', "voltage_l1": {"label": null, "unit": "V", "decimals": null, "quantity": "voltage", "total": false}, "power_kw": {"label": "Active power", "unit": "kW", "decimals": 3, "quantity": "power", "total": false}, "energy_kwh": {"label": null, "unit": "kWh", "decimals": 4, "quantity": "energy", "total": true}, "missing": {"label": null, "unit": null, "decimals": null, "quantity": null, "total": false}, "energy_delta_kwh": {"label": "Energy since the last sample", "unit": "kWh", "decimals": null, "quantity": "energy", "total": false}, '"$P_SHIFT"', "shift_energy_kwh": {"label": "Energy this shift", "unit": "kWh", "decimals": 3, "quantity": "energy", "total": false}}'
P2='{'"$P_STATUS"', "power_kw": {"label": null, "unit": null, "decimals": null, "quantity": null, "total": false}, '"$P_SHIFT"'}'
assert_eq '{"timestamp": T, "devices": [{"id": "meter-1", "name": "Press", "machine_id": 7, "driver": "modbus", "power_point": "power_kw", "points": '"$P1"', "state": "PRODUCTION", "status": 2, "reachable": true, "error": null, "timestamp": T, "program": null, "part_count": null, "shift": S, "shift_energy_kwh": 0.0, "values": {"voltage_l1": 230.1, "power_kw": 6.0, "energy_kwh": 1234.5, "missing": null, "energy_delta_kwh": 0.0, "shift": S, "shift_energy_kwh": 0.0}, "errors": {"missing": "unit 1 FC4 addr 2000 count 1: exception 02 illegal data address"}, "last_success": T, "polls": N, "poll_errors": N, "missed_slots": N, "last_poll_seconds": N}, {"id": "meter-2", "name": "meter-2", "machine_id": null, "driver": "modbus", "power_point": null, "points": '"$P2"', "state": "UNREACHABLE", "status": 0, "reachable": false, "error": "127.0.0.1:'"$dead"': connection refused", "timestamp": T, "program": null, "part_count": null, "shift": S, "shift_energy_kwh": null, "values": {"power_kw": null, "shift": S}, "errors": {}, "last_success": null, "polls": N, "poll_errors": N, "missed_slots": N, "last_poll_seconds": N}], "total": 2, "offset": 0}' \
  "$(norm body)" "/api/devices, exactly"
jq -e '.devices[0].polls >= 1 and .devices[0].poll_errors == 0 and .devices[0].last_poll_seconds > 0 and .devices[1].poll_errors >= 1 and .devices[1].polls == .devices[1].poll_errors' body >/dev/null ||
  fail "counters: $(jq -c '.devices[] | {polls, poll_errors, last_poll_seconds}' body)"
pass "/api/devices: counters (a refused connection counts as a failed poll)"
assert_eq 200 "$(get /api/devices/meter-1 "${auth[@]}")" "/api/devices/meter-1"
assert_eq '{"id": "meter-1", "name": "Press", "machine_id": 7, "driver": "modbus", "power_point": "power_kw", "points": '"$P1"', "state": "PRODUCTION", "status": 2, "reachable": true, "error": null, "timestamp": T, "program": null, "part_count": null, "shift": S, "shift_energy_kwh": 0.0, "values": {"voltage_l1": 230.1, "power_kw": 6.0, "energy_kwh": 1234.5, "missing": null, "energy_delta_kwh": 0.0, "shift": S, "shift_energy_kwh": 0.0}, "errors": {"missing": "unit 1 FC4 addr 2000 count 1: exception 02 illegal data address"}, "last_success": T, "polls": N, "poll_errors": N, "missed_slots": N, "last_poll_seconds": N}' \
  "$(norm body)" "/api/devices/meter-1, exactly"

# ---- /healthz ----
assert_eq 503 "$(get /healthz "${auth[@]}")" "healthz 503 while a device is unreachable"
assert_eq '{"status": "unhealthy", "reasons": ["device meter-2: unreachable: 127.0.0.1:'"$dead"': connection refused"]}' \
  "$(cat body)" "healthz names the unreachable device and why"

# ---- /metrics ----
curl -s -D hdr -o metrics.txt "${auth[@]}" "$base/metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' hdr || fail "metrics content type"
for line in 'mdc_build_info{version="[0-9.]*"} 1' 'mdc_device_up{device="meter-1"} 1' \
  'mdc_device_up{device="meter-2"} 0' 'mdc_device_status{device="meter-1"} 2' \
  'mdc_device_poll_errors_total{device="meter-1"} 0' \
  'mdc_device_poll_duration_seconds_bucket{device="meter-1",le="+Inf"} [1-9][0-9]*' \
  'mdc_sink_up{sink="sqlite:data/mdc.db",type="sqlite"} 1' \
  'mdc_sink_failures_total{sink="sqlite:data/mdc.db",type="sqlite"} 0' \
  'mdc_sink_backlog_records{sink="sqlite:data/mdc.db",type="sqlite"} [0-9]*' \
  'mdc_spool_records [0-9]*' 'mdc_spool_dropped_records_total 0' 'mdc_http_event_clients 0' \
  'mdc_config_reloads_total{result="success"} 0' 'process_resident_memory_bytes [1-9][0-9]*' \
  'process_open_fds [1-9][0-9]*'; do
  grep -qx "$line" metrics.txt || fail "metrics line: $line"
done
polls=$(sed -n 's/^mdc_device_polls_total{device="meter-1"} //p' metrics.txt)
count=$(sed -n 's/^mdc_device_poll_duration_seconds_count{device="meter-1"} //p' metrics.txt)
assert_eq "$polls" "$count" "the latency histogram counts every poll"
bad=$(grep -v '^#' metrics.txt | grep -Evc '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [-+0-9.eInfNa]+$' || true)
assert_eq 0 "$bad" "every sample line is well-formed Prometheus text"

# ---- history and shifts ----
# two records in the store (the store sink may lag the polls on a loaded machine)
two_stored() {
  [ "$(curl -s "${auth[@]}" "$base/api/devices/meter-1/history?limit=10" | jq '.records | length')" -ge 2 ]
}
wait_for 20 two_stored || fail "two records of meter-1 in the history"
assert_eq 200 "$(get '/api/devices/meter-1/history?limit=1' "${auth[@]}")" "history"
assert_eq '{"device": "meter-1", "from": T, "to": T, "records": [{"timestamp": T, "voltage_l1": 230.1, "power_kw": 6.0, "energy_kwh": 1234.5, "missing": null, "energy_delta_kwh": 0.0, "shift": S, "shift_energy_kwh": 0.0, "errors": {"missing": "unit 1 FC4 addr 2000 count 1: exception 02 illegal data address"}}], "truncated": true, "next": T, "status_changes": [{"timestamp": T, "status": 2, "previous": null, "error": null}]}' \
  "$(norm body)" "history: the first record rebuilt from the store, truncated at limit=1"
jq -e '.next > .records[0].timestamp and .to > .from' body >/dev/null || fail "history next"
next=$(jq -r .next body)
assert_eq 200 "$(get "/api/devices/meter-1/history?from=$(jq -rn --arg s "$next" '$s|@uri')&limit=10000" "${auth[@]}")" "history from next"
jq -e --arg n "$next" '.records[0].timestamp == $n and .truncated == false and (.records | length) >= 1' body >/dev/null ||
  fail "paging by next"
assert_eq 200 "$(get '/api/devices/meter-1/history?from=2020-01-01&to=2020-01-02' "${auth[@]}")" "empty range"
assert_eq '{"device": "meter-1", "from": "2020-01-01T00:00:00.000000+00:00", "to": "2020-01-02T00:00:00.000000+00:00", "records": [], "truncated": false, "status_changes": []}' \
  "$(cat body)" "history of an empty range, exactly"
assert_eq 200 "$(get /api/devices/meter-1/shifts "${auth[@]}")" "shifts"
start=$(sqlite3 data/mdc.db "SELECT shift_start FROM shift_energy WHERE device = 'meter-1'")
assert_eq '{"device": "meter-1", "from": T, "to": T, "shifts": [{"shift_start": "'"$start"'", "shift": S, "energy_kwh": 0.0, "parts": null, "closed": false}]}' \
  "$(norm body)" "shifts: the current shift's row, exactly"
assert_eq 200 "$(get '/api/devices/meter-2/shifts?from=1700000000&to=1700003600' "${auth[@]}")" "shifts of a range"
assert_eq '{"device": "meter-2", "from": "2023-11-14T22:13:20.000000+00:00", "to": "2023-11-14T23:13:20.000000+00:00", "shifts": []}' \
  "$(cat body)" "shifts with from/to as Unix seconds, exactly"

# ---- server-sent events ----
curl -s -N --max-time 3 "${auth[@]}" "$base/api/events" > events.txt || true
assert_eq "retry: 2000" "$(head -1 events.txt)" "events: the stream starts with retry"
grep -q '^event: record$' events.txt || fail "events: record events"
grep -A1 '^event: record$' events.txt | grep '^data: ' | head -1 | sed 's/^data: //' | jq -e '.device' >/dev/null || fail "events: JSON data"
assert_eq 'event: catalog' "$(sed -n 3p events.txt)" "events: the catalog follows retry"
assert_eq 'data: {"devices": [{"id": "meter-1", "points": '"$P1"'}, {"id": "meter-2", "points": '"$P2"'}]}' \
  "$(sed -n 4p events.txt)" "events: the catalog, exactly"
[ "$(grep -c '^id: [0-9]*$' events.txt)" -ge 2 ] || fail "events: ids"
pass "events: $(grep -c '^data: ' events.txt) records in 3 s"
curl -s -N --max-time 3 "$base/api/events?device=meter-2&access_token=$MDC_HTTP_TOKEN" > ev2.txt || true
[ "$(grep -c '^data: ' ev2.txt)" -ge 1 ] || fail "events for meter-2"
assert_eq 0 "$(grep '^data: ' ev2.txt | sed 1d | grep -vc '"device": "meter-2"' || true)" "events ?device= filters"
assert_eq 'data: {"devices": [{"id": "meter-2", "points": '"$P2"'}]}' "$(sed -n 4p ev2.txt)" "events ?device=: that device's catalog"
curl -s -N --max-time 2 "${auth[@]}" "$base/api/events?catalog=false" > ev3.txt || true
[ "$(grep -c '^event: catalog' ev3.txt)" = 0 ] && grep -q '^event: record$' ev3.txt || fail "events ?catalog=false: $(head -5 ev3.txt)"
pass "events ?catalog=false: records without the catalog"

# ---- the dashboard's endpoints ----
assert_eq 200 "$(get /api/plant "${auth[@]}")" "/api/plant"
jq -e --argjson s "$shift_now" '.devices == 2 and .states.PRODUCTION == 1 and .states.UNREACHABLE == 1 and
  .power_kw == 6.0 and .power_devices == 1 and .timezone == "Asia/Kolkata" and .shift.id == $s and
  .shift.end > .shift.start and .previous_shift.end == .shift.start and .energy_shift_kwh == 0.0 and
  .energy_today_kwh == 0.0 and .parts_shift == null and .day_start <= .shift.start' body >/dev/null ||
  fail "plant totals: $(cat body)"
pass "plant totals: states, power, shift and energy"
assert_eq 200 "$(get '/api/devices?offset=1&limit=1' "${auth[@]}")" "a page of devices"
assert_eq '2 1 meter-2' "$(jq -r '"\(.total) \(.offset) \([.devices[].id] | join(","))"' body)" "offset 1, limit 1: meter-2 of 2"
get '/api/devices?q=PRESS' "${auth[@]}" >/dev/null
assert_eq '1 meter-1' "$(jq -r '"\(.total) \([.devices[].id] | join(","))"' body)" "q matches the name in any case"
get '/api/devices?state=UNREACHABLE' "${auth[@]}" >/dev/null
assert_eq '1 meter-2' "$(jq -r '"\(.total) \([.devices[].id] | join(","))"' body)" "state filter"
assert_eq 200 "$(get '/api/devices/meter-1/series?point=power_kw&step=5m' "${auth[@]}")" "series"
jq -e '.point == "power_kw" and .step_seconds == 300 and (.buckets | length) >= 1 and
  all(.buckets[]; .avg == 6.0 and .min == 6.0 and .max == 6.0 and .n >= 1)' body >/dev/null || fail "series: $(cat body)"
pass "series: 5-minute buckets of power_kw from the store"
get '/api/devices/meter-1/series?point=nothing' "${auth[@]}" >/dev/null
assert_eq '[]' "$(jq -c .buckets body)" "series of an unknown value: no buckets"
assert_eq 200 "$(get /api/devices/meter-2/timeline "${auth[@]}")" "timeline"
jq -e '(.segments | length) == 2 and .segments[0].state == "UNKNOWN" and .segments[1].state == "UNREACHABLE" and
  .segments[0].to == .segments[1].from and .seconds.UNREACHABLE >= 0 and .seconds.PRODUCTION == 0' body >/dev/null ||
  fail "timeline: $(cat body)"
pass "timeline: no data, then unreachable"

# ---- sessions: the page and its files need no token; the token buys a cookie ----
for a in / /dashboard.js /dashboard.css /favicon.svg; do
  assert_eq 200 "$(get "$a")" "GET $a without the token"
done
curl -s -D hdr -o body "${auth[@]}" "$base/api/session"
cookie=$(sed -n 's/^Set-Cookie: \(mdc_session=[0-9a-f]\{64\}\); Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict\r$/\1/ip' hdr)
[ -n "$cookie" ] || fail "session cookie: $(grep -i set-cookie hdr)"
assert_eq '{"session": true, "expires_in": 43200}' "$(cat body)" "a session for the token"
assert_eq 200 "$(get /api/devices -H "Cookie: theme=dark; $cookie")" "the cookie opens the API"
assert_eq 200 "$(curl -s -N -o /dev/null -w '%{http_code}' --max-time 1 -H "Cookie: $cookie" "$base/api/events" || true)" "the cookie opens the event stream"
assert_eq 401 "$(get /api/devices -H "Cookie: mdc_session=$(printf '0%.0s' $(seq 64))")" "a made-up session: 401"
assert_eq 401 "$(get /api/session)" "no session without the token"

# ---- bad requests: status and message ----
check() { # CODE PATH EXPECTED_BODY [CURL_ARGS]
  local code=$1 path=$2 want=$3; shift 3
  assert_eq "$code $want" "$(get "$path" "${auth[@]}" "$@") $(cat body)" "$code for ${path:0:70}"
}
nope='{"error": "no such endpoint; try /, /healthz, /metrics, /api/devices, /api/devices/{id}, /api/devices/{id}/history, /api/devices/{id}/shifts, /api/devices/{id}/series, /api/devices/{id}/timeline, /api/plant, /api/events"}'
check 404 /nope "$nope"
check 404 /api "$nope"
check 404 /api/devices/nope '{"error": "no such device \"nope\""}'
check 404 /api/devices/nope/history '{"error": "no such device \"nope\""}'
check 404 '/api/devices/%3Cb%3E' '{"error": "no such device \"<b>\""}'
check 404 /api/devices/meter-1/x '{"error": "no such endpoint; device endpoints: /api/devices/{id}, /api/devices/{id}/history, /api/devices/{id}/shifts, /api/devices/{id}/series, /api/devices/{id}/timeline"}'
check 400 '/api/devices/meter-1/series' '{"error": "point: required (the name of a numeric value, e.g. power_kw)"}'
check 400 '/api/devices/meter-1/series?point=power_kw&step=0' '{"error": "step: expected seconds (60) or a duration (\"30s\", \"5m\", \"1h\") of at least 1 s, got \"0\""}'
check 400 '/api/devices/meter-1/series?point=power_kw&from=2026-01-01&to=2026-01-03' '{"error": "from..to: a series spans at most 24 h"}'
check 400 '/api/devices/meter-1/series?point=power_kw&from=2026-01-01&to=2026-01-02&step=1' '{"error": "step: at most 1440 buckets; use a step of at least 61 s"}'
check 400 '/api/devices/meter-1/timeline?from=2026-01-01&to=2026-03-01' '{"error": "from..to: a timeline spans at most 31 days"}'
check 400 '/api/devices?state=BUSY' '{"error": "state: expected PRODUCTION, ON, OFF, UNREACHABLE, PENDING or ONLINE, got \"BUSY\""}'
check 400 '/api/devices?offset=-1' '{"error": "offset: expected a whole number from 0 to 1000000, got \"-1\""}'
check 404 '//healthz' '{"error": "no such endpoint (empty path segment)"}'
check 404 /nothing.js '{"error": "no such file"}'
check 400 '/api/devices/a%zz' '{"error": "bad percent-escape or NUL byte in the path"}'
check 400 '/api/devices/meter-1/history?from=yesterday' '{"error": "from: expected an ISO 8601 time (2026-11-22T06:00:00Z, 2026-11-22T11:30:00+05:30, 2026-11-22) or Unix seconds, got \"yesterday\""}'
check 400 '/api/devices/meter-1/history?from=2026-01-02&to=2026-01-01' '{"error": "from must be before to"}'
check 400 '/api/devices/meter-1/history?limit=0' '{"error": "limit: expected a whole number from 1 to 10000, got \"0\""}'
check 400 '/api/devices/meter-1/history?limit=5&limit=6' '{"error": "query parameter \"limit\" given twice"}'
check 400 '/api/devices/meter-1/history?colour=red' '{"error": "unknown query parameter \"colour\"; allowed here: from, to, limit"}'
check 400 '/metrics?x' '{"error": "unknown query parameter \"x\"; allowed here: none"}'
check 400 '/api/events?device=a%2Fb' '{"error": "device: \"a/b\" is not a device id"}'
check 404 '/api/events?device=ghost' '{"error": "no such device \"ghost\""}'
check 414 "/$(head -c 5000 /dev/zero | tr '\0' a)" '{"error": "request target longer than 4096 bytes"}'
check 405 /api/devices '{"error": "only GET and HEAD are allowed"}' -X POST -d 'x=1'
curl -s -D hdr -o /dev/null -X DELETE "${auth[@]}" "$base/api/devices"
grep -qi '^Allow: GET, HEAD' hdr || fail "405 carries Allow"
curl -s --head "${auth[@]}" "$base/api/devices" > head.txt
grep -q '^HTTP/1.1 200 OK' head.txt && grep -qi '^Content-Length: [1-9]' head.txt || fail "HEAD: $(cat head.txt)"
pass "HEAD is allowed (headers only)"

# ---- garbage never crashes the server ----
for junk in 'GARBAGE\r\n\r\n' 'GET\r\n\r\n' 'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n' \
  'GET /%%%%%%%% HTTP/1.1\r\n\r\n' '\x00\x01\x02\xff\xfe\r\n\r\n' 'GET /healthz HTTP/9.9\r\n\r\n'; do
  (exec 3<>"/dev/tcp/127.0.0.1/$hp"; printf "$junk" >&3; timeout 2 cat <&3 >/dev/null) 2>/dev/null || true
done
head -c 20000 /dev/urandom > rnd.bin
(exec 3<>"/dev/tcp/127.0.0.1/$hp"; cat rnd.bin >&3; timeout 2 cat <&3 >/dev/null) 2>/dev/null || true
for i in $(seq 1 50); do curl -s -o /dev/null --max-time 2 "$base/api/devices/m$i/history?from=$i" & done
wait_jobs() { local j; for j in $(jobs -p); do case " ${PIDS[*]} " in *" $j "*) ;; *) wait "$j" 2>/dev/null || true;; esac; done; }
wait_jobs
assert_eq 200 "$(get /api/devices "${auth[@]}")" "the server answers after garbage and a burst"
kill -0 "$PID_mdc" || fail "mdc is still running"

# ---- the token never appears in a response or the log ----
if grep -l "$MDC_HTTP_TOKEN" bodies.all events.txt ev2.txt metrics.txt mdc.err mdc.log; then
  fail "the token leaked"
fi
pass "the token never appears in responses or logs"
kill -TERM "$PID_mdc"; wait "$PID_mdc"; rc=$?
assert_eq 0 "$rc" "SIGTERM exits 0"
