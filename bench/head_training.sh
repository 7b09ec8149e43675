#!/usr/bin/env bash
# Times `shopsight train --embedding-model` on about 50,000 Chinese reviews
# twice: the first run embeds every text and fills the embedding cache, the
# second reads every vector from the cache, so its time is the head training
# alone (reading, normalizing, cache look-ups, the LIBLINEAR C search and the
# refit).
#
# The embedding model is generated with random weights in the shape of a
# small BERT (4 layers, 512 wide, 8 heads), because no real model is
# available offline. The second run's time depends on the vector width (512)
# and the row count only, so LAYERS=1 fills the cache about four times
# faster and leaves the measured figure unchanged.
#
# Usage: bench/head_training.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  build folder with shopsight and shopsight_make_test_model (default build/release)
#   WORK_DIR   where the model, cache and head go (default /tmp/shopsight-head-bench)
# SHOPSIGHT_DATASETS overrides the data set folder (default ../shared/datasets).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
work=${2:-/tmp/shopsight-head-bench}
datasets=${SHOPSIGHT_DATASETS:-$root/../shared/datasets}
data=$datasets/reviews-zh/train.csv
shopsight=$build/src/cli/shopsight
writer=$build/tests/llm/shopsight_make_test_model
vocab=${SHOPSIGHT_LLAMA_PREFIX:-$root/.deps/llama/install}/share/llama-vocab

[[ -f $data ]] || { echo "missing $data; set SHOPSIGHT_DATASETS" >&2; exit 1; }
[[ -x $shopsight && -x $writer ]] || { echo "build shopsight and shopsight_make_test_model in $build first" >&2; exit 1; }
mkdir -p "$work"

layers=${LAYERS:-4}
model=$work/bert-${layers}x512.gguf
[[ -f $model ]] || "$writer" --kind bert --vocab-dir "$vocab" --layers "$layers" --hidden 512 --heads 8 --out "$model"

run() {
  /usr/bin/time -f "%e s wall, %M KiB peak" "$shopsight" --lang en train --embedding-model "$model" \
    --embedding-cache "$work/embeddings.sqlite" --data "$data" --text review --label label \
    --label-names 0=negative,1=positive --out "$work/sentiment.head"
}

echo "== run 1: embeds the texts the cache lacks"
run
echo "== run 2: every vector from the cache; this is the measured figure"
run
