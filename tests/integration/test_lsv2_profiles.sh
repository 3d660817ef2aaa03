#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# mdc against `mdc-sim lsv2` in each control profile: exact records from `mdc run --once`
# (op_mode, prog_status, programs, line, status) while the simulated machine is driven through
# its control channel; part counts over several pulses, across restarts (the signal level is
# persisted: no phantom part), from a marker (iTNC 530), a dword compared with 255 (TNC 640)
# and an absolute PLC counter.
source "$(dirname "$0")/lib.sh"

strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //'; }

# start_sim NAME ARGS...: a simulator with control FIFO NAME.ctl; sets $port
start_sim() {
  local name=$1; shift
  bg "$name" "$MDC_SIM" lsv2 --listen 127.0.0.1:0 --control "$name.ctl" "$@"
  wait_for 5 grep -q '^listening ' "$name.log" || fail "$name did not start"
  port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$name.log")
}

# ctl NAME COMMAND: sends a control command and waits for its own acknowledgement
ctl() {
  local n; n=$(wc -l < "$1.log")
  echo "$2" > "$1.ctl"
  wait_for 5 bash -c "tail -n +$((n + 1)) '$1.log' | grep -qxF 'ok $2'" || fail "$1 did not ack '$2'"
}

config() { # FILE PORT DEVICE-EXTRA
  cat > "$1" <<JSON
{ "timezone": "UTC", "data_dir": "data-$1", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "tnc", "machine_id": 3, "driver": "lsv2", "host": "127.0.0.1", "port": $2,
                 "interval": "1s", "timeout": "2s" $3 } ] }
JSON
}

once() { "$MDC" run -c "$1" --once 2>>mdc.err | strip; }

# ---- iTNC 530: marker M4170 -------------------------------------------------------------
start_sim itnc --profile itnc530 --state idle
config itnc.json "$port" ', "parts": {"signal": {"memory": "marker", "address": 4170}}'
P='"selected_program": "TNC:\\nc_prog\\PART_\u00dc1.H"'
A_MAIN='"active_program": "TNC:\\nc_prog\\PART_\u00dc1.H"'
A_SUB='"active_program": "TNC:\\nc_prog\\SUB\\DRILL_8.H"'
assert_eq '{"device": "tnc", "machine_id": 3, "status": 1, "op_mode": 0, "prog_status": 7, '"$P, $A_MAIN"', "line": 0, "part_count_delta": 0, "part_count": 0, "shift": 1}' \
  "$(once itnc.json)" "iTNC 530 idle"
ctl itnc "state started"
assert_eq '{"device": "tnc", "machine_id": 3, "status": 2, "op_mode": 4, "prog_status": 0, '"$P, $A_SUB"', "line": 12, "part_count_delta": 0, "part_count": 0, "shift": 1}' \
  "$(once itnc.json)" "iTNC 530 program started: PRODUCTION, the called program is active"
counts() { once "$1" | sed -E 's/.*"part_count_delta": ([0-9]+), "part_count": ([0-9]+).*/\1 \2/'; }
ctl itnc "signal high"
assert_eq "1 1" "$(counts itnc.json)" "rising edge of M4170 counts a part"
assert_eq "0 1" "$(counts itnc.json)" "still high after a restart: no phantom part"
ctl itnc "signal low"
assert_eq "0 1" "$(counts itnc.json)" "falling edge"
ctl itnc "signal high"
assert_eq "1 2" "$(counts itnc.json)" "second part"
ctl itnc "signal low"
assert_eq "0 2" "$(counts itnc.json)" "low again"
ctl itnc "signal high"
assert_eq "1 3" "$(counts itnc.json)" "third part"
ctl itnc "state finished"
ctl itnc "signal low"
assert_eq '{"device": "tnc", "machine_id": 3, "status": 1, "op_mode": 4, "prog_status": 2, '"$P, $A_MAIN"', "line": 21, "part_count_delta": 0, "part_count": 3, "shift": 1}' \
  "$(once itnc.json)" "iTNC 530 finished: ON"
ctl itnc "state error"
assert_eq '"status": 1, "op_mode": 4, "prog_status": 5' \
  "$(once itnc.json | grep -o '"status": 1, "op_mode": 4, "prog_status": 5')" "iTNC 530 error state"

# overrides, the NC error list and an absolute counter on the same control
config itnc2.json "$port" ', "overrides": true, "alarms": true,
   "plc": [ {"name": "cycle_count", "memory": "dword", "address": 3504} ], "parts": {"counter": "cycle_count"}'
