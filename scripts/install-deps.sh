#!/usr/bin/env bash
# Installs what leakhound needs to build and test on Debian 12.
# Idempotent: when every package is already installed it touches nothing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates time curl gzip
  clang libclang-rt-14-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev zlib1g-dev
  libprotobuf-dev protobuf-compiler libsqlite3-dev libcurl4-openssl-dev
  libcpp-httplib-dev libre2-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev libtree-sitter-dev
  golang-1.19-go chromium python3 wrk
  dpkg-dev file zsh fish
  # docs/ci's examples test: pre-commit checks and runs the hook; actionlint
  # (scripts/go-tool.sh) runs shellcheck on the workflow's run: steps.
  pre-commit shellcheck
  # The Prometheus server and promtool: discovery and alerting rules are
  # tested against the real ones (tests/e2e/prometheus_test.cc, ctest).
  prometheus
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all packages present"
fi

# Node.js and npm fetch the tree-sitter Go grammar and front-end bundles.
# Debian's npm package conflicts with the NodeSource node that the build
# machines carry, so only install Debian's when no npm exists at all.
if ! command -v npm >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm
fi
