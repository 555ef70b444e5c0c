#!/usr/bin/env bash
# Installs Quire's build and run dependencies from Debian packages, only those
# that are missing. Used by deploy/quickstart.sh and tests/run.sh.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libhiredis-dev libpqxx-dev libpq-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libcairo2-dev libpango1.0-dev libharfbuzz-dev libxlsxwriter-dev libpng-dev zlib1g-dev
  libdeflate-dev
  libspdlog-dev libfmt-dev libyaml-cpp-dev libyaml-dev libcurl4-openssl-dev
  nlohmann-json3-dev libcpp-httplib-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server postgresql
  libabsl-dev tzdata libssl-dev fonts-dejavu-core fonts-wqy-microhei fonts-cantarell poppler-utils python3-openpyxl
  clang-14 libclang-rt-14-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "quire: installing missing packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
