#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `mdc run` polling a smart meter every second while `mdc-sim broute` injects faults through
# its control channel (stdin): EVENT 29 with the module's own re-authentication, EVENT 29 with
# a failed one (→ SKREJOIN), dropped, late and duplicated replies, FAIL ER04, noise. Every poll
# still gives the exact record. Then the simulator dies (records with the error) and comes
# back (the session is started again). Finally live values change over time.
source "$(dirname "$0")/lib.sh"
strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //; s/, "shift": [0-9]+//'; }
RECORD='{"device": "home", "cumulative_power_kwh": 12345.6, "instant_power_w": 500, "current_a": 5.0, "current_r_a": 3.0, "current_t_a": 2.0, "historical_timestamp": "2023-10-27T10:00:00+00:00", "historical_cumulative_power_kwh": 12345.4, "recent_30min_timestamp": "2023-10-27T10:00:00+00:00", "recent_30min_consumption_kwh": 0.2}'

mkfifo ctl
exec 3<>ctl
start_sim() { # like bg, with stdin from the control FIFO (a background job's is /dev/null)
  "$MDC_SIM" broute --link tty --profile bp35c0 --frozen --verbose --meter-delay 20 \
    --join-delay 50 <&3 >"$T/$1.log" 2>"$T/$1.err" &
  PIDS+=($!)
  eval "PID_$1=$!"
  wait_for 5 test -e tty || fail "simulator did not start"
}
start_sim sim
cat > mdc.json <<'JSON'
{ "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "home", "driver": "broute", "port": "tty", "timeout": "700ms", "interval": "1s",
                 "rbid": "00000000000000000000000000000000", "password": "000000000000" } ] }
JSON
bg mdc "$MDC" run -c mdc.json
records() { grep -c '"device": "home"' mdc.log || true; }
good() { strip < mdc.log | grep -cxF "$RECORD" || true; }
next_records() { # next_records N: waits for N more records
  local want=$(( $(records) + $1 ))
  wait_for 15 bash -c "[ \$(grep -c '\"device\": \"home\"' mdc.log) -ge $want ]" || fail "no new records"
}
next_records 2
sends() { grep -c 'command: SKSENDTO' sim.log || true; }
s0=$(sends); r0=$(records); next_records 4
ds=$(( $(sends) - s0 )); dr=$(( $(records) - r0 ))
# one request per poll, give or take the poll in flight (two per poll without the kept value)
[ $ds -ge $((dr - 1)) ] && [ $ds -le $((dr + 1)) ] || fail "$ds requests for $dr polls"
pass "steady state: one request per poll (the 30-minute value is kept)"

control() { # control COMMAND: sends it and waits for the acknowledgement
  echo "$1" >&3
  wait_for 5 grep -qxF "ok $1" sim.log || fail "no acknowledgement of '$1'"
}
for cmd in "expire" "expire fail" "drop" "late" "dup" "fail SKSENDTO ER04" "garbage 64"; do
  control "$cmd"
  next_records 2
done
grep -q "command: SKREJOIN" sim.log || fail "EVENT 24 after EVENT 29 → SKREJOIN"
assert_eq "$(records)" "$(good)" "every record exact through EVENT 29, drops, late and duplicate replies, FAIL ER04, noise"
if grep -q '"error"' mdc.log; then fail "an error record: $(grep '"error"' mdc.log | head -1)"; fi
if grep -q '"instant_power_w": 499' mdc.log; then fail "a late reply was taken"; fi
# a meter that stops answering (6 transmissions = 2 requests): records with the error, then a
# new PANA session and exact records again
rejoins=$(grep -c "command: SKREJOIN" sim.log)
control "drop 6"
wait_for 15 bash -c "[ \$(grep -c 'command: SKREJOIN' sim.log) -gt $rejoins ]" || fail "no rejoin after silence"
grep -q '"error": "Get E0 E7 E8 EA: no valid reply after 3 transmissions; last: no reply from the meter within 0.7 s"' mdc.log ||
  fail "the error of an unanswered poll"
next_records 2
tail -n 1 mdc.log | strip | grep -qxF "$RECORD" || fail "exact records after the rejoin"
pass "a silent meter: error records, then a new session"

# the simulator dies and comes back on the same link
before=$(wc -l < mdc.log)
kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true
after() { tail -n +$((before + 1)) mdc.log; }
wait_for 10 bash -c "tail -n +$((before + 1)) mdc.log | grep -q '\"status\": 0'" ||
  fail "records with the error while the module is gone"
after | grep '"status": 0' | head -1 | grep -Eq '"error": "([A-Za-z0-9 ]*: )?tty: (the serial device went away \(unplugged\?\)|No such file or directory)"' ||
  fail "the error: $(after | grep '"status": 0' | head -1)"
pass "records say the module is gone"
start_sim sim2
wait_for 20 bash -c "tail -n 1 mdc.log | grep -q '\"instant_power_w\": 500'" || fail "no recovery"
grep -q "command: SKRESET" sim2.log || fail "the session was started again"
pass "recovered after the module came back"
kill -TERM "$PID_mdc"; wait "$PID_mdc"; rc=$?
assert_eq 0 "$rc" "SIGTERM exits 0"
kill "$PID_sim2"; wait "$PID_sim2" 2>/dev/null || true

# live values: power moves, energy never goes down
rm -f tty
bg live "$MDC_SIM" broute --link tty --seed 7 --meter-delay 20 --join-delay 20
wait_for 5 test -e tty || fail "simulator did not start"
bg mdc2 "$MDC" run -c mdc.json
wait_for 15 bash -c "[ \$(grep -c '\"device\": \"home\"' mdc2.log) -ge 6 ]" || fail "live records"
kill -TERM "$PID_mdc2"; wait "$PID_mdc2" || true
powers=$(grep -o '"instant_power_w": [0-9]*' mdc2.log | sort -u | wc -l)
[ "$powers" -ge 2 ] || fail "instant power does not change: $(grep -o '"instant_power_w": [0-9]*' mdc2.log)"
grep -o '"cumulative_power_kwh": [0-9.]*' mdc2.log | awk '{ if ($2 < last) exit 1; last = $2 }' ||
  fail "energy went down"
grep -q '"recent_30min_consumption_kwh": [0-9]' mdc2.log || fail "live 30-minute value"
pass "live values change over time"
