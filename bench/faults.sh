#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The delivery fault suite with the issue's durations (receiver down 90 s, 5 % / 30 % failing
# for 120 s, kill -9 every 30 s six times, ...): every tests/integration/test_faults_*.sh with
# MDC_FAULTS_FULL=1, JOBS at a time, then the whole table and which tests failed. Takes about
# half an hour with 2 jobs. Not a pass/fail test (ctest runs the short versions).
# Usage: bench/faults.sh BUILD [JOBS] [TEST_NAME_PATTERN]   (logs stay in $FAULT_LOGS, default
# /tmp/mdc-bench-faults; FAULT_KEEP=DIR also keeps every scenario's files in DIR/TEST)
set -uo pipefail
build=$(realpath "${1:-build}"); jobs=${2:-2}; pattern=${3:-}
src=$(cd "$(dirname "$0")/.." && pwd)
out=${FAULT_LOGS:-/tmp/mdc-bench-faults}
rm -rf "$out"; mkdir -p "$out"
export MDC=$build/mdc MDC_SIM=$build/mdc-sim MDC_SRC=$src MDC_FAULTS_FULL=1

run_one() { # TEST: its own table file and log
  local name; name=$(basename "$1" .sh)
  local s; s=$(date +%s)
  FAULT_KEEP=${FAULT_KEEP:+$FAULT_KEEP/$name} FAULT_TABLE=$out/$name.table bash "$1" > "$out/$name.log" 2>&1
  echo "$? $(( $(date +%s) - s )) $name" > "$out/$name.rc"
}

tests=()
for t in "$src"/tests/integration/test_faults_*.sh; do
  case $(basename "$t") in *"$pattern"*) tests+=("$t") ;; esac
done
running=0
for t in "${tests[@]}"; do
  run_one "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

printf '| %-16s | %-26s | %8s | %9s | %4s | %10s | %13s | %s |\n' sink fault produced delivered lost duplicated dead-lettered notes
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' ------------------ ---------------------------- ---------- ----------- ------ ------------ --------------- -------
for t in "${tests[@]}"; do
  name=$(basename "$t" .sh)
  [ -f "$out/$name.table" ] && cat "$out/$name.table"
done
echo
for t in "${tests[@]}"; do
  name=$(basename "$t" .sh)
  read -r rc secs _ < "$out/$name.rc"
  case $rc in
    0) echo "$name: passed (${secs}s)" ;;
    77) echo "$name: skipped ($(tail -n 1 "$out/$name.log"))" ;;
    *) echo "$name: FAILED (${secs}s): $(grep '^FAIL' "$out/$name.log" | head -1)" ;;
  esac
done
echo "logs: $out"
