"""Newcombe's square-and-add interval for paired proportions: the published worked example,
an independent scalar implementation over statsmodels' Wilson intervals, the degenerate
tables, the dual p-value, and the interval's coverage by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from honing._errors import InvalidInput
from honing.stats import paired_bootstrap, paired_difference, paired_difference_p
from honing.stats._inputs import critical_value
from honing.stats._paired_proportions import newcombe_bounds


def reference(n11: int, n12: int, n21: int, n22: int, conf: float) -> tuple[float, float, float]:
    """Newcombe (1998) method 10 written out from the paper, on statsmodels' Wilson bounds."""
    n = n11 + n12 + n21 + n22
    p1, p2 = (n11 + n12) / n, (n11 + n21) / n
    l1, u1 = proportion_confint(n11 + n12, n, alpha=1 - conf, method="wilson")
    l2, u2 = proportion_confint(n11 + n21, n, alpha=1 - conf, method="wilson")
    a = n11 * n22 - n12 * n21
    a = a - n / 2 if a > n / 2 else 0 if a >= 0 else a
    margins = (n11 + n12) * (n21 + n22) * (n11 + n21) * (n12 + n22)
    psi = a / math.sqrt(margins) if margins else 0.0
    d = p1 - p2
    low = d - math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * psi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = d + math.sqrt(max(0.0, (p2 - l2) ** 2 - 2 * psi * (p2 - l2) * (u1 - p1) + (u1 - p1) ** 2))
    return d, max(-1.0, low), min(1.0, high)


def test_the_published_example_of_cavo_et_al():
    # Fagerland, Lydersen & Laake (ch. 8): complete response before and after consolidation
    # therapy, [[59, 6], [16, 80]]: -0.0621 (95% CI -0.1186 to -0.0046).
    found = paired_difference(59, 6, 16, 80)
    assert (round(found.value, 4), round(found.low, 4), round(found.high, 4)) == (-0.0621, -0.1186, -0.0046)
    assert (found.n, found.conf) == (161, 0.95) and found.method.startswith("newcombe")


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60), st.integers(0, 60),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_equals_the_method_written_out_from_the_paper(n11, n12, n21, n22, conf):
    if n11 + n12 + n21 + n22 == 0:
        return
    found = paired_difference(n11, n12, n21, n22, conf)
    value, low, high = reference(n11, n12, n21, n22, conf)
    assert found.value == pytest.approx(value, abs=1e-12)
    assert (found.low, found.high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))
    assert found.low <= found.value <= found.high
    # First minus second: swapping the two measurements mirrors the interval.
    mirrored = paired_difference(n11, n21, n12, n22, conf)
    assert (mirrored.value, mirrored.low, mirrored.high) == (
        pytest.approx(-found.value, abs=1e-12), pytest.approx(-found.high, abs=1e-12),
        pytest.approx(-found.low, abs=1e-12))


def test_identical_results_are_not_a_zero_width_interval():
    # Everything passes in both runs: what 3 (or 40) passes allow, not [0, 0].
    for n, half in ((3, 0.5615), (40, 0.0876)):
        found = paired_difference(n, 0, 0, 0)
        assert found.value == 0 and round(found.high, 4) == half and round(found.low, 4) == -half
    everything_fails = paired_difference(0, 0, 0, 8)
    assert everything_fails.low < 0 < everything_fails.high
    # 8 of 8 passing, then 0 of 8: at least -54 pp, not exactly -100 pp.
    collapsed = paired_difference(0, 0, 8, 0)
    assert collapsed.value == -1 and collapsed.low == -1 and -0.55 < collapsed.high < -0.5


def test_no_pairs_is_undefined_and_bad_cells_are_refused():
    empty = paired_difference(0, 0, 0, 0)
    assert math.isnan(empty.value) and empty.reason == "no pairs" and empty.n == 0
    assert math.isnan(paired_difference_p(0, 0, 0, 0))
    for cells in ((-1, 0, 0, 0), (1.5, 0, 0, 0), (True, 0, 0, 0)):
        with pytest.raises(InvalidInput):
            paired_difference(*cells)
    with pytest.raises(InvalidInput, match="conf"):
        paired_difference(1, 2, 3, 4, conf=1.0)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 50), st.integers(0, 30), st.integers(0, 30), st.integers(0, 50))
