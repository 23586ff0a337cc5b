#!/usr/bin/env bash
# Crash consistency of assessment imports: `yanglao assess import` killed
# with SIGKILL half-way (after the registry's fact rows are written, and just
# before the commit) leaves the registry and the assessment tables exactly as
# before, on the given back end; the same import then succeeds, and running
# it again changes nothing.
# Usage: kill9.sh YANGLAO sqlite|postgresql TESTS_DIR
# (postgresql uses $YANGLAO_TEST_PG_URL, in a schema of its own)
set -euo pipefail
bin=$1 backend=$2 tests=$3
source "$(dirname "$0")/../lib/scratch_db.sh"
scratch_db "$backend" assess_kill9

"$bin" registry import --db "$db" --source 公安 "$tests/registry/feeds/公安.csv" --recorded 2026-01-05 >/dev/null
before=$("$bin" assess checksum --db "$db")
echo "before:        $before"

for point in import.after_facts assess.before_commit; do
  set +e
  YANGLAO_FAULT_KILL=$point "$bin" assess import --db "$db" "$tests/assess/batch.jsonl" --recorded 2026-01-10 \
    >/dev/null 2>&1
  code=$?
  set -e
  if [[ $code -ne 137 ]]; then echo "expected the import to die by SIGKILL (137) at $point, got $code"; exit 1; fi
  after=$("$bin" assess checksum --db "$db")
  echo "killed at $point: $after"
  if [[ $after != "$before" ]]; then echo "a killed import changed the registry or the assessments"; exit 1; fi
done

"$bin" assess import --db "$db" "$tests/assess/batch.jsonl" --recorded 2026-01-10
final=$("$bin" assess checksum --db "$db")
echo "after import:  $final"
[[ $final != "$before" ]] || { echo "the real import changed nothing"; exit 1; }
"$bin" assess import --db "$db" "$tests/assess/batch.jsonl" --recorded 2026-01-11
[[ $("$bin" assess checksum --db "$db") == "$final" ]] || { echo "importing again changed something"; exit 1; }
echo "ok: killed imports left nothing behind; importing again changed nothing"
