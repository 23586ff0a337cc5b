#!/usr/bin/env bash
# Whole-process run: assessment histories of a generated city through the
# registry. Generates Suizhou (421300) at SCALE (default 1: everyone aged
# 50+, about 745,000 people) with 能力评估.jsonl, imports the seven feeds
# into SQLite, then times `yanglao assess import` of the histories and
# `yanglao assess due --region 421300` (the work lists and the 80+ coverage
# per county), and prints their first lines.
#   bash bench/assess/city_assess.sh [YANGLAO] [SCALE]
# YANGLAO defaults to the release build.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/release/src/cli/yanglao}
scale=${2:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

t=$(date +%s%N)
"$bin" gen --region 421300 --seed 7 --scale "$scale" --as-of 2026-01-01 --out "$work/feeds" | grep '能力评估'
echo "gen (with histories): $(ms "$t") ms"
db=sqlite:$work/registry.db
t=$(date +%s%N)
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$work/feeds/$d.csv" --recorded 2026-01-01 >/dev/null
done
echo "registry import: $(ms "$t") ms"
t=$(date +%s%N)
"$bin" assess import --db "$db" "$work/feeds/能力评估.jsonl" --recorded 2026-01-01
echo "assess import: $(ms "$t") ms"
t=$(date +%s%N)
"$bin" assess due --db "$db" --region 421300 --as-of 2026-01-01 --limit 0 --format csv >"$work/due.csv"
echo "assess due (csv, $(($(wc -l <"$work/due.csv") - 1)) people listed): $(ms "$t") ms"
"$bin" assess due --db "$db" --region 421300 --as-of 2026-01-01 --limit 0 | sed -n '1,3p;/覆盖率/,$p'
