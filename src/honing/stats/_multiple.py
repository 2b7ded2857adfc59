"""Adjusting p-values for multiple comparisons: a comparison of two runs tests every tier,
tag and scorer at once, and without adjustment one of twenty untouched slices would look
"significant" at 0.05 by chance alone."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

from honing._errors import InvalidInput
from honing.stats._estimate import Undefined


def holm(p_values: Sequence[float | None]) -> list[float]:
    """Holm–Bonferroni step-down adjusted p-values (S. Holm, "A simple sequentially
    rejective multiple test procedure", Scand. J. Statist. 6:65-70, 1979).

    With the m p-values sorted as p(1) <= ... <= p(m), the adjusted value of p(i) is
    max over j <= i of min(1, (m − j + 1)·p(j)): monotone in the raw p-values and capped at 1.
    Rejecting where the adjusted value is below alpha controls the family-wise error rate
    at alpha under any dependence between the tests, which slices sharing scenarios have.

    Missing p-values (None or NaN) are not hypotheses: they are left out of m and come back
    as Undefined (an Undefined keeps its own reason). The result is in the input's order.
    Raises InvalidInput for a value that is not a number between 0 and 1."""
    if isinstance(p_values, (str, bytes)):
        raise InvalidInput("p_values must be a sequence of numbers between 0 and 1")
    adjusted: list[float] = []
    tested: list[tuple[float, int]] = []
    for position, p in enumerate(p_values):
        if p is None or (isinstance(p, numbers.Real) and not isinstance(p, bool) and math.isnan(p)):
            adjusted.append(p if isinstance(p, Undefined) else Undefined("no p-value (missing or NaN)"))
            continue
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise InvalidInput(f"p_values[{position}] is {p!r}, not a p-value between 0 and 1")
        adjusted.append(math.nan)  # filled in below
        tested.append((float(p), position))
    m = len(tested)
    # A stable sort keeps tied p-values in input order, as statsmodels' multipletests does;
    # ties get the same adjusted value either way, through the running maximum.
    tested.sort(key=lambda pair: pair[0])
    running = 0.0
    for rank, (p, position) in enumerate(tested):
        running = max(running, (m - rank) * p)
        adjusted[position] = min(1.0, running)
    return adjusted
