# SPDX-License-Identifier: Apache-2.0
# pubsub_peer.sh — the Pub/Sub endpoint of the fault tests (sourced after fault_lib.sh):
# sink_server.py as the Pub/Sub emulator, with injected faults, a poison marker, and restarts
# on the same port. Each message carries its record id (attribute mdc_record_id).
SINKS=("pubsub|pubsub:ps.jsonl|0|0|pubsub:")

ps_start() {
  rm -f "$SC/ps.port"
  sbg ps python3 "$SINK_SERVER" --emulator --port-file "$SC/ps.port" --log "$SC/ps.jsonl" \
    --faults "$SC/faults" --refuse-file "$SC/poison" --hang 3 --seed "$RANDOM" --port "${PS_PORT:-0}"
  wait_for 10 test -s "$SC/ps.port" || fail "the Pub/Sub endpoint did not start"
  PS_PORT=$(cat "$SC/ps.port")
}
peer_setup() { PS_PORT=0; ps_start; }
peer_stop() { kill "$PID_ps"; wait "$PID_ps" 2>/dev/null || true; }
peer_start() { ps_start; }
peer_faults() { if [ "$1" = 0 ]; then rm -f "$SC/faults"; else echo "$1" > "$SC/faults"; fi; }
poison_refuse() { echo "$POISON_TEXT" > "$SC/poison"; }
poison_fix() { rm -f "$SC/poison"; }
# The store beside it: the sink that notices a spool that went back in time.
sinks_json() {
  echo "{\"type\": \"pubsub\", \"project\": \"plant-1\", \"topic\": \"records\", \"emulator_host\": \"127.0.0.1:$PS_PORT\", \"timeout\": \"2s\"}, {\"type\": \"sqlite\"}"
}
