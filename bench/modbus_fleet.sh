#!/usr/bin/env bash
# 1,000 simulated Modbus TCP units (one simulator process, 1,000 ports), 10 float32 points
# each, polled every second into the embedded store: CPU % of one core, peak RSS, missed polls.
# Then 10 devices: RSS and start-up time. Usage: bench/modbus_fleet.sh BUILD [SECONDS] [UNITS]
set -euo pipefail
build=${1:-build}; secs=${2:-30}; units=${3:-1000}
mdc=$(realpath "$build/mdc"); sim=$(realpath "$build/mdc-sim")
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
base=$(( 20000 + RANDOM % 10000 )) # below the ephemeral port range (32768-)
"$sim" modbus --tcp 127.0.0.1:$base --ports "$units" --frozen > sim.log 2>&1 &
for _ in $(seq 50); do grep -q '^tcp:' sim.log && break; sleep 0.1; done

config() { # N -> mdc.json with N devices
  { echo '{"sinks": [{"type": "sqlite"}], "devices": ['
    for i in $(seq 0 $(( $1 - 1 ))); do
      [ "$i" -gt 0 ] && echo ','
      printf '{"id": "u%d", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%d"}, "interval": "1s", "timeout": "500ms", "points": [' "$i" $(( base + i ))
      for p in $(seq 0 9); do [ "$p" -gt 0 ] && printf ', '; printf '{"name": "p%d", "function": 4, "address": %d, "type": "float32"}' "$p" $(( p * 2 )); done
      printf ']}'
    done
    echo ']}'; } > mdc.json
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

config "$units"
"$mdc" run -c mdc.json --log-level warn 2> mdc.err &
pid=$!
sleep 3 # settle: connections made
t0=$(cpu_ticks $pid); n0=$(sqlite3 data/mdc.db "SELECT count(*) FROM samples" 2>/dev/null || echo 0); s0=$(date +%s%N)
sleep "$secs"
t1=$(cpu_ticks $pid); s1=$(date +%s%N)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid || true
n1=$(sqlite3 data/mdc.db "SELECT count(*) FROM samples")
wall=$(awk -v a=$s0 -v b=$s1 'BEGIN {print (b-a)/1e9}')
hz=$(getconf CLK_TCK)
cpu=$(awk -v t=$(( t1 - t0 )) -v w=$wall -v hz=$hz 'BEGIN {printf "%.1f", 100 * t / hz / w}')
polls=$(( (n1 - n0) / 10 ))
expected=$(awk -v w=$wall -v u=$units 'BEGIN {printf "%d", w * u}')
unreach=$(sqlite3 data/mdc.db "SELECT count(*) FROM status_history WHERE status = 0" 2>/dev/null || echo 0)
errors=$(sqlite3 data/mdc.db "SELECT count(*) FROM samples WHERE error IS NOT NULL")
echo "modbus fleet: $units TCP units x 10 points @1s for ${wall}s: CPU ${cpu}% of one core (goal < 25), peak RSS $(( hwm / 1024 )) MB (goal < 32), records $polls of ~$expected slots, point errors $errors"
grep -c "ERROR\|unreachable" mdc.err | xargs -I{} echo "  log lines with errors: {}"

rm -rf data
config 10
start=$(date +%s%N)
"$mdc" run -c mdc.json --log-level info 2> mdc10.err &
pid=$!
for _ in $(seq 200); do grep -q "collecting from" mdc10.err && break; sleep 0.005; done
up=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 5
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid || true
echo "mdc run with 10 devices: RSS $(( rss / 1024 )).$(( rss % 1024 * 10 / 1024 )) MB (goal < 5), start-up to collecting ${up} ms (goal < 50)"
