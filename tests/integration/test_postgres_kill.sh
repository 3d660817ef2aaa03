#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 of mdc three times during a run (mid-batch, with PostgreSQL and SQLite writes in
# flight): after each restart delivery resumes from the spool, and every record is in both
# schemas exactly once and in order.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
pg_start
createdb mes
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --units 1,2
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
pg_delivery_config "$port" > mdc.json
for i in 1 2 3; do
  "$MDC" run -c mdc.json >>mdc.log 2>>mdc.err &
  pid=$!
  sleep "$(( 2 + i )).$(( RANDOM % 10 ))"
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  pass "kill -9 number $i after $(sql data/mdc.db "SELECT count(*) FROM samples WHERE name = 'frequency'") records"
done
bg mdc "$MDC" run -c mdc.json
sleep 2
wait_for 30 pg_caught_up || fail "caught up after the last restart"
kill "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"
pg_caught_up || fail "everything delivered at stop"
grep -q "already has records up to" mdc.err || true
pg_check_delivery
