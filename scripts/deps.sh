#!/usr/bin/env bash
# Installs the Debian packages mdc needs to build, test and demo. Idempotent: installs only
# what is missing. Needs root (or sudo) the first time.
set -euo pipefail

BUILD_PKGS=(build-essential cmake pkg-config clang clang-format
  libmodbus-dev libjansson-dev libyaml-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev
  libssl-dev libmosquitto-dev libmicrohttpd-dev libcmocka-dev libclang-rt-14-dev tzdata
  libprotobuf-c-dev protobuf-c-compiler)
TEST_PKGS=(sqlite3 socat postgresql mosquitto mosquitto-clients valgrind procps iproute2
  chromium chromium-driver curl wrk jq)
TEST_PKGS+=(prometheus) # promtool checks /metrics (tests/integration/test_metrics_values.sh)
# Node.js may come from elsewhere than Debian (its npm then conflicts with Debian's npm).
command -v npm >/dev/null 2>&1 || TEST_PKGS+=(nodejs npm)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
