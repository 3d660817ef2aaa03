#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A scripted run of two simulated Delta PLC meters into PostgreSQL, BELmc's schema and mdc's,
# across a shift boundary and a local midnight: statuses changing, a meter reset and a spike, a
# disconnection and a return. The time zone is a zone compiled for the test whose local time is
# 23:58:40 when mdc starts, and shift 3 starts at 23:59, so both happen within ~80 s.
# Checks: exact rows of both schemas, API-owned columns untouched, every sample once and in order
# (against the SQLite store of the same run).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
command -v zic >/dev/null || { echo "skip: no zic"; exit 77; }

pg_start
createdb mes

# the API's state before the run: BELmc's live table with its job columns set
q mes "CREATE SCHEMA production;
CREATE TABLE production.status_lookup(status_id integer PRIMARY KEY, status_name text UNIQUE NOT NULL);
INSERT INTO production.status_lookup VALUES (0, 'OFF'), (1, 'ON'), (2, 'PRODUCTION');
CREATE TABLE production.machine_raw_live(machine_id integer PRIMARY KEY, timestamp timestamp NOT NULL,
  status integer NOT NULL REFERENCES production.status_lookup(status_id) ON DELETE CASCADE,
  op_mode integer, prog_status integer, selected_program text NOT NULL, active_program text NOT NULL,
  part_count integer, job_status integer, job_in_progress integer, program_number integer,
  scheduled_job integer, actual_job integer);
INSERT INTO production.machine_raw_live VALUES
  (1, '2020-01-01', 1, 0, 0, 'OLD', 'OLD', 7, 1, 13, 5, 12, 11),
  (2, '2020-01-01', 1, 0, 0, 'OLD', 'OLD', 7, 2, 23, 5, 22, 21);" >/dev/null

# a zone whose local time is 23:58:40 now (+ start-up)
now=$(date +%s)
off=$(( ((23 * 3600 + 58 * 60 + 40) - now % 86400 + 2 * 86400) % 86400 ))
[ $off -gt 43200 ] && off=$(( off - 86400 ))
a=${off#-}; sign=; [ "$off" -lt 0 ] && sign=-
printf 'Zone Mdc/Test %s%d:%02d:%02d - MDCT\n' "$sign" $((a / 3600)) $((a % 3600 / 60)) $((a % 60)) > zone.txt
zic -d zi zone.txt
export TZDIR=$T/zi
day=$(date -u -d "@$(( now + off ))" +%F)
next=$(date -u -d "@$(( now + off + 86400 ))" +%F)
local_now() { date -u -d "@$(( $(date +%s) + off ))" +%T; }

for s in a b; do
  bg "sim$s" "$MDC_SIM" modbus --tcp 127.0.0.1:0 --profile delta --frozen --control "ctl-$s"
done
wait_for 5 grep -q '^tcp: ' sima.log || fail "simulator a did not start"
wait_for 5 grep -q '^tcp: ' simb.log || fail "simulator b did not start"
port_a=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sima.log)
port_b=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' simb.log)

meter() { # ID MACHINE PORT BASE FREQ POWER ENERGY (BELmc numbers; addresses are number - 1)
  cat <<JSON
    { "id": "$1", "machine_id": $2, "driver": "modbus", "interval": "1s", "timeout": "500ms",
      "connection": {"tcp": "127.0.0.1:$3"}, "bytes_per_register": 1,
      "points": [ {"name": "phase_a_voltage", "address": $(( $4 - 1 )), "type": "float32", "order": "CDAB", "decimals": 4},
                  {"name": "frequency", "address": $(( $5 - 1 )), "type": "float32", "order": "CDAB", "decimals": 4},
                  {"name": "total_instantaneous_power", "address": $(( $6 - 1 )), "type": "float32", "order": "CDAB", "decimals": 4},
                  {"name": "active_energy_delivered", "address": $(( $7 - 1 )), "type": "int32", "order": "CDAB", "scale": 0.001, "decimals": 4} ],
      "status": {"power": "total_instantaneous_power", "production_above": 4.5, "on_when": {"point": "frequency", "above": 0}},
      "energy": {"point": "active_energy_delivered", "max_delta": 10} }
JSON
}
cat > mdc.json <<JSON
{ "timezone": "Mdc/Test", "data_dir": "data",
  "shifts": [ {"id": 1, "start": "06:00"}, {"id": 2, "start": "14:00"}, {"id": 3, "start": "23:59"} ],
  "sinks": [ {"type": "sqlite"},
             {"type": "postgres", "schema": "mdc", "dbname": "mes"},
             {"type": "postgres", "schema": "belmc", "conninfo": "dbname=mes",
              "ems_devices": ["ems-1", "ems-2"], "production_devices": ["ems-1", "ems-2"]} ],
  "devices": [
$(meter ems-1 1 "$port_a" 4200 4240 4244 4295),
$(meter ems-2 2 "$port_b" 4315 4355 4359 4410)
  ] }
