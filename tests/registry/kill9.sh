#!/usr/bin/env bash
# Crash consistency: an import killed with SIGKILL half-way (after its fact
# rows are written, and just before its commit) leaves the registry exactly
# as before, on the given back end; the same import then succeeds.
# Usage: kill9.sh YANGLAO sqlite|postgresql FEEDS_DIR
# (postgresql uses $YANGLAO_TEST_PG_URL, in a schema of its own)
set -euo pipefail
bin=$1 backend=$2 feeds=$3
source "$(dirname "$0")/../lib/scratch_db.sh"
scratch_db "$backend" kill9

"$bin" registry import --db "$db" --source 公安 "$feeds/公安.csv" --recorded 2026-01-05 >/dev/null
"$bin" registry import --db "$db" --source 民政 "$feeds/民政.csv" --recorded 2026-01-05 >/dev/null
before=$("$bin" registry checksum --db "$db")
echo "before:        $before"

for point in import.after_facts import.before_commit; do
  set +e
  YANGLAO_FAULT_KILL=$point "$bin" registry import --db "$db" --source 民政 "$feeds/民政-死亡.csv" --recorded 2026-01-15 \
    >/dev/null 2>&1
  code=$?
  set -e
  if [[ $code -ne 137 ]]; then echo "expected the import to die by SIGKILL (137) at $point, got $code"; exit 1; fi
  after=$("$bin" registry checksum --db "$db")
  echo "killed at $point: $after"
  if [[ $after != "$before" ]]; then echo "registry changed by a killed import"; exit 1; fi
done

"$bin" registry import --db "$db" --source 民政 "$feeds/民政-死亡.csv" --recorded 2026-01-15
final=$("$bin" registry checksum --db "$db")
echo "after import:  $final"
[[ $final != "$before" ]] || { echo "the real import changed nothing"; exit 1; }
echo "ok: killed imports left nothing behind"
