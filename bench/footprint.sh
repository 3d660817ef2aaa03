#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The footprint of a small site (issue #16): 10 Modbus TCP devices (10 float32 points each,
# every second) into the embedded SQLite store. Prints, all measured in the same run:
#   - mdc's resident set (smaps_rollup Rss) after SECONDS of steady running (counted from its
#     first stored sample), without and with the HTTP server (`"http"`: the dashboard, loaded
#     as a module), and the largest parts of it by mapping; goal < 5 MB;
#   - the reference: bench_footprint_ref, a bare C program linking only libc, libsqlite3 and
#     libmodbus that polls the same devices and inserts the same values into a SQLite file (the
#     floor any collector of this site pays);
#   - with REF_BUILD, the same figures for another build of mdc (e.g. main before the modules,
#     everything linked into the program);
#   - start-up: exec to the log line "collecting" (median of 9; goal < 50 ms), beside `true`.
# The store's SQLite page cache (32 KB a device, at least 256 KiB; the reference has 1 MiB) fills
# as the file grows, hence the default of 120 s of steady running.
# Usage: bench/footprint.sh [BUILD] [SECONDS] [REF_BUILD]   (defaults: build, 120 s)
set -euo pipefail
build=$(realpath "${1:-build}"); secs=${2:-120}; refbuild=${3:+$(realpath "$3")}
mdc=$build/mdc; sim=$build/mdc-sim; ref=$build/bench/bench_footprint_ref
[ -x "$ref" ] || { echo "footprint: $ref missing (cmake --build $1 --target bench_footprint_ref)"; exit 1; }
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT
cd "$tmp"

host=127.0.0.1 simpid=
for _ in 1 2 3 4 5 6 7 8; do
  base=$(( 20000 + RANDOM % 20000 ))
  "$sim" modbus --tcp "$host:$base" --ports 10 > sim.log 2>&1 &
  simpid=$!
  for _ in $(seq 100); do grep -q '^tcp:\|Address already in use' sim.log && break; sleep 0.1; done
  grep -q '^tcp:' sim.log && break
  kill $simpid 2>/dev/null || true; wait $simpid 2>/dev/null || true; simpid=
done
[ -n "$simpid" ] || { echo "footprint: no 10 free ports for the simulator"; exit 1; }

site() { # HTTP_MEMBER: the configuration on stdout
  printf '{%s"sinks": [{"type": "sqlite"}], "devices": [\n' "$1"
  for i in $(seq 0 9); do
    [ "$i" -gt 0 ] && echo ','
    printf '{"id": "m%d", "driver": "modbus", "connection": {"tcp": "%s:%d"}, "interval": "1s", "points": [' \
      "$i" "$host" $(( base + i ))
    for p in $(seq 0 9); do
      [ "$p" -gt 0 ] && printf ', '
      printf '{"name": "p%d", "function": 4, "address": %d, "type": "float32"}' "$p" $(( p * 2 ))
    done
    printf ']}'
  done
  echo ']}'
}
site '' > site.json
site '"http": {"listen": "127.0.0.1:0"}, ' > site-http.json

mb() { awk -v k="$1" 'BEGIN {printf "%.2f", k / 1024}'; }

# The largest parts of a process's resident set: one line per mapping name, top 8.
breakdown() { # PID
  awk '/^[0-9a-f]+-[0-9a-f]+ / { n = $6; if (n == "") n = "[anon]"; sub(/.*\//, "", n) }
       /^Rss:/ { r[n] += $2 }
       END { for (k in r) if (r[k] > 0) printf "%d %s\n", r[k], k }' "/proc/$1/smaps" |
    sort -rn | head -n 8 | awk '{printf "      %-28s %6.1f MB\n", $2, $1 / 1024}'
}

