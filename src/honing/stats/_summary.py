"""Median and quantiles of a sample, for summaries like median active time or p95 latency."""

from __future__ import annotations

import math
import numbers

import numpy as np

from honing._errors import InvalidInput
from honing.stats._estimate import Undefined
from honing.stats._inputs import Values, present


def median(values: Values) -> float:
    """Middle value, or the mean of the two middle values for an even count. Missing
    values (None/NaN) are dropped; nothing left gives Undefined("no values")."""
    data = np.sort(present(values))
    n = data.size
    if n == 0:
        return Undefined("no values")
    middle = n // 2
    if n % 2:
        return float(data[middle])
    return float((data[middle - 1] + data[middle]) / 2)


def quantile(values: Values, q: float) -> float:
    """The q-quantile by linear interpolation between order statistics: with the values
    sorted as v[0..n−1] and h = (n − 1)·q, v[⌊h⌋] + (h − ⌊h⌋)·(v[⌊h⌋+1] − v[⌊h⌋]). This is
    definition 7 of R. J. Hyndman, Y. Fan, "Sample quantiles in statistical packages", Am.
    Stat. 50:361-365, 1996, and numpy's default. Missing values (None/NaN) are dropped;
    nothing left gives Undefined("no values"). Raises InvalidInput unless 0 <= q <= 1."""
    if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 <= q <= 1:
        raise InvalidInput(f"q must be a quantile level between 0 and 1 (0.95 for p95); "
                           f"got {q!r}")
    data = np.sort(present(values))
    n = data.size
    if n == 0:
        return Undefined("no values")
    h = (n - 1) * float(q)
    below = math.floor(h)
    above = min(below + 1, n - 1)
    fraction = h - below
    a, b = float(data[below]), float(data[above])
    # Interpolate from the nearer end, as numpy does, so q = 1 gives exactly the maximum and
    # the result never leaves [a, b] by rounding.
    if fraction < 0.5:
        return a + (b - a) * fraction
    return b - (b - a) * (1 - fraction)
