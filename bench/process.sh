#!/usr/bin/env bash
# Whole-process timings of the yanglao binary: each command run N times,
# mean wall time, and the ratio against the baseline `yanglao --version`
# (process start and exit, no data loaded) measured in the same run.
#   bash bench/process.sh BINARY [N]
set -euo pipefail
bin=$1 n=${2:-30}

mean_ms() {
  local start end
  start=$(date +%s%N)
  for ((i = 0; i < n; i++)); do "$bin" "$@" >/dev/null; done
  end=$(date +%s%N)
  echo $(( (end - start) / n / 1000 ))  # microseconds
}

base=$(mean_ms --version)
printf '  %-44s %8.2f ms  (baseline)\n' "yanglao --version" "$(echo "$base" | awk '{print $1/1000}')"
for cmd in "region show 421300" "region find 赤壁" "id check --today 2026-11-22 11010519491231002X" \
  "assess score tests/cli/data/assess_worked.json"; do
  read -ra args <<<"$cmd"
  t=$(mean_ms "${args[@]}")
  printf '  %-44s %8.2f ms  %6.2fx baseline\n' "yanglao $cmd" "$(awk -v t="$t" 'BEGIN{print t/1000}')" \
    "$(awk -v t="$t" -v b="$base" 'BEGIN{print t/b}')"
done
echo "  (mean of $n runs each; the difference from the baseline is mostly loading the region table)"
