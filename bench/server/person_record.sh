#!/usr/bin/env bash
# Load test of the person-record endpoint (GET /api/v1/persons/{ref}) over
# loopback with wrk. Generates Suizhou (yanglao gen --region 421300 --seed 7
# --scale S), imports its seven department feeds, starts `yanglao serve`,
# signs in as a city official, takes REFS person refs from the search
# endpoint and has wrk request their records in turn for DURATION seconds.
# Every request is a full audited read: session, data-scope check, record,
# history and conflicts from the registry, audit record committed before the
# response. Prints wrk's report (--latency: p50/p75/p90/p99) and the command.
#
#   bash bench/server/person_record.sh [YANGLAO] [--scale S] [--duration 20s]
#        [--connections 16] [--threads 1] [--db URL] [--port 18090]
#        [--serve-opt '--db-threads 8' ...] [--endpoint record|advice]
# --endpoint advice measures the care advisor instead
# (GET /api/v1/persons/{ref}/advice?list=suizhou: session, scope check, the
# person resolved as of the month's first day, every item of the Suizhou
# list with reasons and 36 months ahead, audit record committed).
# (bench/server/person_record_both.sh runs it on SQLite and PostgreSQL and
# prints a table.)
# Target (issue #7): at least 5,000 requests/s with p99 under 10 ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/release/src/cli/yanglao
[[ ${1:-} != --* && -n ${1:-} ]] && { bin=$1; shift; }
scale=0.1 duration=20s connections=16 threads=1 port=18090 db="" refs=200 serve_opts=() endpoint=record
while (($#)); do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    --endpoint) endpoint=$2; shift 2 ;;
    --serve-opt) read -ra more <<<"$2"; serve_opts+=("${more[@]}"); shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is not installed (bash scripts/install-deps.sh)" >&2; exit 1; }
[[ -x $bin ]] || { echo "no $bin (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }

work=${YANGLAO_BENCH_DIR:-/tmp/yanglao-bench-server}
mkdir -p "$work"
[[ -n $db ]] || db="sqlite:$work/suizhou-$scale.db"
server_pid=""
cleanup() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  local rc=0
  wait "$server_pid" 2>/dev/null || rc=$?
  ((rc == 0)) || echo "note: the server exited with status $rc on SIGTERM" >&2
}
trap cleanup EXIT

if [[ ! -f $work/feeds-$scale/manifest.yaml ]]; then
  echo "== generating Suizhou at scale $scale"
  "$bin" gen --region 421300 --seed 7 --scale "$scale" --as-of 2026-01-01 --out "$work/feeds-$scale" | tail -1
fi
echo "== importing into $db (skipped when already imported)"
for d in 公安 民政 人社 卫健 医保 残联 退役军人; do
  "$bin" registry import --db "$db" --source "$d" "$work/feeds-$scale/$d.csv" --recorded 2026-01-01 | tail -1
done
password=bench-pass-2026
if ! "$bin" admin list-users --db "$db" | grep -q '^bench '; then
  echo "$password" | "$bin" admin create-user --db "$db" --username bench --role city_official \
    --unit 421300 --department 民政 --password-stdin >/dev/null
fi

serve=("$bin" serve --db "$db" --port "$port" --access-log none)
[[ " ${serve_opts[*]} " == *" --threads "* ]] || serve+=(--threads 2)
serve+=("${serve_opts[@]}")
"${serve[@]}" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"username\":\"bench\",\"password\":\"$password\"}" "http://127.0.0.1:$port/api/v1/auth/login" |
  grep -o 'yl_session=[^;]*')
curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/persons?size=100&page=1" >"$work/page1.json"
curl -s -H "Cookie: $cookie" "http://127.0.0.1:$port/api/v1/persons?size=100&page=50" >"$work/page2.json"
case $endpoint in
  record) suffix="" ;;
  advice) suffix="/advice?list=suizhou" ;;
  *) echo "--endpoint record|advice" >&2; exit 2 ;;
esac
python3 - "$work" "$cookie" "$suffix" <<'PY'
import json, sys
work, cookie, suffix = sys.argv[1], sys.argv[2], sys.argv[3]
refs = [i["ref"] for f in ("page1.json", "page2.json") for i in json.load(open(f"{work}/{f}"))["items"]]
with open(f"{work}/records.lua", "w") as out:
    out.write("refs = {%s}\n" % ",".join('"%s"' % r for r in refs))
    out.write('cookie = "%s"\nsuffix = "%s"\ni = 0\n' % (cookie, suffix))
    out.write('request = function()\n  i = i + 1\n'
              '  return wrk.format("GET", "/api/v1/persons/" .. refs[(i % #refs) + 1] .. suffix, {["Cookie"] = cookie})\nend\n')
    out.write('done = function(summary, latency, requests)\n'
              '  io.write(string.format("errors: connect %d, read %d, write %d, status %d, timeout %d\\n",\n'
              '    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))\nend\n')
print(f"{len(refs)} person refs")
PY
curl -s -o /dev/null -w "one $endpoint: HTTP %{http_code}, %{size_download} bytes\n" -H "Cookie: $cookie" \
  "http://127.0.0.1:$port/api/v1/persons/$(python3 -c "import json;print(json.load(open('$work/page1.json'))['items'][0]['ref'])")$suffix"
persons=$(grep -o '登记 [0-9]* 人' "$work/serve.log" | head -1)
echo "== endpoint $endpoint, $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $persons, db $db, git $(git rev-parse --short HEAD 2>/dev/null || echo -)"
echo "\$ ${serve[*]}"
cmd=(wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$work/records.lua" "http://127.0.0.1:$port")
echo "\$ ${cmd[*]}"
"${cmd[@]}"
