#!/usr/bin/env bash
# A province end to end (issue 17 item 6): 湖北 (420000, 17 prefecture-level
# units, census population 57,752,556) through yanglao, step by step:
#   1. gen          yanglao gen --region 420000 (one directory per city)
#   2. import       every city's department feeds into SQLite
#   3. import       the same into PostgreSQL
#   4. run          one month's run (2026-01) of each Hubei list in policies/
#                   (鄂州 420700, 随州 421300, 赤壁 421281), on both back ends
#   5. what-if      the same lists with the 高龄津贴 raised (the what-if is per
#                   list, i.e. per jurisdiction), on both back ends
# and prints each step's wall time and peak memory as a table. Peak memory is
# the largest VmHWM of the yanglao processes of the step (sampled from /proc
# every 50 ms, like bench/gen/gen_10m.sh); the PostgreSQL server's own memory
# is not included. A step of several processes (one import per file) adds
# their times; sampling adds up to 50 ms per process.
#
#   bash bench/province/province.sh [BIN] [--scale X] [--pg URL] [--keep DIR]
# BIN defaults to the release build; --scale to 0.02; without --pg a private
# server is started with scripts/pg-test-server.sh on port 55464. The work
# directory (feeds, SQLite file) is removed at the end unless --keep DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=build/release/src/cli/yanglao
scale=0.02
pg_url=
keep=
if [[ $# -ge 1 && $1 != --* ]]; then
  bin=$1
  shift
fi
while [[ $# -gt 0 ]]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --pg) pg_url=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $bin ]] || { echo "no binary at $bin (build the release preset)" >&2; exit 2; }

if [[ -n $keep ]]; then
  work=$keep
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/yanglao-province.XXXXXX")
fi
pg_dir=
cleanup() {
  if [[ -n $pg_dir ]]; then bash scripts/pg-test-server.sh stop "$pg_dir" >/dev/null 2>&1 || true; rm -rf "$pg_dir"; fi
  if [[ -z $keep ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
if [[ -z $pg_url ]]; then
  # Its own directory directly under /tmp: the postgres user cannot enter $work.
  pg_dir=$(mktemp -d /tmp/yanglao-province-pg.XXXXXX)
  pg_url=$(bash scripts/pg-test-server.sh start "$pg_dir" 55464)
fi
schema=province_bench
psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" >/dev/null 2>&1
pg_db="$pg_url?options=-csearch_path%3D$schema"
sqlite_db=sqlite:$work/province.db
rm -f "$work/province.db"*

# measure STEP CMD...: runs CMD, adds its wall time to step_ms[STEP] and
# raises step_kb[STEP] to its VmHWM; CMD's output goes to $work/log.txt.
declare -A step_ms step_kb step_n
steps=()
measure() {
  local step=$1
  shift
  if [[ -z ${step_ms[$step]+x} ]]; then
    steps+=("$step")
    step_ms[$step]=0
    step_kb[$step]=0
    step_n[$step]=0
  fi
  local start end pid kb peak=0
  start=$(date +%s%N)
  "$@" >>"$work/log.txt" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    if [[ -n $kb && $kb -gt $peak ]]; then peak=$kb; fi
    sleep 0.05
  done
  if ! wait "$pid"; then
    echo "failed: $*" >&2
    tail -20 "$work/log.txt" >&2
    exit 1
  fi
  end=$(date +%s%N)
  step_ms[$step]=$((step_ms[$step] + (end - start) / 1000000))
  step_n[$step]=$((step_n[$step] + 1))
  if [[ $peak -gt ${step_kb[$step]} ]]; then step_kb[$step]=$peak; fi
}

echo "== 湖北 (420000) end to end, scale $scale ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%F %H:%M UTC'))"
echo "   $bin"

# 1. gen
measure "gen" "$bin" gen --region 420000 --seed 7 --scale "$scale" --out "$work/feeds"
people=$(awk '/^people:/ {print $2; exit}' "$work/feeds/manifest.yaml")
members=$(grep -c '^  - {code:' "$work/feeds/manifest.yaml")
bytes=$(du -sb "$work/feeds" | awk '{print $1}')

# 2-3. imports: every city, every department with rows.
rows=0
for backend in sqlite postgresql; do
  db=$sqlite_db
  [[ $backend == postgresql ]] && db=$pg_db
  for dir in "$work"/feeds/*/; do
    for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
      f=$dir$d.csv
      n=$(($(wc -l <"$f") - 1))
      [[ $n -gt 0 ]] || continue # a department with nothing to send
      [[ $backend == sqlite ]] && rows=$((rows + n))
      measure "import $backend" "$bin" registry import --db "$db" --source "$d" --recorded 2026-01-01 "$f"
    done
  done
done

# 4-5. runs and what-ifs of the Hubei lists.
lists=()
for f in policies/*.yaml; do
  j=$(awk -F'"' '/^jurisdiction:/ {print $2; exit}' "$f")
  [[ $j == 42* ]] && lists+=("$f")
done
for backend in sqlite postgresql; do
  db=$sqlite_db
  [[ $backend == postgresql ]] && db=$pg_db
  for f in "${lists[@]}"; do
    name=$(basename "$f" .yaml)
    measure "run $backend" "$bin" entitle run --db "$db" --list "$f" \
      --params "policies/demo/$name.demo.yaml" --month 2026-01
  done
  for f in "${lists[@]}"; do
    name=$(basename "$f" .yaml)
    measure "what-if $backend" "$bin" entitle whatif --db "$db" --list "$f" \
      --params "policies/demo/$name.demo.yaml" --month 2026-01 \
      --set 'old_age_allowance@80=100元' --set 'old_age_allowance@90=200元'
  done
done

echo "   people aged 50+ (incl. the year's deaths): $people in $members prefecture-level units;" \
  "feeds $((bytes / 1000000)) MB, $rows rows"
echo "   lists run: ${lists[*]}"
echo "   persons added by the imports (SQLite): $(grep -o '新增人员 [0-9]*' "$work/log.txt" | awk '{n += $2} END {print n / 2}') per back end"
echo
echo "| step | processes | wall time | peak memory (VmHWM) | rate |"
echo "| --- | ---: | ---: | ---: | ---: |"
for s in "${steps[@]}"; do
  ms=${step_ms[$s]}
  rate=
  case $s in
    gen) rate=$(awk -v n="$people" -v ms="$ms" 'BEGIN {printf "%.0f people/s", n / (ms / 1000)}') ;;
    import*) rate=$(awk -v n="$rows" -v ms="$ms" 'BEGIN {printf "%.0f rows/s", n / (ms / 1000)}') ;;
  esac
  awk -v s="$s" -v n="${step_n[$s]}" -v ms="$ms" -v kb="${step_kb[$s]}" -v r="$rate" \
    'BEGIN {printf "| %s | %d | %.1f s | %.0f MB | %s |\n", s, n, ms / 1000, kb / 1024, r}'
done
echo
echo "Per list (the last lines each run and what-if printed):"
grep -E '^(人数|测算|合计|预算|每月)' "$work/log.txt" | head -40 || true
