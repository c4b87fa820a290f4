#!/usr/bin/env bash
# Throughput and memory benchmark (not a test: nothing here asserts a time).
#
#   bash benches/bench.sh [N ...]        default: 10000 100000
#   BENCH_JOBS="1 2 4" bash benches/bench.sh 10000
#   BENCH_GEN="--docx 10 --pdf 5" bash benches/bench.sh 10000   (a mixed-format corpus)
#
# For each N: generates N text reports with examples/gen_corpus (省/市/县/年度/),
# runs the release build cold (--no-cache, fresh output folder, page cache
# warm) with each --jobs, once more with the page cache dropped (when run as
# root), and prints reports/s, MB/s, wall time (/usr/bin/time), per-stage
# seconds (summed over workers, from manifest.json; `write` runs on its own
# thread beside the workers) and peak RSS (/usr/bin/time -v; install Debian's
# `time` if missing). Then, with the last --jobs, three re-runs:
#   re-run, unchanged   the tree as it was: outputs kept, no report read
#   re-run, rewrite     an output removed: every output rewritten from the cache
#   re-run, 1% changed  1% of the files edited: only those are read again
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/jixiao/target}"
cargo build --release --quiet --bin jixiao --example gen_corpus
bin="$CARGO_TARGET_DIR/release/jixiao"
gen="$CARGO_TARGET_DIR/release/examples/gen_corpus"
work="${BENCH_DIR:-/tmp/jixiao-bench}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)

# One table row from the last run: report N, label, MB of input.
row() {
  python3 - "$work" "$1" "$2" "$3" <<'PY'
import json, re, sys
work, n, label, mb = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
t = open(f"{work}/time.txt").read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
h, m_, s_ = (["0", "0"] + re.search(r"Elapsed \(wall clock\) time.*?: ([\d:.]+)", t).group(1).split(":"))[-3:]
wall = int(h) * 3600 + int(m_) * 60 + float(s_)
m = json.load(open(f"{work}/out/manifest.json"))
s = m["stage_seconds"]
c = m["counts"]
stages = " | ".join(f"{s.get(k, 0):.1f}" for k in ["walk", "read", "normalize", "extract", "validate", "write", "finish"])
if "unchanged" in label:
    stages = " | ".join(["—"] * 7)  # nothing ran: the manifest is the previous run's
read = 0 if "unchanged" in label else c.get("files_read", n)
rate = "— | —" if "unchanged" in label else f"{n / wall:.0f} | {mb / wall:.1f}"  # nothing was processed
print(f"| {n} | {label} | {wall:.1f} | {rate} | {read} | {stages} | {rss:.0f} |")
PY
}

run() { /usr/bin/time -v "$bin" run "$work/tree" --out "$work/out" --quiet "$@" 2>"$work/time.txt"; }
# The page cache decides how long reading takes, so each run states it:
# warm (the tree read once just before) or cold (dropped; needs root).
warm() { find "$work/tree" -type f -print0 | xargs -0 cat >/dev/null; }
can_drop() { [ -w /proc/sys/vm/drop_caches ]; }
cold() { sync && echo 3 >/proc/sys/vm/drop_caches; }

printf '| N | jobs | wall s | reports/s | MB/s | files read | walk | read | normalize | extract | validate | write | finish | peak RSS MiB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for n in "${sizes[@]}"; do
  rm -rf "$work" && mkdir -p "$work"
  # shellcheck disable=SC2086 # BENCH_GEN is a list of generator options
  "$gen" --n "$n" --out "$work/tree" ${BENCH_GEN:-} 2>/dev/null
  # An hour old, so that no file counts as modified just before a run.
  find "$work/tree" -type f -exec touch -d '1 hour ago' {} +
  mb=$(du -sm "$work/tree" | cut -f1)
  jobs=1
  for jobs in ${BENCH_JOBS:-1 2}; do
    rm -rf "$work/out"
    warm
    run --jobs "$jobs" --no-cache
    row "$n" "$jobs" "$mb"
  done
  if can_drop; then
    rm -rf "$work/out"
    cold
    run --jobs "$jobs" --no-cache
    row "$n" "$jobs, cold page cache" "$mb"
  fi
  warm
  sleep 2.1 # past the "modified just before the run" window of the cache
  run --jobs "$jobs"
  row "$n" "$jobs, re-run, unchanged" "$mb"
  rm "$work/out/jixiao.xlsx"
  run --jobs "$jobs"
  row "$n" "$jobs, re-run, rewrite" "$mb"
  # Text files only: bytes appended to a .docx or .pdf would break the file.
  find "$work/tree" -type f -name '*.txt' | awk 'NR % 100 == 0' | while read -r f; do
    echo "补充说明。" >>"$f"
    touch -d '30 minutes ago' "$f"
  done
  run --jobs "$jobs"
  row "$n" "$jobs, re-run, 1% changed" "$mb"
done
