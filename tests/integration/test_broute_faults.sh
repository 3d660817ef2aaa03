#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every injected fault of `mdc-sim broute`, in every module profile, with `mdc run --once`: the
# record is still exact (the frozen values), and the simulator's log shows the dialogue that
# recovered. A module that never answers fails the poll quickly with a clear error.
source "$(dirname "$0")/lib.sh"
strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //; s/, "shift": [0-9]+//'; }
RECORD='{"device": "home", "cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 3.0, "current_t_a": 2.0, "historical_timestamp": "2023-10-27T10:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_timestamp": "2023-10-27T10:00:00+00:00", "recent_30min_consumption_kwh": 0.2}'
cat > mdc.json <<'JSON'
{ "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "home", "driver": "broute", "port": "tty", "timeout": "1s",
                 "rbid": "00000000000000000000000000000000", "password": "000000000000" } ] }
JSON
n=0
run_fault() { # run_fault PROFILE FAULT-ARGS...: the record, and the simulator's log in sim-N.log
  local profile=$1; shift
  n=$((n + 1))
  rm -f tty
  bg sim$n "$MDC_SIM" broute --link tty --profile "$profile" --frozen --verbose \
    --meter-delay 20 --join-delay 20 "$@"
  wait_for 5 test -e tty || fail "simulator did not start"
  "$MDC" run -c mdc.json --once > out.json 2> mdc.err || fail "mdc run: $(cat mdc.err)"
  assert_eq "$RECORD" "$(strip < out.json)" "$profile $*: the record"
  kill "$(eval echo "\$PID_sim$n")"
  wait "$(eval echo "\$PID_sim$n")" 2>/dev/null || true
  log=sim$n.log
}
count() { grep -c "command: $1" "$log" || true; }

for p in bp35a1 bp35c0 rl7023; do
  run_fault $p --no-beacon 1
  assert_eq 2 "$(count SKSCAN)" "$p: a second scan with a longer duration"
  grep -q "command: SKSCAN 2 FFFFFFFF 5" $log || fail "$p: the duration escalates to 5"

  run_fault $p --reject-join 1
  assert_eq 2 "$(count SKJOIN)" "$p: EVENT 24 → SKJOIN again"

  run_fault $p --expire-after 2
  [ "$(count SKJOIN)" = 1 ] && [ "$(count SKREJOIN)" = 0 ] || fail "$p: re-authentication by the module alone"
  pass "$p: EVENT 29, the module re-authenticates"

  run_fault $p --expire-after 2 --expire-fail
  assert_eq 1 "$(count SKREJOIN)" "$p: EVENT 29 then EVENT 24 → SKREJOIN"

  run_fault $p --drop-reply 2
  assert_eq 5 "$(count SKSENDTO)" "$p: a dropped reply → one retransmission"

  run_fault $p --late-reply 2 # a late reply carries 499 W: accepting it would show
  assert_eq 5 "$(count SKSENDTO)" "$p: the late reply (old TID) is discarded"

  run_fault $p --fail-er04 SKSENDTO
  assert_eq 5 "$(count SKSENDTO)" "$p: FAIL ER04 → sent again"

  run_fault $p --fail-er04 SKSREG # SKSREG SFE 0 refused: the module keeps echoing
  pass "$p: echo left on (the echo of SKSENDTO carries binary data)"

  run_fault $p --garbage-before 2
  run_fault $p --garbage-before 1 --drop-reply 3 --late-reply 4
done

# a module that never answers: the poll fails within the 2 s command timeout, clearly
rm -f tty
bg mute "$MDC_SIM" broute --link tty --mute
wait_for 5 test -e tty || fail "simulator did not start"
t0=$(date +%s%N)
"$MDC" run -c mdc.json --once > out.json 2> mdc.err || true
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -lt 4000 ] || fail "a silent module took $ms ms to report"
grep -q '"status": 0, "cumulative_power_kwh": null, .*"recent_30min_timestamp": null, .*"error": "tty: no answer to SKRESET within 2.0 s (is a Wi-SUN module on this port, at 115200 baud?)"}' out.json ||
  fail "silent module: $(cat out.json)"
pass "a silent module is reported in $ms ms"

# no module at all
sed -i 's/"port": "tty"/"port": "no-such-tty"/' mdc.json
"$MDC" run -c mdc.json --once > out.json 2> mdc.err || true
grep -q '"error": "no-such-tty: No such file or directory"' out.json || fail "missing port: $(cat out.json)"
pass "a missing port is reported"
