#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# OPC UA read mode against the node-opcua test peer: every value type, each security policy and
# identity, a wrong password, server certificate trust, MaxNodesPerRead splitting, chunked
# requests and responses, browsing.
source "$(dirname "$0")/lib.sh"
source "$MDC_SRC/tests/opcua/peer.sh"
peer_install
peer_start p MAX_NODES_PER_READ=4
URL=$PEER_URL_p

# config FILE POLICY MODE USER PASSWORD [extra device JSON]
config() {
  local file=$1 policy=$2 mode=$3 user=$4 pass=$5 extra=${6:-}
  local ident=""
  [ -n "$user" ] && ident="\"user\": \"$user\", \"password\": \"\${OPCUA_PASSWORD}\","
  cat >"$file" <<JSON
{ "data_dir": "$T/data", "sinks": [{"type": "stdout", "format": "json"}],
  "devices": [ { "id": "m", "machine_id": 14, "driver": "opcua", "endpoint": "$URL", "timeout": "30s",
    "security": {"policy": "$policy", "mode": "$mode"}, "trust": "first-use", $ident $extra
    "nodes": { "prog_status": "ns=2;s=Machine.ProgStatus", "power": "ns=2;s=Machine.Power",
               "program": "ns=2;s=Machine.ProgramName", "running": "ns=2;s=Machine.Running",
               "part_count": "nsu=urn:testpeer:machine;s=Machine.PartCount" },
    "status": {"production_when": {"node": "prog_status", "equals": 3}} } ] }
JSON
}

record() { jq -c 'del(.timestamp)'; }
BASE='"device":"m","machine_id":14,"status":2,"prog_status":3,"power":42.5,"program":"O1234.MPF","running":true,"part_count":0'

for combo in "None None" "None None operator" "Basic256Sha256 SignAndEncrypt operator" \
  "Aes128_Sha256_RsaOaep Sign" "Basic256Sha256 Sign" "Aes128_Sha256_RsaOaep SignAndEncrypt operator"; do
  set -- $combo
  config c.json "$1" "$2" "${3:-}" secret
  out=$(OPCUA_PASSWORD=secret "$MDC" read -c c.json m | record)
  assert_eq "{$BASE,\"shift\":1}" "$out" "read $1/$2/${3:-anonymous}"
done

# a wrong password: the error names the user, never the password
config c.json Basic256Sha256 SignAndEncrypt operator x
set +e
OPCUA_PASSWORD=hunter2 "$MDC" read -c c.json m >out 2>err; rc=$?
set -e
assert_eq 1 "$rc" "wrong password exits 1"
grep -q 'mdc read: m: login as user "operator" rejected: BadUserAccessDenied (0x801F0000)' err ||
  fail "wrong password message: $(cat out err)"
! grep -q hunter2 out err || fail "the password appears in the output"
pass "wrong password names the user, not the password"

# trust "directory": an unknown server certificate is refused and saved for approval
config c.json Basic256Sha256 SignAndEncrypt "" "" '"pki_dir": "'"$T"'/pki2",'
sed -i 's/"trust": "first-use", //' c.json
set +e
"$MDC" read -c c.json m >out 2>err; rc=$?
set -e
assert_eq 1 "$rc" "untrusted server exits 1"
rejected=$(ls "$T/pki2/rejected/")
[ -n "$rejected" ] || fail "rejected certificate saved"
cat out err >msg
grep -q "is not trusted; it was saved as" msg || fail "untrusted message: $(cat msg)"
grep -qF "$T/pki2/rejected/$rejected" msg || fail "the message names the saved file"
grep -qF "move it to $T/pki2/trusted/ to trust it" msg || fail "the message says what to do"
pass "untrusted server certificate refused: $(cut -c1-100 msg)..."
mv "$T/pki2/rejected/$rejected" "$T/pki2/trusted/"
out=$("$MDC" read -c c.json m | record)
assert_eq "{$BASE,\"shift\":1}" "$out" "trusted after moving it to trusted/"
[ -f "$T/pki2/own/cert.der" ] && [ "$(stat -c %a "$T/pki2/own/private/key.pem")" = 600 ] ||
  fail "client certificate and key kept in pki_dir"
before=$(sha1sum <"$T/pki2/own/cert.der")
"$MDC" read -c c.json m >/dev/null
assert_eq "$before" "$(sha1sum <"$T/pki2/own/cert.der")" "the same client certificate at every start"
if command -v openssl >/dev/null; then # the unit tests check the same without the tool
  openssl x509 -inform der -in "$T/pki2/own/cert.der" -noout -text >cert.txt
  grep -q "CA:FALSE" cert.txt && grep -q "URI:urn:" cert.txt &&
    grep -q "Digital Signature, Non Repudiation, Key Encipherment, Data Encipherment" cert.txt ||
    fail "certificate extensions: $(cat cert.txt)"
  pass "client certificate: CA:FALSE, key usage, application URI in subjectAltName"
