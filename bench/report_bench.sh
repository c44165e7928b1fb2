#!/usr/bin/env bash
# Times `wattcast report` on a run of 1,000,000 samples (1 ms for about 17 minutes, one GPU,
# 20 epochs) and prints the report's size. Usage: bench/report_bench.sh [BUILD_DIR] [SAMPLES]
set -euo pipefail
build=${1:-build}
samples=${2:-1000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bench/report_store" "$work/bench.db" --samples "$samples" --epochs 20
for attempt in 1 2 3; do
  start=$(date +%s.%N)
  "$build/wattcast" report 1 --store "$work/bench.db" --out "$work/report.html"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v a="$attempt" 'BEGIN { printf "wattcast report (run %d): %.2f s\n", a, e - s }'
done
size=$(stat -c %s "$work/report.html")
awk -v b="$size" 'BEGIN { printf "report size: %d bytes (%.0f KiB)\n", b, b / 1024 }'
points=$(grep -o '"power_w":' "$work/report.html" | wc -l)
echo "power points drawn: $points (of $samples samples)"
# One 450 W spike of a single sample per epoch: the thinning must keep all 20.
spikes=$(grep -oE '"power_w":450(\.0)?[,}]' "$work/report.html" | wc -l || true)
echo "one-sample 450 W spikes kept: $spikes of 20"
if command -v chromium >/dev/null; then
  # The page's own load and render in headless Chromium (virtual time: the budget is an upper
  # bound, the page settles sooner), then its status element.
  start=$(date +%s.%N)
  timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$work/profile" \
    --virtual-time-budget=10000 --dump-dom "file://$work/report.html" 2>/dev/null >"$work/dom.html"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "chromium load and render, with browser start: %.2f s\n", e - s }'
  grep -o '<div id="wattcast-status"[^>]*>' "$work/dom.html"
fi
