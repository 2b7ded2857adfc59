"""Sampling designs as pure functions: every design's first-order inclusion probabilities
match the empirical inclusion frequencies of many seeded draws, sizes are exact, and
allocations respect budgets and strata."""

from __future__ import annotations

import numpy as np
import pytest

from honing._errors import InvalidInput
from honing.sampling import Design, draw, largest_remainder, pps_probabilities, systematic_draw

REPEATS = 4000


def frequencies(design: Design, labels, weights, sds=None, repeats: int = REPEATS):
    """Empirical inclusion frequency of each unit over `repeats` draws with seeds 0..."""
    size = len(labels) if labels is not None else len(weights)
    hits = np.zeros(size)
    first = None
    for seed in range(repeats):
        result = draw(design, size, np.random.default_rng(seed), labels=labels, weights=weights, sds=sds)
        first = first if first is not None else result
        hits[result.drawn] += 1
        assert len(result.drawn) == len(set(result.drawn.tolist()))  # without replacement
    return first, hits / repeats


def assert_matches(pi: np.ndarray, freq: np.ndarray, repeats: int = REPEATS) -> None:
    # Five binomial standard errors per unit (plus a hair): a real bias of a few points fails.
    tolerance = 5 * np.sqrt(pi * (1 - pi) / repeats) + 1e-9
    assert np.all(np.abs(freq - pi) <= tolerance), np.max(np.abs(freq - pi) - tolerance)


def test_simple_random_gives_every_unit_n_over_n_and_the_exact_size():
    design = Design(kind="random", size=5)
    hits = np.zeros(25)
    for seed in range(REPEATS):
        result = draw(design, 25, np.random.default_rng(seed))
        assert len(result.drawn) == 5
        assert np.allclose(result.probabilities, 5 / 25)
        hits[result.drawn] += 1
    assert_matches(np.full(25, 0.2), hits / REPEATS)


def test_equal_weights_are_simple_random_sampling_too():
    first, freq = frequencies(Design(kind="priority", size=7), None, np.ones(40))
    assert np.allclose(first.probabilities, 7 / 40)
    assert_matches(first.probabilities, freq)


@pytest.mark.parametrize("allocation, budgets, size", [
    ("proportional", {}, 12),
    ("proportional", {"c": 3}, 12),
    ("neyman", {}, 12),
    ("fixed", {"a": 2, "b": 5, "c": 1}, None),
])
def test_stratified_probabilities_are_n_h_over_n_h(allocation, budgets, size):
    labels = ["a"] * 20 + ["b"] * 10 + ["c"] * 6
    sds = np.array([0.1, 0.5, 0.3]) if allocation == "neyman" else None
    design = Design(kind="stratified", size=size, stratify_by="intent", allocation=allocation,
                    budgets=budgets)
    first, freq = frequencies(design, labels, None, sds, repeats=2000)
    for stratum, (members, drawn) in first.strata.items():
        index = [k for k, s in enumerate(labels) if s == stratum]
        assert np.allclose(first.probabilities[index], drawn / members)
    if budgets:
        for stratum, budget in budgets.items():
            assert first.strata[stratum][1] == budget
    assert sum(d for _, d in first.strata.values()) == (size or sum(budgets.values()))
    assert_matches(first.probabilities, freq, repeats=2000)


def test_neyman_allocates_by_size_times_spread():
    labels = ["a"] * 50 + ["b"] * 50
    design = Design(kind="stratified", size=20, stratify_by="intent", allocation="neyman")
    result = draw(design, 100, np.random.default_rng(0), labels=labels, sds=np.array([0.1, 0.3]))
    assert result.strata == {"a": (50, 5), "b": (50, 15)}