# Runs a collector until SECONDS after its first stored sample; prints its figures and sets
# last_rss (kB).
steady() { # LABEL DB COMMAND...
  local label=$1 db=$2; shift 2
  rm -rf data ref.db*; mkdir -p data
  "$@" > run.out 2> run.err &
  local pid=$! n=0
  for _ in $(seq 600); do
    n=$(sqlite3 "$db" 'SELECT COUNT(*) FROM samples' 2>/dev/null || echo 0)
    [ "${n:-0}" -gt 0 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  sleep "$secs"
  if ! kill -0 $pid 2>/dev/null || [ "${n:-0}" -eq 0 ]; then
    echo "footprint: $label stored nothing or exited: $(tail -n 3 run.err)"; exit 1
  fi
  last_rss=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup")
  local libs; libs=$(grep -o '[^/ ]*\.so[.0-9]*$' "/proc/$pid/maps" | sort -u | wc -l)
  echo "  $label: RSS $(mb "$last_rss") MB ($libs shared objects mapped, $(ls "/proc/$pid/task" | wc -l) threads)"
  breakdown $pid
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

# Start-up: median of 9 runs of the time from exec to "collecting" in the log, in µs.
startup() { # MDC CONFIG
  local ts=() t0 pid
  for _ in $(seq 9); do
    rm -rf data
    t0=$(date +%s%N)
    "$1" run -c "$2" --data-dir data --log-level info 2> up.err &
    pid=$!
    for _ in $(seq 5000); do grep -qs " collecting from" up.err && break; sleep 0.001; done
    ts+=($(( ($(date +%s%N) - t0) / 1000 )))
    kill -TERM $pid; wait $pid 2>/dev/null || true
  done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 5p
}
true_us() {
  local ts=() t0
  for _ in $(seq 9); do t0=$(date +%s%N); true & wait $!; ts+=($(( ($(date +%s%N) - t0) / 1000 ))); done
  printf '%s\n' "${ts[@]}" | sort -n | sed -n 5p
}
ms() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo "footprint: 10 Modbus TCP devices x 10 float32 points every second into the SQLite store,"
echo "RSS ${secs} s after the first stored sample"
steady "reference: bare libmodbus + libsqlite3 program" ref.db "$ref" "$host" "$base" 10 ref.db
ref_rss=$last_rss
steady "mdc, no \"http\"" data/mdc.db "$mdc" run -c site.json --data-dir data --log-level warn
mdc_rss=$last_rss
steady "mdc, with \"http\" (the dashboard)" data/mdc.db "$mdc" run -c site-http.json --data-dir data --log-level warn
http_rss=$last_rss
if [ -n "$refbuild" ]; then
  steady "other build $refbuild, no \"http\"" data/mdc.db "$refbuild/mdc" run -c site.json --data-dir data --log-level warn
  old_rss=$last_rss
  steady "other build, with \"http\"" data/mdc.db "$refbuild/mdc" run -c site-http.json --data-dir data --log-level warn
  old_http_rss=$last_rss
fi
echo "RSS: mdc $(mb "$mdc_rss") MB (goal < 5) = $(ratio "$mdc_rss" "$ref_rss") x the reference ($(mb "$ref_rss") MB);" \
  "with \"http\" $(mb "$http_rss") MB = $(ratio "$http_rss" "$ref_rss") x"
if [ -n "$refbuild" ]; then
  echo "     the other build: $(mb "$old_rss") MB, with \"http\" $(mb "$old_http_rss") MB" \
    "(this build: $(ratio "$mdc_rss" "$old_rss") x and $(ratio "$http_rss" "$old_http_rss") x of it)"
fi

t=$(true_us)
echo "start-up, exec to \"collecting\" (median of 9; goal < 50 ms): mdc $(ms "$(startup "$mdc" site.json)")," \
  "with \"http\" $(ms "$(startup "$mdc" site-http.json)"); \`true\` $(ms "$t")"
if [ -n "$refbuild" ]; then
  echo "  the other build: $(ms "$(startup "$refbuild/mdc" site.json)"), with \"http\" $(ms "$(startup "$refbuild/mdc" site-http.json)")"
fi
