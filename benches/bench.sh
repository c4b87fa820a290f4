#!/usr/bin/env bash
# Throughput and memory benchmark (not a test: nothing here asserts a time).
#
#   bash benches/bench.sh [N ...]        default: 10000 100000
#
# For each N: generates N text reports with examples/gen_corpus (省/市/县/年度/),
# runs the release build with --jobs 1 and --jobs 2, and prints reports/s,
# MB/s, wall time, per-stage seconds (summed over workers, from manifest.json)
# and peak RSS (/usr/bin/time -v; install Debian's `time` if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jixiao/target}"
cargo build --release --quiet --bin jixiao --example gen_corpus
bin="$CARGO_TARGET_DIR/release/jixiao"
gen="$CARGO_TARGET_DIR/release/examples/gen_corpus"
work="${BENCH_DIR:-/tmp/jixiao-bench}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
printf '| N | jobs | wall s | reports/s | MB/s | walk | read | normalize | extract | validate | write | peak RSS MiB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  rm -rf "$work" && mkdir -p "$work"
  "$gen" --n "$n" --out "$work/tree" 2>/dev/null
  mb=$(du -sm "$work/tree" | cut -f1)
  for jobs in ${BENCH_JOBS:-1 2}; do
    rm -rf "$work/out"
    /usr/bin/time -v "$bin" run "$work/tree" --out "$work/out" --jobs "$jobs" --quiet 2>"$work/time.txt"
    python3 - "$work" "$n" "$jobs" "$mb" <<'PY'
import json, re, sys
work, n, jobs, mb = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
m = json.load(open(f"{work}/out/manifest.json"))
t = open(f"{work}/time.txt").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
wall = m["counts"]["seconds"]
s = m["stage_seconds"]
print(f"| {n} | {jobs} | {wall:.1f} | {n / wall:.0f} | {mb / wall:.1f} | "
      + " | ".join(f"{s[k]:.1f}" for k in ["walk", "read", "normalize", "extract", "validate", "write"])
      + f" | {rss:.0f} |")
PY
  done
done
