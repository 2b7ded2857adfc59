"""Ranks with ties, tie counts, and inversion counting: the building blocks of the rank
correlations, all vectorized with numpy."""

from __future__ import annotations

import numpy as np


def average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks where tied values share the mean of the ranks they span (the "average"
    method of scipy.stats.rankdata)."""
    n = values.size
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts_group = np.empty(n, dtype=bool)
    starts_group[:1] = True
    starts_group[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(starts_group)
    ends = np.append(starts[1:], n)  # exclusive
    # A group covering sorted positions start..end-1 holds ranks start+1..end.
    group_rank = (starts + 1 + ends) / 2
    ranks = np.empty(n, dtype=float)
    ranks[order] = group_rank[np.cumsum(starts_group) - 1]
    return ranks


def tied_pairs(sorted_keys: np.ndarray) -> int:
    """Number of pairs that share a value, given the values (rows, for a 2-D array) sorted so
    that equal ones are adjacent: Σ t(t−1)/2 over tie groups of size t."""
    n = sorted_keys.shape[0]
    if n < 2:
        return 0
    changes = sorted_keys[1:] != sorted_keys[:-1]
    if changes.ndim == 2:
        changes = changes.any(axis=1)
    boundaries = np.flatnonzero(np.concatenate(([True], changes, [True])))
    sizes = np.diff(boundaries).astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def count_inversions(ranks: np.ndarray) -> int:
    """Number of pairs i < j with ranks[i] > ranks[j] (equal ranks are not inversions).

    Bottom-up merge sort: at pass w, sorted runs of length w are merged pairwise, and each
    element of a right run is an inversion with every element of its left run that is
    larger. Each pass is a handful of numpy operations over the whole array, and there are
    ⌈log2 n⌉ passes."""
    a = np.asarray(ranks, dtype=np.int64)
    n = a.size
    if n < 2:
        return 0
    a = a - a.min()
    span = int(a.max()) + 1
    position = np.arange(n)
    inversions = 0
    width = 1
    while width < n:
        block = position // (2 * width)
        in_right = position % (2 * width) >= width
        # Block-major keys: one global sorted order in which every run stays sorted, so a
        # single searchsorted answers the question for all blocks at once.
        key = block * span + a
        left, right = key[~in_right], key[in_right]
        # For each right element: how many left keys (this block's and all earlier, full
        # blocks') are <= it. The left run of its block ends at (block + 1) * width.
        at_or_below = np.searchsorted(left, right, side="right")
        inversions += int(((block[in_right] + 1) * width - at_or_below).sum())
        # Merge: an element's merged place is its place in its own run plus the number of
        # elements of the other run ahead of it (equal keys: left run first, i.e. stable).
        merged = np.empty_like(key)
        merged[np.arange(left.size) + np.searchsorted(right, left, side="left")] = left
        merged[np.arange(right.size) + at_or_below] = right
        a = merged - block * span  # merged places keep their block
        width *= 2
    return inversions
