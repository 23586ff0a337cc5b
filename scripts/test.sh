#!/usr/bin/env bash
# Quick start, command 2: runs every test.
#   1. installs what the tests need (idempotent);
#   2. builds the fuzz targets with clang-14 + libFuzzer and runs each for
#      YANGLAO_FUZZ_SECONDS (default 15) from its seed corpus;
#   3. starts a private PostgreSQL 15 server on loopback (scripts/pg-test-server.sh)
#      and a private mosquitto broker (scripts/mqtt-test-broker.sh);
#   4. builds everything with g++ in Debug with AddressSanitizer +
#      UndefinedBehaviorSanitizer and runs the whole suite with CTest: unit
#      tests (the registry's on both SQLite and PostgreSQL), CLI golden
#      cases, crash-consistency runs, fuzz-corpus replays, benchmark smoke runs;
#   5. builds the web console and runs the browser tests (tests/web/run.sh:
#      playwright-core driving Debian's chromium against the ASan build of
#      yanglao serving a small generated city; screenshots in build/web-tests).
# Exits non-zero if anything fails. CI (.ci/run) runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fuzz_seconds=${YANGLAO_FUZZ_SECONDS:-15}

bash scripts/install-deps.sh

echo "== fuzz: libFuzzer targets, ${fuzz_seconds}s each"
cmake --preset fuzz -DYANGLAO_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz

echo "== test: g++ Debug + ASan + UBSan, on SQLite and on PostgreSQL"
pg_dir=${YANGLAO_TEST_PG_DIR:-/tmp/yanglao-test-pg}
YANGLAO_TEST_PG_URL=$(bash scripts/pg-test-server.sh start "$pg_dir" "${YANGLAO_TEST_PG_PORT:-55432}")
export YANGLAO_TEST_PG_URL YANGLAO_REQUIRE_PG=1
trap 'bash scripts/pg-test-server.sh stop "$pg_dir"' EXIT
# A private mosquitto for the devices' tests (scripts/mqtt-test-broker.sh).
mqtt_dir=${YANGLAO_TEST_MQTT_DIR:-/tmp/yanglao-test-mqtt}
YANGLAO_TEST_MQTT_URL=$(bash scripts/mqtt-test-broker.sh start "$mqtt_dir" "${YANGLAO_TEST_MQTT_PORT:-18830}")
export YANGLAO_TEST_MQTT_URL YANGLAO_TEST_MQTT_DIR=$mqtt_dir YANGLAO_REQUIRE_MQTT=1
trap 'bash scripts/pg-test-server.sh stop "$pg_dir"; bash scripts/mqtt-test-broker.sh stop "$mqtt_dir"' EXIT
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan

echo "== web: type check, build, browser tests (chromium + axe-core)"
bash scripts/build-web.sh
(cd web && npm run typecheck --silent)
bash tests/web/run.sh build/asan/src/cli/yanglao
