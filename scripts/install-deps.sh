#!/usr/bin/env bash
# Installs every Debian 12 package yanglao needs to build, run and test.
# Idempotent: when everything is already installed it changes nothing and
# does not touch the network. Must run as root (or with sudo available).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build git pkg-config ca-certificates
  # libraries (see README "Dependencies" for what each is for)
  libfmt-dev libcli11-dev libyaml-cpp-dev
  libsqlite3-dev libpq-dev postgresql-15 libzip-dev libpugixml-dev libxlsxwriter-dev libsodium-dev
  # the platform server: Asio/Beast (headers), Boost.JSON, Boost.URL
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  # tests, benchmarks, fuzzing (libFuzzer comes with clang's runtime)
  libgtest-dev libgmock-dev libbenchmark-dev clang-14 libclang-rt-14-dev clang-format-14
  # the server's load benchmark (bench/server/) and the quick start's checks
  wrk curl
  # the web console's browser tests (playwright-core drives Debian's chromium;
  # never a downloaded browser) and Chinese text in its screenshots
  chromium fonts-noto-cjk
  # wristbands and alarms (src/devices): Debian's MQTT broker, started on loopback
  # by the quick start and the tests, and its maintained client library
  mosquitto libmosquitto-dev
  # typeset PDF reports in Chinese (src/oversight): cairo + pango with the Noto CJK
  # fonts above; poppler-utils renders the PDF to PNG in the tests
  libcairo2-dev libpango1.0-dev poppler-utils
)
# The web console is built with Node and npm (web/package.json). Debian's
# nodejs and npm only where there is no node or npm already: a newer Node's
# own npm conflicts with Debian's npm package.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
