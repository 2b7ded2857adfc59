"""Rank correlations: Spearman's rho and Kendall's tau-b, with ties, and as Estimates with
a Fisher-z interval."""

from __future__ import annotations

import math

import numpy as np

from honing.stats._estimate import Estimate, Undefined
from honing.stats._fisher_z import correlation_interval
from honing.stats._inputs import Values, check_conf, paired
from honing.stats._ranks import average_ranks, count_inversions, tied_pairs


def _undefined_reason(xs: np.ndarray, ys: np.ndarray) -> str | None:
    """Why no correlation can be computed from these pairs, or None when one can."""
    if xs.size < 2:
        return f"fewer than 2 complete pairs ({xs.size})"
    if np.all(xs == xs[0]):
        return "x is constant: no ordering to correlate"
    if np.all(ys == ys[0]):
        return "y is constant: no ordering to correlate"
    return None


def _spearman(xs: np.ndarray, ys: np.ndarray) -> float:
    reason = _undefined_reason(xs, ys)
    if reason:
        return Undefined(reason)
    # Pearson correlation of the average ranks (C. Spearman, Am. J. Psychol. 15:72-101,
    # 1904; ties by mid-ranks as in M. G. Kendall, Rank Correlation Methods, ch. 3). The mean
    # rank is exactly (n + 1) / 2 whatever the ties, so it is not recomputed.
    centre = (xs.size + 1) / 2
    rx, ry = average_ranks(xs) - centre, average_ranks(ys) - centre
    rho = float(np.dot(rx, ry)) / math.sqrt(float(np.dot(rx, rx)) * float(np.dot(ry, ry)))
    return min(1.0, max(-1.0, rho))


def _kendall(xs: np.ndarray, ys: np.ndarray) -> float:
    reason = _undefined_reason(xs, ys)
    if reason:
        return Undefined(reason)
    # Knight's algorithm (W. R. Knight, JASA 61:436-439, 1966): sort by (x, y); then the
    # discordant pairs are exactly the inversions of y, counted by merge sort in O(n log n).
    order = np.lexsort((ys, xs))
    xs, ys = xs[order], ys[order]
    n = xs.size
    total = n * (n - 1) // 2
    x_ties = tied_pairs(xs)
    y_ties = tied_pairs(np.sort(ys))
    joint_ties = tied_pairs(np.column_stack((xs, ys)))
    y_ranks = np.unique(ys, return_inverse=True)[1]
    discordant = count_inversions(y_ranks)
    # tau-b = (C − D) / sqrt((N − Tx)(N − Ty)) with C + D = N − Tx − Ty + Txy
    # (M. G. Kendall, Biometrika 33:239-251, 1945). Integer arithmetic until the division.
    concordant_minus_discordant = total - x_ties - y_ties + joint_ties - 2 * discordant
    tau = concordant_minus_discordant / math.sqrt(total - x_ties) / math.sqrt(total - y_ties)
    return min(1.0, max(-1.0, tau))


def spearman_rho(x: Values, y: Values) -> float:
    """Spearman's rank correlation: Pearson's r on average ranks (ties share mid-ranks).

    Pairs with a missing (None/NaN) side are dropped. Fewer than 2 pairs, or a side with a
    single value, give Undefined with the reason."""
    return _spearman(*paired(x, y))


def kendall_tau_b(x: Values, y: Values) -> float:
    """Kendall's tau-b, corrected for ties in either variable, in O(n log n).

    Pairs with a missing (None/NaN) side are dropped. Fewer than 2 pairs, or a side with a
    single value, give Undefined with the reason."""
    return _kendall(*paired(x, y))


def _estimate(value: float, n: int, conf: float, method: str, label: str) -> Estimate:
    low, high = correlation_interval(value, n, conf, method=method)
    return Estimate(value, low, high, n, conf, label)


def spearman(x: Values, y: Values, conf: float = 0.95) -> Estimate:
    """Spearman's rho with a Fisher-z interval (Bonett–Wright standard error) and its n, the
    number of complete pairs."""
    conf = check_conf(conf)
    xs, ys = paired(x, y)
    return _estimate(_spearman(xs, ys), xs.size, conf, "spearman",
                     "spearman (Fisher z, Bonett-Wright SE)")


def kendall(x: Values, y: Values, conf: float = 0.95) -> Estimate:
    """Kendall's tau-b with a Fisher-z interval (Fieller–Hartley–Pearson standard error) and
    its n, the number of complete pairs."""
    conf = check_conf(conf)
    xs, ys = paired(x, y)
    return _estimate(_kendall(xs, ys), xs.size, conf, "kendall",
                     "kendall tau-b (Fisher z, Fieller SE)")
