#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc against the simulated SDM630 over Modbus TCP: exact records on stdout, in a CSV file and
# in the embedded store; `mdc read` and `--raw`.
source "$(dirname "$0")/lib.sh"

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --units 1 --control ctl
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)

cat > mdc.json <<JSON
{ "timezone": "Asia/Kolkata", "data_dir": "data",
  "shifts": [ {"id": 1, "start": "06:00"}, {"id": 2, "start": "14:00"}, {"id": 3, "start": "22:00"} ],
  "sinks": [ {"type": "stdout"}, {"type": "file", "path": "out/{device}.csv"}, {"type": "sqlite"} ],
  "devices": [ { "id": "meter-1", "machine_id": 7, "driver": "modbus",
    "connection": {"tcp": "127.0.0.1:$port"}, "unit_id": 1, "interval": "1s",
    "points": [
      {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"},
      {"name": "voltage_l2", "function": 4, "address": 2, "type": "float32"},
      {"name": "voltage_l3", "function": 4, "address": 4, "type": "float32"},
      {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "decimals": 3,
       "unit": "kW", "label": "Active power"},
      {"name": "frequency", "function": 3, "address": 70, "type": "float32"},
      {"name": "energy_kwh", "function": 4, "address": 342, "type": "float32", "decimals": 4, "unit": "kWh"},
      {"name": "running", "function": 1, "address": 0},
      {"name": "missing", "function": 4, "address": 2000, "type": "uint16"} ],
    "status": {"power": "power_kw", "production_above": 4.5, "on_when": {"point": "frequency", "above": 0}},
    "energy": {"point": "energy_kwh", "max_delta": 10} } ] }
JSON

"$MDC" run -c mdc.json --once > out.json 2> mdc.err
strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //'; }
assert_eq '{"device": "meter-1", "machine_id": 7, "status": 2, "voltage_l1": 230.1, "voltage_l2": 231.2, "voltage_l3": 229.3, "power_kw": 6.0, "frequency": 50.0, "energy_kwh": 1234.5, "running": true, "missing": null, "energy_delta_kwh": 0.0, "shift": '"$(TZ=Asia/Kolkata date +%H | awk '{h=$1+0; print (h>=6&&h<14)?1:(h>=14&&h<22)?2:3}')"', "shift_energy_kwh": 0.0, "errors": {"missing": "unit 1 FC4 addr 2000 count 1: exception 02 illegal data address"}}' \
  "$(strip < out.json)" "record on stdout"
grep -Eq '^\{"timestamp": "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{6}\+00:00", ' out.json || fail "timestamp format"

assert_eq 'timestamp,device,machine_id,status,voltage_l1,voltage_l2,voltage_l3,power_kw,frequency,energy_kwh,running,missing,energy_delta_kwh,shift,shift_energy_kwh,error' \
  "$(head -1 out/meter-1.csv)" "CSV header"
assert_eq '7,2,230.1,231.2,229.3,6.0,50.0,1234.5,true,,0.0' "$(sed -n 2p out/meter-1.csv | cut -d, -f3-13)" "CSV row values"

assert_eq 'voltage_l1|230.1
voltage_l2|231.2
voltage_l3|229.3
power_kw|6.0
frequency|50.0
energy_kwh|1234.5
running|1
missing|
energy_delta_kwh|0.0' "$(sql data/mdc.db "SELECT f.key, f.value FROM records AS r, json_each(r.fields) AS f WHERE f.key NOT LIKE 'shift%' ORDER BY r.rowid, f.id")" "samples rows"
assert_eq 'meter-1|2' "$(sql data/mdc.db 'SELECT device, status FROM status_history')" "status history"
assert_eq '7' "$(sql data/mdc.db 'SELECT machine_id FROM devices')" "device row"

# the next runs continue from the persisted baseline: 0.25 kWh used, then a meter reset and a
# spike are skipped (and reported), then counting resumes from the new baseline
ctl() { echo "$1" > ctl; wait_for 5 grep -q "^ok $2" sim.log || fail "sim did not ack $1"; }
delta() { "$MDC" run -c mdc.json --once 2>>mdc.err | sed -E 's/.*"energy_delta_kwh": ([0-9.]+), .*"shift_energy_kwh": ([0-9.]+).*/\1 \2/'; }
ctl "set energy_kwh 1234.75" "set energy_kwh"
assert_eq "0.25 0.25" "$(delta)" "delta after a restart counts once"
ctl "reset-energy" "reset-energy"
assert_eq "0.0 0.25" "$(delta)" "meter reset skipped"
grep -q "WARN  \[meter-1\] meter reset or rollover: energy_kwh went from 1234.7500 to 0.0000; delta skipped" mdc.err || fail "reset warning"
ctl "spike 50" "spike"
assert_eq "0.0 0.25" "$(delta)" "spike skipped"
grep -q "energy spike ignored: energy_kwh rose by 50.0000 (limit 10)" mdc.err || fail "spike warning"
ctl "set energy_kwh 50.5" "set energy_kwh"
assert_eq "0.5 0.75" "$(delta)" "counting resumes from the moved baseline"

# mdc read: one poll printed; --raw shows every order
"$MDC" read -c mdc.json meter-1 > read.txt 2> read.err || true
grep -q '"voltage_l1": 230.1' read.txt || fail "mdc read prints the record"
assert_eq 1 "$(wc -l < read.txt)" "mdc read: stdout is the record alone"
grep -Eqx '  power_kw +[0-9]+\.[0-9]{3} kW +Active power' read.err || fail "mdc read: power with unit, decimals, label: $(cat read.err)"
grep -Eqx '  energy_kwh +[0-9]+\.[0-9]{4} kWh' read.err || fail "mdc read: energy with its unit: $(cat read.err)"
grep -Eqx '  voltage_l1 +230\.1' read.err || fail "mdc read: a value without unit: $(cat read.err)"
pass "mdc read shows units, decimals and labels on stderr"
"$MDC" read -c mdc.json meter-1 --raw > raw.txt || true
grep -q "^voltage_l1: FC4 address 0, 2 register(s)" raw.txt || fail "raw header"
grep -Eq "^float32 +ABCD +230.1$" raw.txt || fail "raw float32 ABCD interpretation"
pass "mdc read --raw"

# once: only the next read that carries the value returns it (the FC4 reads of this poll do
# not carry frequency, which is read with FC3, so they leave it pending)
freq() { "$MDC" run -c mdc.json --once 2>>mdc.err | sed -E 's/.*"frequency": ([^,]+), .*/\1/'; }
ctl "once frequency 1e9" "once frequency"
assert_eq "1000000000.0" "$(freq)" "once: the next poll gets the value"
grep -q "^served once: unit 1 FC3 addr 70 count 2: frequency 1000000000$" sim.log || fail "once announced"
assert_eq "50.0" "$(freq)" "once: the poll after it reads as before"
