"""honing.stats against independent oracles: scipy and statsmodels (test-only dependencies),
published worked examples, brute force, and simulation for the intervals with no oracle."""

from __future__ import annotations

import importlib
import inspect
import math
import statistics
import subprocess
import sys
from decimal import Decimal, localcontext

import numpy as np
import pytest
import scipy.stats
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.descriptivestats import sign_test
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize

from honing._errors import InvalidInput
from honing.stats import (
    Estimate,
    Undefined,
    binomial_two_sided_p,
    cohens_h,
    correlation_interval,
    kendall,
    kendall_tau_b,
    mcnemar_exact_p,
    median,
    paired_bootstrap,
    proportion,
    quantile,
    reason_undefined,
    sign_test_p,
    spearman,
    spearman_rho,
    wilson_interval,
)
from honing.stats._ranks import count_inversions

FAST = settings(max_examples=100, deadline=None)
FEW = settings(max_examples=40, deadline=None)

confs = st.floats(0.5, 0.999)


def close(a: float, b: float, tol: float = 1e-12) -> bool:
    return abs(a - b) <= tol


def is_undefined(value: float, *words: str) -> bool:
    reason = reason_undefined(value)
    return math.isnan(value) and reason is not None and all(w in reason for w in words)


# --- the package surface -------------------------------------------------------------------

