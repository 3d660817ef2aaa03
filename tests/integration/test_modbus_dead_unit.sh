#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two units on one RTU line, one of them dead: the dead unit backs off and the live one keeps
# its one-second cadence.
source "$(dirname "$0")/lib.sh"
bg sim "$MDC_SIM" modbus --rtu --link tty --baud 38400 --units 1 --frozen
wait_for 5 test -e tty || fail "simulator did not start"
cat > mdc.json <<'JSON'
{ "sinks": [ {"type": "stdout"} ],
  "devices": [
    { "id": "dead", "driver": "modbus", "unit_id": 3, "timeout": "800ms", "interval": "1s",
      "connection": {"rtu": "tty", "baud": 38400},
      "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] },
    { "id": "live", "driver": "modbus", "unit_id": 1, "timeout": "800ms", "interval": "1s",
      "connection": {"rtu": "tty", "baud": 38400},
      "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
bg mdc "$MDC" run -c mdc.json
sleep 12
kill -TERM "$PID_mdc"; wait "$PID_mdc" || true
grep '"device": "live"' mdc.log | grep -q '"v": 230.1' || fail "live unit read"
grep '"device": "dead"' mdc.log | grep -q '"error": "unit 3 FC4 addr 0 count 2: timeout' || fail "dead unit reports its timeout"
# cadence of the live unit after the dead one went into backoff (skip the first 4 s)
stats=$(grep '"device": "live"' mdc.log | sed -E 's/.*"timestamp": "[0-9-]+T([0-9]+):([0-9]+):([0-9.]+)\+.*/\1 \2 \3/' |
  awk '{t=$1*3600+$2*60+$3; if (NR>1) {d=t-p; if (NR>5) {n++; if (d>max) max=d; lat=t-int(t); if (lat>ml) ml=lat}} p=t}
       END {printf "%d %.3f %.3f", n, max, ml}')
read -r n maxgap maxlat <<<"$stats"
echo "live unit: $n intervals checked, largest gap ${maxgap}s, latest start ${maxlat}s after its slot"
[ "$n" -ge 5 ] || fail "too few live records"
awk -v g="$maxgap" 'BEGIN {exit !(g < 1.3)}' || fail "the live unit was delayed (gap ${maxgap}s)"
awk -v l="$maxlat" 'BEGIN {exit !(l < 0.3)}' || fail "the live unit polled late (${maxlat}s)"
pass "a dead unit does not delay the live one"
