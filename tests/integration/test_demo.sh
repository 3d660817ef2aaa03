#!/usr/bin/env bash
# `mdc demo` (what `make run` runs): live records within 10 s, stored in data/mdc.db; Ctrl-C
# stops mdc and the simulators cleanly.
source "$(dirname "$0")/lib.sh"
export MDC_HTTP_LISTEN=127.0.0.1:0 # the dashboard on any free port
bg demo "$MDC" demo --data-dir "$T/data" # an absolute path: this demo's simulators are told apart
wait_for 10 grep -q '"device": "meter-1"' demo.log || fail "no meter-1 record within 10 s"
wait_for 10 grep -q '"device": "meter-2"' demo.log || fail "no meter-2 record (RTU) within 10 s"
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
