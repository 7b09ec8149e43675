#!/usr/bin/env bash
# Quick start: installs the dependencies, builds shopsight and analyzes the
# example reviews with the shipped default model.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build-llama-cpp.sh
cmake --preset release
cmake --build --preset release

mkdir -p out
build/release/src/cli/shopsight analyze examples/reviews.csv --timezone Asia/Shanghai \
  --output out/reviews.jsonl --rejects out/rejects.csv \
  --report out/report.html --report out/report.md "$@"

echo
echo "Analysis: out/reviews.jsonl   Report: out/report.html, out/report.md"
head -c 1200 out/reviews.jsonl
echo
