#!/usr/bin/env bash
# Runs the whole test suite: installs the dependencies, builds with the
# given preset (release by default; "sanitize" for ASan and UBSan) and runs
# CTest. Tests that need the shared data sets skip when ../shared/datasets
# is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}

scripts/install-deps.sh
scripts/build-llama-cpp.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel 2 "${@:2}"
