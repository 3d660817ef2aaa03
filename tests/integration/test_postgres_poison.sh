#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Records PostgreSQL refuses for good, in a real run: the plant added a plausibility check to
# ems.machine_ems_history and meter 2 reports 99 Hz for a while. The belmc sink commits every
# record before each refused one and reports it rejected ("constraint"); after
# spool.dead_letter_after refusals it is a dead letter and delivery goes on. mdc is killed -9
# in the middle. Every refused record is a dead letter exactly once; every other record is in
# both schemas exactly once and in order.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
pg_start
createdb mes
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1,2 --control "$T/ctl"
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
pg_delivery_config "$port" | jq '.spool = {"dead_letter_after": 2}' > mdc.json
"$MDC" run -c mdc.json >>mdc.log 2>>mdc.err &
pid=$!
PIDS+=("$pid")
wait_for 30 pg_caught_up || fail "first records delivered"
q mes "ALTER TABLE ems.machine_ems_history ADD CONSTRAINT plausible_frequency CHECK (frequency BETWEEN 45 AND 55) NOT VALID"
poisoned() { q mes "SELECT count(*) FROM mdc.samples WHERE device = 'ems-2' AND name = 'frequency' AND value = 99"; }
at_least() { [ "$(poisoned)" -ge "$1" ]; }
echo "unit 2 set frequency 99" > ctl
wait_for 30 at_least 5 || fail "meter 2 reports 99 Hz"
kill -9 "$pid"; wait "$pid" 2>/dev/null || true
pass "kill -9 after $(poisoned) refused records"
bg mdc "$MDC" run -c mdc.json
wait_for 30 at_least 10 || fail "meter 2 still reports 99 Hz after the restart"
echo "unit 2 unset frequency" > ctl
sleep 1
wait_for 90 pg_caught_up || fail "caught up after the refused records"
kill "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"
pg_caught_up || fail "everything delivered at stop"

n=$(poisoned)
dead=$(sql data/spool.db "SELECT count(*) || '|' || count(DISTINCT seq) FROM dead_letters WHERE sink LIKE 'postgres(belmc)%' AND reason = 'constraint'")
assert_eq "$n|$n" "$dead" "each of the $n refused records is a dead letter of the belmc sink, once"
assert_eq "0" "$(sql data/spool.db "SELECT count(*) FROM dead_letters WHERE sink NOT LIKE 'postgres(belmc)%'")" \
  "no other sink refused anything"
grep -q "WARN .*postgres(belmc).*moved to the dead-letter table" mdc.err || fail "dead letters logged"
grep -q 'violates check constraint "plausible_frequency"' mdc.err || fail "the reason is logged"
ref=$(sql data/mdc.db "SELECT device, ts FROM records WHERE json_type(fields, '\$.frequency') IS NOT NULL ORDER BY rowid")
got=$(q mes "SELECT device || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM mdc.samples WHERE name = 'frequency' ORDER BY id")
assert_eq "$ref" "$got" "mdc.samples: all $(printf '%s\n' "$ref" | wc -l) records, once, in spool order"
for m in 1 2; do
  ref=$(q mes "SELECT to_char(ts AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD HH24:MI:SS.US') FROM mdc.samples WHERE device = 'ems-$m' AND name = 'frequency' AND value IS NOT NULL AND value <> 99 ORDER BY id")
  got=$(q mes "SELECT to_char(timestamp, 'YYYY-MM-DD HH24:MI:SS.US') FROM ems.machine_ems_history WHERE machine_id = $m ORDER BY id")
  assert_eq "$ref" "$got" "ems.machine_ems_history of machine $m: every accepted sample once, in order"
done
assert_eq "0" "$(q mes "SELECT count(*) FROM ems.machine_ems_history WHERE frequency = 99")" "no refused row written"
assert_eq "$n" "$(q mes "SELECT count(*) FROM mdc.sink_rejected WHERE sink = 'belmc'")" \
  "the belmc sink marked each refused record as not written"
