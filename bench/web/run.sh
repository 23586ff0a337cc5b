#!/usr/bin/env bash
# Console benchmark (issue #16): generates Suizhou at YANGLAO_BENCH_SCALE
# (default 1, the whole city: 757k people; the city is kept in
# var/bench-web-SCALE and reused), starts the release `yanglao serve` on
# loopback and prints the p95 of each console page's data calls
# (bench/web/console.mjs).
#   bash bench/web/run.sh [--scale S] [--bin PATH] [--dir DIR]
#     (--dir: the city's directory, default var/bench-web-S; to compare two
#     builds, run each on its own copy of the same city)
#   bash bench/web/run.sh --url http://127.0.0.1:8080 --logins var/demo/demo-logins.txt
#     (a server already running, e.g. scripts/start.sh's)
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${YANGLAO_BENCH_SCALE:-1}
bin=build/release/src/cli/yanglao
url=""
logins=""
dir=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --url) url=$2; shift 2 ;;
    --logins) logins=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: bench/web/run.sh [--scale S] [--bin PATH] [--dir DIR] | --url URL --logins FILE" >&2; exit 2 ;;
  esac
done
if [[ -n $url ]]; then
  echo "== $(date -u +%F) $(nproc) cores, git $(git rev-parse --short HEAD 2>/dev/null || echo -), server $url"
  YANGLAO_BENCH_URL=$url YANGLAO_BENCH_LOGINS=$logins exec node bench/web/console.mjs
fi
if [[ $bin == build/release/src/cli/yanglao ]]; then
  cmake --preset release >/dev/null
  cmake --build --preset release --target yanglao >/dev/null
fi
dir=${dir:-var/bench-web-$scale}
YANGLAO_WEB_SCALE=$scale bash tests/web/city.sh "$bin" "$dir" | tail -3
log=$(mktemp)
"$bin" serve --db "sqlite:$dir/yanglao.db" --port 0 --access-log none 2>"$log" &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 1 600); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
  [[ -n $url ]] && break
  sleep 0.2
done
[[ -n $url ]] || { cat "$log"; exit 1; }
echo "== $(date -u +%F) $(nproc) cores, git $(git rev-parse --short HEAD 2>/dev/null || echo -), scale $scale, $bin"
YANGLAO_BENCH_URL=$url YANGLAO_BENCH_LOGINS=$dir/demo-logins.txt node bench/web/console.mjs
