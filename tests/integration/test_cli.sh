#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The command line: help, version, check output, configuration errors and exit codes.
source "$(dirname "$0")/lib.sh"

out=$("$MDC" --version)
assert_eq "mdc 0.1.0" "$out" "--version"
"$MDC" --help > help.txt
grep -q "mdc check -c\|check -c FILE" help.txt || fail "--help lists check"
set +e
"$MDC" frobnicate >/dev/null 2>err; rc=$?
set -e
assert_eq 2 "$rc" "unknown command exits 2"
grep -q "unknown command 'frobnicate'" err || fail "unknown command message"

cat > bad.json <<'JSON'
{
  "devices": [
    { "id": "m1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:502"},
      "points": [ {"name": "v", "address": 0, "tpye": "float32"} ] }
  ]
}
JSON
set +e
"$MDC" check -c bad.json >out 2>err; rc=$?
set -e
assert_eq 2 "$rc" "bad configuration exits 2"
assert_eq 'mdc: bad.json:4:47: devices[0].points[0].tpye: unknown key "tpye" (did you mean "type"?); allowed: name, function, address, type, order, unit, label, enum, scale, offset, decimals, length, bytes_per_register, rounding, na' \
  "$(cat err)" "error names file:line:column, key and the closest key"

set +e
"$MDC" check -c missing.json 2>err; rc=$?
set -e
assert_eq 2 "$rc" "missing file exits 2"
assert_eq "mdc: cannot open configuration missing.json: No such file or directory" "$(cat err)" "missing file message"

# an invalid "http" object: exit 2 with the message, nothing leaked (under ASan: LeakSanitizer)
echo '{ "http": {"listen": "localhost"} }' > badhttp.json
set +e
"$MDC" check -c badhttp.json >out 2>err; rc=$?
set -e
assert_eq 2 "$rc" "an invalid http object exits 2"
grep -q 'badhttp.json:1:12: http.listen: expected "HOST:PORT"' err || fail "http error: $(cat err)"
# an interval below the 1 us resolution would never be polled: an error, not a silent device
cat > tiny.json <<'JSON'
{ "devices": [ { "id": "m1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:502"},
                 "interval": 0.0000001, "points": [ {"name": "v", "address": 0} ] } ] }
JSON
set +e
"$MDC" check -c tiny.json >out 2>err; rc=$?
set -e
assert_eq 2 "$rc" "an interval below 1 us exits 2"
assert_eq "mdc: tiny.json:2:18: devices[0].interval: duration 1e-07 s is below the resolution of 1 microsecond" \
  "$(cat err)" "an interval below 1 us is refused"

# .env beside the configuration feeds ${VAR}; a secret never shows in check output
mkdir conf
cat > conf/.env <<'ENV'
METER_PORT=1502
ENV
cat > conf/mdc.json <<'JSON'
{ "timezone": "Asia/Kolkata",
  "devices": [ { "id": "m1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:${METER_PORT}"},
                 "interval": "2s", "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
"$MDC" check -c conf/mdc.json > out
grep -q "tcp 127.0.0.1:1502, unit 1" out || fail ".env variable used"
grep -q "m1 (driver modbus): every 2s (Asia/Kolkata)" out || fail "schedule described"
grep -q "FC4 0-1 (2 regs): v" out || fail "request plan printed"

# mdc keys: the tables that check and read a configuration, listed (drivers, nested objects,
# the HTTP server); an unknown name exits 2
"$MDC" keys "http: metrics" > out
assert_eq 'http: metrics:
  values                 boolean, default false — each device'"'"'s numeric values as mdc_value series
  max_series             integer, default 10000, 1..1000000 — value series at most (beyond, dropped and counted)' \
  "$(cat out)" "mdc keys lists the HTTP server's metrics keys"
"$MDC" keys > out
for set in "top level:" "every device:" "device (modbus):" "device (modbus): points[]:" \
    "device (lsv2):" "device (opcua): security:" "device (broute):" "device status:" \
    "sink webhook:" "http:"; do
  grep -qxF "$set" out || fail "mdc keys lists $set"
done
grep -q "^  unit_id  *integer, default 1, 0..255 — the Modbus unit (slave) id$" out ||
  fail "mdc keys gives a driver key's type, default and limits"
set +e
"$MDC" keys nosuchset > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "mdc keys NAME that matches nothing exits 2"
assert_eq "mdc keys: no key set is called like 'nosuchset'" "$(cat err)" "mdc keys: no match"

pass "check prints the plan; mdc keys lists the key tables"
