#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Home Assistant MQTT discovery against a real mosquitto: after connect, a retained config per
# device field under homeassistant/sensor/NODE/DEVICE_FIELD/config and, with the first record
# that has a status, the machine status as an enum sensor; each config's state_topic and
# value_template give the value a Home Assistant would show; a device dropped from the
# configuration has its configs removed (empty retained messages) on the next start.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq missing"; exit 77; }

bport=$(free_port)
broker_start b "$bport"
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)

dev() { # ID
  printf '{ "id": "%s", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%s"}, "interval": "1s",
    "points": [ {"name": "voltage_l1", "function": 4, "address": 0, "type": "float32", "unit": "V"},
      {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001} ],
    "status": {"power": "power_kw", "production_above": 4.5} }' "$1" "$port"
}
mkcfg() { # DEVICES...
  local devs="" d
  for d in "$@"; do devs="$devs${devs:+,} $(dev "$d")"; done
  cat > mdc.json <<JSON
{ "data_dir": "data", "sinks": [ {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "topic": "mdc/{device}",
    "status_topic": "mdc/{device}/status", "homeassistant": {"node_id": "hall2"}} ],
  "devices": [ $devs ] }
JSON
}
configs() { mosquitto_sub -p "$bport" -t 'homeassistant/#' -W 2 -F '%t %p' 2>/dev/null || true; }

mkcfg meter-1 meter-2
bg mdc "$MDC" run -c mdc.json
has_status_config() { configs | grep -q '^homeassistant/sensor/hall2/meter-2_status/config {'; }
wait_for 20 has_status_config || fail "discovery configs published"
configs | sort > c1.txt
for d in meter-1 meter-2; do
  for f in voltage_l1 power_kw status; do
    grep -q "^homeassistant/sensor/hall2/${d}_$f/config {" c1.txt || fail "no config for $d $f: $(cat c1.txt)"
  done
done
pass "a retained config per field (the catalog's) and the status of each device"
status_cfg=$(grep '^homeassistant/sensor/hall2/meter-1_status/config ' c1.txt | cut -d' ' -f2-)
assert_eq '{"name": "Machine status", "unique_id": "hall2_meter-1_status", "state_topic": "mdc/meter-1/status", "value_template": "{{ ['"'"'OFF'"'"', '"'"'ON'"'"', '"'"'PRODUCTION'"'"'][value_json.status] }}", "device_class": "enum", "options": ["OFF", "ON", "PRODUCTION"], "availability_topic": "mdc/availability", "qos": 1, "device": {"identifiers": ["hall2_meter-1"], "name": "meter-1", "manufacturer": "mdc", "model": "modbus"}, "origin": {"name": "mdc", "sw_version": "'"$("$MDC" --version | awk '{print $2}')"'"}}' \
  "$status_cfg" "the status enum sensor, exactly"
# every config: valid JSON, one device per mdc device, the availability topic, a state topic
while read -r topic payload; do
  echo "$payload" | jq -e '.state_topic and .unique_id and .value_template and
    .availability_topic == "mdc/availability" and (.device.identifiers | length) == 1 and
    .device.manufacturer == "mdc" and .origin.name == "mdc"' >/dev/null || fail "$topic: $payload"
done < c1.txt
pass "every config has state_topic, unique_id, value_template, availability and device"
# what Home Assistant would show: the state topic's JSON through the value template's path
vcfg=$(grep '^homeassistant/sensor/hall2/meter-1_voltage_l1/config ' c1.txt | cut -d' ' -f2-)
st=$(echo "$vcfg" | jq -r .state_topic)
assert_eq "{{ value_json.voltage_l1 }}" "$(echo "$vcfg" | jq -r .value_template)" "value template"
v=$(mosquitto_sub -p "$bport" -t "$st" -C 1 -W 5 | jq -r .voltage_l1)
assert_eq 230.1 "$v" "the state topic carries the value the template picks"
s=$(mosquitto_sub -p "$bport" -t mdc/meter-1/status -C 1 -W 5 | jq -r '["OFF","ON","PRODUCTION"][.status]')
assert_eq PRODUCTION "$s" "the status template's value"

# ---- meter-2 leaves the configuration: its configs are removed on the next start ----
kill -TERM "$PID_mdc"; wait "$PID_mdc" 2>/dev/null || true
mkcfg meter-1
bg removed mosquitto_sub -p "$bport" -t 'homeassistant/sensor/hall2/+/config' -F '%t [%p]'
subscribed b 'homeassistant/sensor/hall2/+/config'
bg mdc2 "$MDC" run -c mdc.json
n2=$(grep -c '^homeassistant/sensor/hall2/meter-2_' c1.txt)
n1=$(grep -c '^homeassistant/sensor/hall2/meter-1_' c1.txt)
removed_all() { [ "$(grep -c '^homeassistant/sensor/hall2/meter-2_.* \[\]$' removed.log)" -eq "$n2" ]; }
wait_for 20 removed_all || fail "meter-2's configs removed: $(cat removed.log)"
pass "the $n2 configs of meter-2 removed with empty retained messages"
assert_eq "" "$(configs | grep meter-2)" "no retained config of meter-2 left"
assert_eq "$n1" "$(configs | grep -c '^homeassistant/sensor/hall2/meter-1_')" "meter-1's $n1 configs stay"
