#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# LSV2 benchmarks against `mdc-sim lsv2` on loopback (figures, not a pass/fail test):
#  1. bench_lsv2: polls/s of the seed's five telegrams through a bare loop, mdc's session and
#     mdc's driver, and the client CPU per poll;
#  2. the daemon: four controls polled every second for SECONDS, three of them offline, once as
#     closed ports (connection refused) and once as black holes (connect() never completes:
#     a listener whose accept queue is full), with the live control's lateness behind its
#     whole-second slot (mean, p99, max), missed slots, and mdc's CPU per poll.
# Usage: bench/lsv2.sh [BUILD] [SECONDS]
set -euo pipefail
build=$(realpath "${1:-build}"); secs=${2:-30}
mdc="$build/mdc"; sim="$build/mdc-sim"
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"

# Background processes are started from this shell (never inside $(...)) so that the EXIT trap
# finds them with `jobs -p`.
"$sim" lsv2 --listen 127.0.0.1:0 --state started > sim.log 2>&1 < /dev/null &
for _ in $(seq 50); do grep -q '^listening' sim.log && break; sleep 0.1; done
port=$(sed -n 's/^listening 127.0.0.1:\([0-9]*\)$/\1/p' sim.log | head -1)
"$build/bench/bench_lsv2" "127.0.0.1:$port" 9

closed_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# black holes: listeners with a full accept queue, held by a helper process
start_blackholes() { # N → holes.txt: the ports, on one line
  python3 - "$1" > holes.txt <<'PY' &
import socket, sys, time
n = int(sys.argv[1]); keep = []; ports = []
for _ in range(n):
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0); keep.append(l)
    ports.append(l.getsockname()[1])
    for _ in range(3):
        c = socket.socket(); c.setblocking(False)
        try: c.connect(l.getsockname())
        except BlockingIOError: pass
        keep.append(c)
print(" ".join(map(str, ports)), flush=True)
time.sleep(3600)
PY
  for _ in $(seq 50); do [ -s holes.txt ] && break; sleep 0.1; done
}

# CPU time of a process and all its threads, in ns
cpu_ns() { local t=0 v; for f in /proc/"$1"/task/*/schedstat; do read -r v _ < "$f"; t=$((t + v)); done; echo "$t"; }

cadence() { # LABEL PORT1 PORT2 PORT3 (the offline ones)
  local label=$1; shift
  { echo '{"timezone": "UTC", "data_dir": "data-'"$label"'", "sinks": [{"type": "stdout"}], "devices": ['
    printf '{"id": "live", "driver": "lsv2", "host": "127.0.0.1", "port": %s, "interval": "1s", "timeout": "3s", "parts": {"signal": {"memory": "marker", "address": 4170}}}' "$port"
    local i=0
    for p in "$@"; do
      i=$((i + 1))
      printf ',\n{"id": "off%d", "driver": "lsv2", "host": "127.0.0.1", "port": %s, "interval": "1s", "timeout": "3s", "parts": {"signal": {"memory": "marker", "address": 4170}}}' "$i" "$p"
    done
    echo ']}'; } > "$label.json"
  "$mdc" run -c "$label.json" > "$label.out" 2> "$label.err" &
  local pid=$!
  sleep 2
  local t0; t0=$(cpu_ns "$pid")
  local n0; n0=$(wc -l < "$label.out")
  sleep "$secs"
  local t1; t1=$(cpu_ns "$pid")
  local n1; n1=$(wc -l < "$label.out")
  kill -TERM "$pid"; wait "$pid" || true
  grep '"device": "live"' "$label.out" | tail -n +3 |
    sed -E 's/^\{"timestamp": "[0-9-]+T([0-9]{2}):([0-9]{2}):([0-9.]+)\+00:00".*/\1 \2 \3/' |
    awk '{ s = $1 * 3600 + $2 * 60 + $3; print (s - int(s)) * 1000 }' | sort -n > late.txt
  local n; n=$(wc -l < late.txt)
  local stats; stats=$(awk -v n="$n" '{ a[NR] = $1; sum += $1 } END {
      p = int(n * 0.99); if (p < 1) p = 1; if (p > n) p = n;
      printf "mean %.2f ms, p99 %.2f ms, max %.2f ms", sum / n, a[p], a[n] }' late.txt)
  local missed; missed=$(grep '"device": "live"' "$label.out" | tail -n +3 |
    sed -E 's/^\{"timestamp": "[0-9-]+T([0-9]{2}):([0-9]{2}):([0-9]+).*/\1 \2 \3/' |
    awk '{ s = $1 * 3600 + $2 * 60 + $3; if (NR > 1 && s - prev > 1) m += s - prev - 1; prev = s } END { print m + 0 }')
  local off_status; off_status=$(grep -c '"device": "off1", "status": 0' "$label.out" || true)
  local cpu_ms; cpu_ms=$(awk -v t=$((t1 - t0)) 'BEGIN { printf "%.1f", t / 1e6 }')
  local polls=$((n1 - n0))
  echo "lsv2 cadence, 3 of 4 controls offline ($label), ${secs}s: live control ${n} records, lateness behind the 1 s slot: $stats; missed slots $missed; offline records with status 0: $off_status"
  awk -v c="$cpu_ms" -v p="$polls" -v s="$secs" 'BEGIN {
      printf "lsv2 mdc CPU: %.1f ms over %d s for %d records (%.2f%% of a core, %.0f us/record)\n",
             c, s, p, 100 * c / 1000 / s, p ? 1000 * c / p : 0 }'
}

cadence refused "$(closed_port)" "$(closed_port)" "$(closed_port)"
if command -v python3 >/dev/null; then
  start_blackholes 3
  read -r h1 h2 h3 < holes.txt
  cadence blackhole "$h1" "$h2" "$h3"
fi
