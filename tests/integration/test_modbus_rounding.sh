#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# "rounding": "python" on a Modbus device or point, on both TCP engines and through a shared
# points_file: a float32 rounds as its exact binary value does in Python's round() (206.23645f
# is 206.2364501953125: 206.2365 to 4 decimals, where the default decimal rounding reads it as
# 206.23645 and gives 206.2364), an exact tie to even (0.125 → 0.12, decimal: 0.13). Devices that
# share a points_file with different roundings each get their own.
source "$(dirname "$0")/lib.sh"
start_sim() { # NAME
  bg "$1" "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --control "$1.ctl"
  wait_for 5 grep -q '^tcp: ' "$1.log" || fail "simulator $1 did not start"
  echo "set voltage_l1 206.23645" > "$1.ctl"
  echo "set voltage_l2 0.125" > "$1.ctl"
  wait_for 5 grep -q 'ok set voltage_l2 0.125' "$1.log" || fail "simulator $1 control"
}
start_sim ev; start_sim bl
ev=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' ev.log)
bl=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' bl.log)
cat > points.json <<'JSON'
{"points": [{"name": "v1", "function": 4, "address": 0, "type": "float32", "decimals": 4},
            {"name": "v2", "function": 4, "address": 2, "type": "float32", "decimals": 2}]}
JSON
cat > mdc.json <<JSON
{ "data_dir": "data", "sinks": [ {"type": "stdout"} ],
  "devices": [
    { "id": "dec", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$ev"},
      "points": [ {"name": "v1", "function": 4, "address": 0, "type": "float32", "decimals": 4},
                  {"name": "v2", "function": 4, "address": 2, "type": "float32", "decimals": 2} ] },
    { "id": "py", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$ev"}, "rounding": "python",
      "points": [ {"name": "v1", "function": 4, "address": 0, "type": "float32", "decimals": 4},
                  {"name": "v2", "function": 4, "address": 2, "type": "float32", "decimals": 2,
                   "rounding": "decimal"} ] },
    { "id": "pt", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$ev"},
      "points": [ {"name": "v1", "function": 4, "address": 0, "type": "float32", "decimals": 4},
                  {"name": "v2", "function": 4, "address": 2, "type": "float32", "decimals": 2,
                   "rounding": "python"} ] },
    { "id": "file-dec", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$ev"}, "points_file": "points.json" },
    { "id": "file-py", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$ev"}, "points_file": "points.json",
      "rounding": "python" },
    { "id": "blocking-py", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$bl"}, "tcp_engine": "blocking",
      "points_file": "points.json", "rounding": "python" } ] }
JSON
"$MDC" run -c mdc.json --once > out.json 2> mdc.err || fail "mdc run --once: $(cat mdc.err)"
values() { grep "\"device\": \"$1\"" out.json | sed -E 's/.*"v1": ([^,]*), "v2": ([^,]*),.*/\1 \2/'; }
assert_eq "206.2364 0.13" "$(values dec)" "decimal rounding (the default)"
assert_eq "206.2365 0.13" "$(values py)" "python on the device, decimal on a point"
assert_eq "206.2364 0.12" "$(values pt)" "python on a point"
assert_eq "206.2364 0.13" "$(values file-dec)" "points_file, decimal"
assert_eq "206.2365 0.12" "$(values file-py)" "the same points_file, python on the device"
assert_eq "206.2365 0.12" "$(values blocking-py)" "python on the blocking engine"
"$MDC" check -c mdc.json > check.txt
assert_eq 6 "$(grep -c 'as Python' check.txt)" "mdc check shows where Python rounding applies"
grep -q 'point v1 .*ABCD round(x, 4) as Python$' check.txt || fail "check: $(grep 'point v1' check.txt)"
set +e
sed 's/"rounding": "python"/"rounding": "bankers"/' mdc.json > bad.json
"$MDC" check -c bad.json > /dev/null 2> bad.err; rc=$?
set -e
assert_eq 2 "$rc" "an unknown rounding is a configuration error"
grep -q 'devices\[1\].rounding' bad.err && grep -q 'decimal' bad.err && grep -q 'python' bad.err ||
  fail "the error names the key and the choices: $(cat bad.err)"
pass "rounding per device and point, through points_file, on both engines"