assert_eq '{"device": "tnc", "machine_id": 3, "status": 1, "op_mode": 4, "prog_status": 5, '"$P, $A_MAIN"', "line": 12, "feed_override": 100.0, "spindle_override": 85.0, "rapid_override": 50.0, "alarm": "010 Machine guard is open !", "cycle_count": 3, "part_count_delta": 0, "part_count": 0, "shift": 1}' \
  "$(once itnc2.json)" "overrides and the active NC error"
ctl itnc "state idle"
ctl itnc "pulse 100"
ctl itnc "pulse 100"
assert_eq '{"device": "tnc", "machine_id": 3, "status": 1, "op_mode": 0, "prog_status": 7, '"$P, $A_MAIN"', "line": 0, "feed_override": 100.0, "spindle_override": 85.0, "rapid_override": 50.0, "alarm": null, "cycle_count": 5, "part_count_delta": 2, "part_count": 2, "shift": 1}' \
  "$(once itnc2.json)" "counter mode: two parts from the PLC counter; no alarm is null"
kill "$PID_itnc"

# ---- TNC 640: D10368 == 255 (BELmc's PR_FINISHED, never counted by the seed) ----------------
start_sim tnc640 --profile tnc640 --state started
config tnc.json "$port" ', "parts": {"signal": {"memory": "dword", "address": 10368, "equals": 255}}'
P6='"selected_program": "TNC:\\nc_prog\\demo\\FLANGE.h"'
A6='"active_program": "TNC:\\nc_prog\\demo\\CYCLE_P.h"'
assert_eq '{"device": "tnc", "machine_id": 3, "status": 2, "op_mode": 4, "prog_status": 0, '"$P6, $A6"', "line": 12, "part_count_delta": 0, "part_count": 0, "shift": 1}' \
  "$(once tnc.json)" "TNC 640 program started"
for i in 1 2 3; do
  ctl tnc640 "signal high"
  assert_eq "1 $i" "$(counts tnc.json)" "TNC 640 part $i from D10368 == 255"
  ctl tnc640 "signal low"
  assert_eq "0 $i" "$(counts tnc.json)" "TNC 640 signal low after part $i"
done
ctl tnc640 "state stopped"
assert_eq '"status": 1, "op_mode": 4, "prog_status": 1' \
  "$(once tnc.json | grep -o '"status": 1, "op_mode": 4, "prog_status": 1')" "TNC 640 stopped: ON"
kill "$PID_tnc640"

# ---- old TNC 426: 3-field version, 120-byte parameters, 256-byte buffer ---------------------
start_sim old --profile old --state idle --verbose
config old.json "$port" ', "parts": {"signal": {"memory": "marker", "address": 4170}}'
assert_eq '{"device": "tnc", "machine_id": 3, "status": 1, "op_mode": 0, "prog_status": 7, "selected_program": "TNC:\\PART1.H", "active_program": "TNC:\\PART1.H", "line": 0, "part_count_delta": 0, "part_count": 0, "shift": 1}' \
  "$(once old.json)" "old control idle"
ctl old "state started"
ctl old "signal high"
assert_eq '{"device": "tnc", "machine_id": 3, "status": 2, "op_mode": 4, "prog_status": 0, "selected_program": "TNC:\\PART1.H", "active_program": "TNC:\\PART1.H", "line": 12, "part_count_delta": 1, "part_count": 1, "shift": 1}' \
  "$(once old.json)" "old control started, one part"
grep -q "C_CC" old.err && fail "no buffer negotiation with a 256-byte control"
assert_eq "control 0: A_LG INSPECT -> T_OK
control 0: R_VR -> S_VR
control 0: R_PR -> S_PR
control 0: A_LG DNC -> T_OK
control 0: R_RI 23 -> S_RI
control 0: R_RI 26 -> S_RI
control 0: R_RI 24 -> S_RI
control 0: A_LG PLCDEBUG -> T_OK
control 0: R_MB 0x104a+1 -> S_MB
control 0: A_LO -> T_OK" "$(grep -v connection old.err | tail -n 10)" "telegrams of one poll"
kill "$PID_old"

