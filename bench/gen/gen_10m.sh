#!/usr/bin/env bash
# Whole-process run of `yanglao gen` for 10 million people: 南通市 (3206,
# census population 7,726,635, 46% aged 50+) at scale 2.8148 gives about
# 10,000,000 people aged 50 and over. Prints wall time, people per second,
# bytes written and peak memory (VmHWM, sampled from /proc every 50 ms), then
# removes the output.
#
#   bash bench/gen/gen_10m.sh                 # builds the release preset first
#   bash bench/gen/gen_10m.sh path/to/yanglao [extra gen options, e.g. --dirty]
#
# Output goes to a fresh directory under ${TMPDIR:-/tmp} (about 1.8 GB while
# it runs). Threads: one per core (the output does not depend on it).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ $# -ge 1 ]]; then
  bin=$1
  shift
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target yanglao >/dev/null
  bin=build/release/src/cli/yanglao
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/yanglao-gen-10m.XXXXXX")
trap 'rm -rf "$out"' EXIT

start=$(date +%s%N)
"$bin" gen --region 3206 --seed 7 --scale 2.8148 --out "$out" "$@" >"$out/stdout.txt" &
pid=$!
peak_kb=0
while kill -0 "$pid" 2>/dev/null; do
  kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  if [[ -n $kb && $kb -gt $peak_kb ]]; then peak_kb=$kb; fi
  sleep 0.05
done
wait "$pid"
end=$(date +%s%N)

people=$(awk '/^people:/ {print $2}' "$out/manifest.yaml")
bytes=$(du -sb --exclude=stdout.txt "$out" | awk '{print $1}')
ms=$(((end - start) / 1000000))
echo "== yanglao gen, 10 million people ($(nproc) cores, $(date -u +%F))"
echo "  command:      $bin gen --region 3206 --seed 7 --scale 2.8148 $*"
awk -v p="$people" -v ms="$ms" -v b="$bytes" -v kb="$peak_kb" 'BEGIN {
  printf "  people:       %d\n", p
  printf "  wall time:    %.2f s\n", ms / 1000
  printf "  people/s:     %.0f\n", p / (ms / 1000)
  printf "  bytes:        %.1f MB (%.1f MB/s)\n", b / 1e6, b / 1e6 / (ms / 1000)
  printf "  peak memory:  %.1f MB (VmHWM)\n", kb / 1024
}'
sed -n '/^文件/,/^共写入/p' "$out/stdout.txt" | sed 's/^/  /'
