"""Cohen's kappa between two sides with a bootstrap interval that resamples items.

A unit is one answer both sides gave (an item, or one response of it); the units of one
item are not independent, so the item is what is resampled: every resample keeps all of
an item's units together. Each item's confusion counts are computed once, and a
resample's confusion matrix is its item multiplicities times those counts, so 1,000
resamples of several questions cost one matrix product each.

`mean_kappa_by_item` averages the kappas of several tables (one per question) over the
same resampled items, so a summary over questions carries one interval. A table whose
kappa is undefined on the full data (every answer the same) is left out of the mean and
says so; in a resample, tables that happen to be undefined are left out of that
resample's mean.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._bootstrap import (
    _check,
    _index_blocks,
    _multiplicities,
    _no_interval,
    _percentile,
)
from honing.quality.agreement._kappa import CHANCE_IS_ONE, NO_PAIRS, kappa_weights
from honing.stats._estimate import Estimate, Undefined

Unit = tuple[Hashable, Any, Any]  # (item, one side's answer, the other side's answer)


@dataclass(frozen=True)
class KappaTable:
    """One question's paired answers: units (item, a, b), the categories in scale order
    (weights are distances between positions in it), and None, 'linear' or 'quadratic'."""

    units: Sequence[Unit]
    labels: Sequence[Any]
    weights: str | None = None


def kappa_of_confusions(confusions: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Kappa of each q x q confusion matrix in `confusions` (..., q, q); NaN where it is
    undefined (no units, or chance agreement 1)."""
    total = confusions.sum(axis=(-2, -1))
    rows, cols = confusions.sum(axis=-1), confusions.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.einsum("...i,ij,...j->...", rows, w, cols) / total
        observed = np.einsum("...ij,ij->...", confusions, w)
        kappa = 1 - observed / expected
    return np.where((total > 0) & (expected > 0), kappa, np.nan)


def kappa_by_item(table: KappaTable, *, n_resamples: int = 1000, conf: float = 0.95,
                  seed: int = 0) -> Estimate:
    """Cohen's kappa of one table, its percentile interval from resampling items; n is the
    number of items."""
    return mean_kappa_by_item([table], n_resamples=n_resamples, conf=conf, seed=seed)


def mean_kappa_by_item(tables: Sequence[KappaTable], *, n_resamples: int = 1000,
                       conf: float = 0.95, seed: int = 0) -> Estimate:
    """The mean of the tables' kappas, with a percentile interval from resampling the
    items of all tables together; n is the number of distinct items."""
    _check(n_resamples, conf)
    items: dict[Hashable, int] = {}
    for table in tables:
        for item, _, _ in table.units:
            items.setdefault(item, len(items))
    n = len(items)
    if n == 0:
        return _no_interval(Undefined(NO_PAIRS), 0, conf, NO_PAIRS)
    per_item = [_item_confusions(table, items) for table in tables]
    weights = [kappa_weights(len(table.labels), table.weights) for table in tables]
    full = np.array([float(kappa_of_confusions(c.sum(axis=0), w)) for c, w in zip(per_item, weights)])
    defined = ~np.isnan(full)
    if not defined.any():
        reason = CHANCE_IS_ONE if len(tables) == 1 else f"kappa is undefined on every question ({CHANCE_IS_ONE})"
        return _no_interval(Undefined(reason), n, conf, reason)
    value = float(full[defined].mean())
    if n_resamples == 0:
        return _no_interval(value, n, conf, "no bootstrap resamples were asked for")
    kept = [(c.reshape(n, -1), w, c.shape[1]) for c, w, d in zip(per_item, weights, defined) if d]
    draws = []
    for block in _index_blocks(seed, n, n_resamples):
        times = _multiplicities(block, n)
        kappas = np.stack([kappa_of_confusions((times @ flat).reshape(-1, q, q), w) for flat, w, q in kept])
        with warnings.catch_warnings():
            # An all-NaN column is a resample where no question is defined: NaN, dropped
            # by the percentile step, not a warning.
            warnings.simplefilter("ignore", RuntimeWarning)
            draws.append(np.nanmean(kappas, axis=0))
    return _percentile(value, np.concatenate(draws), n, conf)


def _item_confusions(table: KappaTable, items: dict[Hashable, int]) -> np.ndarray:
    """items x q x q counts of (a, b) answer pairs per item (one bincount, no per-unit
    array writes: a table of 100,000 units takes milliseconds)."""
    position = {label: i for i, label in enumerate(table.labels)}
    q = len(position)
    cells = np.empty(len(table.units), dtype=np.int64)
    for index, (item, a, b) in enumerate(table.units):
        for side, value in (("a", a), ("b", b)):
            if value not in position:
                raise InvalidInput(f"unit {index} (item {item!r}): answer {side} = {value!r} is not one "
                                   f"of the categories {list(table.labels)!r}")
        cells[index] = (items[item] * q + position[a]) * q + position[b]
    return np.bincount(cells, minlength=len(items) * q * q).reshape(len(items), q, q).astype(float)
