#!/usr/bin/env bash
# Builds the release preset and prints the benchmark report: every Google
# Benchmark binary (with its ratios against the baselines measured in the
# same run), then whole-process timings.
#   bash bench/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release >/dev/null

# The PostgreSQL baselines run against a private server on loopback, as in the tests.
if [[ -z ${YANGLAO_TEST_PG_URL:-} ]]; then
  pg_dir=${YANGLAO_BENCH_PG_DIR:-/tmp/yanglao-bench-pg}
  YANGLAO_TEST_PG_URL=$(bash scripts/pg-test-server.sh start "$pg_dir" "${YANGLAO_BENCH_PG_PORT:-55433}")
  export YANGLAO_TEST_PG_URL
  trap 'bash scripts/pg-test-server.sh stop "$pg_dir" >/dev/null 2>&1 || true' EXIT
fi

min_time=()
[[ ${1:-} == --quick ]] && min_time=(--benchmark_min_time=0.05)

echo "== yanglao benchmark report ($(date -u +%F), $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo no-git))"
for b in build/release/bench/*_bench; do
  echo; echo "== $(basename "$b")"
  "$b" --benchmark_color=false "${min_time[@]}"
done

echo; echo "== whole process (bench/process.sh)"
bash bench/process.sh build/release/src/cli/yanglao

echo; echo "== entitlement engine (bench/entitle/entitle_report.cc)"
build/release/bench/entitle_report
