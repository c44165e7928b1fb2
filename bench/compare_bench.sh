#!/usr/bin/env bash
# Times `wattcast compare` on a store of 100,000 runs in 20 groups (every statistic, and the
# trade-off). Usage: bench/compare_bench.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
"$build/bench/compare_store" "$work/bench.db" --runs "$runs" --groups 20
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "store written in %.1f s\n", e - s }'
for what in "--by group --metric energy_kj" "--tradeoff energy_per_sample_j:val_acc"; do
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$build/wattcast" compare "$work/bench.db" $what --format json >"$work/out.json"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v w="$what" 'BEGIN { printf "wattcast compare %s: %.2f s\n", w, e - s }'
done
