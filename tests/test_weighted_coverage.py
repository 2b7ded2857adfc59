"""Coverage of the design-weighted interval by simulation (every interval used for a
decision gets one): a production population of 100,000 items in 5 strata with known
failure rates, reviews that oversample failures, and how often the 95% interval covers
the true production failure rate, next to the raw sample rate that such a review would
otherwise report.

Designs simulated, each with inclusion probabilities the estimator is told:
- priority by a noisy signal correlated with failure (a thumbs-down, a low judge score):
  Poisson sampling with π_i proportional to exp(signal), expected size n;
- stratified simple random sampling with risky strata oversampled (n_h fixed per stratum).
"""

from __future__ import annotations

import numpy as np
import pytest

from honing.stats import proportion, weighted_proportion

SIZES = np.array([40_000, 30_000, 15_000, 10_000, 5_000])
RATES = np.array([0.01, 0.03, 0.08, 0.15, 0.30])
REPETITIONS = 300


def population(seed: int, rates: np.ndarray = RATES) -> tuple[np.ndarray, np.ndarray]:
    """(stratum, failed) per item; the realised failure rate is the truth to cover."""
    rng = np.random.default_rng(seed)
    strata = np.repeat(np.arange(SIZES.size), SIZES)
    failed = (rng.random(strata.size) < np.repeat(rates, SIZES)).astype(float)
    return strata, failed


def priority_probabilities(failed: np.ndarray, n: int, seed: int) -> np.ndarray:
    """π_i ∝ exp(signal), the signal a unit-variance noise around 1.5 for failures and 0
    for passes, scaled to an expected n and capped at 1 (the excess spread again)."""
    rng = np.random.default_rng(seed)
    score = np.exp(1.5 * failed + rng.normal(size=failed.size))
    pi = score * n / score.sum()
    for _ in range(10):
        pi = np.minimum(1.0, pi * n / np.minimum(1.0, pi).sum())
    return np.minimum(1.0, pi)


def simulate_priority(n: int, seed: int, rates: np.ndarray = RATES, design: str = "poisson") -> dict[str, float]:
    strata, failed = population(seed, rates)
    truth = failed.mean()
    pi = priority_probabilities(failed, n, seed + 1)
    rng = np.random.default_rng(seed + 2)
    covered = raw_covered = 0
    raw_rates = []
    for _ in range(REPETITIONS):
        take = rng.random(failed.size) < pi
        estimate = weighted_proportion(failed[take], pi[take], strata[take], design=design)
        covered += estimate.low <= truth <= estimate.high
        raw = proportion(int(failed[take].sum()), int(take.sum()))
        raw_covered += raw.low <= truth <= raw.high
        raw_rates.append(raw.value)
    return {"truth": truth, "coverage": covered / REPETITIONS, "raw_coverage": raw_covered / REPETITIONS,
            "raw_mean": float(np.nanmean(raw_rates))}


def test_acceptance_priority_review_of_1000_covers_production_and_the_raw_rate_does_not():
    found = simulate_priority(1000, seed=19)
    assert 0.04 < found["truth"] < 0.07  # 5.5% of production fails
    assert found["coverage"] >= 0.93
    # The raw rate of the review is biased: about four times production's, and its own
    # interval almost never covers the truth.
    assert found["raw_mean"] > 3 * found["truth"]
    assert found["raw_coverage"] <= 0.02


def test_the_with_replacement_variance_covers_a_poisson_draw_too():
    # What a queue without a recorded design gets: the conservative approximation.
    assert simulate_priority(1000, seed=23, design="with-replacement")["coverage"] >= 0.93


@pytest.mark.parametrize("n", [10, 30, 100])
def test_small_reviews_cover(n):
    # At n = 10 most reviews see one failure or none: the interval rests on Kish's n.
    assert simulate_priority(n, seed=100 + n)["coverage"] >= 0.93


@pytest.mark.parametrize(("rates", "n"), [
    (np.array([0.0, 0.0, 0.08, 1.0, 0.30]), 20),  # whole strata that all pass or all fail
    (np.array([0.0, 0.0, 0.08, 1.0, 0.30]), 200),
    (np.array([0.0, 0.0, 0.0, 0.0, 0.002]), 50),  # failures so rare most reviews see none
])
def test_degenerate_cells_cover(rates, n):
    assert simulate_priority(n, seed=300 + n, rates=rates)["coverage"] >= 0.93


@pytest.mark.parametrize("per_stratum", [(20, 20, 20, 20, 20), (100, 100, 200, 250, 350), (2, 2, 3, 3, 5)])
def test_stratified_review_with_risky_strata_oversampled_covers(per_stratum):
    strata, failed = population(seed=sum(per_stratum))
    truth = failed.mean()
    rng = np.random.default_rng(7)
    members = [np.flatnonzero(strata == h) for h in range(SIZES.size)]
    covered = raw_covered = 0
    for _ in range(REPETITIONS):
        take = np.concatenate([rng.choice(m, size=k, replace=False) for m, k in zip(members, per_stratum)])
        pi = np.array(per_stratum)[strata[take]] / SIZES[strata[take]]
        estimate = weighted_proportion(failed[take], pi, strata[take], design="stratified-srswor")
        covered += estimate.low <= truth <= estimate.high
        raw = proportion(int(failed[take].sum()), take.size)
        raw_covered += raw.low <= truth <= raw.high
    assert covered / REPETITIONS >= 0.93
    if per_stratum[-1] > 5 * per_stratum[0]:  # oversampled risky strata bias the raw rate
        assert raw_covered / REPETITIONS < 0.5
