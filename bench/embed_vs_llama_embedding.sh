#!/usr/bin/env bash
# Embedding throughput of shopsight's Embedder against llama.cpp's own
# llama-embedding program, on the same generated BERT-small model (4 layers,
# 512 wide, 8 heads, 2048 feed-forward, random weights) and the same real
# reviews, run back to back for each batch size.
#
# Usage: bench/embed_vs_llama_embedding.sh [ROWS] [DATASETS_DIR]
#   ROWS defaults to 2000, the first rows of reviews-zh/dev.csv, with
#   whitespace collapsed (llama-embedding reads one text per line) and cut to
#   256 characters (llama-embedding stops at a text longer than its batch).
# Environment: BUILD_DIR (default build/release, configured with
#   -DSHOPSIGHT_BUILD_BENCH=ON), THREADS (default 2), BATCH_SIZES (default
#   "1 8 32 128"), ROUNDS (default 1): runs of each program per batch size,
#   alternating which one goes first; the table shows the median time.
# Needs: scripts/build-llama-cpp.sh --tool llama-embedding, python3.
#
# Batch size B sets a token budget per llama.cpp call: B x the mean token
# count of a text, at least the longest text, rounded up to a multiple of
# 256. Both programs get the same budget and fill each call up to it, with up
# to 256 texts per call (llama.cpp's limit): llama-embedding takes texts in
# input order (-b), shopsight sorted by token count (--batch-tokens, with
# --max-sequences 256). The table shows the texts per call that
# llama-embedding reached.
# Both times are whole processes: loading, tokenizing, embedding and, for
# llama-embedding, printing the vectors (--embd-output-format array, sent to
# /dev/null).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000}
datasets=${2:-../shared/datasets}
build=${BUILD_DIR:-build/release}
threads=${THREADS:-2}
batch_sizes=${BATCH_SIZES:-1 8 32 128}
rounds=${ROUNDS:-1}
llama_embedding=.deps/llama/build/bin/llama-embedding
vocab_dir=.deps/llama/install/share/llama-vocab
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for program in "$build/bench/shopsight_bench_embed" "$build/tests/llm/shopsight_make_test_model" "$llama_embedding"; do
  if [[ ! -x $program ]]; then
    echo "embed_vs_llama_embedding.sh: $program is missing; build it first (see the header of this script)" >&2
    exit 2
  fi
done

"$build/tests/llm/shopsight_make_test_model" --kind bert --layers 4 --hidden 512 --heads 8 --ffn 2048 \
  --vocab-dir "$vocab_dir" --out "$work/bert-small.gguf"

python3 - "$datasets/reviews-zh/dev.csv" "$work/reviews.txt" "$rows" <<'PY'
import csv, sys
source, target, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(source, encoding="utf-8", newline="") as f:
    texts = [" ".join(r["review"].split())[:256] for r in csv.DictReader(f)]
texts = [t for t in texts if t][:rows]
with open(target, "w", encoding="utf-8") as out:
    out.writelines(t + "\n" for t in texts)
PY

# Token counts come from shopsight's tokenizer, which is llama.cpp's; the
# first run also warms the page cache for the model file. Its small budget
# keeps llama.cpp's per-token output buffer and attention mask small.
stats=$("$build/bench/shopsight_bench_embed" "$work/bert-small.gguf" "$work/reviews.txt" --threads "$threads" \
  --max-sequences 256 --batch-tokens 512 2>/dev/null)
read -r texts tokens < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["texts"], d["tokens"])' "$stats")
mean=$(( (tokens + texts - 1) / texts ))
longest=$(python3 -c 'import sys; print(max(len(l) for l in open(sys.argv[1], encoding="utf-8")) + 2)' "$work/reviews.txt")

now() { date +%s.%N; }
rate() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):.0f}")' "$1" "$2"; }
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

run_llama_embedding() {
  local start
  start=$(now)
  "$llama_embedding" -m "$work/bert-small.gguf" -f "$work/reviews.txt" -t "$threads" -c "$budget" \
    -b "$budget" -ub "$budget" --embd-output-format array >/dev/null 2>"$work/llama.log"
  llama_times+=("$(python3 -c "print($(now) - $start)")")
}

run_shopsight() {
  local start
  start=$(now)
  "$build/bench/shopsight_bench_embed" "$work/bert-small.gguf" "$work/reviews.txt" --threads "$threads" \
    --max-sequences 256 --batch-tokens "$budget" >/dev/null 2>&1
  ours_times+=("$(python3 -c "print($(now) - $start)")")
}

echo "Texts: $texts, tokens: $tokens (mean $mean, longest at most $longest), threads: $threads, rounds: $rounds"
echo "Load before: $(uptime | sed 's/.*load average: //')"
echo
echo "| batch | token budget per call | llama-embedding texts/call | llama-embedding tokens/s | reviews/s | shopsight tokens/s | reviews/s | shopsight / llama-embedding |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for batch in $batch_sizes; do
  # llama-embedding decodes up to 256 sequences per call and aborts unless its
  # batch divides evenly among them, so the budget is a multiple of 256.
  budget=$(( batch * mean > longest ? batch * mean : longest ))
  budget=$(( (budget + 255) / 256 * 256 ))

  # Alternating the order spreads a drift in machine load over both programs.
  llama_times=()
  ours_times=()
  for ((round = 0; round < rounds; ++round)); do
    if ((round % 2 == 0)); then
      run_llama_embedding
      run_shopsight
    else
      run_shopsight
      run_llama_embedding
    fi
  done
  calls=$(grep -c "batch_decode: n_tokens" "$work/llama.log" || true)
  per_call=$(python3 -c "print(f'{$texts / max($calls, 1):.1f}')")

  llama_seconds=$(median "${llama_times[@]}")
  ours_seconds=$(median "${ours_times[@]}")
  ratio=$(python3 -c "print(f'{$llama_seconds / $ours_seconds:.2f}')")
  echo "| $batch | $budget | $per_call | $(rate "$tokens" "$llama_seconds") | $(rate "$texts" "$llama_seconds") |" \
    "$(rate "$tokens" "$ours_seconds") | $(rate "$texts" "$ours_seconds") | $ratio |"
  echo "seconds for batch $batch: llama-embedding ${llama_times[*]}; shopsight ${ours_times[*]}" >>"$work/times.txt"
done
echo
echo "Load after: $(uptime | sed 's/.*load average: //')"
echo
cat "$work/times.txt"
