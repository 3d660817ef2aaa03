# SPDX-License-Identifier: Apache-2.0
# pg.sh — a throwaway PostgreSQL server for one test (sourced after lib.sh; bench scripts may
# source it alone after setting T). initdb into a temporary directory; the server listens on a
# unix socket in that directory and on 127.0.0.1:$PGPORT; it is stopped when the test exits.
# Local (socket) connections are trusted; TCP ones need user mdc's password ($PG_PASSWORD).
# As root, the server runs as the "postgres" user (PostgreSQL refuses to run as root).

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_PASSWORD=${PG_PASSWORD:-s3cret-Pw_42}
PG_AS=()
PG_DIR=

pg_available() { [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ]; }

pg_ctl_() { (cd / && "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" "$@"); }

# pg_start [PORT]: creates and starts the server; exports PGHOST, PGPORT, PGUSER, PGDATABASE.
pg_start() {
  if ! pg_available; then echo "skip: no PostgreSQL server binaries (postgresql package)"; exit 77; fi
  PG_DIR=$(mktemp -d /tmp/mdc-pg-XXXXXX)
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PG_DIR"
    PG_AS=(runuser -u postgres --)
  fi
  printf '%s\n' "$PG_PASSWORD" > "$PG_DIR/pw"
  chmod 644 "$PG_DIR/pw"
  (cd / && "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U mdc --pwfile="$PG_DIR/pw" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >"$PG_DIR/initdb.log" 2>&1) ||
    { cat "$PG_DIR/initdb.log" >&2; return 1; }
  PGPORT=${1:-$(free_port)}
  export PGHOST=$PG_DIR PGPORT PGUSER=mdc PGDATABASE=postgres
  pg_ctl_ -o "-k $PG_DIR -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" -l "$PG_DIR/server.log" -w -t 30 start >/dev/null ||
    { tail -n 20 "$PG_DIR/server.log" >&2; return 1; }
  # set +e: lib.sh's errexit must not stop the trap before cleanup kills the test's processes
  trap 'pg_rc=$?; set +e; pg_cleanup; (exit $pg_rc); cleanup' EXIT
}

pg_stop() { pg_ctl_ -m fast -w -t 30 stop >/dev/null; }
pg_restart() {
  pg_ctl_ -o "-k $PG_DIR -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" -l "$PG_DIR/server.log" -w -t 30 start >/dev/null
}
pg_cleanup() {
  [ -n "$PG_DIR" ] || return 0
  pg_ctl_ -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR" 2>/dev/null || { sleep 0.5; rm -rf "$PG_DIR"; } || true
  PG_DIR=
}

# psql_ [ARGS...]: psql, quiet, unaligned, no headers, stop on the first error.
psql_() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
# q DB SQL: the rows of a query, "a|b|c" per line.
q() { psql_ -d "$1" -c "$2"; }

# A config for the delivery tests: two simulated meters every 200 ms into the SQLite store (the
# reference), mdc's schema and BELmc's schema in database mes. pg_delivery_config PORT > mdc.json
pg_delivery_config() {
  local dev
  dev() {
    cat <<JSON
    { "id": "ems-$1", "machine_id": $1, "driver": "modbus", "interval": "200ms", "timeout": "500ms",
      "connection": {"tcp": "127.0.0.1:$2"}, "unit_id": $1,
      "points": [ {"name": "phase_a_voltage", "function": 4, "address": 0, "type": "float32"},
                  {"name": "frequency", "function": 4, "address": 70, "type": "float32"},
                  {"name": "total_instantaneous_power", "function": 4, "address": 52, "type": "float32", "scale": 0.001},
                  {"name": "active_energy_delivered", "function": 4, "address": 342, "type": "float32"} ],
      "status": {"power": "total_instantaneous_power", "production_above": 4.5},
      "energy": {"point": "active_energy_delivered", "max_delta": 10} }
JSON
  }
  cat <<JSON
{ "timezone": "Asia/Kolkata", "data_dir": "data",
  "shifts": [ {"id": 1, "start": "06:00"}, {"id": 2, "start": "14:00"}, {"id": 3, "start": "22:00"} ],
  "sinks": [ {"type": "sqlite"},
             {"type": "postgres", "schema": "mdc", "dbname": "mes"},
             {"type": "postgres", "schema": "belmc", "dbname": "mes",
              "ems_devices": ["ems-1", "ems-2"], "production_devices": ["ems-1", "ems-2"]} ],
  "devices": [
$(dev 1 "$1"),
$(dev 2 "$1")
  ] }
JSON
}

# Every record of the SQLite store (data/mdc.db) is in mes exactly once and in order: mdc.samples
# row for row, and an EMS history row per record in naive local time (Asia/Kolkata).
pg_check_delivery() {
  local ref got n
  ref=$(sql data/mdc.db "SELECT device, ts FROM records WHERE json_type(fields, '\$.frequency') IS NOT NULL ORDER BY rowid")
  n=$(printf '%s\n' "$ref" | grep -c . || true)
  [ "$n" -gt 0 ] || fail "no records in the SQLite store"
  got=$(q mes "SELECT device || '|' || to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') FROM mdc.samples WHERE name = 'frequency' ORDER BY id")
  assert_eq "$ref" "$got" "mdc.samples: all $n records, once, in spool order"
  for m in 1 2; do
    ref=$(q mes "SELECT to_char(ts AT TIME ZONE 'Asia/Kolkata', 'YYYY-MM-DD HH24:MI:SS.US') FROM mdc.samples WHERE device = 'ems-$m' AND name = 'frequency' AND value IS NOT NULL ORDER BY id")
    got=$(q mes "SELECT to_char(timestamp, 'YYYY-MM-DD HH24:MI:SS.US') FROM ems.machine_ems_history WHERE machine_id = $m ORDER BY id")
    assert_eq "$ref" "$got" "ems.machine_ems_history of machine $m: each sample once, in order"
  done
  assert_eq "" "$(q mes "SELECT device FROM mdc.samples WHERE name = 'frequency' GROUP BY device, ts HAVING count(*) > 1")" \
    "no duplicates"
  assert_eq "t" "$(q mes "SELECT bool_and(ok) FROM (SELECT ts > lag(ts) OVER (PARTITION BY device ORDER BY id) IS NOT FALSE AS ok FROM mdc.samples WHERE name = 'frequency') s")" \
    "per device, timestamps only increase"
}

# Waits until mdc.samples and ems history hold as many records as the SQLite store.
pg_caught_up() {
  local n
  n=$(sql data/mdc.db "SELECT count(*) FROM samples WHERE name = 'frequency'")
  [ "$(q mes "SELECT count(*) FROM mdc.samples WHERE name = 'frequency'" 2>/dev/null)" = "$n" ] &&
    [ "$(q mes "SELECT last_seq FROM mdc.sink_state WHERE sink = 'belmc'" 2>/dev/null)" = \
      "$(q mes "SELECT last_seq FROM mdc.sink_state WHERE sink = 'mdc'" 2>/dev/null)" ]
}
