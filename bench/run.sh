#!/usr/bin/env bash
# Runs every benchmark and prints the figures BENCHMARKS.md records.
set -euo pipefail
build=${1:-build}
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== estimate_bench (fit and predict; pre_paper_reference is the study's model)"
"$build/bench/estimate_bench" --benchmark_min_time=0.5
echo "== wall time of one 'wattcast estimate' (all five methods; shipped models loaded from build/data)"
start=$(date +%s.%N)
for _ in 1 2 3 4 5; do
  "$build/wattcast" estimate --gpu 3090 --arch resnet50 --input-size 128 --batch-size 32 --train-samples 23807 \
    --val-samples 10203 --epochs 30 --ram-gb 16 >/dev/null
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" 'BEGIN { printf "mean over 5 runs: %.3f s\n", (e - s) / 5 }'
echo "== wattcast flops: load and count each fixture, beside the Python reference (python3-onnx)"
/usr/bin/python3 bench/flops_reference.py "$build" tests/fixtures/onnx/*.onnx
echo "== monitor overhead (bench/monitor_overhead.py, 60 s per figure)"
/usr/bin/python3 bench/monitor_overhead.py "$build" 60
echo "== accuracy: wattcast evaluate --cv config"
"$build/wattcast" evaluate --cv config --format markdown
echo "== accuracy: wattcast evaluate --cv rows"
"$build/wattcast" evaluate --cv rows --format markdown
echo "== matrix profile (n = 100,000, m = 50; add --big for n = 1,000,000, minutes on 2 cores)"
"$build/bench/matrix_profile_bench"
echo "== report: wattcast report on a run of 1,000,000 samples (bench/report_bench.sh)"
bash bench/report_bench.sh "$build"
echo "== compare: wattcast compare on 100,000 runs in 20 groups (bench/compare_bench.sh)"
bash bench/compare_bench.sh "$build"
echo "== exporter: scrape latency with 64 GPUs (bench/exporter_bench.cpp)"
"$build/bench/exporter_bench" 2000
echo "== attached monitor against a started one (bench/attach_overhead.sh, 20 s each)"
bash bench/attach_overhead.sh "$build" 20

echo "== shared store: 64 writers x 8 GPUs at 10 Hz for 60 s, PostgreSQL beside SQLite (bench/store_throughput.cpp)"
"$build/bench/store_throughput" --seconds 60
