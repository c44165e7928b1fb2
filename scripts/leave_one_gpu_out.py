#!/usr/bin/python3
"""Leave-one-GPU-out accuracy of the roofline method, per held-out GPU.

    python3 scripts/leave_one_gpu_out.py build/wattcast [--in-sample | --own-runs K]

For every GPU in data/ (the study's runs, Zeus's, the H200's), fits `roofline` on the runs of
the other GPUs, predicts every run of the held-out one with `estimate --batch`, and prints the
mean absolute percentage error of power, epoch time and epoch energy, and in brackets the median
ratio of predicted to measured (+20%: predicts a fifth too much). `evaluate --cv gpu` pools
the same folds; this splits them, and pools them last.

With --in-sample the model is fitted once on every GPU, the held-out one included: the error
left is what a GPU description cannot explain at all (each GPU of the data ran on its own host).

With --own-runs K each held-out run is estimated as `estimate --store` would with K runs of the
user's own on that GPU: one run each of K other configurations of it, drawn at random (seed 0),
move the estimate by their mean log ratio measured / predicted, shrunk by K / (K + 3)
(src/estimate/store_correction.h, kStorePriorRuns).
"""

import csv
import math
import os
import random
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
    args = sys.argv[1:]
    in_sample = "--in-sample" in args
    own_runs = int(args[args.index("--own-runs") + 1]) if "--own-runs" in args else 0
    positional = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] != "--own-runs")]
    wattcast = positional[0] if positional else "build/wattcast"
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
            ratios = []  # per held-out run: its configuration, then predicted / measured power, time, energy
            for f, rows in tables.items():
                held = [r for r in rows if r["gpu"] == gpu]
                if not held:
                    continue
                path = os.path.join(scratch, "held.csv")
                write(path, list(rows[0]), held)
                out = subprocess.run([wattcast, "estimate", "--batch", path, "--model", model, "--method", "roofline"],
                                     check=True, capture_output=True, text=True).stdout
                for row, predicted in zip(held, csv.DictReader(out.splitlines())):
                    ratios.append((configuration(f, row), float(predicted["pred_avg_power_w"]) / float(row["avg_gpu_power_w"]),
                                   float(predicted["pred_epoch_time_s"]) / epoch_time_s(row),
                                   float(predicted["pred_epoch_energy_kj"]) / float(row["avg_epoch_energy_kj"])))
            if own_runs:
                ratios = corrected_by_own_runs(ratios, own_runs)
            errors = {"power": [r[1] for r in ratios], "time": [r[2] for r in ratios], "energy": [r[3] for r in ratios]}
            for k, v in errors.items():
                pooled[k] += v
            print_errors(gpu, errors)
        print_errors("all runs", pooled)


def configuration(source, row):
    return (source,) + tuple(row.get(k) for k in ("dataset", "architecture", "batch_size", "input_size", "train_samples", "power_limit_w"))


def corrected_by_own_runs(ratios, k):
    """Each run's ratios after a correction learned from one run each of k other configurations."""
    rng = random.Random(0)
    by_config = {}
    for r in ratios:
        by_config.setdefault(r[0], []).append(r)
    out = []
    for r in ratios:
        others = [c for c in by_config if c != r[0]]
        chosen = [rng.choice(by_config[c]) for c in rng.sample(others, min(k, len(others)))]
        if not chosen:
            out.append(r)
            continue
        shrink = len(chosen) / (len(chosen) + 3.0)
        # A ratio predicted / measured: the correction multiplies the prediction by measured / predicted.
        power = math.exp(-shrink * sum(math.log(o[1]) for o in chosen) / len(chosen))
        energy = math.exp(-shrink * sum(math.log(o[3]) for o in chosen) / len(chosen))
        out.append((r[0], r[1] * power, r[2] * energy / power, r[3] * energy))
    return out


def print_errors(label, errors):
    # MAPE, and the median ratio of predicted to measured: its sign says which way it errs.
    print(f"{label:32} runs {len(errors['power']):3d}  " +
          "  ".join(f"{k} {100 * statistics.mean(abs(r - 1) for r in v):5.1f}% ({100 * (statistics.median(v) - 1):+4.0f}%)"
                    for k, v in errors.items()))


if __name__ == "__main__":
    main()
