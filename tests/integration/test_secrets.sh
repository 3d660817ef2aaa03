#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Secrets never leave mdc: every secret kind gets a distinct value — PostgreSQL passwords (in a
# conninfo, a URI and the "password" key), webhook header values, a token in a webhook URL's
# query and a URL's user:password, a Pub/Sub key file's private key and the access token it
# buys, the MQTT password, the OPC UA user password, the B-route password, LSV2 passwords and
# the HTTP API token — and every failure path runs at debug level: receivers that echo the
# request in their error bodies, refusals that become dead letters, wrong passwords,
# unreachable hosts. Then the log, /healthz, /api/*, /metrics, `mdc check`, `mdc spool`,
# spool.db and mdc.db are searched for each secret (and the base64 forms a peer could echo):
# zero hits. And `mdc check` masks by field: DB_PASSWORD=5 leaves the plan's numbers alone.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$here/pg.sh"
source "$here/mqtt_lib.sh"
source "$MDC_SRC/tests/opcua/peer.sh"

# ---- the secrets ----
S_PG_CONNINFO=PgConninfo-Secret-1a2b
S_PG_URI=PgUri-Secret-3c4d
S_PG_FIELD=PgField-Secret-5e6f
S_PG_UNREACH=PgUnreach-Secret-7a8b
S_WH_QUERY=WhQuery-Secret-9c0d
S_WH_HEADER=WhHeader-Secret-1e2f
S_WH_APIKEY=WhApiKey-Secret-3a4b
S_WH_URLPW=WhUrlPw-Secret-5c6d
S_WH_UNREACH=WhUnreach-Secret-7e8f
S_WH_REFUSE=WhRefuse-Secret-9a0b
S_PS_TOKEN=PsToken-Secret-1c2d
S_MQTT=MqttPw-Secret-3e4f
S_UA=UaPw-Secret-5a6b
S_BR=BrPw-Secret-7c8d
S_LSV2_DNC=Lsv2Dnc-Secret-9e0f
S_LSV2_PLC=Lsv2Plc-Secret-1a3c
S_HTTP=HttpToken-Secret-5b7d

# ---- peers ----
pg_start
peer_install
peer_start ua
bg echo python3 "$here/echo_server.py" --port-file echo.port --token "$S_PS_TOKEN"
wait_for 10 test -s echo.port || fail "the echo server did not start"
E=$(cat echo.port)
closed=$(free_port)
mosquitto_passwd -b -c "$T/mqtt.pw" mdc 'the-right-one' 2>/dev/null || fail "mosquitto_passwd"
bport=$(free_port)
broker_start b "$bport" "allow_anonymous false" "password_file $T/mqtt.pw"
bg br "$MDC_SIM" broute --link tty --frozen --password BrTheRightOne --join-delay 20
wait_for 5 test -e tty || fail "the B-route simulator did not start"
bg tnc "$MDC_SIM" lsv2 --listen 127.0.0.1:0 --state started --plc-password Lsv2TheRightOne
wait_for 10 grep -q '^listening ' tnc.log || fail "the LSV2 simulator did not start"
lport=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' tnc.log | head -1)
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --units 1
wait_for 5 grep -q '^tcp: ' sim.log || fail "the Modbus simulator did not start"
mport=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
python3 - "$E" <<'PY'
import json, sys
key = {"type": "service_account", "project_id": "proj", "private_key_id": "kid-1",
       "private_key": open("key.pem").read(), "client_email": "mdc@proj.example",
       "token_uri": "http://127.0.0.1:%s/token" % sys.argv[1]}
json.dump(key, open("key.json", "w"), indent=2)
PY
S_PS_KEY=$(sed -n 2p key.pem) # a line of the private key's base64

