"""Percentile bootstrap intervals for agreement coefficients, resampling items.

Items (rows) are the sampling unit: raters' judgements of one item are dependent, items
are (ideally) a random sample, so rows are drawn with replacement (Efron & Tibshirani
1993, "An Introduction to the Bootstrap", ch. 13, percentile interval; Krippendorff 2004
also bootstraps alpha over units). Resamples where the statistic is undefined are dropped;
when more than half are, no interval is claimed.

`alpha_interval` is the fast path for Krippendorff's alpha: the matrix is encoded once,
each item's coincidence contribution is computed once, and a resample's coincidence
matrix is the resample's item multiplicities times those contributions (one matrix
product for a block of resamples) instead of a re-run over the data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._coincidence import (
    DENSE_MAX_CATEGORIES,
    dense_pairs,
    per_item_contributions,
)
from honing.quality.agreement._krippendorff import (
    alpha_batch,
    alpha_of_encoded,
    encoded_for_level,
)
from honing.quality.agreement._matrix import Encoded, rated_per_row, value_counts
from honing.stats._estimate import Estimate, Undefined

METHOD = "bootstrap (items, percentile)"
# Cells of resample-index (and item-contribution) blocks held in memory at once.
_BLOCK_CELLS = 4_000_000


def bootstrap_agreement(statistic: Callable[[Any], float], matrix: Any, *,
                        n_resamples: int = 1000, conf: float = 0.95, seed: int = 0) -> Estimate:
    """Percentile bootstrap interval of `statistic(matrix)`, resampling items (rows).

    `statistic` maps a matrix (same type as `matrix`: a list of rows or an array) to a
    float, e.g. `lambda m: krippendorff_alpha(m, "ordinal")`. value is the statistic on
    the full matrix; n counts the items with two or more ratings."""
    _check(n_resamples, conf)
    rows = matrix if isinstance(matrix, np.ndarray) else list(matrix)
    n = int((rated_per_row(rows) >= 2).sum()) if len(rows) else 0
    value = statistic(matrix)
    if math.isnan(value):
        return _no_interval(value, n, conf, "the statistic is undefined on the full data")
    if n_resamples == 0:
        return _no_interval(float(value), n, conf, "no bootstrap resamples were asked for")
    draws = []
    for block in _index_blocks(seed, len(rows), n_resamples):
        for idx in block:
            sample = rows[idx] if isinstance(rows, np.ndarray) else [rows[i] for i in idx]
            draws.append(statistic(sample))
    return _percentile(float(value), np.asarray(draws, dtype=float), n, conf)


def alpha_interval(matrix: Any, level: str, *, values: Sequence[Any] | None = None,
                   n_resamples: int = 1000, conf: float = 0.95, seed: int = 0) -> Estimate:
    """Krippendorff's alpha with a percentile bootstrap interval over items.

    Same draws (same seed) and so the same result as
    `bootstrap_agreement(lambda m: krippendorff_alpha(m, level, values=values), matrix)`,
    computed from precomputed per-item coincidences."""
    _check(n_resamples, conf)
    enc = encoded_for_level(matrix, level, values)
    value = alpha_of_encoded(enc, level)
    n_rows = len(enc.codes)
    counts = value_counts(enc.codes, enc.q) if enc.q else np.zeros((n_rows, 0))
    pairable = counts.sum(axis=1) >= 2
    n = int(pairable.sum())
    if math.isnan(value):
        return _no_interval(value, n, conf, "alpha is undefined on the full data")
    if n_resamples == 0:
        return _no_interval(float(value), n, conf, "no bootstrap resamples were asked for")
    if enc.q > DENSE_MAX_CATEGORIES:
        draws = _alpha_draws_slow(enc, level, seed, n_resamples)
    else:
        draws = _alpha_draws(counts[pairable], np.flatnonzero(pairable), n_rows, enc.numbers,
                             level, seed, n_resamples)
    return _percentile(float(value), draws, n, conf)


def _alpha_draws(counts: np.ndarray, rows: np.ndarray, n_rows: int, numbers: np.ndarray | None,
                 level: str, seed: int, n_resamples: int) -> np.ndarray:
    """Alpha of every resample from per-item coincidence contributions."""
    q = counts.shape[1]
    c, k = dense_pairs(q)
    small = counts.size * q <= _BLOCK_CELLS
    contributions = per_item_contributions(counts) if small else None
    weight = 1.0 / (counts.sum(axis=1) - 1)
    draws = []
    for block in _index_blocks(seed, n_rows, n_resamples):
        times = _multiplicities(block, n_rows)[:, rows]  # resamples x pairable items
        if contributions is not None:
            o = times @ contributions
        else:  # too many items to hold every contribution: one product per resample
            o = np.stack([((counts * (t * weight)[:, None]).T @ counts).ravel()
                          for t in times])
            o[:, c == k] -= (times * weight) @ counts
        draws.append(alpha_batch(o, c, k, times @ counts, numbers, level))
    return np.concatenate(draws)


def _alpha_draws_slow(enc: Encoded, level: str, seed: int, n_resamples: int) -> np.ndarray:
    """Many distinct values: recompute alpha per resample on the encoded rows."""
    draws = [alpha_of_encoded(Encoded(enc.codes[idx], enc.categories, enc.numbers, enc.kind),
                              level)
             for block in _index_blocks(seed, len(enc.codes), n_resamples) for idx in block]
    return np.asarray(draws, dtype=float)


def _index_blocks(seed: int, n_rows: int, n_resamples: int) -> Iterator[np.ndarray]:
    """Resampled row indices, in blocks of resamples; both paths draw identically."""
    rng = np.random.default_rng(seed)
    per_block = max(1, _BLOCK_CELLS // max(n_rows, 1))
    for start in range(0, n_resamples, per_block):
        size = min(per_block, n_resamples - start)
        yield rng.integers(0, max(n_rows, 1), size=(size, n_rows))


def _multiplicities(block: np.ndarray, n_rows: int) -> np.ndarray:
    """How often each row was drawn in each resample (resamples x rows)."""
    r = len(block)
    keys = (np.arange(r)[:, None] * n_rows + block).ravel()
    return np.bincount(keys, minlength=r * n_rows).reshape(r, n_rows).astype(float)


def _percentile(value: float, draws: np.ndarray, n: int, conf: float) -> Estimate:
    finite = draws[~np.isnan(draws)]
    if len(finite) * 2 < len(draws):
        return _no_interval(value, n, conf, f"{len(draws) - len(finite)} of {len(draws)} "
                            "bootstrap resamples were undefined")
    low, high = np.quantile(finite, [(1 - conf) / 2, (1 + conf) / 2])
    return Estimate(value, float(low), float(high), n, conf, METHOD)


def _no_interval(value: float, n: int, conf: float, reason: str) -> Estimate:
    return Estimate(value, Undefined(reason), Undefined(reason), n, conf, METHOD)


def _check(n_resamples: int, conf: float) -> None:
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 0:
        raise InvalidInput(f"n_resamples must be a whole number >= 0 (0: no interval), not {n_resamples!r}")
    if not 0 < conf < 1:
        raise InvalidInput(f"conf must be between 0 and 1 (e.g. 0.95), not {conf!r}")
