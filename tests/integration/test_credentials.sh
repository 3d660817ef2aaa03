#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Secrets from systemd: LoadCredential= puts copies in $CREDENTIALS_DIRECTORY; mdc takes a
# credential named like a variable as that variable and one ending in .env as a .env file,
# without overriding what is set. Under systemd (INVOCATION_ID), a .env beside the configuration
# that the service's user may not read (root:root 0600) is skipped, and a variable still missing
# names that file. mdc hems takes its B-route credentials the same way.
source "$(dirname "$0")/lib.sh"

mkdir conf creds
cat > conf/mdc.json <<'JSON'
{ "devices": [ { "id": "m1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:${METER_PORT}"},
    "points": [ {"name": "v", "function": 4, "address": 0, "type": "float32"} ] } ],
  "sinks": [ {"type": "webhook", "url": "http://127.0.0.1:9/hook", "headers": {"X-Token": "${API_TOKEN}"}} ] }
JSON
printf 'METER_PORT=1502\n# comment\nexport OTHER="x y"\n' > creds/mdc.env
printf 's3cr3t-Tok\n' > creds/API_TOKEN
printf 'ignored' > creds/gcp-key.json
export CREDENTIALS_DIRECTORY=$T/creds
"$MDC" check -c conf/mdc.json > out 2> err || fail "check with credentials: $(cat err)"
grep -q "tcp 127.0.0.1:1502, unit 1" out || fail "METER_PORT from the mdc.env credential: $(cat out)"
grep -q "s3cr3t-Tok" out && fail "the token credential shows in check output"
pass "a .env credential and a variable credential feed \${NAME}; the secret stays masked"

METER_PORT=1600 "$MDC" check -c conf/mdc.json > out 2> err || fail "check: $(cat err)"
grep -q "tcp 127.0.0.1:1600, unit 1" out || fail "a variable already set wins over a credential"
pass "variables already set win"

printf 'BROKEN LINE WITHOUT EQUALS\n' > creds/zz.env
set +e
"$MDC" check -c conf/mdc.json > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "a broken .env credential is a configuration error"
grep -q "creds/zz.env:1" err || fail "the error names the credential file and line: $(cat err)"
rm creds/zz.env

# a root-only .env beside the configuration, read by another user
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id nobody >/dev/null 2>&1; then
  echo "SKIP (part): needs root, setpriv and the user nobody"; exit 0
fi
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
if ! as_nobody test -x "$MDC"; then
  echo "SKIP (part): the user nobody cannot run $MDC (a directory above it is private)"; exit 0
fi
printf 'METER_PORT=1700\n' > conf/.env
chmod 0600 conf/.env
chmod 0755 "$T" conf creds && chmod 0644 conf/mdc.json creds/*
unset CREDENTIALS_DIRECTORY
set +e
as_nobody env API_TOKEN=t METER_PORT=1 "$MDC" check -c conf/mdc.json > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "outside systemd an unreadable .env is an error"
grep -q "conf/.env: Permission denied" err || fail "the error says why: $(cat err)"
as_nobody env INVOCATION_ID=0123 CREDENTIALS_DIRECTORY="$T/creds" "$MDC" check -c conf/mdc.json > out 2> err ||
  fail "under systemd the root-only .env is skipped: $(cat err)"
grep -q "tcp 127.0.0.1:1502, unit 1" out || fail "the credential's value is used"
pass "under systemd a root-only .env is left to the credential"
set +e
as_nobody env INVOCATION_ID=0123 "$MDC" check -c conf/mdc.json > out 2> err; rc=$?
set -e
assert_eq 2 "$rc" "a variable still missing is an error"
grep -q "conf/.env is not readable by this user: hand it to the service with LoadCredential=" err ||
  fail "the error names the unreadable file and the way out: $(cat err)"
pass "the error names the skipped .env"

# mdc hems: the B-route password as a credential (the run stops at the missing port: exit 1)
rm -f creds/*
printf '00112233445566778899AABBCCDDEEFF' > creds/B_ROUTE_ID
printf 'PASSWORD1234\n' > creds/B_ROUTE_PASSWORD
set +e
CREDENTIALS_DIRECTORY=$T/creds HEMS_DATA_DIR=$T/spool "$MDC" hems --port "$T/no-such-port" > out 2> err; rc=$?
set -e
assert_eq 1 "$rc" "mdc hems with credentials gets as far as opening the port"
grep -q "PASSWORD1234" err out && fail "the password shows in the output"
pass "mdc hems takes B_ROUTE_ID and B_ROUTE_PASSWORD from credentials"
