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
#   alternating which one goes first; the tables show the median times.
#   LLAMA_EMBEDDING (default .deps/llama/build/bin/llama-embedding) and
#   VOCAB_DIR (default .deps/llama/install/share/llama-vocab) point at
#   another llama.cpp build.
# Needs: scripts/build-llama-cpp.sh --tool llama-embedding, python3,
#   /usr/bin/time (Debian package time).
#
# Batch size B is what each program is given per call, in its own terms:
# - llama-embedding's only shape setting is tokens per llama.cpp call (-b),
#   which it fills with texts in input order. It gets B x the mean token
#   count of a text, at least the longest text, rounded up to a multiple of
#   256 (it decodes up to 256 sequences per call and aborts unless its batch
#   divides evenly among them).
# - shopsight gets B texts per Embedder::embed call (--texts-per-call), as a
#   caller of the library would hand them over, and splits each of them into
#   llama_decode calls of its default size.
# Both times are whole processes: loading, tokenizing, embedding and, for
# llama-embedding, printing the vectors (--embd-output-format array, sent to
# /dev/null). The first table uses wall-clock time, which suits an idle
# machine. The second uses CPU time (user plus system), which other load on
# the machine changes much less, most of all with THREADS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-2000}
datasets=${2:-../shared/datasets}
build=${BUILD_DIR:-build/release}
threads=${THREADS:-2}
batch_sizes=${BATCH_SIZES:-1 8 32 128}
rounds=${ROUNDS:-1}
llama_embedding=${LLAMA_EMBEDDING:-.deps/llama/build/bin/llama-embedding}
vocab_dir=${VOCAB_DIR:-.deps/llama/install/share/llama-vocab}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for program in "$build/bench/shopsight_bench_embed" "$build/tests/llm/shopsight_make_test_model" "$llama_embedding" \
  /usr/bin/time; do
  if [[ ! -x $program ]]; then
    echo "embed_vs_llama_embedding.sh: $program is missing; build or install it first (see the header of this script)" >&2
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

# Token counts come from shopsight's tokenizer, which is llama.cpp's; this
# first run also warms the page cache for the model file.
stats=$("$build/bench/shopsight_bench_embed" "$work/bert-small.gguf" "$work/reviews.txt" --threads "$threads" \
  2>/dev/null)
read -r texts tokens < <(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["texts"], d["tokens"])' "$stats")
mean=$(( (tokens + texts - 1) / texts ))
longest=$(python3 -c 'import sys; print(max(len(l) for l in open(sys.argv[1], encoding="utf-8")) + 2)' "$work/reviews.txt")

rate() { python3 -c 'import sys; print(f"{float(sys.argv[1]) / float(sys.argv[2]):,.0f}")' "$1" "$2"; }
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.2f}")' "$@"; }

# Runs a command under /usr/bin/time and appends its wall-clock and CPU
# seconds to the arrays named by $1 and $2.
timed() {
  local -n wall_times=$1
  local -n cpu_times=$2
  shift 2
  /usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@"
  local elapsed user system
  read -r elapsed user system <"$work/time.txt"
  wall_times+=("$elapsed")
  cpu_times+=("$(python3 -c "print(round($user + $system, 2))")")
}

run_llama_embedding() {
  timed llama_wall llama_cpu "$llama_embedding" -m "$work/bert-small.gguf" -f "$work/reviews.txt" -t "$threads" \
    -c "$budget" -b "$budget" -ub "$budget" --embd-output-format array >/dev/null 2>"$work/llama.log"
}

run_shopsight() {
  timed ours_wall ours_cpu "$build/bench/shopsight_bench_embed" "$work/bert-small.gguf" "$work/reviews.txt" \
    --threads "$threads" --texts-per-call "$batch" >"$work/ours.json" 2>/dev/null
}

echo "Texts: $texts, tokens: $tokens (mean $mean, longest at most $longest), threads: $threads, rounds: $rounds"
echo "Load before: $(uptime | sed 's/.*load average: //')"
wall_rows=()
cpu_rows=()
for batch in $batch_sizes; do
  budget=$(( batch * mean > longest ? batch * mean : longest ))
  budget=$(( (budget + 255) / 256 * 256 ))

  # Alternating the order spreads a drift in machine load over both programs.
  llama_wall=()
  llama_cpu=()
  ours_wall=()
  ours_cpu=()
  for ((round = 0; round < rounds; ++round)); do
    if ((round % 2 == 0)); then
      run_llama_embedding
      run_shopsight
    else
      run_shopsight
      run_llama_embedding
    fi
  done
  llama_calls=$(grep -c "batch_decode: n_tokens" "$work/llama.log" || true)
  llama_per_call=$(python3 -c "print(f'{$tokens / max($llama_calls, 1):.0f}')")
  ours_per_call=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(round(d["tokens"] / max(d["decode_calls"], 1)))' \
    "$work/ours.json")
  shape="| $batch | $budget | $llama_per_call | $ours_per_call |"

  seconds=$(median "${llama_wall[@]}")
  ours_seconds=$(median "${ours_wall[@]}")
  wall_rows+=("$shape $(rate "$tokens" "$seconds") | $(rate "$texts" "$seconds") | $(rate "$tokens" "$ours_seconds") |\
 $(rate "$texts" "$ours_seconds") | $(python3 -c "print(f'{$seconds / $ours_seconds:.2f}')") |")
  seconds=$(median "${llama_cpu[@]}")
  ours_seconds=$(median "${ours_cpu[@]}")
  cpu_rows+=("$shape $seconds | $(rate "$tokens" "$seconds") | $ours_seconds | $(rate "$tokens" "$ours_seconds") |\
 $(python3 -c "print(f'{$seconds / $ours_seconds:.2f}')") |")
  echo "batch $batch: llama-embedding wall ${llama_wall[*]} s, CPU ${llama_cpu[*]} s;" \
    "shopsight wall ${ours_wall[*]} s, CPU ${ours_cpu[*]} s" >>"$work/times.txt"
done
echo "Load after: $(uptime | sed 's/.*load average: //')"

echo
echo "Wall-clock time (ratio: shopsight throughput / llama-embedding throughput):"
echo
echo "| batch | llama-embedding -b | llama-embedding tokens/call | shopsight tokens/call | llama-embedding tokens/s | reviews/s | shopsight tokens/s | reviews/s | ratio |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${wall_rows[@]}"
echo
echo "CPU time, user plus system (tokens per CPU second; ratio as above):"
echo
echo "| batch | llama-embedding -b | llama-embedding tokens/call | shopsight tokens/call | llama-embedding CPU s | tokens/CPU s | shopsight CPU s | tokens/CPU s | ratio |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
printf '%s\n' "${cpu_rows[@]}"
echo
cat "$work/times.txt"
