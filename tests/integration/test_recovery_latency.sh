#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Devices that come back are seen soon: retries back off from 1 s only up to retry_max (default
# 5 s), for the device and for its bus (a TNC that went away used to wait up to 60 s between
# reconnects); every failed attempt counts in "reachable again after N failed polls"; and a
# probe that reads a device within a slot that could not be read delivers that slot's record
# (a B-route module that rebooted across a slot used to cost the whole slot). The same for a
# Modbus TCP meter on the event engine (the runtime's event threads keep the same rules).
# Bounds on lag are generous (a loaded machine): the point is seconds, not a minute.
source "$(dirname "$0")/lib.sh"

ms() { date +%s%3N; }
ts_ms() { date -d "$1" +%s%3N; } # an ISO timestamp → epoch ms

# ---- LSV2: a control restarted after a 20 s outage ----------------------------------------
start_lsv2() { # NAME LISTEN
  bg "$1" "$MDC_SIM" lsv2 --listen "$2" --state started
  wait_for 10 grep -q '^listening ' "$1.log" || fail "$1 did not start"
}
start_lsv2 tnc 127.0.0.1:0
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' tnc.log | head -1)
cat > tnc.json <<JSON
{ "data_dir": "data-tnc", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "tnc", "driver": "lsv2", "host": "127.0.0.1", "port": $port,
                 "interval": "1s", "timeout": "500ms", "connect_timeout": "500ms" } ] }
JSON
bg mdc "$MDC" run -c tnc.json
wait_for 15 bash -c "[ \$(grep -c '\"status\": 2' '$T/mdc.log') -ge 2 ]" || fail "first records"
t_kill=$(ms)
kill "$PID_tnc"; wait "$PID_tnc" 2>/dev/null || true
wait_for 10 grep -q '"status": 0' mdc.log || fail "OFF records while the control is gone"
sleep 20
start_lsv2 tnc2 "127.0.0.1:$port"
t_back=$(ms)
n=$(grep -c '"device"' mdc.log)
wait_for 40 bash -c "tail -n +$((n + 1)) '$T/mdc.log' | grep -q '\"status\": 2'" || fail "no recovery"
kill "$PID_mdc"; wait "$PID_mdc" 2>/dev/null || true
stamps() { # STATUS-PATTERN → epoch ms of those records
  grep "$1" mdc.log | sed -E 's/.*"timestamp": "([^"]*)".*/\1/' | while read -r t; do ts_ms "$t"; done
}
last_before=$(stamps '"status": 2' | awk -v k="$t_kill" '$1 < k' | tail -1)
first_after=$(stamps '"status": 2' | awk -v k="$t_kill" '$1 > k' | head -1)
real=$(( t_back - t_kill )); seen=$(( first_after - last_before ))
echo "LSV2: outage $real ms, OFF in the records for $seen ms (lag $(( seen - real )) ms)"
[ $(( seen - real )) -le 12000 ] || fail "the control was seen $(( seen - real )) ms late (outage $real ms, records $seen ms)"
pass "a returning control is polled again within seconds"
line=$(grep -o 'reachable again after [0-9]* failed polls' mdc.err | tail -1)
[ "${line//[^0-9]/}" -ge 5 ] || fail "the failed reconnects count: '$line'"
pass "$line (the reconnects count)"

# ---- B-route: the module reboots across a slot ----------------------------------------------
start_broute() { # NAME
  bg "$1" "$MDC_SIM" broute --link tty --profile bp35c0 --frozen --meter-delay 20 --join-delay 50
  wait_for 5 test -e tty || fail "$1 did not start"
}
start_broute b1
cat > br.json <<'JSON'
{ "data_dir": "data-br", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "home", "driver": "broute", "port": "tty", "timeout": "700ms", "interval": "20s",
                 "rbid": "00000000000000000000000000000000", "password": "000000000000" } ] }
