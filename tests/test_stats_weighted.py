"""The design-weighted (Hájek) proportion against samplics' Taylor-linearization estimator
(point estimate and standard error: unstratified, stratified, stratified with a finite
population correction), the Poisson variance against its Monte Carlo spread, and the
interval at its degenerate cells. Coverage by simulation is in test_weighted_coverage.py."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from honing._errors import InvalidInput
from honing.stats import weighted_proportion, weighted_proportion_detail

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # samplics announces its successor on import
    from samplics import PopParam, TaylorEstimator


def samplics_mean(y, weights, strata=None, fpc=1.0):
    """(point estimate, standard error) of the weighted mean by samplics (Taylor series)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = TaylorEstimator(PopParam.mean)
        estimator.estimate(y=np.asarray(y, dtype=float), samp_weight=np.asarray(weights, dtype=float),
                           stratum=None if strata is None else np.asarray(strata), fpc=fpc)
    return float(estimator.point_est), float(estimator.stderror)


@st.composite
def samples(draw):
    """(outcomes, inclusion probabilities, strata): 4 to 60 units in 1 to 4 strata with at
    least two units each, failures and passes both present."""
    n = draw(st.integers(4, 60))
    y = [1.0, 0.0] + draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n - 2, max_size=n - 2))
    pi = draw(st.lists(st.floats(0.001, 1.0), min_size=n, max_size=n))
    strata = [i % draw(st.integers(1, 4)) for i in range(n)] if draw(st.booleans()) else None
    if strata is not None and min(strata.count(h) for h in set(strata)) < 2:
        strata = None
    return y, pi, strata


@settings(max_examples=60, deadline=None, database=None)
@given(samples())
def test_point_and_standard_error_match_samplics(sample):
    y, pi, strata = sample
    detail = weighted_proportion_detail(y, pi, strata)
    value, se = samplics_mean(y, [1 / p for p in pi], strata)
    assert detail.estimate.value == pytest.approx(value, rel=1e-12, abs=1e-15)
    assert math.sqrt(detail.variance) == pytest.approx(se, rel=1e-9, abs=1e-15)
    assert detail.estimate.n == len(y)


def test_stratified_srswor_matches_samplics_with_its_finite_population_correction():
    rng = np.random.default_rng(7)
    sizes = {"chat": 400, "code": 300, "search": 1000}
    sampled = {"chat": 20, "code": 25, "search": 15}
    strata = np.concatenate([[h] * m for h, m in sampled.items()])
    y = (rng.random(strata.size) < 0.3).astype(float)
    pi = np.array([sampled[h] / sizes[h] for h in strata])
    detail = weighted_proportion_detail(y, pi, strata, design="stratified-srswor")
    # samplics takes the correction factor 1 - n_h/N_h per stratum.
    value, se = samplics_mean(y, 1 / pi, strata, fpc={h: 1 - sampled[h] / sizes[h] for h in sizes})
    assert detail.estimate.value == pytest.approx(value, rel=1e-12)
    assert math.sqrt(detail.variance) == pytest.approx(se, rel=1e-9)
    assert detail.variance < weighted_proportion_detail(y, pi, strata).variance
    assert detail.population == pytest.approx(sum(sizes.values()))


def test_poisson_variance_estimates_the_spread_of_the_estimate():
    """Over repeated Poisson samples, the mean of the variance estimate is the variance of
    the estimate itself (within Monte Carlo error)."""
    rng = np.random.default_rng(11)
    fail = (rng.random(20_000) < 0.06).astype(float)
    score = np.exp(1.5 * fail + rng.normal(size=fail.size))
    pi = np.minimum(1.0, score * 400 / score.sum())
    estimates, variances = [], []
    for _ in range(400):
        take = rng.random(fail.size) < pi
        detail = weighted_proportion_detail(fail[take], pi[take], design="poisson")
        estimates.append(detail.estimate.value)
        variances.append(detail.variance)
    assert np.mean(variances) == pytest.approx(np.var(estimates), rel=0.15)
    assert np.mean(estimates) == pytest.approx(fail.mean(), abs=3 * np.std(estimates) / 20)


def test_equal_probabilities_give_the_raw_share_with_a_wilson_interval_on_n_minus_one():
    estimate = weighted_proportion([1, 0, 0, 1, 0, 0, 0, 0, 0, 1] * 3, [0.2] * 30)
    assert estimate.value == pytest.approx(0.3)
    # equal weights: variance p(1-p)/(n-1), so the effective n is n - 1
    low, high = proportion_confint(9 * 29 / 30, 29, method="wilson")
    assert (estimate.low, estimate.high) == (pytest.approx(low), pytest.approx(high))


