#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# HTTP: requests/s of /api/devices with 1,000 devices (wrk, keep-alive connections), of the
# dashboard's page of 48 and of /api/plant, next to /healthz and a static dashboard file as
# references from the same server in the same run; then the dashboard's first contentful paint,
# its first live tile and its full first page of live tiles (headless Chromium, the page's
# performance clock), for the 2-device demo-sized plant and for 1,000 machines; last, /healthz latency from 127.0.0.1 while 1,000 idle and then 1,000 slowloris
# connections from 127.0.0.2 hold the server (tests/integration/http_flood.py), against the same
# probe with no attack. Usage: bench/http.sh BUILD [SECONDS]
set -euo pipefail
build=$(realpath "${1:-build}"); secs=${2:-10}
src=$(cd "$(dirname "$0")/.." && pwd)
command -v wrk >/dev/null || { echo "http: SKIP (wrk missing)"; exit 0; }
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
units=1000
base=$(( 20000 + RANDOM % 10000 ))
"$build/mdc-sim" modbus --tcp 127.0.0.1:$base --ports "$units" --frozen > sim.log 2>&1 &
for _ in $(seq 100); do grep -q '^tcp:' sim.log 2>/dev/null && break; sleep 0.1; done
config() { # N -> mdc-N.json
  { echo '{"data_dir": "data-'"$1"'", "http": {"listen": "127.0.0.1:0"}, "sinks": [{"type": "sqlite"}], "devices": ['
    for i in $(seq 0 $(( $1 - 1 ))); do
      [ "$i" -gt 0 ] && echo ','
      printf '{"id": "meter-%d", "machine_id": %d, "name": "Meter %d", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%d"}, "interval": "5s", "timeout": "500ms", "points": [' "$i" "$i" "$i" $(( base + i ))
      printf '{"name": "voltage_l1", "function": 4, "address": 0, "type": "float32"}, {"name": "current_l1", "function": 4, "address": 6, "type": "float32"}, {"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "decimals": 3}, {"name": "frequency", "function": 4, "address": 70, "type": "float32"}, {"name": "energy_kwh", "function": 4, "address": 342, "type": "float32", "decimals": 4}], '
      printf '"status": {"power": "power_kw", "production_above": 4.5}, "energy": {"point": "energy_kwh"}}'
    done
    echo ']}'; } > "mdc-$1.json"
}
start_mdc() { # N
  config "$1"
  "$build/mdc" run -c "mdc-$1.json" 2> "mdc-$1.err" &
  mdcpid=$!
  for _ in $(seq 100); do grep -q 'serving' "mdc-$1.err" 2>/dev/null && break; sleep 0.1; done
  hp=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' "mdc-$1.err")
  for _ in $(seq 200); do # every device polled once
    curl -s "http://127.0.0.1:$hp/api/devices" | grep -q '"state": "PENDING"' || break
    sleep 0.1
  done
}
rps() { # PATH -> "requests/s avg-latency"
  wrk -t1 -c16 -d"${secs}s" "http://127.0.0.1:$hp$1" | awk '/Requests\/sec/ {r=$2} /Latency/ {l=$2} END {print r, l}'
}

start_mdc $units
size=$(curl -s "http://127.0.0.1:$hp/api/devices" | wc -c)
read -r dev_rps dev_lat < <(rps /api/devices)
read -r pg_rps pg_lat < <(rps '/api/devices?limit=48')
read -r pl_rps pl_lat < <(rps /api/plant)
read -r hz_rps hz_lat < <(rps /healthz)
read -r css_rps css_lat < <(rps /dashboard.css)
echo "http: /api/devices with $units devices ($(( size / 1024 )) KiB): $dev_rps requests/s (mean latency $dev_lat; wrk 1 thread, 16 connections, ${secs}s)"
echo "http: same server: /api/devices?limit=48 $pg_rps requests/s ($pg_lat), /api/plant $pl_rps requests/s ($pl_lat)"
echo "http: same server: /healthz $hz_rps requests/s ($hz_lat), /dashboard.css $css_rps requests/s ($css_lat)"
echo "http: mdc with $units devices after the runs: peak RSS $(( $(awk '/VmHWM/ {print $2}' /proc/$mdcpid/status) / 1024 )) MB"

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if command -v node >/dev/null && command -v npm >/dev/null && [ -x /usr/bin/chromium ] &&
  [ "$(node_major)" -ge 20 ]; then
  T=$tmp MDC_SRC=$src
  need_node() { :; } # checked above (lib.sh's would skip a test with exit 77)
  source "$src/tests/integration/dashboard_lib.sh"
  playwright_install
  paint() { node "$src/tests/integration/dashboard_check.mjs" paint "http://127.0.0.1:$hp/" 5; }
  med() { # JSON results -> "median-fcp median-first-live-tile median-full-page"
    node -e 'const r = JSON.parse(process.argv[1]);
      const m = (k) => r.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(r.length / 2)];
      console.log(m("fcp"), m("tile"), m("page"));' "$1"
  }
  read -r bf bt bp < <(med "$(paint)")
  kill -TERM $mdcpid; wait $mdcpid 2>/dev/null || true
  start_mdc 2
  read -r sf st sp < <(med "$(paint)")
  echo "http: dashboard (headless Chromium, median of 5 loads): 2 devices: first contentful paint $sf ms, first live tile $st ms, both tiles $sp ms"
  echo "http: dashboard with $units devices: first contentful paint $bf ms, first live tile $bt ms, the first page of 48 live tiles $bp ms"
else
  echo "http: dashboard paint: SKIP (Node.js 20 or newer, npm or chromium missing)"
fi

# /healthz under attack: median and worst of 10 probes (curl, 1 s apart), no attack as reference
probe10() {
  for _ in $(seq 10); do
    curl -s -m 60 -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$hp/healthz"; sleep 1
  done | sort -n | awk '{v[NR]=$1} END {printf "median %.1f ms, worst %.1f ms\n", v[5]*1000, v[NR]*1000}'
}
if python3 -c 'import socket; socket.socket().bind(("127.0.0.2", 0))' 2>/dev/null; then
  ref=$(probe10)
  for mode in idle slowloris; do
    python3 "$src/tests/integration/http_flood.py" $mode 127.0.0.1 "$hp" --source 127.0.0.2 \
      --connections 1000 --seconds 16 > "flood-$mode.log" &
    fpid=$!; sleep 3
    got=$(probe10)
    wait $fpid
    echo "http: /healthz under 1,000 $mode connections from 127.0.0.2: $got (no attack: $ref)"
  done
else
  echo "http: /healthz under attack: SKIP (cannot bind 127.0.0.2)"
fi
