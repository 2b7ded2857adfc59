"""honing.quality.agreement against independent implementations, on random data with
missing ratings (Hypothesis): krippendorff (alpha), scikit-learn (Cohen's kappa),
statsmodels (Fleiss' kappa), irrCAC (Fleiss' kappa with unequal ratings, Gwet's AC1/AC2).

Where ours is NaN, the test checks independently that the data really leave the
coefficient undefined, rather than trusting the oracle's own NaN or exception."""

from __future__ import annotations

import math
import warnings
from unittest.mock import patch

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from irrCAC.raw import CAC
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from honing._errors import InvalidInput
from honing.quality.agreement import (
    KappaTable,
    _coincidence,
    _krippendorff,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    gwet_ac2,
    kappa_by_item,
    krippendorff_alpha,
    mean_kappa_by_item,
    percent_agreement,
    scott_pi,
)
from honing.quality.agreement._bootstrap import _index_blocks

# irrCAC writes to a slice of its input frame.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.SettingWithCopyWarning")
EXAMPLES = settings(max_examples=60, deadline=None, database=None)
SCALE = (1, 2, 3, 4, 5)


@st.composite
def matrices(draw, values=SCALE, max_items=25, max_raters=6, min_raters=2):
    """items x raters lists with None for missing, sometimes none, sometimes a lot."""
    n_items = draw(st.integers(1, max_items))
    n_raters = draw(st.integers(min_raters, max_raters))
    used = draw(st.lists(st.sampled_from(values), min_size=1, max_size=len(values),
                         unique=True))
    missing = draw(st.sampled_from([0.0, 0.2, 0.5]))
    cell = st.sampled_from(used)
    if missing == 0.2:
        cell = st.sampled_from(used + [None] * max(1, len(used) // 4))
    elif missing == 0.5:
        cell = st.one_of(cell, st.none())
    row = st.lists(cell, min_size=n_raters, max_size=n_raters)
    return draw(st.lists(row, min_size=n_items, max_size=n_items))


def as_float(matrix):
    return np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)


def pairable_values(matrix):
    return [v for row in matrix if sum(x is not None for x in row) >= 2
            for v in row if v is not None]


def assert_alpha_undefined_for_a_reason(value, matrix):
    assert math.isnan(value)
    values = pairable_values(matrix)
    if not values:
        assert "two or more ratings" in value.reason
    else:
        assert len(set(values)) == 1 and "same value" in value.reason


# -- Krippendorff's alpha vs the krippendorff package ----------------------------------

@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@EXAMPLES
@given(matrix=matrices())
def test_alpha_matches_krippendorff_package(level, matrix):
    ours = krippendorff_alpha(matrix, level)
    if math.isnan(ours):
        assert_alpha_undefined_for_a_reason(ours, matrix)
        return
    # The package wants raters x items with NaN; the full 1..5 domain also checks that
    # unused categories do not move ordinal alpha.
    oracle = krippendorff.alpha(reliability_data=as_float(matrix).T, value_domain=list(SCALE),
                                level_of_measurement=level)
    assert ours == pytest.approx(oracle, abs=1e-9)
    assert krippendorff_alpha(matrix, level, values=list(SCALE)) == pytest.approx(ours, abs=1e-12)
    assert krippendorff_alpha(as_float(matrix), level) == pytest.approx(ours, abs=1e-12)


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@EXAMPLES
@given(matrix=matrices(values=tuple(range(0, 400, 7)), max_raters=5))
def test_alpha_routes_for_many_values_agree(level, matrix):
    """Dense counts, sparse pairs and per-item sums are three routes to one number."""
    dense = _alpha_with_threshold(10**9, matrix, level)
    sparse_or_direct = _alpha_with_threshold(0, matrix, level)
    if math.isnan(dense):
        assert math.isnan(sparse_or_direct) and sparse_or_direct.reason == dense.reason
        return
    oracle = krippendorff.alpha(reliability_data=as_float(matrix).T, level_of_measurement=level)
    assert dense == pytest.approx(oracle, abs=1e-9)
    assert sparse_or_direct == pytest.approx(oracle, abs=1e-9)


def _alpha_with_threshold(threshold, matrix, level):
    with (patch.object(_coincidence, "DENSE_MAX_CATEGORIES", threshold),
          patch.object(_krippendorff, "DENSE_MAX_CATEGORIES", threshold)):
        return krippendorff_alpha(matrix, level)


@EXAMPLES
@given(matrix=matrices(values=("red", "green", "blue", "grey")))
def test_nominal_alpha_of_text_equals_alpha_of_codes(matrix):
    codes = {"red": 1, "green": 2, "blue": 3, "grey": 4}
    numeric = [[None if v is None else codes[v] for v in row] for row in matrix]
    ours = krippendorff_alpha(matrix)
    assert ours == pytest.approx(krippendorff_alpha(numeric), abs=1e-12, nan_ok=True)


# -- Cohen's kappa vs scikit-learn, Scott's pi vs statsmodels ---------------------------

@pytest.mark.parametrize("weights", [None, "linear", "quadratic"])
@pytest.mark.parametrize("labels", [None, list(SCALE)])
@EXAMPLES
@given(matrix=matrices(max_items=30, min_raters=2, max_raters=2))
def test_cohen_matches_sklearn(weights, labels, matrix):
    a, b = [row[0] for row in matrix], [row[1] for row in matrix]
    ours = cohen_kappa(a, b, weights=weights, labels=labels)
    pairs = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
    if not pairs:
        assert math.isnan(ours) and "both raters" in ours.reason
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn warns when kappa is undefined
        oracle = cohen_kappa_score([x for x, _ in pairs], [y for _, y in pairs],
                                   weights=weights, labels=labels)
    if math.isnan(oracle):
        assert math.isnan(ours) and "chance" in ours.reason
        # Undefined exactly when both raters used one and the same label throughout.
        assert len({v for pair in pairs for v in pair}) == 1
    else:
        assert ours == pytest.approx(oracle, abs=1e-12)


@EXAMPLES
@given(matrix=matrices(values=("x", "y", "z"), max_items=30, min_raters=2, max_raters=2))
def test_scott_pi_is_fleiss_kappa_with_two_raters(matrix):
    pairs = [row for row in matrix if None not in row]
    ours = scott_pi([r[0] for r in matrix], [r[1] for r in matrix])
    if not pairs:
        assert math.isnan(ours)
        return
    table = np.array([[row.count(c) for c in ("x", "y", "z")] for row in pairs])
    with np.errstate(all="ignore"):
        oracle = statsmodels_fleiss(table, method="fleiss")
    assert ours == pytest.approx(oracle, abs=1e-12, nan_ok=True)


# -- Fleiss' kappa vs statsmodels (equal n) and irrCAC (unequal n) ------------------------

@EXAMPLES
@given(matrix=matrices(max_items=30, max_raters=8, min_raters=2))
def test_fleiss_matches_statsmodels_with_equal_ratings(matrix):
    complete = [[v if v is not None else SCALE[0] for v in row] for row in matrix]
    table = np.array([[row.count(c) for c in SCALE] for row in complete])
    ours = fleiss_kappa(table.tolist())
    with np.errstate(all="ignore"):
        oracle = statsmodels_fleiss(table, method="fleiss")
    if math.isnan(oracle):
        assert math.isnan(ours) and len({v for row in complete for v in row}) == 1
    else:
        assert ours == pytest.approx(oracle, abs=1e-12)


def _cac(matrix, **options):
    if sum(any(v is not None for v in row) for row in matrix) < 2:
        # irrCAC divides by n (n - 1) for its variance even when only the point estimate
        # is asked for; every item twice leaves the point estimate (means over items) as is.
        matrix = matrix + matrix
    frame = pd.DataFrame(as_float(matrix))
    return CAC(frame, digits=15, **options)


def _counts(matrix):
    return [[row.count(c) for c in SCALE] for row in matrix]


@EXAMPLES
@given(matrix=matrices(max_items=25, max_raters=6))
def test_fleiss_matches_irrcac_with_unequal_ratings(matrix):
    ours = fleiss_kappa(_counts(matrix))
    if math.isnan(ours):
        if not pairable_values(matrix):
            assert "two or more ratings" in ours.reason or "no item" in ours.reason
        else:
            assert len({v for row in matrix for v in row if v is not None}) == 1
        return
    oracle = _cac(matrix).fleiss()["est"]["coefficient_value"]
    assert ours == pytest.approx(oracle, abs=1e-9)


# -- Gwet's AC1 / AC2 vs irrCAC ----------------------------------------------------------

@pytest.mark.parametrize("weights", ["identity", "linear", "quadratic", "ordinal", "ratio"])
@pytest.mark.parametrize("declared", [False, True])
@EXAMPLES
@given(matrix=matrices(max_items=25, max_raters=6))
def test_gwet_matches_irrcac(weights, declared, matrix):
    categories = list(SCALE) if declared else None
    ours = gwet_ac2(matrix, weights, categories=categories)
    if math.isnan(ours):
        used = {v for row in matrix for v in row if v is not None}
        assert not pairable_values(matrix) or (not declared and len(used) == 1)
        return
    oracle = _cac(matrix, weights=weights, categories=categories).gwet()["est"]
    assert ours == pytest.approx(oracle["coefficient_value"], abs=1e-9)
    if weights == "identity":
        assert gwet_ac1(matrix, categories) == ours


@EXAMPLES
@given(matrix=matrices(max_items=20, max_raters=5), data=st.data())
def test_gwet_custom_weights_match_irrcac(matrix, data):
    used = sorted({v for row in matrix for v in row if v is not None})
    q = len(used)
    if q < 2 or not pairable_values(matrix):
        return
    raw = data.draw(st.lists(st.floats(0, 1), min_size=q * q, max_size=q * q))
    weights = np.array(raw).reshape(q, q)
    weights = (weights + weights.T) / 2
    np.fill_diagonal(weights, 1.0)
    ours = gwet_ac2(matrix, weights)
    oracle = _cac(matrix, weights=weights).gwet()["est"]["coefficient_value"]
    assert ours == pytest.approx(oracle, abs=1e-9)


# -- percent agreement, by brute force ----------------------------------------------------

@EXAMPLES
@given(matrix=matrices(values=("x", "y", "z")))
def test_percent_agreement_counts_pairs(matrix):
    agree = total = 0
    for row in matrix:
        present = [v for v in row if v is not None]
        for i in range(len(present)):
            for j in range(i + 1, len(present)):
                total += 1
                agree += present[i] == present[j]
    ours = percent_agreement(matrix)
    if total == 0:
        assert math.isnan(ours)
    else:
        assert ours == pytest.approx(agree / total, abs=1e-12)


@st.composite
def item_units(draw, scale=SCALE):
    """(item, a, b) units: 1 to 15 items of 1 to 3 units (responses) each."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=15))
    used = draw(st.lists(st.sampled_from(scale), min_size=1, max_size=len(scale), unique=True))
    return [(item, draw(st.sampled_from(used)), draw(st.sampled_from(used)))
            for item, size in enumerate(sizes) for _ in range(size)]


def sklearn_kappa(units, labels, weights):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NaN, with a warning, when kappa is undefined
        return cohen_kappa_score([u[1] for u in units], [u[2] for u in units], labels=labels,
                                 weights=weights)


@EXAMPLES
@given(item_units(), st.sampled_from([None, "linear", "quadratic"]))
def test_kappa_by_item_is_sklearn_and_resamples_whole_items(units, weights):
    table = KappaTable(units, list(SCALE), weights)
    got = kappa_by_item(table, n_resamples=40, seed=3)
    expected = sklearn_kappa(units, list(SCALE), weights)
    items = sorted({u[0] for u in units})
    assert got.n == len(items)
    if math.isnan(expected):
        assert math.isnan(got.value) and got.reason
        return
    assert got.value == pytest.approx(expected, abs=1e-12)
    # The interval: the same item draws, each resample rebuilt from whole items and scored
    # by scikit-learn, then the percentile interval of the defined resamples.
    draws = []
    for block in _index_blocks(3, len(items), 40):
        for pick in block:
            resample = [u for i in pick for u in units if u[0] == items[i]]
            draws.append(sklearn_kappa(resample, list(SCALE), weights))
    draws = np.array(draws)
    finite = draws[~np.isnan(draws)]
    if len(finite) * 2 < len(draws):
        assert math.isnan(got.low) and math.isnan(got.high)
    else:
        low, high = np.quantile(finite, [0.025, 0.975])
        assert (got.low, got.high) == (pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9))


def test_mean_kappa_by_item_averages_the_defined_questions():
    rng = np.random.default_rng(5)
    likert = [(i, int(rng.integers(1, 6)), int(rng.integers(1, 6))) for i in range(30)]
    label = [(i, str(rng.choice(["yes", "no"])), str(rng.choice(["yes", "no"]))) for i in range(30)]
    same = [(i, "tie", "tie") for i in range(30)]  # kappa undefined: left out, not counted as 1
    tables = [KappaTable(likert, list(SCALE), "quadratic"), KappaTable(label, ["yes", "no"]),
              KappaTable(same, ["A", "tie", "B"])]
    got = mean_kappa_by_item(tables, n_resamples=200)
    expected = (sklearn_kappa(likert, list(SCALE), "quadratic") + sklearn_kappa(label, ["yes", "no"], None)) / 2
    assert got.value == pytest.approx(expected) and got.n == 30
    assert got.low < got.value < got.high
    only_ties = mean_kappa_by_item([tables[2]], n_resamples=50)
    assert math.isnan(only_ties.value) and "chance" in only_ties.reason
    with pytest.raises(InvalidInput, match="is not one of the categories"):
        kappa_by_item(KappaTable([(0, 7, 1)], list(SCALE)))
