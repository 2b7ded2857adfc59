"""Holm–Bonferroni adjusted p-values against statsmodels' multipletests(method="holm"), and
the edge cases it has no opinion on: nothing to adjust, missing p-values, bad input."""

from __future__ import annotations

import gc
import math
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from honing._errors import InvalidInput
from honing.stats import Undefined, holm, reason_undefined

# multipletests runs a full garbage collection on every call: ~80 ms in a fresh test process,
# seconds late in a full run whose heap holds everything earlier tests imported. The
# collection does not touch its result, so the oracle runs with it switched off, and the
# property tests still draw fewer examples than elsewhere.
FEW = settings(max_examples=30, deadline=None)


def oracle(p_values: list[float]) -> list[float]:
    with mock.patch.object(gc, "collect", lambda *args: 0):
        return list(multipletests(np.array(p_values, dtype=float), method="holm")[1])


probabilities = st.floats(min_value=0, max_value=1, allow_nan=False)
# Repeated values from a small pool so ties are common, not a one-in-a-billion draw.
tied = st.lists(st.sampled_from([0.0, 0.001, 0.01, 0.02, 0.04, 0.05, 0.3, 1.0]), min_size=1, max_size=30)


@FEW
@given(st.lists(probabilities, min_size=1, max_size=60))
def test_matches_statsmodels(p_values):
    assert holm(p_values) == oracle(p_values)


@FEW
@given(tied)
def test_matches_statsmodels_with_ties(p_values):
    adjusted = holm(p_values)
    assert adjusted == oracle(p_values)
    for p, q in zip(p_values, p_values[1:]):
        if p == q:  # equal raw p-values get equal adjusted ones
            assert adjusted[p_values.index(p)] == adjusted[p_values.index(q)]


@given(st.lists(probabilities, min_size=1, max_size=60))
def test_monotone_capped_and_never_below_the_raw_value(p_values):
    adjusted = holm(p_values)
    order = sorted(range(len(p_values)), key=p_values.__getitem__)
    assert all(adjusted[i] <= adjusted[j] for i, j in zip(order, order[1:]))
    assert all(p <= q <= 1 for p, q in zip(p_values, adjusted))


@pytest.mark.parametrize("p_values, expected", [
    ([0.01, 0.04, 0.03, 0.005], [0.03, 0.06, 0.06, 0.02]),
    ([0.5, 0.5, 0.5], [1.0, 1.0, 1.0]),
    ([0.0, 1.0], [0.0, 1.0]),
    ([0.02, 0.02], [0.04, 0.04]),
])
def test_fixed_vectors(p_values, expected):
    assert holm(p_values) == pytest.approx(expected)
    assert holm(p_values) == oracle(p_values)


def test_nothing_and_one():
    assert holm([]) == []
    assert holm(()) == []
    assert holm([0.03]) == [0.03]  # one hypothesis: nothing to adjust for


def test_missing_p_values_stay_undefined_and_do_not_count():
    adjusted = holm([0.01, math.nan, 0.04, None, Undefined("no pairs")])
    # m = 2: the NaN, None and Undefined are not hypotheses.
    assert adjusted[0] == pytest.approx(0.02) and adjusted[2] == pytest.approx(0.04)
    assert all(math.isnan(adjusted[i]) for i in (1, 3, 4))
    assert reason_undefined(adjusted[4]) == "no pairs"  # its own reason travels on
    assert reason_undefined(adjusted[1]) == reason_undefined(adjusted[3]) == "no p-value (missing or NaN)"
    assert holm([math.nan])[0] != holm([math.nan])[0]  # NaN, not a number


@pytest.mark.parametrize("bad", [[1.5], [-0.1], ["0.1"], [True], [math.inf]])
def test_bad_input_is_refused(bad):
    with pytest.raises(InvalidInput, match=r"p_values\[0\]"):
        holm(bad)


def test_a_string_is_not_a_sequence_of_p_values():
    with pytest.raises(InvalidInput):
        holm("0.1")  # type: ignore[arg-type]
