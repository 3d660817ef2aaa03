#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The daemon under valgrind memcheck: a run against the simulator with every Modbus transport
# feature in use, stopped by SIGTERM, must report no errors and no leaks.
if [ "${MDC_SANITIZED:-0}" = 1 ]; then
  echo "skipped: valgrind cannot run sanitizer builds (the normal build runs this test)"
  exit 77
fi
source "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || fail "valgrind is not installed (scripts/deps.sh installs it)"
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
cat > mdc.json <<JSON
{ "timezone": "Europe/Berlin", "sinks": [ {"type": "sqlite"}, {"type": "file", "path": "out/{device}.yaml"} ],
  "devices": [
    { "id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001},
                  {"name": "energy", "function": 4, "address": 342, "type": "float32"},
                  {"name": "bad", "function": 4, "address": 5000} ],
      "status": {"power": "power_kw", "production_above": 1}, "energy": {"point": "energy"} },
    { "id": "gone", "driver": "modbus", "connection": {"tcp": "127.0.0.1:1"}, "interval": "1s",
      "points": [ {"name": "v", "function": 4, "address": 0} ] } ] }
JSON
valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  --quiet "$MDC" run -c mdc.json > mdc.log 2> mdc.err &
pid=$!; PIDS+=($pid)
wait_for 60 test -s out/m.yaml || fail "no records under valgrind"
sleep 3
kill -TERM $pid
set +e; wait $pid; rc=$?; set -e
grep -E "==[0-9]+==" mdc.err | head -20 >&2 || true
assert_eq 0 "$rc" "valgrind: no errors, no leaks, exit 0"
