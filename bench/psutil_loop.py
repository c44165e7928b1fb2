#!/usr/bin/env python3
"""The study's way of monitoring, for comparison with `wattcast measure`: a Python loop that
polls psutil (CPU utilization, memory, the process tree's CPU time and RSS) and the powercap
energy files at a fixed interval, while a command runs.

usage: psutil_loop.py INTERVAL_MS [--slow-sources-every-s S] [--nvml LIBRARY] COMMAND ARGS...

By default every source is read at every tick, as the study did. With --slow-sources-every-s the
process tree and memory are read once per S seconds, as wattcast measure reads them. With --nvml
the first GPU's power is read every tick too (nvmlDeviceGetPowerUsage through ctypes, as pynvml
does), from that libnvidia-ml (the tests' fake stands in for a GPU).
"""
import ctypes
import glob
import subprocess
import sys
import time

import psutil


def read_rapl():
    total = 0
    for path in glob.glob("/sys/class/powercap/intel-rapl:*/energy_uj"):
        try:
            with open(path) as f:
                total += int(f.read())
        except OSError:
            pass
    return total


def open_gpu(library):
    nvml = ctypes.CDLL(library)
    if nvml.nvmlInit_v2() != 0:
        sys.exit("nvmlInit_v2 failed")
    handle = ctypes.c_void_p()
    if nvml.nvmlDeviceGetHandleByIndex_v2(0, ctypes.byref(handle)) != 0:
        sys.exit("no GPU 0")
    power_mw = ctypes.c_uint()

    def read_power():
        nvml.nvmlDeviceGetPowerUsage(handle, ctypes.byref(power_mw))
        return power_mw.value

    return read_power


def main():
    interval_s = float(sys.argv[1]) / 1000.0
    args = sys.argv[2:]
    slow_every_s = 0.0
    read_gpu_power = lambda: 0
    while args[0].startswith("--"):
        if args[0] == "--slow-sources-every-s":
            slow_every_s = float(args[1])
        elif args[0] == "--nvml":
            read_gpu_power = open_gpu(args[1])
        args = args[2:]
    child = subprocess.Popen(args)
    root = psutil.Process(child.pid)
    samples = []
    next_tick = time.monotonic()
    last_slow = -1e9
    cpu_s, rss, used = 0.0, 0, 0
    while child.poll() is None:
        now = time.monotonic()
        if now - last_slow >= slow_every_s:
            last_slow = now
            try:
                tree = [root] + root.children(recursive=True)
                cpu_s = sum(sum(p.cpu_times()[:2]) for p in tree)
                rss = sum(p.memory_info().rss for p in tree)
            except psutil.Error:
                cpu_s, rss = 0.0, 0
            used = psutil.virtual_memory().used
        samples.append((time.time(), psutil.cpu_percent(), used, cpu_s, rss, read_rapl(), read_gpu_power()))
        next_tick += interval_s
        time.sleep(max(0.0, next_tick - time.monotonic()))
    print(f"psutil loop: {len(samples)} samples", file=sys.stderr)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
