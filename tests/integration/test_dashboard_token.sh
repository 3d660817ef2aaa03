#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The dashboard with http.token in headless Chromium: the page, script, style and icon load
# without the token; /?access_token=T trades the token for a session cookie and drops it from
# the address bar; no later request (API, event stream) carries it; without the token the page
# asks for it, refuses a wrong one and opens with the right one.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dashboard_lib.sh"
playwright_install
artifacts=${MDC_BUILD:-$MDC_SRC/build}/artifacts
mkdir -p "$artifacts"

bg sim "$MDC_SIM" modbus --tcp 127.0.0.1:0 --frozen
wait_for 5 grep -q '^tcp: ' sim.log || fail "simulator did not start"
port=$(sed -n 's/^tcp: 127.0.0.1:\([0-9]*\)$/\1/p' sim.log)
export MDC_HTTP_TOKEN='tok-7e1c/+='
cat > mdc.json <<JSON
{ "data_dir": "data", "http": {"listen": "127.0.0.1:0", "token": "\${MDC_HTTP_TOKEN}"},
  "sinks": [ {"type": "sqlite"} ],
  "devices": [ { "id": "press", "name": "Press", "driver": "modbus", "connection": {"tcp": "127.0.0.1:$port"},
    "interval": "1s", "points": [ {"name": "power_kw", "function": 4, "address": 52, "type": "float32",
      "scale": 0.001, "unit": "kW", "decimals": 2} ],
    "status": {"power": "power_kw", "production_above": 4.5} } ] }
JSON
bg mdc "$MDC" run -c mdc.json
wait_for 10 grep -q 'serving the dashboard' mdc.err || fail "http server not started"
hp=$(sed -n 's|.*on http://127.0.0.1:\([0-9]*\)/ (bearer token required)$|\1|p' mdc.err)
node "$MDC_SRC/tests/integration/dashboard_check.mjs" token "http://127.0.0.1:$hp/" \
  "$MDC_HTTP_TOKEN" "$artifacts/dashboard-token.png" || fail "dashboard with a token"
if grep -F -- "$MDC_HTTP_TOKEN" mdc.err mdc.log; then fail "the token in the log"; fi
pass "the token never reaches the log"
