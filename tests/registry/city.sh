#!/usr/bin/env bash
# A generated city imported end to end: `yanglao gen` writes Suizhou's seven
# department feeds (scale 0.01, about 7,500 people aged 50+), every feed is
# imported on the given back end, and the registry must hold exactly the
# people and deaths the generator's manifest reports, with shares within 4
# standard errors of the calibration; the deaths that two
# departments date differently must be in the conflict queue; importing
# everything again must change nothing.
# Usage: city.sh YANGLAO sqlite|postgresql
set -euo pipefail
bin=$1 backend=$2
source "$(dirname "$0")/../lib/scratch_db.sh"
scratch_db "$backend" city

"$bin" gen --region 421300 --seed 7 --scale 0.01 --as-of 2026-01-01 --out "$dir/feeds" >/dev/null
people=$(grep -m1 '^people:' "$dir/feeds/manifest.yaml" | awk '{print $2}')
deaths=$(grep -m1 '^deaths:' "$dir/feeds/manifest.yaml" | awk '{print $2}')
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$dir/feeds/$d.csv" --recorded 2026-01-01 >/dev/null
done
line=$("$bin" registry stats --db "$db" --as-of 2026-01-01 | head -1)
echo "$line"
want="登记统计（2026-01-01）：登记 ${people} 人，其中已死亡 ${deaths} 人，在世 $((people - deaths)) 人"
[[ $line == "$want" ]] || { echo "want: $want"; exit 1; }
# The registry's shares against the calibration, each within 4 standard errors.
calibration=$("$bin" registry stats --db "$db" --as-of 2026-01-01 --calibration)
grep -q '^与校准参数比较（4213 随州市' <<<"$calibration" || { echo "no comparison with the calibration"; exit 1; }
if grep -q '超过4个标准误' <<<"$calibration"; then
  echo "$calibration" | sed -n '/^与校准参数比较/,$p'
  exit 1
fi
conflicts=$("$bin" registry conflicts --db "$db" | head -1)
echo "$conflicts"
[[ $conflicts =~ ^待处理冲突\ [1-9] ]] || { echo "the generated death-date disagreements should be in the conflict queue"; exit 1; }
before=$("$bin" registry checksum --db "$db")
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$dir/feeds/$d.csv" --recorded 2026-02-01 >/dev/null
done
[[ $("$bin" registry checksum --db "$db") == "$before" ]] || { echo "re-import changed the registry"; exit 1; }
echo "ok: $people people, $deaths deaths; re-import changed nothing"