# ---- mdc read: version, parameters, state, stack and a PLC range -----------------------------
start_sim ins --profile itnc530 --state started
config ins.json "$port" ''
ctl ins "signal high"
"$MDC" read -c ins.json tnc --plc marker:4169:3 --plc D10368 > read.txt 2>read.err || fail "mdc read"
for want in "control:      iTNC530 (127.0.0.1:$port)" "NC software:  340490 06 SP3" \
    "PLC software: 800A_AA.PLC" "options:      %0000111100000000" \
    "parameters:   124 bytes; LSV2 version 1 flags 0xff; max block 4096; buffer 4096" \
    "  markers (M)    start 0x00001000 count 10000" "  words (B/W/D)  start 0x00005000 count 16384" \
    "execution:    4 AUTOMATIC" "program:      0 STARTED" \
    'stack:        line 12, main "TNC:\nc_prog\PART_Ü1.H", current "TNC:\nc_prog\SUB\DRILL_8.H"' \
    "overrides:    feed 100.00 %, spindle 85.00 %, rapid 50.00 %" "NC errors:    none" \
    "plc M4169 x3 (marker at 0x00002049):" "  M4169    0" "  M4170    1" "  M4171    0" \
    "plc D10368 x1 (dword at 0x00007880):" "  D10368   255"; do
  grep -qxF -- "$want" read.txt || fail "mdc read prints: $want"
done
pass "mdc read prints version, parameters, state, stack and PLC memory"
set +e
"$MDC" read -c ins.json tnc --plc dword:10369 > bad.txt 2>bad.err; rc=$?
set -e
assert_eq 1 "$rc" "a bad PLC range fails"
assert_eq "mdc read: tnc: --plc dword:10369: dword numbers are byte offsets as in the PLC program (D10369 is not one): they must be multiples of 4" \
  "$(cat bad.err)" "bad PLC range message"

# ---- a short `mdc run`: three part pulses while a program runs, on an iTNC 530 (M4170) and a
# TNC 640 (D10368 == 255) at once; every pulse is seen high and low by the 500 ms polls ---------
start_sim run1 --profile itnc530 --state started; p1=$port
start_sim run2 --profile tnc640 --state started; p2=$port
cat > run.json <<JSON
{ "timezone": "UTC", "data_dir": "data-run", "sinks": [ {"type": "stdout"} ],
  "devices": [
    { "id": "itnc", "driver": "lsv2", "host": "127.0.0.1", "port": $p1, "interval": "500ms",
      "parts": {"signal": {"memory": "marker", "address": 4170}} },
    { "id": "tnc640", "driver": "lsv2", "host": "127.0.0.1", "port": $p2, "interval": "500ms",
      "parts": {"signal": {"memory": "dword", "address": 10368, "equals": 255}} } ] }
JSON
bg mdc_run "$MDC" run -c run.json
wait_for 10 bash -c "[ \$(grep -c '\"device\": \"tnc640\"' '$T/mdc_run.log') -ge 2 ]" || fail "first records"
for i in 1 2 3; do
  ctl run1 "pulse 1200"
  ctl run2 "pulse 1200"
  sleep 2.6
done
kill "$PID_mdc_run"; wait "$PID_mdc_run" 2>/dev/null || true
for d in itnc tnc640; do
  assert_eq 3 "$(grep "\"device\": \"$d\"" mdc_run.log | sed -E 's/.*"part_count_delta": ([0-9]+).*/\1/' | awk '{ s += $1 } END { print s }')" \
    "$d: three pulses, three parts"
  assert_eq 3 "$(grep "\"device\": \"$d\"" mdc_run.log | tail -1 | sed -E 's/.*"part_count": ([0-9]+).*/\1/')" "$d: part_count 3"
done
assert_eq '{"device": "itnc", "status": 2, "op_mode": 4, "prog_status": 0, '"$P, $A_SUB"', "line": 12, "shift": 1}' \
  "$(grep '"device": "itnc"' mdc_run.log | strip | sed -E 's/"part_count_delta": [0-9]+, "part_count": [0-9]+, //' | sort -u)" \
  "iTNC 530: every record of the run is the same apart from the part counts"
assert_eq '{"device": "tnc640", "status": 2, "op_mode": 4, "prog_status": 0, '"$P6, $A6"', "line": 12, "shift": 1}' \
  "$(grep '"device": "tnc640"' mdc_run.log | strip | sed -E 's/"part_count_delta": [0-9]+, "part_count": [0-9]+, //' | sort -u)" \
  "TNC 640: every record of the run is the same apart from the part counts"
