#!/usr/bin/env bash
# Latency of the aggregates the server reads from the live state (issue #17
# items 1-2), through the API over loopback. Generates Suizhou (yanglao gen
# --region 421300 --seed 7 --scale S), imports its seven department feeds,
# starts `yanglao serve`, signs in as a city official and then:
#
#   1. restart: the first /api/v1/registry/stats builds the live snapshot of
#      the city (a fresh BuildSnapshot: what every CLI run and what-if paid
#      before); its time is the restart time;
#   2. per route, REQUESTS requests one after another (keep-alive), p50, p95
#      and max, and p95 as a ratio to the same-run p95 of GET /api/v1/health
#      (the baseline: session check, nothing read):
#        registry/stats   the city's `registry stats` from the live snapshot
#        console/ages     the dashboard's age bands per county
#        whatif           drop item 17 of the Suizhou list over the live snapshot:
#                         the list in force is evaluated once per watermark, a
#                         variant only in the items whose definition differs
#                         (here none: the dropped item's roll is compared)
#        whatif/rule      item 3 from 75 (rule) at 150元 from 75 (set): item 3
#                         evaluated, the other items taken from the list in force
#        assessments/due  the assessment work list, first page and counts (the
#                         work lists cached per watermark, each region's visible
#                         entries per withheld field groups)
#   3. a feed arrives: a 民政 correction of FEED people imported by the CLI
#      (another process) while the server runs; the next stats request
#      advances the live snapshot by re-deriving those people only. Prints the
#      request time, the people re-derived and the read and merge times, and
#      the ratio of that request to the restart build (the old path rebuilt).
#
#   bash bench/live/routes.sh [YANGLAO] [--scale S] [--requests N] [--feed N]
#        [--db URL] [--port 18095]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=build/release/src/cli/yanglao
[[ ${1:-} != --* && -n ${1:-} ]] && { bin=$1; shift; }
scale=0.1 requests=40 feed=1000 port=18095 db=""
while (($#)); do
  case $1 in
    --scale) scale=$2; shift 2 ;;
    --requests) requests=$2; shift 2 ;;
    --feed) feed=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --port) port=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[[ -x $bin ]] || { echo "no $bin (cmake --preset release && cmake --build --preset release)" >&2; exit 1; }

work=${YANGLAO_BENCH_DIR:-/tmp/yanglao-bench-live}
mkdir -p "$work"
[[ -n $db ]] || db="sqlite:$work/suizhou-$scale.db"
server_pid=""
cleanup() {
  [[ -n $server_pid ]] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
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

serve=("$bin" serve --db "$db" --port "$port" --access-log none --threads 2)
"${serve[@]}" 2>"$work/serve.log" &
server_pid=$!
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/api/v1/health" >/dev/null && break; sleep 0.1; done
echo "== $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), scale $scale, db $db, git $(git rev-parse --short HEAD 2>/dev/null || echo -), $bin"
echo "\$ ${serve[*]}"

python3 - "$port" "$password" "$requests" "$feed" "$work" "$bin" "$db" "$scale" <<'PY'
import http.client, json, subprocess, sys, time, random
port, password, n, feed_n, work, binary, db, scale = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
def call(method, path, body=None, headers=None):
    h = dict(headers or {})
    if body is not None:
        body = json.dumps(body); h["Content-Type"] = "application/json"
    global conn
    t0 = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse(); data = r.read()
    except (http.client.RemoteDisconnected, ConnectionError):  # an idle keep-alive closed
        conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=600)
        t0 = time.perf_counter()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse(); data = r.read()
    dt = time.perf_counter() - t0
    if r.status != 200:
        sys.exit(f"{method} {path}: HTTP {r.status} {data[:300]!r}")
    return dt, r, data
_, r, data = call("POST", "/api/v1/auth/login", {"username": "bench", "password": password})
cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("yl_session=")][0].split(";")[0]
auth = {"Cookie": cookie, "X-CSRF-Token": json.loads(data)["csrf_token"]}

t, _, data = call("GET", "/api/v1/registry/stats?region=421300", headers=auth)
first = json.loads(data)
live = first["live"]
print(f"restart: first stats request {t*1000:.0f} ms (live snapshot built: {live['rows']} rows, "
      f"watermark {live['feed_watermark']}, build {live['read_ms']:.0f} ms); "
      f"{first['all']['people']} living people counted")