def test_all_is_exactly_the_public_names():
    module = importlib.import_module("honing.stats")
    public = {n for n, v in vars(module).items()
              if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"}
    assert set(module.__all__) == public
    assert {"Undefined", "Estimate", "reason_undefined"} <= public


def test_runtime_needs_neither_scipy_nor_statsmodels():
    code = ("import sys, honing.stats as s; s.spearman([1, 2, 3, 4], [1, 3, 2, 4]); "
            "s.paired_bootstrap([1, 2, 3], [2, 2, 4]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'statsmodels')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- Wilson interval and proportions ---------------------------------------------------------

@st.composite
def counts(draw, max_n: int = 10**6):
    n = draw(st.one_of(st.integers(1, 30), st.integers(1, max_n)))
    k = draw(st.one_of(st.integers(0, n), st.sampled_from([0, n])))
    return k, n


@FAST
@given(counts(), confs)
def test_wilson_matches_statsmodels(kn, conf):
    k, n = kn
    low, high = wilson_interval(k, n, conf)
    ref_low, ref_high = proportion_confint(k, n, alpha=1 - conf, method="wilson")
    assert close(low, ref_low) and close(high, ref_high)
    assert 0 <= low <= k / n <= high <= 1


@pytest.mark.parametrize("k, n, low, high", [
    # R. G. Newcombe, Statistics in Medicine 17:857-872 (1998), Table II, method 3.
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_newcombe_worked_examples(k, n, low, high):
    got = wilson_interval(k, n)
    assert round(got[0], 4) == low and round(got[1], 4) == high


def test_wilson_bounds_are_exact_at_the_edges():
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == 1.0


def test_wilson_with_no_observations_is_undefined():
    low, high = wilson_interval(0, 0)
    assert is_undefined(low, "no observations") and is_undefined(high, "no observations")


@pytest.mark.parametrize("k, n, conf, words", [
    (5, 3, 0.95, "at most n"),
    (-1, 3, 0.95, "negative"),
    (1.5, 3, 0.95, "whole number"),
    (True, 3, 0.95, "whole number"),
    (1, 3, 1.0, "conf"),
    (1, 3, 0.0, "conf"),
    (1, 3, math.nan, "conf"),
])
def test_wilson_rejects_invalid_input(k, n, conf, words):
    with pytest.raises(InvalidInput, match=words):
        wilson_interval(k, n, conf)


def test_proportion_is_k_over_n_with_its_wilson_interval():
    estimate = proportion(8, 10, conf=0.9)
    assert isinstance(estimate, Estimate)
    assert (estimate.value, estimate.n, estimate.conf, estimate.method) == (0.8, 10, 0.9, "wilson")
    assert (estimate.low, estimate.high) == wilson_interval(8, 10, 0.9)
    assert estimate.reason is None


def test_proportion_of_nothing_is_undefined_with_reason():
    estimate = proportion(0, 0)
    assert is_undefined(estimate.value, "no observations")
    assert estimate.as_dict() == {"value": None, "low": None, "high": None, "n": 0,
                                  "conf": 0.95, "method": "wilson", "reason": "no observations"}


# --- Cohen's h ---------------------------------------------------------------------------------

@FAST
@given(st.floats(0, 1), st.floats(0, 1))
def test_cohens_h_matches_statsmodels(p1, p2):
    assert close(cohens_h(p1, p2), float(proportion_effectsize(p1, p2)))


def test_cohens_h_known_values():
    # φ = 2·asin(√p): φ(1) = π, φ(1/2) = π/2, φ(0) = 0 (Cohen 1988, §6.2).
    assert cohens_h(1, 0) == pytest.approx(math.pi, abs=1e-15)
    assert cohens_h(0.5, 0) == pytest.approx(math.pi / 2, abs=1e-15)
    assert cohens_h(0.3, 0.3) == 0.0


def test_cohens_h_propagates_an_undefined_proportion_and_rejects_out_of_range():
    assert is_undefined(cohens_h(proportion(0, 0).value, 0.4), "p1", "no observations")
    assert is_undefined(cohens_h(0.4, math.nan), "p2")
    with pytest.raises(InvalidInput, match="p2 must be a probability"):
        cohens_h(0.5, 1.2)
    with pytest.raises(InvalidInput, match="p1 must be a probability"):
        cohens_h("0.5", 0.2)


# --- the exact binomial test ---------------------------------------------------------------

def agrees_with_binomtest(k: int, n: int, p: float) -> None:
    got, ref = binomial_two_sided_p(k, n, p), scipy.stats.binomtest(k, n, p).pvalue
    # 1e-12 absolute everywhere, and 1e-10 relative for small p-values: scipy's own value is
    # off by up to ~2e-12 relative, and below ~1e-250 its binom.cdf can underflow to 0 and
    # drop a whole tail (see the exact-arithmetic test below), so it is no oracle there.
    assert abs(got - ref) <= 1e-12
    assert ref < 1e-200 or abs(got - ref) <= 1e-10 * ref


def exact_two_sided_p(k: int, n: int, p: float) -> Decimal:
    """The definition itself in 60-digit decimal arithmetic: the total probability of every
    outcome at most (1 + 1e-7) times as likely as the observed one."""
    p_ = Decimal(p)
    q_ = 1 - p_
    term, pmf = q_**n, []
    for j in range(n + 1):
        pmf.append(term)
        term = term * (n - j) / (j + 1) * p_ / q_
    bound = pmf[k] * Decimal(1 + 1e-7)
    return sum(value for value in pmf if value <= bound)


@pytest.mark.parametrize("k, n, p", [
    (3, 15, 0.1), (60, 100, 0.5), (30, 2000, 0.03), (0, 5000, 0.001), (700, 1000, 0.72),
    # scipy is off by 1.9e-12 relative here:
    (4, 74011, 0.0002545621957681827),
    (49_700, 100_000, 0.5),
    # scipy says 1.62e-258: binom.cdf(38, 1000, 0.53125) underflows to 0, losing the lower tail.
    (993, 1000, 0.53125),
])
def test_binomial_p_against_exact_decimal_arithmetic(k, n, p):
    with localcontext() as context:
        context.prec = 60
        exact = exact_two_sided_p(k, n, p)
        assert abs((Decimal(binomial_two_sided_p(k, n, p)) - exact) / exact) < Decimal("1e-13")


# scipy's pmf overflows for p near the smallest normal double, so the oracle sees p >= 1e-12.
probabilities = st.one_of(st.just(0.5), st.floats(1e-12, 1 - 1e-12), st.sampled_from([0.0, 1.0]))


@FAST
@given(counts(max_n=60), probabilities)
def test_binomial_p_matches_scipy_small_n(kn, p):
    agrees_with_binomtest(*kn, p)


@pytest.mark.parametrize("p", [2.2250738585072014e-308, 1e-300, 1e-20])
def test_binomial_p_with_a_vanishing_p(p):
    # Beyond scipy's reach, but the answer is known: P(X >= k) ≈ C(4, k)·p^k.
    assert binomial_two_sided_p(0, 4, p) == 1.0
    assert binomial_two_sided_p(1, 4, p) == pytest.approx(4 * p, rel=1e-12)
    assert binomial_two_sided_p(2, 4, p) == pytest.approx(6 * p * p, rel=1e-12)


@FAST
@given(st.data(), st.integers(1000, 100_000), st.one_of(st.just(0.5), st.floats(0.001, 0.999)))
def test_binomial_p_matches_scipy_large_n(data, n, p):
    # Mostly near the mean, where the p-value is not simply 0 and both tails matter.
    sd = math.sqrt(n * p * (1 - p))
    near = st.integers(max(0, int(n * p - 5 * sd)), min(n, int(n * p + 5 * sd)))
    k = data.draw(st.one_of(near, near, st.integers(0, n)))
    agrees_with_binomtest(k, n, p)


def test_binomial_p_scipy_documented_example():
    # scipy.stats.binomtest docs: 3 of 15 defective with a claimed rate of 10%.
    assert binomial_two_sided_p(3, 15, 0.1) == pytest.approx(0.18406106910639114, abs=1e-15)


def test_binomial_p_at_n_100000_is_fast_and_exact_enough():
    assert binomial_two_sided_p(50_000, 100_000) == 1.0
    agrees_with_binomtest(49_700, 100_000, 0.5)
    agrees_with_binomtest(0, 100_000, 0.5)  # 2·2^-100000 underflows to 0 on both sides


def test_binomial_p_with_no_trials_is_one():
    assert binomial_two_sided_p(0, 0, 0.3) == 1.0


@pytest.mark.parametrize("k, n, p, words", [
    (4, 3, 0.5, "at most n"), (1, 3, 1.5, "probability"), (1, 3, math.nan, "probability"),
    (1, -3, 0.5, "negative"), (0.5, 3, 0.5, "whole number"),
])
def test_binomial_p_rejects_invalid_input(k, n, p, words):
    with pytest.raises(InvalidInput, match=words):
        binomial_two_sided_p(k, n, p)


# --- McNemar and the sign test --------------------------------------------------------------

@FAST
@given(st.one_of(st.integers(0, 40), st.integers(0, 5000)),
       st.one_of(st.integers(0, 40), st.integers(0, 5000)))
def test_mcnemar_matches_statsmodels(b, c):
    ref = mcnemar([[0, b], [c, 0]], exact=True).pvalue
    got = mcnemar_exact_p(b, c)
    assert abs(got - ref) <= 1e-12 and (ref < 1e-290 or abs(got - ref) <= 1e-9 * ref)


def test_mcnemar_published_example():
    # Fagerland, Lydersen & Laake, BMC Med. Res. Methodol. 13:91 (2013): airway
    # hyper-responsiveness before/after, b = 1, c = 7; exact conditional p = 0.070
    # (= 2·(1 + 8)/2^8).
    assert mcnemar_exact_p(1, 7) == pytest.approx(18 / 256, abs=1e-15)
    assert round(mcnemar_exact_p(7, 1), 3) == 0.070


def test_mcnemar_without_discordant_pairs_is_one():
    assert mcnemar_exact_p(0, 0) == 1.0 == mcnemar([[5, 0], [0, 7]], exact=True).pvalue


def test_mcnemar_rejects_invalid_counts():
    with pytest.raises(InvalidInput, match="c must not be negative"):
        mcnemar_exact_p(3, -1)


small_numbers = st.integers(-3, 3).map(float)


@FAST
@given(st.lists(st.tuples(small_numbers, small_numbers), min_size=1, max_size=80))
def test_sign_test_matches_statsmodels_and_scipy(pairs):
    x, y = map(list, zip(*pairs))
    differences = np.subtract(y, x)
    nonzero = differences[differences != 0]
    assume(nonzero.size > 0)  # statsmodels raises there; see the convention test below
    got = sign_test_p(x, y)
    assert close(got, sign_test(differences)[1])
    assert close(got, scipy.stats.binomtest(int((nonzero > 0).sum()), nonzero.size).pvalue)


def test_sign_test_zar_deer_legs():
    # Zar, Biostatistical Analysis (the Wikipedia "Sign test" example): hind vs fore leg
    # length of 10 deer; 8 positive and 2 negative differences, p = 2·56/1024.
    hind = [142, 140, 144, 144, 142, 146, 149, 150, 142, 148]
    fore = [138, 136, 147, 139, 143, 141, 143, 145, 136, 146]
    assert sign_test_p(fore, hind) == pytest.approx(0.109375, abs=1e-15)


def test_sign_test_drops_missing_pairs_and_zero_differences():
    x = [1, 2, None, 4, 5, math.nan, 7]
    y = [2, 2, 9, 5, 6, 1, 8]
    assert sign_test_p(x, y) == sign_test_p([1, 4, 5, 7], [2, 5, 6, 8])
    assert sign_test_p([1, 2, 3], [1, 2, 3]) == 1.0  # no non-zero difference: no evidence
    assert sign_test_p([], []) == 1.0


def test_sign_test_rejects_unpaired_or_non_numeric_input():
    with pytest.raises(InvalidInput, match="x has 3 values, y has 2"):
        sign_test_p([1, 2, 3], [1, 2])
    with pytest.raises(InvalidInput, match=r"y\[1\] is 'b', not a number"):
        sign_test_p([1, 2], [1, "b"])
    with pytest.raises(InvalidInput, match=r"x\[0\] is infinite"):
        sign_test_p([math.inf, 2], [1, 2])


# --- rank correlations -------------------------------------------------------------------------

tied = st.integers(0, 5).map(float)
continuous = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def paired_samples(draw, max_size: int = 60):
    values = draw(st.sampled_from([tied, continuous]))
    pairs = draw(st.lists(st.tuples(values, values), min_size=2, max_size=max_size))
    x, y = map(list, zip(*pairs))
    return x, y


def varies(values) -> bool:
    return len(set(values)) > 1


@FAST
@given(paired_samples())
def test_spearman_matches_scipy(xy):
    x, y = xy
    assume(varies(x) and varies(y))
    assert close(spearman_rho(x, y), scipy.stats.spearmanr(x, y).statistic)


@FAST
@given(paired_samples())
def test_kendall_matches_scipy(xy):
    x, y = xy
    assume(varies(x) and varies(y))
    assert close(kendall_tau_b(x, y), scipy.stats.kendalltau(x, y, variant="b").statistic)


def test_kendall_and_spearman_match_scipy_at_large_n():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 300, 20_000).astype(float)
    y = np.round(x + rng.normal(0, 80, x.size), -1)
    assert close(kendall_tau_b(x, y), scipy.stats.kendalltau(x, y).statistic)
    assert close(spearman_rho(x, y), scipy.stats.spearmanr(x, y).statistic)


@FAST
@given(st.lists(st.integers(0, 6), max_size=60))
def test_inversion_count_matches_brute_force(values):
    brute = sum(values[i] > values[j]
                for i in range(len(values)) for j in range(i + 1, len(values)))
    assert count_inversions(np.array(values)) == brute


def test_spearman_wikipedia_worked_example():
    # Wikipedia, "Spearman's rank correlation coefficient": IQ against hours of TV per week,
    # ρ = 1 − 6·194/(10·99) = −29/165.
    iq = [106, 100, 86, 101, 99, 103, 97, 113, 112, 110]
    tv = [7, 27, 2, 50, 28, 29, 20, 12, 6, 17]
    assert spearman_rho(iq, tv) == pytest.approx(-29 / 165, abs=1e-15)


def test_kendall_scipy_documented_example():
    # scipy.stats.kendalltau docs: tau-b = −0.47140452079103173 (= −√2/3).
    assert kendall_tau_b([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) == pytest.approx(
        -math.sqrt(2) / 3, abs=1e-15)


def test_correlations_drop_missing_pairs():
    x = [1, 2, None, 4, 5, 6, math.nan]
    y = [2, 1, 3, math.nan, 5, 7, 1]
    assert spearman_rho(x, y) == spearman_rho([1, 2, 5, 6], [2, 1, 5, 7])
    assert kendall_tau_b(x, y) == kendall_tau_b([1, 2, 5, 6], [2, 1, 5, 7])
    assert spearman([1, 2, None, 4, 5], [1, 3, 2, 5, None]).n == 3


@pytest.mark.parametrize("x, y, words", [
    ([], [], "fewer than 2"),
    ([1], [2], "fewer than 2"),
    ([1, None, 3], [None, 2, None], "fewer than 2"),
    ([3, 3, 3], [1, 2, 3], "x is constant"),
    ([1, 2, 3], [4, 4, 4], "y is constant"),
])
def test_undefined_correlations_say_why(x, y, words):
    assert is_undefined(spearman_rho(x, y), words)
    assert is_undefined(kendall_tau_b(x, y), words)
    for estimate in (spearman(x, y), kendall(x, y)):
        assert is_undefined(estimate.value, words)
        assert math.isnan(estimate.low) and math.isnan(estimate.high)
        assert words in estimate.as_dict()["reason"]


def test_correlations_reject_unpaired_input():
    with pytest.raises(InvalidInput, match="paired"):
        spearman_rho([1, 2, 3], [1, 2])
    with pytest.raises(InvalidInput, match="paired"):
        kendall([1, 2, 3], [1, 2])


# --- Fisher-z intervals -----------------------------------------------------------------------

@FAST
@given(st.lists(st.tuples(continuous, continuous), min_size=4, max_size=50), confs)
def test_pearson_interval_matches_scipy(pairs, conf):
    x, y = map(np.array, zip(*pairs))
    assume(np.ptp(x) > 1e-3 * (np.abs(x).max() + 1) and np.ptp(y) > 1e-3 * (np.abs(y).max() + 1))
    result = scipy.stats.pearsonr(x, y)
    assume(abs(result.statistic) < 1 - 1e-9)
    ref = result.confidence_interval(confidence_level=conf)
    low, high = correlation_interval(float(result.statistic), x.size, conf, method="pearson")
    assert close(low, ref.low, 1e-9) and close(high, ref.high, 1e-9)


@pytest.mark.parametrize("method, coefficient, truth", [
    # Bivariate normal with correlation ρ: Spearman's ρs = (6/π)·asin(ρ/2),
    # Kendall's τ = (2/π)·asin(ρ) (Kendall & Gibbons, Rank Correlation Methods).
    ("spearman", spearman, lambda r: 6 / math.pi * math.asin(r / 2)),
    ("kendall", kendall, lambda r: 2 / math.pi * math.asin(r)),
])
def test_rank_correlation_intervals_cover_the_truth(method, coefficient, truth):
    rng = np.random.default_rng(2024)
    rho, n, replicates = 0.6, 40, 300
    covariance = [[1, rho], [rho, 1]]
    covered = 0
    for _ in range(replicates):
        x, y = rng.multivariate_normal([0, 0], covariance, n).T
        estimate = coefficient(x, y)
        covered += estimate.low <= truth(rho) <= estimate.high
    # Nominal 95%; binomial noise over 300 replicates is about ±2.5 points.
    assert 0.90 <= covered / replicates <= 0.99


def test_correlation_interval_shape():
    narrow = correlation_interval(0.4, 400)
    wide = correlation_interval(0.4, 40)
    assert wide[0] < narrow[0] < 0.4 < narrow[1] < wide[1]
    mirrored = correlation_interval(-0.4, 40)
    assert close(mirrored[0], -wide[1]) and close(mirrored[1], -wide[0])
    # Bonett-Wright's Spearman SE exceeds Fisher's Pearson SE whenever r != 0.
    pearson = correlation_interval(0.4, 40, method="pearson")
    assert wide[0] < pearson[0] and pearson[1] < wide[1]


@pytest.mark.parametrize("r, n, method, words", [
    (0.3, 3, "spearman", "at least 4 pairs"),
    (0.3, 4, "kendall", "at least 5 pairs"),
    (1.0, 50, "spearman", "|r| = 1"),
    (-1.0, 50, "kendall", "|r| = 1"),
    (Undefined("x is constant"), 50, "spearman", "x is constant"),
])
def test_correlation_interval_undefined_cases(r, n, method, words):
    low, high = correlation_interval(r, n, method=method)
    assert is_undefined(low, words) and is_undefined(high, words)


@pytest.mark.parametrize("r, n, conf, method, words", [
    (1.2, 10, 0.95, "spearman", "between -1 and 1"),
    (0.2, 10, 0.95, "tau", "method must be one of"),
    (0.2, 10, 95, "spearman", "conf"),
    (0.2, -1, 0.95, "spearman", "negative"),
])
def test_correlation_interval_rejects_invalid_input(r, n, conf, method, words):
    with pytest.raises(InvalidInput, match=words):
        correlation_interval(r, n, conf, method=method)


def test_perfect_rank_correlation_has_a_value_but_no_interval():
    estimate = spearman([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert estimate.value == 1.0 and estimate.n == 5
    assert is_undefined(estimate.low, "|r| = 1")


# --- paired bootstrap -------------------------------------------------------------------------

def test_bootstrap_is_deterministic_given_a_seed():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=60), rng.normal(size=60)
    assert paired_bootstrap(x, y, seed=3) == paired_bootstrap(list(x), list(y), seed=3)
    assert paired_bootstrap(x, y, seed=3) != paired_bootstrap(x, y, seed=4)


def test_bootstrap_default_statistic_equals_the_same_statistic_passed_in():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=50), rng.normal(0.2, 1, size=50)
    default = paired_bootstrap(x, y, n_resamples=500, seed=9)
    custom = paired_bootstrap(x, y, lambda a, b: b.mean() - a.mean(), n_resamples=500, seed=9)
    assert close(default.value, custom.value) and close(default.low, custom.low)
    assert close(default.high, custom.high)
    assert default.value == pytest.approx(y.mean() - x.mean(), abs=1e-12)
    assert default.method == "paired bootstrap (percentile)" and default.n == 50


def test_bootstrap_covers_the_true_difference():
    rng = np.random.default_rng(11)
    covered = 0
    for _ in range(50):
        x = rng.normal(0, 1, 40)
        y = x + rng.normal(0.3, 0.5, 40)  # paired: true mean difference 0.3
        estimate = paired_bootstrap(x, y, n_resamples=1000, seed=int(rng.integers(1 << 30)))
        covered += estimate.low <= 0.3 <= estimate.high
    assert covered / 50 >= 0.85


def test_bootstrap_interval_narrows_as_n_grows():
    rng = np.random.default_rng(5)
    widths = []
    for n in (25, 100, 400, 1600):
        x = rng.normal(0, 1, n)
        estimate = paired_bootstrap(x, x + rng.normal(0.1, 1, n), seed=0)
        widths.append(estimate.high - estimate.low)
    assert widths == sorted(widths, reverse=True)
    assert widths[-1] < widths[0] / 4  # ~1/√n: 64× the data, ~8× narrower


def test_bootstrap_agrees_with_scipy_within_resampling_noise():
    rng = np.random.default_rng(8)
    x = rng.normal(size=80)
    y = x + rng.normal(0.25, 1, size=80)
    ours = paired_bootstrap(x, y, n_resamples=20_000, seed=1)
    ref = scipy.stats.bootstrap((x, y), lambda a, b, axis=-1: b.mean(axis) - a.mean(axis),
                                paired=True, method="percentile", n_resamples=20_000,
                                random_state=1).confidence_interval
    width = ref.high - ref.low
    assert abs(ours.low - ref.low) < 0.05 * width and abs(ours.high - ref.high) < 0.05 * width


def test_bootstrap_drops_missing_pairs():
    x = [1.0, 2.0, None, 4.0, 3.0]
    y = [1.5, math.nan, 2.0, 4.5, 3.0]
    assert paired_bootstrap(x, y, seed=1) == paired_bootstrap([1, 4, 3], [1.5, 4.5, 3], seed=1)


def test_bootstrap_undefined_cases():
    estimate = paired_bootstrap([1.0, None], [2.0, 3.0])
    assert estimate.n == 1 and is_undefined(estimate.value, "fewer than 2")
    assert is_undefined(estimate.low, "fewer than 2")
    # A statistic that is NaN in some resamples (all-equal x) leaves the interval undefined.
    odd = paired_bootstrap([1, 2, 3], [1, 2, 3], lambda a, b: spearman_rho(a, b), seed=0)
    assert odd.value == 1.0 and is_undefined(odd.low, "undefined in", "resamples")
    flat = paired_bootstrap([2, 2, 2], [1, 2, 3], lambda a, b: spearman_rho(a, b))
    assert is_undefined(flat.value, "x is constant")
    bare = paired_bootstrap([1, 2, 3], [1, 2, 3], lambda a, b: math.nan)
    assert is_undefined(bare.value, "undefined (NaN) on the observed pairs")


def test_bootstrap_rejects_invalid_input():
    with pytest.raises(InvalidInput, match="n_resamples"):
        paired_bootstrap([1, 2], [1, 2], n_resamples=0)
    with pytest.raises(InvalidInput, match="conf"):
        paired_bootstrap([1, 2], [1, 2], conf=1.5)
    with pytest.raises(InvalidInput, match="x has 2 values, y has 3"):
        paired_bootstrap([1, 2], [1, 2, 3])


# --- median and quantiles ---------------------------------------------------------------------

sample = st.lists(st.floats(-1e9, 1e9), min_size=1, max_size=60)


@FAST
@given(sample)
def test_median_matches_statistics(values):
    assert median(values) == statistics.median(values)


@FAST
@given(sample, st.floats(0, 1))
def test_quantile_matches_numpy_default(values, q):
    ref = float(np.quantile(values, q))
    assert close(quantile(values, q), ref, 1e-12 * max(1.0, abs(ref)))


@FAST
@given(sample)
def test_quantile_ends_are_the_extremes(values):
    assert quantile(values, 0) == min(values) and quantile(values, 1) == max(values)


def test_summaries_drop_missing_values_and_are_undefined_when_empty():
    assert median([3, None, 1, math.nan, 2]) == 2.0
    assert quantile([10, None, 20], 0.5) == 15.0
    assert is_undefined(median([]), "no values")
    assert is_undefined(quantile([None, math.nan], 0.95), "no values")


@pytest.mark.parametrize("q", [-0.1, 1.5, math.nan, "0.5"])
def test_quantile_rejects_invalid_levels(q):
    with pytest.raises(InvalidInput, match="q must be a quantile level"):
        quantile([1, 2, 3], q)


def test_summaries_reject_non_numbers():
    with pytest.raises(InvalidInput, match=r"values\[1\] is 'x'"):
        median([1, "x"])
    with pytest.raises(InvalidInput, match="sequence of numbers"):
        median("123")