def test_oversampled_failures_are_weighted_down():
    # 10 failures drawn with probability 0.5, 10 passes with probability 0.01: production
    # holds 20 failures and 1,000 passes.
    estimate = weighted_proportion([1] * 10 + [0] * 10, [0.5] * 10 + [0.01] * 10)
    assert estimate.value == pytest.approx(20 / 1020)
    assert 0 < estimate.low < 20 / 1020 < estimate.high < 0.5


def test_all_pass_gives_one_with_an_interval_on_kishs_effective_n():
    pi = [0.5, 0.5, 0.1, 0.1, 0.05]
    detail = weighted_proportion_detail([1.0] * 5, pi)
    weights = [1 / p for p in pi]
    kish = sum(weights) ** 2 / sum(w * w for w in weights)
    assert detail.estimate.value == 1.0 and detail.estimate.high == 1.0
    assert detail.effective_n == pytest.approx(kish) and detail.kish_n == pytest.approx(kish)
    low, _ = proportion_confint(kish, kish, method="wilson")
    assert detail.estimate.low == pytest.approx(low)
    assert detail.estimate.low < 0.7  # Kish's n is about 2.4 here: a wide, honest interval


def test_all_fail_in_one_stratum_and_all_pass_in_another_is_not_a_point():
    # Each stratum is uniform, so the within-stratum variance is zero; the interval falls
    # back to Kish's effective n rather than claiming certainty.
    detail = weighted_proportion_detail([1, 1, 1, 0, 0, 0], [0.5, 0.5, 0.5, 0.1, 0.1, 0.1],
                                        ["bad", "bad", "bad", "good", "good", "good"])
    assert detail.variance == pytest.approx(0, abs=1e-30)
    assert detail.estimate.value == pytest.approx(6 / 36)
    assert detail.estimate.low < detail.estimate.value < detail.estimate.high
    assert detail.effective_n == pytest.approx(detail.kish_n)


def test_a_lonely_unit_in_a_stratum_still_contributes_variance():
    y, pi = [1, 0, 0, 0, 1], [0.5, 0.2, 0.2, 0.2, 0.3]
    strata = ["a", "a", "a", "a", "b"]  # b has one unit
    lonely = weighted_proportion_detail(y, pi, strata)
    w = np.array([1 / p for p in pi])
    share = (w * y).sum() / w.sum()
    z = w * (np.array(y) - share) / w.sum()
    za = z[:4]
    expected = 4 / 3 * ((za - za.mean()) ** 2).sum() + z[4] ** 2
    assert lonely.variance == pytest.approx(expected)


def test_one_unit_and_no_units():
    one = weighted_proportion([0], [0.01])
    assert one.value == 0 and one.low == 0 and one.high == pytest.approx(proportion_confint(0, 1, method="wilson")[1])
    none = weighted_proportion([], [])
    assert math.isnan(none.value) and none.reason == "no observations" and none.n == 0


@settings(max_examples=80, deadline=None, database=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.floats(1e-4, 1)), min_size=1, max_size=40),
       st.sampled_from(["with-replacement", "poisson", "stratified-srswor"]))
def test_the_interval_stays_in_the_unit_interval_around_the_estimate(units, design):
    y, pi = [u[0] for u in units], [u[1] for u in units]
    estimate = weighted_proportion(y, pi, [i % 2 for i in range(len(y))], design=design)
    assert 0 <= estimate.low <= estimate.value <= estimate.high <= 1


@pytest.mark.parametrize(("args", "kwargs", "words"), [
    (([1, 0], [0.5]), {}, "one inclusion probability per outcome"),
    (([1, 2], [0.5, 0.5]), {}, "outcomes[1] is 2"),
    (([1, 0], [0.5, 0.0]), {}, "probabilities[1] is 0.0; it must lie in (0, 1]"),
    (([1, 0], [0.5, 1.5]), {}, "probabilities[1] is 1.5"),
    (([1, None], [0.5, 0.5]), {}, "outcomes[1] is None, not a number"),
    (([1, 0], [0.5, 0.5], ["a"]), {}, "one stratum per unit"),
    (([1, 0], [0.5, 0.5]), {"design": "cluster"}, "design must be one of"),
    (([1, 0], [0.5, 0.5]), {"conf": 1.5}, "conf must be strictly between 0 and 1"),
])
def test_invalid_input_says_what_is_wrong(args, kwargs, words):
    with pytest.raises(InvalidInput, match=None) as raised:
        weighted_proportion(*args, **kwargs)
    assert words in str(raised.value)
