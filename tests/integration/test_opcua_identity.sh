#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OPC UA identities against the node-opcua test peer. The server: its certificate must name the
# endpoint's host and the server's ApplicationUri whenever the certificate is used (refused with
# an error naming the host, the names found and the opt-out; accepted with the opt-out). The
# user: X.509 user certificates log in when the server trusts them, and a certificate it does
# not trust gets an error naming the certificate and the status (never the key).
source "$(dirname "$0")/lib.sh"
source "$MDC_SRC/tests/opcua/peer.sh"
peer_install

# users' certificates and keys, made by mdc itself (any X.509 certificate with an RSA key does)
"$MDC" opcua-cert --dir "$T/alice" --app-uri urn:user:alice >/dev/null
"$MDC" opcua-cert --dir "$T/mallory" --app-uri urn:user:mallory >/dev/null

# host: a certificate naming neither 127.0.0.1 nor this machine; uri: right host, another URI;
# users: trusts only alice's user certificate
peer_start host CERT_DNS=plant-7.invalid CERT_IP=192.0.2.77
peer_start uri CERT_DNS=localhost CERT_IP=127.0.0.1 CERT_URI=urn:other:server
peer_start users USER_AUTO_ACCEPT=0 "TRUSTED_USER_CERT=$T/alice/own/cert.pem"

# config FILE URL POLICY MODE PKI [extra device JSON ending in a comma]
config() {
  cat >"$1" <<JSON
{ "data_dir": "$T/data", "devices": [ { "id": "m", "driver": "opcua", "endpoint": "$2", "timeout": "30s",
    "security": {"policy": "$3", "mode": "$4"}, "trust": "first-use", "pki_dir": "$T/pki-$5",
    ${6:-} "nodes": { "power": "ns=2;s=Machine.Power" } } ] }
JSON
}

# refused FILE: mdc read fails; its output is in out and err
refused() {
  set +e
  OPCUA_PASSWORD=secret "$MDC" read -c "$1" m >out 2>err
  local rc=$?
  set -e
  [ "$rc" != 0 ] || fail "$1 was accepted: $(cat out)"
}
power() { OPCUA_PASSWORD=secret "$MDC" read -c "$1" m | jq -c .power; }

# --- the server's host name
config h.json "$PEER_URL_host" Basic256Sha256 SignAndEncrypt h
refused h.json
want='mdc read: m: server certificate "TestPeer" does not name the endpoint'"'"'s host "127.0.0.1" (its subjectAltName: DNS:plant-7.invalid, IP:192.0.2.77, URI:urn:testpeer:server); connect by a name it lists or give the server a certificate naming this host, or set "verify_hostname": false to skip this check'
assert_eq "$want" "$(cat err)" "a certificate not naming the endpoint's host is refused, saying why and how to opt out"
[ -z "$(ls -A "$T/pki-h/pinned" 2>/dev/null)" ] || fail "the certificate was pinned although refused"

# under None the certificate seals the password: checked too; anonymous None uses no certificate
config hn.json "$PEER_URL_host" None None hn '"user": "operator", "password": "${OPCUA_PASSWORD}",'
refused hn.json
grep -qF 'does not name the endpoint'"'"'s host "127.0.0.1"' err || fail "None with a password: $(cat err)"
config ha.json "$PEER_URL_host" None None ha
assert_eq 42.5 "$(power ha.json)" "anonymous None uses no server certificate, so none is checked"

config h2.json "$PEER_URL_host" Basic256Sha256 SignAndEncrypt h '"verify_hostname": false,'
assert_eq 42.5 "$(power h2.json)" "\"verify_hostname\": false connects"
[ -n "$(ls -A "$T/pki-h/pinned")" ] || fail "first use pins the certificate once accepted"
"$MDC" check -c h2.json >out
grep -qF "server certificate not checked for: the endpoint's host name" out ||
  fail "mdc check shows the opt-out: $(cat out)"
config hn2.json "$PEER_URL_host" None None hn '"user": "operator", "password": "${OPCUA_PASSWORD}", "verify_hostname": false,'
assert_eq 42.5 "$(power hn2.json)" "\"verify_hostname\": false with a sealed password under None"
pass "server host name checked against the certificate's subjectAltName"

# --- the server's ApplicationUri
config u.json "$PEER_URL_uri" Aes128_Sha256_RsaOaep Sign u
refused u.json
want='mdc read: m: server certificate "TestPeer" is not for the server'"'"'s ApplicationUri "urn:testpeer:server" (its subjectAltName: DNS:localhost, IP:127.0.0.1, URI:urn:other:server); fix the server'"'"'s certificate or ApplicationUri, or set "verify_application_uri": false to skip this check'
assert_eq "$want" "$(cat err)" "a certificate for another ApplicationUri is refused"
config u2.json "$PEER_URL_uri" Aes128_Sha256_RsaOaep Sign u '"verify_application_uri": false,'
assert_eq 42.5 "$(power u2.json)" "\"verify_application_uri\": false connects"
pass "server ApplicationUri checked against the certificate's subjectAltName"

# --- X.509 user certificates
cert=$T/alice/own/cert.pem key=$T/alice/own/private/key.pem
for combo in "Basic256Sha256 SignAndEncrypt" "Aes128_Sha256_RsaOaep Sign" "None None"; do
  set -- $combo
  config a.json "$PEER_URL_users" "$1" "$2" a "\"user_certificate\": \"$cert\", \"user_private_key\": \"$key\","
  assert_eq 42.5 "$(power a.json)" "user certificate login, $1/$2"
done
config a.json "$PEER_URL_users" Basic256Sha256 Sign a "\"user_certificate\": \"$T/alice/own/cert.der\", \"user_private_key\": \"$key\","
assert_eq 42.5 "$(power a.json)" "user certificate in DER"

mcert=$T/mallory/own/cert.pem mkey=$T/mallory/own/private/key.pem
config m.json "$PEER_URL_users" Basic256Sha256 SignAndEncrypt m "\"user_certificate\": \"$mcert\", \"user_private_key\": \"$mkey\","
refused m.json
thumb=$(sha1sum <"$T/mallory/own/cert.der" | cut -c1-40 | tr a-f A-F)
want="mdc read: m: login with user certificate \"mdc@$(hostname)\" (thumbprint $thumb) rejected: BadIdentityTokenRejected (0x80210000); the server must trust that certificate"
assert_eq "$want" "$(cat err)" "an untrusted user certificate is refused by name and status"
grep -v -- '-----' "$mkey" | while read -r line; do
  ! grep -qF "$line" out err || fail "the user's private key appears in the output"
done

config w.json "$PEER_URL_users" Basic256Sha256 SignAndEncrypt w "\"user_certificate\": \"$cert\", \"user_private_key\": \"$mkey\","
refused w.json
grep -qF "user private key \"$mkey\" does not belong to user certificate \"$cert\"" err ||
  fail "a key of another certificate: $(cat err)"
config w.json "$PEER_URL_users" Basic256Sha256 SignAndEncrypt w "\"user\": \"operator\", \"user_certificate\": \"$cert\", \"user_private_key\": \"$key\","
refused w.json
grep -qF 'log in with "user" and "password" or with a user certificate, not both' err ||
  fail "user name and certificate: $(cat err)"
pass "X.509 user certificates: trusted ones log in, others are refused with a clear error"

peer_stop users
peer_stop uri
peer_stop host
echo "test_opcua_identity: all passed"
