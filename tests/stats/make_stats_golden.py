#!/usr/bin/env python3
"""Writes stats_golden.json: random and tied data sets with SciPy's figures for every test in
src/stats/, which the C++ tests must reproduce (tests/stats/*_test.cpp).

Dunn's test has no SciPy function: its figures come from the formula, written out below with
numpy and scipy.stats.norm. Shapiro-Wilk gets its own extra samples (every n of its small-n
branch, large n, heavy ties, p down to single-precision underflow), drawn from a second
generator so that the other tests' data stay as they were.

Run with Debian's python3-scipy (1.10) and python3-numpy:
    /usr/bin/python3 tests/stats/make_stats_golden.py
"""
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601


def rounded(values, decimals=4):
    """Short decimals keep the file small; the figures are computed on exactly these values."""
    return [float(v) for v in np.round(np.asarray(values, dtype=float), decimals)]


def make_samples(rng):
    """Single samples: normal, skewed and tied, n = 3..8 and up to the hundreds."""
    samples = []
    for n in [3, 4, 5, 6, 7, 8, 9, 11, 12, 15, 20, 35, 50, 120, 300, 600]:
        samples.append(rounded(rng.normal(100.0, 15.0, n)))
    for n in [3, 5, 8, 12, 25, 80, 400]:
        samples.append(rounded(rng.exponential(2.0, n)))
    for n in [3, 6, 10, 30, 200]:
        samples.append(rounded(rng.integers(0, 6, n)))  # heavy ties
    samples.append([1.0, 2.0, 2.0])
    samples.append([5.0, 5.0, 5.0, 7.0])
    return samples


def make_group_sets(rng):
    """Several groups: k = 2..5, sizes from 2 to a few hundred, shifted or not, tied or not."""
    sets = []
    specs = [
        ([3, 4], 0.0, False), ([3, 3, 3], 0.5, False), ([4, 5, 6], 1.0, False),
        ([5, 8, 7, 6], 0.3, False), ([8, 8, 8, 8, 8], 0.8, False), ([2, 3, 4], 0.0, False),
        ([6, 7], 2.0, False), ([20, 25, 30], 0.4, False), ([40, 35, 50, 45], 0.2, False),
        ([120, 150, 100], 0.25, False), ([300, 250], 0.1, False),
        ([5, 6, 7], 0.0, True), ([10, 12, 9, 11], 0.5, True), ([30, 40], 0.3, True),
        ([60, 70, 80], 0.2, True), ([4, 4, 4, 4], 1.0, True),
    ]
    for sizes, shift, tied in specs:
        groups = []
        for index, n in enumerate(sizes):
            if tied:
                groups.append(rounded(rng.integers(0, 5, n) + (index * shift > 0.5) * 1))
            else:
                scale = 1.0 + 0.3 * index
                groups.append(rounded(rng.normal(10.0 + shift * index, scale, n)))
        sets.append(groups)
    sets.append([[1.0, 2.0, 3.0], [3.0, 4.0, 5.0], [5.0, 6.0, 7.0]])
    return sets


