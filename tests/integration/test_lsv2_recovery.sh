#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Faults between mdc and a TNC: a dropped connection (reconnected within the poll), a control
# that goes away and comes back on the same port, a refused DNC login (status 0 with a clear
# error, then recovery when the control allows it), replies split over several writes with an
# unsolicited M_CC, slow replies within and beyond the timeout, unusual T_ER lengths.
source "$(dirname "$0")/lib.sh"

strip() { sed -E 's/"timestamp": "[0-9T:.+-]{32}", //'; }

start_sim() { # NAME ARGS...
  local name=$1; shift
  bg "$name" "$MDC_SIM" lsv2 --control "$name.ctl" "$@"
  wait_for 5 grep -q '^listening ' "$name.log" || fail "$name did not start"
  port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' "$name.log" | head -1)
}
ctl() { # NAME COMMAND
  local n; n=$(wc -l < "$1.log")
  echo "$2" > "$1.ctl"
  wait_for 5 bash -c "tail -n +$((n + 1)) '$1.log' | grep -qxF 'ok $2'" || fail "$1 did not ack '$2'"
}
config() { # FILE PORT [EXTRA]
  cat > "$1" <<JSON
{ "timezone": "UTC", "data_dir": "data-$1", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "tnc", "driver": "lsv2", "host": "127.0.0.1", "port": $2, "interval": "1s",
                 "timeout": "500ms", "parts": {"signal": {"memory": "marker", "address": 4170}} ${3:-} } ] }
JSON
}
lines() { grep -c "$2" "$1" || true; }
connections() { # NAME → connections accepted so far
  ctl "$1" "stats"
  grep '^control 0 ' "$1.log" | tail -1 | sed -E 's/.* connections ([0-9]+) .*/\1/'
}

# ---- a dropped connection is reopened within the poll: no OFF record ----------------------
start_sim a --listen 127.0.0.1:0 --state started
config a.json "$port"
bg mdc_a "$MDC" run -c a.json
wait_for 10 bash -c "[ \$(grep -c '\"status\": 2' '$T/mdc_a.log') -ge 2 ]" || fail "first records"
ctl a "drop"
n=$(wc -l < mdc_a.log)
wait_for 10 bash -c "[ \$(wc -l < '$T/mdc_a.log') -ge $((n + 3)) ]" || fail "records after the drop"
assert_eq 0 "$(lines mdc_a.log '"status": 0')" "no OFF record for a dropped idle connection"
assert_eq 2 "$(connections a)" "the driver opened a second session"

# ---- the control goes away and comes back on the same port ---------------------------------
kill "$PID_a"; wait "$PID_a" 2>/dev/null || true
wait_for 10 grep -q '"status": 0' mdc_a.log || fail "status 0 once the control is gone"
grep '"status": 0' mdc_a.log | tail -1 | strip | grep -qF "\"error\": \"127.0.0.1:$port: connect: Connection refused\"" ||
  fail "the error names the control and the refusal: $(grep '"status": 0' mdc_a.log | tail -1)"
pass "unreachable control: status 0 with the error"
start_sim a2 --listen "127.0.0.1:$port" --state started
n=$(wc -l < mdc_a.log)
wait_for 20 bash -c "tail -n +$((n + 1)) '$T/mdc_a.log' | grep -q '\"status\": 2'" || fail "no recovery"
pass "collection resumed when the control came back"
grep -Eq 'INFO  \[tnc\] (connected|reachable) again' mdc_a.err || fail "reconnection logged"
kill "$PID_mdc_a"; wait "$PID_mdc_a" 2>/dev/null || true
kill "$PID_a2"

# ---- DNC login refused: status 0 and a clear error, never a silent "undefined" --------------
start_sim r --listen 127.0.0.1:0 --state started --refuse dnc
config r.json "$port"
assert_eq '{"device": "tnc", "status": 0, "op_mode": null, "prog_status": null, "selected_program": null, "active_program": null, "line": null, "part_count_delta": null, "part_count": 0, "shift": 1, "error": "DNC login refused by the control: T_ER 49 NO_LOGIN (login not possible, e.g. held by another interface or option missing) (A_LG DNC to 127.0.0.1:'"$port"'); R_RI needs the DNC option and external access allowed in MOD"}' \
  "$("$MDC" run -c r.json --once 2>r_once.err | strip)" "refused DNC login: status 0 with the reason"
bg mdc_r "$MDC" run -c r.json
wait_for 10 grep -q '"status": 0' mdc_r.log || fail "refused records"
ctl r "refuse none"
wait_for 30 grep -q '"status": 2' mdc_r.log || fail "no recovery once DNC is allowed"
pass "recovered once the control allowed the DNC login"
kill "$PID_mdc_r"; wait "$PID_mdc_r" 2>/dev/null || true
kill "$PID_r"

# ---- split replies with M_CC, slow replies within the timeout, 3-byte T_ER ------------------
start_sim s --listen 127.0.0.1:0 --state started --split --mcc --slow 100 --ter-len 3
config s.json "$port" ', "alarms": true'
out=$("$MDC" run -c s.json --once 2>s_once.err | strip)
assert_eq '{"device": "tnc", "status": 2, "op_mode": 4, "prog_status": 0, "selected_program": "TNC:\\nc_prog\\PART_\u00dc1.H", "active_program": "TNC:\\nc_prog\\SUB\\DRILL_8.H", "line": 12, "alarm": null, "part_count_delta": 0, "part_count": 0, "shift": 1}' \
  "$out" "split replies, M_CC, 100 ms replies, 3-byte T_ER 57"
ctl s "slow 800"
assert_eq "\"error\": \"127.0.0.1:$port: A_LG INSPECT: no reply within 500 ms\"}" \
  "$("$MDC" run -c s.json --once 2>>s_once.err | grep -o '"error": .*')" "a reply beyond the timeout"
kill "$PID_s"

# ---- an empty T_ER: the error list cannot be read, the rest of the record can ---------------
start_sim e --listen 127.0.0.1:0 --state idle --ter-len 0
config e.json "$port" ', "alarms": true'
assert_eq "\"alarm\": null, \"part_count_delta\": 0, \"part_count\": 0, \"shift\": 1, \"errors\": {\"alarm\": \"127.0.0.1:$port: R_RI 27: T_ER with no error code (0 bytes)\"}}" \
  "$("$MDC" run -c e.json --once 2>e_once.err | grep -o '"alarm": .*')" "empty T_ER reported on the value"
kill "$PID_e"

# ---- the control drops every session after 12 requests: every other poll reconnects ---------
start_sim d --listen 127.0.0.1:0 --state started --drop-after 12
config d.json "$port"
bg mdc_d "$MDC" run -c d.json
wait_for 15 bash -c "[ \$(grep -c '\"device\"' '$T/mdc_d.log') -ge 5 ]" || fail "records"
kill "$PID_mdc_d"; wait "$PID_mdc_d" 2>/dev/null || true
assert_eq 0 "$(lines mdc_d.log '"status": 0')" "sessions dropped mid-way are reopened within the poll"
[ "$(connections d)" -ge 3 ] || fail "the control should have seen several sessions"
pass "$(connections d) sessions for $(grep -c '"device"' mdc_d.log) polls"
