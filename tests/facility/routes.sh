#!/usr/bin/env bash
# The facility module through the program: `yanglao gen` writes Suizhou (scale
# 0.003) with its synthetic facilities, estates and community coordinates;
# they are imported (a rerun changes nothing; a bad file is refused whole);
# the server answers the facility routes within the caller's data scope: a
# The coverage table of the generated Suizhou against its 2023-2025 targets is
# the golden one of docs/facility.md (the unit shares do not depend on the
# scale, the beds do). A 广水市 official gets 广水市's map, coverage and suggested sites (all in
# 广水市), and is refused 曾都区; the city official's coverage has the city's
# bed target. Usage: routes.sh YANGLAO
set -euo pipefail
bin=$1
dir=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
db="sqlite:$dir/yl.db"
src=${YANGLAO_SOURCE_DIR:-.}
"$bin" gen --region 421300 --seed 7 --scale 0.003 --as-of 2026-01-01 --out "$dir/feeds" --no-assessments \
  | grep '设施/'
"$bin" registry import --db "$db" --source 公安 "$dir/feeds/公安.csv" --recorded 2026-01-01 >/dev/null
"$bin" facility import --db "$db" "$dir/feeds/设施/"*.csv
again=$("$bin" facility import --db "$db" "$dir/feeds/设施/"*.csv)
[[ $(grep -c '新增 0，更新 0，未变' <<<"$again") == 3 ]] || { echo "rerun: $again"; exit 1; }

(cd "$src" && "$bin" facility coverage --db "$db" --city 421300) >"$dir/coverage.txt"
diff -u "$src/tests/facility/suizhou_coverage.txt" "$dir/coverage.txt" || { echo "coverage table differs"; exit 1; }

# A file with one bad row (a facility of an unknown kind) is refused whole.
{ head -3 "$dir/feeds/设施/养老设施.csv"; echo 'NEW1,新设施,养老院所,421381001001,0,0,,,,,,,运营,'; } >"$dir/bad.csv"
sed -i '2,3s/^SF/XX/' "$dir/bad.csv"  # two good new rows before it
if "$bin" facility import --db "$db" "$dir/bad.csv" 2>"$dir/bad.err"; then echo "bad file accepted"; exit 1; fi
grep -q 'bad.csv:4:3 字段「类型」 值「养老院所」' "$dir/bad.err" || { cat "$dir/bad.err"; exit 1; }
# Nothing of it was stored: its two good rows, imported alone, are new.
head -3 "$dir/bad.csv" >"$dir/good.csv"
"$bin" facility import --db "$db" "$dir/good.csv" | grep -q '养老设施 2 行，新增 2，更新 0，未变 0' || { echo "half-imported"; exit 1; }

echo 'pw-city-2026x' | "$bin" admin create-user --db "$db" --username city --role city_official --unit 421300 --password-stdin
echo 'pw-county-2026x' | "$bin" admin create-user --db "$db" --username guangshui --role county_official --unit 421381 --password-stdin
"$bin" serve --db "$db" --port 0 --policies "$src/policies" --access-log "$dir/access.log" 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q '服务已启动' "$dir/err" 2>/dev/null && break; sleep 0.1; done
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/err" | head -1 | sed 's/.*://')
[[ -n $port ]] || { cat "$dir/err"; echo "server did not start"; exit 1; }
base="http://127.0.0.1:$port/api/v1"
login() { curl -s -c "$dir/$1.jar" -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" "$base/auth/login" >/dev/null; }
login guangshui pw-county-2026x
login city pw-city-2026x

map=$(curl -s -b "$dir/guangshui.jar" "$base/facility/map")
[[ $map == *'"code":"421381"'* && $map == *'"synthetic":true'* && $map == *'"radius_m":6.923'* ]] || { echo "map: ${map:0:400}"; exit 1; }
[[ $map != *'"code":"421303'* ]] || { echo "map shows 曾都区"; exit 1; }
cov=$(curl -s -b "$dir/guangshui.jar" "$base/facility/coverage")
[[ $cov == *'"label":"城市社区日间照料中心覆盖率"'* && $cov == *'{"year":2024,"min":9.5E-1'* ]] || { echo "coverage: ${cov:0:600}"; exit 1; }
[[ $cov != *'养老床位总数'* ]] || { echo "a county is held to the city's bed target"; exit 1; }
sites=$(curl -s -b "$dir/guangshui.jar" "$base/facility/suggest?count=3")
[[ $(grep -o '"code":"[0-9]*"' <<<"$sites" | grep -c '"code":"421381') == 3 ]] || { echo "sites: $sites"; exit 1; }
code=$(curl -s -o "$dir/denied" -w '%{http_code}' -b "$dir/guangshui.jar" "$base/facility/map?region=421303")
[[ $code == 403 ]] && grep -q 'auth.scope' "$dir/denied" || { echo "曾都区 for 广水市: $code $(cat "$dir/denied")"; exit 1; }
city=$(curl -s -b "$dir/city.jar" "$base/facility/coverage")
[[ $city == *'"label":"养老床位总数"'* && $city == *'"min":2E4'* ]] || { echo "city coverage: ${city:0:600}"; exit 1; }
est=$(curl -s -b "$dir/city.jar" "$base/facility/estates")
[[ $est == *'"name":"曾都区"'* && $est == *'"shortfall_m2":'* ]] || { echo "estates: $est"; exit 1; }
echo "ok: facility routes on port $port"