fi

# every value type, converted to record fields
cat >t.json <<JSON
{ "data_dir": "$T/data", "devices": [ { "id": "t", "driver": "opcua", "endpoint": "$URL", "timeout": "30s",
  "nodes": { "b": "ns=2;s=Types.Boolean", "sb": "ns=2;s=Types.SByte", "by": "ns=2;s=Types.Byte",
    "i16": "ns=2;s=Types.Int16", "u16": "ns=2;s=Types.UInt16", "i32": "ns=2;s=Types.Int32",
    "u32": "ns=2;s=Types.UInt32", "i64": "ns=2;s=Types.Int64", "u64": "ns=2;s=Types.UInt64",
    "f": "ns=2;s=Types.Float", "d": "ns=2;s=Types.Double", "s": "ns=2;s=Types.String",
    "empty": "ns=2;s=Types.EmptyString", "dt": "ns=2;s=Types.DateTime",
    "bs": "ns=2;s=Types.ByteString", "g": "ns=2;s=Types.Guid", "lt": "ns=2;s=Types.LocalizedText",
    "qn": "ns=2;s=Types.QualifiedName", "sc": "ns=2;s=Types.StatusCode",
    "ia": "ns=2;s=Types.Int32Array", "da": "ns=2;s=Types.DoubleArray",
    "sa": "ns=2;s=Types.StringArray", "ba": "ns=2;s=Types.BooleanArray",
    "numeric": "i=2259", "missing": "ns=2;s=Nope" } } ] }
JSON
out=$("$MDC" read -c t.json t | record)
expected='{"device":"t","b":false,"sb":-5,"by":200,"i16":-1234,"u16":65000,"i32":-123456,"u32":4000000000,"i64":-4294967298,"u64":4294967298,"f":1.5,"d":-0.25,"s":"héllo \"world\"","empty":"","dt":"2026-11-22T06:00:05.123000+00:00","bs":"AAEC+vv8","g":"72962B91-FA75-4AE6-8D28-B404DC7DAF63","lt":"Hello","qn":"2:Q","sc":"BadNodeIdUnknown (0x80340000)","ia":"[1,-2,3]","da":"[0.5,1e+21,-3]","sa":"[\"a\",\"b\\\"c\",\"\"]","ba":"[true,false]","numeric":0,"missing":null,"shift":1,"errors":{"missing":"BadNodeIdUnknown (0x80340000)"}}'
assert_eq "$expected" "$out" "every built-in value type as a record field"

# MaxNodesPerRead 4 splits 25 nodes into 7 Reads; 8 KiB chunks both ways: a 200 kB string
# answer and a request of 300 nodes are chunked
nodes=$(for i in $(seq 1 300); do printf '"n%d": "ns=2;s=Types.Int32",' "$i"; done)
cat >big.json <<JSON
{ "data_dir": "$T/data", "devices": [ { "id": "big", "driver": "opcua", "endpoint": "$URL", "timeout": "30s",
  "buffer_size": 8192, "security": {"policy": "Basic256Sha256", "mode": "SignAndEncrypt"},
  "trust": "first-use", "pki_dir": "$T/pki3",
  "nodes": { $nodes "big": "ns=2;s=Types.BigString" } } ] }
JSON
"$MDC" read -c big.json big >out
assert_eq 200000 "$(jq -r '.big | length' out)" "a 200 kB value arrives in chunks"
assert_eq 300 "$(jq '[to_entries[] | select(.value == -123456)] | length' out)" "300 nodes read"
assert_eq null "$(jq -c .errors out)" "no errors in the chunked read"

# browse: children with node ids, classes and values
"$MDC" read -c t.json t --browse "ns=2;s=Machine" >out
grep -q '^children of ns=2;s=Machine (29):' out || fail "browse header: $(head -3 out)"
grep -qE '^ns=2;s=Machine.Power +Variable +Power = Double 42.5$' out || fail "browse line: $(cat out)"
grep -qE '^ns=2;s=Types.Int32Array +Variable +Int32Array = Int32\[\] \[1,-2,3\]$' out ||
  fail "browse array"
"$MDC" read -c t.json t --browse "ns=2;s=Machine" --browse-max 4 >out2
assert_eq "$(grep -v '^{' out)" "$(grep -v '^{' out2)" "browse in pieces of 4 (Browse + 7 BrowseNext) lists the same"
"$MDC" read -c t.json t --browse >out
grep -qE '^ns=2;s=Machine +Object +Machine$' out || fail "browse of Objects: $(cat out)"
pass "browse lists children with node ids, classes and values"

peer_stop p
echo "test_opcua_read: all passed"