JSON
bg br "$MDC" run -c br.json
wait_for 30 grep -q '"instant_power_w": 500' br.log || fail "first B-route record"
now=$(ms); slot=$(( (now / 20000 + 1) * 20000 ))
[ $(( slot - now )) -ge 4000 ] || slot=$(( slot + 20000 ))
sleep "$(awk -v d=$(( slot - 2000 - $(ms) )) 'BEGIN { print (d > 0 ? d : 0) / 1000 }')"
kill "$PID_b1"; wait "$PID_b1" 2>/dev/null || true # the module goes away 2 s before the slot
sleep "$(awk -v d=$(( slot + 3000 - $(ms) )) 'BEGIN { print (d > 0 ? d : 0) / 1000 }')"
start_broute b2 # ... and is back 3 s into it
in_slot() { # records of the slot
  grep '"device": "home"' br.log | while read -r r; do
    t=$(ts_ms "$(sed -E 's/.*"timestamp": "([^"]*)".*/\1/' <<<"$r")")
    [ "$t" -ge $(( slot - 500 )) ] && [ "$t" -lt $(( slot + 19500 )) ] && echo "$r"
  done
}
wait_for 40 bash -c "[ \$(grep -c '\"device\": \"home\"' '$T/br.log') -ge 1 ] && grep '\"device\": \"home\"' '$T/br.log' | tail -1 | sed -E 's/.*\"timestamp\": \"([^\"]*)\".*/\1/' | xargs -I{} date -d {} +%s%3N | awk -v s=$slot '{ exit !(\$1 >= s - 500) }'" ||
  fail "no record of the slot"
kill "$PID_br"; wait "$PID_br" 2>/dev/null || true
records=$(in_slot)
assert_eq 1 "$(grep -c . <<<"$records")" "one record for the slot"
grep -q '"error"' <<<"$records" && fail "the slot's record says unreachable although the module was back 3 s into it: $records"
grep -q '"instant_power_w": 500' <<<"$records" || fail "the slot's record has the meter's values: $records"
pass "a probe that reads the meter within the slot delivers the slot's record"

# ---- Modbus TCP (event engine): the meter goes away for 20 s --------------------------------
# Reconnects are refused meanwhile: each counts against the meter, retried every retry_max at
# most (here 2 s; between slots too: an unreachable slot waits for the probe). Every slot of the
# meter yields one record.
mport=$(free_port)
start_msim() { # NAME [SIM OPTIONS...]
  bg "$1" "$MDC_SIM" modbus --tcp "127.0.0.1:$mport" --frozen "${@:2}"
  wait_for 10 grep -q '^tcp:' "$1.log" || fail "$1 did not start"
}
start_msim m1
cat > mb.json <<JSON
{ "data_dir": "data-mb", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "meter", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$mport"},
                 "interval": "1s", "timeout": "300ms", "retry_max": "2s",
                 "points": [ {"name": "v1", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
"$MDC" check -c mb.json | grep -q 'event thread' || fail "the meter is on the event engine: $("$MDC" check -c mb.json | grep devices)"
bg mb "$MDC" run -c mb.json
wait_for 15 bash -c "[ \$(grep -c '\"v1\": 230.1' '$T/mb.log') -ge 2 ]" || fail "first Modbus records"
t_kill=$(ms)
kill "$PID_m1"; wait "$PID_m1" 2>/dev/null || true
wait_for 10 grep -q '"device": "meter".*"error"' mb.log || fail "unreachable records while the meter is gone"
sleep 20
start_msim m2
t_back=$(ms)
n=$(grep -c '"device"' mb.log)
wait_for 40 bash -c "tail -n +$((n + 1)) '$T/mb.log' | grep -q '\"v1\": 230.1'" || fail "no Modbus recovery"
kill "$PID_mb"; wait "$PID_mb" 2>/dev/null || true
kill "$PID_m2"; wait "$PID_m2" 2>/dev/null || true
mstamps() { # PATTERN → epoch ms of the meter's records that match
  grep '"device": "meter"' mb.log | grep "$1" | sed -E 's/.*"timestamp": "([^"]*)".*/\1/' |
    while read -r t; do ts_ms "$t"; done
}
last_before=$(mstamps '"v1": 230.1' | awk -v k="$t_kill" '$1 < k' | tail -1)
first_after=$(mstamps '"v1": 230.1' | awk -v k="$t_kill" '$1 > k' | head -1)
real=$(( t_back - t_kill )); seen=$(( first_after - last_before ))
echo "Modbus TCP (event engine): outage $real ms, unreachable in the records for $seen ms (lag $(( seen - real )) ms)"
[ $(( seen - real )) -le 10000 ] || fail "the meter was seen $(( seen - real )) ms late (outage $real ms, records $seen ms)"
pass "a returning Modbus TCP meter on the event engine is polled again within seconds"
line=$(grep -o 'meter\] reachable again after [0-9]* failed polls' mb.err | tail -1)
[ "${line//[^0-9]/}" -ge 5 ] || fail "the refused reconnects count: '$line' ($(grep -c 'connection refused' mb.log) refused records)"
pass "Modbus TCP: ${line#meter\] } (the refused reconnects count)"
dup=$(mstamps . | awk '{ print int($1 / 1000) }' | sort | uniq -d | head -3)
[ -z "$dup" ] || fail "a slot yielded two records (seconds $dup): $(grep '"device": "meter"' mb.log | head -40)"
pass "Modbus TCP: one record per slot through the outage ($(grep -c '"device": "meter"' mb.log) records)"

# ---- Modbus TCP (event engine): the meter is silent across a slot ---------------------------
start_msim m3 --control m3.ctl
cat > mb2.json <<JSON
{ "data_dir": "data-mb2", "sinks": [ {"type": "stdout"} ],
  "devices": [ { "id": "meter", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$mport"},
                 "interval": "20s", "timeout": "300ms",
                 "points": [ {"name": "v1", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
bg mb2 "$MDC" run -c mb2.json
wait_for 30 grep -q '"v1": 230.1' mb2.log || fail "first Modbus record (20 s slots)"
now=$(ms); slot=$(( (now / 20000 + 1) * 20000 ))
[ $(( slot - now )) -ge 4000 ] || slot=$(( slot + 20000 ))
sleep "$(awk -v d=$(( slot - 1000 - $(ms) )) 'BEGIN { print (d > 0 ? d : 0) / 1000 }')"
echo "silence 4" > m3.ctl # no reply from 1 s before the slot to 3 s into it
wait_for 10 grep -q 'ok silence 4' m3.log || fail "silence acknowledged"
in_mslot() { # the meter's records of the slot
  grep '"device": "meter"' mb2.log | while read -r r; do
    t=$(ts_ms "$(sed -E 's/.*"timestamp": "([^"]*)".*/\1/' <<<"$r")")
    [ "$t" -ge $(( slot - 500 )) ] && [ "$t" -lt $(( slot + 19500 )) ] && echo "$r"
  done
}
wait_for 40 bash -c "grep '\"device\": \"meter\"' '$T/mb2.log' | tail -1 | sed -E 's/.*\"timestamp\": \"([^\"]*)\".*/\1/' | xargs -I{} date -d {} +%s%3N | awk -v s=$slot '{ exit !(\$1 >= s - 500) }'" ||
  fail "no record of the slot"
kill "$PID_mb2"; wait "$PID_mb2" 2>/dev/null || true
records=$(in_mslot)
assert_eq 1 "$(grep -c . <<<"$records")" "Modbus TCP: one record for the slot"
grep -q '"error"' <<<"$records" && fail "the slot's record says unreachable although the meter answered again 3 s into it: $records"
grep -q '"v1": 230.1' <<<"$records" || fail "the slot's record has the meter's values: $records"
grep -q 'reachable again after [2-9] failed polls' mb2.err || fail "the slot's poll and a probe failed before: $(grep reachable mb2.err)"
pass "Modbus TCP: a probe that reads the meter within the slot delivers the slot's record"
