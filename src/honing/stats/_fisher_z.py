"""Confidence intervals for correlation coefficients via Fisher's z transformation."""

from __future__ import annotations

import math
import numbers

from honing._errors import InvalidInput
from honing.stats._estimate import Undefined, reason_undefined
from honing.stats._inputs import check_conf, check_count, critical_value

# Standard error of atanh(r) and the fewest pairs for which it is finite.
_STANDARD_ERRORS = {
    # R. A. Fisher, Biometrika 10:507-521, 1915: var(z) ≈ 1/(n − 3).
    "pearson": (lambda r, n: 1 / math.sqrt(n - 3), 4),
    # D. G. Bonett, T. A. Wright, "Sample size requirements for estimating Pearson, Kendall
    # and Spearman correlations", Psychometrika 65:23-28, 2000: var(z) ≈ (1 + r²/2)/(n − 3).
    "spearman": (lambda r, n: math.sqrt((1 + r * r / 2) / (n - 3)), 4),
    # E. C. Fieller, H. O. Hartley, E. S. Pearson, "Tests for rank correlation coefficients. I",
    # Biometrika 44:470-481, 1957: var(z) ≈ 0.437/(n − 4) for Kendall's tau.
    "kendall": (lambda r, n: math.sqrt(0.437 / (n - 4)), 5),
}


def correlation_interval(r: float, n: int, conf: float = 0.95, *,
                         method: str = "spearman") -> tuple[float, float]:
    """Confidence interval for a correlation from n pairs: tanh(atanh(r) ± z·se), with se
    from Fisher (1915) for "pearson", Bonett & Wright (2000) for "spearman" and Fieller,
    Hartley & Pearson (1957) for "kendall" (references beside `_STANDARD_ERRORS`).

    Undefined pair, with the reason, when r is undefined (NaN), when n is too small for the
    standard error (n ≤ 3; n ≤ 4 for Kendall), or when |r| = 1, where the transformation is
    infinite and the "interval" would collapse to the single point ±1 whatever n is.
    Raises InvalidInput for r outside [−1, 1], a negative or fractional n, conf outside
    (0, 1) or an unknown method."""
    if method not in _STANDARD_ERRORS:
        raise InvalidInput(f"method must be one of {', '.join(sorted(_STANDARD_ERRORS))}; "
                           f"got {method!r}")
    standard_error, fewest = _STANDARD_ERRORS[method]
    n = check_count(n, "n")
    conf = check_conf(conf)
    if isinstance(r, bool) or not isinstance(r, numbers.Real):
        raise InvalidInput(f"r must be a correlation between -1 and 1; got {r!r}")
    if math.isnan(r):
        reason = reason_undefined(r) if isinstance(r, float) else "undefined"
        undefined = Undefined(f"the correlation is undefined: {reason}")
        return undefined, undefined
    if not -1 <= r <= 1:
        raise InvalidInput(f"r must be a correlation between -1 and 1; got {r!r}")
    if n < fewest:
        undefined = Undefined(f"a {method} interval needs at least {fewest} pairs; got {n}")
        return undefined, undefined
    if abs(r) == 1:
        undefined = Undefined("|r| = 1: the Fisher z interval degenerates to a point")
        return undefined, undefined
    z = math.atanh(r)
    half_width = critical_value(conf) * standard_error(r, n)
    return math.tanh(z - half_width), math.tanh(z + half_width)