JSON
"$MDC" check -c mdc.json > check.txt || fail "mdc check"
bg mdc "$MDC" run -c mdc.json

acked() { [ "$(grep -c '^ok ' "sim$1.log")" -gt "$2" ]; }
ctl() { # SIM COMMAND: sends and waits for the acknowledgement
  local n; n=$(grep -c '^ok ' "sim$1.log" || true)
  echo "$2" > "ctl-$1"
  wait_for 5 acked "$1" "$n" || fail "sim $1 did not ack $2"
}
last() { sql data/mdc.db "SELECT json_extract(fields, '\$.$2') FROM records WHERE device = '$1' AND json_type(fields, '\$.$2') IS NOT NULL ORDER BY rowid DESC LIMIT 1" 2>/dev/null; }
value_is() { [ "$(last "$1" "$2")" = "$3" ]; }
seen() { wait_for 20 value_is "$@" || fail "$1 $2 never read as $3 (last: $(last "$1" "$2"))"; }
until_local() { while [[ "$(local_now)" > "23:00:00" && "$(local_now)" < "$1" ]]; do sleep 0.2; done; }

seen ems-1 active_energy_delivered 1234.5
seen ems-2 active_energy_delivered 1234.5
ctl a "meter 1 set energy_kwh 1235"            # +0.5 in shift 2
seen ems-1 active_energy_delivered 1235.0
ctl a "meter 1 state idle"                     # ON
seen ems-1 total_instantaneous_power 0.8
until_local "23:59:01"                         # shift 3 from here
ctl a "meter 1 set energy_kwh 1235.25"         # +0.25 in shift 3, day 1
seen ems-1 active_energy_delivered 1235.25
ctl b "silence 6"                              # ems-2 unreachable (off >= 4 s in any case), then back
wait_for 10 grep -q 'WARN  \[ems-2\] unreachable' mdc.err || fail "ems-2 unreachable"
ctl a "meter 1 state production"
seen ems-1 total_instantaneous_power 6.0
wait_for 30 grep -q 'INFO  \[ems-2\] reachable again' mdc.err || fail "ems-2 back"
while [[ "$(local_now)" > "23:00:00" ]]; do sleep 0.2; done   # midnight
sleep 1.5
ctl a "meter 1 set energy_kwh 1235.5"          # +0.25 in shift 3, day 2: the rollover
seen ems-1 active_energy_delivered 1235.5
ctl a "meter 1 reset-energy"                   # skipped
seen ems-1 active_energy_delivered 0.0
ctl a "meter 1 spike 50"                       # skipped
seen ems-1 active_energy_delivered 50.0
ctl a "meter 1 set energy_kwh 50.5"            # +0.5
seen ems-1 active_energy_delivered 50.5
sleep 1.5
kill "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"
grep -q "meter reset or rollover: active_energy_delivered went from 1235.5000 to 0.0000" mdc.err || fail "reset logged"
grep -q "energy spike ignored: active_energy_delivered rose by 50.0000 (limit 10)" mdc.err || fail "spike logged"
! grep -q ERROR mdc.err || fail "errors in the log: $(grep ERROR mdc.err)"

# ---- BELmc's tables ----
changes() { # SQL returning a sequence: consecutive duplicates removed
  q mes "$1" | uniq | paste -sd' ' -
}
assert_eq "2|1234.5 2|1235 1|1235 1|1235.25 2|1235.25 2|1235.5 2|0 2|50 2|50.5" \
  "$(changes "SELECT CASE WHEN total_instantaneous_power > 4.5 THEN 2 ELSE 1 END || '|' || active_energy_delivered FROM ems.machine_ems_history WHERE machine_id = 1 ORDER BY id")" \
  "machine 1 EMS history: power and energy samples in order"
assert_eq "1|2 1|1 1|2 2|2" "$(q mes "SELECT machine_id || '|' || status FROM ems.ems_machine_status_history ORDER BY machine_id, id" | paste -sd' ' -)" \
  "EMS status history: on change only (ems-2's disconnection writes no EMS row)"
assert_eq "$day 06:00:00|1|0|0.5|0.25|0.75
$day 06:00:00|2|0|0|0|0" \
  "$(q mes "SELECT timestamp, machine_id, first_shift, second_shift, third_shift, total_energy FROM ems.shiftwise_energy_history ORDER BY machine_id")" \
  "daily rollover: the closed day labelled with its own date"
assert_eq "1|0|0|0.75|0.75|$next
2|0|0|0|0|$next" \
  "$(q mes "SELECT machine_id, first_shift, second_shift, third_shift, total_energy, timestamp::date FROM ems.shiftwise_energy_live ORDER BY machine_id")" \
  "shift-wise energy of the new day (reset and spike skipped)"
assert_eq "1: 2 1 2
2: 2 0 2" "$(for m in 1 2; do echo "$m: $(q mes "SELECT status FROM production.machine_raw WHERE machine_id = $m ORDER BY id" | paste -sd' ' -)"; done)" \
  "machine_raw: a row per change, OFF on the disconnection"
