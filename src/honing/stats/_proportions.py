"""A proportion with its Wilson score interval, and Cohen's h between two proportions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.stats._estimate import Estimate, Undefined, reason_undefined
from honing.stats._inputs import check_conf, check_count, check_probability, critical_value


def wilson_interval(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (E. B. Wilson, "Probable inference,
    the law of succession, and statistical inference", JASA 22, 1927; method 3 of
    R. G. Newcombe, Statistics in Medicine 17:857-872, 1998):

        (p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n),   p̂ = k/n,

    with z the two-sided normal quantile for `conf` (exactly 0 at k = 0 and 1 at k = n).
    n = 0 gives an Undefined pair: no observations bound nothing.

    Raises InvalidInput unless 0 <= k <= n are whole numbers and 0 < conf < 1."""
    k, n = check_count(k, "k"), check_count(n, "n")
    if k > n:
        raise InvalidInput(f"k must be at most n (successes out of trials); got k={k}, n={n}")
    conf = check_conf(conf)
    if n == 0:
        undefined = Undefined("no observations")
        return undefined, undefined
    low, high = wilson_bounds(k / n, n, critical_value(conf))
    return float(low), float(high)


def wilson_bounds(share: Any, n: Any, z: float) -> tuple[Any, Any]:
    """The Wilson bounds of `share` observed on `n` (> 0, whole or an effective size) at
    the normal quantile z; floats or numpy arrays alike. The one arrangement of the formula
    behind every Wilson interval here (the same as statsmodels' proportion_confint, so the
    two agree to the last few bits)."""
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half_width = z * np.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denominator
    # At a share of 0 (1) the lower (upper) bound is exactly 0 (1); the formula only gets
    # within rounding of it.
    low = np.where(share == 0, 0.0, np.maximum(0.0, centre - half_width))
    high = np.where(share == 1, 1.0, np.minimum(1.0, centre + half_width))
    return low, high


def proportion(k: int, n: int, conf: float = 0.95) -> Estimate:
    """k/n with its Wilson score interval; NaN with reason "no observations" when n == 0."""
    low, high = wilson_interval(k, n, conf)
    value = k / n if n else Undefined("no observations")
    return Estimate(value, low, high, n, conf, "wilson")


def cohens_h(p1: float, p2: float) -> float:
    """Cohen's h effect size between two proportions: 2·asin(√p1) − 2·asin(√p2)
    (J. Cohen, Statistical Power Analysis for the Behavioral Sciences, 2nd ed., 1988, §6.2).

    An undefined (NaN) proportion gives an Undefined h carrying its reason; a value outside
    [0, 1] raises InvalidInput."""
    p1, p2 = check_probability(p1, "p1"), check_probability(p2, "p2")
    for name, p in (("p1", p1), ("p2", p2)):
        if math.isnan(p):
            return Undefined(f"{name} is undefined: {reason_undefined(p)}")
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))
