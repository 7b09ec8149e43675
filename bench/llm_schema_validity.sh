#!/usr/bin/env bash
# Runs `shopsight analyze --llm` on 500 real reviews (250 Chinese, 250
# English) with a random-weight decoder at temperature 0.8 and prints how
# many LLM outputs passed the schema check, and the wall time.
#
# The decoder's weights are noise, so it writes long, random strings: this
# measures what the output grammar guarantees (every output parses and fits
# the schema), not the quality of the aspects. The model is the test
# generator's default llama decoder (2 layers, 64 wide, Qwen2 vocabulary).
#
# Usage: bench/llm_schema_validity.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  build folder with shopsight and shopsight_make_test_model (default build/release)
#   WORK_DIR   where the model, input and output go (default /tmp/shopsight-llm-bench)
# SHOPSIGHT_DATASETS overrides the data set folder (default ../shared/datasets).
# THREADS sets --llm-threads (default 1: the tiny model gains nothing from more).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/release}
work=${2:-/tmp/shopsight-llm-bench}
datasets=${SHOPSIGHT_DATASETS:-$root/../shared/datasets}
shopsight=$build/src/cli/shopsight
writer=$build/tests/llm/shopsight_make_test_model
vocab=${SHOPSIGHT_LLAMA_PREFIX:-$root/.deps/llama/install}/share/llama-vocab
threads=${THREADS:-1}

for data in "$datasets/reviews-zh/dev.csv" "$datasets/reviews-en/dev.csv"; do
  [[ -f $data ]] || { echo "missing $data; set SHOPSIGHT_DATASETS" >&2; exit 1; }
done
[[ -x $shopsight && -x $writer ]] || { echo "build shopsight and shopsight_make_test_model in $build first" >&2; exit 1; }
mkdir -p "$work"

model=$work/llama.gguf
[[ -f $model ]] || "$writer" --kind llama --vocab-dir "$vocab" --out "$model"

# The first 250 reviews of each dev set, interleaved, as one id,review CSV.
python3 - "$datasets/reviews-zh/dev.csv" "$datasets/reviews-en/dev.csv" "$work/reviews.csv" <<'PY'
import csv, sys
zh = [row["review"] for row in csv.DictReader(open(sys.argv[1], encoding="utf-8"))][:250]
en = [row["review"] for row in csv.DictReader(open(sys.argv[2], encoding="utf-8"))][:250]
with open(sys.argv[3], "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["id", "review"])
    for i, (a, b) in enumerate(zip(zh, en)):
        writer.writerow([f"zh{i}", a])
        writer.writerow([f"en{i}", b])
PY

start=$(date +%s.%N)
"$shopsight" --lang en --log-level info analyze "$work/reviews.csv" --llm "$model" --llm-threads "$threads" --temperature 0.8 \
  --seed 1 --summary --output "$work/out.jsonl" 2> "$work/log.txt"
end=$(date +%s.%N)

line=$(grep -o 'LLM outputs: [0-9]* checked against the schema, [0-9]* invalid' "$work/log.txt" | tail -1)
checked=$(sed -E 's/LLM outputs: ([0-9]+) checked.*/\1/' <<< "$line")
invalid=$(sed -E 's/.* ([0-9]+) invalid/\1/' <<< "$line")
rows=$(wc -l < "$work/out.jsonl")
echo "valid/total: $((checked - invalid))/$checked (output rows: $rows)"
echo "wall time: $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s on $(nproc) cores, --llm-threads $threads"
[[ $invalid -eq 0 && $checked -eq 500 ]]
