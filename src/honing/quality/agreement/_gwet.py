"""Gwet's AC1 and AC2, and raw percent agreement, for many raters with missing ratings.

Gwet (2008), "Computing inter-rater reliability and its variance in the presence of high
agreement", and Gwet (2014), "Handbook of Inter-Rater Reliability", 4th ed., ch. 2-3, as
implemented by the irrCAC package (CAC.gwet; its weights module for the weight matrices):

    p_a = mean over items with r_i >= 2 of  sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)),
          r*_ik = sum_l w_kl r_il
    p_e = sum(w) / (q (q - 1)) * sum_k pi_k (1 - pi_k),  pi_k = mean_i r_ik / r_i
    AC  = (p_a - p_e) / (1 - p_e)

AC1 is AC2 with identity weights. Items nobody rated are ignored; items with one rating
count towards pi but not p_a.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._matrix import Encoded, encode, value_counts
from honing.stats._estimate import Undefined

WEIGHTS = ("identity", "linear", "quadratic", "ordinal", "ratio")


def gwet_ac1(matrix: Any, categories: Sequence[Any] | None = None) -> float:
    """Gwet's AC1 of an items x raters matrix (None or NaN for missing).

    `categories` lists every possible rating (default: the sorted observed values); it
    matters because chance agreement depends on the number of categories q."""
    return gwet_ac2(matrix, "identity", categories)


def gwet_ac2(matrix: Any, weights: str | Any, categories: Sequence[Any] | None = None) -> float:
    """Gwet's weighted AC2: `weights` is 'identity', 'linear', 'quadratic', 'ordinal',
    'ratio' (irrCAC's definitions: linear, quadratic and ratio use the category values
    when they are numbers and positions 1..q for text) or a q x q matrix in the order of
    `categories` (numeric categories are sorted)."""
    enc = _encode(matrix, categories)
    counts = value_counts(enc.codes, enc.q)
    counts = counts[counts.sum(axis=1) > 0]
    per_item = counts.sum(axis=1)
    if not (per_item >= 2).any():
        return Undefined("no item has two or more ratings")
    if enc.q < 2:
        return Undefined("only one category: chance agreement is undefined (pass categories= "
                         "to name the others)")
    w = weight_matrix(weights, enc)
    pairable = per_item >= 2
    agree = (counts * (counts @ w.T - 1)).sum(axis=1)
    p_a = np.mean(agree[pairable] / (per_item * (per_item - 1))[pairable])
    pi = (counts / per_item[:, None]).mean(axis=0)
    p_e = w.sum() * np.sum(pi * (1 - pi)) / (enc.q * (enc.q - 1))
    if p_e >= 1:
        return Undefined("expected (chance) agreement is 1")
    return float((p_a - p_e) / (1 - p_e))


def percent_agreement(matrix: Any) -> float:
    """Share of agreeing rater pairs among all rater pairs within items.

    Pairs are pooled over items, so an item with more raters weighs more (it has more
    pairs); with the same number of raters on every item this equals Fleiss' P-bar."""
    enc = encode(matrix)
    counts = value_counts(enc.codes, enc.q)
    m = counts.sum(axis=1)
    pairs = float((m * (m - 1)).sum() / 2)
    if pairs == 0:
        return Undefined("no item has two or more ratings")
    return float((counts * (counts - 1)).sum() / 2 / pairs)


def _encode(matrix: Any, categories: Sequence[Any] | None) -> Encoded:
    if categories is not None and all(
            isinstance(c, int | float | np.integer | np.floating) for c in categories):
        categories = sorted(categories)  # irrCAC sorts numeric categories for its weights
    return encode(matrix, values=categories)


def weight_matrix(weights: str | Any, enc: Encoded) -> np.ndarray:
    """irrCAC's weight matrices (irrCAC.weights.Weights), or a validated custom matrix."""
    q = enc.q
    if not isinstance(weights, str):
        try:
            w = np.asarray(weights, dtype=float)
        except (TypeError, ValueError):
            raise InvalidInput("weights must be a name or a q x q matrix of numbers") from None
        if w.shape != (q, q) or not np.isfinite(w).all():
            raise InvalidInput(f"weights must be a finite {q} x {q} matrix (one row and column "
                               f"per category, in the order {list(enc.categories)}), "
                               f"got shape {w.shape}")
        return w
    if weights not in WEIGHTS:
        raise InvalidInput(f"weights must be one of {', '.join(WEIGHTS)} or a matrix, "
                           f"not {weights!r}")
    x = enc.numbers if enc.numbers is not None else np.arange(1.0, q + 1)
    diff = x[:, None] - x[None, :]
    span = x.max() - x.min()
    if weights == "identity":
        return np.eye(q)
    if weights == "linear":
        return 1 - np.abs(diff) / span
    if weights == "quadratic":
        return 1 - (diff / span) ** 2
    if weights == "ordinal":
        steps = np.abs(np.arange(q)[:, None] - np.arange(q)[None, :]) + 1
        w = steps * (steps - 1) / 2
        return 1 - w / w.max()
    if (x <= 0).any():
        raise InvalidInput("ratio weights need categories that are all > 0 (a ratio scale "
                           f"has a true zero and (c - k) / (c + k) breaks at 0): {list(x)}")
    total = x[:, None] + x[None, :]
    return 1 - (diff / total) ** 2 / (span / (x.max() + x.min())) ** 2
