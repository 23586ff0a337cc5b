#!/usr/bin/env bash
# Quick start, command 1: installs what yanglao needs, builds it (release),
# and runs the platform's main job. Until the platform server exists the main
# job is the CLI demonstration (`yanglao demo`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release
cmake --build --preset release
echo
./build/release/src/cli/yanglao demo
echo
echo "yanglao 已构建：./build/release/src/cli/yanglao --help"
