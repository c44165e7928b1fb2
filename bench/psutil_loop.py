#!/usr/bin/env python3
"""The study's way of monitoring, for comparison with `wattcast measure`: a Python loop that
polls psutil (CPU utilization, memory, the process tree's CPU time and RSS) and the powercap
energy files at a fixed interval, while a command runs.

usage: psutil_loop.py INTERVAL_MS COMMAND ARGS...
"""
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


def main():
    interval_s = float(sys.argv[1]) / 1000.0
    child = subprocess.Popen(sys.argv[2:])
    root = psutil.Process(child.pid)
    samples = []
    next_tick = time.monotonic()
    while child.poll() is None:
        try:
            tree = [root] + root.children(recursive=True)
            cpu_s = sum(sum(p.cpu_times()[:2]) for p in tree)
            rss = sum(p.memory_info().rss for p in tree)
        except psutil.Error:
            cpu_s, rss = 0.0, 0
        samples.append((time.time(), psutil.cpu_percent(), psutil.virtual_memory().used, cpu_s, rss, read_rapl()))
        next_tick += interval_s
        time.sleep(max(0.0, next_tick - time.monotonic()))
    print(f"psutil loop: {len(samples)} samples", file=sys.stderr)
    return child.returncode


if __name__ == "__main__":
    sys.exit(main())
