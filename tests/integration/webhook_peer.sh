# SPDX-License-Identifier: Apache-2.0
# webhook_peer.sh — the webhook receiver of the fault tests (sourced after fault_lib.sh):
# sink_server.py with injected faults, a poison marker, and restarts on the same port.
SINKS=("webhook|webhook:web.jsonl|0|0|webhook:")

web_start() {
  rm -f "$SC/web.port"
  sbg web python3 "$SINK_SERVER" --port-file "$SC/web.port" --log "$SC/web.jsonl" \
    --faults "$SC/faults" --refuse-file "$SC/poison" --hang 3 --seed "$RANDOM" --port "${WEB_PORT:-0}"
  wait_for 10 test -s "$SC/web.port" || fail "the webhook receiver did not start"
  WEB_PORT=$(cat "$SC/web.port")
}
peer_setup() { WEB_PORT=0; web_start; }
peer_stop() { kill "$PID_web"; wait "$PID_web" 2>/dev/null || true; }
peer_start() { web_start; }
peer_faults() { if [ "$1" = 0 ]; then rm -f "$SC/faults"; else echo "$1" > "$SC/faults"; fi; }
poison_refuse() { echo "$POISON_TEXT" > "$SC/poison"; }
poison_fix() { rm -f "$SC/poison"; }
# The store beside it: the sink that notices a spool that went back in time.
sinks_json() {
  echo "{\"type\": \"webhook\", \"url\": \"http://127.0.0.1:$WEB_PORT/in\", \"timeout\": \"2s\"}, {\"type\": \"sqlite\"}"
}
