#!/usr/bin/env bash
# Two monthly runs on a generated Suizhou (scale 0.01, people aged 50+, with
# deaths and status changes during the year), through the CLI on the given
# back end: the second month must show people newly entitled to 高龄津贴 on
# turning 80, every item ceasing for the dead with the date, and 低保 exits;
# running a month again must recompute identically and write nothing; the
# rolls must add up to the run's monthly total; the advisor must agree with
# the run for a person on the 高龄津贴 roll; a what-if must report the cost.
# Usage: months.sh YANGLAO SOURCE_DIR sqlite|postgresql
set -euo pipefail
bin=$1 src=$2 backend=$3
source "$(dirname "$0")/../lib/scratch_db.sh"
scratch_db "$backend" months
list=(--list "$src/policies/suizhou.yaml" --params "$src/policies/demo/suizhou.demo.yaml")
fail() { echo "FAIL: $*"; exit 1; }

"$bin" gen --region 421300 --seed 7 --scale 0.01 --as-of 2026-11-01 --out "$dir/feeds" >/dev/null
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$dir/feeds/$d.csv" --recorded 2026-11-01 >/dev/null
done

"$bin" entitle run --db "$db" "${list[@]}" --month 2026-09 --known-on 2026-11-01 >"$dir/sep.txt"
"$bin" entitle run --db "$db" "${list[@]}" --month 2026-10 --known-on 2026-11-01 \
  --rolls "$dir/rolls" >"$dir/oct.txt"
head -3 "$dir/oct.txt"
"$bin" entitle changes --db "$db" "${list[@]}" --month 2026-10 --full >"$dir/changes.tsv"
turned80=$(grep -c $'^新增\t第3项 高龄津贴\t.*年满80周岁（此人：80）：是' "$dir/changes.tsv" || true)
died=$(grep -c $'^停发\t.*\t已死亡（2026-09-[0-9][0-9]）$' "$dir/changes.tsv" || true)
left_dibao=$(grep -c $'^停发\t.*低保对象：否' "$dir/changes.tsv" || true)
echo "turned 80: $turned80, ceased by death: $died, ceased for 低保: $left_dibao"
((turned80 > 0)) || fail "nobody newly entitled to 高龄津贴 on turning 80"
((died > 0)) || fail "no item ceased by a death"
((left_dibao > 0)) || fail "no item ceased on leaving 低保"

# The changes have a header and names; the to-verify list names the fact and the
# department, and its count per item is in the run's summary.
sed -n 2p "$dir/changes.tsv" | grep -q $'^类别\t序号 服务项目\t姓名\t身份证号' || fail "changes without a header"
[[ -n $(grep -m1 $'^新增\t第3项' "$dir/changes.tsv" | cut -f3) ]] || fail "changes without names"
verify=$(sed -n 's/.*待核实 \([0-9]*\) 人项.*/\1/p' "$dir/oct.txt")
"$bin" entitle lines --db "$db" "${list[@]}" --month 2026-10 --kind 待核实 --format json >"$dir/verify.json"
python3 - "$dir/verify.json" "$verify" <<'PY' || fail "to-verify list does not match the summary"
import json, sys
d = json.load(open(sys.argv[1]))
lines = d["lines"]
assert len(lines) == int(sys.argv[2]), (len(lines), sys.argv[2])
assert all(l["kind"] == "待核实" and l["benefit"] and l["departments"] for l in lines), lines[:3]
print("to verify:", len(lines), "e.g.", lines[0]["item"], lines[0]["benefit"], lines[0]["departments"] if lines else "")
PY
# The run's summary as JSON (a re-run: recomputed, nothing written) gives the
# to-verify count per item, adding up to the run's; the text names them too.
"$bin" entitle run --db "$db" "${list[@]}" --month 2026-10 --format json >"$dir/oct.json"
python3 - "$dir/oct.json" "$dir/verify.json" <<'PY' || fail "to-verify counts per item do not add up"
import json, sys, collections
run = json.load(open(sys.argv[1]))
listed = collections.Counter(l["item"] for l in json.load(open(sys.argv[2]))["lines"])
by_item = {c["item"]: c["count"] for c in run["to_verify_by_item"]}
assert run["recomputed"] and run["identical"], run
assert sum(by_item.values()) == run["to_verify"], (by_item, run["to_verify"])
assert by_item == dict(listed), (by_item, listed)
assert all(i["to_verify"] == by_item.get(i["item"], 0) for i in run["items"] if i["standing"])
print("to verify per item:", by_item)
PY
grep -q '^待核实（按项目' "$dir/oct.txt" || fail "the run's summary lacks the to-verify count per item"
"$bin" entitle lines --db "$db" "${list[@]}" --month 2026-10 --item 3 --region 421303 --limit 5 >"$dir/lines.txt"
grep -q $'^享受\t第3项 高龄津贴\t' "$dir/lines.txt" || fail "entitle lines --item 3 --region 421303 shows nothing"

# Running the month again: identical, nothing written.
before=$("$bin" registry checksum --db "$db")
lines_before=$("$bin" entitle runs --db "$db")
"$bin" entitle run --db "$db" "${list[@]}" --month 2026-10 >"$dir/again.txt"
grep -q '结果与已存结果完全一致，未写入任何数据' "$dir/again.txt" || fail "re-run not identical: $(sed -n 3p "$dir/again.txt")"
[[ $("$bin" entitle runs --db "$db") == "$lines_before" ]] || fail "re-run changed the stored runs"
[[ $("$bin" registry checksum --db "$db") == "$before" ]] || fail "re-run changed the registry"

# Rolls add up to the run's monthly total plus the yearly and one-off items.
monthly=$(sed -n 's/.*按月发放 \([0-9,.]*\)元.*/\1/p' "$dir/oct.txt" | tr -d ,)
sum=$(awk -F'\t' '$6 == "元/月" { s += $8 } END { printf "%.0f", s }' \
  <(python3 - "$dir/rolls/财政汇总.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8-sig')))
for r in rows[2:-1]:
    print('\t'.join(r))
PY
))
echo "monthly total: run $monthly 元, rolls $sum 元"
[[ ${monthly%%.*} == "$sum" ]] || fail "rolls ($sum) do not add up to the run's monthly total ($monthly)"
[[ -s "$dir/rolls/市民政局/3-高龄津贴.xlsx" ]] || fail "no 高龄津贴 roll under 市民政局"

# The advisor agrees with the run for someone on the 高龄津贴 roll.
id=$(grep -m1 $'^新增\t第3项' "$dir/changes.tsv" | cut -f4)
"$bin" entitle advise "$id" --db "$db" "${list[@]}" --month 2026-10 --known-on 2026-11-01 >"$dir/advice.txt"
grep -q '第3项 高龄津贴：50元/月' "$dir/advice.txt" || fail "advisor disagrees: $(cat "$dir/advice.txt")"

# What-if: 高龄津贴 at 150元 from 75.
"$bin" entitle whatif --db "$db" "${list[@]}" --month 2026-10 --rule '3=hukou_local && age >= 75' \
  --set 'old_age_allowance@75=150元' --set 'old_age_allowance@80=150元' >"$dir/whatif.txt"
grep -E '^3 ' "$dir/whatif.txt"
tail -1 "$dir/whatif.txt"
grep -qE '^合计：每月 [0-9,.]+元，全年 [0-9,.]+元$' "$dir/whatif.txt" || fail "what-if reports no cost increase"
echo "ok"
