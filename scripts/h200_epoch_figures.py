#!/usr/bin/python3
"""The measured columns of data/h200_runs.csv from the H200 traces: per epoch, the GPU's energy
counter read at the epoch's start and end (linear between the monitor's 100 ms samples, as
BENCHMARKS.md's issue-13 section takes it), then over the stable epochs the mean epoch time, the
mean epoch energy and their ratio as the mean power. GPU only: the traces' epoch energies
(NAME_epochs.csv) also hold the modelled CPU and memory. The independent pynvml sampler's counter
(NAME_nvml_reference.csv) gives the same figures a second time, as a check.

    /usr/bin/python3 scripts/h200_epoch_figures.py [TRACES_DIR]   (default tests/fixtures/h200)
"""

import bisect
import csv
import os
import sys

# run -> the first stable epoch (data/PROVENANCE.md says why the ones before it are left out)
STABLE_FROM = {"resnet50": 5, "lightning": 2, "hf": 2}


def counter(times, energies):
    def at(t):
        i = bisect.bisect_left(times, t)
        if i == 0 or i == len(times):
            raise ValueError(f"{t} is outside the trace")
        share = (t - times[i - 1]) / (times[i] - times[i - 1])
        return energies[i - 1] + share * (energies[i] - energies[i - 1])
    return at


def read_counter(path, gpu_only):
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if not gpu_only or r["kind"] == "gpu"]
    return counter([float(r["t_s"]) for r in rows], [float(r["energy_j"]) for r in rows])


def main():
    traces = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/h200"
    for run, first_stable in STABLE_FROM.items():
        monitor = read_counter(os.path.join(traces, f"{run}_samples.csv"), gpu_only=True)
        reference = read_counter(os.path.join(traces, f"{run}_nvml_reference.csv"), gpu_only=False)
        with open(os.path.join(traces, f"{run}_epochs.csv"), newline="") as f:
            epochs = list(csv.DictReader(f))
        print(f"{run}: epoch, duration_s, gpu_energy_j, gpu_power_w")
        stable = []
        for e in epochs:
            start = float(e["start_s"])
            end = start + float(e["duration_s"])
            energy = monitor(end) - monitor(start)
            print(f"  {e['epoch']:>2} {end - start:8.3f} {energy:9.1f} {energy / (end - start):7.1f}"
                  + ("" if int(e["epoch"]) >= first_stable else "  (warm-up, left out)"))
            if int(e["epoch"]) >= first_stable:
                stable.append((start, end, energy, reference(end) - reference(start)))
        time_s = sum(s[1] - s[0] for s in stable) / len(stable)
        energy_j = sum(s[2] for s in stable) / len(stable)
        reference_j = sum(s[3] for s in stable) / len(stable)
        print(f"  epochs {first_stable}-{epochs[-1]['epoch']}: avg_gpu_power_w {energy_j / time_s:.1f}, "
              f"epoch_time_s {time_s:.4g}, avg_epoch_energy_kj {energy_j / 1000:.4g} "
              f"(pynvml reference: {reference_j / 1000:.4g} kJ, {100 * (reference_j / energy_j - 1):+.2f}%)")


if __name__ == "__main__":
    main()
