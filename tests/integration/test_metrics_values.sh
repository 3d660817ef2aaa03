#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Device values in /metrics ("http": {"metrics": {"values": true}}): gauges with device, point
# and unit labels, the energy register as a counter, the machine state as a state set, the
# last-success time (kept while a device is unreachable, whose values then go stale), the
# max_series bound; every scrape passes `promtool check metrics` (Debian's prometheus package).
# Without "values" nothing of it is there.
source "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || { echo "SKIP: curl missing"; exit 77; }
command -v promtool >/dev/null || { echo "SKIP: promtool missing (Debian package prometheus)"; exit 77; }

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
dead=$(free_port)
config() { # VALUES MAX_SERIES
  cat > mdc.json <<JSON
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0", "metrics": {"values": $1, "max_series": $2}},
  "shifts": [ {"id": 1, "start": "00:00"} ],
  "sinks": [ {"type": "stdout", "format": "json"} ],
  "devices": [
    { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32", "unit": "V"},
        {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "unit": "kW"},
        {"name": "energy_kwh", "function": 4, "address": 342, "type": "float32", "unit": "kWh"},
        {"name": "label \"x\"", "function": 4, "address": 0, "type": "float32"} ],
      "status": {"power": "power_kw", "production_above": 4.5}, "energy": {"point": "energy_kwh"} },
    { "id": "meter-2", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$dead"}, "interval": "1s",
      "timeout": "200ms", "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32"} ] } ] }
JSON
}
start() { # VALUES MAX_SERIES
  config "$1" "$2"
  bg mdc "$MDC" run -c mdc.json
  wait_for 10 grep -q 'serving the dashboard' mdc.err || fail "http server not started"
  hp=$(sed -n 's|.*on http://127.0.0.1:\([0-9]*\)/$|\1|p' mdc.err)
  wait_for 10 bash -c "curl -s http://127.0.0.1:$hp/metrics | grep -q '^mdc_device_polls_total{device=\"meter-2\"} [1-9]'" ||
    fail "both devices polled"
}
scrape() { curl -s "http://127.0.0.1:$hp/metrics" > "$1"; promtool check metrics < "$1" > promtool.out 2>&1 ||
  fail "promtool check metrics: $(cat promtool.out)"; }
stop() { kill "$PID_mdc"; wait "$PID_mdc" || true; }

start true 10000
# meter-2's first failed poll can be counted before meter-1's first record has reached the
# metrics (a loaded machine): wait for both before the exact comparison
ready() {
  local m; m=$(curl -s "http://127.0.0.1:$hp/metrics")
  grep -q '^mdc_point_value{device="meter-1",point="shift_energy_kwh"' <<< "$m" &&
    grep -qx 'mdc_machine_state{device="meter-2",state="UNREACHABLE"} 1' <<< "$m"
}
wait_for 10 ready || fail "meter-1's values and meter-2's state in /metrics: $(curl -s "http://127.0.0.1:$hp/metrics" | grep device= | head -n 20)"
scrape m1.txt
pass "promtool check metrics accepts the scrape"
values=$(grep -E '^(mdc_point|mdc_machine|mdc_device_last|mdc_metrics_dropped)' m1.txt | sed -E 's/^(mdc_device_last_success_timestamp_seconds\{device="meter-1"\}) [0-9.]+$/\1 T/; s/^(mdc_point_value\{device="meter-1",point="shift_energy_kwh",unit="kWh"\}) [0-9.e-]+$/\1 E/')
assert_eq 'mdc_device_last_success_timestamp_seconds{device="meter-1"} T
mdc_machine_state{device="meter-1",state="OFF"} 0
mdc_machine_state{device="meter-1",state="ON"} 0
mdc_machine_state{device="meter-1",state="PRODUCTION"} 1
mdc_machine_state{device="meter-1",state="UNREACHABLE"} 0
mdc_machine_state{device="meter-2",state="OFF"} 0
mdc_machine_state{device="meter-2",state="ON"} 0
mdc_machine_state{device="meter-2",state="PRODUCTION"} 0
mdc_machine_state{device="meter-2",state="UNREACHABLE"} 1
mdc_point_value{device="meter-1",point="voltage_l1",unit="V"} 230.1
mdc_point_value{device="meter-1",point="power_kw",unit="kW"} 6.0
mdc_point_value{device="meter-1",point="label \"x\"",unit=""} 230.1
mdc_point_value{device="meter-1",point="energy_delta_kwh",unit="kWh"} 0.0
mdc_point_value{device="meter-1",point="shift",unit=""} 1.0
mdc_point_value{device="meter-1",point="shift_energy_kwh",unit="kWh"} E
mdc_point_total{device="meter-1",point="energy_kwh",unit="kWh"} 1234.5
mdc_metrics_dropped_series 0' "$values" "device values, exactly (meter-2 never answered: no values, no last success)"
grep -qx '# TYPE mdc_point_total counter' m1.txt || fail "the energy register is a counter"
grep -qx '# TYPE mdc_point_value gauge' m1.txt || fail "values are gauges"
t1=$(sed -n 's/^mdc_device_last_success_timestamp_seconds{device="meter-1"} //p' m1.txt)
now=$(date +%s)
awk -v t="$t1" -v n="$now" 'BEGIN { exit !(t > n - 60 && t <= n + 1) }' || fail "last success $t1 is not a recent time (now $now)"
pass "last success is the latest sample time ($t1)"

# the meter goes away: its values go stale (vanish), the state says UNREACHABLE, the last
# success time stays
kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true
wait_for 10 bash -c "curl -s http://127.0.0.1:$hp/metrics | grep -qx 'mdc_machine_state{device=\"meter-1\",state=\"UNREACHABLE\"} 1'" ||
  fail "meter-1 unreachable in the state set"
scrape m2.txt
assert_eq 0 "$(grep -c '^mdc_point_[a-z]*{device="meter-1"' m2.txt || true)" "an unreachable device's values are left out (stale)"
t2=$(sed -n 's/^mdc_device_last_success_timestamp_seconds{device="meter-1"} //p' m2.txt)
[ -n "$t2" ] && awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b >= a) }' || fail "last success kept: $t1 -> $t2"
pass "last success kept while unreachable ($t2)"
stop

# bounded: at most max_series value series, the rest counted
start true 5
scrape m3.txt
n=$(grep -Ec '^(mdc_point_value|mdc_point_total|mdc_machine_state|mdc_device_last_success_timestamp_seconds)\{' m3.txt)
[ "$n" -le 5 ] || fail "max_series 5: $n series"
dropped=$(sed -n 's/^mdc_metrics_dropped_series //p' m3.txt)
[ "$dropped" -gt 0 ] || fail "dropped series counted: $dropped"
pass "max_series 5: $n series, $dropped left out"
stop

# off by default
start false 10000
scrape m4.txt
assert_eq 0 "$(grep -Ec '^(# TYPE )?(mdc_point|mdc_machine_state|mdc_metrics_dropped)' m4.txt || true)" "no device values without metrics.values"
stop
