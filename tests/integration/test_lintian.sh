#!/usr/bin/env bash
# The Debian package passes lintian without errors or warnings (pedantic and experimental tags
# shown; the info tags that remain are listed), is built with -Werror and Debian's hardening
# flags, and its copyright file is machine-readable and names mdc's license (Apache-2.0) and
# the licenses of the libraries mdc links.
source "$(dirname "$0")/lib.sh"
command -v lintian >/dev/null || { echo "SKIP: lintian missing (scripts/deps.sh test installs it)"; exit 77; }
command -v dpkg-deb >/dev/null || { echo "SKIP: dpkg-deb missing"; exit 77; }
if [ "${MDC_SANITIZED:-}" = 1 ] || [ "${MDC_SANITIZED:-}" = ON ]; then
  echo "SKIP: the sanitizer run builds the same package"; exit 77
fi
MDC_CMAKE_ARGS=-DMDC_WERROR=ON "$MDC_SRC/packaging/mdc-deb.sh" "$T/build" "$T/out" > deb.log 2>&1 ||
  fail "packaging/mdc-deb.sh: $(tail -n 20 deb.log)"
deb=$(ls "$T"/out/mdc_*.deb)
lintian -EvIL +pedantic --color never "$deb" > lintian.out 2>&1 || true
grep -E '^[EW]: ' lintian.out && fail "lintian reports errors or warnings (above)"
pass "lintian: no errors, no warnings ($(grep -cE '^[IPX]: ' lintian.out || true) info/pedantic/experimental tags: $(grep -E '^[IPX]: ' lintian.out | sed -E 's/^[IPX]: mdc: ([^ ]+).*/\1/' | sort -u | tr '\n' ' '))"

dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/doc/mdc/copyright > copyright
head -n 1 copyright | grep -qx 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
  fail "copyright is not in the machine-readable format"
grep -qx 'License: Apache-2.0' copyright || fail "copyright names Apache-2.0"
for lib in libmodbus5 libjansson4 libyaml-0-2 libsqlite3-0 libpq5 libcurl4 libssl3 libmosquitto1 libmicrohttpd12; do
  grep -qE "^ $lib: [^ ]" copyright || fail "copyright lacks the library $lib: $(cat copyright)"
done
pass "copyright: machine-readable, Apache-2.0, the linked libraries with their licenses"
