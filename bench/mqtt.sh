#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# MQTT: records/s the mqtt sink delivers at QoS 1 (each batch published and every PUBACK
# received before the next, as the runtime does) against mosquitto_pub publishing the same
# payloads at QoS 1 (-l: one message per line, one connection), both to a mosquitto broker on
# loopback in the same run; and the sparkplug sink's DDATA (protobuf, aliases, report by
# exception; QoS 1) against the mqtt sink, same records, same run. Then the whole daemon: records spooled while the broker was down,
# drained through the spool when it returns. Usage: bench/mqtt.sh BUILD [RECORDS]
set -euo pipefail
build=$(realpath "${1:-build}"); n=${2:-50000}
PATH=$PATH:/usr/sbin
command -v mosquitto >/dev/null && command -v mosquitto_pub >/dev/null ||
  { echo "mqtt: SKIP (mosquitto, mosquitto-clients missing)"; exit 0; }
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
cd "$tmp"
port=$(( 20000 + RANDOM % 10000 ))
printf 'listener %d 127.0.0.1\nallow_anonymous true\nuser %s\nlog_dest none\n' "$port" "$(id -un)" > b.conf
mosquitto -c b.conf > broker.log 2>&1 &
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

"$build/bench/bench_mqtt" payloads payloads.txt "$n"
best_pub=0; best_mdc=0
for round in 1 2 3; do
  s=$(date +%s%N)
  mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t bench/meter -l < payloads.txt
  e=$(date +%s%N)
  pub=$(awk -v n="$n" -v ns=$(( e - s )) 'BEGIN {printf "%.0f", n / (ns / 1e9)}')
  mdc=$("$build/bench/bench_mqtt" run "127.0.0.1:$port" "$n" 1 500 | awk '{print $2}')
  [ "$pub" -gt "$best_pub" ] && best_pub=$pub
  [ "$mdc" -gt "$best_mdc" ] && best_mdc=$mdc
done
ratio=$(awk -v a="$best_mdc" -v b="$best_pub" 'BEGIN {printf "%.2f", a / b}')
echo "mqtt: QoS 1, $n records of $(( $(wc -c < payloads.txt) / n )) bytes: mdc sink $best_mdc records/s, mosquitto_pub $best_pub msgs/s, ratio $ratio (best of 3)"
mkdir -p data
best_sp=0; best_mq=0
for round in 1 2 3; do
  mq=$("$build/bench/bench_mqtt" run "127.0.0.1:$port" "$n" 1 500 mqtt | awk '{print $2}')
  sp=$("$build/bench/bench_mqtt" run "127.0.0.1:$port" "$n" 1 500 sparkplug | awk '{print $2}')
  [ "$mq" -gt "$best_mq" ] && best_mq=$mq
  [ "$sp" -gt "$best_sp" ] && best_sp=$sp
done
echo "mqtt: sparkplug sink (DDATA, QoS 1) $best_sp records/s, mqtt sink (JSON, QoS 1) $best_mq records/s, ratio $(awk -v a="$best_sp" -v b="$best_mq" 'BEGIN {printf "%.2f", a / b}') (best of 3)"
q2=$("$build/bench/bench_mqtt" run "127.0.0.1:$port" "$n" 2 500 | awk '{print $2}')
q0=$("$build/bench/bench_mqtt" run "127.0.0.1:$port" "$n" 0 500 | awk '{print $2}')
echo "mqtt: mdc sink at QoS 0: $q0 records/s, QoS 2: $q2 records/s"

# The daemon: 20 simulated meters at 100 ms while the broker is down, then the drain.
kill %1 2>/dev/null || true; wait 2>/dev/null || true
sport=$(( port + 1 ))
"$build/mdc-sim" modbus --tcp "127.0.0.1:$sport" --ports 20 --frozen > sim.log 2>&1 &
for _ in $(seq 50); do grep -q '^tcp:' sim.log 2>/dev/null && break; sleep 0.1; done
{ echo "{\"http\": {\"listen\": \"127.0.0.1:0\"}, \"spool\": {\"batch\": 500}, \"sinks\": [{\"type\": \"mqtt\", \"url\": \"mqtt://127.0.0.1:$port\", \"topic\": \"d/{device}\"}], \"devices\": ["
  for i in $(seq 0 19); do
    [ "$i" -gt 0 ] && echo ','
    printf '{"id": "m%d", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%d"}, "interval": "100ms", "points": [{"name": "v", "function": 4, "address": 0, "type": "float32"}, {"name": "p", "function": 4, "address": 52, "type": "float32"}]}' "$i" $(( sport + i ))
  done
  echo ']}'; } > mdc.json
"$build/mdc" run -c mdc.json 2> mdc.err &
mdcpid=$!
for _ in $(seq 100); do grep -q 'serving' mdc.err 2>/dev/null && break; sleep 0.1; done
hp=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' mdc.err)
metric() { curl -s "http://127.0.0.1:$hp/metrics" | awk -v m="$1" '$1 ~ "^"m"[{ ]" || $1 == m {print $2}'; }
sleep 15
mosquitto -c b.conf > broker2.log 2>&1 &
b0=$(metric mdc_sink_backlog_records); d0=$(metric mdc_sink_delivered_records_total)
while [ "$(metric mdc_sink_delivered_records_total)" = "$d0" ]; do sleep 0.005; done # reconnected
s=$(date +%s%N); d1=$(metric mdc_sink_delivered_records_total)
while [ "$(metric mdc_sink_backlog_records)" -gt 100 ]; do sleep 0.005; done
e=$(date +%s%N); d2=$(metric mdc_sink_delivered_records_total)
echo "mqtt: the daemon after a 15 s broker outage: $b0 spooled records; once reconnected, delivered through the spool at $(awk -v n=$(( d2 - d1 )) -v ns=$(( e - s )) 'BEGIN {printf "%.0f", n / (ns / 1e9)}') records/s (QoS 1, batches of 500, while 200 new records/s keep arriving)"
kill -TERM $mdcpid; wait $mdcpid 2>/dev/null || true
