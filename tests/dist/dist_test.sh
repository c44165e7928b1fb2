#!/usr/bin/env bash
# `make dist` as a cluster user meets it (issue 17): the tarball unpacked and the wheel installed
# into a fresh venv (pip --no-index), both away from the build tree and with a bare environment,
# each runs --version, an estimate and a measured Python run; the binary needs no library outside
# its bundle but glibc's, libstdc++ and libgcc.
# Usage: dist_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

bash "$source_dir/scripts/make-dist.sh" "$build_dir" "$work/dist"
tarball=$(ls "$work"/dist/wattcast-*-linux-x86_64.tar.gz)
wheel=$(ls "$work"/dist/wattcast-*-manylinux_*_x86_64.whl)
for artefact in "$tarball" "$wheel"; do
  size=$(stat -c %s "$artefact")
  [ "$size" -lt 40000000 ] || fail "$(basename "$artefact") is $size bytes (limit 40 MB)"
done

cat > "$work/train.py" <<'PY'
import wattcast
for epoch in range(3):
    wattcast.epoch_begin()
    sum(i * i for i in range(100000))
    wattcast.epoch_end(metrics={"loss": 1.0 / (epoch + 1)})
PY

# $1: how to run wattcast; $2: the Python that imports the helper; $3: a name for the store
check_front_door() {
  local -a wattcast
  read -r -a wattcast <<<"$1"
  local python=$2 store="$work/$3.db"
  local version
  version=$("${wattcast[@]}" --version) || fail "$3: --version failed"
  [[ $version == "wattcast "* ]] || fail "$3: --version printed '$version'"
  "${wattcast[@]}" estimate --gpu 3090 --arch resnet50 --input-size 128 --batch-size 32 --train-samples 1000 \
    --val-samples 100 --epochs 2 --ram-gb 16 --method roofline --format json >"$work/estimate.json" ||
    fail "$3: estimate failed"
  grep -q '"energy_kwh"' "$work/estimate.json" || fail "$3: estimate printed no energy"
  (cd "$work" && "${wattcast[@]}" measure --out "$store" -- "$python" train.py >"$work/measure.txt" 2>&1) ||
    fail "$3: measure failed: $(cat "$work/measure.txt")"
  local epochs
  epochs=$("${wattcast[@]}" show 1 --store "$store" --format json | "$python" -c 'import json, sys; print(len(json.load(sys.stdin)["epochs"]))')
  [ "$epochs" = 3 ] || fail "$3: the measured run has $epochs epochs, expected 3"
}

# The tarball, with nothing of this machine's build set-up in the environment.
mkdir "$work/unpacked"
tar -C "$work/unpacked" -xzf "$tarball"
prefix=$(ls -d "$work"/unpacked/wattcast-*)
bare=(env -i PATH=/usr/bin:/bin HOME="$work" PYTHONPATH="$prefix/python")
check_front_door "${bare[*]} $prefix/bin/wattcast" /usr/bin/python3 tarball
while read -r library path; do
  case "$(basename "$library")" in
    linux-vdso.so* | libc.so* | libm.so* | libgcc_s.so* | libstdc++.so* | libpthread.so* | libdl.so* | librt.so* | libresolv.so* | ld-linux*) ;;
    *) [[ $path == "$prefix/bin/../lib/"* ]] || fail "tarball: $library resolves outside the bundle ($path)" ;;
  esac
done < <(env -i ldd "$prefix/bin/wattcast" | awk '{print $1, ($2 == "=>" ? $3 : $1)}')

# The wheel, in a fresh venv of Debian's Python.
started=$(date +%s%N)
/usr/bin/python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --no-index "$wheel"
env -i PATH=/usr/bin:/bin HOME="$work" "$work/venv/bin/wattcast" --version >/dev/null
echo "wheel: fresh venv, install and first --version took $((($(date +%s%N) - started) / 1000000)) ms"
check_front_door "env -i PATH=/usr/bin:/bin HOME=$work $work/venv/bin/wattcast" "$work/venv/bin/python" wheel
echo "dist: tarball $(stat -c %s "$tarball") bytes, wheel $(stat -c %s "$wheel") bytes: both front doors work"
