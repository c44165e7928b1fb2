#!/usr/bin/env bash
# The main job on the embedded data: estimate a training run with every method side by side,
# then show how each method does on configurations it has never seen.
set -euo pipefail
wattcast=${1:-build/wattcast}

echo "\$ wattcast estimate --gpu 3090 --arch resnet50 --input-size 128 --batch-size 32 --train-samples 23807 --val-samples 10203 --epochs 30 --ram-gb 16 --region ESP"
"$wattcast" estimate --gpu 3090 --arch resnet50 --input-size 128 --batch-size 32 --train-samples 23807 \
  --val-samples 10203 --epochs 30 --ram-gb 16 --region ESP
echo
echo "\$ wattcast estimate --gpu 'h100 sxm' --gflops 4.1 --input-size 224 --batch-size 128 --train-samples 50000 --val-samples 10000 --epochs 20 --ram-gb 64 --cloud aws:us-east-1"
"$wattcast" estimate --gpu 'h100 sxm' --gflops 4.1 --input-size 224 --batch-size 128 --train-samples 50000 \
  --val-samples 10000 --epochs 20 --ram-gb 64 --cloud aws:us-east-1
echo
echo "\$ wattcast evaluate --cv config   # leave one configuration out"
"$wattcast" evaluate --cv config
echo
echo "\$ wattcast flops tests/fixtures/onnx/resnet50.onnx --input-size 128   # the model's cost, counted from ONNX"
"$wattcast" flops tests/fixtures/onnx/resnet50.onnx --input-size 128
echo
echo "\$ wattcast project --evaluate --synthetic 20   # STEP: whole-run energy from the first stable epochs"
"$wattcast" project --evaluate --synthetic 20 | sed -n '1,12p'
