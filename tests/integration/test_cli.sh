#!/usr/bin/env bash
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
pass "check prints the plan"
