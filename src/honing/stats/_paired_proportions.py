"""The difference between two paired proportions, with Newcombe's square-and-add interval.

Two runs answer the same scenarios, so each scenario gives a pair of outcomes and the four
cells of the paired 2×2 table:

                     second: success   second: failure
    first: success         n11               n12
    first: failure         n21               n22

The difference is p1 − p2 = (n11 + n12)/N − (n11 + n21)/N = (n12 − n21)/N: first minus
second. Only the discordant cells move it, but its uncertainty also depends on how many
pairs agree, which is why a percentile bootstrap collapses to [0, 0] when no pair is
discordant while this interval does not: with every scenario passing in both runs at N = 3
it is ±56 pp, because 3 of 3 is compatible with a true rate as low as 44%.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from honing.stats._estimate import Estimate, Undefined
from honing.stats._inputs import check_conf, check_count, critical_value
from honing.stats._proportions import wilson_bounds

METHOD = "newcombe (paired square-and-add)"
_NORMAL = NormalDist()


def paired_difference(n11: int, n12: int, n21: int, n22: int, conf: float = 0.95) -> Estimate:
    """p1 − p2 = (n12 − n21)/N for a paired 2×2 table, with Newcombe's hybrid score
    (square-and-add) interval for paired proportions: R. G. Newcombe, "Improved confidence
    intervals for the difference between binomial proportions based on paired data",
    Statistics in Medicine 17:2635-2650, 1998, method 10; as given in M. W. Fagerland,
    S. Lydersen, P. Laake, Statistical Analysis of Contingency Tables, 2017, ch. 8.

    With (l1, u1) and (l2, u2) the Wilson intervals of p1 and p2 and ψ the correlation term,

        L = Δ − sqrt((p1 − l1)² − 2ψ(p1 − l1)(u2 − p2) + (u2 − p2)²)
        U = Δ + sqrt((p2 − l2)² − 2ψ(p2 − l2)(u1 − p1) + (u1 − p1)²)

    where ψ = A / sqrt(n1+ · n2+ · n+1 · n+2) with A = n11·n22 − n12·n21 reduced by N/2 when
    it exceeds N/2 and set to 0 when it lies in [0, N/2] (ψ = 0 when a margin is empty).
    Cavo et al.'s table [[59, 6], [16, 80]] gives −0.0621 (−0.1186 to −0.0046).

    Sign: positive when the first measurement succeeds more often. For "candidate − baseline"
    put the candidate first: n12 = candidate passes and baseline fails (fixed), n21 =
    baseline passes and candidate fails (regressed).

    N = 0 gives an Undefined estimate. Raises InvalidInput unless the cells are whole
    numbers ≥ 0 and 0 < conf < 1."""
    cells = [check_count(c, name) for c, name in ((n11, "n11"), (n12, "n12"), (n21, "n21"), (n22, "n22"))]
    conf = check_conf(conf)
    n = sum(cells)
    if n == 0:
        undefined = Undefined("no pairs")
        return Estimate(undefined, undefined, undefined, 0, conf, METHOD)
    value, low, high = newcombe_bounds(*(np.array([c], dtype=float) for c in cells), critical_value(conf))
    return Estimate(float(value[0]), float(low[0]), float(high[0]), n, conf, METHOD)


def paired_difference_p(n11: int, n12: int, n21: int, n22: int) -> float:
    """The two-sided p-value dual to `paired_difference`: the smallest 1 − conf at which
    its interval excludes 0 (1.0 when the difference is 0, NaN-with-reason for no pairs).

    A test read off the interval itself, so a verdict drawn from the p-value and one drawn
    from the printed interval can never disagree."""
    cells = [check_count(c, name) for c, name in ((n11, "n11"), (n12, "n12"), (n21, "n21"), (n22, "n22"))]
    if sum(cells) == 0:
        return Undefined("no pairs")
    if cells[1] == cells[2]:
        return 1.0
    arrays = [np.array([c], dtype=float) for c in cells]

    def excludes_zero(z: float) -> bool:
        _, low, high = newcombe_bounds(*arrays, z)
        return bool(low[0] > 0 or high[0] < 0)

    # The interval widens as z grows: bisect for the z at which it first touches 0.
    low_z, high_z = 0.0, 1.0
    while excludes_zero(high_z):
        low_z, high_z = high_z, 2 * high_z
        if high_z > 64:  # beyond any double-precision tail probability
            return 0.0
    for _ in range(60):
        middle = (low_z + high_z) / 2
        if excludes_zero(middle):
            low_z = middle
        else:
            high_z = middle
    return min(1.0, 2 * (1 - _NORMAL.cdf(high_z)))


def newcombe_bounds(n11: np.ndarray, n12: np.ndarray, n21: np.ndarray, n22: np.ndarray,
                    z: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference, lower and upper bound for arrays of tables at once (all N > 0), with the
    normal quantile z; the vectorized core behind `paired_difference` and its coverage test."""
    n = n11 + n12 + n21 + n22
    p1, p2 = (n11 + n12) / n, (n11 + n21) / n
    l1, u1 = wilson_bounds(p1, n, z)
    l2, u2 = wilson_bounds(p2, n, z)
    a = n11 * n22 - n12 * n21
    a = np.where(a > n / 2, a - n / 2, np.where(a >= 0, 0.0, a))
    margins = (n11 + n12) * (n21 + n22) * (n11 + n21) * (n12 + n22)
    psi = np.divide(a, np.sqrt(margins), out=np.zeros_like(a, dtype=float), where=margins > 0)
    difference = p1 - p2
    below = (p1 - l1) ** 2 - 2 * psi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    above = (p2 - l2) ** 2 - 2 * psi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2
    low = np.maximum(-1.0, difference - np.sqrt(np.maximum(below, 0.0)))
    high = np.minimum(1.0, difference + np.sqrt(np.maximum(above, 0.0)))
    return difference, low, high
