"""The exact two-sided binomial test.

The probability mass function is computed in log space with Loader's saddle-point form
(C. Loader, "Fast and Accurate Computation of Binomial Probabilities", 2000; the algorithm
behind R's dbinom). The naive log form lgamma(n+1) - lgamma(k+1) - lgamma(n-k+1) + ...
subtracts numbers near n·log(n) (about 10^6 at n = 100,000) and keeps only ~1e-10 relative
accuracy; Loader's form stays near machine precision for any n."""

from __future__ import annotations

import math

from honing._errors import InvalidInput
from honing.stats._inputs import check_count, check_probability

# scipy.stats.binomtest treats outcomes within this relative factor of the observed one as
# "equally likely", so rounding cannot drop a mirror-image outcome from the two-sided sum.
_RELATIVE_TOLERANCE = 1 + 1e-7
_LOG_2PI = math.log(2 * math.pi)
# Below this share of the running sum, the rest of a geometric tail cannot change the sum.
_NEGLIGIBLE = 1e-17


def _stirling_error(n: float) -> float:
    """log(n!) - log(sqrt(2πn) (n/e)^n): exact for small n, its asymptotic series beyond 15
    (Loader 2000, section 2; the same cut-offs as R's stirlerr)."""
    if n <= 15:
        return math.lgamma(n + 1) - (n + 0.5) * math.log(n) + n - 0.5 * _LOG_2PI
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    nn = n * n
    if n > 500:
        return (s0 - s1 / nn) / n
    if n > 80:
        return (s0 - (s1 - s2 / nn) / nn) / n
    if n > 35:
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n


def _deviance(x: float, mean: float) -> float:
    """x·log(x/mean) + mean - x without cancellation when x is close to mean (Loader's bd0)."""
    if abs(x - mean) < 0.1 * (x + mean):
        v = (x - mean) / (x + mean)
        total = (x - mean) * v
        term = 2 * x * v
        v *= v
        for j in range(1, 1000):
            term *= v
            updated = total + term / (2 * j + 1)
            if updated == total:
                return updated
            total = updated
        return total
    return x * math.log(x / mean) + mean - x


def log_pmf(k: int, n: int, p: float) -> float:
    """log P(X = k) for X ~ Binomial(n, p), with 0 <= k <= n and 0 < p < 1."""
    q = 1 - p
    if k == 0:
        return n * math.log1p(-p)
    if k == n:
        return n * math.log(p)
    correction = (_stirling_error(n) - _stirling_error(k) - _stirling_error(n - k)
                  - _deviance(k, n * p) - _deviance(n - k, n * q))
    return correction - 0.5 * (_LOG_2PI + math.log(k) + math.log1p(-k / n))


def _tail_sum(start: int, step: int, n: int, p: float) -> float:
    """Sum of P(X = j) for j = start, start+step, ... up to the end of the support, walking
    away from the mode (so the terms fall). Each term comes from the previous one by the
    ratio of consecutive probabilities; the walk stops once the rest of the tail, bounded by a
    geometric series (the ratios only fall further), is below rounding of the sum."""
    q = 1 - p
    term = math.exp(log_pmf(start, n, p))
    total = 0.0
    j = start
    while 0 <= j <= n:
        total += term
        if step > 0:  # P(j+1)/P(j)
            ratio = (n - j) * p / ((j + 1) * q)
        else:  # P(j-1)/P(j)
            ratio = j * q / ((n - j + 1) * p)
        term *= ratio
        if term == 0 or (ratio < 1 and term / (1 - ratio) <= _NEGLIGIBLE * total):
            break
        j += step
    return total


def _first_at_most(log_bound: float, lo: int, hi: int, n: int, p: float) -> int:
    """On [lo, hi], where P(X = j) falls as j rises: the first j with log P(X = j) <= bound
    (hi + 1 when there is none)."""
    while lo <= hi:
        mid = (lo + hi) // 2
        if log_pmf(mid, n, p) <= log_bound:
            hi = mid - 1
        else:
            lo = mid + 1
    return lo


def _last_at_most(log_bound: float, lo: int, hi: int, n: int, p: float) -> int:
    """On [lo, hi], where P(X = j) rises with j: the last j with log P(X = j) <= bound
    (lo - 1 when there is none)."""
    while lo <= hi:
        mid = (lo + hi) // 2
        if log_pmf(mid, n, p) <= log_bound:
            lo = mid + 1
        else:
            hi = mid - 1
    return hi


def binomial_two_sided_p(k: int, n: int, p: float = 0.5) -> float:
    """Exact two-sided p-value of k successes in n trials under success probability p.

    The p-value is the total probability of the outcomes no more likely than the observed
    one (the "method of small p-values"), with the observed probability inflated by a relative
    1e-7 so rounding cannot split ties: the convention of `scipy.stats.binomtest(k, n, p)`.
    n = 0 gives 1.0: the only possible outcome is certain, so nothing is surprising.

    Raises InvalidInput unless 0 <= k <= n are whole numbers and 0 <= p <= 1."""
    k, n = check_count(k, "k"), check_count(n, "n")
    if k > n:
        raise InvalidInput(f"k must be at most n (successes out of trials); got k={k}, n={n}")
    p = check_probability(p, "p")
    if math.isnan(p):
        raise InvalidInput("p must be a probability between 0 and 1; got NaN")
    if p == 0 or p == 1:
        # Degenerate: the one possible outcome has probability 1, every other has 0.
        return 1.0 if k == round(p * n) else 0.0
    if k == p * n:
        return 1.0
    log_bound = log_pmf(k, n, p) + math.log(_RELATIVE_TOLERANCE)
    if k < p * n:
        # Observed tail: 0..k. Other tail: outcomes above the mean that are no more likely.
        lower = _tail_sum(k, -1, n, p)
        first = _first_at_most(log_bound, math.ceil(p * n), n, n, p)
        upper = _tail_sum(first, +1, n, p) if first <= n else 0.0
    else:
        upper = _tail_sum(k, +1, n, p)
        last = _last_at_most(log_bound, 0, math.floor(p * n), n, p)
        lower = _tail_sum(last, -1, n, p) if last >= 0 else 0.0
    return min(1.0, lower + upper)

