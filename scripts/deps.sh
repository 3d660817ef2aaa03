#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deps.sh — installs the Debian packages mdc needs, and nothing else:
#   scripts/deps.sh demo   build tools, the libraries mdc links, and the small tools the README
#                          uses beside the demo (curl, jq, sqlite3)
#   scripts/deps.sh test   the above and the test stack (clang, cmocka, PostgreSQL, mosquitto,
#                          valgrind, Chromium, Node.js, wrk, lintian, ...)
# Idempotent: installs only what is missing (and does nothing, quietly, when nothing is). Runs
# apt-get as root, or through sudo for a normal user; apt's progress is shown as it comes.
# Services are never started: PostgreSQL, mosquitto and Prometheus are installed with a
# policy-rc.d that forbids starting them and, on a systemd host, left disabled (the tests start
# their own servers on loopback, or use promtool alone).
set -euo pipefail

DEMO_PKGS=(build-essential cmake pkg-config tzdata
  libmodbus-dev libjansson-dev libyaml-dev libsqlite3-dev libpq-dev libcurl4-openssl-dev
  libssl-dev libmosquitto-dev libmicrohttpd-dev libprotobuf-c-dev protobuf-c-compiler
  curl jq sqlite3)
TEST_PKGS=(clang clang-format libclang-rt-14-dev libcmocka-dev
  python3 python3-cryptography socat openssl xxd procps iproute2 groff-base man-db lintian
  postgresql mosquitto mosquitto-clients valgrind chromium chromium-driver wrk)
TEST_PKGS+=(prometheus) # promtool checks /metrics (tests/integration/test_metrics_values.sh)
# Packages whose installation would start a system service.
SERVICE_PKGS=(postgresql mosquitto prometheus)

what=${1:-test}
case $what in
demo) want=("${DEMO_PKGS[@]}") ;;
test)
  want=("${DEMO_PKGS[@]}" "${TEST_PKGS[@]}")
  # Node.js may come from elsewhere than Debian (its npm then conflicts with Debian's npm).
  command -v npm >/dev/null 2>&1 || want+=(nodejs npm)
  ;;
-h | --help)
  sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
  ;;
*)
  echo "usage: scripts/deps.sh demo|test" >&2
  exit 2
  ;;
esac

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${want[@]}"; do installed "$p" || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "deps: ${#missing[@]} Debian packages are missing (${missing[*]});" >&2
    echo "deps: run this as root, or install sudo and give your user sudo rights" >&2
    exit 1
  }
  SUDO=(sudo)
fi
as_root() { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "$@"; }

# policy-rc.d (invoke-rc.d, deb-systemd-invoke) forbids starting services while we install;
# ours only, and only if the system has none.
policy=/usr/sbin/policy-rc.d
own_policy=
services=()
for p in "${missing[@]}"; do
  for s in "${SERVICE_PKGS[@]}"; do [ "$p" = "$s" ] && services+=("$s"); done
done
restore_policy() { if [ -n "$own_policy" ]; then as_root rm -f "$policy"; fi; }
if [ ${#services[@]} -gt 0 ] && [ ! -e "$policy" ]; then
  echo "deps: $policy: no service may start while installing ${services[*]}"
  printf '#!/bin/sh\n# scripts/deps.sh (mdc): no service starts while it installs packages\nexit 101\n' |
    as_root tee "$policy" >/dev/null
  as_root chmod 0755 "$policy"
  own_policy=1
  trap restore_policy EXIT
fi

echo "deps: installing ${#missing[@]} Debian packages for the $what: ${missing[*]}"
echo "deps: apt-get update"
as_root apt-get update
echo "deps: apt-get install"
as_root apt-get install -y --no-install-recommends "${missing[@]}"

# A systemd host would start them at the next boot: they stay off (we installed them).
if [ ${#services[@]} -gt 0 ] && [ -d /run/systemd/system ]; then
  for s in "${services[@]}"; do
    as_root systemctl disable --quiet "$s.service" 2>/dev/null || true
    echo "deps: $s is installed for the tests, not as a system service (systemctl enable --now $s to change that)"
  done
fi
echo "deps: done"
