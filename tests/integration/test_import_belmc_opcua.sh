#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The OPC UA machine mdc import-belmc writes (security None, BELmc's user and password) reads on
# the first start: the node-opcua peer's certificate is pinned on first use instead of waiting in
# pki/rejected/ for someone to move it into pki/trusted/ (BELmc checked no certificate).
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$MDC_SRC/tests/opcua/peer.sh"
source "$here/belmc_fixture.sh"
peer_install
peer_start p
belmc_fixture BELmc
# the fixture's machine 14, on the peer, with the peer's user
jq --arg port "$PEER_PORT_p" '.opcua[0] += {"ip_address": "127.0.0.1", "port": $port,
  "username": "operator", "password": "secret"}' BELmc/config/opcua_settings.json > ua.json
mv ua.json BELmc/config/opcua_settings.json
"$MDC" import-belmc BELmc -o mdc.json 2> notes.txt || fail "import-belmc: $(cat notes.txt)"
grep -q '"trust": "first-use"' mdc.json || fail "the OPC UA device pins on first use"
# only the OPC UA machine, into stdout
jq '.sinks = [{"type": "stdout"}] | .data_dir = "data"
  | (.devices[] | select(.driver != "opcua")) += {"enabled": false}' mdc.json > run.json
echo "OPCUA_PASSWORD=secret" > .env
"$MDC" run -c run.json --once > run.log 2> run.err || true
grep -q '"device": "opcua-14"' run.log || fail "no record: $(cat run.err)"
if grep -q '"error"' run.log; then fail "the first start did not read: $(grep -o '"error": .*' run.log)"; fi
pass "the imported OPC UA machine reads on the first start"
ls data/pki/trusted/ 2>/dev/null | grep -q . || ls -R data/pki | grep -qi pin ||
  fail "the server certificate was pinned somewhere in data/pki: $(ls -R data/pki)"
! grep -q "secret" run.err || fail "the password was logged"
pass "the server certificate is pinned"
