#!/usr/bin/env bash
# `yanglao serve` as a process: an administrator made with `yanglao admin
# create-user`, a feed imported, the server started on a free port; health,
# sign-in, a masked list and an audited record over HTTP; the access log has
# JSON lines with ID numbers masked (percent-encoded ones too) and, behind
# the trusted proxy (--trusted-proxy 127.0.0.1), the forwarded client
# address; SIGTERM stops it cleanly (exit 0).
# Usage: serve.sh YANGLAO
set -euo pipefail
bin=$1
dir=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
db="sqlite:$dir/yl.db"
src=${YANGLAO_SOURCE_DIR:-.}
"$bin" registry import --db "$db" --source 公安 "$src/tests/registry/feeds/公安.csv" --recorded 2026-01-05 >/dev/null
echo 'pw-admin-2026' | "$bin" admin create-user --db "$db" --username admin --role admin --unit 421300 --password-stdin
"$bin" admin list-users --db "$db" | grep -q '^admin ' || { echo "admin not listed"; exit 1; }

"$bin" serve --db "$db" --port 0 --policies "$src/policies" --access-log "$dir/access.log" \
  --trusted-proxy 127.0.0.1 2>"$dir/err" &
pid=$!
for _ in $(seq 100); do grep -q '服务已启动' "$dir/err" 2>/dev/null && break; sleep 0.1; done
port=$(grep -o 'http://127.0.0.1:[0-9]*' "$dir/err" | head -1 | sed 's/.*://')
[[ -n $port ]] || { cat "$dir/err"; echo "server did not start"; exit 1; }
base="http://127.0.0.1:$port"
[[ $(curl -s "$base/api/v1/health") == *'"status":"ok"'* ]] || { echo "health"; exit 1; }
[[ $(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/persons") == 401 ]] || { echo "no login: want 401"; exit 1; }
curl -s -c "$dir/jar" -H 'Content-Type: application/json' -d '{"username":"admin","password":"pw-admin-2026"}' \
  "$base/api/v1/auth/login" >/dev/null
list=$(curl -s -b "$dir/jar" "$base/api/v1/persons")
[[ $list == *'"total":4'* && $list == *'4213**********0016'* ]] || { echo "list: $list"; exit 1; }
[[ ! $list =~ [0-9]{17}[0-9X] ]] || { echo "list shows a full ID number"; exit 1; }
record=$(curl -s -b "$dir/jar" "$base/api/v1/persons/421303194402290016")
[[ $record == *'"id_number":"421303194402290016"'* && $record == *'"name":"张三"'* ]] || { echo "record: $record"; exit 1; }
audit=$(curl -s -b "$dir/jar" "$base/api/v1/audit?action=person.read")
[[ $audit == *'"total":1'* ]] || { echo "audit: $audit"; exit 1; }
curl -s -o /dev/null -b "$dir/jar" -H 'X-Forwarded-For: 198.51.100.9' \
  "$base/api/v1/persons/%34%32%31%33%30%33194402290016"
kill -TERM "$pid"
wait "$pid" && status=0 || status=$?
pid=""
[[ $status == 0 ]] || { cat "$dir/err"; echo "exit status $status after SIGTERM"; exit 1; }
grep -q '服务已停止' "$dir/err" || { echo "no clean stop"; exit 1; }
grep -q '"route":"/api/v1/persons/{ref}","status":200' "$dir/access.log" || { cat "$dir/access.log"; exit 1; }
grep -q '"path":"/api/v1/persons/4213\*\*\*\*\*\*\*\*\*\*0016"' "$dir/access.log" || { echo "path not masked"; exit 1; }
! grep -q '421303194402290016' "$dir/access.log" || { echo "access log shows a full ID number"; exit 1; }
! grep -q '194402290016' "$dir/access.log" || { echo "access log shows an encoded full ID number"; exit 1; }
grep -q '"ip":"198.51.100.9"' "$dir/access.log" || { echo "forwarded address not logged"; exit 1; }
echo "ok: served on port $port, stopped cleanly"
