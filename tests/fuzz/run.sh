#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target in BUILD for SECONDS each, starting from the seed corpus in
# tests/fuzz/corpus/<target>/ when it exists. Fails on the first crash.
set -euo pipefail
build=${1:?build dir}; seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for bin in "$build"/tests/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin")
  work=$(mktemp -d)
  seeds="$here/corpus/$name"
  args=("$work")
  [ -d "$seeds" ] && args+=("$seeds")
  echo "fuzz: $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
      -artifact_prefix="$work/" "${args[@]}" >"$work/log" 2>&1; then
    echo "fuzz: $name FAILED; last lines of its log:"; tail -n 40 "$work/log"
    ls "$work" | grep -E '^(crash|leak|timeout|oom)-' | while read -r a; do
      echo "  artifact: $a ($(xxd -p "$work/$a" | head -c 200))"; done
    status=1
  fi
  rm -rf "$work"
done
exit $status
