#!/usr/bin/env bash
# The browser tests (tests/web/run.mjs): checks that every package of the
# lockfile accepts Node 18 (tests/web/engines.mjs), builds the web console, generates a
# small city (tests/web/city.sh, Suizhou at scale YANGLAO_WEB_SCALE, default
# 0.01), starts `yanglao serve --web web/dist` on a free loopback port with
# its log in the output directory, runs the tests with playwright-core and
# Debian's chromium, and stops the server.
# Usage: tests/web/run.sh [YANGLAO_BINARY]   (default build/asan/src/cli/yanglao)
# Screenshots go to YANGLAO_WEB_SHOTS (default build/web-tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
# Chromium names a download in the locale's character set: with no UTF-8 locale
# (a fresh Debian 12 where none is set) a Chinese file name such as
# 2026-12-第3项-高龄津贴-代发名册.xlsx becomes "download". C.UTF-8 is always there.
if [[ $(locale charmap 2>/dev/null) != UTF-8 ]]; then export LC_ALL=C.UTF-8; fi
bin=${1:-build/asan/src/cli/yanglao}
out=${YANGLAO_WEB_SHOTS:-build/web-tests}
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.png   # screenshots of this run only
node tests/web/engines.mjs   # the lockfile runs on Debian 12's Node 18
bash scripts/build-web.sh
work=$(mktemp -d /tmp/yanglao-web-XXXXXX)
server=""
cleanup() {
  if [[ -n $server ]]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
echo "== web: generated city (scale ${YANGLAO_WEB_SCALE:-0.01}) in $work"
bash tests/web/city.sh "$bin" "$work" >"$out/city.log" 2>&1 || { cat "$out/city.log"; exit 1; }
log=$out/server.log
"$bin" serve --db "sqlite:$work/yanglao.db" --port 0 --web web/dist --access-log "$out/access.log" 2>"$log" &
server=$!
url=""
for _ in $(seq 1 300); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
  [[ -n $url ]] && break
  kill -0 "$server" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.2
done
[[ -n $url ]] || { echo "server did not start"; cat "$log"; exit 1; }
echo "== web: browser tests against $url"
YANGLAO_BIN=$bin YANGLAO_WEB_URL=$url YANGLAO_WEB_CITY=$work YANGLAO_WEB_SERVER_LOG=$log YANGLAO_WEB_SHOTS=$out \
  node tests/web/run.mjs
