#!/usr/bin/env bash
# Dependencies point down: fails when a module under src/ includes a header of
# a module on its own line or above it in cmake/layers.txt, or when a folder
# under src/ is missing from that file.
#   check.sh SOURCE_DIR
set -euo pipefail
root=${1:?usage: check.sh SOURCE_DIR}
layers="$root/cmake/layers.txt"
[[ -f $layers ]] || { echo "check.sh: $layers missing" >&2; exit 2; }

declare -A level
n=0
while read -r line; do
  line=${line%%#*}
  [[ -z ${line// /} ]] && continue
  for m in $line; do level[$m]=$n; done
  n=$((n + 1))
done <"$layers"

bad=0
for dir in "$root"/src/*/; do
  module=$(basename "$dir")
  if [[ -z ${level[$module]+x} ]]; then
    echo "src/$module: not in cmake/layers.txt" >&2
    bad=1
    continue
  fi
  mine=${level[$module]}
  while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    lineno=${rest%%:*}
    inc=$(sed -E 's/^[^"]*"([a-z_]+)\/.*/\1/' <<<"${rest#*:}")
    [[ $inc == "$module" ]] && continue
    [[ -z ${level[$inc]+x} ]] && continue  # not a module of ours (e.g. a generated header dir)
    name=$(basename "$file")
    if [[ $name == *_test.cc || $name == test_* ]]; then
      [[ $module != cli && $inc != cli ]] && continue
    fi
    if ((${level[$inc]} >= mine)); then
      echo "${file#"$root"/}:$lineno: $module includes $inc (same layer or above it in cmake/layers.txt)" >&2
      bad=1
    fi
  done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[a-z_]+/' "$dir" \
             --include='*.cc' --include='*.h' || true)
done
if ((bad)); then
  echo "layering check failed: dependencies must point down (cmake/layers.txt)" >&2
  exit 1
fi
echo "layering check: ${#level[@]} modules, dependencies point down"
