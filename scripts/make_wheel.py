#!/usr/bin/python3
"""Writes the wattcast wheel from a staged binary tree (scripts/make-dist.sh calls it).

    make_wheel.py STAGED_ROOT VERSION GLIBC OUT_DIR

The wheel holds the Python helper package `wattcast` as it is, with the CLI tree (bin/, lib/,
share/) under `wattcast/_bin/`, and declares the console script `wattcast` that runs that CLI. It is
tagged for any Python 3 on manylinux GLIBC (the newest glibc symbol the binary and its libraries
need). Written with zipfile only: nothing to download, and the same inputs give the same bytes.
"""

import base64
import hashlib
import os
import stat
import sys
import zipfile

CLI_SHIM = '''"""The `wattcast` command of the wheel: runs the CLI bundled in this package."""

import os
import stat
import sys


def main():
    binary = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_bin", "bin", "wattcast")
    os.execv(binary, [binary] + sys.argv[1:])
'''


def record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main():
    staged, version, glibc, out_dir = sys.argv[1:5]
    tag = f"py3-none-manylinux_{glibc.replace('.', '_')}_x86_64"
    path = os.path.join(out_dir, f"wattcast-{version}-{tag}.whl")
    dist_info = f"wattcast-{version}.dist-info"
    entries = []  # (name in the wheel, bytes, executable)
    package = os.path.join(staged, "python", "wattcast")
    for folder, _, files in os.walk(package):
        for name in sorted(files):
            full = os.path.join(folder, name)
            entries.append(("wattcast/" + os.path.relpath(full, package), open(full, "rb").read(), False))
    entries.append(("wattcast/_cli.py", CLI_SHIM.encode(), False))
    for part in ("bin", "lib", "share"):
        for folder, _, files in os.walk(os.path.join(staged, part)):
            for name in sorted(files):
                full = os.path.join(folder, name)
                entries.append(("wattcast/_bin/" + os.path.relpath(full, staged), open(full, "rb").read(), os.access(full, os.X_OK)))
    readme = open(os.path.join(staged, "README"), "rb").read().decode()
    metadata = (f"Metadata-Version: 2.1\nName: wattcast\nVersion: {version}\n"
                "Summary: Measure, forecast and compare the energy of deep-learning training\n"
                "Requires-Python: >=3.8\nClassifier: Operating System :: POSIX :: Linux\n"
                "Description-Content-Type: text/plain\n\n" + readme)
    entries.append((f"{dist_info}/METADATA", metadata.encode(), False))
    entries.append((f"{dist_info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: wattcast make_wheel.py\nRoot-Is-Purelib: false\nTag: {tag}\n".encode(), False))
    entries.append((f"{dist_info}/entry_points.txt", b"[console_scripts]\nwattcast = wattcast._cli:main\n", False))
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data, _ in entries) + f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode(), False))

    temporary = path + ".part"
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data, executable in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (stat.S_IFREG | (0o755 if executable else 0o644)) << 16  # pip reads the type bits too
            info.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(info, data)
    os.replace(temporary, path)


if __name__ == "__main__":
    main()
