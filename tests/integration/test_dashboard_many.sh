#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The dashboard of a plant with 1,000 machines in headless Chromium: a page of 48 live tiles,
# history fetched only for the tiles on screen, the next page, search and the state filter.
# The screenshot is kept: $MDC_BUILD/artifacts/dashboard-1000.png.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dashboard_lib.sh"
playwright_install
artifacts=${MDC_BUILD:-$MDC_SRC/build}/artifacts
mkdir -p "$artifacts"
n=1000

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
# every machine on the one simulated meter (one bus, polled in turn); a few idle ones
{ echo '{"data_dir": "data", "http": {"listen": "127.0.0.1:0"}, "sinks": [{"type": "sqlite"}], "devices": ['
  for i in $(seq 0 $(( n - 1 ))); do
    [ "$i" -gt 0 ] && echo ','
    above=4.5; [ $(( i % 7 )) -eq 3 ] && above=100
    printf '{"id": "meter-%d", "machine_id": %d, "name": "Machine %d%s", "driver": "modbus", "connection": {"tcp": "127.0.0.1:%d"}, "interval": "10s", "timeout": "500ms", "points": [' \
      "$i" "$i" "$i" "$([ "$i" -eq 1 ] && echo ' — five-axis machining centre with a very long name in hall B')" "$port"
    printf '{"name": "power_kw", "function": 4, "address": 52, "type": "float32", "scale": 0.001, "decimals": 3, "unit": "kW"}, {"name": "energy_kwh", "function": 4, "address": 342, "type": "float32", "decimals": 4, "unit": "kWh"}], '
    printf '"status": {"power": "power_kw", "production_above": %s}, "energy": {"point": "energy_kwh"}}' "$above"
  done
  echo ']}'; } > mdc.json
bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q 'serving the dashboard' mdc.err || fail "http server not started"
hp=$(sed -n 's|.*on http://127.0.0.1:\([0-9]*\)/$|\1|p' mdc.err)
wait_for 60 bash -c "curl -s 'http://127.0.0.1:$hp/api/plant' | grep -q '\"PENDING\": 0'" || fail "every machine polled once"
node "$MDC_SRC/tests/integration/dashboard_check.mjs" many "http://127.0.0.1:$hp/" "$n" \
  "$artifacts/dashboard-1000.png" || fail "the 1,000-machine dashboard"