t, _, _ = call("POST", "/api/v1/entitlement/whatif", {"list": "suizhou", "month": "2026-01", "drop": ["17"]}, auth)
print(f"first what-if of the month 2026-01 (its own live snapshot built): {t*1000:.0f} ms")
t, _, _ = call("GET", "/api/v1/assessments/due?region=421300", headers=auth)
print(f"first due list (its cache filled): {t*1000:.0f} ms")

routes = [
    ("health", "GET", "/api/v1/health", None),
    ("registry/stats", "GET", "/api/v1/registry/stats?region=421300", None),
    ("console/ages", "GET", "/api/v1/console/ages?region=421300", None),
    ("whatif", "POST", "/api/v1/entitlement/whatif", {"list": "suizhou", "month": "2026-01", "drop": ["17"]}),
    ("whatif/rule", "POST", "/api/v1/entitlement/whatif", {"list": "suizhou", "month": "2026-01",
        "rule": ["3=hukou_local && age >= 75"], "set": ["old_age_allowance@75=150元"]}),
    ("assessments/due", "GET", "/api/v1/assessments/due?region=421300", None),
]
times = {name: [] for name, *_ in routes}
for i in range(n):  # interleaved, so that load on the machine falls on every route alike
    for name, method, path, body in routes:
        times[name].append(call(method, path, body, auth)[0])
def pct(v, p):
    v = sorted(v); return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]
base = pct(times["health"], 95)
print(f"\n{'route':18} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'p95/health':>11}")
for name, *_ in routes:
    v = times[name]
    print(f"{name:18} {len(v):4d} {pct(v,50)*1000:9.2f} {pct(v,95)*1000:9.2f} {max(v)*1000:9.2f} {pct(v,95)/base:11.1f}")

# A feed arrives from another process: 民政 about feed_n people of the city.
ids = []
with open(f"{work}/feeds-{scale}/公安.csv", encoding="utf-8-sig") as f:
    next(f)
    for line in f:
        ids.append(line.split(",")[0])
random.seed(time.time_ns())  # a feed not imported before
chosen = sorted(set(random.sample(ids, min(feed_n, len(ids)))))
header = "公民身份号码,姓名,低保,低保后仍困难,低收入,特困,生活不能自理,独居,空巢,留守,流浪乞讨,入住养老机构,有赡养能力的赡养人,死亡日期,起始日期,终止日期"
stamp = time.strftime("%H%M%S")
path = f"{work}/民政-更正-{stamp}.csv"
with open(path, "w", encoding="utf-8") as f:
    f.write(header + "\n")
    for k, i in enumerate(chosen):
        f.write(f"{i},某,是,,,,,,,,,,,{'2025-12-20' if k % 5 == 0 else ''},2025-12-01,\n")
t0 = time.perf_counter()
subprocess.run([binary, "registry", "import", "--db", db, "--source", "民政", path, "--recorded", "2026-01-02"], check=True, stdout=subprocess.DEVNULL)
imp = time.perf_counter() - t0
t, _, data = call("GET", "/api/v1/registry/stats?region=421300", headers=auth)
live2 = json.loads(data)["live"]
print(f"\nfeed of {len(chosen)} people imported by the CLI in {imp*1000:.0f} ms; next stats request {t*1000:.1f} ms: "
      f"re-derived {live2['persons_rederived']} people (rebuilt: {live2['rebuilt']}), read {live2['read_ms']:.1f} ms, "
      f"merge {live2['merge_ms']:.1f} ms, watermark {live['feed_watermark']} -> {live2['feed_watermark']}; "
      f"advance/restart build = {(live2['read_ms'] + live2['merge_ms']) / live['read_ms']:.3f}")
t, _, data = call("POST", "/api/v1/entitlement/whatif", {"list": "suizhou", "month": "2026-01", "drop": ["17"]}, auth)
print(f"next what-if (its snapshot advanced too): {t*1000:.0f} ms, watermark {json.loads(data)['feed_watermark']}")
t, _, _ = call("GET", "/api/v1/assessments/due?region=421300", headers=auth)
print(f"next due list (the work lists computed again from the registry): {t*1000:.0f} ms")
PY
