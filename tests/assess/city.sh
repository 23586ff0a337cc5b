#!/usr/bin/env bash
# Assessment work lists on a generated city: `yanglao gen` writes Suizhou
# (scale 0.01, about 7,500 people aged 50+) with 能力评估.jsonl, every
# department feed and the assessments are imported on the given back end,
# and `yanglao assess due --region 421300` must list the overdue and report
# the 80+ coverage of each of Suizhou's three counties, with totals equal to
# what the generator says it wrote. One assessed person's capability level
# must be in the registry, from 评估机构. Importing the assessments again
# changes nothing.
# Usage: city.sh YANGLAO sqlite|postgresql
set -euo pipefail
bin=$1 backend=$2
source "$(dirname "$0")/../lib/scratch_db.sh"
scratch_db "$backend" assess_city

gen=$("$bin" gen --region 421300 --seed 7 --scale 0.01 --as-of 2026-01-01 --out "$dir/feeds")
line=$(grep '能力评估.jsonl' <<<"$gen")
echo "gen: $line"
# "  能力评估.jsonl   1718 行（944 人的能力评估；在世 80 周岁及以上 523 人中 325 人评估有效）"
[[ $line =~ 在世\ 80\ 周岁及以上\ ([0-9]+)\ 人中\ ([0-9]+)\ 人评估有效 ]] || { echo "no summary line"; exit 1; }
old=${BASH_REMATCH[1]} valid=${BASH_REMATCH[2]}
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$dir/feeds/$d.csv" --recorded 2026-01-01 >/dev/null
done
"$bin" assess import --db "$db" "$dir/feeds/能力评估.jsonl" --recorded 2026-01-01

"$bin" assess due --db "$db" --region 421300 --as-of 2026-01-01 --limit 5 >"$dir/due.txt"
sed -n '1,3p' "$dir/due.txt"
overdue=$(sed -n '3p' "$dir/due.txt" | sed 's/^已过期 \([0-9]*\) 人.*/\1/')
[[ $overdue =~ ^[0-9]+$ && $overdue -gt 0 ]] || { echo "no overdue people listed"; exit 1; }
grep -q '^  已过期  ' "$dir/due.txt" || { echo "the list shows no overdue person"; exit 1; }
sed -n '/覆盖率/,$p' "$dir/due.txt"
for county in 421303 421321 421381; do
  grep -q "^$county " "$dir/due.txt" || { echo "no coverage line for county $county"; exit 1; }
done
total=$(grep '^合计' "$dir/due.txt")
[[ $total == "合计  $old / $valid / "* ]] || { echo "coverage total '$total' differs from the generator's $old / $valid"; exit 1; }

# Someone assessed has a capability level from 评估机构 in the registry.
id=$(head -1 "$dir/feeds/能力评估.jsonl" | sed 's/.*"id_number":"\([0-9X]*\)".*/\1/')
"$bin" registry history --db "$db" "$id" | grep -q '能力等级.*来源 评估机构' ||
  { echo "no capability level from 评估机构 for $id"; exit 1; }

before=$("$bin" assess checksum --db "$db")
"$bin" assess import --db "$db" "$dir/feeds/能力评估.jsonl" --recorded 2026-02-01 | grep -q '均已记录'
[[ $("$bin" assess checksum --db "$db") == "$before" ]] || { echo "re-import changed something"; exit 1; }
echo "ok: $overdue overdue; 80+ coverage $valid of $old; re-import changed nothing"
