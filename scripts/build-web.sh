#!/usr/bin/env bash
# Builds the web console (web/: Vue 3 + TypeScript + Element Plus + ECharts,
# by Vite) into web/dist, which `yanglao serve --web web/dist` serves.
# Installs the packages from the committed lockfile (npm ci) and builds only
# when web/dist is missing or older than a source file; YANGLAO_WEB_REBUILD=1
# forces it.
set -euo pipefail
cd "$(dirname "$0")/../web"
stamp=dist/index.html
if [[ ${YANGLAO_WEB_REBUILD:-0} != 1 && -f $stamp &&
      -z $(find src index.html vite.config.ts package.json package-lock.json tsconfig.json -newer "$stamp" -print -quit) ]]; then
  echo "== 网页控制台已是最新（web/dist）"
  exit 0
fi
echo "== 构建网页控制台（web/dist；npm ci 按 package-lock.json 安装依赖）"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
npm run build --silent
