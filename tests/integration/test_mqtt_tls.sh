#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The mqtt sink over TLS with a test CA made here (openssl): server verified against the CA,
# client certificate required by the broker; a server from another CA and a host name that
# is not in the certificate are refused (unless "insecure"), with the reason in the log.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }

# ---- a CA, a server certificate for 127.0.0.1 only, a client certificate; another CA ----
ossl() { openssl "$@" >>openssl.out 2>&1 || fail "openssl $1: $(tail -3 openssl.out)"; }
mkca() {
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=$1" -keyout "$1.key" -out "$1.pem"
}
mkcert() { # NAME CA SAN
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr"
  printf 'subjectAltName=%s\n' "$3" > "$1.ext"
  ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem"
}
mkca test-ca
mkca other-ca
mkcert server test-ca "IP:127.0.0.1"
mkcert client test-ca "DNS:mdc-client"
pass "test CA and certificates"

bport=$(free_port)
broker_start tls "$bport" "cafile $T/test-ca.pem" "certfile $T/server.pem" "keyfile $T/server.key" \
  "require_certificate true"
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)

# mkcfg URL CA [EXTRA_TLS_KEYS]
mkcfg() {
  cat > mdc.json <<JSON
{ "data_dir": "data", "sinks": [ {"type": "mqtt", "url": "$1", "topic": "tls/{device}", "timeout": "3s",
    "tls": {"ca": "$T/$2.pem", "cert": "$T/client.pem", "key": "$T/client.key" ${3:-}}} ],
  "devices": [ { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    "interval": "1s", "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"} ] } ] }
JSON
}
sub() {
  mosquitto_sub -h 127.0.0.1 -p "$bport" --cafile "$T/test-ca.pem" --cert "$T/client.pem" \
    --key "$T/client.key" -t 'tls/meter-1' -v -C 1 -W 10
}

mkcfg "mqtts://127.0.0.1:$bport" test-ca
bg s1 sub
subscribed tls 'tls/meter-1'
"$MDC" run -c mdc.json --once > run1.out 2> run1.err || fail "run over TLS: $(cat run1.err)"
wait "$PID_s1" 2>/dev/null || true
grep -q '^tls/meter-1 {"timestamp": ".*", "device": "meter-1", "voltage_l1": 230.1, "shift": 1}$' s1.log ||
  fail "record delivered over TLS: $(cat s1.log)"
pass "delivered over TLS with a client certificate"

# refused: expect_refusal NAME PATTERN
expect_refusal() {
  rm -rf data
  bg "$1" "$MDC" run -c mdc.json
  wait_for 10 grep -q "cannot open" "$1.err" || fail "$1: no error logged"
  grep "cannot open" "$1.err" | head -1 | grep -q "$2" ||
    fail "$1: the error should say '$2': $(grep 'cannot open' "$1.err" | head -1)"
  kill -TERM "$(eval echo "\$PID_$1")"; wait "$(eval echo "\$PID_$1")" 2>/dev/null || true
  pass "$1: refused: $(grep -o 'cannot open: .*(backlog' "$1.err" | head -1 | sed 's/ (backlog$//')"
}
mkcfg "mqtts://127.0.0.1:$bport" other-ca
expect_refusal wrong_ca "certificate verify failed"
mkcfg "mqtts://localhost:$bport" test-ca
expect_refusal wrong_host "certificate verify failed\|host name\|hostname"

# "insecure": true accepts the name mismatch (still needs the CA)
mkcfg "mqtts://localhost:$bport" test-ca ', "insecure": true'
rm -rf data
bg s2 sub
subscribed tls 'tls/meter-1' 2
"$MDC" run -c mdc.json --once > run2.out 2> run2.err || fail "insecure run: $(cat run2.err)"
wait "$PID_s2" 2>/dev/null || true
grep -q '^tls/meter-1 ' s2.log || fail "insecure: delivered"
pass "insecure skips the host name check"