def test_priority_weights_give_exact_pps_probabilities_with_certainty_units():
    rng = np.random.default_rng(5)
    weights = 1 + 4 * (rng.random(60) < 0.2) + 30 * (np.arange(60) == 3)
    design = Design(kind="priority", size=15)
    first, freq = frequencies(design, None, weights)
    pi = first.probabilities
    assert pi[3] == 1.0  # its share passes 1: taken for certain
    assert np.isclose(pi.sum(), 15) and pi.min() > 0
    rest = np.arange(60) != 3
    assert np.allclose(pi[rest], 14 * weights[rest] / weights[rest].sum())
    assert_matches(pi, freq)


def test_novelty_weights_within_strata_are_exact_too():
    rng = np.random.default_rng(2)
    weights = 0.05 + 0.95 * rng.random(30)
    labels = ["x"] * 18 + ["y"] * 12
    design = Design(kind="novelty", size=10, stratify_by="topic")
    first, freq = frequencies(design, labels, weights)
    assert_matches(first.probabilities, freq)


def test_pps_caps_iterate_until_no_share_passes_one():
    pi = pps_probabilities(np.array([100.0, 50.0, 1.0, 1.0, 1.0, 1.0]), 3)
    assert list(pi[:2]) == [1.0, 1.0] and np.allclose(pi[2:], 0.25)


def test_systematic_draw_refuses_probabilities_that_do_not_sum_to_a_size():
    with pytest.raises(ValueError, match="whole number"):
        systematic_draw(np.array([0.5, 0.7]), np.random.default_rng(0))


def test_largest_remainder_respects_caps_and_floors():
    counts = largest_remainder(np.array([90.0, 9.0, 1.0]), 10, np.array([90, 9, 1]), np.ones(3, dtype=int))
    assert counts.tolist() == [8, 1, 1]
    counts = largest_remainder(np.array([1.0, 1.0]), 5, np.array([1, 10]), np.zeros(2, dtype=int))
    assert counts.tolist() == [1, 4]


def test_the_same_seed_draws_the_same_sample_and_another_seed_does_not():
    design = Design(kind="priority", size=10)
    weights = np.linspace(1, 5, 100)
    one = draw(design, 100, np.random.default_rng(9), weights=weights).drawn
    assert np.array_equal(one, draw(design, 100, np.random.default_rng(9), weights=weights).drawn)
    assert not np.array_equal(one, draw(design, 100, np.random.default_rng(10), weights=weights).drawn)


@pytest.mark.parametrize("design, labels, message", [
    (Design(kind="random", size=11), None, "size 11 is larger than the frame (10 items)"),
    (Design(kind="stratified", size=4, stratify_by="f", budgets={"a": 9}), ["a"] * 5 + ["b"] * 5,
     "the budget of stratum 'a' (9) is larger than the stratum (5 items in the frame)"),
    (Design(kind="stratified", size=4, stratify_by="f", budgets={"zz": 1}), ["a"] * 10,
     "budget for stratum(s) 'zz', which the frame does not have"),
])
def test_bad_sizes_and_budgets_are_refused_saying_what(design, labels, message):
    with pytest.raises(InvalidInput) as caught:
        draw(design, 10, np.random.default_rng(0), labels=labels)
    assert message in caught.value.message


@pytest.mark.parametrize("options, message", [
    ({"kind": "stratified", "size": 5}, "needs a metadata field"),
    ({"kind": "random"}, "needs a size"),
    ({"kind": "random", "size": 5, "budgets": {"a": 1}}, "need strata"),
    ({"kind": "stratified", "stratify_by": "f", "allocation": "fixed"}, "needs a budget per stratum"),
    ({"kind": "priority", "size": 5, "weights": {"base": 0}}, "base weight > 0"),
    ({"kind": "priority", "size": 5, "weights": {"mood": 1}}, "unknown priority signal(s): mood"),
    ({"kind": "clustered", "size": 5}, "is not one of"),
])
def test_bad_designs_are_refused(options, message):
    with pytest.raises(InvalidInput) as caught:
        Design(**options)
    assert message in caught.value.message
