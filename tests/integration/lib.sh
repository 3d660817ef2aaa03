# SPDX-License-Identifier: Apache-2.0
# lib.sh — helpers for integration tests (sourced). Each test runs in its own temporary
# directory, which is removed at exit with every process the test started.
set -euo pipefail

: "${MDC:?MDC (path to the mdc binary) must be set}"
: "${MDC_SIM:?MDC_SIM (path to mdc-sim) must be set}"
MDC_SRC=${MDC_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Under valgrind or sanitizers everything is slower.
MDC_WRAP=${MDC_WRAP:-}

T=$(mktemp -d /tmp/mdc-it-XXXXXX)
PIDS=()
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    echo "--- FAILED; files in $T:" >&2
    for f in "$T"/*.log "$T"/*.err; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  fi
  rm -rf "$T"
  exit $rc
}
trap cleanup EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

assert_eq() { # expected actual message
  if [ "$1" != "$2" ]; then
    printf 'FAIL: %s\n--- expected:\n%s\n--- actual:\n%s\n' "$3" "$1" "$2" >&2
    exit 1
  fi
  pass "$3"
}

# wait_for SECONDS COMMAND...: retries COMMAND every 0.1 s until it succeeds.
wait_for() {
  local deadline=$(( $(date +%s%N) + $1 * 1000000000 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s%N)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# need_node MAJOR: skips the test (exit 77) unless node and npm are there, at that version or newer.
need_node() {
  command -v node >/dev/null && command -v npm >/dev/null || { echo "SKIP: node/npm missing"; exit 77; }
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  [ "$major" -ge "$1" ] ||
    { echo "SKIP: needs Node.js $1 or newer, this is $(node --version) (Debian 12 ships 18)"; exit 77; }
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
    echo $(( 20000 + RANDOM % 20000 ))
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# bg NAME COMMAND...: starts COMMAND in the background, stdout/stderr to NAME.log/NAME.err.
bg() {
  local name=$1; shift
  # emptied here, before the fork: the child opens them when it is scheduled, and a test that
  # waits on NAME.err right away must not read the previous NAME's lines (a restart under load)
  : >"$T/$name.log"
  : >"$T/$name.err"
  "$@" >"$T/$name.log" 2>"$T/$name.err" &
  PIDS+=($!)
  eval "PID_$name=$!"
}

# sim_ports NAME COUNT [ARGS...]: mdc-sim modbus (ARGS) on COUNT consecutive loopback ports below
# the ephemeral range, as bg NAME; another range when one of them is taken (a test suite running
# beside this one). Sets SIM_BASE, the first port.
sim_ports() {
  local name=$1 count=$2 pid; shift 2
  for _ in $(seq 20); do
    SIM_BASE=$(( 12000 + RANDOM % (32000 - 12000 - count) ))
    bg "$name" "$MDC_SIM" modbus --tcp "127.0.0.1:$SIM_BASE" --ports "$count" "$@"
    pid=$(eval echo "\$PID_$name")
    wait_for 10 grep -q '^tcp:' "$T/$name.log" && return 0
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    grep -q 'Address already in use' "$T/$name.err" || break
  done
  fail "simulator $name did not start on $count free ports: $(cat "$T/$name.err")"
}

sql() { sqlite3 -batch -noheader "$@"; }
