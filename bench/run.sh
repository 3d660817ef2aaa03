#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every benchmark against simulators on loopback and prints the figures (ratios against
# references measured in the same run). Not a pass/fail test. Usage: bench/run.sh [BUILD]
set -uo pipefail
build=$(realpath "${1:-build}")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
port=$(( 20000 + RANDOM % 10000 ))
"$build/mdc-sim" modbus --tcp 127.0.0.1:$port --frozen > "$tmp/tcp.log" 2>&1 &
"$build/mdc-sim" modbus --rtu --link "$tmp/tty" --baud 9600 --frozen > "$tmp/rtu.log" 2>&1 &
sleep 0.5
"$build/bench/bench_modbus" tcp 127.0.0.1:$port 6
"$build/bench/bench_modbus" rtu "$tmp/tty" 9600 6
kill $(jobs -p) 2>/dev/null
"$build/bench/bench_round"
"$here/modbus_fleet.sh" "$build" 30 1000 10000
for extra in "$here"/*.sh; do
  case "$(basename "$extra")" in run.sh|modbus_fleet.sh|faults.sh) continue ;; esac # faults.sh: half an hour, on its own
  "$extra" "$build"
done
