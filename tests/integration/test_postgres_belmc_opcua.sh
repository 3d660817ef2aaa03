#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An OPC UA machine (the node-opcua test peer) into BELmc's production tables through the real
# driver, as machine 14 is in BELmc: PRODUCTION iff prog_status == 3, part count from the
# increases of an absolute counter (not the counter itself, BELmc's bug), downtime opened when the
# server goes away and closed when the machine is back in PRODUCTION.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$MDC_SRC/tests/opcua/peer.sh"
source "$here/pg.sh"
peer_install
peer_start p
pg_start
createdb mes
cat > mdc.json <<JSON
{ "timezone": "Asia/Kolkata", "data_dir": "data",
  "sinks": [ {"type": "postgres", "schema": "belmc", "dbname": "mes",
              "production_devices": ["ctx"], "close_downtime_on_production": ["ctx"]} ],
  "devices": [ { "id": "ctx", "machine_id": 14, "driver": "opcua", "endpoint": "$PEER_URL_p",
    "security": {"policy": "None", "mode": "None"}, "mode": "read", "interval": "1s", "timeout": "30s",
    "nodes": { "prog_status": "ns=2;s=Machine.ProgStatus", "op_mode": "ns=2;s=Types.Byte",
               "part_count": "ns=2;s=Machine.PartCount",
               "active_program": "ns=2;s=Machine.ProgramName",
               "selected_program": "ns=2;s=Types.EmptyString" },
    "status": {"production_when": {"node": "prog_status", "equals": 3}},
    "parts": {"counter": "part_count"} } ] }
JSON
bg mdc "$MDC" run -c mdc.json
live() { q mes "SELECT status || '|' || part_count FROM production.machine_raw_live WHERE machine_id = 14" 2>/dev/null; }
live_is() { [ "$(live)" = "$1" ]; }
raw() { q mes "SELECT status || '|' || COALESCE(part_count::text, '') FROM production.machine_raw ORDER BY id DESC LIMIT 1" 2>/dev/null; }
raw_is() { [ "$(raw)" = "$1" ]; }
wait_for 20 live_is "2|0" || fail "first poll: PRODUCTION, counter baseline (live: $(live))"
peer_set p Machine.PartCount 5
wait_for 10 raw_is "2|5" || fail "+5 parts, in the history one poll late (raw: $(raw))"
peer_set p Machine.PartCount 7
wait_for 10 raw_is "2|7" || fail "+2 parts, not +7 (raw: $(raw))"
peer_set p Machine.ProgStatus 2
wait_for 10 raw_is "1|7" || fail "ON (raw: $(raw))"
peer_stop p
wait_for 20 live_is "0|0" || fail "OFF and the count reset when the server is gone (live: $(live))"
assert_eq "t" "$(q mes "SELECT closed_dt IS NULL FROM production.machine_downtimes")" "a downtime is open"
peer_restart p
wait_for 30 live_is "2|0" || fail "back in PRODUCTION (live: $(live))"
wait_for 30 raw_is "2|0" || fail "the row of the return to PRODUCTION (raw: $(raw))"
kill "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"
assert_eq "2|200|3|O1234.MPF||0
2|200|3|O1234.MPF||5
2|200|3|O1234.MPF||7
1|200|2|O1234.MPF||7
0|-1||||
2|200|3|O1234.MPF||0" \
  "$(q mes "SELECT status, op_mode, prog_status, active_program, selected_program, part_count FROM production.machine_raw ORDER BY id")" \
  "machine_raw: a row per change, the part count of the live row before it, OFF on the disconnection"
assert_eq "2|200|3|0" "$(q mes "SELECT status, op_mode, prog_status, part_count FROM production.machine_raw_live")" \
  "machine_raw_live"
assert_eq "idx_machine_raw__actual_job idx_machine_raw__scheduled_job idx_machine_raw__status machine_raw_pkey mdc_machine_raw__machine_id_timestamp
idx_machine_raw_live__actual_job idx_machine_raw_live__scheduled_job idx_machine_raw_live__status machine_raw_live_pkey" \
  "$(for t in machine_raw machine_raw_live; do q mes "SELECT indexname FROM pg_indexes WHERE schemaname = 'production' AND tablename = '$t' ORDER BY 1" | paste -sd' ' -; done)" \
  "a new database gets Pony's indexes (and the one on machine_id, timestamp)"
assert_eq "t" "$(q mes "SELECT closed_dt IS NOT NULL FROM production.machine_downtimes")" \
  "the downtime closed in PRODUCTION"
