#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The dashboard of `mdc demo` in headless Chromium, in every state of meter-1 (production, on,
# off, unreachable), each checked on the DOM — colours, units and configured decimals, labels,
# ISO times, a timeline segment of the state, shift bars never in the live state's colour,
# last values kept and greyed while unreachable, the legend, long names and program paths
# inside their tile — and kept as screenshots: $MDC_BUILD/artifacts/dashboard-*.png. Nothing is
# fetched from outside the server.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/dashboard_lib.sh"
playwright_install
artifacts=${MDC_BUILD:-$MDC_SRC/build}/artifacts
mkdir -p "$artifacts"

export MDC_HTTP_LISTEN=127.0.0.1:0
bg demo "$MDC" demo
wait_for 15 grep -q 'serving the dashboard' demo.err || fail "the dashboard is not served"
port=$(sed -n 's|.*serving the dashboard, API and metrics on http://127.0.0.1:\([0-9]*\)/.*|\1|p' demo.err)
wait_for 10 test -p data/sim-meter-1.ctl || fail "the simulator's control FIFO"
wait_for 10 grep -q '"device": "meter-2"' demo.log || fail "no records yet"

# the page and its assets, as the browser gets them
assert_eq 200 "$(curl -s -o index.html -w '%{http_code}' "http://127.0.0.1:$port/")" "GET / is 200"
grep -q '<script src="dashboard.js" defer></script>' index.html || fail "the page loads its own script"
if grep -Eq 'https?://' index.html; then fail "no absolute URLs in the page"; fi
for a in dashboard.js dashboard.css favicon.svg; do
  assert_eq 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$a")" "GET /$a"
done

node "$MDC_SRC/tests/integration/dashboard_check.mjs" check "http://127.0.0.1:$port/" \
  "$T/data/sim-meter-1.ctl" "$artifacts" || fail "dashboard check"
for s in production on off unreachable; do
  [ -s "$artifacts/dashboard-$s.png" ] || fail "screenshot of $s saved"
done
kill -INT "$PID_demo"; wait "$PID_demo"; rc=$?
assert_eq 0 "$rc" "the demo stops cleanly"
