#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Pub/Sub sink against a local endpoint that plays the OAuth2 token endpoint and the
# Pub/Sub REST API: it verifies the JWT's RS256 signature with the test key's public half
# (made here with openssl) and its claims, issues short-lived tokens and records the published
# messages. Records arrive in order, tokens are renewed before they expire, a refused
# assertion keeps the records in the spool until the key is right, and nothing secret is
# logged. Then the emulator mode (PUBSUB_EMULATOR_HOST) through `mdc hems --output gcloud`.
source "$(dirname "$0")/lib.sh"

SERVER=$MDC_SRC/tests/integration/sink_server.py
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null
openssl pkey -in key.pem -pubout -out right.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout -out wrong.pem
cp wrong.pem pub.pem # the endpoint starts with the wrong public key

bg ps python3 "$SERVER" --port-file ps.port --log ps.jsonl --pubsub-key "$T/pub.pem" --token-lifetime 4
wait_for 10 test -s ps.port || fail "the endpoint did not start"
port=$(cat ps.port)
python3 - "$port" <<'PY'
import json, sys
key = {"type": "service_account", "project_id": "proj-1", "private_key_id": "kid-test-1",
       "private_key": open("key.pem").read(), "client_email": "mdc@proj-1.example",
       "token_uri": "http://127.0.0.1:%s/token" % sys.argv[1]}
json.dump(key, open("key.json", "w"), indent=2)
PY

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen --units 1
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
mport=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
cat > mdc.json <<JSON
{ "data_dir": "data",
  "sinks": [ {"type": "pubsub", "project": "proj-1", "topic": "hems-data", "credentials": "key.json",
              "endpoint": "http://127.0.0.1:$port"},
             {"type": "file", "path": "all.json"} ],
  "devices": [ { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$mport"},
    "unit_id": 1, "interval": "500ms",
    "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
bg mdc "$MDC" run -c mdc.json

# the wrong key: the assertion is refused, records wait in the spool
wait_for 15 grep -q '"error": "InvalidSignature' ps.jsonl || fail "the endpoint did not check the signature"
wait_for 15 grep -q 'Pub/Sub access token: token request refused (HTTP 400): invalid_grant: bad assertion' mdc.err ||
  fail "refusal not logged"
sleep 3
cp right.pem pub.pem # fixed: a retry gets a token
published() {
  python3 - "$T/ps.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    for d in e.get("data", []):
        print(d)
PY
}
tokens() { grep -c '"path": "/token", "kid": "kid-test-1", "iss": "mdc@proj-1.example"' "$T/ps.jsonl" || true; }
# enough records, and long enough for a 4 s token to have been renewed
done_publishing() { [ "$(published | wc -l)" -ge 16 ] && [ "$(tokens)" -ge 2 ]; }
wait_for 90 done_publishing || fail "records not published, or the 4 s token not renewed ($(tokens) tokens)"
kill -TERM "$PID_mdc"; wait "$PID_mdc" || fail "mdc run did not exit 0"

assert_eq "$(cat all.json)" "$(published)" "every record published once, in order"
assert_eq "/v1/projects/proj-1/topics/hems-data:publish" \
  "$(python3 -c 'import json,sys; print("\n".join(sorted({json.loads(l)["path"] for l in open(sys.argv[1]) if "data" in json.loads(l)})))' ps.jsonl)" \
  "publish path"
grep -q '"unauthorized"' ps.jsonl && fail "a publish was made without a valid token"
[ "$(grep -c '"data"' ps.jsonl)" -lt "$(published | wc -l)" ] || fail "the backlog was not batched"
grep -Eq 'BEGIN PRIVATE|tok-[0-9]|Bearer' mdc.err && fail "a secret was logged"

# ---- the emulator, through mdc hems ----
source "$MDC_SRC/tests/integration/hems_lib.sh"
bg emu python3 "$SERVER" --port-file emu.port --log emu.jsonl --emulator
wait_for 10 test -s emu.port || fail "the emulator did not start"
start_broute meter --frozen
export PUBSUB_EMULATOR_HOST=127.0.0.1:$(cat emu.port) GCP_PROJECT_ID=home-1
hems_until 2 '"data"' emu.jsonl --port "$T/tty-meter" --mode interval -i 2 -o gcloud --gcp-topic power
assert_eq "{\"timestamp\": \"TS\", $HEMS_JSON_THREE" \
  "$(python3 -c 'import json,sys; [print(d) for l in open(sys.argv[1]) for d in json.loads(l)["data"]]' emu.jsonl |
     sed -E 's/^\{"timestamp": "[^"]*"/{"timestamp": "TS"/' | sort -u)" "emulator: the hems record as the message"
assert_eq "/v1/projects/home-1/topics/power:publish None application/json" \
  "$(python3 -c 'import json,sys; print("\n".join(sorted({"%s %s %s" % (json.loads(l)["path"], json.loads(l)["auth"], json.loads(l)["ctype"]) for l in open(sys.argv[1])})))' emu.jsonl)" \
  "emulator: project from GCP_PROJECT_ID, topic from --gcp-topic, no Authorization"
exit 0
