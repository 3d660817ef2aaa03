#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The simulator dies mid-run: records continue with status 0 and the error; when it returns,
# collection recovers by itself. The store's status history shows the transitions. Both TCP
# engines: the event-driven one (default) and the blocking one.
source "$(dirname "$0")/lib.sh"
for engine in event blocking; do
  mkdir "$engine"; cd "$engine"
  port=$(free_port)
  bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:$port --frozen
  wait_for 5 tcp_open $port || fail "simulator did not start"
  cat > mdc.json <<JSON
{ "sinks": [ {"type": "stdout"}, {"type": "sqlite"} ],
  "devices": [ { "id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    "interval": "1s", "timeout": "300ms", "tcp_engine": "$engine",
    "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001} ],
    "status": {"power": "power_kw", "production_above": 1} } ] }
JSON
  bg mdc "$MDC" run -c mdc.json
  wait_for 10 grep -q '"status": 2' "$T/mdc.log" || fail "$engine: first records"
  kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true
  wait_for 10 grep -q '"status": 0' "$T/mdc.log" || fail "$engine: status 0 after the simulator died"
  # the poll that finds the connection gone, or the reconnect that is refused
  grep '"status": 0' "$T/mdc.log" | head -1 | grep -Eq '"power_kw": null, "shift": 1, "error": "((unit 1 FC4 addr 52 count 2|127.0.0.1:'$port'): )?(connection refused|connection reset|.*timeout|.*closed).*"' \
    || fail "$engine: an unreachable record carries null values and the error: $(grep '"status": 0' "$T/mdc.log" | head -1)"
  pass "$engine: unreachable records"
  bg sim2 "$MDC_SIM" modbus --tcp 127.0.0.1:$port --frozen
  wait_for 20 bash -c "tail -n 1 '$T/mdc.log' | grep -q '\"status\": 2'" || fail "$engine: no recovery after the simulator came back"
  pass "$engine: recovered after $(grep -c '"status": 0' "$T/mdc.log") unreachable records"
  failures="WARN  \[(m|tcp:127.0.0.1:$port)\] (unreachable: )?.*\(retrying with backoff\)"
  grep -Eq "$failures" "$T/mdc.err" || fail "$engine: the failure is logged"
  [ "$(grep -Ec "$failures" "$T/mdc.err")" -le 2 ] || fail "$engine: failure logged once per distinct error, not every poll"
  grep -Eq "INFO  \[(m\] reachable again after|tcp:127.0.0.1:$port\] connected again)" "$T/mdc.err" || fail "$engine: recovery logged"
  kill -TERM "$PID_mdc"; wait "$PID_mdc"; rc=$?
  assert_eq 0 "$rc" "$engine: SIGTERM exits 0"
  assert_eq "2
0
2" "$(sql data/mdc.db 'SELECT status FROM status_history ORDER BY ts')" "$engine: status history 2 -> 0 -> 2"
  kill "$PID_sim2"; wait "$PID_sim2" 2>/dev/null || true
  mv "$T/mdc.log" "$T/mdc-$engine.log.txt"; mv "$T/mdc.err" "$T/mdc-$engine.err.txt"
  cd "$T"
done
