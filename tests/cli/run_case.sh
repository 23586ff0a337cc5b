#!/usr/bin/env bash
# Runs one CLI golden case: tests/cli/cases/NAME.txt holds
#   # args: ARG...          arguments (split on spaces)
#   # exit: N               expected exit code
#   # stderr: TEXT          (optional, repeatable) text stderr must contain
#   <expected stdout, verbatim, to the end of the file>
# Usage: run_case.sh YANGLAO_BINARY CASE_FILE [--update]
set -euo pipefail
bin=$1 case_file=$2 update=${3:-}

args_line=$(grep -m1 '^# args:' "$case_file" | sed 's/^# args: *//')
want_exit=$(grep -m1 '^# exit:' "$case_file" | sed 's/^# exit: *//')
mapfile -t want_stderr < <(grep '^# stderr:' "$case_file" | sed 's/^# stderr: *//')
header_lines=$(grep -c '^# ' "$case_file")
read -ra args <<<"$args_line"

out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
set +e
"$bin" "${args[@]}" >"$out" 2>"$err"
got_exit=$?
set -e

if [[ $update == --update ]]; then
  { head -n "$header_lines" "$case_file"; cat "$out"; } >"$case_file.new"
  sed -i "s/^# exit: .*/# exit: $got_exit/" "$case_file.new"
  mv "$case_file.new" "$case_file"
  exit 0
fi

status=0
if [[ $got_exit != "$want_exit" ]]; then
  echo "exit code: want $want_exit, got $got_exit"; status=1
fi
if ! diff -u <(tail -n +"$((header_lines + 1))" "$case_file") "$out"; then
  echo "stdout differs from $case_file (- want, + got)"; status=1
fi
for s in "${want_stderr[@]}"; do
  if ! grep -qF -- "$s" "$err"; then
    echo "stderr lacks: $s"; echo "stderr was:"; cat "$err"; status=1
  fi
done
exit $status
