#!/usr/bin/env bash
# The footprint of a small site: 10 Modbus TCP devices (10 float32 points each, every second)
# into the embedded SQLite store. Prints
#   - mdc's resident set (smaps_rollup Rss) after a steady run, and its largest parts by mapping
#     (the program, each library, heap, stacks), goal < 5 MB;
#   - the reference measured in the same run: bench_footprint_ref, a bare C program linking only
#     libc, libsqlite3 and libmodbus that polls the same devices and inserts the same values into
#     a SQLite file (the floor any collector of this site pays);
#   - with REF_BUILD, the same figures for another build of mdc (e.g. main before a change);
#   - start-up: `mdc run` until it logs that it collects, beside `true` started the same way
#     (goal < 50 ms), and `mdc check` of the same configuration.
# Usage: bench/footprint.sh BUILD [SECONDS] [REF_BUILD]   (default: 30 s of steady run)
set -euo pipefail
build=$(realpath "${1:-build}"); secs=${2:-30}; refbuild=${3:+$(realpath "$3")}
mdc=$build/mdc; sim=$build/mdc-sim; ref=$build/bench/bench_footprint_ref
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
cd "$tmp"

host=127.0.0.1
for _ in 1 2 3 4 5 6 7 8; do
  base=$(( 20000 + RANDOM % 20000 ))
  "$sim" modbus --tcp "$host:$base" --ports 10 > sim.log 2>&1 &
  simpid=$!
  for _ in $(seq 100); do grep -q '^tcp:\|Address already in use' sim.log && break; sleep 0.1; done
  grep -q '^tcp:' sim.log && break
  kill $simpid 2>/dev/null || true; wait $simpid 2>/dev/null || true; simpid=
done
[ -n "$simpid" ] || { echo "no 10 free ports for the simulator"; exit 1; }

{ printf '{"sinks": [{"type": "sqlite"}], "devices": [\n'
  for i in $(seq 0 9); do
    [ "$i" -gt 0 ] && echo ','
    printf '{"id": "m%d", "driver": "modbus", "connection": {"tcp": "%s:%d"}, "interval": "1s", "points": [' "$i" "$host" $(( base + i ))
    for p in $(seq 0 9); do [ "$p" -gt 0 ] && printf ', '; printf '{"name": "p%d", "function": 4, "address": %d, "type": "float32"}' "$p" $(( p * 2 )); done
    printf ']}'
  done
  echo ']}'; } > site.json

rss_kb() { awk '/^Rss:/ {print $2}' "/proc/$1/smaps_rollup"; }
mb() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

# The largest parts of a process's resident set: "name kB" per mapping name, top 8.
breakdown() { # PID
  awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6; if (n == "") n = "[anon]"; sub(/.*\//, "", n) }
       /^Rss:/ { r[n] += $2 }
       END { for (k in r) if (r[k] > 0) printf "%d %s\n", r[k], k }' "/proc/$1/smaps" |
    sort -rn | head -n 8 | awk '{printf "      %-28s %6.1f MB\n", $2, $1 / 1024}'
}

# Runs one collector for $secs seconds after its first stored sample; prints its figures.
steady() { # LABEL COMMAND...
  local label=$1; shift
  rm -rf data ref.db; mkdir -p data
  "$@" > run.out 2> run.err &
  local pid=$! n=0
  for _ in $(seq 300); do
    n=$(sqlite3 data/mdc.db 'SELECT COUNT(*) FROM samples' 2>/dev/null || sqlite3 ref.db 'SELECT COUNT(*) FROM samples' 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && break; sleep 0.1
  done
  sleep "$secs"
  kill -0 $pid 2>/dev/null || { echo "$label: exited early: $(tail -n 3 run.err)"; return 0; }
  local rss libs; rss=$(rss_kb $pid); libs=$(grep -c '\.so' "/proc/$pid/maps" || true)
  echo "  $label: RSS $(mb "$rss") MB ($(awk '{print $1}' "/proc/$pid/statm" >/dev/null; grep -o '[^/ ]*\.so[.0-9]*$' "/proc/$pid/maps" | sort -u | wc -l) shared objects mapped), threads $(ls "/proc/$pid/task" | wc -l)"
  breakdown $pid
  kill -TERM $pid; wait $pid 2>/dev/null || true
  eval "rss_$2=$rss" 2>/dev/null || true
  last_rss=$rss
}

# Start-up: median of 9 runs of the time from exec to "collecting from" in the log.
startup() { # MDC
  local ts=()
  for _ in $(seq 9); do
    rm -rf data
    local t0; t0=$(date +%s%N)
    "$1" run -c site.json --data-dir data --log-level info 2> up.err &
    local pid=$!
    for _ in $(seq 2000); do grep -qs "collecting from" up.err && break; sleep 0.002; done
    ts+=($(( ($(date +%s%N) - t0) / 1000 )))
    kill -TERM $pid; wait $pid 2>/dev/null || true
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 5p
}
true_us() {
  local ts=()
  for _ in $(seq 9); do
    local t0; t0=$(date +%s%N); true & wait $!; ts+=($(( ($(date +%s%N) - t0) / 1000 )))
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 5p
}

echo "footprint: 10 Modbus TCP devices x 10 points every second into the SQLite store, RSS after ${secs} s"
steady "mdc ($build)" "$mdc" run -c site.json --data-dir data --log-level warn
mdc_rss=$last_rss
steady "reference: bare libmodbus + libsqlite3 program" "$ref" "$host" "$base" 10 ref.db
ref_rss=$last_rss
if [ -n "$refbuild" ]; then
  steady "mdc ($refbuild)" "$refbuild/mdc" run -c site.json --data-dir data --log-level warn
  old_rss=$last_rss
fi
echo "  mdc RSS $(mb "$mdc_rss") MB (goal < 5): $(awk -v a="$mdc_rss" -v b="$ref_rss" 'BEGIN {printf "%.2f", a / b}') x the reference$([ -n "$refbuild" ] && awk -v a="$mdc_rss" -v b="$old_rss" 'BEGIN {printf ", %.2f x the other build (%.1f MB)", a / b, b / 1024}')"

up=$(startup "$mdc"); t=$(true_us)
echo "start-up to collecting (median of 9): mdc $(( up / 1000 )).$(( up % 1000 / 100 )) ms (goal < 50), \`true\` $(( t / 1000 )).$(( t % 1000 / 100 )) ms"
if [ -n "$refbuild" ]; then
  up=$(startup "$refbuild/mdc")
  echo "  the other build: $(( up / 1000 )).$(( up % 1000 / 100 )) ms"
fi
t0=$(date +%s%N); "$mdc" check -c site.json > /dev/null; t1=$(date +%s%N)
echo "mdc check of the same configuration: $(( (t1 - t0) / 1000000 )) ms"
