#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Modules (core/module.h): a configuration loads only what it uses. With the SQLite store alone
# no library of PostgreSQL, HTTP clients, MQTT, TLS or the HTTP server is mapped; "http" loads
# the server's module, a postgres sink the postgres module (libpq), an mqtt sink the mqtt module
# (libmosquitto), which then delivers; a sink writing YAML the yaml module (libyaml). MDC_MODULE_DIR names another folder; an empty or wrong
# one with a postgres sink gives the exact error below and `mdc check` exit 2, never a crash,
# and a reload to such a configuration is refused while the running one goes on.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 missing"; exit 77; }
mods=$(dirname "$MDC")/modules
[ -f "$mods/postgres.so" ] || fail "the build has no $mods/postgres.so"

# Where this build looks for installed modules (CMake's ${libdir}/mdc).
cache=${MDC_BUILD:-$(dirname "$MDC")}/CMakeCache.txt
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$cache")
libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$cache")
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac
installed=$libdir/mdc

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
closed=$(free_port) # nothing listens there

config() { # EXTRA_TOP_LEVEL EXTRA_SINKS
  cat <<JSON
{ "data_dir": "data", $1
  "sinks": [ {"type": "sqlite"}$2 ],
  "devices": [ { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    "interval": "200ms", "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
}
config "" "" > sqlite.json
config '"http": {"listen": "127.0.0.1:0"},' "" > http.json
config "" ", {\"type\": \"postgres\", \"conninfo\": \"host=127.0.0.1 port=$closed dbname=x connect_timeout=2\"}" > pg.json
config "" ', {"type": "file", "path": "out/{device}.yaml"}' > yaml.json
config "" ", {\"type\": \"mqtt\", \"url\": \"mqtt://127.0.0.1:$closed\", \"timeout\": \"2s\"}" > mqtt.json

heavy='lib(pq|curl|mosquitto|crypto|ssl|microhttpd|gnutls|protobuf-c|yaml-0)\b'
# The libraries of $heavy and the modules a process has mapped, one per line, sorted.
mapped() { # PID
  grep -oE "/($heavy[^/ ]*|(postgres|http_sinks|mqtt|opcua|http|yaml)\.so)$" "/proc/$1/maps" |
    sed -E 's|^/||; s/\.so.*$//' | sort -u | tr '\n' ' ' | sed 's/ $//'
}
stored() { [ "$(sql data/mdc.db 'SELECT COUNT(*) FROM samples' 2>/dev/null || echo 0)" -gt 0 ]; }

# run NAME CONFIG [ENV...]: starts mdc, waits for a stored sample; sets pid.
run() {
  local name=$1 cfg=$2; shift 2
  rm -rf data
  bg "$name" env "$@" "$MDC" run -c "$cfg"
  pid=$(eval echo "\$PID_$name")
  wait_for 20 stored || fail "$name: nothing stored: $(tail -n 5 "$name.err")"
}
stop() { kill -TERM "$pid"; wait "$pid" || fail "mdc did not exit 0 on SIGTERM"; }

# ---- the SQLite store alone: none of them ----
run plain sqlite.json
assert_eq "" "$(mapped "$pid")" "SQLite store only: no module, no libpq/libcurl/libmosquitto/libcrypto/libssl/libmicrohttpd/libyaml mapped"
stop

# ---- a file sink writing YAML: the yaml module and libyaml, and YAML in the file ----
rm -rf out
run yaml yaml.json
assert_eq "libyaml-0 yaml" "$(mapped "$pid")" "a .yaml file sink: the yaml module and libyaml, nothing else"
wait_for 20 grep -q '^device: meter-1$' out/meter-1.yaml || fail "no YAML record: $(head -c 300 out/meter-1.yaml)"
assert_eq "---" "$(head -n 1 out/meter-1.yaml)" "each record a YAML document (libyaml's block style)"
stop

# ---- "http": the server's module and libmicrohttpd, nothing else of them ----
run http http.json
m=$(mapped "$pid")
case " $m " in *" http "*) ;; *) fail "\"http\": the http module is not mapped: $m" ;; esac
case " $m " in *" libmicrohttpd "*) ;; *) fail "\"http\": libmicrohttpd is not mapped: $m" ;; esac
echo "$m" | grep -qE 'libpq|libcurl|libmosquitto|libcrypto|libssl|postgres|mqtt|opcua|http_sinks' &&
  fail "\"http\" maps more than the server: $m"
pass "\"http\": the http module and libmicrohttpd only ($m)"
hp=$(sed -n 's|.*serving the dashboard, API and metrics on http://[^ ]*:\([0-9]*\)/.*|\1|p' http.err | tail -n 1)
[ -n "$hp" ] && curl -sf "http://127.0.0.1:$hp/healthz" > /dev/null || fail "the server of the module answers"
pass "the server loaded as a module answers /healthz"
stop

# ---- a postgres sink: the postgres module and libpq ----
run pg pg.json
m=$(mapped "$pid")
case " $m " in *" postgres "*" libpq "* | *" libpq "*" postgres "*) ;; *) fail "postgres sink: not mapped: $m" ;; esac
echo "$m" | grep -qE 'libcurl|libmosquitto|libmicrohttpd|mqtt|opcua|http' &&
  fail "a postgres sink maps more than its module: $m"
pass "a postgres sink loads the postgres module and libpq ($m)"
stop

# ---- an mqtt sink: the mqtt module and libmosquitto; it delivers through a real broker ----
if command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ]; then
  source "$(dirname "$0")/mqtt_lib.sh"
  bport=$(free_port)
  broker_start b "$bport"
  bg sub mosquitto_sub -p "$bport" -t 'mdc/meter-1' -v
  sleep 0.3
  config "" ', {"type": "file", "path": "out/{device}.yaml"}' > yaml.json
