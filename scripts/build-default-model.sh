#!/usr/bin/env bash
# Rebuilds every file of the default model in models/default/ from the public
# data sets: the sentiment classifier, the learned aspect extractors and the
# keyword document frequencies. The aspect lexicon is written by hand.
#
# Usage: scripts/build-default-model.sh [DATASETS_DIR]   (default ../shared/datasets)
set -euo pipefail
cd "$(dirname "$0")/.."
datasets=${1:-../shared/datasets}
shopsight=build/release/src/cli/shopsight
out=models/default

"$shopsight" train \
  --data "$datasets/reviews-zh/train.csv" --data "$datasets/reviews-en/train.csv" \
  --data-text review --data-text title+review \
  --label label --label-names 0=negative,1=positive --c 0.5 \
  --out "$out/sentiment.ssm"

# The English aspect model leaves every fifth SemEval sentence out, so that
# `eval-aspects --holdout-fifth` scores it on sentences it never saw.
"$shopsight" train-aspects \
  --zh-reviews "$datasets/aspects-zh/train_reviews.csv" --zh-labels "$datasets/aspects-zh/train_labels.csv" \
  --semeval "$datasets/aspects-en/laptops_train.xml" --holdout-fifth \
  --output-dir "$out"

"$shopsight" idf "$datasets/reviews-zh/train.csv" "$datasets/reviews-en/train.csv" \
  --text review --min-count 3 --output "$out/idf.tsv"
