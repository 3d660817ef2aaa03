# SPDX-License-Identifier: Apache-2.0
# postgres_peer.sh — PostgreSQL for the fault tests (sourced after pg.sh and fault_lib.sh): one
# server for the test file (pg_start), a fresh database per scenario, both of mdc's schemas
# (mdc's tables and BELmc's) as two sinks of one mdc. BELmc's history takes only records with
# values. The poison record meets what a DBA might have done: a CHECK constraint on
# mdc.samples, and BELmc's frequency column as numeric(9,3) (22003 numeric field overflow).
peer_setup() {
  PG_DB=mes_$(basename "$SC" | tr -c 'a-z0-9\n' _)
  createdb "$PG_DB"
  [ -z "${PG_VIA_PROXY:-}" ] || proxy_start "$PGPORT" 10
  SINKS=("pg_mdc|pg-mdc:$PG_DB|1|0|postgres(mdc)" "pg_belmc|pg-belmc:$PG_DB|1|1|postgres(belmc)")
}
peer_stop() { pg_stop; }
peer_start() { pg_restart; }
poison_refuse() {
  q "$PG_DB" "ALTER TABLE mdc.records ADD CONSTRAINT plausible_frequency
                CHECK (json_typeof(fields -> 'frequency') IS DISTINCT FROM 'number'
                       OR (fields ->> 'frequency')::float8 < 1e6) NOT VALID;
              ALTER TABLE ems.machine_ems_history ALTER COLUMN frequency TYPE numeric(9,3)"
}
poison_fix() {
  q "$PG_DB" "ALTER TABLE mdc.records DROP CONSTRAINT plausible_frequency;
              ALTER TABLE ems.machine_ems_history ALTER COLUMN frequency TYPE double precision"
}
# The store beside them: the reference of the PostgreSQL tests, and a sink that notices a spool
# that went back in time.
# With PG_VIA_PROXY, over TCP through fault_proxy.py (and the password).
sinks_json() {
  local conn="\"dbname\": \"$PG_DB\""
  [ -z "${PG_VIA_PROXY:-}" ] ||
    conn="$conn, \"host\": \"127.0.0.1\", \"port\": \"$PROXY_PORT\", \"user\": \"mdc\", \"password\": \"\${PG_PASSWORD}\""
  cat <<JSON
{"type": "sqlite"},
    {"type": "postgres", "schema": "mdc", $conn},
    {"type": "postgres", "schema": "belmc", $conn, "ems_devices": ["ems-1", "ems-2"]}
JSON
}
# Placeholders until peer_setup names the database (fault_poison counts the refusing sinks).
SINKS=("pg_mdc|-|1|0|postgres(mdc)" "pg_belmc|-|1|1|postgres(belmc)")
peer_faults() { peer_faults_file "$1"; }
