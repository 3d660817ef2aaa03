#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The builds users and distributions make compile without a warning: a Release build (-O3,
# whose deeper analysis finds more than RelWithDebInfo) and a build with Debian's hardening
# flags (dpkg-buildflags with hardening=+all: fortify, stack protector, format security, relro,
# bindnow, PIE), both with -DMDC_WERROR=ON so that any warning fails. The hardened binaries
# carry the protections (read back with readelf/nm, as hardening-check does).
source "$(dirname "$0")/lib.sh"
if [ "${MDC_SANITIZED:-}" = 1 ] || [ "${MDC_SANITIZED:-}" = ON ]; then
  echo "SKIP: the sanitizer run builds nothing different here"; exit 77
fi
command -v cmake >/dev/null || { echo "SKIP: cmake missing"; exit 77; }
jobs=$(nproc)

build() { # NAME CMAKE_ARGS...: configures and builds mdc and mdc-sim in $T/NAME
  local name=$1; shift
  cmake -S "$MDC_SRC" -B "$T/$name" -DMDC_TESTS=OFF -DMDC_WERROR=ON "$@" > "$name.cfg.log" 2>&1 ||
    fail "$name: configure: $(tail -n 20 "$name.cfg.log")"
  cmake --build "$T/$name" -j "$jobs" --target mdc mdc-sim > "$name.log" 2>&1 ||
    fail "$name: build: $(grep -E 'error|warning' "$name.log" | head -n 20)"
  ! grep -E 'warning:' "$name.log" || fail "$name: warnings"
  "$T/$name/mdc" --version > /dev/null || fail "$name: the binary runs"
  pass "$name build: no warnings with -Werror"
}

build release -DCMAKE_BUILD_TYPE=Release

command -v dpkg-buildflags >/dev/null || { echo "SKIP (part): dpkg-buildflags missing (dpkg-dev)"; exit 0; }
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
cflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
for f in -D_FORTIFY_SOURCE=2 -fstack-protector-strong -Werror=format-security; do
  case " $cflags " in *" $f "*) ;; *) fail "dpkg-buildflags lacks $f: $cflags" ;; esac
done
build hardened -DCMAKE_BUILD_TYPE=None -DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
  -DCMAKE_MODULE_LINKER_FLAGS="$ldflags"

for bin in mdc mdc-sim; do
  f=$T/hardened/$bin
  readelf -lW "$f" > phdr; readelf -dW "$f" > dyn; readelf -hW "$f" > hdr; nm -D "$f" > syms
  grep -q GNU_RELRO phdr || fail "$bin: no RELRO segment"
  grep -Eq 'BIND_NOW|FLAGS_1.*NOW' dyn || fail "$bin: not linked with -z now"
  grep -q 'DYN (' hdr || fail "$bin: not PIE"
  grep -q ' U __stack_chk_fail' syms || fail "$bin: no stack protector"
  grep -Eq ' U __[a-z_]+_chk(@|$)' syms || fail "$bin: no fortified functions"
  pass "$bin: relro, bindnow, PIE, stack protector, fortify"
done
# the modules mdc loads (core/module.h): shared objects, as hardened as the program
for f in "$T"/hardened/modules/*.so; do
  m=$(basename "$f")
  readelf -lW "$f" > phdr; readelf -dW "$f" > dyn; nm -D "$f" > syms
  grep -q GNU_RELRO phdr || fail "$m: no RELRO segment"
  grep -Eq 'BIND_NOW|FLAGS_1.*NOW' dyn || fail "$m: not linked with -z now"
  grep -q ' U __stack_chk_fail' syms || fail "$m: no stack protector"
  pass "module $m: relro, bindnow, stack protector"
done