assert_eq "-1|NULL|NULL|NULL" \
  "$(q mes "SELECT DISTINCT op_mode || '|' || COALESCE(prog_status::text, 'NULL') || '|' || COALESCE(part_count::text, 'NULL') || '|' || COALESCE(part_status::text, 'NULL') FROM production.machine_raw")" \
  "machine_raw rows of meters: op_mode -1, prog_status, part_count and part_status NULL (as BELmc writes them)"
assert_eq "idx_machine_raw_live__actual_job idx_machine_raw_live__scheduled_job idx_machine_raw_live__status machine_raw_live_pkey" \
  "$(q mes "SELECT indexname FROM pg_indexes WHERE schemaname = 'production' AND tablename = 'machine_raw_live' ORDER BY 1" | paste -sd' ' -)" \
  "Pony's indexes added to an existing machine_raw_live"
assert_eq "1|-1|-1|||7|1|13|12|11
2|-1|-1|||0|2|23|22|21" \
  "$(q mes "SELECT machine_id, op_mode, prog_status, selected_program, active_program, part_count, job_status, job_in_progress, scheduled_job, actual_job FROM production.machine_raw_live ORDER BY machine_id")" \
  "machine_raw_live: the API's columns untouched; part_count reset by the disconnection"
assert_eq "12|11" "$(q mes "SELECT DISTINCT scheduled_job || '|' || actual_job FROM production.machine_raw WHERE machine_id = 1")" \
  "machine_raw copies the jobs from the live row"
assert_eq "2|t|t" "$(q mes "SELECT machine_id, open_dt > '$day 23:59:00', closed_dt IS NULL FROM production.machine_downtimes")" \
  "one downtime opened for the disconnection, still open"
assert_eq "1|2|$day 14:00:00
1|3|$day 23:59:00
2|2|$day 14:00:00
2|3|$day 23:59:00" "$(q mes "SELECT machine_id, shift, timestamp FROM production.shift_summary ORDER BY 1, 2")" \
  "shift_summary rows per machine and shift"
# silent for 6 s: OFF from the first slot after the silence began (up to 1 s later) until the
# poll that read it again — a probe between slots when it comes first (a held slot's record)
off2=$(q mes "SELECT off_time FROM production.shift_summary WHERE machine_id = 2 AND shift = 3")
assert_eq "t" "$(q mes "SELECT off_time >= '00:00:04' AND production_time > '00:00:30' FROM production.shift_summary WHERE machine_id = 2 AND shift = 3")" \
  "shift_summary times (machine 2 off while unreachable: $off2)"
assert_eq "06:00:00|14:00:00 14:00:00|23:59:00 23:59:00|06:00:00" \
  "$(q mes "SELECT start_time || '|' || end_time FROM production.shift_info ORDER BY id" | paste -sd' ' -)" \
  "shift_info seeded from the configured shifts"

# ---- mdc's own tables ----
assert_eq "ems-1: 2 1 2
ems-2: 2 0 2" "$(for d in ems-1 ems-2; do echo "$d: $(q mes "SELECT status FROM mdc.status_history WHERE device = '$d' ORDER BY id" | paste -sd' ' -)"; done)" \
  "mdc.status_history"
assert_eq "2|0.5|t
3|1|f" "$(q mes "SELECT shift, energy_kwh, closed FROM mdc.shift_energy WHERE device = 'ems-1' ORDER BY shift_start")" \
  "mdc.shift_energy: shift 2 closed, shift 3 across midnight"

# ---- every sample exactly once, in order ----
ref=$(sql data/mdc.db "SELECT device, ts FROM records WHERE json_type(fields, '\$.frequency') IS NOT NULL ORDER BY rowid")
got=$(q mes "SELECT device || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM mdc.samples WHERE name = 'frequency' ORDER BY id")
[ -n "$ref" ] || fail "reference samples"
assert_eq "$ref" "$got" "mdc.samples: the same records as the SQLite store, in order"
for m in 1 2; do
  assert_eq "$(q mes "SELECT to_char(ts AT TIME ZONE 'UTC' + interval '$off seconds', 'YYYY-MM-DD HH24:MI:SS.US') FROM mdc.samples WHERE device = 'ems-$m' AND name = 'frequency' AND value IS NOT NULL ORDER BY id")" \
    "$(q mes "SELECT to_char(timestamp, 'YYYY-MM-DD HH24:MI:SS.US') FROM ems.machine_ems_history WHERE machine_id = $m ORDER BY id")" \
    "machine $m: an EMS history row per successful sample, naive local time"
done
assert_eq "0" "$(q mes "SELECT count(*) FROM (SELECT machine_id, timestamp FROM ems.machine_ems_history GROUP BY 1, 2 HAVING count(*) > 1) d")" \
  "no duplicate EMS rows"
