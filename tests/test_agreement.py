"""honing.quality.agreement: published worked examples, undefined cases, bad input,
preference and ranking agreement, bootstrap intervals.

Comparisons against reference packages on random data are in test_agreement_oracles.py."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import kendalltau, spearmanr

from honing._errors import InvalidInput
from honing.quality.agreement import (
    _bootstrap,
    alpha_interval,
    bootstrap_agreement,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    krippendorff_alpha,
    percent_agreement,
    preference_agreement,
    ranking_agreement,
    scott_pi,
)

N = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with
# missing data: coders A-D (columns here) x units 1-12 (rows), "*" = None.
CODER_A = [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N]
CODER_B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3]
CODER_C = [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N]
CODER_D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]
KRIPPENDORFF_2011 = [list(unit) for unit in zip(CODER_A, CODER_B, CODER_C, CODER_D)]

# Wikipedia "Fleiss' kappa" worked example: 10 subjects x 5 categories, 14 raters each.
FLEISS_TABLE = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
                [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
                [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]

# Wikipedia "Cohen's kappa": 50 proposals; 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no.
COHEN_A = ["yes"] * 25 + ["no"] * 25
COHEN_B = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15


# -- published worked examples ----------------------------------------------------------

@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_2011_worked_example(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_krippendorff_example_as_array_and_as_labels():
    grid = np.array([[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_2011])
    assert krippendorff_alpha(grid, "interval") == pytest.approx(0.849, abs=5e-4)
    names = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    labels = [[None if v is None else names[v] for v in row] for row in KRIPPENDORFF_2011]
    order = [names[v] for v in range(1, 6)]
    assert round(krippendorff_alpha(labels, "ordinal", values=order), 3) == 0.815
    assert round(krippendorff_alpha(labels, "nominal"), 3) == 0.743


def test_fleiss_wikipedia_example():
    assert round(fleiss_kappa(FLEISS_TABLE), 3) == 0.210


def test_cohen_wikipedia_example():
    # p_o = 35/50 = .7; p_e = .5 * .6 + .5 * .4 = .5; kappa = (.7 - .5) / .5 = .4
    assert cohen_kappa(COHEN_A, COHEN_B) == pytest.approx(0.4, abs=1e-12)


def test_scott_pi_by_hand():
    # Pooled "yes": (25 + 30) / 100 = .55, "no" .45; p_e = .55^2 + .45^2 = .505; p_o = .7
    assert scott_pi(COHEN_A, COHEN_B) == pytest.approx((0.7 - 0.505) / (1 - 0.505), abs=1e-12)


def test_gwet_on_handbook_dataset():
    # Gwet's 4 raters x 12 units data (the same as Krippendorff's), as documented by irrCAC:
    # AC1 0.77544 and Fleiss' kappa 0.76117 (Gwet 2014, ch. 2).
    assert round(gwet_ac1(KRIPPENDORFF_2011), 5) == 0.77544
    counts = [[row.count(c) for c in range(1, 6)] for row in KRIPPENDORFF_2011]
    assert round(fleiss_kappa(counts), 5) == 0.76117


def test_percent_agreement_by_hand():
    # Item 1: 3 pairs, 1 agrees (x, x); item 2: 1 pair, agrees; item 3: no pair.
    assert percent_agreement([["x", "x", "y"], ["z", "z", None], ["x", None, None]]) == 0.5


# -- undefined statistics are NaN with a reason ----------------------------------------

def _undefined(value: float, *words: str) -> None:
    assert math.isnan(value)
    assert all(word in value.reason for word in words), value.reason


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_alpha_undefined_cases(level):
    _undefined(krippendorff_alpha([[3, 3], [3, 3], [3, None]], level), "same value")
    _undefined(krippendorff_alpha([[1, None], [None, 2]], level), "two or more ratings")
    _undefined(krippendorff_alpha([], level), "two or more ratings")
    _undefined(krippendorff_alpha([[1], [2], [3]], level), "two or more ratings")


def test_other_coefficients_undefined_cases():
    _undefined(percent_agreement([[1, None], [None, 2]]), "two or more ratings")
    _undefined(percent_agreement([]), "two or more ratings")
    _undefined(gwet_ac1([["a", "a"], ["a", "a"]]), "one category")
    _undefined(gwet_ac1([["a", None], [None, "b"]]), "two or more ratings")
    _undefined(fleiss_kappa([[3, 0], [3, 0]]), "chance")
    _undefined(fleiss_kappa([[1, 0], [0, 1]]), "two or more ratings")
    _undefined(fleiss_kappa([]), "no item")
    _undefined(cohen_kappa(["a", "a"], ["a", "a"]), "chance")
    _undefined(cohen_kappa(["a", None], [None, "b"]), "both raters")
    _undefined(cohen_kappa([], []), "both raters")
    _undefined(scott_pi(["a", "a"], ["a", "a"]), "chance")


def test_declared_categories_make_ac1_defined():
    # With a second possible category, chance agreement is defined: AC1 = p_a = 1.
    assert gwet_ac1([["a", "a"], ["a", "a"]], categories=["a", "b"]) == 1.0


# -- malformed input --------------------------------------------------------------------

@pytest.mark.parametrize(("call", "words"), [
    (lambda: krippendorff_alpha([[1, 2], [1, 2, 3]]), ["item 1", "3 entries"]),
    (lambda: krippendorff_alpha([[1, 2]], "cardinal"), ["level"]),
    (lambda: krippendorff_alpha([[1, 2], [1, "x"]], "nominal"), ["item 1, rater 1", "one kind"]),
    (lambda: krippendorff_alpha([["a", "b"], ["a", "a"]], "interval"),
     ["item 0, rater 0", "numeric"]),
    (lambda: krippendorff_alpha([[1, 2], [3, -1]], "ratio"), ["item 1, rater 1", "non-negative"]),
    (lambda: krippendorff_alpha([["lo", "hi"]], "ordinal"), ["values"]),
    (lambda: krippendorff_alpha([[1, 2], [7, 1]], "ordinal", values=[1, 2, 3]),
     ["item 1, rater 0"]),
    (lambda: krippendorff_alpha([[1, {}]]), ["item 0, rater 1", "dict"]),
    (lambda: krippendorff_alpha([[1, float("inf")]], "interval"), ["item 0, rater 1", "infinite"]),
    (lambda: krippendorff_alpha("abc"), ["list of items"]),
    (lambda: cohen_kappa([1, 2], [1]), ["2 labels", "1"]),
    (lambda: cohen_kappa([1, 2], [1, 2], weights="cubic"), ["weights"]),
    (lambda: cohen_kappa([1, 3], [1, 2], labels=[1, 2]), ["item 1, rater 0", "not in values"]),
    (lambda: fleiss_kappa([[1, 2], [1, -1]]), ["item 1, category 1"]),
    (lambda: fleiss_kappa([[1, 2], [1, 0.5]]), ["item 1, category 1"]),
    (lambda: gwet_ac2([[1, 2]], "cosine"), ["weights"]),
    (lambda: gwet_ac2([[1, 2]], [[1, 0], [0, 1], [0, 0]]), ["2 x 2"]),
    (lambda: gwet_ac2([[0, 2], [2, 2]], "ratio"), ["> 0"]),
    (lambda: preference_agreement([["A>B", "A>B"], ["tie", "A>=B"]]), ["item 1, rater 1", "A>=B"]),
    (lambda: preference_agreement([["A>B", 1]]), ["item 0, rater 1"]),
    (lambda: ranking_agreement([[["A", "B"], ["A", "A"]]]), ["item 0, rater 1", "twice"]),
    (lambda: ranking_agreement([[["A", "B"], "AB"]]), ["item 0, rater 1"]),
    (lambda: ranking_agreement([[["A"], None], [None]]), ["item 1", "1 entries"]),
    (lambda: bootstrap_agreement(percent_agreement, [[1, 1]], n_resamples=-1), ["n_resamples"]),
    (lambda: alpha_interval([[1, 1]], "nominal", conf=95), ["conf"]),
])
def test_bad_input_names_the_problem(call, words):
    with pytest.raises(InvalidInput) as error:
        call()
    assert all(word in str(error.value) for word in words), str(error.value)


def test_nan_and_none_are_both_missing():
    with_none = [[1, 2, None], [2, 2, 3], [None, 1, 1]]
    with_nan = [[1, 2, float("nan")], [2, 2, 3], [np.nan, 1, 1]]
    assert krippendorff_alpha(with_none, "interval") == krippendorff_alpha(with_nan, "interval")
    text_with_nan = [["a", "b", float("nan")], ["b", "b", "c"], [None, "a", "a"]]
    text_with_none = [["a", "b", None], ["b", "b", "c"], [None, "a", "a"]]
    assert krippendorff_alpha(text_with_nan) == krippendorff_alpha(text_with_none)


# -- preference agreement ---------------------------------------------------------------

def test_preference_agreement_by_hand():
    result = preference_agreement([["tie", "tie"], ["A>>B", "A>B"], ["tie", "A>B"],
                                   ["B>A", "B>A"], ["B>>A", None]])
    # Direction values of the 4 pairable items: (t,t) (A,A) (t,A) (B,B); the last item has
    # one answer and is not pairable. n = 8, n_t = 3, n_A = 3, n_B = 2. Coincidences off
    # the diagonal: o_tA = o_At = 1, so n*D_o = 2; n(n-1)*D_e = 64 - (9 + 9 + 4) = 42;
    # alpha = 1 - 7 * 2 / 42 = 2/3.
    assert result.direction_alpha == pytest.approx(2 / 3, abs=1e-12)
    # Strength values 0 0 | -2 -1 | 0 -1 | 1 1: n_-2 = 1, n_-1 = 2, n_0 = 3, n_1 = 2.
    # Mid-cumulative frequencies a = cum - n/2: a_-2 = .5, a_-1 = 2, a_0 = 4.5, a_1 = 7,
    # ordinal distance (a_c - a_k)^2. n*D_o = 2 * [(2 - .5)^2 + (4.5 - 2)^2] = 17;
    # n(n-1)*D_e = 2 n sum_c n_c (a_c - mean)^2 with mean = (.5 + 4 + 13.5 + 14) / 8 = 4:
    # 2 * 8 * (12.25 + 8 + .75 + 18) = 624; alpha = 1 - 7 * 17 / 624.
    assert result.strength_alpha == pytest.approx(1 - 7 * 17 / 624, abs=1e-12)
    assert result.direction_agreement == 3 / 4  # (t,t) (A,A) (B,B) agree, (t,A) does not
    assert result.strength_agreement == 2 / 4  # only (tie, tie) and (B>A, B>A) are identical
    assert (result.n_items, result.n_pairs) == (4, 4)


def test_ties_are_their_own_direction_class():
    # If ties were dropped, the remaining pairs (A,A) and (B,B) would agree perfectly.
    result = preference_agreement([["tie", "A>B"], ["A>B", "A>B"], ["B>A", "B>>A"]])
    assert result.direction_agreement == 2 / 3
    assert result.direction_alpha < 1
    all_ties = preference_agreement([["tie", "tie"], ["tie", "tie"]])
    _undefined(all_ties.direction_alpha, "same value")
    assert all_ties.direction_agreement == 1.0


# -- ranking agreement ------------------------------------------------------------------

def test_ranking_agreement_by_hand():
    result = ranking_agreement([[["A", "B", "C"], ["A", "C", "B"], ["B", "A", "C"]]])
    # tau(1,2): AB +, AC +, BC - -> 1/3; tau(1,3): AB -, AC +, BC + -> 1/3;
    # tau(2,3): AB -, AC +, CB vs BC - -> -1/3; mean 1/9.
    assert result.mean_tau == pytest.approx(1 / 9, abs=1e-12)
    # Rank sums A 4, B 6, C 8, mean 6: S = 8; W = 12 * 8 / (3^2 * (27 - 3)) = 4/9.
    assert result.kendall_w == pytest.approx(4 / 9, abs=1e-12)
    assert (result.n_items, result.n_pairs) == (1, 3)


def test_ranking_ties_use_tau_b_and_the_tie_correction():
    first, second = ["A", ["B", "C"], "D"], ["A", "B", "C", "D"]
    result = ranking_agreement([[first, second]])
    oracle = kendalltau([1, 2.5, 2.5, 4], [1, 2, 3, 4], variant="b").statistic
    assert result.mean_tau == pytest.approx(oracle, abs=1e-12)
    # Rank sums 2, 4.5, 5.5, 8 around 5: S = 18.5; T = 2^3 - 2 = 6 for the tied pair;
    # W = 12 * 18.5 / (2^2 * (64 - 4) - 2 * 6) = 222 / 228.
    assert result.kendall_w == pytest.approx(222 / 228, abs=1e-12)


def test_ranking_w_matches_mean_spearman_without_ties():
    # Without ties, mean pairwise Spearman rho = (m W - 1) / (m - 1) (Kendall 1948).
    rng = np.random.default_rng(7)
    letters = list("ABCDE")
    rankings = [list(rng.permutation(letters)) for _ in range(4)]
    result = ranking_agreement([rankings])
    places = [[r.index(x) for x in letters] for r in rankings]
    rhos = [spearmanr(places[i], places[j]).statistic for i in range(4) for j in range(i + 1, 4)]
    assert np.mean(rhos) == pytest.approx((4 * result.kendall_w - 1) / 3, abs=1e-12)


def test_partial_rankings_give_tau_but_not_w():
    result = ranking_agreement([[["A", "B", "C"], ["C", "A"], None]])
    assert result.mean_tau == -1.0  # on the shared A and C they disagree
    _undefined(result.kendall_w, "same responses")
    _undefined(ranking_agreement([[["A", "B"], None], [None, ["A"]]]).mean_tau, "two rankings")


# -- bootstrap --------------------------------------------------------------------------

def test_bootstrap_contains_estimate_and_is_deterministic():
    first = alpha_interval(KRIPPENDORFF_2011, "ordinal", seed=3)
    again = alpha_interval(KRIPPENDORFF_2011, "ordinal", seed=3)
    other = alpha_interval(KRIPPENDORFF_2011, "ordinal", seed=4)
    assert first == again
    assert (other.low, other.high) != (first.low, first.high)
    assert first.low <= first.value <= first.high
    assert first.n == 11  # unit 12 has one value
    assert first.method == "bootstrap (items, percentile)"


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_fast_alpha_interval_equals_generic_bootstrap(level):
    rng = np.random.default_rng(11)
    grid = rng.integers(1, 6, size=(120, 4)).astype(float)
    grid[rng.random(grid.shape) < 0.3] = np.nan
    fast = alpha_interval(grid, level, n_resamples=300, seed=5)
    slow = bootstrap_agreement(lambda m: krippendorff_alpha(m, level), grid, n_resamples=300,
                               seed=5)
    assert fast.value == pytest.approx(slow.value, abs=1e-12)
    assert fast.low == pytest.approx(slow.low, abs=1e-12)
    assert fast.high == pytest.approx(slow.high, abs=1e-12)
    assert fast.n == slow.n == int(((~np.isnan(grid)).sum(axis=1) >= 2).sum())


@pytest.mark.parametrize("level", ["nominal", "ordinal"])
def test_alpha_interval_in_small_memory_blocks(level, monkeypatch):
    # With a tiny memory budget the fast path cannot hold every item's contribution and
    # computes one product per resample; draws come in many blocks. Same numbers.
    rng = np.random.default_rng(12)
    grid = rng.integers(1, 5, size=(60, 3)).astype(float)
    grid[rng.random(grid.shape) < 0.2] = np.nan
    expected = alpha_interval(grid, level, n_resamples=150, seed=9)
    monkeypatch.setattr(_bootstrap, "_BLOCK_CELLS", 100)
    blocked = alpha_interval(grid, level, n_resamples=150, seed=9)
    generic = bootstrap_agreement(lambda m: krippendorff_alpha(m, level), grid,
                                  n_resamples=150, seed=9)
    assert (blocked.low, blocked.high) == pytest.approx((generic.low, generic.high), abs=1e-12)
    assert blocked.value == expected.value


def test_alpha_interval_with_many_distinct_values_uses_per_resample_path():
    rng = np.random.default_rng(2)
    truth = rng.normal(size=(80, 1))
    grid = np.round(truth + 0.5 * rng.normal(size=(80, 3)), 3)
    fast = alpha_interval(grid, "interval", n_resamples=200, seed=1)
    slow = bootstrap_agreement(lambda m: krippendorff_alpha(m, "interval"), grid,
                               n_resamples=200, seed=1)
    assert (fast.low, fast.high) == pytest.approx((slow.low, slow.high), abs=1e-12)


def test_bootstrap_interval_is_nan_when_undefined():
    same = alpha_interval([[2, 2], [2, 2]], "nominal")
    _undefined(same.value, "same value")
    assert math.isnan(same.low) and math.isnan(same.high)
    # Defined on the full data (values 1 and 2 both pairable), but a resample is defined
    # only if it draws both item 0 and item 1: 1 - 2 * .9^10 + .8^10 = 41% of the time.
    mostly_undefined = [[1, 1], [2, 2]] + [[1, None]] * 8
    result = alpha_interval(mostly_undefined, "nominal", n_resamples=400)
    assert result.value == 1.0
    _undefined(result.low, "resamples were undefined")
    generic = bootstrap_agreement(krippendorff_alpha, mostly_undefined, n_resamples=400)
    _undefined(generic.high, "resamples were undefined")


def test_bootstrap_of_other_statistics():
    estimate = bootstrap_agreement(gwet_ac1, KRIPPENDORFF_2011, n_resamples=200)
    assert estimate.value == gwet_ac1(KRIPPENDORFF_2011)
    assert estimate.low <= estimate.value <= estimate.high
    assert estimate.n == 11


def _latent_class_ratings(rng: np.random.Generator, items: int, raters: int, keep: float,
                          p: np.ndarray) -> np.ndarray:
    """Each rater copies the item's true class with probability `keep`, else draws from p.

    Two ratings agree with probability keep^2 + (1 - keep^2) * sum(p^2), each rating has
    marginal p, so population alpha = 1 - D_o / D_e = keep^2."""
    truth = rng.choice(len(p), size=(items, 1), p=p)
    noise = rng.choice(len(p), size=(items, raters), p=p)
    return np.where(rng.random((items, raters)) < keep, truth, noise).astype(float)


def test_bootstrap_coverage_on_simulated_data():
    rng = np.random.default_rng(2024)
    p = np.array([0.5, 0.3, 0.2])
    true_alpha = 0.5
    covered = 0
    for _ in range(20):
        grid = _latent_class_ratings(rng, 200, 3, math.sqrt(true_alpha), p)
        grid[rng.random(grid.shape) < 0.15] = np.nan
        estimate = alpha_interval(grid, "nominal", n_resamples=400, seed=int(rng.integers(10**9)))
        covered += estimate.low <= true_alpha <= estimate.high
    assert covered >= 16  # nominal 95%: fewer than 16 of 20 would be very unlikely


def test_empty_and_all_missing_arrays():
    _undefined(krippendorff_alpha(np.zeros((0, 3))), "two or more ratings")
    _undefined(krippendorff_alpha(np.full((4, 3), np.nan), "interval"), "two or more ratings")
    _undefined(alpha_interval(np.zeros((0, 2)), "ordinal").value, "two or more ratings")
    assert math.isnan(alpha_interval(np.zeros((0, 2)), "ordinal").low)
