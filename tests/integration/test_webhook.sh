#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The webhook sink against a local HTTP server: the records and the headers (configured ones
# from the environment, Content-Type, no secret in any log line); the server refusing (503)
# and then gone for a while: every record arrives after it returns, in order, none twice.
# Then `mdc hems --output webhook` (WEBHOOK_URL from .env): the hems record as the body.
source "$(dirname "$0")/lib.sh"

SERVER=$MDC_SRC/tests/integration/sink_server.py
start_server() { # NAME [PORT]: sink_server.py logging to NAME.jsonl
  rm -f "$T/$1.port"
  bg "$1" python3 "$SERVER" --port-file "$T/$1.port" --log "$T/$1.jsonl" --status-file "$T/down" \
    --port "${2:-0}"
  wait_for 10 test -s "$T/$1.port" || fail "the HTTP server did not start"
}
# field NAME FILE: one line per accepted request, the named field (body, path, a header).
field() {
  python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[2]):
    e = json.loads(line)
    if "body" not in e:
        continue
    v = e["body"] if sys.argv[1] == "body" else e["path"] if sys.argv[1] == "path" else e["headers"].get(sys.argv[1])
    print(v)
PY
}
accepted() { field body "$T/web.jsonl" 2>/dev/null | wc -l; }
has_accepted() { [ "$(accepted)" -ge "$1" ]; }

start_server web
port=$(cat web.port)
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --units 1
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
mport=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)

cat > mdc.json <<JSON
{ "data_dir": "data",
  "sinks": [ {"type": "webhook", "url": "http://127.0.0.1:$port/in?key=\${HOOK_KEY}",
              "headers": {"Authorization": "Bearer \${HOOK_TOKEN}", "X-Site": "plant-1"}},
             {"type": "file", "path": "all.json"} ],
  "devices": [ { "id": "meter-1", "machine_id": 3, "driver": "modbus",
    "connection": {"tcp": "127.0.0.1:$mport"}, "unit_id": 1, "interval": "500ms",
    "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"},
                {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "decimals": 3} ] } ] }
JSON
export HOOK_TOKEN=tok-7f3a9 HOOK_KEY=k-55e1
bg mdc "$MDC" run -c mdc.json
wait_for 20 has_accepted 3 || fail "no records delivered"

# ---- records and headers ----
assert_eq '{"device": "meter-1", "machine_id": 3, "voltage_l1": 230.1, "power_kw": 6.0, "shift": 1}' \
  "$(field body web.jsonl | head -3 | sed -E 's/"timestamp": "[^"]*", //' | sort -u)" "record as the body"
assert_eq "/in?key=k-55e1" "$(field path web.jsonl | sort -u)" "path and query"
assert_eq "Bearer tok-7f3a9" "$(field Authorization web.jsonl | sort -u)" "Authorization header from the environment"
assert_eq "plant-1" "$(field X-Site web.jsonl | sort -u)" "configured header"
assert_eq "application/json" "$(field Content-Type web.jsonl | sort -u)" "Content-Type"
assert_eq "mdc/$("$MDC" --version | cut -d' ' -f2)" "$(field User-Agent web.jsonl | sort -u)" "User-Agent"

# ---- down for a while: refusing, then gone ----
echo 503 > down
wait_for 10 grep -q '"refused": 503' web.jsonl || fail "the refusal was not seen"
sleep 2
rm down
kill "$PID_web"; wait "$PID_web" 2>/dev/null || true
sleep 3
start_server web "$port"
n=$(wc -l < all.json)
wait_for 90 has_accepted "$((n + 2))" || fail "records not delivered after the server came back"
kill -TERM "$PID_mdc"; wait "$PID_mdc" || fail "mdc run did not exit 0"
assert_eq "$(cat all.json)" "$(field body web.jsonl)" "every record delivered once, in order"
[ "$(wc -l < all.json)" -ge 10 ] || fail "too few records for the test to mean anything"
grep -q "ERROR \[webhook:http://127.0.0.1:$port/in#[0-9a-f]*\] delivery failed: HTTP 503 from http://127.0.0.1:$port/in: {\"error\": \"down for a while\"}" mdc.err ||
  fail "refusal not logged: $(grep ERROR mdc.err | head -3)"
grep -q "ERROR \[webhook:.*delivery failed: POST http://127.0.0.1:$port/in: " mdc.err || fail "connection failure not logged"
grep -q "delivering again" mdc.err || fail "recovery not logged"
grep -Eq 'tok-7f3a9|k-55e1' mdc.err && fail "a secret was logged"

# ---- mdc hems --output webhook ----
source "$MDC_SRC/tests/integration/hems_lib.sh"
start_broute meter --frozen
printf 'WEBHOOK_URL=http://127.0.0.1:%s/hems\n' "$port" > .env
: > web.jsonl
hems_until 2 '"path": "/hems"' web.jsonl --port "$T/tty-meter" --mode interval -i 2 -o webhook -f csv
assert_eq "{\"timestamp\": \"TS\", $HEMS_JSON_THREE" \
  "$(field body web.jsonl | sed -E 's/^\{"timestamp": "[^"]*"/{"timestamp": "TS"/' | sort -u)" \
  "hems: the record as JSON whatever --format says"
assert_eq "application/json" "$(field Content-Type web.jsonl | sort -u)" "hems: Content-Type"
exit 0