def test_the_p_value_is_where_the_interval_touches_zero(n11, n12, n21, n22):
    if n11 + n12 + n21 + n22 == 0:
        return
    p = paired_difference_p(n11, n12, n21, n22)
    assert 0 <= p <= 1
    if n12 == n21:
        assert p == 1.0
        return
    if 1e-9 < p < 1 - 1e-6:
        wider = paired_difference(n11, n12, n21, n22, min(1 - 1e-12, 1 - p * 0.999))
        narrower = paired_difference(n11, n12, n21, n22, 1 - p * 1.001)
        assert wider.low <= 0 <= wider.high
        assert narrower.low > 0 or narrower.high < 0


# Coverage by simulation: (baseline pass rate, share of scenarios that change, share of the
# changes that are fixes). The cells include the degenerate ones: all pass, all fail, and no
# scenario changing at all.
CELLS = [(p, d, f) for p in (0.5, 0.8, 0.95) for d in (0.0, 0.05, 0.2) for f in (0.25, 0.5, 0.75)
         if d == 0 or p + d * f <= 1] + [(1.0, 0.0, 0.5), (0.0, 0.0, 0.5)]


def coverage(n: int, pass_rate: float, changed: float, fixed_share: float, *, tables: int = 2000,
             seed: int = 0) -> float:
    """Share of `tables` simulated paired tables whose 95% interval holds the true difference."""
    fixed, regressed = changed * fixed_share, changed * (1 - fixed_share)
    # Candidate first: n11 both pass, n12 fixed, n21 regressed, n22 neither.
    both = pass_rate - regressed
    probabilities = np.clip([both, fixed, regressed, 1 - both - fixed - regressed], 0, None)
    drawn = np.random.default_rng(seed).multinomial(n, probabilities / probabilities.sum(), size=tables)
    _, low, high = newcombe_bounds(*drawn.T.astype(float), critical_value(0.95))
    truth = fixed - regressed
    return float(np.mean((low <= truth + 1e-12) & (truth - 1e-12 <= high)))


@pytest.mark.parametrize("n", [5, 10, 40, 200])
def test_coverage_is_at_least_93_percent(n):
    found = {cell: coverage(n, *cell, seed=n) for cell in CELLS}
    low = {cell: share for cell, share in found.items() if share < 0.93}
    assert not low, f"n={n}: coverage below 93% at {low}"
    assert np.mean(list(found.values())) > 0.945  # near nominal on average, not just above the floor


@pytest.mark.parametrize("n", [5, 10, 40, 200])
def test_coverage_when_every_change_goes_one_way(n):
    """The interval's known soft spot (Newcombe 1998, Fagerland et al. 2014): every changed
    scenario moves the same way and the pass rate is near 50%. At n = 40 with 5% of scenarios
    regressing and none fixed, the 13% of draws with no regression at all give an interval of
    ±4.7 pp, which misses the true -5 pp: coverage dips to about 90%. Kept in view here, and
    in docs/release-gates.md, rather than left out of the grid above."""
    found = {(p, d): coverage(n, p, d, 0.0, seed=n) for p in (0.5, 0.8, 0.95) for d in (0.05, 0.2)
             if p - d >= 0}
    assert min(found.values()) >= 0.88, found


def test_a_bootstrap_of_equal_differences_has_no_interval():
    same = paired_bootstrap([0.2, 0.5, 0.9], [0.2, 0.5, 0.9])
    assert same.value == 0 and math.isnan(same.low) and "equal" in str(same.low.reason)
    shifted = paired_bootstrap([0.0, 0.5, 0.7], [0.1, 0.6, 0.8])
    assert shifted.value == pytest.approx(0.1) and math.isnan(shifted.high)