cat > mdc.json <<JSON
{ "data_dir": "data", "log_level": "debug",
  "http": {"listen": "127.0.0.1:0", "token": "$S_HTTP"},
  "spool": {"dead_letter_after": 2},
  "sinks": [
    {"type": "sqlite"},
    {"type": "webhook", "url": "http://127.0.0.1:$E/hook?token=$S_WH_QUERY", "timeout": "2s",
     "headers": {"Authorization": "Bearer $S_WH_HEADER", "X-Api-Key": "$S_WH_APIKEY"}},
    {"type": "webhook", "url": "http://whuser:$S_WH_URLPW@127.0.0.1:$E/plain", "timeout": "2s"},
    {"type": "webhook", "url": "http://127.0.0.1:$closed/x?access_token=$S_WH_UNREACH", "timeout": "2s"},
    {"type": "webhook", "url": "http://127.0.0.1:$E/refuse?key=$S_WH_REFUSE", "timeout": "2s"},
    {"type": "pubsub", "project": "proj", "topic": "t1", "credentials": "key.json",
     "endpoint": "http://127.0.0.1:$E", "timeout": "2s"},
    {"type": "pubsub", "project": "proj", "topic": "t2", "credentials": "key.json",
     "endpoint": "http://127.0.0.1:$E", "token_uri": "http://127.0.0.1:$E/token-echo", "timeout": "2s"},
    {"type": "postgres", "conninfo": "host=127.0.0.1 port=$PGPORT dbname=postgres user=mdc password=$S_PG_CONNINFO connect_timeout=2"},
    {"type": "postgres", "conninfo": "postgresql://mdc:$S_PG_URI@127.0.0.1:$PGPORT/postgres?connect_timeout=2", "pg_schema": "u"},
    {"type": "postgres", "host": "127.0.0.1", "port": "$PGPORT", "dbname": "postgres", "user": "mdc",
     "password": "$S_PG_FIELD", "pg_schema": "f"},
    {"type": "postgres", "host": "127.0.0.1", "port": "$closed", "dbname": "postgres", "user": "mdc",
     "password": "$S_PG_UNREACH", "pg_schema": "c"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "username": "mdc", "password": "$S_MQTT", "timeout": "2s"} ],
  "devices": [
    { "id": "meter", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$mport"}, "interval": "1s",
      "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] },
    { "id": "ua", "driver": "opcua", "endpoint": "$PEER_URL_ua", "trust": "first-use",
      "user": "operator", "password": "$S_UA", "interval": "1s", "timeout": "2s",
      "nodes": {"count": "ns=1;s=Machine.PartCount"} },
    { "id": "home", "driver": "broute", "port": "tty", "interval": "2s", "timeout": "700ms",
      "rbid": "00000000000000000000000000000000", "password": "$S_BR" },
    { "id": "tnc", "driver": "lsv2", "host": "127.0.0.1", "port": $lport, "interval": "1s",
      "timeout": "1s", "dnc_password": "$S_LSV2_DNC", "plc_password": "$S_LSV2_PLC",
      "plc": [ {"name": "m", "memory": "marker", "address": 4170} ] } ] }
JSON

"$MDC" check -c mdc.json > check.out 2> check.err || fail "mdc check: $(cat check.err)"
bg mdc "$MDC" run -c mdc.json
wait_for 15 grep -q 'serving the dashboard' mdc.err || fail "no HTTP server"
hp=$(http_port mdc.err)
# every failure path, seen at least once (and the dead letter made)
for want in "HTTP 500 from http://127.0.0.1:$E/hook" "HTTP 500 from http://127.0.0.1:$E/plain" \
    "127.0.0.1:$closed/x: Failed to connect" "moved to the dead-letter table" "t1\\] delivery failed: HTTP 500" \
    "t2\\] delivery failed: Pub/Sub access token: token request refused" \
    "schema u\\] cannot open: .*rejected the credentials" "schema f\\] cannot open: .*rejected the credentials" \
    "schema mdc\\] cannot open: .*rejected the credentials" "cannot connect to PostgreSQL at 127.0.0.1:$closed" \
    "mqtt.*refused the connection" "\\[ua\\] login as user \"operator\" rejected" "refused PANA authentication"; do
  wait_for 60 grep -Eq "$want" mdc.err || fail "no failure matching '$want' in the log: $(grep -E "ERROR|WARN" mdc.err | cut -c26-300 | sort -u | head -40)"
done
pass "every failure path ran"

api() { curl -s -H "Authorization: Bearer $S_HTTP" "http://127.0.0.1:$hp$1"; }
for p in /healthz /metrics /api/devices /api/devices/meter /api/devices/ua /api/devices/home \
    /api/devices/tnc "/api/devices/ua/history?limit=5" /api/devices/meter/shifts; do
  api "$p" >> http.out; echo >> http.out
done
curl -s "http://127.0.0.1:$hp/api/devices?access_token=$S_HTTP" >> http.out
curl -s "http://127.0.0.1:$hp/api/devices?access_token=wrong-$S_HTTP" >> http.out
curl -s -H "Authorization: Bearer nope" "http://127.0.0.1:$hp/healthz" >> http.out
curl -s -m 3 -N "http://127.0.0.1:$hp/api/events?access_token=$S_HTTP" >> http.out || true
grep -q '"reachable"' http.out || fail "the API answered: $(head -c 300 http.out)"
grep -q 'PLCDEBUG' http.out || fail "the LSV2 PLC login was refused: $(grep -o '"errors": {[^}]*}' http.out | head -3)"
kill -TERM "$PID_mdc"; wait "$PID_mdc" || fail "mdc exit status"
"$MDC" spool status -c mdc.json > spool.out 2>&1 || fail "mdc spool status: $(cat spool.out)"
"$MDC" spool list -c mdc.json >> spool.out 2>&1 || fail "mdc spool list: $(cat spool.out)"
grep -qi "refuse" spool.out || fail "the dead letter is listed: $(cat spool.out)"

# ---- search: every secret, and what a peer may echo of them ----
b64() { printf '%s' "$1" | base64 -w0; }
secrets=("$S_PG_CONNINFO" "$S_PG_URI" "$S_PG_FIELD" "$S_PG_UNREACH" "$S_WH_QUERY" "$S_WH_HEADER"
  "$S_WH_APIKEY" "$S_WH_URLPW" "$S_WH_UNREACH" "$S_WH_REFUSE" "$S_PS_TOKEN" "$S_PS_KEY" "$S_MQTT"
  "$S_UA" "$S_BR" "$S_LSV2_DNC" "$S_LSV2_PLC" "$S_HTTP" "$(b64 "whuser:$S_WH_URLPW")")
files=(mdc.err mdc.log http.out check.out check.err spool.out data/spool.db data/mdc.db)
hits=0
for s in "${secrets[@]}"; do
  for f in "${files[@]}"; do
    if [ -f "$f" ] && grep -aqF -- "$s" "$f"; then
      echo "LEAK: $s in $f: $(grep -aoF -m1 -- "$s" "$f" >/dev/null; grep -a -m1 -F -- "$s" "$f" | cut -c1-300)" >&2
      hits=$((hits + 1))
    fi
  done
done
# the signed assertion the key file's private key makes is a credential too (an hour's tokens)
for f in "${files[@]}"; do
  if [ -f "$f" ] && grep -aq 'assertion=eyJ' "$f"; then
    echo "LEAK: a signed JWT assertion in $f: $(grep -ao -m1 'assertion=eyJ[A-Za-z0-9_.-]\{0,40\}' "$f")" >&2
    hits=$((hits + 1))
  fi
done
assert_eq 0 "$hits" "no secret in the log, the HTTP answers, mdc check, mdc spool or the data files"
grep -q 'SKSETPWD \*\*\*\*\*\*\*\*' mdc.err || fail "the B-route trace ran at debug level"

# ---- mdc check masks by field: a one-character password changes nothing else ----
cat > short.json <<JSON
{ "sinks": [ {"type": "postgres", "host": "172.18.7.91", "port": "5432", "dbname": "BEL_MES4_150925",
              "user": "postgres", "password": "\${DB_PASSWORD}"} ],
  "devices": [ { "id": "m", "driver": "modbus", "connection": {"tcp": "127.0.0.1:502"},
                 "points": [ {"name": "v", "address": 4519, "type": "float32"} ] } ] }
JSON
DB_PASSWORD=5 "$MDC" check -c short.json > short5.out || fail "check with DB_PASSWORD=5"
DB_PASSWORD=x "$MDC" check -c short.json > shortx.out || fail "check with DB_PASSWORD=x"
assert_eq "$(cat shortx.out)" "$(cat short5.out)" "DB_PASSWORD=5: the plan is the same as with another password"
grep -q "addr 4519" short5.out || fail "addresses intact: $(grep addr short5.out)"
grep -q "172.18.7.91:5432/BEL_MES4_150925 as postgres" short5.out || fail "the sink intact"
