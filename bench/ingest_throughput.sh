#!/usr/bin/env bash
# Throughput of `shopsight ingest` (analyze and store in SQLite) against
# `shopsight analyze` (analyze and write JSON Lines) on the same reviews,
# measured side by side in one run. Both are whole processes, model loading
# included; ingest runs without the detectors (--no-detect). The bar for
# ingest is 20,000 items per second.
#
# Usage: bench/ingest_throughput.sh [ROWS] [DATASETS_DIR]
#   ROWS defaults to 50000, taken from reviews-zh/train.csv and spread over
#   100 products, 10 categories and 5,000 users, one review every 50 s.
# Needs: a release build (scripts/setup.sh), Debian packages time and python3.
# SHOPSIGHT_BINARY picks another shopsight build.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-50000}
datasets=${2:-../shared/datasets}
binary=${SHOPSIGHT_BINARY:-build/release/src/cli/shopsight}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$datasets/reviews-zh/train.csv" "$work/reviews.csv" "$rows" <<'PY'
import csv, sys
source, target, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(source, encoding="utf-8", newline="") as f:
    texts = [r["review"] for r in csv.DictReader(f)]
with open(target, "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["id", "time", "product", "category", "user", "review"])
    for i in range(rows):
        writer.writerow([f"r{i}", 1772409600 + i * 50, f"p{i % 100}", f"c{i % 10}", f"u{i % 5000}",
                         texts[i % len(texts)]])
PY

measure() {  # label, command...; prints seconds and peak memory
  local label=$1
  shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/log" || {
    cat "$work/log" >&2
    exit 1
  }
  read -r seconds kilobytes <"$work/time"
  awk -v label="$label" -v s="$seconds" -v k="$kilobytes" -v n="$rows" \
    'BEGIN { printf "%-44s %8.2f s  %8.0f items/s  peak %6.0f MiB\n", label, s, n / s, k / 1024 }'
  echo "$seconds" >"$work/$label.seconds"
}

echo "items: $rows, cores: $(nproc), load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure analyze "$binary" --log-level warn analyze "$work/reviews.csv" --output "$work/out.jsonl"
measure ingest "$binary" --log-level warn ingest "$work/reviews.csv" --db "$work/store.db" --no-detect
measure "ingest (replay, all duplicates)" "$binary" --log-level warn ingest "$work/reviews.csv" --db "$work/store.db"
awk -v a="$(cat "$work/analyze.seconds")" -v i="$(cat "$work/ingest.seconds")" \
  'BEGIN { printf "ratio ingest/analyze items per second:        %.2f\n", a / i }'
printf 'store size: %s\n' "$(du -h "$work/store.db" | cut -f1)"
