#!/usr/bin/env python3
"""Monitor overhead: CPU seconds per hour of monitoring and peak RSS of `wattcast measure`,
side by side with the study's approach (bench/psutil_loop.py), at 100 ms and 1 ms, while an
idle command (sleep) runs. Figures go to stdout as a markdown table.

The GPU rows read a fake H200 (tests/fakes/fake_nvml.cpp, built with the tests): its calls cost
what the real ones cost (the energy counter ~4 ms of CPU, power 2 us, the power limit 170 us) and
its readings change every 100 ms, as measured on a real H200 (tests/fixtures/h200/README.md).

usage: monitor_overhead.py BUILD_DIR [SECONDS] [INTERVALS_MS] [ROWS]
  INTERVALS_MS: comma-separated, default 100,1; ROWS: only the rows whose name starts with one of
  these comma-separated prefixes (e.g. "GPU,floor"), default all
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
    intervals = [int(ms) for ms in sys.argv[3].split(",")] if len(sys.argv) > 3 else [100, 1]
    rows = sys.argv[4].split(",") if len(sys.argv) > 4 else [""]
    fake_nvml = os.path.abspath(os.path.join(build, "tests", "fakes", "libfake-nvml.so"))
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
    script = os.path.join(tempfile.gettempdir(), "wattcast-bench-h200.nvml")
    with open(script, "w") as f:
        f.write("gpu name=NVIDIA H200; uuid=GPU-00000000-0000-0000-0000-0000000000a1\n")
    gpu_env = ["env", f"WATTCAST_NVML_LIBRARY={fake_nvml}", f"WATTCAST_FAKE_NVML_SCRIPT={script}"]
    monitors = [
        ("wattcast measure", lambda ms, store, cmd: [wattcast, "measure", "--interval-ms", str(ms), "--out", store, "--"] + cmd),
        # No GPU on the benchmark machine: a replayed trace stands in for a sensor read at every
        # tick (NVML's own cost per call is not included).
        ("wattcast measure + a sensor read every tick (replay)",
         lambda ms, store, cmd: [wattcast, "measure", "--interval-ms", str(ms), "--replay", trace, "--out", store, "--"] + cmd),
        ("python psutil loop (the study's: every source every tick)", lambda ms, store, cmd: [sys.executable, loop, str(ms)] + cmd),
        ("python psutil loop (wattcast's cadence: slow sources 1/s)",
         lambda ms, store, cmd: [sys.executable, loop, str(ms), "--slow-sources-every-s", "1"] + cmd),
        ("GPU: wattcast measure, fake H200 (NVML)",
         lambda ms, store, cmd: gpu_env + [wattcast, "measure", "--interval-ms", str(ms), "--out", store, "--"] + cmd),
        ("GPU: python loop, fake H200 power every tick + psutil (the study's)",
         lambda ms, store, cmd: gpu_env + [sys.executable, loop, str(ms), "--nvml", fake_nvml] + cmd),
        # Not a monitor: what being woken every interval costs here, the floor under the GPU rows.
        ("floor: a C++ loop that only wakes every interval (bench/wake_floor)",
         lambda ms, store, cmd: [os.path.join(build, "bench", "wake_floor"), str(ms)] + cmd),
    ]
    if not os.path.exists(fake_nvml):
        sys.exit(f"{fake_nvml} is missing: build the tests first")
    per_hour = {}
    with tempfile.TemporaryDirectory() as tmp:
        for interval_ms in intervals:
            for name, argv in monitors:
                if not any(name.startswith(prefix) for prefix in rows):
                    continue
                store = os.path.join(tmp, f"runs-{interval_ms}.db")
                # One process at a time, so each figure is that process's own.
                start_cpu, _ = cost(argv(interval_ms, store, ["sleep", "0"]))
                run_cpu, rss = cost(argv(interval_ms, store, ["sleep", str(seconds)]))
                hourly = max(0.0, run_cpu - start_cpu) * 3600.0 / seconds
                per_hour[(name, interval_ms)] = hourly
                print(f"| {name} | {interval_ms} ms | {hourly:.2f} | {100.0 * hourly / 3600.0:.3f} | {start_cpu:.3f} | {rss:.1f} |")
    print()
    def ratio(loop, monitor, interval_ms):
        return per_hour[(loop, interval_ms)] / max(per_hour[(monitor, interval_ms)], 1e-9)

    names = [name for name, _ in monitors]
    for interval_ms in intervals:
        for reference in names[:2]:
            if all((n, interval_ms) in per_hour for n in (reference, names[2], names[3])):
                print(f"at {interval_ms} ms: the study's Python loop uses {ratio(names[2], reference, interval_ms):.0f}x the CPU of "
                      f"{reference} ({ratio(names[3], reference, interval_ms):.0f}x at wattcast's cadence)")
        if all((n, interval_ms) in per_hour for n in names[4:6]):
            print(f"at {interval_ms} ms with a GPU: the study's loop uses {ratio(names[5], names[4], interval_ms):.0f}x the CPU of "
                  f"wattcast measure ({100.0 * per_hour[(names[4], interval_ms)] / 3600.0:.3f}% of a core)")

if __name__ == "__main__":
    main()
