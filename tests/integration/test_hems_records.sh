#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `mdc hems --mode interval --interval 2 --output stdout file --format …` against the simulated
# module in each profile: the exact hems-data-collector records on stdout and in the file (with
# the file's extension rule and CSV header), single-phase meters, no scan with
# --meter-channel/--meter-panid/--meter-ipv6, and the record logged when there is no output.
source "$(dirname "$0")/lib.sh"
source "$MDC_SRC/tests/integration/hems_lib.sh"

repeat() { for _ in $(seq "$1"); do printf '%s\n' "$2"; done; }

# JSON in every module profile; stdout and file get the same records.
for profile in bp35a1 bp35c0 rl7023; do
  start_broute "$profile" --frozen --profile "$profile"
  rm -f hems_data.dat.json
  hems_until 3 '^{' hems_data.dat.json --port "$T/tty-$profile" --mode interval --interval 2 \
    --output stdout file --format json
  n=$(wc -l < hems_data.dat.json)
  assert_eq "$(repeat "$n" "{$HEMS_JSON_THREE")" "$(json_bodies hems_data.dat.json)" \
    "$profile: JSON records in hems_data.dat.json (the default file with .json added)"
  assert_eq "$(cat hems_data.dat.json)" "$(cat hems.out)" "$profile: stdout has the same records"
  check_json_timestamps hems_data.dat.json
  grep -q "joined the smart meter" hems.err || fail "$profile: no join logged"
done

# YAML: PyYAML's dump (sorted keys, quoted timestamps) and print()'s blank line.
rm -f data.yaml
hems_until 2 '^timestamp: ' data.yaml --port "$T/tty-bp35a1" --mode interval --interval 2 \
  -o stdout file -f yaml --file data.yaml
yaml_one="cumulative_power_kwh: 12345.6
current_a: 5.0
current_r_a: 3.0
current_t_a: 2.0
historical_cumulative_power_kwh: 12345.4
historical_timestamp: '2023-10-27T10:00:00+00:00'
instant_power_w: 500
recent_30min_consumption_kwh: 0.2
recent_30min_timestamp: '2023-10-27T10:00:00+00:00'
TS
"
n=$(grep -c '^timestamp: ' data.yaml)
assert_eq "$(for _ in $(seq "$n"); do printf '%s\n' "$yaml_one"; done)" \
  "$(sed -E "s/^timestamp: '20[0-9-]{8}T[0-9:.]+\+00:00'$/TS/" data.yaml)" "YAML records (--file kept as given)"
assert_eq "$(cat data.yaml)" "$(cat hems.out)" "YAML on stdout"

# CSV: the fixed header once in a new file, none on stdout; a mismatched extension is kept.
rm -f data.json.csv data.json
hems_until 2 ',12345' data.json --port "$T/tty-rl7023" --mode interval --interval 2 \
  -o file stdout -f csv --file data.json
assert_eq "$HEMS_CSV_HEADER" "$(head -1 data.json)" "CSV header in the file"
n=$(( $(wc -l < data.json) - 1 ))
assert_eq "$(repeat "$n" "$HEMS_CSV_THREE")" "$(tail -n +2 data.json | csv_bodies)" "CSV rows"
assert_eq "$(tail -n +2 data.json)" "$(cat hems.out)" "CSV on stdout, without a header"
# a second run appends rows without a second header
hems_until $((n + 2)) ',12345' data.json --port "$T/tty-rl7023" --mode interval --interval 2 \
  -o file -f csv --file data.json
assert_eq "1" "$(grep -c '^timestamp,' data.json)" "one header after a second run"

# Single-phase two-wire meter: current_t_a null in JSON, None in CSV; the scan is skipped
# when channel, PAN ID and address are given.
start_broute single --frozen --phase single --profile bp35c0 --verbose
hems_until 2 '^{' out.json --port "$T/tty-single" -i 2 --mode interval -o file --file out.json \
  --meter-channel 21 --meter-panid 8888 --meter-ipv6 FE80:0000:0000:0000:0211:2233:4455:66AA
assert_eq '{"cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 5.0, "current_t_a": null, "historical_timestamp": "2023-10-27T10:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_consumption_kwh": 0.2, "recent_30min_timestamp": "2023-10-27T10:00:00+00:00"}' \
  "$(json_bodies out.json | sort -u)" "single phase: current_t_a is null"
grep -q 'SKJOIN FE80:0000:0000:0000:0211:2233:4455:66AA' single.log || fail "no SKJOIN to the given address"
grep -q 'SKSCAN' single.log && fail "scanned although the meter was given"
grep -q 'SKSREG S2 21' single.log || fail "channel not set"
hems_until 1 ',None,' out.csv --port "$T/tty-single" -i 2 --mode interval -o file --file out.csv -f csv
assert_eq "12345.6,500,5.0,5.0,None,2023-10-27T10:00:00+00:00,12345.4,2023-10-27T10:00:00+00:00,0.2" \
  "$(tail -n +2 out.csv | csv_bodies | sort -u)" "single phase: str(None) in the CSV field, as the program writes"

# No --output: each record is logged at INFO as the seed does, as a Python dict.
hems_until 1 'Data retrieved: ' hems.err --port "$T/tty-bp35a1" --mode interval --interval 2
grep -Eq "INFO  Data retrieved: \{'timestamp': '[0-9T:.+-]+', 'cumulative_power_kwh': 12345.6, 'instant_power_w': 500, 'current_a': 5.0, 'current_r_a': 3.0, 'current_t_a': 2.0, 'historical_timestamp': '2023-10-27T10:00:00\+00:00', 'historical_cumulative_power_kwh': 12345.4, 'recent_30min_consumption_kwh': 0.2, 'recent_30min_timestamp': '2023-10-27T10:00:00\+00:00'\}$" hems.err ||
  fail "record not logged"
assert_eq "" "$(cat hems.out)" "nothing on stdout without --output"
grep -q "000000000000" hems.err && fail "a credential was logged"

# --debug: every line sent to and received from the module, as the program logs them — and
# SKSETPWD's argument masked (the password never appears, however the module echoes it)
start_broute pw --frozen --profile bp35a1 --password Tr4ceSecretPw
B_ROUTE_PASSWORD=Tr4ceSecretPw hems_until 1 '^{' hems.out --port "$T/tty-pw" --mode interval \
  --interval 2 -o stdout --debug
grep -q 'DEBUG \[.*tty-pw\] send: SKVER$' hems.err || fail "no SKVER in the trace: $(head -20 hems.err)"
grep -q 'DEBUG \[.*tty-pw\] recv: EVENT 25 ' hems.err || fail "no EVENT 25 in the trace"
grep -q 'DEBUG \[.*tty-pw\] send: SKSETPWD \*\*\*\*\*\*\*\*$' hems.err || fail "SKSETPWD not masked: $(grep SKSETPWD hems.err)"
grep -q 'DEBUG \[.*tty-pw\] send: SKSENDTO 1 FE80' hems.err || fail "no SKSENDTO in the trace"
grep -q 'DEBUG \[.*tty-pw\] recv: ERXUDP FE80.* bytes: 1081' hems.err || fail "no ERXUDP in the trace"
grep -q "Tr4ceSecretPw" hems.err && fail "the B-route password was logged"
pass "--debug traces the serial lines, with the password masked"
exit 0
