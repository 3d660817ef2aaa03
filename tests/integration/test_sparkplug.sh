#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The sparkplug sink against mosquitto, checked by an independent decoder: a Sparkplug host
# application in Node.js on Eclipse Tahu's sparkplug-payload (tests/sparkplug/host.js). mdc
# holds its births until the primary host's STATE says online; NBIRTH (bdSeq, Node
# Control/Rebirth), DBIRTH (names, aliases, datatypes, units), DDATA by alias only (resolved),
# DDEATH while the device is unreachable and DBIRTH when it is back, rebirth on NCMD, NDEATH
# with the matching bdSeq after kill -9 (the will) and on a clean stop, bdSeq going on across
# restarts, and records kept while the host is offline delivered once it is back.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"
command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node/npm missing"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }
PEER=$MDC_SRC/tests/sparkplug
(
  flock 9
  if ! (cd "$PEER" && node -e 'require("sparkplug-payload"); require("mqtt")' 2>/dev/null); then
    (cd "$PEER" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>"$T/npm.err") ||
      { echo "FAIL: npm ci of the Sparkplug test peer" >&2; cat "$T/npm.err" >&2; exit 1; }
  fi
) 9>"${TMPDIR:-/tmp}/mdc-sparkplug-peer-install.lock"

bport=$(free_port)
broker_start b "$bport"
sport=$(free_port)
start_sim() { bg sim "$MDC_SIM" modbus --tcp "127.0.0.1:$sport"; wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator"; }
start_sim
PORT=$bport CONTROL=$T/host.ctl HOST_ID=scada bg host node "$PEER/host.js"
wait_for 20 grep -q '^READY' host.log || fail "host application did not start: $(cat host.err)"
ctl() { echo "$*" >> host.ctl; }

cat > mdc.json <<JSON
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0"},
  "sinks": [ {"type": "sparkplug", "url": "mqtt://127.0.0.1:$bport", "group_id": "plant",
    "edge_node_id": "hall-2", "primary_host_id": "scada", "timeout": "2s"} ],
  "devices": [ { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$sport"},
    "interval": "300ms", "timeout": "300ms",
    "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32", "unit": "V"},
      {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "unit": "kW"},
      {"name": "energy_kwh", "function": 4, "address": 72, "type": "float32", "unit": "kWh"} ],
    "status": {"power": "power_kw", "production_above": 4.5} } ] }
JSON
msgs() { grep '^{' host.log | jq -c "select($1)"; }
count() { msgs "$1" | wc -l; }
has() { [ "$(count "$1")" -ge "${2:-1}" ]; }

# ---- held until the primary host is online ----
bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q 'primary host application "scada" is not known' mdc.err || fail "mdc waits for STATE"
assert_eq 0 "$(count '.type == "NBIRTH"')" "no NBIRTH while the primary host's STATE is unknown"
ctl state online
wait_for 15 has '.type == "NBIRTH"' || fail "NBIRTH once the host is online"
nb=$(msgs '.type == "NBIRTH"' | head -1)
b0=$(echo "$nb" | jq '.metrics[0].value') # every CONNECT takes the next bdSeq: the waits took some
assert_eq '0 [{"name":"bdSeq","datatype":"Int64","value":'"$b0"'},{"name":"Node Control/Rebirth","datatype":"Boolean","value":false}]' \
  "$(echo "$nb" | jq -c '"\(.seq) \([.metrics[] | {name, datatype, value}])"' -r)" "NBIRTH: seq 0, bdSeq, Node Control/Rebirth"

# ---- DBIRTH and DDATA ----
wait_for 15 has '.type == "DBIRTH"' || fail "DBIRTH"
db=$(msgs '.type == "DBIRTH"' | head -1)
assert_eq "spBv1.0/plant/DBIRTH/hall-2/meter-1 1" "$(echo "$db" | jq -r '"\(.topic) \(.seq)"')" "DBIRTH topic and seq"
units=$(echo "$db" | jq -c '[.metrics[] | .unit]')
assert_eq '[null,"V","kW","kWh",null]' "$units" "units from the catalog as engUnit properties"
assert_eq '[{"name":"status","alias":65537,"datatype":"Int32"},{"name":"voltage_l1","alias":65538,"datatype":"Double"},{"name":"power_kw","alias":65539,"datatype":"Double"},{"name":"energy_kwh","alias":65540,"datatype":"Double"},{"name":"shift","alias":65541,"datatype":"Int64"}]' \
  "$(echo "$db" | jq -c '[.metrics[] | {name, alias, datatype}]')" "DBIRTH: every metric with name, alias, datatype"
