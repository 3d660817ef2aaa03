#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A serial Modbus meter that does not answer gets a hint where the error is shown (mdc read's
# message, the daemon's log): check the unit id, baud rate, parity, A/B wiring, termination.
# A TCP device's timeout gets none (the hint is about RS-485 lines).
source "$(dirname "$0")/lib.sh"
bg sim "$MDC_SIM" modbus --rtu --link "$T/tty" --baud 19200 --units 1 --no-line-delay
wait_for 10 test -e "$T/tty" || fail "simulator"
cat > cfg.json <<JSON
{ "data_dir": "$T/data", "sinks": [ {"type": "stdout", "format": "json"} ],
  "devices": [ { "id": "m", "driver": "modbus", "unit_id": 9, "timeout": "200ms",
    "connection": {"rtu": "$T/tty", "baud": 19200},
    "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
set +e
"$MDC" read -c cfg.json m > out 2> err; rc=$?
set -e
assert_eq 1 "$rc" "a unit that does not answer: exit 1"
grep -q "^mdc read: m: hint: a serial meter that does not answer usually has another unit id, baud rate or parity than configured, its A/B (D+/D-) wires swapped, or no 120 ohm termination" err ||
  fail "mdc read gives the hint: $(cat err)"
pass "mdc read: the hint"
"$MDC" run -c cfg.json --once > run.out 2> run.err || true
grep -q "unreachable: .*timeout.*; hint: a serial meter that does not answer" run.err ||
  fail "the daemon's log gives the hint: $(cat run.err)"
pass "the daemon's log: the hint"
port=$(free_port)
cat > tcp.json <<JSON
{ "devices": [ { "id": "t", "driver": "modbus", "timeout": "200ms", "connection": {"tcp": "127.0.0.1:$port"},
    "points": [ {"name": "v", "function": 4, "address": 0} ] } ] }
JSON
set +e
"$MDC" read -c tcp.json t > out 2> err
set -e
grep -q "hint:" err && fail "a TCP failure gets the serial hint: $(cat err)"
pass "no serial hint for TCP"
