#!/usr/bin/env bash
# Peak memory and speed of importing the whole-city 公安 file (issue #15):
# generates Suizhou at scale 1 (772,583 公安 rows), then reads the file
# without storing it (`registry check`: the plain parse speed, the baseline)
# and imports it into a fresh SQLite registry, each under /usr/bin/time -v.
# Prints rows/s of both, their ratio, and each one's peak resident memory
# (target for the import: <= 256 MB).
#   bash bench/registry/import_memory.sh [YANGLAO]
# YANGLAO defaults to the release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/release/src/cli/yanglao}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" gen --region 421300 --seed 7 --scale 1 --as-of 2026-01-01 --out "$work/feeds" >/dev/null
file=$work/feeds/公安.csv
rows=$(($(wc -l <"$file") - 1))
echo "公安.csv: $rows rows, $(($(stat -c %s "$file") / 1048576)) MiB"
measure() {  # label, command...
  local label=$1
  shift
  local start end
  start=$(date +%s%N)
  /usr/bin/time -v "$@" >"$work/out" 2>"$work/time" || { cat "$work/out" "$work/time"; exit 1; }
  end=$(date +%s%N)
  local ms=$(((end - start) / 1000000))
  local kb
  kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
  echo "$label: $ms ms, $((rows * 1000 / (ms > 0 ? ms : 1))) rows/s, peak $((kb / 1024)) MiB"
  eval "${label}_ms=$ms"
}
measure parse "$bin" registry check --source 公安 "$file"
measure import "$bin" registry import --db "sqlite:$work/registry.db" --source 公安 "$file"
awk -v p="$parse_ms" -v i="$import_ms" 'BEGIN {printf "import time / parse time: %.2f\n", i / p}'
