#!/usr/bin/env python3
"""Writes krr_sklearn.json: scikit-learn's StandardScaler + KernelRidge(rbf) with the study's
alpha = 6.64e-4 and gamma = 0.0442, fitted on every run of data/pre_runs.csv, and its
predictions for a set of inputs. The C++ pre-paper model must reproduce them to 1e-6 relative.

Run with Debian's python3-sklearn:  /usr/bin/python3 tests/golden/make_krr_golden.py
"""
import csv
import json
import os
import sys

import numpy as np
from sklearn.kernel_ridge import KernelRidge
from sklearn.preprocessing import StandardScaler

FEATURES = ["gpu_cuda_cores", "gpu_memory_gb", "gpu_tdp_w", "total_ram_gb", "gflops",
            "train_samples", "val_samples", "batch_size", "input_size"]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "pre_runs.csv")


def main():
    with open(DATA, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in FEATURES] for r in rows])
    targets = {
        "avg_gpu_power_w": np.array([float(r["avg_gpu_power_w"]) for r in rows]),
        "avg_epoch_energy_kj": np.array([float(r["avg_epoch_energy_kj"]) for r in rows]),
    }
    # The first rows of the data, plus configurations the study never ran.
    queries = [list(v) for v in x[:10]] + [
        [16896, 80, 700, 64, 4.1, 50000, 10000, 128, 224],
        [6912, 40, 400, 32, 1.5, 12000, 8580, 64, 128],
        [5888, 8, 220, 16, 2.53, 23807, 10203, 64, 128],
        [10496, 24, 350, 16, 0.2, 3060, 6084, 256, 96],
        [640, 2, 60, 32, 0.3724, 12000, 8580, 32, 128],
        [10496, 24, 350, 8, 5.9, 23807, 10203, 32, 224],
        [5888, 8, 220, 32, 10.05, 3059, 6085, 16, 128],
        [2304, 8, 50, 8, 0.6, 1000, 500, 8, 64],
        [10496, 24, 350, 24, 1.0, 5000, 5000, 100, 150],
        [9728, 16, 320, 32, 3.0, 20000, 5000, 128, 160],
    ]
    scaler = StandardScaler().fit(x)
    golden = {"alpha": 6.64e-4, "gamma": 0.0442, "features": FEATURES,
              "scaler_mean": scaler.mean_.tolist(), "scaler_scale": scaler.scale_.tolist(),
              "queries": queries, "predictions": {}}
    for name, y in targets.items():
        model = KernelRidge(kernel="rbf", alpha=6.64e-4, gamma=0.0442).fit(scaler.transform(x), y)
        golden["predictions"][name] = model.predict(scaler.transform(np.array(queries))).tolist()
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "krr_sklearn.json")
    with open(out, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
