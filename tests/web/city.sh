#!/usr/bin/env bash
# Builds the small generated city the browser tests run on, in DIR:
#   yanglao gen (Suizhou, scale ${YANGLAO_WEB_SCALE:-0.01}), the seven feeds and the
#   assessment histories imported into SQLite, this month's run of Suizhou's list,
#   the demo users (logins in DIR/demo-logins.txt).
# Usage: tests/web/city.sh BIN DIR
set -euo pipefail
bin=$1
dir=$2
scale=${YANGLAO_WEB_SCALE:-0.01}
db="sqlite:$dir/yanglao.db"
mkdir -p "$dir"
if [[ ! -f $dir/feeds/manifest.yaml ]]; then
  "$bin" gen --region 421300 --seed 7 --scale "$scale" --as-of 2026-01-01 --out "$dir/feeds" | tail -1
fi
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$dir/feeds/$d.csv" --recorded 2026-01-01 | tail -1
done
if [[ -f $dir/feeds/能力评估.jsonl ]]; then
  "$bin" assess import --db "$db" "$dir/feeds/能力评估.jsonl" --recorded 2026-01-01 | tail -1
fi
[[ -d $dir/feeds/设施 ]] && "$bin" facility import --db "$db" "$dir/feeds/设施/"*.csv | tail -1
if [[ -d $dir/feeds/入住轮候 ]]; then  # institutions, beds and a waiting list (src/waitlist)
  "$bin" waitlist load --db "$db" --city 421300 --on 2026-01-01 "$dir/feeds/入住轮候" | tail -1
fi
if [[ -f $dir/feeds/探访记录.csv ]]; then  # visitors and a year of visits (src/visits)
  "$bin" visits load --db "$db" --city 421300 --month 2026-01 --dir "$dir/feeds" | head -1
fi
month=$(date +%Y-%m)
if ! "$bin" entitle runs --db "$db" | grep -q "随州市基本养老服务清单 $month："; then
  "$bin" entitle run --db "$db" --list policies/suizhou.yaml --params policies/demo/suizhou.demo.yaml \
    --month "$month" | grep "^人数"
fi
"$bin" admin demo-users --db "$db" --city 421300 --logins "$dir/demo-logins.txt" >/dev/null
