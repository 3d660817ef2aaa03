#!/usr/bin/env bash
# The live dashboard of `mdc demo` in headless Chromium: a tile per demo device; state changes
# in the simulator recolour meter-1's tile (grey OFF, amber ON, green PRODUCTION, red
# unreachable with the reason) within 2 s of the record; nothing is fetched from outside the
# server. The screenshot is kept as a test artifact: $MDC_BUILD/artifacts/dashboard.png.
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
  "$T/data/sim-meter-1.ctl" "$artifacts/dashboard.png" || fail "dashboard check"
[ -s "$artifacts/dashboard.png" ] || fail "screenshot saved"
kill -INT "$PID_demo"; wait "$PID_demo"; rc=$?
assert_eq 0 "$rc" "the demo stops cleanly"
