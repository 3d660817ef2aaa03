#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc init: a starter configuration for the devices named that `mdc check` accepts as written
# ("_comment" notes beside every part), the meters' templates and unit ids, serial framing from
# the command line or the template's factory settings; bad words are named; an existing file
# is kept without --force; and a written configuration reads a simulated meter.
source "$(dirname "$0")/lib.sh"
export B_ROUTE_ID=00112233445566778899AABBCCDDEEFF B_ROUTE_PASSWORD=Pw-for-the-test-17

"$MDC" init -o site.json --timezone Asia/Kolkata modbus-tcp:192.0.2.10 sdm630 \
  modbus-rtu:/dev/ttyUSB0@19200E1 sdm120@1 em340 em24@5 modbus-rtu:/dev/ttyUSB1 iem3000 \
  lsv2:192.0.2.20 opcua:opc.tcp://192.0.2.30:4840 broute:/dev/ttyUSB2 2> init.err ||
  fail "mdc init: $(cat init.err)"
grep -q "mdc init: wrote site.json (8 devices); next: edit it, then mdc check -c site.json" init.err ||
  fail "init says what it wrote: $(cat init.err)"
"$MDC" check -c site.json > check.out 2> check.err || fail "mdc check of the written file: $(cat check.err)"
pass "the written configuration passes mdc check"
assert_eq "Asia/Kolkata" "$(jq -r .timezone site.json)" "--timezone"
assert_eq "sdm630 sdm120 em340 em24 iem3000" "$(jq -r '[.devices[] | .template // empty] | join(" ")' site.json)" "templates"
assert_eq "1 1 2 5 1" "$(jq -r '[.devices[] | select(.driver == "modbus") | .unit_id] | join(" ")' site.json)" \
  "unit ids: as given, else the next free one on the line"
assert_eq '{"rtu":"/dev/ttyUSB0","baud":19200,"parity":"E","data_bits":8,"stop_bits":1}' \
  "$(jq -c '.devices[1].connection' site.json)" "the line's framing from the command line"
assert_eq '{"rtu":"/dev/ttyUSB1","baud":19200,"parity":"E","data_bits":8,"stop_bits":1}' \
  "$(jq -c '.devices[4].connection' site.json)" "the line's framing from the meter's factory settings (iem3000)"
assert_eq "192.0.2.10:502" "$(jq -r '.devices[0].connection.tcp' site.json)" "Modbus TCP port 502 by default"
assert_eq "lsv2 opcua broute" "$(jq -r '[.devices[] | select(.driver != "modbus") | .driver] | join(" ")' site.json)" "other drivers"
missing=$(jq -r '[.devices[] | select(has("_comment") | not) | .id] | join(" ")' site.json)
assert_eq "" "$missing" "every device has a _comment"
jq -e '._comment and .http._comment and .sinks[0]._comment and .shifts[0]._comment and .devices[0].status._comment' site.json >/dev/null ||
  fail "the parts carry comments"
jq -e '.devices[0]._comment | test("Source: Eastron SDM630")' site.json >/dev/null || fail "a meter's comment names the template's source"
grep -q 'Pw-for-the-test-17\|00112233445566778899AABBCCDDEEFF' site.json && fail "a secret was written into the file"
pass "comments beside every part; secrets stay references"

set +e
"$MDC" init -o site.json modbus-tcp:192.0.2.10 sdm630 2> err; rc=$?
set -e
assert_eq 2 "$rc" "an existing file is kept"
grep -q "site.json exists; --force overwrites it" err || fail "says how to overwrite: $(cat err)"
"$MDC" init -o site.json --force modbus-tcp:192.0.2.10 2> err || fail "--force: $(cat err)"
assert_eq "value_1" "$(jq -r '.devices[0].points[0].name' site.json)" "a Modbus device without a template gets an example point"
"$MDC" check -c site.json > /dev/null || fail "the example point passes check"

for bad in "sdm630|'sdm630': a meter needs a Modbus connection before it" \
  "modbus-tcp:h sdm360|'sdm360': unknown template \"sdm360\" (did you mean \"sdm630\"?)" \
  "modbus-rtu:/dev/ttyUSB0@96x|'modbus-rtu:/dev/ttyUSB0@96x': expected @BAUD" \
  "modbus-tcp:h em24@300|'em24@300': the unit id after @ must be 1..247" \
  "mqtt:h|'mqtt:h': expected a connection"; do
  set +e
  "$MDC" init -o - ${bad%%|*} > out 2> err; rc=$?
  set -e
  assert_eq 2 "$rc" "init ${bad%%|*} exits 2"
  grep -qF "${bad#*|}" err || fail "init ${bad%%|*}: $(cat err)"
done
pass "bad words are named with what is expected"

# the written configuration reads a simulated meter as it is
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --template em24 --frozen
wait_for 10 grep -q '^tcp: ' sim.log || fail "simulator"
port=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' sim.log)
"$MDC" init -o - modbus-tcp:127.0.0.1:$port em24 > real.json 2> err || fail "init: $(cat err)"
"$MDC" read -c real.json meter-1 > rec.json 2> err || fail "read: $(cat err)"
assert_eq "230.1 2" "$(jq -r '"\(.voltage_l1) \(.status)"' rec.json)" "the starter configuration reads the meter, status PRODUCTION"
