#!/usr/bin/env bash
# mdc-deb.sh — builds the Debian package of mdc with dpkg-deb alone (no debhelper, no network):
#   packaging/mdc-deb.sh [BUILD_DIR] [OUT_DIR]      (what `make deb` runs)
# Configures BUILD_DIR for /usr, builds mdc and mdc-sim, installs them into a staging tree
# (cmake --install), adds the package metadata and prints the path of OUT_DIR/mdc_*.deb.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$src/build-deb}")
out=$(realpath -m "${2:-$src/build}")
version=$(sed -n 's/^project(mdc VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
deb="$out/mdc_${version}-1_${arch}.deb"

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  -DMDC_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target mdc mdc-sim >/dev/null
stage="$build/deb-root"
rm -rf "$stage"
DESTDIR="$stage" cmake --install "$build" >/dev/null
strip --strip-unneeded "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim"
gzip -9n "$stage"/usr/share/man/man1/*.1

# Depends: the shared libraries' packages, as dpkg-shlibdeps computes them (dpkg-dev), else
# from the packages that own the libraries mdc links.
depends() {
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/debian"
  printf 'Source: mdc\n\nPackage: mdc\nArchitecture: any\n' > "$tmp/debian/control"
  if command -v dpkg-shlibdeps >/dev/null &&
    (cd "$tmp" && dpkg-shlibdeps -O "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim" 2>/dev/null) |
    sed -n 's/^shlibs:Depends=//p' > "$tmp/deps" && [ -s "$tmp/deps" ]; then
    cat "$tmp/deps"
  else
    ldd "$stage/usr/bin/mdc" "$stage/usr/bin/mdc-sim" | awk '/=> \//{print $3}' | sort -u |
      xargs -r realpath | xargs -r dpkg -S 2>/dev/null | cut -d: -f1 | sort -u |
      while read -r p; do printf '%s (>= %s), ' "$p" "$(dpkg-query -W -f='${Version}' "$p")"; done |
      sed 's/, $//'
  fi
  rm -rf "$tmp"
}

install -d "$stage/DEBIAN" "$stage/usr/share/doc/mdc"
cat > "$stage/usr/share/doc/mdc/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: mdc
Comment: the source tree does not state a licence yet; ask the mdc developers.

Files: *
Copyright: the mdc developers
License: unspecified
EOF
printf 'mdc (%s-1) unstable; urgency=medium\n\n  * Package built by packaging/mdc-deb.sh.\n\n -- mdc developers <dev@mdc.invalid>  %s\n' \
  "$version" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}")" |
  gzip -9n > "$stage/usr/share/doc/mdc/changelog.Debian.gz"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<EOF
Package: mdc
Version: ${version}-1
Architecture: $arch
Maintainer: mdc developers <dev@mdc.invalid>
Installed-Size: $size
Depends: $(depends)
Recommends: systemd
Suggests: mosquitto-clients, sqlite3
Section: misc
Priority: optional
Homepage: https://mdc.invalid/
Description: machine data collector (Modbus, LSV2, OPC UA, B-route)
 mdc collects live data from machines and energy meters, derives machine
 status, part counts and energy per shift, and delivers every record through
 a durable spool to SQLite, PostgreSQL, files, webhooks, Pub/Sub and MQTT.
 An embedded HTTP server offers a live dashboard, health, Prometheus metrics
 and a device API. Includes mdc-sim, device simulators for commissioning.
EOF
echo /etc/mdc/mdc.json > "$stage/DEBIAN/conffiles"
cat > "$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# The service is not enabled: edit /etc/mdc/mdc.json, then `systemctl enable --now mdc`.
set -e
# DPKG_ROOT: installed into another root (dpkg --root): the running system is not ours to touch.
if [ "$1" = configure ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
  if systemctl is-active --quiet mdc.service; then systemctl try-restart mdc.service || true; fi
fi
EOF
cat > "$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -z "${DPKG_ROOT:-}" ] && [ -d /run/systemd/system ]; then
  systemctl stop mdc.service >/dev/null 2>&1 || true
fi
EOF
cat > "$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
[ -z "${DPKG_ROOT:-}" ] || exit 0
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
if [ "$1" = purge ]; then rm -rf /var/lib/mdc /var/lib/private/mdc; fi
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
