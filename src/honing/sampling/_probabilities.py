"""First-order inclusion probabilities and draws that honour them exactly. Pure functions
over NumPy arrays: the designs compute weights or allocations, these turn them into a
sample whose every unit's inclusion probability is known (what weighted estimates divide by)."""

from __future__ import annotations

import numpy as np


def pps_probabilities(weights: np.ndarray, n: int) -> np.ndarray:
    """pi_i = min(1, m * w_i / sum of the uncapped weights), iterated: a unit whose share
    would pass 1 is taken for certain and the rest of the size is spread over the others.
    The result sums to n. Every weight must be > 0, so every unit keeps pi > 0."""
    w = np.asarray(weights, dtype=float)
    if n > len(w):
        raise ValueError(f"size {n} is larger than the frame ({len(w)})")
    if np.any(~np.isfinite(w)) or np.any(w <= 0):
        raise ValueError("every weight must be a positive number")
    pi = np.zeros(len(w))
    if n == 0:
        return pi
    certain = np.zeros(len(w), dtype=bool)
    while True:
        left = n - int(certain.sum())
        rest = ~certain
        share = left * w[rest] / w[rest].sum()
        over = share >= 1
        if not over.any():
            pi[rest] = share
            pi[certain] = 1.0
            return pi
        certain[np.flatnonzero(rest)[over]] = True


def systematic_draw(pi: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Indices drawn with exactly probability pi_i each, and exactly sum(pi) of them
    (sum(pi) must be a whole number): systematic sampling over a random order of the units.
    Whatever the order, a unit is drawn when one of the points u, u+1, u+2, ... falls in
    its interval of length pi_i, which happens with probability pi_i; the random order
    keeps joint inclusion probabilities positive for almost every pair."""
    pi = np.asarray(pi, dtype=float)
    total = float(pi.sum())
    n = round(total)
    if abs(total - n) > 1e-6:
        raise ValueError(f"inclusion probabilities sum to {total}, not a whole number")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = rng.permutation(len(pi))
    ends = np.cumsum(pi[order])
    ends[-1] = n  # no rounding drift past the last point
    points = rng.random() + np.arange(n)
    # Unit k covers (ends[k-1], ends[k]]: the first end at or past each point.
    hit = np.searchsorted(ends, points, side="left")
    return np.sort(order[hit])


def srs_draw(size: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """n of `size` units without replacement, every unit with probability n / size."""
    return np.sort(rng.choice(size, size=n, replace=False)) if n else np.zeros(0, dtype=np.int64)


def largest_remainder(shares: np.ndarray, n: int, caps: np.ndarray, floor: np.ndarray) -> np.ndarray:
    """Whole counts near n * shares / sum(shares), summing to n, each between its floor and
    its cap: the floors first, then the rest by shares, rounded by largest remainder, with
    a stratum that reaches its cap taking no more (its excess goes to the others)."""
    shares = np.asarray(shares, dtype=float)
    caps = np.asarray(caps, dtype=np.int64)
    counts = np.minimum(np.asarray(floor, dtype=np.int64), caps)
    if counts.sum() > n:
        raise ValueError(f"the strata's minimum counts ({int(counts.sum())}) exceed the size {n}")
    if caps.sum() < n:
        raise ValueError(f"the strata hold {int(caps.sum())} units, fewer than the size {n}")
    while counts.sum() < n:
        open_ = counts < caps
        left = n - int(counts.sum())
        weights = np.where(open_, shares, 0.0)
        if weights.sum() <= 0:  # only strata with no share have room left: fill them evenly
            weights = open_.astype(float)
        ideal = counts + left * weights / weights.sum()
        target = np.minimum(np.floor(ideal).astype(np.int64), caps)
        if target.sum() == counts.sum():  # every floor is below 1 more: hand out by remainder
            remainder = np.where(open_, ideal - np.floor(ideal), -1.0)
            for k in np.argsort(-remainder, kind="stable")[:left]:
                if counts[k] < caps[k] and remainder[k] >= 0:
                    counts[k] += 1
            continue
        counts = np.maximum(counts, target)
    return counts
