#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc against `mdc-sim broute` in each module profile (BP35A1 hex ERXUDP; BP35C0 and RL7023
# binary ERXUDP with SIDE fields), with module "auto" and with the profile named, single- and
# three-phase meters, a poll across midnight (yesterday's history), exact frozen records, the
# description `mdc check` prints, `mdc read --raw`, and the scan skipped when the channel,
# PAN ID and IPv6 address are configured.
source "$(dirname "$0")/lib.sh"
strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //; s/, "shift": [0-9]+//'; }
FAST=(--frozen --meter-delay 20 --join-delay 20 --verbose)
RBID=0123456789ABCDEF0123456789ABCDEF

config() { # config PORT MODULE [EXTRA-JSON]
  cat > mdc.json <<JSON
{ "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "home", "driver": "broute", "port": "$1", "module": "$2",
                 "rbid": "\${B_ROUTE_ID}", "password": "\${B_ROUTE_PASSWORD}", "timeout": "2s"${3:-} } ] }
JSON
}
export B_ROUTE_ID=$RBID B_ROUTE_PASSWORD=s3cretPassw0rd

sim() { # sim NAME ARGS...: a simulator on the link tty-NAME
  local name=$1; shift
  bg "$name" "$MDC_SIM" broute --link "tty-$name" --rbid $RBID --password s3cretPassw0rd "${FAST[@]}" "$@"
  wait_for 5 test -e "tty-$name" || fail "simulator $name did not start"
}

THREE='{"device": "home", "cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 3.0, "current_t_a": 2.0, "historical_timestamp": "2023-10-27T10:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_timestamp": "2023-10-27T10:00:00+00:00", "recent_30min_consumption_kwh": 0.2}'
SINGLE='{"device": "home", "cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 5.0, "current_t_a": null, "historical_timestamp": "2023-10-27T10:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_timestamp": "2023-10-27T10:00:00+00:00", "recent_30min_consumption_kwh": 0.2}'

for profile in bp35a1 bp35c0 rl7023; do
  for module in auto $profile; do
    name=${profile}_$module
    sim $name --profile $profile
    config "tty-$name" $module
    "$MDC" run -c mdc.json --once > out.json 2> mdc.err
    assert_eq "$THREE" "$(strip < out.json)" "$profile profile, module $module: the record"
    grep -q "command: SKSCAN 2 FFFFFFFF 4$( [ $profile = bp35a1 ] || echo ' 0')" $name.log ||
      fail "$profile: SKSCAN syntax"
    grep -q "command: SKSENDTO 1 FE80:0000:0000:0000:0211:2233:4455:66AA 0E1A 1 $( [ $profile = bp35a1 ] || echo '0 ')0012" \
      $name.log || fail "$profile: SKSENDTO syntax"
    if grep -q s3cretPassw0rd mdc.err out.json $name.log; then fail "the password leaked"; fi
  done
done

sim single --profile bp35c0 --phase single
config tty-single auto
"$MDC" run -c mdc.json --once > out.json 2> mdc.err
assert_eq "$SINGLE" "$(strip < out.json)" "single-phase two-wire: current_t_a is null"

# 00:10 local: today's history has only 00:00, so yesterday's 23:30 is fetched (E5 = 1)
sim midnight --clock 2023-10-28T00:10:00 --coefficient 1
config tty-midnight auto
"$MDC" run -c mdc.json --once > out.json 2> mdc.err
assert_eq '{"device": "home", "cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 3.0, "current_t_a": 2.0, "historical_timestamp": "2023-10-27T15:00:00+00:00", "historical_cumulative_power_kwh": 12345.5, "recent_30min_timestamp": "2023-10-27T15:00:00+00:00", "recent_30min_consumption_kwh": 0.3}' \
  "$(strip < out.json)" "across midnight: yesterday's 23:30 value, time stamps in UTC"
[ "$(grep -c 'command: SKSENDTO' midnight.log)" = 6 ] || fail "midnight: E1/D3/D7, E0-EA, E5=0, E2, E5=1, E2"

# channel, PAN ID and IPv6 given: no scan, no SKLL64
sim noscan --profile bp35a1 --channel 59 --panid 1234
config tty-noscan bp35a1 ', "channel": "3B", "panid": "1234", "ipv6": "FE80:0000:0000:0000:0211:2233:4455:66AA"'
"$MDC" check -c mdc.json > check.txt
grep -q "serial tty-noscan 115200 8N1, module bp35a1, timeout 2000 ms, meter time zone Asia/Tokyo" check.txt ||
  fail "check describes the line: $(cat check.txt)"
grep -q "meter: channel 59 (0x3B), PAN ID 0x1234, FE80:0000:0000:0000:0211:2233:4455:66AA (no scan)" check.txt ||
  fail "check describes the meter"
if grep -q "s3cretPassw0rd\|$RBID" check.txt; then fail "check shows credentials"; fi
"$MDC" run -c mdc.json --once > out.json 2> mdc.err
assert_eq "$THREE" "$(strip < out.json)" "configured PAN: the record"
if grep -q "SKSCAN\|SKLL64" noscan.log; then fail "the scan was not skipped"; fi
grep -q "command: SKSREG S2 3B" noscan.log && grep -q "command: SKSREG S3 1234" noscan.log || fail "S2/S3 set"
pass "configured channel/PAN/IPv6: no scan"

# a wrong channel in the configuration: the join fails with a clear error
config tty-noscan bp35a1 ', "channel": 33, "panid": "1234", "ipv6": "FE80:0000:0000:0000:0211:2233:4455:66AA"'
"$MDC" run -c mdc.json --once > out.json 2> mdc.err || true
grep -q '"error": "the meter FE80:0000:0000:0000:0211:2233:4455:66AA refused PANA authentication (EVENT 24) 3 times; check the B-route ID and password"' out.json ||
  fail "join failure reported: $(cat out.json)"
pass "a failed join is reported"

# mdc read --raw: the module, the meter and its raw properties
sim raw --profile rl7023
config tty-raw auto
"$MDC" read -c mdc.json home --raw > read.txt 2> read.err || fail "mdc read: $(cat read.err)"
grep -q "^module bp35c0, firmware 1.5.2; meter FE80:0000:0000:0000:0211:2233:4455:66AA (MAC 00112233445566AA), channel 33 (0x21), PAN ID 0x8888$" read.txt ||
  fail "read: module line: $(cat read.txt)"
grep -q "^Get_SNA TID 0001:$" read.txt || fail "read: the raw response (D3 missing)"
grep -q "^  EPC E7: 000001F4$" read.txt && grep -q "^  EPC D3: (not available)$" read.txt || fail "read: EDTs"
grep -q '"instant_power_w": 500' read.txt || fail "read: the record"
pass "mdc read --raw"
