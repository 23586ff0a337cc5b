#!/usr/bin/env bash
# The person-record and care-advisor load tests (person_record.sh
# --endpoint record|advice) on both back ends in one go:
# SQLite (a file under the bench directory) and PostgreSQL (the URL given
# with --pg, or a private server started here with scripts/pg-test-server.sh
# on port 55442 and stopped afterwards). Prints each run's wrk report, then
# a table: requests/s, p50, p99, errors, the load average before the run.
#
#   bash bench/server/person_record_both.sh [YANGLAO] [--pg URL] [--only sqlite|postgresql]
#        [--endpoints "record advice"]
#        [any person_record.sh option: --duration 20s --connections 16 --serve-opt '...']
# Target (issue #7): at least 5,000 requests/s with p99 under 10 ms on each.
set -euo pipefail
cd "$(dirname "$0")/../.."
self=("$0" "$@")
args=()
[[ ${1:-} != --* && -n ${1:-} ]] && { args+=("$1"); shift; }
pg="" only="" endpoints="record advice"
while (($#)); do
  case $1 in
    --pg) pg=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --endpoints) endpoints=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
work=${YANGLAO_BENCH_DIR:-/tmp/yanglao-bench-server}
mkdir -p "$work"
pg_dir=""
cleanup() { [[ -n $pg_dir ]] && bash scripts/pg-test-server.sh stop "$pg_dir"; true; }
trap cleanup EXIT
if [[ -z $pg && $only != sqlite ]]; then
  pg_dir=$work/pg
  pg=$(bash scripts/pg-test-server.sh start "$pg_dir" 55442)
fi

backends=()
[[ $only != postgresql ]] && backends+=(sqlite)
[[ $only != sqlite ]] && backends+=(postgresql)
rows=()
for b in "${backends[@]}"; do
  for e in $endpoints; do
    db_args=()
    [[ $b == postgresql ]] && db_args=(--db "$pg")
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    out=$work/both-$b-$e.txt
    bash bench/server/person_record.sh "${args[@]}" "${db_args[@]}" --endpoint "$e" | tee "$out"
    rows+=("$(awk -v b="$b" -v e="$e" -v load="$load" '
      /^Requests\/sec:/ { rps = $2 }
      $1 == "50%" { p50 = $2 }
      $1 == "99%" { p99 = $2 }
      /^errors:/ { sub(/^errors: /, ""); err = $0 }
      END { printf "| %-10s | %-8s | %9s | %8s | %8s | %-52s | %s |", b, e, rps, p50, p99, err, load }' "$out")")
  done
done
echo
echo "\$ bash ${self[*]}"
echo "$(date -u +%FT%TZ), $(nproc) cores, git $(git rev-parse --short HEAD 2>/dev/null || echo -)"
printf '| %-10s | %-8s | %9s | %8s | %8s | %-52s | %s |\n' "back end" "endpoint" "req/s" "p50" "p99" "errors" "load before (1/5/15 min)"
echo "|------------|----------|-----------|----------|----------|------------------------------------------------------|--------------------------|"
printf '%s\n' "${rows[@]}"
