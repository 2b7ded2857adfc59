"""Percentile bootstrap of a paired statistic: pairs are resampled jointly, so whatever
correlation links x[i] and y[i] is kept in every resample."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from honing._errors import InvalidInput
from honing.stats._estimate import Estimate, Undefined
from honing.stats._inputs import Values, check_conf, check_count, paired

METHOD = "paired bootstrap (percentile)"
# Index matrices are drawn in row blocks of at most this many cells (8 bytes each), so
# 2,000 resamples of 100,000 pairs need ~32 MB at a time rather than 1.6 GB.
_CELLS_PER_BLOCK = 1 << 22

Statistic = Callable[[np.ndarray, np.ndarray], float]


def _index_blocks(rng: np.random.Generator, n: int, n_resamples: int) -> Iterator[np.ndarray]:
    """Resampled pair indices, n_resamples × n in all, in row blocks. The block size depends
    only on n, so a seed always gives the same indices whichever statistic consumes them."""
    rows = max(1, _CELLS_PER_BLOCK // n)
    for start in range(0, n_resamples, rows):
        yield rng.integers(0, n, size=(min(rows, n_resamples - start), n))


def paired_bootstrap(x: Values, y: Values, statistic: Statistic | None = None, *,
                     n_resamples: int = 2000, conf: float = 0.95,
                     seed: int | None = 0) -> Estimate:
    """Percentile bootstrap interval (B. Efron, R. Tibshirani, An Introduction to the
    Bootstrap, 1993, ch. 13) for a statistic of paired samples.

    The statistic defaults to mean(y) − mean(x), computed for all resamples at once;
    a custom `statistic(x_array, y_array) -> float` is called once per resample. Pairs with
    a missing (None/NaN) side are dropped; n in the result is the number of pairs used.
    `seed` makes the result reproducible (None draws fresh entropy).

    Undefined (with reason) when fewer than 2 pairs remain; the interval alone is Undefined
    when the statistic is NaN in some resample, and, for the default statistic, when every
    paired difference is the same: every resample then repeats it, and a zero-width interval
    would claim a certainty the data cannot support. Raises InvalidInput for unequal lengths,
    non-numbers, n_resamples < 1 or conf outside (0, 1)."""
    conf = check_conf(conf)
    n_resamples = check_count(n_resamples, "n_resamples")
    if n_resamples < 1:
        raise InvalidInput("n_resamples must be at least 1")
    if statistic is not None and not callable(statistic):
        raise InvalidInput("statistic must be a function of (x_array, y_array)")
    xs, ys = paired(x, y)
    n = xs.size
    if n < 2:
        undefined = Undefined(f"fewer than 2 complete pairs ({n}) to resample")
        return Estimate(undefined, undefined, undefined, n, conf, METHOD)
    rng = np.random.default_rng(seed)
    blocks = _index_blocks(rng, n, n_resamples)
    if statistic is None:
        differences = ys - xs
        value = float(ys.mean() - xs.mean())
        # Equal up to rounding: 0.1 − 0.0 and 0.6 − 0.5 differ in the last bit.
        if np.allclose(differences, differences[0], rtol=1e-12, atol=1e-12):
            undefined = Undefined(f"all {n} paired differences are equal: resampling cannot bound their mean")
            return Estimate(value, undefined, undefined, n, conf, METHOD)
        # mean(y[i]) − mean(x[i]) = mean((y − x)[i]) for every resample, all at once.
        replicates = np.concatenate([differences[index].mean(axis=1) for index in blocks])
    else:
        observed = statistic(xs, ys)
        # Keep an Undefined's own reason; a bare NaN gets a generic one.
        value = observed if isinstance(observed, Undefined) else float(observed)
        if math.isnan(value) and not isinstance(value, Undefined):
            value = Undefined("the statistic is undefined (NaN) on the observed pairs")
        replicates = np.array([float(statistic(xs[row], ys[row]))
                               for index in blocks for row in index])
    missing = int(np.count_nonzero(np.isnan(replicates)))
    if missing:
        undefined = Undefined(f"the statistic is undefined in {missing} of {n_resamples} "
                              "resamples")
        return Estimate(value, undefined, undefined, n, conf, METHOD)
    tail = (1 - conf) / 2
    low, high = np.quantile(replicates, [tail, 1 - tail])
    return Estimate(value, float(low), float(high), n, conf, METHOD)
