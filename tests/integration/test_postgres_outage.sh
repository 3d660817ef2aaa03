#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# PostgreSQL stopped for 30 s in the middle of a run, then started again: mdc keeps collecting
# into the spool, reports the outage with its backlog, reconnects by itself, and every record
# arrives in both schemas exactly once and in order.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
pg_start
createdb mes
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1,2
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
pg_delivery_config "$port" > mdc.json
bg mdc "$MDC" run -c mdc.json
wait_for 20 pg_caught_up || fail "first records delivered"
sleep 3
before=$(q mes "SELECT count(*) FROM mdc.samples WHERE name = 'frequency'")
pg_stop
sleep 30
n_down=$(sql data/mdc.db "SELECT count(*) FROM samples WHERE name = 'frequency'")
[ "$n_down" -gt $(( before + 200 )) ] || fail "collection went on during the outage ($before -> $n_down)"
pass "collected $(( n_down - before )) records while PostgreSQL was down"
grep -Eq 'ERROR \[postgres\(mdc\) .*(connection lost|cannot connect).*backlog [0-9]+' mdc.err ||
  fail "the outage is reported with the backlog"
pg_restart
wait_for 90 pg_caught_up || fail "caught up after the restart"
grep -q 'INFO  \[postgres(belmc) .*\] delivering again' mdc.err || fail "recovery logged"
kill "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"
pg_caught_up || fail "everything delivered at stop"
! grep -q "$PG_PASSWORD" mdc.err || fail "password in the log"
pg_check_delivery
