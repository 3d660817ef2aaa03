#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Modbus TCP fleets: UNITS simulated units, each on its own port (its own connection), 10 float32
# points each, polled every second. For each fleet size:
#   reference  a bare libmodbus loop doing the same polls per second (bench_modbus_fleet), CPU
#   mdc        event engine, a file sink: CPU % of one core, peak RSS, records per second of the
#              window (a missed slot is a missing record), point errors; ratio to the reference
#   mdc        (up to 1,000 units) the blocking engine, a thread per unit, as before
#   mdc        the same with the points inline in every device (peak RSS: config parsing)
#   mdc        the default sqlite store: records spooled vs records stored per second
# then 10 devices: RSS and start-up time. The simulators run 5,000 ports each (a port with its
# client costs two descriptors; the hard limit here is 20,000).
# Usage: bench/modbus_fleet.sh BUILD [SECONDS] [UNITS...]   (default: 30 1000 10000)
set -euo pipefail
build=${1:-build}; secs=${2:-30}; shift 2 || true
fleets=("$@"); [ ${#fleets[@]} -gt 0 ] || fleets=(1000 10000)
mdc=$(realpath "$build/mdc"); sim=$(realpath "$build/mdc-sim"); ref=$(realpath "$build/bench/bench_modbus_fleet")
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
cd "$tmp"
hz=$(getconf CLK_TCK)
per_sim=5000

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_mb() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

start_sims_at() { # UNITS -> sims listening on base .. base+UNITS-1; false if a port is taken
  sims=()
  for (( first = 0; first < $1; first += per_sim )); do
    local n=$(( $1 - first < per_sim ? $1 - first : per_sim ))
    "$sim" modbus --tcp "$host:$(( base + first ))" --ports "$n" --frozen > "sim$first.log" 2>&1 &
    sims+=($!)
    for _ in $(seq 100); do grep -q '^tcp:\|Address already in use' "sim$first.log" && break; sleep 0.1; done
    grep -q '^tcp:' "sim$first.log" || return 1
  done
}

start_sims() { # UNITS: on a loopback address of its own (127.0.X.Y), ports below the ephemeral range
  for _ in 1 2 3 4 5 6 7 8; do
    host=127.0.$(( 10 + RANDOM % 200 )).$(( 10 + RANDOM % 200 )); base=$(( 10000 + RANDOM % 12000 ))
    start_sims_at "$1" && return 0
    stop_sims
  done
  echo "no free range of $1 ports for the simulators"; exit 1
}

stop_sims() { kill "${sims[@]}" 2>/dev/null || true; wait "${sims[@]}" 2>/dev/null || true; }

points() { for p in $(seq 0 9); do [ "$p" -gt 0 ] && printf ', '; printf '{"name": "p%d", "function": 4, "address": %d, "type": "float32"}' "$p" $(( p * 2 )); done; }

config() { # UNITS SINK inline|file [ENGINE] -> mdc.json
  { printf '{"sinks": [%s], "devices": [\n' "$2"
    for (( i = 0; i < $1; i++ )); do
      [ "$i" -gt 0 ] && echo ','
      printf '{"id": "u%d", "driver": "modbus", "connection": {"tcp": "%s:%d"}, "interval": "1s", "timeout": "500ms", "tcp_engine": "%s", ' "$i" "$host" $(( base + i )) "${4:-event}"
      if [ "$3" = inline ]; then printf '"points": [%s]}' "$(points)"; else printf '"points_file": "points.json"}'; fi
    done
    echo ']}'; } > mdc.json
  printf '{"points": [%s]}\n' "$(points)" > points.json
}

# Starts mdc, waits until every device has had a poll, then measures for $secs seconds:
# sets cpu, hwm, t0, t1 (epoch seconds, fractional) and leaves mdc stopped.
measure() { # UNITS
  rm -rf data out.jsonl
  "$mdc" run -c mdc.json --log-level warn 2> mdc.err &
  local pid=$!
  for _ in $(seq 600); do
    [ "$(sqlite3 data/spool.db 'SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence' 2>/dev/null || echo 0)" -ge "$1" ] && break
    sleep 0.1
  done
  sleep 2
  local c0; c0=$(cpu_ticks $pid); t0=$(date +%s.%N)
  seq0=$(sqlite3 data/spool.db 'SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence' 2>/dev/null || echo 0)
  rows0=$(sqlite3 data/mdc.db 'SELECT COUNT(*) FROM records' 2>/dev/null || echo 0)
  sleep "$secs"
  local c1; c1=$(cpu_ticks $pid); t1=$(date +%s.%N)
  seq1=$(sqlite3 data/spool.db 'SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence' 2>/dev/null || echo 0)
  rows1=$(sqlite3 data/mdc.db 'SELECT COUNT(*) FROM records' 2>/dev/null || echo 0)
  backlog=$(sqlite3 data/spool.db 'SELECT COUNT(*) FROM records' 2>/dev/null || echo 0)
  hwm=$(hwm_mb $pid)
  cpu=$(awk -v t=$(( c1 - c0 )) -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN {printf "%.1f", 100 * t / hz / (b - a)}')
  kill -TERM $pid; wait $pid || true
}

# Records per whole second of the window in out.jsonl: "seconds min max missing errors".
per_second() { # UNITS
  awk -v a="$t0" -v b="$t1" -v u="$1" '
    { if (match($0, /T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]/)) {
        s = substr($0, RSTART + 1, 8); split(s, h, ":"); k = h[1] * 3600 + h[2] * 60 + h[3]; n[k]++ }
      if (index($0, "\"error\"")) e++ }
    END { lo = int(a) + 1; hi = int(b) - 1; d0 = lo % 86400; m = 1e18; x = 0; miss = 0
          for (s = lo; s < hi; s++) { c = n[s % 86400] + 0; if (c < m) m = c; if (c > x) x = c; miss += u - c }
          printf "%d %d %d %d %d", hi - lo, m, x, miss, e + 0 }' out.jsonl
}

for units in "${fleets[@]}"; do
  start_sims "$units"
  refn=$(( units < 1000 ? units : 1000 ))
  reftxt=$("$ref" "$host" "$base" "$refn" "$units" "$(( secs < 10 ? secs : 10 ))")
  refcpu=$(sed -E 's/.*CPU ([0-9.]+)%.*/\1/' <<<"$reftxt")
  echo "$units units: $reftxt"

  config "$units" '{"type": "file", "path": "out.jsonl"}' file
  measure "$units"
  read -r nsec rmin rmax missing perr <<<"$(per_second "$units")"
  [ -z "${KEEP:-}" ] || cp out.jsonl "out-$units.jsonl"
  echo "  mdc (event engine, file sink): CPU ${cpu}% of one core (goal < $([ "$units" -ge 10000 ] && echo 50 || echo 25)), ratio to bare libmodbus $(awk -v a="$cpu" -v b="$refcpu" 'BEGIN {if (b > 0) printf "%.2f", a / b; else printf "n/a (reference below the clock tick)"}'); peak RSS ${hwm} MB (goal < $([ "$units" -ge 10000 ] && echo 96 || echo 32)); records per second over ${nsec} whole seconds: min ${rmin} max ${rmax} of ${units}, ${missing} missing (missed slots), point errors ${perr}; log lines with errors: $(grep -c "ERROR\|unreachable" mdc.err || true)"

  if [ "$units" -le 1000 ]; then
    config "$units" '{"type": "file", "path": "out.jsonl"}' file blocking
    measure "$units"
    read -r nsec rmin rmax missing perr <<<"$(per_second "$units")"
    echo "  mdc (blocking engine: a thread and a libmodbus connection per unit, file sink): CPU ${cpu}% of one core, peak RSS ${hwm} MB; ${missing} missing records"
  fi

  config "$units" '{"type": "file", "path": "out.jsonl"}' inline
  secs_saved=$secs; secs=5; measure "$units"; secs=$secs_saved
  echo "  mdc with the 10 points inline in every device instead of one points_file: peak RSS ${hwm} MB ($(stat -c %s mdc.json | awk '{printf "%.1f", $1 / 1048576}') MB of configuration parsed)"

  config "$units" '{"type": "sqlite"}' file
  measure "$units"
  w=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
  echo "  mdc into the sqlite store: CPU ${cpu}% of one core, peak RSS ${hwm} MB; spooled $(awk -v n=$(( seq1 - seq0 )) -v w="$w" 'BEGIN {printf "%.0f", n / w}') records/s, stored $(awk -v n=$(( rows1 - rows0 )) -v w="$w" 'BEGIN {printf "%.0f", n / w}') records/s (of ${units}); spool backlog at the end ${backlog} records$([ "$backlog" -gt $(( 2 * units )) ] && echo " — the store does not keep up" || true)"
  stop_sims
done

rm -rf data
start_sims 10
config 10 '{"type": "sqlite"}' inline
start=$(date +%s%N)
"$mdc" run -c mdc.json --log-level info 2> mdc10.err &
pid=$!
for _ in $(seq 400); do grep -qs "collecting from" mdc10.err && break; sleep 0.005; done
up=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 5
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid || true
echo "mdc run with 10 devices: RSS $(( rss / 1024 )).$(( rss % 1024 * 10 / 1024 )) MB (goal < 5), start-up to collecting ${up} ms (goal < 50)"
stop_sims
exit 0
