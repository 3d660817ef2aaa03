# SPDX-License-Identifier: Apache-2.0
# peer.sh — starts and stops the node-opcua test peer (server.js) for OPC UA tests (sourced by
# tests/integration/test_opcua_*.sh after lib.sh, and by bench/opcua.sh).
#
#   peer_install                 npm install into tests/opcua/node_modules once (locked)
#   peer_start NAME [VAR=VALUE]  starts a server on a free loopback port with a fresh PKI in
#                                $T/NAME-pki; sets PEER_URL_NAME and PEER_PORT_NAME
#   peer_restart NAME            stops it and starts it again on the same port and PKI
#   peer_stop NAME
#   peer_set NAME VAR JSON       changes a variable ("Machine.PartCount" 7)
PEER_DIR=${MDC_SRC:?}/tests/opcua

peer_install() {
  need_node 20 # the locked node-opcua needs ES modules that Node.js 18 cannot require
  (
    flock 9
    if ! (cd "$PEER_DIR" && node -e 'require("node-opcua-server")' 2>/dev/null); then
      (cd "$PEER_DIR" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>"$T/npm.err") ||
        (cd "$PEER_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null 2>>"$T/npm.err") ||
        { echo "FAIL: npm install of the OPC UA test peer failed" >&2; cat "$T/npm.err" >&2; exit 1; }
    fi
  ) 9>"${TMPDIR:-/tmp}/mdc-opcua-peer-install.lock"
}

# peer_launch NAME PORT [VAR=VALUE...]
peer_launch() {
  local name=$1 port=$2; shift 2
  : >>"$T/$name.ctl"
  env HOME="$T/$name-home" PORT="$port" PKI_ROOT="$T/$name-pki" CONTROL="$T/$name.ctl" "$@" \
    node "$PEER_DIR/server.js" >"$T/$name.log" 2>"$T/$name.err" &
  PIDS+=($!)
  eval "PEER_PID_$name=$!"
  eval "PEER_ENV_$name=\"\$*\""
  local i
  for i in $(seq 1 600); do # 60 s: a busy machine makes node slow to start
    if grep -q '^LISTENING' "$T/$name.log" 2>/dev/null; then
      eval "PEER_URL_$name=$(awk '/^LISTENING/{print $2; exit}' "$T/$name.log")"
      eval "PEER_PORT_$name=$port"
      return 0
    fi
    kill -0 "$(eval echo \$PEER_PID_$name)" 2>/dev/null || break
    sleep 0.1
  done
  echo "FAIL: OPC UA test peer $name did not start" >&2
  tail -n 20 "$T/$name.err" >&2
  return 1
}

peer_start() {
  local name=$1; shift
  peer_launch "$name" "$(free_port)" "$@"
}

peer_stop() {
  local pid; pid=$(eval echo "\${PEER_PID_$1:-}")
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

peer_restart() {
  local name=$1 port env
  port=$(eval echo "\$PEER_PORT_$name"); env=$(eval echo "\$PEER_ENV_$name")
  peer_stop "$name"
  mv "$T/$name.log" "$T/$name.log.1"
  # shellcheck disable=SC2086
  peer_launch "$name" "$port" $env
}

peer_set() {
  echo "set $2 $3" >>"$T/$1.ctl"
}
