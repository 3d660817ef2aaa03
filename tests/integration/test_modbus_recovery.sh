#!/usr/bin/env bash
# The simulator dies mid-run: records continue with status 0 and the error; when it returns,
# collection recovers by itself. The store's status history shows the transitions.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:$port --frozen
wait_for 5 tcp_open $port || fail "simulator did not start"
cat > mdc.json <<JSON
{ "sinks": [ {"type": "stdout"}, {"type": "sqlite"} ],
  "devices": [ { "id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    "interval": "1s", "timeout": "300ms",
    "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001} ],
    "status": {"power": "power_kw", "production_above": 1} } ] }
JSON
bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q '"status": 2' mdc.log || fail "first records"
kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true
wait_for 10 grep -q '"status": 0' mdc.log || fail "status 0 after the simulator died"
grep '"status": 0' mdc.log | head -1 | grep -Eq '"power_kw": null, "shift": 1, "error": "(unit 1 FC4 addr 52 count 2: )?(connection refused|connection reset|.*timeout|.*closed).*"' \
  || fail "an unreachable record carries null values and the error: $(grep '"status": 0' mdc.log | head -1)"
pass "unreachable records"
bg sim2 "$MDC_SIM" modbus --tcp 127.0.0.1:$port --frozen
n0=$(grep -c '"status": 0' mdc.log)
wait_for 20 bash -c "tail -n 1 mdc.log | grep -q '\"status\": 2'" || fail "no recovery after the simulator came back"
pass "recovered after $(( $(grep -c '"status": 0' mdc.log) )) unreachable records"
grep -q "WARN  \[m\] unreachable: " mdc.err || fail "the failure is logged once"
[ "$(grep -c 'WARN  \[m\] unreachable' mdc.err)" -le 2 ] || fail "failure logged once per distinct error, not every poll"
grep -q "INFO  \[m\] reachable again after" mdc.err || fail "recovery logged"
kill -TERM "$PID_mdc"; wait "$PID_mdc"; rc=$?
assert_eq 0 "$rc" "SIGTERM exits 0"
assert_eq "2
0
2" "$(sql data/mdc.db 'SELECT status FROM status_history ORDER BY ts')" "status history 2 -> 0 -> 2"
