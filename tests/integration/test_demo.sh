#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `mdc demo` (what `./run demo` ends in): live records within 10 s, stored in data/mdc.db; the
# README's commands beside it (data/mdc.json for the running simulators: check, read, run
# --once; the control file's commands, a refused one logged); Ctrl-C stops mdc and the
# simulators cleanly.
source "$(dirname "$0")/lib.sh"
export MDC_HTTP_LISTEN=127.0.0.1:0 # the dashboard on any free port
bg demo "$MDC" demo --data-dir "$T/data" # an absolute path: this demo's simulators are told apart
wait_for 10 grep -q '"device": "meter-1"' demo.log || fail "no meter-1 record within 10 s"
wait_for 10 grep -q '"device": "meter-2"' demo.log || fail "no meter-2 record (RTU) within 10 s"
# data/mdc.json: the README's "Using it" commands, as written (with $MDC for build/mdc)
wait_for 10 test -s data/mdc.json || fail "no data/mdc.json"
"$MDC" check -c data/mdc.json > check.out 2> check.err || fail "mdc check -c data/mdc.json: $(cat check.err)"
grep -q "configuration data/mdc.json: OK" check.out || fail "check says OK"
"$MDC" read -c data/mdc.json meter-1 > read.out 2> read.err || fail "mdc read: $(cat read.err)"
[ "$(jq -r .device read.out)" = meter-1 ] && [ "$(jq '.voltage_l1 > 200' read.out)" = true ] ||
  fail "mdc read -c data/mdc.json meter-1: $(cat read.out)"
"$MDC" read -c data/mdc.json meter-1 --raw > raw.out 2> raw.err || fail "mdc read --raw: $(cat raw.err)"
grep -q "voltage_l1: FC4 address 0" raw.out || fail "--raw shows the registers: $(head -3 raw.out)"
"$MDC" run -c data/mdc.json --once > once.out 2> once.err || fail "mdc run --once: $(cat once.err)"
grep -q '"device": "meter-1"' once.out || fail "mdc run --once delivers a record of meter-1"
[ -f data/run/mdc.db ] || fail "mdc run -c data/mdc.json stores in data/run/"
pass "check, read, read --raw, run --once with data/mdc.json beside the demo"
# the control file: every command the README and the demo suggest, and one it refuses
for c in 'state off' 'state idle' 'state production' 'state cycle' 'cycle' 'silence 1'; do
  echo "$c" > data/sim-meter-1.ctl
  wait_for 10 grep -q "meter-1 simulator: ok $c\$" demo.err || fail "'$c' not acknowledged: $(tail -3 demo.err)"
done
echo 'stat off' > data/sim-meter-1.ctl
wait_for 10 grep -q "WARN  \[demo\] meter-1 simulator refused the command: stat off: unknown command" demo.err ||
  fail "a command the simulator does not understand is not logged: $(tail -3 demo.err)"
pass "control commands acknowledged, a misspelt one logged as refused"
sleep 2
kill -INT "$PID_demo"
start=$(date +%s%N)
wait "$PID_demo"; rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq 0 "$rc" "Ctrl-C exits 0"
[ "$ms" -lt 5000 ] || fail "stopping took ${ms} ms"
pass "stopped in ${ms} ms"
pgrep -f "mdc-sim modbus.*$T/data/" >/dev/null && fail "a simulator outlived the demo"
n=$(sql data/mdc.db "SELECT count(*) FROM live")
assert_eq 2 "$n" "both meters in the store"
[ "$(sql data/mdc.db "SELECT count(*) FROM samples")" -gt 10 ] || fail "samples stored"
grep -q '"status": [012]' demo.log || fail "records carry a status"
