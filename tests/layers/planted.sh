#!/usr/bin/env bash
# The layering check can fail: on a copy of the sources it passes, then fails
# once an upward include is planted (the registry including the server), and
# names the file and line; a folder missing from cmake/layers.txt fails too.
#   planted.sh SOURCE_DIR
set -euo pipefail
root=${1:?usage: planted.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/cmake"
cp -r "$root/src" "$tmp/src"
cp "$root/cmake/layers.txt" "$tmp/cmake/"
check="$root/tests/layers/check.sh"

bash "$check" "$tmp" >/dev/null || { echo "FAIL: the unchanged copy does not pass" >&2; exit 1; }

printf '#include "server/app.h"\n' >>"$tmp/src/registry/stats.cc"
if bash "$check" "$tmp" 2>"$tmp/out"; then
  echo "FAIL: a planted upward include (registry -> server) passed" >&2
  exit 1
fi
grep -q 'src/registry/stats.cc:[0-9]*: registry includes server' "$tmp/out" ||
  { echo "FAIL: the report does not name the planted include:" >&2; cat "$tmp/out" >&2; exit 1; }

# A sibling on the same line is refused as well (the server may not include gen).
cp "$root/src/registry/stats.cc" "$tmp/src/registry/stats.cc"
printf '#include "gen/generator.h"\n' >>"$tmp/src/server/router.cc"
if bash "$check" "$tmp" 2>/dev/null; then
  echo "FAIL: the server including the generator passed" >&2
  exit 1
fi

cp "$root/src/server/router.cc" "$tmp/src/server/router.cc"
mkdir "$tmp/src/newmodule"
if bash "$check" "$tmp" 2>/dev/null; then
  echo "FAIL: a module missing from cmake/layers.txt passed" >&2
  exit 1
fi
echo "planted upward includes are refused"
