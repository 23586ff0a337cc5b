#!/usr/bin/env bash
# Each module's SQL names only its own tables, and the CLI parses --db once.
# Fails when
#   - a source outside src/<module>/ names a table that src/<module>/ creates
#     (CREATE TABLE in its non-test sources): after FROM, JOIN, INTO, UPDATE,
#     TABLE or EXISTS on one line, or at the start of a string literal that
#     goes on as SQL (a statement split over two literals: "... FROM "
#     "entitle_line l WHERE ...");
#   - a file of src/cli other than options.cc declares a "--db" option.
# Tests (*_test.cc) and test support (test_*) may read any table. Lines listed
# in tests/layers/sql_ownership.allow ("path: reason") are let through while
# their owner moves them.
#   sql_ownership.sh SOURCE_DIR
set -euo pipefail
root=${1:?usage: sql_ownership.sh SOURCE_DIR}
allow="$root/tests/layers/sql_ownership.allow"
allowed() {
  [[ -f $allow ]] && grep -qE "^${1//./\\.}:" "$allow"
}

bad=0
declare -A owner
for dir in "$root"/src/*/; do
  module=$(basename "$dir")
  while read -r table; do
    [[ -n $table ]] && owner[$table]=$module
  done < <(grep -rhoE 'CREATE TABLE (IF NOT EXISTS )?[a-z_]+' "$dir" --include='*.cc' --include='*.h' \
             --exclude='*_test.cc' --exclude='test_*' | awk '{print $NF}' | sort -u)
done
((${#owner[@]} > 0)) || { echo "sql_ownership.sh: no CREATE TABLE found under $root/src" >&2; exit 2; }

for table in "${!owner[@]}"; do
  module=${owner[$table]}
  pattern="((FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)[[:space:]]+$table\\b|\"$table( [a-z][a-z0-9_]*)? (WHERE|JOIN|LEFT|INNER|ON|GROUP|ORDER|SET|VALUES|\\())"
  while IFS= read -r hit; do
    [[ -z $hit ]] && continue
    file=${hit%%:*}
    rel=${file#"$root"/}
    [[ $rel == src/$module/* ]] && continue
    allowed "$rel" && continue
    rest=${hit#*:}
    echo "$rel:${rest%%:*}: names table $table of module $module (read it through the module's store)" >&2
    bad=1
  done < <(grep -rnE "$pattern" "$root/src" --include='*.cc' --include='*.h' \
             --exclude='*_test.cc' --exclude='test_*' || true)
done

while IFS= read -r hit; do
  [[ -z $hit ]] && continue
  file=${hit%%:*}
  rel=${file#"$root"/}
  rest=${hit#*:}
  echo "$rel:${rest%%:*}: declares its own --db option (use cli/options.h AddDbOption)" >&2
  bad=1
done < <(grep -rnE '"--db[",= ]' "$root/src/cli" --include='*.cc' --include='*.h' \
           --exclude='options.cc' || true)

if ((bad)); then
  echo "SQL ownership check failed: a module's SQL names only its own tables (docs/architecture.md)" >&2
  exit 1
fi
echo "SQL ownership check: ${#owner[@]} tables, each named only by its module; one --db parser"