config "" ", {\"type\": \"mqtt\", \"url\": \"mqtt://127.0.0.1:$bport\"}" > mqtt.json
fi
run mqtt mqtt.json
m=$(mapped "$pid")
case " $m " in *" libmosquitto "*) ;; *) fail "mqtt sink: libmosquitto not mapped: $m" ;; esac
case " $m " in *" mqtt "*) ;; *) fail "mqtt sink: the mqtt module not mapped: $m" ;; esac
echo "$m" | grep -qE 'libpq|libcurl|libmicrohttpd|postgres|opcua|http' &&
  fail "an mqtt sink maps more than its module: $m"
pass "an mqtt sink loads the mqtt module and libmosquitto ($m)"
if [ -n "${bport:-}" ]; then
  wait_for 20 grep -q "^mdc/meter-1 {" sub.log || fail "no MQTT message through the module: $(cat sub.log sub.err)"
  pass "the mqtt module delivers: $(cut -c 1-60 sub.log)..."
fi
stop

# ---- MDC_MODULE_DIR: another folder with the modules ----
mkdir -p elsewhere empty wrong
cp "$mods"/*.so elsewhere/
"$MDC" check -c pg.json > /dev/null 2>&1 || fail "check with the build's modules"
MDC_MODULE_DIR=$T/elsewhere "$MDC" check -c pg.json > check.out 2>&1 ||
  fail "MDC_MODULE_DIR=elsewhere: $(cat check.out)"
pass "MDC_MODULE_DIR names the folder of the modules"

# ---- an empty or wrong MDC_MODULE_DIR with a postgres sink: the clear error, exit 2 ----
expect() { # DIR REASON
  echo "mdc: pg.json:2:35: sinks[1].type: cannot load the postgres module: tried $1/postgres.so ($2); MDC_MODULE_DIR must name the folder that holds mdc's modules (unset, mdc uses the installed ones in $installed)"
}
set +e
MDC_MODULE_DIR=$T/empty "$MDC" check -c pg.json > check.out 2> check.err; rc=$?
set -e
assert_eq 2 "$rc" "an empty MDC_MODULE_DIR with a postgres sink: mdc check exits 2"
assert_eq "$(expect "$T/empty" "No such file or directory")" "$(cat check.err)" "the error says which module, where it looked and what to do"
assert_eq "" "$(cat check.out)" "nothing on stdout"
set +e
MDC_MODULE_DIR=$T/empty "$MDC" run -c pg.json --once > run.out 2> run.err; rc=$?
set -e
assert_eq 2 "$rc" "mdc run exits 2 too"
grep -qF "$(expect "$T/empty" "No such file or directory")" run.err || fail "mdc run's error: $(cat run.err)"
pass "mdc run gives the same error"

cp "$mods/mqtt.so" wrong/postgres.so # a module, but not that one
set +e
MDC_MODULE_DIR=$T/wrong "$MDC" check -c pg.json > check.out 2> check.err; rc=$?
set -e
assert_eq 2 "$rc" "a wrong postgres.so: exit 2, no crash"
assert_eq "$(expect "$T/wrong" "undefined symbol: mdc_module_postgres")" "$(cat check.err)" "a wrong file is named with the loader's reason"
printf 'not an ELF file\n' > wrong/postgres.so
set +e
MDC_MODULE_DIR=$T/wrong "$MDC" check -c pg.json > check.out 2> check.err; rc=$?
set -e
assert_eq 2 "$rc" "a postgres.so that is no shared object: exit 2, no crash"
grep -qF "tried $T/wrong/postgres.so (" check.err || fail "the broken file is named: $(cat check.err)"
pass "a broken postgres.so is named: $(cat check.err | cut -c 1-140)..."

set +e
MDC_MODULE_DIR=$T/empty "$MDC" check -c yaml.json > check.out 2> check.err; rc=$?
set -e
assert_eq 2 "$rc" "an empty MDC_MODULE_DIR with a YAML file sink: mdc check exits 2"
assert_eq "mdc: yaml.json:2:34: sinks[1].format: the format \"yaml\": cannot load the yaml module: tried $T/empty/yaml.so (No such file or directory); MDC_MODULE_DIR must name the folder that holds mdc's modules (unset, mdc uses the installed ones in $installed)" \
  "$(cat check.err)" "the error names the sink's format, the module, where it looked and what to do"

MDC_MODULE_DIR=$T/empty "$MDC" check -c sqlite.json > check.out 2>&1 ||
  fail "a configuration that needs no module does not need the folder: $(cat check.out)"
pass "the SQLite store alone needs no module at all"

# ---- a reload to a configuration whose module is missing: refused, the old one runs on ----
cp sqlite.json live.json
run reload live.json MDC_MODULE_DIR="$T/empty"
cp pg.json live.json
kill -HUP "$pid"
wait_for 20 grep -q 'reload failed; still running the previous configuration' reload.err ||
  fail "the reload was not refused: $(tail -n 5 reload.err)"
grep -qF "cannot load the postgres module: tried $T/empty/postgres.so" reload.err ||
  fail "the refused reload names the module: $(tail -n 3 reload.err)"
n=$(sql data/mdc.db 'SELECT COUNT(*) FROM samples')
more() { [ "$(sql data/mdc.db 'SELECT COUNT(*) FROM samples')" -gt "$n" ]; }
wait_for 20 more ||
  fail "the previous configuration stopped collecting"
pass "a reload whose module is missing is refused; the running configuration goes on"
stop
