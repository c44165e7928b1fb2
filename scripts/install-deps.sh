#!/usr/bin/env bash
# Installs the Debian packages wattcast needs to build and test, skipping those already present,
# so a warm machine starts in well under a second. Non-interactive: safe for CI (root, no terminal).
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libeigen3-dev libcli11-dev nlohmann-json3-dev libfmt-dev libtomlplusplus-dev libsqlite3-dev
  libboost-dev libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-sklearn python3-psutil
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx
  npm chromium
  libpqxx-dev postgresql libcpp-httplib-dev prometheus
  # `make dist` bundles the libraries (patchelf sets the RPATH); its test installs the wheel
  # into a fresh venv.
  patchelf python3-venv
  # wattcast.track() is tested in a real notebook, executed headlessly.
  python3-nbclient python3-nbformat python3-ipykernel
  # The helper's parameter counts (the phase signal) are tested on a real PyTorch model; Debian's
  # CPU build is about 0.5 GB with its libraries.
  python3-torch
)
# Only for maintainers: re-exporting the ONNX fixtures (scripts/export_onnx_fixtures.py) and
# fuzzing (scripts/fuzz.sh). `bash scripts/install-deps.sh --extras` adds them; builds and tests
# do not need them, and torchvision's models are large.
if [ "${1:-}" = "--extras" ]; then
  packages+=(python3-torchvision clang libclang-rt-14-dev)
fi

missing=()
for package in "${packages[@]}"; do
  # npm also comes bundled with other Node.js packages (NodeSource's nodejs), which conflict
  # with Debian's npm: any working npm will do.
  if [ "$package" = npm ] && command -v npm >/dev/null 2>&1; then
    continue
  fi
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
