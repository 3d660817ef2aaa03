#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every built-in meter template (mdc templates) against the simulator serving the same map
# (mdc-sim modbus --template NAME, which reads the template's JSON on its own): mdc reads every
# point with "template": NAME and gets the value the simulator says it holds. Also: a template
# over RTU, "template_points" choosing points, a device point changing a template point, an
# unknown template suggesting the closest name, and each template naming its source document.
source "$(dirname "$0")/lib.sh"

"$MDC" templates > list.txt || fail "mdc templates"
names=$(awk '/^[a-z0-9]/ {print $1}' list.txt)
[ "$(echo "$names" | wc -w)" -ge 12 ] || fail "too few templates: $names"
[ "$(grep -c '^  *source: [A-Z]' list.txt)" -eq "$(echo "$names" | wc -w)" ] ||
  fail "every template names its source document: $(cat list.txt)"
for want in sdm630 sdm120 sdm72 umg96rm umg604 iem3000 pm5000 em24 em340 abb-b23 abb-b24 pac3200 diris; do
  echo "$names" | grep -qx "$want" || fail "template $want missing"
done
pass "$(echo "$names" | wc -w) templates, each with its source"

# start_sim NAME TRANSPORT...: a frozen meter in production serving template NAME
start_sim() {
  local name=$1; shift
  rm -f sim.ctl
  bg sim "$MDC_SIM" modbus "$@" --template "$name" --frozen --state production \
    --production-kw 7.38 --energy 45678.9 --control "$T/sim.ctl"
  wait_for 10 test -p sim.ctl || fail "$name: the simulator did not start: $(cat sim.err)"
}
stop_sim() { kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true; }

# compare NAME: mdc read's record against the simulator's "points"
compare() {
  local name=$1 off
  off=$(stat -c %s sim.log)
  echo points > sim.ctl
  since() { tail -c +$((off + 1)) sim.log; }
  wait_for 10 bash -c "tail -c +$((off + 1)) sim.log | grep -q '^ok points'" ||
    fail "$name: no answer to points: $(cat sim.err)"
  since | grep '^meter ' | awk '{print $4, $5}' > expected.txt
  [ -s expected.txt ] || fail "$name: the simulator lists no points"
  while read -r point value; do
    jq -e --arg p "$point" --argjson v "$value" \
      '.[$p] != null and ((.[$p] - $v) | fabs) <= 1e-9 * ([1, ($v | fabs)] | max)' read.json \
      > /dev/null || fail "$name: $point: mdc read $(jq -c --arg p "$point" '.[$p]' read.json), the simulator holds $value"
  done < expected.txt
  echo "$(wc -l < expected.txt)"
}

for name in $names; do
  start_sim "$name" --tcp 127.0.0.1:0
  wait_for 10 grep -q '^tcp: ' sim.log || fail "$name: no tcp line"
  port=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' sim.log | head -n 1)
  printf '{"devices": [{"id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%s"}, "template": "%s"}]}\n' \
    "$port" "$name" > cfg.json
  "$MDC" read -c cfg.json m > read.json 2> read.err || fail "$name: mdc read: $(cat read.err)"
  jq -e '.error == null and (.errors // {} | length) == 0' read.json > /dev/null ||
    fail "$name: errors: $(cat read.json)"
  n=$(compare "$name")
  stop_sim
  pass "$name: all $n points read as the simulator holds them"
done

# over RTU, with a subset of the points and a changed one
start_sim em340 --rtu --link "$T/tty" --baud 19200 --no-line-delay
wait_for 10 test -e "$T/tty" || fail "no pty"
cat > cfg.json <<JSON
{ "devices": [ { "id": "m", "driver": "modbus", "unit_id": 1, "template": "em340",
    "connection": {"rtu": "$T/tty", "baud": 19200},
    "template_points": ["power_kw", "energy_kwh", "voltage_l1"],
    "points": [ {"name": "power_kw", "decimals": 1, "_comment": "one decimal is enough here"},
                {"name": "raw_v1", "function": 4, "address": 0, "type": "int32", "order": "CDAB"} ] } ] }
JSON
"$MDC" read -c cfg.json m > read.json 2> read.err || fail "em340 over RTU: $(cat read.err)"
assert_eq '["voltage_l1","power_kw","energy_kwh","raw_v1"]' \
  "$(jq -c '[keys_unsorted[] | select(. != "timestamp" and . != "device" and . != "shift")]' read.json)" \
  "template_points picks points, in the template's order, the device's own follow"
assert_eq "7.4" "$(jq -r .power_kw read.json)" "a device point changes the template's (decimals 1)"
assert_eq "2301" "$(jq -r .raw_v1 read.json)" "an added point reads the raw register (230.1 V x10)"
stop_sim

# errors name the key and the choices
printf '{"devices": [{"id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:1"}, "template": "sdm360"}]}\n' > bad.json
set +e
"$MDC" check -c bad.json > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "an unknown template is a configuration error"
grep -q 'bad.json:1:.*devices\[0\].template: unknown template "sdm360" (did you mean "sdm630"?); templates: abb-b23' err ||
  fail "the error names the key and suggests: $(cat err)"
pass "an unknown template suggests the closest"
