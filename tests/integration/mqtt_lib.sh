# SPDX-License-Identifier: Apache-2.0
# mqtt_lib.sh — a real mosquitto broker for MQTT tests (sourced after lib.sh).
#
#   broker_start NAME PORT [CONF_LINE...]  writes $T/NAME.conf (a loopback listener on PORT,
#                                          anonymous access unless a line says otherwise, plus
#                                          the given lines) and starts mosquitto with it
#   broker_stop NAME                       stops it (SIGTERM: a persistent broker saves its db)
#   subscribed NAME TOPIC [N]              waits until broker NAME has logged N (1) subscriptions
#                                          to TOPIC: a subscriber started in the background then
#                                          misses nothing published after (no sleep to guess it)
#   http_port LOGFILE                      the port mdc's HTTP server logged
command -v mosquitto >/dev/null || PATH=$PATH:/usr/sbin
command -v mosquitto >/dev/null && command -v mosquitto_sub >/dev/null ||
  { echo "SKIP: mosquitto or mosquitto-clients missing"; exit 77; }

broker_start() {
  local name=$1 port=$2; shift 2
  if [ ! -f "$T/$name.conf" ]; then
    {
      echo "listener $port 127.0.0.1"
      printf '%s\n' "$@"
      printf '%s\n' "$@" | grep -q '^allow_anonymous' || echo "allow_anonymous true"
      echo "user $(id -un)" # as root, mosquitto would drop to a user that cannot write $T
      echo "log_dest stderr"
      echo "log_type error"
      echo "log_type warning"
      echo "log_type notice"
      echo "log_type subscribe" # for subscribed()
    } > "$T/$name.conf"
  fi
  bg "$name" mosquitto -c "$T/$name.conf"
  wait_for 5 tcp_open "$port" || fail "broker $name did not start: $(cat "$T/$name.err" 2>/dev/null)"
}

subscribed() {
  local name=$1 topic=$2 n=${3:-1}
  count() { awk -v t="$topic" '$NF == t {c++} END {print c + 0}' "$T/$name.err" 2>/dev/null || echo 0; }
  enough() { [ "$(count)" -ge "$n" ]; }
  wait_for 20 enough || fail "no subscription to $topic at broker $name: $(tail -n 5 "$T/$name.err")"
}

broker_stop() {
  local pid; pid=$(eval echo "\${PID_$1:-}")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

http_port() {
  sed -n 's|.*serving the dashboard, API and metrics on http://[^ ]*:\([0-9]*\)/.*|\1|p' "$1" | tail -1
}
