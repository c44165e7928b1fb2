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
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    wattcast = os.path.join(build, "wattcast")
    loop = os.path.join(HERE, "psutil_loop.py")
    print(f"idle command: sleep {seconds:g}. CPU seconds per hour of monitoring = (CPU seconds with `sleep {seconds:g}`"
          f" - CPU seconds with `sleep 0`) x 3600 / {seconds:g}: start-up (loading tables, the interpreter) is paid once per run,"
          " not per hour, and is shown apart.")
    print("| monitor | interval | CPU s per hour | % of one core | start-up CPU s | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|")
    trace = os.path.join(tempfile.gettempdir(), "wattcast-bench-trace.csv")
    with open(trace, "w") as f:
        f.write("t_s,device,power_w\n0,gpu0,250\n")
    monitors = [
        ("wattcast measure", lambda ms, store, cmd: [wattcast, "measure", "--interval-ms", str(ms), "--out", store, "--"] + cmd),
        # No GPU on the benchmark machine: a replayed trace stands in for a sensor read at every
        # tick (NVML's own cost per call is not included).
        ("wattcast measure + a sensor read every tick (replay)",
         lambda ms, store, cmd: [wattcast, "measure", "--interval-ms", str(ms), "--replay", trace, "--out", store, "--"] + cmd),
        ("python psutil loop (the study's: every source every tick)", lambda ms, store, cmd: [sys.executable, loop, str(ms)] + cmd),
        ("python psutil loop (wattcast's cadence: slow sources 1/s)",
         lambda ms, store, cmd: [sys.executable, loop, str(ms), "--slow-sources-every-s", "1"] + cmd),
    ]
    per_hour = {}
    with tempfile.TemporaryDirectory() as tmp:
        for interval_ms in (100, 1):
            for name, argv in monitors:
                store = os.path.join(tmp, f"runs-{interval_ms}.db")
                # One process at a time, so each figure is that process's own.
                start_cpu, _ = cost(argv(interval_ms, store, ["sleep", "0"]))
                run_cpu, rss = cost(argv(interval_ms, store, ["sleep", str(seconds)]))
                hourly = max(0.0, run_cpu - start_cpu) * 3600.0 / seconds
                per_hour[(name, interval_ms)] = hourly
                print(f"| {name} | {interval_ms} ms | {hourly:.2f} | {100.0 * hourly / 3600.0:.3f} | {start_cpu:.3f} | {rss:.1f} |")
    print()
    for interval_ms in (100, 1):
        for reference in monitors[:2]:
            w = max(per_hour[(reference[0], interval_ms)], 1e-9)
            print(f"at {interval_ms} ms: the study's Python loop uses {per_hour[(monitors[2][0], interval_ms)] / w:.0f}x the CPU of "
                  f"{reference[0]} ({per_hour[(monitors[3][0], interval_ms)] / w:.0f}x at wattcast's cadence)")


if __name__ == "__main__":
    main()
