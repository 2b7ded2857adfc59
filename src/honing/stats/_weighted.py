"""A population proportion from a sample drawn with known inclusion probabilities: the
Hájek estimator, its design-based variance, and an interval that stays inside [0, 1].

When a review oversamples failures (priority by a signal, strata with unequal shares),
the sample's raw rate overstates production's. Each item i, drawn with probability π_i,
stands for w_i = 1/π_i production items:

    R̂ = Σ w_i y_i / Σ w_i                        (Hájek; y_i in [0, 1])
    z_i = w_i (y_i − R̂) / Σ w_i                  (its linearized influence)

and the variance of R̂ is that of the total of z (Taylor linearization; C.-E. Särndal,
B. Swensson, J. Wretman, Model Assisted Survey Sampling, 1992, §5.6), by design:

- "with-replacement": Σ_h n_h/(n_h−1) Σ_{i∈h} (z_i − z̄_h)², the usual approximation for
  any without-replacement design (R survey's svydesign(ids=~1, strata=, weights=));
- "stratified-srswor": the same, each stratum times (1 − n_h/N_h), with N_h = Σ_{i∈h} w_i
  (exact for simple random sampling within strata, where π = n_h/N_h);
- "poisson": Σ (1 − π_i) z_i², the Horvitz-Thompson variance of Poisson sampling (each
  item drawn independently with its own π_i, as priority-by-signal sampling does).

A stratum with one sampled item cannot show its own spread; it is centred at the overall
mean of z (zero) instead, as survey's lonely.psu = "adjust" does: conservative, not silent.

The interval is Wilson's on an effective sample size (E. L. Korn, B. I. Graubard,
Survey Methodology 24, 1998; the same construction as `clustered_proportion`):

    n_eff = R̂(1−R̂)/v · (t_{n−1} / t_{n−H})²,   at most n,

which stays inside [0, 1] and keeps its width at small n. When the variance cannot say
how much the estimate varies (R̂ = 0 or 1, or every stratum uniform in its outcomes), n_eff is Kish's
effective sample size (Σw)²/Σw² (L. Kish, Survey Sampling, 1965, §11.7): the interval of
"all pass" is [Wilson lower bound on Kish's n, 1], never a point.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from honing._errors import InvalidInput
from honing.stats._clustered import t_quantile
from honing.stats._estimate import Estimate, Undefined
from honing.stats._inputs import check_conf, critical_value
from honing.stats._proportions import wilson_bounds

DESIGNS = ("with-replacement", "stratified-srswor", "poisson")
METHOD = "hájek, wilson on effective n"


@dataclass(frozen=True)
class WeightedProportion:
    """The estimate (n = sampled units) with what lies behind it."""

    estimate: Estimate
    variance: float  # design-based variance of the estimate (NaN with no units)
    effective_n: float  # the n the interval was computed on
    kish_n: float  # (Σw)² / Σw²
    population: float  # Σw, the estimated number of production units
    strata: int
    design: str


def weighted_proportion(outcomes: Sequence[float], probabilities: Sequence[float],
                        strata: Sequence[Hashable] | None = None, *, design: str = "with-replacement",
                        conf: float = 0.95) -> Estimate:
    """The Hájek estimate of the population share of `outcomes` (each in [0, 1]: 1 for a
    failure, or an item's share of labels saying so) from units drawn with inclusion
    probabilities `probabilities` (each in (0, 1]), optionally in `strata` (one key per
    unit), with its 95% interval (see the module docstring). No units gives NaN with the
    reason. Raises InvalidInput for unequal lengths, an outcome outside [0, 1], a
    probability outside (0, 1] or an unknown design."""
    return weighted_proportion_detail(outcomes, probabilities, strata, design=design, conf=conf).estimate


def weighted_proportion_detail(outcomes: Sequence[float], probabilities: Sequence[float],
                               strata: Sequence[Hashable] | None = None, *, design: str = "with-replacement",
                               conf: float = 0.95) -> WeightedProportion:
    """`weighted_proportion` with its variance, effective n, Kish n and estimated population."""
    conf = check_conf(conf)
    if design not in DESIGNS:
        raise InvalidInput(f"design must be one of {', '.join(DESIGNS)}; got {design!r}")
    y, pi = _checked(outcomes, "outcomes", 0.0, True), _checked(probabilities, "probabilities", 0.0, False)
    if y.size != pi.size:
        raise InvalidInput(f"outcomes has {y.size} values but probabilities has {pi.size}; "
                           "give one inclusion probability per outcome")
    keys = [None] * y.size if strata is None else list(strata)
    if len(keys) != y.size:
        raise InvalidInput(f"strata has {len(keys)} values but outcomes has {y.size}; give one stratum per unit")
    n = int(y.size)
    if n == 0:
        undefined = Undefined("no observations")
        return WeightedProportion(Estimate(undefined, undefined, undefined, 0, conf, METHOD),
                                  undefined, 0.0, 0.0, 0.0, 0, design)
    w = 1 / pi
    total = float(w.sum())
    share = min(1.0, max(0.0, float((w * y).sum() / total)))
    z = w * (y - share) / total
    groups = _groups(keys)
    variance = _variance(z, pi, w, groups, design)
    kish = total ** 2 / float((w * w).sum())
    uniform = all(np.ptp(y[members]) == 0 for members in groups)
    n_eff = _effective_n(share, variance, n, len(groups), kish, conf, uniform)
    low, high = wilson_bounds(share, n_eff, critical_value(conf))
    # A share within rounding of 0 (or 1) can fall just outside its own bounds.
    estimate = Estimate(share, min(float(low), share), max(float(high), share), n, conf, METHOD)
    return WeightedProportion(estimate, variance, n_eff, kish, total, len(groups), design)


def _variance(z: np.ndarray, pi: np.ndarray, w: np.ndarray, groups: list[np.ndarray], design: str) -> float:
    if design == "poisson":
        return float(((1 - pi) * z * z).sum())
    variance = 0.0
    for members in groups:
        zh = z[members]
        if zh.size == 1:  # a lonely unit: centred at the overall mean of z, which is 0
            spread = float(zh[0] ** 2)
        else:
            spread = zh.size / (zh.size - 1) * float(((zh - zh.mean()) ** 2).sum())
        if design == "stratified-srswor":
            spread *= max(0.0, 1 - zh.size / float(w[members].sum()))
        variance += spread
    return variance


def _effective_n(share: float, variance: float, n: int, strata: int, kish: float, conf: float,
                 uniform: bool) -> float:
    # Uniform strata have a variance of zero, or of rounding: it says nothing, not "certain".
    if share in (0.0, 1.0) or uniform or variance <= 0 or n < 2:
        return min(float(n), kish)
    df = max(1, n - strata)
    return min(float(n), share * (1 - share) / variance * (t_quantile(conf, n - 1) / t_quantile(conf, df)) ** 2)


def _groups(keys: list[Hashable]) -> list[np.ndarray]:
    index: dict[Hashable, list[int]] = {}
    for position, key in enumerate(keys):
        index.setdefault(key, []).append(position)
    return [np.array(members) for members in index.values()]


def _checked(values: Sequence[float], name: str, low: float, low_inclusive: bool) -> np.ndarray:
    if isinstance(values, (str, bytes)):
        raise InvalidInput(f"{name} must be a sequence of numbers; got a string")
    items = list(values)
    for position, value in enumerate(items):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            raise InvalidInput(f"{name}[{position}] is {value!r}, not a number")
        inside = (value >= low if low_inclusive else value > low) and value <= 1
        if not inside:
            bounds = "[0, 1]" if low_inclusive else "(0, 1]"
            raise InvalidInput(f"{name}[{position}] is {value!r}; it must lie in {bounds}")
    return np.array(items, dtype=float)
