#!/usr/bin/env python3
"""How well `estimate --method roofline` predicts what a power cap changes, on Zeus's traces.

Usage: scripts/check_power_caps.py build/wattcast
For every capped row of data/zeus/summary_power_*.csv (ShuffleNetV2 and ResNet-50, the workloads
whose cost per sample is known), compares the predicted change from the default limit with the
measured one. Standard library only.
"""
import csv
import os
import subprocess
import sys
import tempfile

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "zeus")
GPUS = {"a40": ("NVIDIA A40 PCIe", 300), "p100": ("NVIDIA Tesla P100 PCIe 16 GB", 250), "rtx6000": ("NVIDIA Quadro RTX 6000", 260)}
WORK = {("cifar100", "shufflenetv2"): (0.0874, 50000, 10000), ("imagenet", "resnet50"): (8.18, 1281167, 50000)}


def main():
    wattcast = sys.argv[1] if len(sys.argv) > 1 else "build/wattcast"
    rows = []
    for key, (name, default) in GPUS.items():
        with open(os.path.join(DATA, f"summary_power_{key}.csv")) as f:
            for r in csv.DictReader(f):
                work = WORK.get((r["dataset"], r["network"]))
                if work:
                    rows.append(dict(gpu=name, gflops=work[0], train_samples=work[1], val_samples=work[2], batch_size=r["batch_size"],
                                     power_limit_w=r["power_limit"], group=(key, r["network"], r["batch_size"]), default=default,
                                     time=float(r["time_per_epoch"]), power=float(r["average_power"])))
    columns = ["gpu", "gflops", "train_samples", "val_samples", "batch_size", "power_limit_w"]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        path = f.name
    out = subprocess.run([wattcast, "estimate", "--batch", path, "--method", "roofline"], check=True, capture_output=True, text=True).stdout
    os.unlink(path)
    predictions = list(csv.DictReader(out.splitlines()))
    base = {r["group"]: (r, p) for r, p in zip(rows, predictions) if int(r["power_limit_w"]) == r["default"]}
    n = time_err = energy_err = time_still = energy_still = power_err = above = 0
    for r, p in zip(rows, predictions):
        if r["group"] not in base or int(r["power_limit_w"]) == r["default"]:
            continue
        b, bp = base[r["group"]]
        measured_t = r["time"] / b["time"]
        measured_e = r["time"] * r["power"] / (b["time"] * b["power"])
        predicted_t = float(p["pred_epoch_time_s"]) / float(bp["pred_epoch_time_s"])
        predicted_e = float(p["pred_epoch_energy_kj"]) / float(bp["pred_epoch_energy_kj"])
        n += 1
        time_err += abs(predicted_t - measured_t) / measured_t
        energy_err += abs(predicted_e - measured_e) / measured_e
        time_still += abs(1 - measured_t) / measured_t
        energy_still += abs(1 - measured_e) / measured_e
        power_err += abs(float(p["pred_avg_power_w"]) - r["power"]) / r["power"]
        above += float(p["pred_avg_power_w"]) > int(r["power_limit_w"])
    print(f"{n} capped rows. Change from the default limit, mean abs error: time {100 * time_err / n:.1f}% "
          f"(no-change guess {100 * time_still / n:.1f}%), energy {100 * energy_err / n:.1f}% (no-change guess "
          f"{100 * energy_still / n:.1f}%). Power at the cap: MAPE {100 * power_err / n:.1f}%; above the cap: {above}.")


if __name__ == "__main__":
    main()
