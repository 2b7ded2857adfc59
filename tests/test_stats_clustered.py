"""The clustered proportion (gold accuracy with the item as the unit) against statsmodels'
cluster-robust variance and Wilson interval, on its degenerate cells, and by coverage
simulation against the naive interval that counts answers as independent."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import t as student_t
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.proportion import proportion_confint

from honing._errors import InvalidInput
from honing.stats import proportion
from honing.stats._clustered import (
    clustered_proportion,
    clustered_proportion_detail,
    t_quantile,
)


@st.composite
def clusters(draw):
    """(right, answered) per item: 2 to 30 items of 1 to 6 answers."""
    answered = draw(st.lists(st.integers(1, 6), min_size=2, max_size=30))
    right = [draw(st.integers(0, m)) for m in answered]
    return right, answered


@settings(max_examples=80, deadline=None, database=None)
@given(clusters())
def test_matches_statsmodels_cluster_robust_variance_and_wilson(data):
    right, answered = data
    p = sum(right) / sum(answered)
    y = np.concatenate([[1.0] * r + [0.0] * (m - r) for r, m in zip(right, answered)])
    groups = np.concatenate([[g] * m for g, m in enumerate(answered)])
    fit = OLS(y, np.ones_like(y)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    assert fit.params[0] == pytest.approx(p)
    detail = clustered_proportion_detail(right, answered)
    got = detail.estimate
    assert (got.value, got.n, detail.answers) == (pytest.approx(p), len(answered), sum(answered))
    if p in (0.0, 1.0):
        n_eff = len(answered)  # no variation: each item counts once
    elif fit.bse[0] == 0:
        n_eff = sum(answered)  # every item the same share: no sign of clustering
    else:
        df_ratio = (student_t.ppf(0.975, sum(answered) - 1) / student_t.ppf(0.975, len(answered) - 1)) ** 2
        n_eff = min(sum(answered), p * (1 - p) / fit.bse[0] ** 2 * df_ratio)
    assert detail.effective_n == pytest.approx(n_eff, rel=1e-9)
    low, high = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
    assert (got.low, got.high) == (pytest.approx(low, abs=1e-12), pytest.approx(high, abs=1e-12))


def test_t_quantile_matches_scipy():
    for df in (1, 2, 3, 4, 7, 30, 199, 200, 201, 5000):
        for conf in (0.9, 0.95, 0.99):
            assert t_quantile(conf, df) == pytest.approx(student_t.ppf(0.5 + conf / 2, df), rel=1e-8)


def test_degenerate_cells():
    # All right, all wrong: the interval of one observation per item, not per answer.
    every = clustered_proportion([3] * 5, [3] * 5)
    assert (every.value, every.n, every.high) == (1.0, 5, 1.0)
    assert every.low == pytest.approx(proportion(5, 5).low) and every.low < proportion(15, 15).low
    none = clustered_proportion([0] * 5, [3] * 5)
    assert (none.value, none.low) == (0.0, 0.0) and none.high == pytest.approx(proportion(0, 5).high)
    # One item: whatever its share, it is one observation.
    one = clustered_proportion([2], [3])
    assert one.n == 1 and one.value == pytest.approx(2 / 3)
    lone_low, lone_high = proportion_confint(2 / 3, 1, method="wilson")
    assert (one.low, one.high) == (pytest.approx(lone_low), pytest.approx(lone_high))
    # No answers at all: NaN with the reason; items with no scored answer do not count.
    empty = clustered_proportion([0, 0], [0, 0])
    assert math.isnan(empty.value) and empty.reason == "no observations" and empty.n == 0
    assert clustered_proportion([3, 0], [3, 0]).n == 1
    # One wrong answer of 15 spread over 5 items is not narrower than all 15 right.
    assert clustered_proportion([3, 3, 3, 3, 2], [3] * 5).low > every.low


def test_clustering_widens_the_interval_when_items_go_together():
    # 5 items x 3 questions: all right or all wrong per item. 15 independent answers would
    # give a much narrower interval than 5 items can support.
    clustered = clustered_proportion([3, 3, 3, 0, 0], [3] * 5)
    naive = proportion(9, 15)
    assert clustered.value == naive.value
    assert clustered.high - clustered.low > 1.5 * (naive.high - naive.low)


def test_bad_counts_are_refused():
    with pytest.raises(InvalidInput, match="cluster 1 has 4 right of 3"):
        clustered_proportion([1, 4], [2, 3])
    with pytest.raises(InvalidInput, match="answered has 1"):
        clustered_proportion([1, 2], [2])
    with pytest.raises(InvalidInput, match=r"answered\[0\] is -1"):
        clustered_proportion([0], [-1])
    with pytest.raises(InvalidInput, match=r"right\[0\] is 1.5"):
        clustered_proportion([1.5], [2])


def test_coverage_when_answers_within_an_item_are_correlated():
    """Items with their own chance of being answered right (beta, intraclass correlation
    0.3), three questions each: the clustered interval keeps its 95%, answers counted as
    independent fall well short."""
    rng = np.random.default_rng(7)
    a, b, items, questions, sims = 2.0, 0.4, 20, 3, 1500
    truth = a / (a + b)
    clustered = naive = 0
    for _ in range(sims):
        right = rng.binomial(questions, rng.beta(a, b, items))
        got = clustered_proportion([int(r) for r in right], [questions] * items)
        clustered += got.low <= truth <= got.high
        plain = proportion(int(right.sum()), items * questions)
        naive += plain.low <= truth <= plain.high
    # Monte Carlo error at 1,500 runs is about 0.006 (seen: 0.94 and 0.88).
    assert clustered / sims >= 0.93
    assert naive / sims <= 0.90
