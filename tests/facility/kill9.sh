#!/usr/bin/env bash
# A facility import killed with SIGKILL leaves all of the file or none of it:
# 60,000 facilities are imported in the background and killed mid-way; the
# same file imported again must then be all new or all unchanged, never a mix.
# Usage: kill9.sh YANGLAO
set -euo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
db="sqlite:$dir/yl.db"
{
  echo '编号,名称,类型,所在社区,X坐标（米）,Y坐标（米）,服务社区,建筑面积（平方米）,床位,护理型床位,运营方,开业日期,状态,合成'
  awk 'BEGIN { for (i = 1; i <= 60000; i++) printf "K%06d,站点%d,助餐点,421303001001,%d,%d,,100,,,社区,,运营,是\n", i, i, i, -i }'
} >"$dir/big.csv"
"$bin" facility import --db "$db" "$dir/big.csv" >"$dir/first.out" 2>&1 &
pid=$!
sleep "${YANGLAO_KILL_AFTER:-1.5}"
if kill -KILL "$pid" 2>/dev/null; then echo "killed the import mid-way"; else echo "the import finished before the kill"; fi
wait "$pid" 2>/dev/null || true
out=$("$bin" facility import --db "$db" "$dir/big.csv")
echo "$out"
[[ $out == *'养老设施 60000 行，新增 60000，更新 0，未变 0'* || $out == *'养老设施 60000 行，新增 0，更新 0，未变 60000'* ]] ||
  { echo "a killed import left part of the file"; exit 1; }
echo "ok: all or nothing"
