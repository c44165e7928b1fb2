#!/usr/bin/env bash
# Packs a Release build of wattcast for machines where the user has no root and no apt (clusters):
#   dist/wattcast-VERSION-linux-x86_64.tar.gz   bin/wattcast with an RPATH to its own copies of every
#                                               library but glibc, libstdc++, libgcc and libm; its data;
#                                               the Python helper; a README
#   dist/wattcast-VERSION-py3-none-manylinux_2_35_x86_64.whl
#                                               the same tree inside the `wattcast` Python package, whose
#                                               `wattcast` command runs the bundled CLI
# Usage: bash scripts/make-dist.sh [BUILD_DIR] [OUT_DIR]   (`make dist` builds first)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
out=${2:-dist}
here=$(cd "$(dirname "$0")/.." && pwd)
version=$("$build/wattcast" --version | awk '{print $2}')
name="wattcast-$version-linux-x86_64"
command -v patchelf >/dev/null || { echo "make-dist: patchelf is missing (make deps installs it)" >&2; exit 2; }

mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/$name"
mkdir -p "$root/bin" "$root/lib" "$root/share/wattcast" "$root/python"
cp "$build/wattcast" "$root/bin/"
cp -r "$build/data" "$root/share/wattcast/data"
cp -r "$here/python/wattcast" "$root/python/"
find "$root/python" -name __pycache__ -prune -exec rm -rf {} +

# glibc's own libraries and the compiler runtime are on every Linux machine that can run the
# binary (glibc >= the version it was linked against); everything else travels with it.
system_library() {
  case "$1" in
    libc.so* | libm.so* | libpthread.so* | libdl.so* | librt.so* | libresolv.so* | libutil.so* | ld-linux* | \
      libgcc_s.so* | libstdc++.so*) return 0 ;;
  esac
  return 1
}
for lib in $(ldd "$root/bin/wattcast" | awk '$3 ~ /^\// {print $3}'); do
  system_library "$(basename "$lib")" || cp -L "$lib" "$root/lib/"
done
# DT_RPATH (not RUNPATH) also applies to the libraries' own dependencies.
patchelf --force-rpath --set-rpath '$ORIGIN/../lib' "$root/bin/wattcast"
strip --strip-unneeded "$root/bin/wattcast" "$root"/lib/*.so* 2>/dev/null || true
glibc=$(objdump -T "$root/bin/wattcast" "$root"/lib/*.so* | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)

cat > "$root/README" <<README
wattcast $version for Linux x86_64 (needs ${glibc/_/ } or newer: Ubuntu 22.04+, Debian 12+, RHEL 10+).
No root and no compiler needed.

  tar xzf $name.tar.gz
  export PATH=\$PWD/$name/bin:\$PATH           # the wattcast command
  export PYTHONPATH=\$PWD/$name/python:\$PYTHONPATH  # import wattcast (the epoch helper)
  wattcast --version

Or install the wheel beside it into any Python 3.8+ environment: pip install wattcast-*.whl
Documentation: https://github.com/wattcast (README.md, docs/).
README

rm -f "$out/$name.tar.gz"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
python3 "$here/scripts/make_wheel.py" "$root" "$version" "${glibc#GLIBC_}" "$out"
ls -l "$out/$name.tar.gz" "$out"/wattcast-"$version"-*.whl | awk '{printf "%s  %.1f MB\n", $NF, $5 / 1e6}'
