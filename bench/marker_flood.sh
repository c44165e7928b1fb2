#!/usr/bin/env bash
# A marker flood (issue 15, item 9): a command that sends EPOCHS epochs (a begin and an end each,
# as fast as the monitor takes them) to `wattcast measure --epochs EPOCHS`, which projects after
# every epoch. Prints the monitor's peak RSS and its wall time per epoch.
#   bash bench/marker_flood.sh WATTCAST_BINARY [EPOCHS]
set -euo pipefail
wattcast=$1
epochs=${2:-50000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 't_s,device,power_w\n0,gpu0,250\n' >"$dir/trace.csv"
cat >"$dir/flood.py" <<'PY'
import json, os, socket, sys, time
epochs = int(sys.argv[1])
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
target = os.environ["WATTCAST_SOCKET"]
for e in range(1, epochs + 1):
    for kind in ("epoch_begin", "epoch_end"):
        # Blocking sends: when the monitor's queue is full, the flood waits for it (nothing is lost).
        s.sendto(json.dumps({"v": 1, "type": kind, "epoch": e, "t": time.time(), "metrics": {"loss": 1.0 / e}}).encode(), target)
PY
start=$(date +%s.%N)
/usr/bin/time -f '%M' -o "$dir/rss_kb" "$wattcast" measure --epochs "$epochs" --replay "$dir/trace.csv" --out "$dir/flood.db" \
  -- python3 "$dir/flood.py" "$epochs" >"$dir/measure.log" 2>&1
end=$(date +%s.%N)
stored=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from markers where type=\"epoch_end\"").fetchone()[0])' "$dir/flood.db")
python3 - "$(cat "$dir/rss_kb")" "$start" "$end" "$epochs" "$stored" <<'PY'
import sys
rss_kb, start, end, epochs, stored = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
print(f"epochs sent {epochs}, epoch_end markers stored {stored}")
print(f"monitor peak RSS: {rss_kb / 1024:.1f} MB")
print(f"wall time: {end - start:.1f} s, {1e6 * (end - start) / epochs:.0f} us per epoch")
PY