wait_for 15 has '.type == "DDATA"' 3 || fail "DDATA"
dd=$(msgs '.type == "DDATA"' | head -1)
assert_eq true "$(echo "$dd" | jq '[.metrics[] | .resolved and (.name != null) and (.alias != null)] | all')" \
  "DDATA carries aliases only, each resolved to its name from the DBIRTH"
assert_eq "" "$(msgs '.type == "DDATA"' | jq -c 'select(.metrics | map(.name) | index("shift"))' | head -1)" \
  "report by exception: the unchanged shift is not sent again"
seqs=$(msgs '.group == "plant" and .type != "NDEATH"' | jq -r .seq | head -6 | tr '\n' ' ')
assert_eq "0 1 2 3 4 5 " "$seqs" "seq counts up from the NBIRTH"

# ---- rebirth on NCMD ----
n0=$(count '.type == "NBIRTH"')
ctl rebirth plant hall-2
wait_for 15 has '.type == "NBIRTH"' $((n0 + 1)) || fail "NBIRTH after NCMD rebirth"
wait_for 15 has '.type == "DBIRTH"' 2 || fail "DBIRTH after NCMD rebirth"
assert_eq "0 $b0" "$(msgs '.type == "NBIRTH"' | tail -1 | jq -r '"\(.seq) \(.metrics[0].value)"')" \
  "rebirth: NBIRTH with seq 0 and the same bdSeq"

# ---- the device unreachable: DDEATH; back: DBIRTH ----
kill "$PID_sim"; wait "$PID_sim" 2>/dev/null || true
wait_for 15 has '.type == "DDEATH"' || fail "DDEATH when the meter is unreachable"
nbirths=$(count '.type == "DBIRTH"')
start_sim
wait_for 15 has '.type == "DBIRTH"' $((nbirths + 1)) || fail "DBIRTH when the meter is back"
pass "DDEATH while unreachable, DBIRTH when back"

# ---- kill -9: the broker publishes NDEATH with the NBIRTH's bdSeq ----
kill -9 "$PID_mdc"; wait "$PID_mdc" 2>/dev/null || true
wait_for 15 has '.type == "NDEATH"' || fail "NDEATH after kill -9"
assert_eq "$b0 null" "$(msgs '.type == "NDEATH"' | tail -1 | jq -r '"\(.metrics[0].value) \(.seq)"')" \
  "the will: NDEATH with the NBIRTH's bdSeq ($b0) and no seq"
assert_eq $((b0 + 1)) "$(cat data/sparkplug-plant-hall-2.bdseq)" "the next bdSeq is stored"

# ---- restart: bdSeq goes on; clean stop: NDEATH by mdc ----
bg mdc2 "$MDC" run -c mdc.json
b1=$((b0 + 1))
wait_for 15 has ".type == \"NBIRTH\" and .metrics[0].value == $b1" || fail "NBIRTH with bdSeq $b1 after the restart"
pass "bdSeq continues across restarts ($b0 -> $b1)"
# ---- the host goes offline: mdc stops publishing and keeps the records ----
wait_for 15 has '.type == "DDATA"' 5
ctl state offline
wait_for 15 has ".type == \"NDEATH\" and .metrics[0].value == $b1" || fail "NDEATH when the primary host went offline"
off_ms=$(( $(date +%s%N) / 1000000 ))
sleep 2
ctl state online
nbirth_after() { has ".type == \"NBIRTH\" and .metrics[0].value > $b1"; }
wait_for 15 nbirth_after || fail "a new NBIRTH once the host is back"
b2=$(msgs '.type == "NBIRTH"' | tail -1 | jq '.metrics[0].value')
on_ms=$(( $(date +%s%N) / 1000000 ))
held() { has ".metrics[0].timestamp > $off_ms and .metrics[0].timestamp < $on_ms and (.type == \"DDATA\" or .type == \"DBIRTH\")"; }
wait_for 15 held || fail "records taken while the host was offline arrive after it is back"
pass "records held while the primary host was offline, delivered after"
kill -TERM "$PID_mdc2"; wait "$PID_mdc2" 2>/dev/null || true
wait_for 10 has ".type == \"NDEATH\" and .metrics[0].value == $b2" || fail "NDEATH on a clean stop"
pass "a clean stop publishes NDEATH with the session's bdSeq"
if grep '^{' host.log | grep -q '"error"'; then fail "the decoder failed on: $(grep '"error"' host.log | head -1)"; fi
pass "every payload decoded by Tahu's sparkplug-payload"
