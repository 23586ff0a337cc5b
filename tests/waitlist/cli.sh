#!/usr/bin/env bash
# yanglao waitlist through the program: the rules files pass `policy check`,
# the queue and replay on an empty database, and failures with their codes
# (an unknown city, an unknown bed).
# Usage: cli.sh YANGLAO SOURCE_DIR
set -euo pipefail
bin=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="sqlite:$tmp/w.db"

"$bin" policy check "$src/policies/waitlist" >/dev/null
out=$("$bin" waitlist queue --db "$db" --city 420700 --policies "$src/policies")
[[ $out == $'序号\t申请\t身份证号\t姓名\t床位类型\t排序依据' ]] || { echo "queue header: $out"; exit 1; }
out=$("$bin" waitlist queue --public --db "$db" --city 421300 --policies "$src/policies")
[[ $out == $'序号\t姓名\t床位类型\t类别\t轮候自' ]] || { echo "public header: $out"; exit 1; }
out=$("$bin" waitlist replay --db "$db" --city 420700 --policies "$src/policies")
[[ $out == *"重放 0 条事件"* ]] || { echo "replay: $out"; exit 1; }
set +e
err=$("$bin" waitlist queue --db "$db" --city 999999 --policies "$src/policies" 2>&1 >/dev/null)
code=$?
set -e
[[ $code -eq 1 && $err == *waitlist.city* ]] || { echo "unknown city: $code $err"; exit 1; }
set +e
err=$("$bin" waitlist allocate NOPE --db "$db" --city 420700 --policies "$src/policies" 2>&1 >/dev/null)
code=$?
set -e
[[ $code -eq 1 && $err == *waitlist.bed_not_found* ]] || { echo "unknown bed: $code $err"; exit 1; }
echo "ok: waitlist CLI"
