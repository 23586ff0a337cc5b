#!/usr/bin/env bash
# The SQL ownership check can fail: on a copy of the sources it passes, then
# fails on each planted violation in turn, naming the file and line: the
# server reading entitle_line, an assessment file reading the registry's
# person table (and a statement split over two literals), and a second --db
# option in the CLI.
#   sql_ownership_planted.sh SOURCE_DIR
set -euo pipefail
root=${1:?usage: sql_ownership_planted.sh SOURCE_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/tests/layers"
cp -r "$root/src" "$tmp/src"
cp "$root/tests/layers/sql_ownership.allow" "$tmp/tests/layers/" 2>/dev/null || true
check="$root/tests/layers/sql_ownership.sh"

bash "$check" "$tmp" >/dev/null || { echo "FAIL: the unchanged copy does not pass" >&2; exit 1; }

expect_refused() {  # FILE LINE-TEXT EXPECTED-REPORT
  local file=$1 text=$2 expected=$3
  cp "$file" "$tmp/saved"
  printf '%s\n' "$text" >>"$file"
  if bash "$check" "$tmp" 2>"$tmp/out"; then
    echo "FAIL: planted [$text] in ${file#"$tmp"/} passed" >&2
    exit 1
  fi
  grep -qE "$expected" "$tmp/out" ||
    { echo "FAIL: the report does not name [$text]:" >&2; cat "$tmp/out" >&2; exit 1; }
  cp "$tmp/saved" "$file"
}

expect_refused "$tmp/src/server/router.cc" \
  'const char* kPlanted = "SELECT COUNT(*) FROM entitle_line WHERE run_id = ?";' \
  'src/server/router.cc:[0-9]+: names table entitle_line of module entitle'
expect_refused "$tmp/src/assess/due.cc" \
  'const char* kPlanted = "SELECT p.id_number FROM person p";' \
  'src/assess/due.cc:[0-9]+: names table person of module registry'
expect_refused "$tmp/src/server/router.cc" \
  'const char* kPlanted = "SELECT COUNT(*) FROM " "fact r WHERE r.fact = ?";' \
  'src/server/router.cc:[0-9]+: names table fact of module registry'
expect_refused "$tmp/src/cli/id_command.cc" \
  'void Planted(CLI::App* c, std::string& db) { c->add_option("--db", db); }' \
  'src/cli/id_command.cc:[0-9]+: declares its own --db option'

bash "$check" "$tmp" >/dev/null || { echo "FAIL: the restored copy does not pass" >&2; exit 1; }
echo "SQL ownership check refuses each planted violation"
