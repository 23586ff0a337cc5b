#!/usr/bin/env bash
# Whole-process run: a city at full scale through the registry, on both back
# ends. Generates Suizhou (everyone aged 50+, about 745,000 people), imports
# its seven department feeds into SQLite and into PostgreSQL, and prints the
# times, the registry's head count against the generator's manifest, and the
# two registries' checksums (which must be equal).
#   bash bench/registry/city_scale1.sh [YANGLAO] [PG_URL]
# YANGLAO defaults to the release build; PG_URL to a private server started
# with scripts/pg-test-server.sh on port 55435.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/release/src/cli/yanglao}
work=$(mktemp -d)
# Its own directory directly under /tmp: the postgres user cannot enter $work.
pg_dir=$(mktemp -d /tmp/yanglao-bench-pg.XXXXXX)
trap 'bash scripts/pg-test-server.sh stop "$pg_dir"; rm -rf "$work" "$pg_dir"' EXIT
url=${2:-$(bash scripts/pg-test-server.sh start "$pg_dir" 55435)}

start=$(date +%s%N)
"$bin" gen --region 421300 --seed 7 --scale 1 --as-of 2026-01-01 --out "$work/feeds" | tail -1
echo "gen: $(( ($(date +%s%N) - start) / 1000000 )) ms"
people=$(grep -m1 '^people:' "$work/feeds/manifest.yaml" | awk '{print $2}')
deaths=$(grep -m1 '^deaths:' "$work/feeds/manifest.yaml" | awk '{print $2}')
echo "manifest: $people people, $deaths deaths"
for backend in sqlite postgresql; do
  if [[ $backend == sqlite ]]; then
    db=sqlite:$work/registry.db
  else
    psql -q "$url" -c 'DROP SCHEMA IF EXISTS city_scale1 CASCADE; CREATE SCHEMA city_scale1' >/dev/null 2>&1
    db="$url?options=-csearch_path%3Dcity_scale1"
  fi
  t0=$(date +%s%N)
  for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
    "$bin" registry import --db "$db" --source "$d" "$work/feeds/$d.csv" --recorded 2026-01-01 | tail -1
  done
  echo "$backend import: $(( ($(date +%s%N) - t0) / 1000000 )) ms"
  t1=$(date +%s%N)
  "$bin" registry stats --db "$db" --as-of 2026-01-01 | head -1
  echo "$backend stats: $(( ($(date +%s%N) - t1) / 1000000 )) ms"
  echo "$backend checksum: $("$bin" registry checksum --db "$db")"
done
