#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Many Modbus TCP units on the event threads, with hostile neighbours: 60 healthy units on their
# own ports, 3 units behind one gateway (with a dead unit id among them), a port that refuses, a
# listener that never answers (black hole), a peer that hangs up in the middle of every reply.
# The healthy units never see an error (a dead neighbour costs them nothing), the broken ones
# report what happened, every unit's values are its own, and `mdc check` shows the threads.
source "$(dirname "$0")/lib.sh"
sim_ports fleet 60 --frozen
base=$SIM_BASE
bg gw "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1-3 --frozen --control gw.ctl
bg hole "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --control hole.ctl
bg cut "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --control cut.ctl
for s in fleet gw hole cut; do wait_for 10 grep -q '^tcp:' "$T/$s.log" || fail "simulator $s did not start"; done
port_of() { sed -n 's/^tcp: 127.0.0.1:\([0-9]*\).*/\1/p' "$T/$1.log"; }
gw=$(port_of gw); hole=$(port_of hole); cut=$(port_of cut); refused=$(free_port)
for u in 1 2 3; do echo "unit $u set voltage_l1 20$u" > gw.ctl; done
echo "silence 86400" > hole.ctl # accepts connections, never answers
echo "cut 9" > cut.ctl          # 9 bytes of every reply, then hangs up
wait_for 10 grep -q "ok cut 9" "$T/cut.log" || fail "cut simulator control"
wait_for 10 grep -q "ok unit 3 set voltage_l1 203" "$T/gw.log" || fail "gateway control"

dev() { # ID PORT UNIT
  printf '{"id": "%s", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%d"}, "unit_id": %d, "interval": "1s", "timeout": "400ms", "points_file": "sdm.json"}' "$1" "$2" "$3"
}
cat > sdm.json <<'JSON'
{"points": [{"name": "v1", "function": 4, "address": 0, "type": "float32"},
            {"name": "kwh", "function": 4, "address": 342, "type": "float32"}]}
JSON
{ echo '{"sinks": [{"type": "stdout"}], "runtime": {"event_threads": 2}, "devices": ['
  for i in $(seq 0 59); do dev "u$i" $(( base + i )) 1; echo ','; done
  for u in 1 2 3; do dev "gw$u" "$gw" "$u"; echo ','; done
  dev gw9 "$gw" 9; echo ','
  dev refused "$refused" 1; echo ','
  dev hole "$hole" 1; echo ','
  dev cut "$cut" 1
  echo ']}'; } > mdc.json
"$MDC" check -c mdc.json > check.txt
grep -q "devices (67) on 2 threads (64 event-driven buses on 2 event threads)" check.txt || fail "plan: $(grep devices check.txt)"
pass "67 devices on 2 event threads"

bg mdc "$MDC" run -c mdc.json
# every healthy unit has 5 records with values; the broken ones have their errors
enough() {
  for i in $(seq 0 59) ; do [ "$(grep -c "\"device\": \"u$i\", \"v1\"" "$T/mdc.log")" -ge 5 ] || return 1; done
  for u in 1 2 3; do [ "$(grep -c "\"device\": \"gw$u\", \"v1\"" "$T/mdc.log")" -ge 5 ] || return 1; done
  for d in gw9 refused hole cut; do grep -q "\"device\": \"$d\", \"status\": 0" "$T/mdc.log" || return 1; done
}
wait_for 60 enough || fail "records of every device"
kill -TERM "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"

healthy='"device": "(u[0-9]+|gw[123])"'
[ "$(grep -Ec "$healthy" mdc.log)" -eq "$(grep -E "$healthy" mdc.log | grep -c '"v1": 2[0-9][0-9]\.[0-9]*, "kwh": 1234.5, ')" ] ||
  fail "a healthy unit saw an error: $(grep -E "$healthy" mdc.log | grep -v '"kwh": 1234.5' | head -3)"
pass "healthy units never saw an error"
for u in 1 2 3; do
  [ "$(grep -c "\"device\": \"gw$u\"" mdc.log)" -eq "$(grep -c "\"device\": \"gw$u\", \"v1\": 20$u.0," mdc.log)" ] || fail "gw$u carries its own values"
done
grep -E '"device": "u[0-9]+"' mdc.log | grep -vq '"v1": 230.1,' && fail "fleet values"
pass "every unit's values are its own"
grep '"device": "gw9"' mdc.log | head -1 | grep -q '"error": "unit 9 FC4 addr 0 count 2: timeout after 400 ms"' || fail "dead unit behind the gateway: $(grep '"device": "gw9"' mdc.log | head -1)"
grep '"device": "refused"' mdc.log | head -1 | grep -q "\"error\": \"127.0.0.1:$refused: connection refused\"" || fail "refused: $(grep '"device": "refused"' mdc.log | head -1)"
grep '"device": "hole"' mdc.log | head -1 | grep -q '"error": "unit 1 FC4 addr 0 count 2: timeout after 400 ms"' || fail "black hole: $(grep '"device": "hole"' mdc.log | head -1)"
grep '"device": "cut"' mdc.log | grep -q '"error": "unit 1 FC4 addr 0 count 2: connection closed by the peer in the middle of a reply"' || fail "cut: $(grep '"device": "cut"' mdc.log | head -1)"
pass "dead, refused, black-holed and hanging-up units report what happened"