def make_pairs(rng):
    """Two samples for Mann-Whitney: exact-distribution sizes, ties, and large samples."""
    pairs = []
    for n1, n2, shift in [(3, 4, 0.0), (4, 4, 1.0), (5, 7, 0.8), (7, 7, 0.2), (8, 8, 1.5), (8, 20, 0.5),
                          (5, 30, 0.4), (20, 6, -0.7), (2, 9, 1.0), (1, 5, 0.0), (9, 9, 1.0), (10, 12, 0.3),
                          (40, 35, 0.5), (150, 120, 0.2), (300, 280, 0.0)]:
        pairs.append([rounded(rng.normal(0.0, 1.0, n1)), rounded(rng.normal(shift, 1.0, n2))])
    for n1, n2 in [(4, 6), (7, 7), (15, 20), (100, 90)]:
        pairs.append([rounded(rng.integers(0, 6, n1)), rounded(rng.integers(1, 7, n2))])
    pairs.append([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    return pairs


def make_correlated(rng):
    """Paired samples for Spearman: independent, correlated, tied, and perfectly monotone."""
    pairs = []
    for n, strength in [(3, 0.0), (4, 1.0), (5, 0.5), (8, 0.0), (10, 0.9), (30, 0.3), (60, -0.5), (250, 0.1)]:
        x = rng.normal(0.0, 1.0, n)
        y = strength * x + rng.normal(0.0, 1.0, n)
        pairs.append([rounded(x), rounded(y)])
    for n in [7, 25, 150]:
        x = rng.integers(0, 5, n)
        y = x + rng.integers(0, 4, n)
        pairs.append([rounded(x), rounded(y)])
    pairs.append([[1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 4.0, 6.0, 8.0, 10.0]])
    pairs.append([[1.0, 2.0, 3.0, 4.0, 5.0], [5.0, 3.0, 4.0, 1.0, 2.0]])
    return pairs


def make_shapiro_samples(rng):
    """Shapiro-Wilk only: n = 3..11 (the p branch in log(gamma - log(1 - W))), 12 and up (log(1 - W)),
    up to the 5000 the test allows; normal, skewed, heavy-tailed and tied; p from near 1 down to
    below single precision's smallest number (where SciPy reports 0)."""
    samples = []
    for n in range(3, 12):
        samples.append(rounded(rng.normal(50.0, 10.0, n)))
        samples.append(rounded(rng.lognormal(0.0, 1.0, n)))
    for n in [3, 4, 5, 7, 9, 11]:
        samples.append(rounded(rng.integers(0, 3, n)))  # ties, few distinct values
    samples.append([0.0, 0.0, 0.0, 1.0])
    samples.append([1.0, 1.0, 2.0, 2.0, 2.0, 9.0])
    for n in [12, 13, 16, 25, 64, 150, 1000]:
        samples.append(rounded(rng.standard_t(3, n)))  # heavy tails
    for n, spread in [(100, 1.0), (100, 2.0), (200, 3.0), (400, 2.5), (500, 3.0), (800, 3.0)]:
        samples.append(rounded(rng.lognormal(0.0, spread, n)))  # p from 1e-14 down past the float subnormals
    samples.append(rounded(rng.exponential(2.0, 2000)))  # p underflows to 0
    samples.append(rounded(rng.integers(0, 4, 1000)))
    samples.append(rounded(rng.integers(0, 30, 2000)))
    samples.append(rounded(1e9 + rng.normal(0.0, 5.0, 300)))  # offset far above the spread
    samples.append(rounded(rng.normal(0.0, 1.0, 2000), 3))
    samples.append(rounded(rng.normal(0.0, 1.0, 4999), 3))
    samples.append(rounded(rng.normal(0.0, 1.0, 5000), 3))
    return samples


def shapiro(sample):
    result = stats.shapiro(sample)
    return {"w": float(result.statistic), "p": float(result.pvalue)}


def describe(sample):
    x = np.asarray(sample)
    q1, median, q3 = np.percentile(x, [25, 50, 75])  # NumPy's default, method='linear'
    return {"n": len(x), "mean": float(np.mean(x)), "sd": float(np.std(x, ddof=1)) if len(x) > 1 else None,
            "median": float(median), "q1": float(q1), "q3": float(q3), "iqr": float(q3 - q1),
            "min": float(np.min(x)), "max": float(np.max(x))}


def dunn_formula(groups):
    """Dunn (1964): z_ij = (mean rank_i - mean rank_j) / sigma_ij with the tie-corrected
    variance; two-sided normal p; Bonferroni and Holm adjustments over all k(k-1)/2 pairs."""
    values = np.concatenate([np.asarray(g, dtype=float) for g in groups])
    ranks = stats.rankdata(values)
    total = len(values)
    _, tie_counts = np.unique(values, return_counts=True)
    tie_sum = float(np.sum(tie_counts.astype(float)**3 - tie_counts))
    bounds = np.cumsum([0] + [len(g) for g in groups])
    mean_ranks = [float(np.mean(ranks[bounds[g]:bounds[g + 1]])) for g in range(len(groups))]
    pairs = []
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            variance = (total * (total + 1) / 12.0 - tie_sum / (12.0 * (total - 1))) * (1.0 / len(groups[i]) + 1.0 / len(groups[j]))
            z = (mean_ranks[i] - mean_ranks[j]) / math.sqrt(variance)
            pairs.append({"i": i, "j": j, "z": z, "p": float(2.0 * stats.norm.sf(abs(z)))})
    count = len(pairs)
    for pair in pairs:
        pair["p_bonferroni"] = min(1.0, pair["p"] * count)
    order = sorted(range(count), key=lambda index: pairs[index]["p"])
    running = 0.0
    for step, index in enumerate(order):
        running = max(running, min(1.0, (count - step) * pairs[index]["p"]))
        pairs[index]["p_holm"] = running
    return {"mean_ranks": mean_ranks, "pairs": pairs}


def main():
    rng = np.random.default_rng(SEED)
    samples = make_samples(rng)
    group_sets = make_group_sets(rng)
    pairs = make_pairs(rng)
    correlated = make_correlated(rng)

    golden = {"generator": "tests/stats/make_stats_golden.py", "scipy": scipy.__version__, "numpy": np.__version__,
              "seed": SEED, "samples": [], "shapiro_samples": [], "group_sets": [], "two_samples": [],
              "paired": []}
    for sample in samples:
        entry = {"data": sample, "descriptive": describe(sample),
                 "ranks": [float(r) for r in stats.rankdata(sample)]}
        if len(set(sample)) > 1:
            entry["shapiro"] = shapiro(sample)
        golden["samples"].append(entry)
    for sample in make_shapiro_samples(np.random.default_rng(SEED + 1)):
        golden["shapiro_samples"].append({"data": sample, "shapiro": shapiro(sample)})
    for groups in group_sets:
        levene = stats.levene(*groups, center="median")
        kruskal = stats.kruskal(*groups)
        total, k = sum(len(g) for g in groups), len(groups)
        golden["group_sets"].append({
            "groups": groups,
            "levene": {"w": float(levene.statistic), "p": float(levene.pvalue)},
            "kruskal": {"h": float(kruskal.statistic), "p": float(kruskal.pvalue),
                        "eta_squared": float((kruskal.statistic - k + 1) / (total - k))},
            "dunn": dunn_formula(groups)})
    for x, y in pairs:
        result = stats.mannwhitneyu(x, y, alternative="two-sided")
        greater = sum(1 for a in x for b in y if a > b)
        less = sum(1 for a in x for b in y if a < b)
        golden["two_samples"].append({"x": x, "y": y, "u": float(result.statistic), "p": float(result.pvalue),
                                      "cliffs_delta": (greater - less) / (len(x) * len(y))})
    for x, y in correlated:
        result = stats.spearmanr(x, y)
        golden["paired"].append({"x": x, "y": y, "rho": float(result.correlation), "p": float(result.pvalue)})

    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "stats_golden.json")
    with open(out, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
