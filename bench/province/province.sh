#!/usr/bin/env bash
# A province end to end (issue 17 item 6): 湖北 (420000, 17 prefecture-level
# units, census population 57,752,556) through yanglao, step by step:
#   1. gen          yanglao gen --region 420000 (one directory per city)
#   2. import       the whole directory into SQLite with one
#                   `registry import-province` (one process, each file its
#                   own transaction), then the same again (a rerun: every
#                   file recognised and skipped)
#   3. import       the same into PostgreSQL
#   4. run          one month's run (2026-01) of each Hubei list in policies/
#                   (鄂州 420700, 随州 421300, 赤壁 421281), on both back ends
#   5. what-if      the same lists with the 高龄津贴 raised (the what-if is per
#                   list, i.e. per jurisdiction), on both back ends
# and, as the same-run baseline, at a small scale (--baseline-scale, 0.002):
# the old way, one `registry import` process per file, against
# `registry import-province`, on both back ends (the ratio is printed).
# Prints each step's wall time and peak memory as a table. Peak memory is
# the largest VmHWM of the yanglao processes of the step (sampled from /proc
# every 50 ms, like bench/gen/gen_10m.sh); the PostgreSQL server's own memory
# is not included. A step of several processes (one import per file) adds
# their times; sampling adds up to 50 ms per process.
#
#   bash bench/province/province.sh [BIN] [--scale X] [--baseline-scale Y] [--pg URL] [--keep DIR]
# BIN defaults to the release build; --scale to 0.05; --baseline-scale 0
# skips the baseline; without --pg a private server is started with
# scripts/pg-test-server.sh on port 55464. The work directory (feeds, SQLite
# files) is removed at the end unless --keep DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=build/release/src/cli/yanglao
scale=0.05
baseline_scale=0.002
pg_url=
keep=
if [[ $# -ge 1 && $1 != --* ]]; then
  bin=$1
  shift
fi
while [[ $# -gt 0 ]]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --baseline-scale) baseline_scale=$2; shift 2 ;;
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
# A fresh PostgreSQL schema and its URL: pg_schema NAME.
pg_schema() {
  psql -q "$pg_url" -c "DROP SCHEMA IF EXISTS $1 CASCADE; CREATE SCHEMA $1" >/dev/null 2>&1
  echo "$pg_url?options=-csearch_path%3D$1"
}
pg_db=$(pg_schema province_bench)
sqlite_db=sqlite:$work/province.db
rm -f "$work/province.db"*

# measure STEP CMD...: runs CMD, adds its wall time to step_ms[STEP] and
# raises step_kb[STEP] to its VmHWM; CMD's output goes to $work/log.txt.
declare -A step_ms step_kb step_n step_rows
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

# Data rows of the files a province directory sends (its units' manifests).
province_rows() {
  awk '/^rows:/ {r = 1; next} /^[^ ]/ {r = 0} r && $2 > 0 {n += $2} END {print n + 0}' "$1"/*/manifest.yaml
}

# 0. baseline at a small scale: the old per-file way against one process.
if [[ $baseline_scale != 0 ]]; then
  measure "baseline gen (scale $baseline_scale)" "$bin" gen --region 420000 --seed 7 \
    --scale "$baseline_scale" --out "$work/small"
  small_rows=$(province_rows "$work/small")
  for backend in sqlite postgresql; do
    for way in per-file one-process; do
      if [[ $backend == sqlite ]]; then
        rm -f "$work/small-$way.db"*
        db=sqlite:$work/small-$way.db
      else
        db=$(pg_schema "province_small_${way/-/_}")
      fi
      step="baseline import $backend, $way (scale $baseline_scale)"
      step_rows[$step]=$small_rows
      if [[ $way == one-process ]]; then
        measure "$step" "$bin" registry import-province --db "$db" --recorded 2026-01-01 "$work/small"
        continue
      fi
      for dir in "$work"/small/*/; do
        for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
          f=$dir$d.csv
          n=$(($(wc -l <"$f") - 1))
          [[ $n -gt 0 ]] || continue # a department with nothing to send
          measure "$step" "$bin" registry import --db "$db" --source "$d" --recorded 2026-01-01 "$f"
        done
      done
    done
  done
  rm -rf "$work/small" "$work"/small-*.db*
fi

# 1. gen
measure "gen" "$bin" gen --region 420000 --seed 7 --scale "$scale" --out "$work/feeds"
people=$(awk '/^people:/ {print $2; exit}' "$work/feeds/manifest.yaml")
members=$(grep -c '^  - {code:' "$work/feeds/manifest.yaml")
bytes=$(du -sb "$work/feeds" | awk '{print $1}')
rows=$(province_rows "$work/feeds")
files=$(awk '/^rows:/ {r = 1; next} /^[^ ]/ {r = 0} r && $2 > 0 {n++} END {print n + 0}' "$work"/feeds/*/manifest.yaml)

# 2-3. imports: the whole directory in one process, then a rerun.
for backend in sqlite postgresql; do
  db=$sqlite_db
  [[ $backend == postgresql ]] && db=$pg_db
  step_rows["import $backend"]=$rows
  measure "import $backend" "$bin" registry import-province --db "$db" --recorded 2026-01-01 "$work/feeds"
  measure "import $backend, rerun (all skipped)" "$bin" registry import-province --db "$db" \
    --recorded 2026-01-01 "$work/feeds"
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
  "feeds $((bytes / 1000000)) MB, $rows rows in $files files"
echo "   lists run: ${lists[*]}"
echo "   persons in each registry: $(grep -o '登记共 [0-9]* 人' "$work/log.txt" | tail -1)"
echo
echo "| step | processes | wall time | peak memory (VmHWM) | rate |"
echo "| --- | ---: | ---: | ---: | ---: |"
for s in "${steps[@]}"; do
  ms=${step_ms[$s]}
  rate=
  case $s in
    gen) rate=$(awk -v n="$people" -v ms="$ms" 'BEGIN {printf "%.0f people/s", n / (ms / 1000)}') ;;
    *import*) [[ -n ${step_rows[$s]:-} ]] &&
      rate=$(awk -v n="${step_rows[$s]}" -v ms="$ms" 'BEGIN {printf "%.0f rows/s", n / (ms / 1000)}') ;;
  esac
  awk -v s="$s" -v n="${step_n[$s]}" -v ms="$ms" -v kb="${step_kb[$s]}" -v r="$rate" \
    'BEGIN {printf "| %s | %d | %.1f s | %.0f MB | %s |\n", s, n, ms / 1000, kb / 1024, r}'
done
if [[ $baseline_scale != 0 ]]; then
  echo
  for backend in sqlite postgresql; do
    old_ms=${step_ms["baseline import $backend, per-file (scale $baseline_scale)"]}
    new_ms=${step_ms["baseline import $backend, one-process (scale $baseline_scale)"]}
    awk -v b="$backend" -v o="$old_ms" -v n="$new_ms" -v sc="$baseline_scale" 'BEGIN {
      printf "baseline ratio %s (scale %s): one process %.1f s vs one process per file %.1f s = %.1fx faster\n", b, sc, n / 1000, o / 1000, o / n }'
  done
fi
echo
echo "Per list (the last lines each run and what-if printed):"
grep -E '^(人数|测算|合计|预算|每月)' "$work/log.txt" | head -40 || true
