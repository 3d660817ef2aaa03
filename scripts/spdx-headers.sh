#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# spdx-headers.sh — puts the license identifier into every source file that lacks it:
#   scripts/spdx-headers.sh            add it (as the first line, after a #! line or an HTML
#                                      doctype), print the files changed
#   scripts/spdx-headers.sh --check    change nothing; list the files without it, exit 1 if any
# Source files: *.c *.h *.css (/* ... */), *.js *.mjs (//), *.sh *.py *.cmake CMakeLists.txt
# Makefile *.service.in and scripts with a #! line (#), *.html (<!-- -->), man pages *.1 (.\").
# Not: JSON (no comments), Markdown, LICENSE, test data and fuzz corpora. A file counts as
# having it when "SPDX-License-Identifier:" is in its first 5 lines.
set -euo pipefail
cd "$(dirname "$0")/.."
ID="SPDX-License-Identifier: Apache-2.0"
check=
case ${1:-} in
--check) check=1 ;;
"") ;;
-h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
*) echo "usage: scripts/spdx-headers.sh [--check]" >&2; exit 2 ;;
esac

files() {
  if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files
  else # an unpacked tarball
    find . -path ./.git -prune -o -path './build*' -prune -o -type f -print | sed 's|^\./||'
  fi
}

# The comment line for a file, or nothing when it is not a source file.
header_for() {
  local f=$1
  case $f in
  tests/fuzz/corpus/* | */data/* | *.json | *.md | LICENSE | *.expected*) return 0 ;;
  *.c | *.h | *.css) echo "/* $ID */" ;;
  *.js | *.mjs) echo "// $ID" ;;
  *.html) echo "<!-- $ID -->" ;;
  *.1) echo ".\\\" $ID" ;;
  *.sh | *.py | *.cmake | */CMakeLists.txt | CMakeLists.txt | Makefile | *.service.in) echo "# $ID" ;;
  *) if head -c 2 "$f" 2>/dev/null | grep -q '^#!'; then echo "# $ID"; fi ;;
  esac
}

has_id() { head -n 5 "$1" | grep -q "SPDX-License-Identifier:"; }

# Inserts line $2 into file $1: after a #! line or <!DOCTYPE ...>, else first; mode kept.
insert() {
  local f=$1 line=$2 tmp
  tmp=$(mktemp "$f.XXXXXX")
  if head -n 1 "$f" | grep -qiE '^(#!|<!doctype)'; then
    { head -n 1 "$f"; printf '%s\n' "$line"; tail -n +2 "$f"; } > "$tmp"
  else
    { printf '%s\n' "$line"; cat "$f"; } > "$tmp"
  fi
  chmod --reference="$f" "$tmp"
  mv "$tmp" "$f"
}

missing=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  h=$(header_for "$f")
  [ -n "$h" ] || continue
  has_id "$f" && continue
  missing=$((missing + 1))
  if [ -n "$check" ]; then
    echo "$f"
  else
    insert "$f" "$h"
    echo "added: $f"
  fi
done < <(files)
if [ -n "$check" ] && [ "$missing" -gt 0 ]; then
  echo "spdx-headers: $missing source files lack \"$ID\" (scripts/spdx-headers.sh adds it)" >&2
  exit 1
fi
exit 0
