#!/usr/bin/env bash
# Throughput of `shopsight analyze` (sentiment + aspects + keywords, whole
# process) against `fasttext predict` (sentiment only, whole process, model
# load included) on the same reviews, measured side by side in one run.
#
# Usage: bench/analyze_vs_fasttext.sh [ROWS] [DATASETS_DIR] [MODEL_DIR]
#   ROWS defaults to 50000, taken from reviews-zh/train.csv. Both tools see
#   the same texts. fastText is trained on that file beforehand, untimed.
# Needs: a release build (scripts/setup.sh), Debian packages fasttext and time.
# SHOPSIGHT_BINARY picks another shopsight build. SHOPSIGHT_THREADS sets
# --threads (default: every core).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-50000}
datasets=${2:-../shared/datasets}
model_args=()
if [[ -n ${3:-} ]]; then model_args=(--model "$3"); fi
binary=${SHOPSIGHT_BINARY:-build/release/src/cli/shopsight}
thread_args=()
if [[ -n ${SHOPSIGHT_THREADS:-} ]]; then thread_args=(--threads "$SHOPSIGHT_THREADS"); fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The same reviews for both tools: a CSV for shopsight, fastText's format for fastText.
python3 - "$datasets/reviews-zh/train.csv" "$work" "$rows" <<'PY'
import csv, re, sys
source, work, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
token = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")
with open(source, encoding="utf-8", newline="") as f:
    data = [r for r in csv.DictReader(f)]
picked = (data * (rows // len(data) + 1))[:rows]
with open(f"{work}/reviews.csv", "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["id", "review"])
    for i, r in enumerate(picked):
        writer.writerow([i, r["review"]])
def fasttext_line(r):
    return f"__label__{r['label']} " + " ".join(m.group(0).lower() for m in token.finditer(r["review"]))
with open(f"{work}/train.txt", "w", encoding="utf-8") as out:
    out.writelines(fasttext_line(r) + "\n" for r in data)
with open(f"{work}/predict.txt", "w", encoding="utf-8") as out:
    out.writelines(fasttext_line(r) + "\n" for r in picked)
PY

fasttext supervised -input "$work/train.txt" -output "$work/model" \
  -wordNgrams 2 -epoch 10 -lr 0.5 -dim 100 -thread "$(nproc)" -verbose 0

measure() {  # prints "seconds peak_kib" of a command
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > /dev/null
  cat "$work/time"
}

read -r fasttext_seconds fasttext_kib < <(measure fasttext predict "$work/model.bin" "$work/predict.txt")
read -r shopsight_seconds shopsight_kib < <(measure "$binary" --log-level warn analyze "$work/reviews.csv" "${model_args[@]}" "${thread_args[@]}" --output "$work/out.jsonl")

python3 - "$rows" "$fasttext_seconds" "$fasttext_kib" "$shopsight_seconds" "$shopsight_kib" <<'PY'
import sys
rows = int(sys.argv[1])
ft_s, ft_kib, ss_s, ss_kib = map(float, sys.argv[2:])
print(f"reviews: {rows}, cores: 2")
print(f"fasttext predict (sentiment only):              {ft_s:6.2f} s  {rows/ft_s:9.0f} reviews/s  peak {ft_kib/1024:6.0f} MiB")
print(f"shopsight analyze (sentiment+aspects+keywords): {ss_s:6.2f} s  {rows/ss_s:9.0f} reviews/s  peak {ss_kib/1024:6.0f} MiB")
print(f"ratio shopsight/fasttext reviews per second:    {ft_s/ss_s:6.2f}")
PY
