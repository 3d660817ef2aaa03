# SPDX-License-Identifier: Apache-2.0
# dashboard_lib.sh — playwright-core (from the npm registry) for driving the Debian chromium,
# installed once into an ignored cache directory (sourced after lib.sh).
#   playwright_install   sets PLAYWRIGHT_DIR, or exits 77 (skip) when node, npm or chromium
#                        is missing
PLAYWRIGHT_VERSION=1.65.1

playwright_install() {
  need_node 20 # playwright-core
  [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "SKIP: chromium missing"; exit 77; }
  PLAYWRIGHT_DIR=${MDC_NODE_CACHE:-$MDC_SRC/build/node-cache}/playwright-$PLAYWRIGHT_VERSION
  mkdir -p "$PLAYWRIGHT_DIR"
  (
    flock 9
    if [ ! -f "$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json" ]; then
      PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$PLAYWRIGHT_DIR" --no-save \
        --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" \
        >"$T/npm.out" 2>&1 || { echo "FAIL: npm install playwright-core" >&2; cat "$T/npm.out" >&2; exit 1; }
    fi
  ) 9>"$PLAYWRIGHT_DIR.lock"
  export PLAYWRIGHT_DIR
}
