#!/usr/bin/env bash
# CPU the monitor spends on a 20 s idle process, started by `measure -- COMMAND` and attached with
# `measure --attach PID` (issue 17: an attached monitor costs no more than measure), side by side.
# Usage: bash bench/attach_overhead.sh [BUILD_DIR] [SECONDS]
set -euo pipefail
build=${1:-build}
seconds=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Nanoseconds on CPU of every thread (schedstat; /proc/PID/stat counts in 10 ms ticks).
cpu_s() { cat /proc/"$1"/task/*/schedstat | awk '{ns += $1} END {printf "%.4f", ns / 1e9}'; }

"$build/wattcast" measure --out "$work/started.db" -- sleep "$seconds" 2>/dev/null &
monitor=$!
sleep "$((seconds - 1))"
started=$(cpu_s "$monitor")
wait "$monitor"

sleep "$seconds" &
target=$!
"$build/wattcast" measure --attach "$target" --out "$work/attached.db" 2>/dev/null &
monitor=$!
sleep "$((seconds - 1))"
attached=$(cpu_s "$monitor")
wait "$target"
wait "$monitor"
awk -v s="$started" -v a="$attached" -v n="$((seconds - 1))" 'BEGIN {
  printf "monitor CPU over %d s: measure -- sleep %.4f s (%.3f%% of a core), measure --attach %.4f s (%.3f%%)\n", n, s, 100 * s / n, a, 100 * a / n }'
