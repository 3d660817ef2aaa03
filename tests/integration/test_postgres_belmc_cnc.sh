#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A simulated TNC 640 over LSV2 into BELmc's production tables through the real driver: mode,
# program state and programs on change, a PR_FINISHED part (D10368 == 255) reaching the history
# one poll late, the OFF row and downtime when the control goes away, the downtime closed when it
# is back in PRODUCTION, and the API's job columns (set before the run) untouched.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
pg_start
createdb mes
q mes "CREATE SCHEMA production;
CREATE TABLE production.status_lookup(status_id integer PRIMARY KEY, status_name text UNIQUE NOT NULL);
INSERT INTO production.status_lookup VALUES (0, 'OFF'), (1, 'ON'), (2, 'PRODUCTION');
CREATE TABLE production.machine_raw_live(machine_id integer PRIMARY KEY, timestamp timestamp NOT NULL,
  status integer NOT NULL REFERENCES production.status_lookup(status_id), op_mode integer,
  prog_status integer, selected_program text NOT NULL, active_program text NOT NULL,
  part_count integer, job_status integer, job_in_progress integer, program_number integer,
  scheduled_job integer, actual_job integer);
INSERT INTO production.machine_raw_live VALUES (3, '2020-01-01', 0, -1, -1, '', '', 0, 4, 44, 9, 33, 22);" >/dev/null

port=$(free_port)
sim() { bg sim "$MDC_SIM" lsv2 --listen "127.0.0.1:$port" --profile tnc640 --state "$1" --control ctl
  wait_for 5 grep -q '^listening' sim.log || fail "LSV2 simulator did not start"; }
ctl() { echo "$1" > ctl; }
sim idle
cat > mdc.json <<JSON
{ "timezone": "Asia/Kolkata", "data_dir": "data",
  "sinks": [ {"type": "sqlite"},
             {"type": "postgres", "schema": "belmc", "dbname": "mes",
              "production_devices": ["tnc"], "close_downtime_on_production": ["tnc"]} ],
  "devices": [ {"id": "tnc", "machine_id": 3, "driver": "lsv2", "host": "127.0.0.1", "port": $port,
     "interval": "1s", "timeout": "1s",
     "parts": {"signal": {"memory": "dword", "address": 10368, "equals": 255}} } ] }
JSON
bg mdc "$MDC" run -c mdc.json
rows() { q mes "SELECT count(*) FROM production.machine_raw"; }
has_rows() { [ "$(rows)" -ge "$1" ]; }
wait_for 15 has_rows 1 || fail "first row"
ctl "state started"; wait_for 10 has_rows 2 || fail "started"
ctl "pulse 1500";    wait_for 10 has_rows 3 || fail "the part reaches the history"
ctl "state finished"; wait_for 10 has_rows 4 || fail "finished"
kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true
wait_for 10 has_rows 5 || fail "OFF on the disconnection"
sleep 2
assert_eq "1" "$(q mes "SELECT count(*) FROM production.machine_downtimes WHERE closed_dt IS NULL")" "a downtime is open"
sim started
wait_for 20 has_rows 6 || fail "back in PRODUCTION"
sleep 1.5
kill "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"

P='TNC:\nc_prog\demo\'
assert_eq "1|0|7|${P}FLANGE.h|${P}FLANGE.h|0|33|22
2|4|0|${P}FLANGE.h|${P}CYCLE_P.h|0|33|22
2|4|0|${P}FLANGE.h|${P}CYCLE_P.h|1|33|22
1|4|2|${P}FLANGE.h|${P}FLANGE.h|1|33|22
0|-1||||||
2|4|0|${P}FLANGE.h|${P}CYCLE_P.h|0|33|22" \
  "$(q mes "SELECT status, op_mode, prog_status, selected_program, active_program, part_count, scheduled_job, actual_job FROM production.machine_raw ORDER BY id")" \
  "machine_raw: changes only; the part one poll late; OFF on the disconnection"
assert_eq "2|4|0|0|4|44|33|22" \
  "$(q mes "SELECT status, op_mode, prog_status, part_count, job_status, job_in_progress, scheduled_job, actual_job FROM production.machine_raw_live")" \
  "machine_raw_live: part count reset by the disconnection; the API's columns untouched"
assert_eq "t|t" "$(q mes "SELECT closed_dt IS NOT NULL, closed_dt > open_dt FROM production.machine_downtimes")" \
  "the downtime closed when the control was in PRODUCTION again"
assert_eq "1" "$(q mes "SELECT count(*) FROM production.shift_summary WHERE machine_id = 3")" "shift_summary row"
