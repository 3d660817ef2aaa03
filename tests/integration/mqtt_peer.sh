# SPDX-License-Identifier: Apache-2.0
# mqtt_peer.sh — a mosquitto broker for the fault tests (sourced after mqtt_lib.sh and
# fault_lib.sh), persistent so that a stop (SIGTERM) and start keeps what it queued, and two
# persistent-session MQTT 5 subscribers at QoS 2 that stay for the whole scenario (they
# reconnect by themselves): what a consumer receives is what counts. Two mqtt sinks publish the
# same records over MQTT 5 (the protocol that can say "refused"), one at QoS 1 (at least once:
# duplicates are reported; the user property mdc-seq must be a stable key) and one at QoS 2
# (duplicates fail, except after kill -9 of mdc: the MQTT session dies with the process, and a
# message the broker took just before is sent again from the spool; mdc-seq is its key). The poison record is a payload over the broker's message_size_limit (the
# meters are frozen in that scenario, so every other payload has the same length): mosquitto
# answers reason code 0x95, packet too large. With MQTT_VIA_PROXY the sinks reach the broker
# through fault_proxy.py (peer_faults); the subscribers do not.
broker_conf() {
  echo "persistence true"
  echo "persistence_location $SC/bdb/"
  echo "autosave_interval 0"
  echo "max_queued_messages 1000000"
  echo "max_inflight_messages 0"
  [ -z "${MQTT_LIMIT:-}" ] || echo "message_size_limit $MQTT_LIMIT"
  [ -z "${FAULT_MQTT_DEBUG:-}" ] || echo "log_type all"
}
peer_setup() {
  BROKER=b_$(basename "$SC" | tr -c 'a-zA-Z0-9_\n' _) BPORT=$(free_port) MQTT_LIMIT=
  mkdir -p "$SC/bdb"
  peer_start
  local q
  for q in 1 2; do
    sbg "sub$q" mosquitto_sub -p "$BPORT" -V 5 -x 3600 -D connect receive-maximum 65535 \
      -i "fault-sub-$q" -c -q 2 -t "q$q/#" -F '%P|%p'
  done
  # both subscribed before mdc publishes: a probe reaches each
  for q in 1 2; do
    wait_for 10 probe "$q" || fail "subscriber $q did not receive the probe"
  done
  SPORT=$BPORT
  if [ -n "${MQTT_VIA_PROXY:-}" ]; then proxy_start "$BPORT" 2; SPORT=$PROXY_PORT; fi
  SINKS=("mqtt_qos1|mqtt:sub1.log|0|0|mqtt:127.0.0.1:$SPORT/q1/" "mqtt_qos2|mqtt:sub2.log|2|0|mqtt:127.0.0.1:$SPORT/q2/")
}
peer_faults() { peer_faults_file "$1"; }
probe() {
  mosquitto_pub -p "$BPORT" -V 5 -q 1 -t "q$1/probe" -m '{"probe": true}' && sleep 0.2 &&
    grep -q '"probe"' "$SC/sub$1.log"
}
peer_check() {
  local q
  for q in 1 2; do
    kill -0 "$(eval echo "\$PID_sub$q")" 2>/dev/null ||
      { echo "subscriber $q is gone: $(cat "$SC/sub$q.err")" >&2; return 1; }
  done
}
peer_stop() { broker_stop "$BROKER"; cat "$T/$BROKER.err" >> "$SC/broker.err"; }
peer_start() {
  local conf
  mapfile -t conf < <(broker_conf)
  rm -f "$T/$BROKER.conf" # written again with the current lines
  broker_start "$BROKER" "$BPORT" "${conf[@]}"
}
poison_refuse() {
  # just above the longest payload so far (all but the poison have the same length)
  MQTT_LIMIT=$(awk '/"device"/ {l = length($0) - index($0, "|"); if (l > m) m = l} END {print m + 4}' "$SC/sub1.log")
  peer_stop
  peer_start
}
poison_fix() { MQTT_LIMIT=; peer_stop; peer_start; }
# The store beside them: a sink that notices a spool that went back in time.
sinks_json() {
  cat <<JSON
{"type": "sqlite"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$SPORT", "topic": "q1/{device}", "qos": 1, "protocol": "5", "client_id": "mdc-q1", "timeout": "2s"},
    {"type": "mqtt", "url": "mqtt://127.0.0.1:$SPORT", "topic": "q2/{device}", "qos": 2, "protocol": "5", "client_id": "mdc-q2", "timeout": "2s"}
JSON
}
# Placeholders until peer_setup picks the port (fault_poison counts the refusing sinks).
SINKS=("mqtt_qos1|-|0|0|mqtt:" "mqtt_qos2|-|2|0|mqtt:")
