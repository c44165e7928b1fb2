#!/usr/bin/python3
"""Leave-one-GPU-out accuracy of the roofline method, per held-out GPU.

    python3 scripts/leave_one_gpu_out.py build/wattcast [--in-sample]

For every GPU in data/ (the study's runs, Zeus's, the H200's), fits `roofline` on the runs of
the other GPUs, predicts every run of the held-out one with `estimate --batch`, and prints the
mean absolute percentage error of power, epoch time and epoch energy, and in brackets the median
ratio of predicted to measured (+20%: predicts a fifth too much). `evaluate --cv gpu` pools
the same folds; this splits them, and pools them last.

With --in-sample the model is fitted once on every GPU, the held-out one included: the error
left is what a GPU description cannot explain at all (each GPU of the data ran on its own host).
"""

import csv
import os
import statistics
import subprocess
import sys
import tempfile

FILES = ["data/pre_runs.csv", "data/zeus/zeus_runs.csv", "data/h200_runs.csv"]


def write(path, header, rows):
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def epoch_time_s(row):
    if row.get("epoch_time_s"):
        return float(row["epoch_time_s"])
    return float(row["avg_epoch_energy_kj"]) * 1e3 / float(row["avg_gpu_power_w"])


def main():
    args = [a for a in sys.argv[1:] if a != "--in-sample"]
    in_sample = "--in-sample" in sys.argv[1:]
    wattcast = args[0] if args else "build/wattcast"
    tables = {f: list(csv.DictReader(open(f))) for f in FILES}
    gpus = sorted({row["gpu"] for rows in tables.values() for row in rows})
    with tempfile.TemporaryDirectory() as scratch:
        model = os.path.join(scratch, "model.json")
        pooled = {"power": [], "time": [], "energy": []}
        for gpu in gpus:
            training = []
            for f, rows in tables.items():
                kept = [r for r in rows if in_sample or r["gpu"] != gpu]
                if kept:
                    training.append(os.path.join(scratch, "train_" + os.path.basename(f)))
                    write(training[-1], list(rows[0]), kept)
            subprocess.run([wattcast, "fit", "--method", "roofline", "--data", ",".join(training), "--out", model],
                           check=True, capture_output=True)
            errors = {"power": [], "time": [], "energy": []}
            for f, rows in tables.items():
                held = [r for r in rows if r["gpu"] == gpu]
                if not held:
                    continue
                path = os.path.join(scratch, "held.csv")
                write(path, list(rows[0]), held)
                out = subprocess.run([wattcast, "estimate", "--batch", path, "--model", model, "--method", "roofline"],
                                     check=True, capture_output=True, text=True).stdout
                for row, predicted in zip(held, csv.DictReader(out.splitlines())):
                    power = float(row["avg_gpu_power_w"])
                    energy = float(row["avg_epoch_energy_kj"])
                    errors["power"].append(float(predicted["pred_avg_power_w"]) / power)
                    errors["time"].append(float(predicted["pred_epoch_time_s"]) / epoch_time_s(row))
                    errors["energy"].append(float(predicted["pred_epoch_energy_kj"]) / energy)
            for k, v in errors.items():
                pooled[k] += v
            print_errors(gpu, errors)
        print_errors("all runs", pooled)


def print_errors(label, errors):
    # MAPE, and the median ratio of predicted to measured: its sign says which way it errs.
    print(f"{label:32} runs {len(errors['power']):3d}  " +
          "  ".join(f"{k} {100 * statistics.mean(abs(r - 1) for r in v):5.1f}% ({100 * (statistics.median(v) - 1):+4.0f}%)"
                    for k, v in errors.items()))


if __name__ == "__main__":
    main()
