#!/usr/bin/env bash
# Checks that `yanglao policy show LIST` reproduces every row of the published
# table verbatim: PUBLISHED holds the table's rows as the document prints them
# (序号, 服务项目, 服务内容及标准, 服务对象, 服务类型, 牵头责任部门; tab separated).
# Usage: published_rows.sh YANGLAO LIST PUBLISHED
set -euo pipefail
bin=$1 list=$2 published=$3
got=$(mktemp)
trap 'rm -f "$got"' EXIT
"$bin" policy show "$list" | grep -P '^[0-9]+\t' >"$got"
want_rows=$(wc -l <"$published")
got_rows=$(wc -l <"$got")
if ! diff -u "$published" "$got"; then
  echo "policy show differs from the published table (- published, + shown)"
  exit 1
fi
echo "$got_rows of $want_rows published rows reproduced verbatim"
