"""A proportion whose answers come in clusters: a rater's gold answers, several per item.

Answers to the questions of one item are not independent (an item that is hard, or
mislabeled in the rater's head, is missed on every question), so the item, not the
answer, is the sampling unit. The interval is Wilson's on an effective sample size
(E. L. Korn, B. I. Graubard, "Confidence intervals for proportions with small expected
number of positive counts estimated from survey data", Survey Methodology 24, 1998):

    p̂ = K / M                                   (K right of M answers, over G items)
    v = G/(G-1) · Σ_g (k_g − p̂·m_g)² / M²         (cluster-robust variance of the ratio,
                                                  statsmodels' OLS cov_type='cluster')
    n_eff = p̂(1-p̂)/v · (t_{M-1} / t_{G-1})²       (design effect, and G-1 degrees of freedom)

with n_eff at most M (the design effect is never taken below 1; items that all have the
same share right give M). When v cannot say how
correlated the answers are (every answer right, every answer wrong, or a single item),
n_eff is G: each item counts as one observation, the most the data cannot refute.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

from honing._errors import InvalidInput
from honing.stats._estimate import Estimate, Undefined
from honing.stats._inputs import check_conf, critical_value
from honing.stats._proportions import wilson_bounds

METHOD = "wilson, effective n (clustered by item)"


@dataclass(frozen=True)
class ClusteredProportion:
    """The estimate (n = clusters) with what lies behind it: answers and effective n."""

    estimate: Estimate
    answers: int
    effective_n: float


def clustered_proportion(right: Sequence[int], answered: Sequence[int], conf: float = 0.95) -> Estimate:
    """Share of right answers over clusters, `right[g]` of `answered[g]` in cluster g,
    with a Wilson interval on the effective sample size (see the module docstring).
    n is the number of clusters with at least one answer; no answers at all is NaN with
    the reason. Raises InvalidInput for a count that is negative, not whole, or more
    right than answered."""
    return clustered_proportion_detail(right, answered, conf).estimate


def clustered_proportion_detail(right: Sequence[int], answered: Sequence[int],
                                conf: float = 0.95) -> ClusteredProportion:
    """`clustered_proportion` with the answer count and the effective n it used."""
    conf = check_conf(conf)
    pairs = _clusters(right, answered)
    total = sum(m for _, m in pairs)
    clusters = len(pairs)
    if clusters == 0:
        undefined = Undefined("no observations")
        return ClusteredProportion(Estimate(undefined, undefined, undefined, 0, conf, METHOD), 0, 0.0)
    k = sum(r for r, _ in pairs)
    share = k / total
    n_eff = effective_n(pairs, conf)
    low, high = wilson_bounds(share, n_eff, critical_value(conf))
    return ClusteredProportion(Estimate(share, float(low), float(high), clusters, conf, METHOD), total, n_eff)


def effective_n(pairs: Sequence[tuple[int, int]], conf: float = 0.95) -> float:
    """The effective sample size of (right, answered) clusters, each with answers."""
    clusters = len(pairs)
    total = sum(m for _, m in pairs)
    share = sum(r for r, _ in pairs) / total
    if clusters < 2 or share in (0.0, 1.0):
        return float(clusters)
    variance = cluster_variance(pairs)
    if variance == 0:  # every item has the same share: no sign of clustering at all
        return float(total)
    df_ratio = (t_quantile(conf, total - 1) / t_quantile(conf, clusters - 1)) ** 2
    return min(float(total), share * (1 - share) / variance * df_ratio)


def cluster_variance(pairs: Sequence[tuple[int, int]]) -> float:
    """Cluster-robust (CR1) variance of the ratio Σr / Σm over at least two clusters."""
    clusters = len(pairs)
    total = sum(m for _, m in pairs)
    share = sum(r for r, _ in pairs) / total
    residuals = sum((r - share * m) ** 2 for r, m in pairs)
    return clusters / (clusters - 1) * residuals / total ** 2


def t_quantile(conf: float, df: int) -> float:
    """Two-sided Student t critical value: P(|T| <= t) = conf with `df` degrees of freedom.

    Bisection on the closed-form CDF for whole df (Abramowitz & Stegun 26.7.3-4); beyond
    200 degrees of freedom, where that sum grows long, the Cornish-Fisher expansion
    (A&S 26.7.5), within 1e-8 there."""
    if df > 200:
        z = critical_value(conf)
        return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
                + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))
    low, high = 0.0, 1.0
    while _t_within(high, df) < conf:
        high *= 2
    for _ in range(100):
        middle = (low + high) / 2
        low, high = (middle, high) if _t_within(middle, df) < conf else (low, middle)
    return (low + high) / 2


def _t_within(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with whole `df` >= 1 (A&S 26.7.3 and 26.7.4)."""
    theta = math.atan(t / math.sqrt(df))
    s, c = math.sin(theta), math.cos(theta)
    if df % 2 == 0:
        term = total = 1.0
        for j in range(2, df, 2):
            term *= (j - 1) / j * c * c
            total += term
        return s * total
    if df == 1:
        return 2 * theta / math.pi
    term = total = c
    for j in range(3, df, 2):
        term *= (j - 1) / j * c * c
        total += term
    return 2 / math.pi * (theta + s * total)


def _clusters(right: Sequence[int], answered: Sequence[int]) -> list[tuple[int, int]]:
    if len(right) != len(answered):
        raise InvalidInput(f"right has {len(right)} clusters but answered has {len(answered)}; "
                           "give one count of each per cluster")
    pairs = []
    for index, (r, m) in enumerate(zip(right, answered)):
        for name, value in (("right", r), ("answered", m)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise InvalidInput(f"{name}[{index}] is {value!r}; counts must be whole numbers >= 0")
        if r > m:
            raise InvalidInput(f"cluster {index} has {r} right of {m} answered; right must be at most answered")
        if m:
            pairs.append((int(r), int(m)))
    return pairs
