#!/usr/bin/env bash
# Installs the Debian 12 packages that shopsight builds and tests with.
# Runs as root (or through sudo); does nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libicu-dev libopencc-dev opencc libcsv-dev liblinear-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev libpugixml-dev
  zlib1g-dev libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev libdlib-dev
  libcpp-httplib-dev libssl-dev libtoml11-dev libxxhash-dev libjemalloc-dev prometheus
  fasttext python3
  chromium chromium-driver fonts-noto-cjk
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

# npm fetches llama.cpp's source once and builds the web dashboard. Some
# Node.js builds bring their own npm and conflict with Debian's packages, so
# these are only installed when no node or npm command exists. Chromium and
# the CJK fonts are for the dashboard's browser tests and screenshots.
if ! command -v node >/dev/null; then missing+=(nodejs); fi
if ! command -v npm >/dev/null; then missing+=(npm); fi

if ((${#missing[@]} == 0)); then
  echo "All build dependencies are installed."
  exit 0
fi

echo "Installing: ${missing[*]}"
sudo_prefix=()
if [[ $(id -u) -ne 0 ]]; then sudo_prefix=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_prefix[@]}" apt-get update -q
"${sudo_prefix[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
