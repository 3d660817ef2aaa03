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
  trap 'pg_rc=$?; pg_cleanup; (exit $pg_rc); cleanup' EXIT
}

pg_stop() { pg_ctl_ -m fast -w -t 30 stop >/dev/null; }
pg_restart() {
  pg_ctl_ -o "-k $PG_DIR -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" -l "$PG_DIR/server.log" -w -t 30 start >/dev/null
}
pg_cleanup() {
  [ -n "$PG_DIR" ] || return 0
  pg_ctl_ -m immediate -w -t 10 stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=
}

# psql_ [ARGS...]: psql, quiet, unaligned, no headers, stop on the first error.
psql_() { psql -X -q -A -t -v ON_ERROR_STOP=1 "$@"; }
# q DB SQL: the rows of a query, "a|b|c" per line.
q() { psql_ -d "$1" -c "$2"; }
