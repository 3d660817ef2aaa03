#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/opcua.sh BUILD [SECONDS] — OPC UA figures against the node-opcua test peer, same run,
# same server:
#   1. Reads/s of 100 nodes per Read: mdc's client (bench_opcua) vs node-opcua-client;
#   2. 10,000 monitored items while the server changes 1,000 values/s: CPU and RSS of the
#      client (bench_opcua subscribe) and of `mdc run` collecting them.
set -euo pipefail
BUILD=$(cd "${1:?build dir}" && pwd)
SECONDS_EACH=${2:-10}
MDC_SRC=$(cd "$(dirname "$0")/.." && pwd)
export MDC=$BUILD/mdc MDC_SIM=$BUILD/mdc-sim MDC_SRC
source "$MDC_SRC/tests/integration/lib.sh"
source "$MDC_SRC/tests/opcua/peer.sh"
BENCH=${BENCH_OPCUA:-$BUILD/bench/bench_opcua}
peer_install
peer_start b BENCH_VARS=10000 BENCH_RATE=1000 MAX_NODES_PER_READ=10000
URL=$PEER_URL_b
echo "server: node-opcua $(node -p 'require(process.env.MDC_SRC + "/tests/opcua/node_modules/node-opcua-server/package.json").version'), $URL, 10000 variables, 1000 changes/s"

# 1. Read rate: two rounds each, alternating, so both see the same (warmed-up) server
half=$(awk -v s="$SECONDS_EACH" 'BEGIN { print s / 2 }')
mdc_sum=0 node_sum=0
for round in 1 2; do
  mdc_line=$("$BENCH" read "$URL" 100 "$half")
  node_line=$(PKI_ROOT=$T node "$PEER_DIR/bench_client.js" "$URL" 100 "$half" | grep '^node-opcua-client reads/s')
  echo "round $round: $mdc_line"
  echo "round $round: $node_line"
  mdc_sum=$(awk -v a="$mdc_sum" -v b="$(echo "$mdc_line" | awk '{print $3}')" 'BEGIN { print a + b }')
  node_sum=$(awk -v a="$node_sum" -v b="$(echo "$node_line" | awk '{print $3}')" 'BEGIN { print a + b }')
done
awk -v a="$mdc_sum" -v b="$node_sum" \
  'BEGIN { printf "Reads/s (100 nodes): mdc %.0f, node-opcua-client %.0f, ratio %.2fx\n", a / 2, b / 2, a / b }'

# 2. 10,000 monitored items: the client library alone
"$BENCH" subscribe "$URL" 10000 "$SECONDS_EACH"

# ... and the whole collector (`mdc run`, one record per second to a file sink)
nodes=$(seq 0 9999 | awk '{ printf "%s\"b%d\": \"ns=2;s=Bench.%d\"", (NR > 1 ? "," : ""), $1, $1 }')
cat >"$T/bench.json" <<JSON
{ "data_dir": "$T/data", "sinks": [{"type": "file", "path": "$T/out.csv", "format": "csv"}],
  "devices": [ { "id": "bench", "driver": "opcua", "endpoint": "$URL", "mode": "subscribe",
    "interval": "1s", "sampling_interval": "1s", "nodes": { $nodes } } ] }
JSON
"$MDC" run -c "$T/bench.json" >"$T/mdc.log" 2>&1 &
pid=$!
PIDS+=($pid)
sleep 10 # connect, 10 CreateMonitoredItems calls, initial values
kill -0 "$pid" 2>/dev/null || { cat "$T/mdc.log"; exit 1; }
ticks=$(getconf CLK_TCK)
t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "$SECONDS_EACH"
t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
records=$(($(wc -l <"$T/out.csv") - 1))
kill "$pid"
wait "$pid" 2>/dev/null || true
awk -v d=$((t1 - t0)) -v t="$ticks" -v s="$SECONDS_EACH" -v r="$rss" -v n="$records" \
  'BEGIN { printf "mdc run: 10000 monitored items, CPU %.1f%% of one core, RSS %d kB, %d records written\n", 100 * d / t / s, r, n }'
peer_stop b
