#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc over Modbus RTU and over Modbus ASCII 7E2 on pseudo-terminals: exact values, including
# BELmc's Delta PLC layout (one byte per register, CDAB, int32 Wh energy).
source "$(dirname "$0")/lib.sh"
strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //; s/, "shift": [0-9]+//'; }

bg rtu "$MDC_SIM" modbus --rtu --link tty-rtu --baud 19200 --units 1,2 --frozen
bg ascii "$MDC_SIM" modbus --ascii --link tty-ascii --baud 9600 --parity E --data-bits 7 --stop-bits 2 --profile delta --frozen
wait_for 5 test -e tty-rtu || fail "rtu simulator did not start"
wait_for 5 test -e tty-ascii || fail "ascii simulator did not start"
grep -Eq '^pty: /dev/pts/[0-9]+$' rtu.log || fail "simulator prints its pty"

cat > mdc.json <<'JSON'
{ "sinks": [ {"type": "stdout"} ],
  "devices": [
    { "id": "rtu-1", "driver": "modbus", "unit_id": 1, "timeout": "500ms",
      "connection": {"rtu": "tty-rtu", "baud": 19200},
      "points": [ {"name": "v1", "function": 4, "address": 0, "type": "float32"},
                  {"name": "w_total", "function": 4, "address": 52, "type": "float32"},
                  {"name": "v_avg", "function": 3, "address": 42, "type": "float32", "decimals": 1} ] },
    { "id": "rtu-2", "driver": "modbus", "unit_id": 2, "timeout": "500ms",
      "connection": {"rtu": "tty-rtu", "baud": 19200},
      "points": [ {"name": "kwh", "function": 4, "address": 342, "type": "float32"} ] },
    { "id": "ems-1", "machine_id": 1, "driver": "modbus", "unit_id": 1, "timeout": "2s",
      "connection": {"ascii": "tty-ascii", "baud": 9600, "parity": "E", "data_bits": 7, "stop_bits": 2},
      "bytes_per_register": 1,
      "points": [ {"name": "phase_a_voltage", "address": 4199, "type": "float32", "order": "CDAB", "decimals": 4},
                  {"name": "frequency", "address": 4239, "type": "float32", "order": "CDAB", "decimals": 4},
                  {"name": "total_instantaneous_power", "address": 4243, "type": "float32", "order": "CDAB", "decimals": 4},
                  {"name": "active_energy_delivered", "address": 4294, "type": "int32", "order": "CDAB", "scale": 0.001, "decimals": 4} ],
      "status": {"power": "total_instantaneous_power", "production_above": 4.5, "on_when": {"point": "frequency", "above": 0}} } ] }
JSON
"$MDC" check -c mdc.json > check.txt
grep -q "rtu tty-rtu 19200 8N1, unit 1" check.txt || fail "rtu described"
grep -q "ascii tty-ascii 9600 7E2, unit 1" check.txt || fail "ascii 7E2 described"
grep -q "devices (3) on 2 threads" check.txt || fail "two units share the RTU bus thread"
pass "plan"

"$MDC" run -c mdc.json --once > out.json 2> mdc.err
assert_eq '{"device": "ems-1", "machine_id": 1, "status": 2, "phase_a_voltage": 230.1, "frequency": 50.0, "total_instantaneous_power": 6.0, "active_energy_delivered": 1234.5}
{"device": "rtu-1", "v1": 230.1, "w_total": 6000.0, "v_avg": 230.2}
{"device": "rtu-2", "kwh": 1234.5}' "$(strip < out.json | sort)" "records over RTU and ASCII 7E2"
