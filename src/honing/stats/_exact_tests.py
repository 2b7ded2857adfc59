"""Exact paired tests built on the two-sided binomial test: McNemar's test on discordant
pairs and the sign test on paired differences."""

from __future__ import annotations

import numpy as np

from honing.stats._binomial import binomial_two_sided_p
from honing.stats._inputs import Values, check_count, paired


def mcnemar_exact_p(b: int, c: int) -> float:
    """Exact (conditional) McNemar test: two-sided binomial test of b successes in the b + c
    discordant pairs at p = 1/2 (Q. McNemar, Psychometrika 12:153-157, 1947; the exact form
    as in M. W. Fagerland, S. Lydersen, P. Laake, BMC Med. Res. Methodol. 13:91, 2013).

    b and c are the off-diagonal counts of the paired 2×2 table (first right / second wrong,
    and the reverse). With b + c == 0 there are no discordant pairs and so no evidence of a
    difference: the p-value is 1.0, the standard convention and the value statsmodels'
    `mcnemar(..., exact=True)` returns. Raises InvalidInput unless both are whole numbers ≥ 0."""
    b, c = check_count(b, "b"), check_count(c, "c")
    return binomial_two_sided_p(b, b + c, 0.5)


def sign_test_p(x: Values, y: Values) -> float:
    """Exact two-sided sign test for paired samples: the signs of y − x, zero differences
    dropped, tested against a fair coin (W. J. Dixon, A. M. Mood, JASA 41:557-566, 1946).
    Pairs with a missing (None/NaN) side are dropped first.

    With no non-zero difference there is no evidence either way and the p-value is 1.0 (the
    same convention as `mcnemar_exact_p`; statsmodels' `sign_test` raises instead).
    Raises InvalidInput when x and y differ in length or hold something other than numbers."""
    xs, ys = paired(x, y)
    differences = ys - xs
    positive = int(np.count_nonzero(differences > 0))
    negative = int(np.count_nonzero(differences < 0))
    return binomial_two_sided_p(positive, positive + negative, 0.5)
