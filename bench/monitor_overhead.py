#!/usr/bin/env python3
"""Monitor overhead: CPU seconds per hour of monitoring and peak RSS of `wattcast measure`,
side by side with the study's approach (bench/psutil_loop.py), at 100 ms and 1 ms, while an
idle command (sleep) runs. Figures go to stdout as a markdown table.

usage: monitor_overhead.py BUILD_DIR [SECONDS]
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


# Runs a command in a fresh interpreter and reports its children's usage: peak RSS is a running
# maximum over a process's children, so each measurement needs a parent of its own.
WRAPPER = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(r.ru_utime + r.ru_stime, r.ru_maxrss)\n"
)


def cost(argv):
    """CPU seconds (user + system) and peak RSS (MB) of one command and its children."""
    out = subprocess.run([sys.executable, "-c", WRAPPER] + argv, check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]) / 1024.0


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    wattcast = os.path.join(build, "wattcast")
    print(f"idle command: sleep {seconds:g}; CPU seconds per hour = measured CPU seconds x 3600 / {seconds:g}")
    print("| monitor | interval | CPU s per hour | % of one core | peak RSS MB |")
    print("|---|---|---:|---:|---:|")
    baseline_cpu, _ = cost(["sleep", str(seconds)])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for interval_ms in (100, 1):
            store = os.path.join(tmp, f"runs-{interval_ms}.db")
            # One process at a time, so each figure is that process's own peak.
            w_cpu, w_rss = cost([wattcast, "measure", "--interval-ms", str(interval_ms), "--out", store, "--", "sleep", str(seconds)])
            p_cpu, p_rss = cost([sys.executable, os.path.join(HERE, "psutil_loop.py"), str(interval_ms), "sleep", str(seconds)])
            s_cpu, s_rss = cost([sys.executable, os.path.join(HERE, "psutil_loop.py"), str(interval_ms), "--slow-sources-every-s", "1",
                                 "sleep", str(seconds)])
            for name, cpu, rss in (("wattcast measure", w_cpu, w_rss), ("python psutil loop (study: every source every tick)", p_cpu, p_rss),
                                   ("python psutil loop (wattcast's cadence: tree and memory 1/s)", s_cpu, s_rss)):
                per_hour = (cpu - baseline_cpu) * 3600.0 / seconds
                print(f"| {name} | {interval_ms} ms | {per_hour:.1f} | {100.0 * per_hour / 3600.0:.3f} | {rss:.1f} |")
            rows.append((interval_ms, w_cpu - baseline_cpu, p_cpu - baseline_cpu, s_cpu - baseline_cpu))
    print()
    for interval_ms, w, p, s in rows:
        print(f"at {interval_ms} ms: the study's Python loop uses {p / max(w, 1e-9):.0f}x the CPU of wattcast measure "
              f"({s / max(w, 1e-9):.0f}x at the same cadence)")


if __name__ == "__main__":
    main()
