#!/usr/bin/env bash
# Fuzzes the ONNX loader and counter for SECONDS (default 120) with libFuzzer and clang (Debian's
# clang and libclang-rt-14-dev), in its own build directory, on a corpus seeded with the
# fixtures and fuzz/seeds. Crashers land in build-fuzz/crashers: fix them, then keep each in
# tests/fixtures/onnx/regressions/ so the normal tests load it. Not part of `make test`.
set -euo pipefail
seconds=${1:-120}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cmake -S "$root/fuzz" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"${FUZZ_JOBS:-1}"
corpus="$build/corpus"
mkdir -p "$corpus" "$build/crashers"
cp -n "$root"/tests/fixtures/onnx/*.onnx "$root"/fuzz/seeds/* "$corpus"/ 2>/dev/null || true
cp -n "$root"/tests/fixtures/onnx/regressions/* "$corpus"/ 2>/dev/null || true
rm -f "$corpus/README.md"
# -rss_limit_mb: the largest fixture with shape inference needs far less; more is a leak or an
# absurd allocation worth a report.
"$build/onnx_fuzzer" "$corpus" -max_total_time="$seconds" -max_len=400000 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$build/crashers/" -print_final_stats=1
