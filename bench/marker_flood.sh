#!/usr/bin/env bash
# A marker flood (issue 15, item 9): a command sends EPOCHS epochs (a begin and an end each, as
# fast as the monitor takes them) to `wattcast measure --epochs EPOCHS`, which projects after every
# epoch. Prints the monitor's RSS once it has taken every epoch (read by the command, before the
# end-of-run summary), its peak RSS over the whole run (the summary reads every marker back from
# the store), and its CPU and wall time per epoch.
#   bash bench/marker_flood.sh WATTCAST_BINARY [EPOCHS]
set -euo pipefail
wattcast=$1
epochs=${2:-50000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf 't_s,device,power_w\n0,gpu0,250\n' >"$dir/trace.csv"
cat >"$dir/flood.py" <<'PY'
import json, os, socket, sqlite3, sys, time
epochs, store, report = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
target = os.environ["WATTCAST_SOCKET"]
for e in range(1, epochs + 1):
    for kind in ("epoch_begin", "epoch_end"):
        # Blocking sends: when the monitor's queue is full, the flood waits for it (nothing is lost).
        s.sendto(json.dumps({"v": 1, "type": kind, "epoch": e, "t": time.time(), "metrics": {"loss": 1.0 / e}}).encode(), target)
# The monitor has taken every epoch once the store holds them all (it writes them every second).
db = sqlite3.connect(store, timeout=30)
while db.execute("select count(*) from markers where type = 'epoch_end'").fetchone()[0] < epochs:
    time.sleep(0.2)  # a benchmark's polling interval, not a test's synchronisation
status = open(f"/proc/{os.getppid()}/status").read()
rss_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
open(report, "w").write(str(rss_kb))
PY
start=$(date +%s.%N)
/usr/bin/time -f '%M %U %S' -o "$dir/time" "$wattcast" measure --epochs "$epochs" --replay "$dir/trace.csv" --out "$dir/flood.db" \
  -- python3 "$dir/flood.py" "$epochs" "$dir/flood.db" "$dir/rss_kb" >"$dir/measure.log" 2>&1
end=$(date +%s.%N)
read -r peak_kb user_s sys_s <"$dir/time"
python3 - "$(cat "$dir/rss_kb")" "$peak_kb" "$user_s" "$sys_s" "$start" "$end" "$epochs" <<'PY'
import sys
rss_kb, peak_kb = int(sys.argv[1]), int(sys.argv[2])
user_s, sys_s, start, end = (float(v) for v in sys.argv[3:7])
epochs = int(sys.argv[7])
print(f"{epochs} epochs: monitor RSS after the last epoch {rss_kb / 1024:.1f} MB, peak {peak_kb / 1024:.1f} MB (end-of-run summary)")
print(f"monitor CPU {user_s + sys_s:.1f} s = {1e6 * (user_s + sys_s) / epochs:.0f} us per epoch; wall {end - start:.1f} s = {1e6 * (end - start) / epochs:.0f} us per epoch")
PY
