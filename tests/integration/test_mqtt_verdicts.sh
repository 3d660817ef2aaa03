#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The mqtt sink's verdicts and availability against a real mosquitto, in MQTT 5 and 3.1.1:
# a record the broker refuses for good (MQTT 5: PUBACK 0x87 not authorized by the broker's ACL;
# a packet larger than the broker's maximum packet size, refused by libmosquitto) goes to the
# dead-letter table with its class after `dead_letter_after` tries while the other devices'
# records keep flowing; MQTT 5 properties on the messages (content type, payload format, expiry,
# user properties, the record's sequence number); the retained availability topic: "online"
# after connect, "offline" as the Last Will after kill -9 and on a clean stop.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mqtt_lib.sh"

cat > acl <<'ACL'
topic readwrite v/meter-1
topic readwrite v/meter-2
topic readwrite v/availability
topic read v/#
ACL
bport=$(free_port)
broker_start b "$bport" "acl_file $T/acl" "max_packet_size 400"
bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)

# meter-1: a small record; meter-2: a record over 400 bytes; meter-3: a topic the ACL denies
point() { printf '{"name": "%s", "function": 4, "address": %d, "type": "float32"}' "$1" "$2"; }
many=$(for i in $(seq 1 14); do point "voltage_long_name_$i" 0; echo ,; done | tr -d '\n')
mkcfg() { # PROTOCOL EXTRA
  cat > mdc.json <<JSON
{ "data_dir": "data", "spool": {"dead_letter_after": 2},
  "sinks": [ {"type": "mqtt", "url": "mqtt://127.0.0.1:$bport", "topic": "v/{device}",
     "protocol": "$1", "timeout": "3s" $2} ],
  "devices": [
    { "id": "meter-1", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ $(point voltage_l1 0) ] },
    { "id": "meter-2", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ $many $(point voltage_l1 0) ] },
    { "id": "meter-3", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"}, "interval": "1s",
      "points": [ $(point voltage_l1 0) ] } ] }
JSON
}
dead() { sql data/spool.db "SELECT count(*) FROM dead_letters WHERE reason = '$1'" 2>/dev/null || echo 0; }
dead_at_least() { [ "$(dead "$1")" -ge "$2" ]; }
count_at_least() { [ "$(grep -c "$1" sub.log)" -ge "$2" ]; }
avail_is() { [ "$(avail)" = "$1" ]; }
avail() { mosquitto_sub -p "$bport" -t v/availability -C 1 -W 5 -F '%r %p'; }

# ---- MQTT 5 ----
mkcfg 5 ', "message_expiry": "1h", "user_properties": {"site": "hall 2"}'
bg sub mosquitto_sub -V mqttv5 -p "$bport" -t 'v/#' -F '%t|%C|%F|%E|%P|%p'
subscribed b 'v/#'
bg mdc "$MDC" run -c mdc.json
wait_for 20 dead_at_least not_authorized 2 || fail "records of meter-3 dead-lettered as not_authorized"
wait_for 20 dead_at_least packet_too_large 2 || fail "records of meter-2 dead-lettered as packet_too_large"
pass "refused records dead-lettered: $(dead not_authorized) not_authorized, $(dead packet_too_large) packet_too_large"
err3=$(sql data/spool.db "SELECT error FROM dead_letters WHERE reason = 'not_authorized' LIMIT 1")
case "$err3" in
  *"the broker refused the message on v/meter-3"*"reason code 0x87 Not authorized"*) pass "the error names the topic and the reason code: $err3" ;;
  *) fail "dead letter error: $err3" ;;
esac
err2=$(sql data/spool.db "SELECT error FROM dead_letters WHERE reason = 'packet_too_large' LIMIT 1")
case "$err2" in
  *"cannot take the message on v/meter-2"*) pass "oversize: $err2" ;;
  *) fail "dead letter error: $err2" ;;
esac
tries=$(sql data/spool.db "SELECT DISTINCT tries FROM dead_letters")
assert_eq 2 "$tries" "each refused record was tried dead_letter_after (2) times"
n1=$(grep -c '^v/meter-1|' sub.log)
wait_for 20 count_at_least '^v/meter-1|' $((n1 + 5)) || fail "meter-1 keeps flowing"
pass "meter-1's records keep flowing past the refused ones"
line=$(grep '^v/meter-1|' sub.log | head -1 | sed -E 's/"timestamp": "[^"]*"/"timestamp": T/; s/mdc-seq:[0-9]+/mdc-seq:N/; s/\|3[0-9]{3}\|/|E|/')
assert_eq 'v/meter-1|application/json|1|E|site:hall 2 mdc-seq:N|{"timestamp": T, "device": "meter-1", "voltage_l1": 230.1, "shift": 1}' \
  "$line" "MQTT 5 properties: content type, UTF-8 payload format, expiry, user properties, record sequence"
assert_eq "1 online" "$(avail)" "retained availability: online"

# ---- kill -9: the broker publishes the Last Will ----
kill -9 "$PID_mdc"; wait "$PID_mdc" 2>/dev/null || true
wait_for 10 grep -q '^v/availability|.*|offline$' sub.log || fail "the will (offline) after kill -9"
assert_eq "1 offline" "$(avail)" "after kill -9 the retained availability says offline"

# ---- MQTT 3.1.1: the same availability; a clean stop says offline ----
# (a 3.1.1 broker cannot say why it refuses: mosquitto drops what its ACL denies after a plain
# PUBACK, and closes the connection on a packet over max_packet_size; so no size limit here)
kill "$PID_sub"
broker_stop b
bport=$(free_port)
broker_start b2 "$bport" "acl_file $T/acl"
rm -rf data
mkcfg 3.1.1 ''
bg sub2 mosquitto_sub -V mqttv5 -p "$bport" -t 'v/#' -F '%t|%C|%F|%E|%P|%p'
subscribed b2 'v/#'
bg mdc2 "$MDC" run -c mdc.json
wait_for 10 grep -q '^v/availability|.*|online$' sub2.log || fail "online again (3.1.1)"
wait_for 10 grep -q '^v/meter-1|' sub2.log || fail "3.1.1: data"
line=$(grep '^v/meter-1|' sub2.log | head -1 | cut -d'|' -f1-5)
assert_eq 'v/meter-1||||' "$line" "MQTT 3.1.1: no properties"
kill -TERM "$PID_mdc2"; wait "$PID_mdc2" 2>/dev/null || true
assert_eq "1 offline" "$(avail)" "a clean stop leaves offline"
bg mdc3 "$MDC" run -c mdc.json
wait_for 10 avail_is "1 online" || fail "online after restart"
kill -9 "$PID_mdc3"; wait "$PID_mdc3" 2>/dev/null || true
wait_for 10 avail_is "1 offline" || fail "3.1.1: the will after kill -9"
pass "3.1.1: the will after kill -9"
