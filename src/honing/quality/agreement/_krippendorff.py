"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, with missing ratings.

alpha = 1 - D_o / D_e over the coincidence matrix o (Krippendorff 2011, "Computing
Krippendorff's Alpha-Reliability"; Krippendorff 2004, "Content Analysis", ch. 11):

    D_o = sum_ck o_ck d_ck / n        D_e = sum_ck n_c n_k d_ck / (n (n - 1))

with n_c the pairable values in category c and n their total. The metric d_ck per level:
nominal [c != k]; interval (c - k)^2; ratio ((c - k) / (c + k))^2; ordinal
(sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, which equals (a_k - a_c)^2 with the mid-cumulative
frequency a_c = sum_{g<=c} n_g - n_c / 2. That identity turns the ordinal metric into the
interval metric on a_c, so D_e needs no q x q matrix except at the ratio level. Categories
no one used have n_g = 0 and so do not move ordinal alpha; `values` fixes their order.

With many distinct values (continuous scores) the nominal, ordinal and interval levels skip
the coincidence matrix: n * D_o is a sum of per-item terms, (m_u^2 - sum_c n_uc^2) / (m_u - 1)
for nominal and 2 m_u sum_i (x_ui - mean_u)^2 / (m_u - 1) for the squared-difference
metrics, computed over the grid in O(cells).

Everything else here is batched over rows of coincidences so the bootstrap (many resamples at
once) and a single estimate share one implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._coincidence import DENSE_MAX_CATEGORIES, coincidences
from honing.quality.agreement._matrix import Encoded, encode
from honing.stats._estimate import Undefined

LEVELS = ("nominal", "ordinal", "interval", "ratio")
NO_PAIRS = "no item has two or more ratings"
ONE_VALUE = "all ratings have the same value; agreement is undefined"


def krippendorff_alpha(matrix: Any, level: str = "nominal", *,
                       values: Sequence[Any] | None = None) -> float:
    """Krippendorff's alpha of an items x raters matrix (None or NaN for missing).

    `values` lists the possible values in order: required for ordinal text labels, else
    the sorted distinct observed values. Only items with two or more ratings count.
    Returns Undefined (NaN with a reason) when no item is pairable or only one value is
    used; raises InvalidInput for malformed input."""
    return alpha_of_encoded(encoded_for_level(matrix, level, values), level)


def alpha_of_encoded(enc: Encoded, level: str) -> float:
    """Alpha of already checked and encoded ratings (the bootstrap reuses one encoding)."""
    if enc.q > DENSE_MAX_CATEGORIES and level != "ratio":
        return _direct(enc, level)
    found = coincidences(enc.codes, enc.q)
    if found.n_c.sum() < 2:
        return Undefined(NO_PAIRS)
    alpha = alpha_batch(found.o[None, :], found.c, found.k, found.n_c[None, :],
                        enc.numbers, level)
    return as_result(alpha, found.n_c[None, :])[0]


def encoded_for_level(matrix: Any, level: str, values: Sequence[Any] | None) -> Encoded:
    """Encode `matrix` and check its values suit `level` (errors name item and rater)."""
    if level not in LEVELS:
        raise InvalidInput(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    enc = encode(matrix, values=values)
    if enc.kind == "empty" or not (enc.codes >= 0).any():
        return enc  # nothing rated: undefined, whatever the level
    if level in ("interval", "ratio") and enc.kind != "number":
        item, rater = enc.first_rated()
        value = enc.categories[enc.codes[item, rater]]
        raise InvalidInput(f"matrix: item {item}, rater {rater} is {value!r}; {level} alpha "
                           "needs numeric ratings (use level='nominal' or 'ordinal' for labels)")
    if level == "ordinal" and enc.kind == "text" and values is None:
        raise InvalidInput("ordinal alpha on text labels needs values=[...] listing the "
                           "labels in order (sorting them alphabetically would be a guess)")
    if level == "ratio" and enc.numbers is not None and (enc.numbers < 0).any():
        negative = np.flatnonzero(enc.numbers < 0)
        used = np.isin(enc.codes, negative)
        if used.any():
            item, rater = enc.first_rated(used)
            raise InvalidInput(f"matrix: item {item}, rater {rater} is "
                               f"{enc.categories[enc.codes[item, rater]]!r}; ratio-level "
                               "values must be non-negative (use level='interval')")
    return enc


def alpha_batch(o: np.ndarray, c: np.ndarray, k: np.ndarray, n_c: np.ndarray,
                numbers: np.ndarray | None, level: str) -> np.ndarray:
    """Alpha for each row of coincidences `o` (rows x pairs) with category counts `n_c`
    (rows x q). NaN where undefined; `as_result` attaches the reason."""
    n = n_c.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        if level == "nominal":
            observed = n - o[:, c == k].sum(axis=1)
            expected = n * n - (n_c * n_c).sum(axis=1)
        elif level == "interval":
            observed = o @ (numbers[c] - numbers[k]) ** 2
            expected = _spread(n_c, np.broadcast_to(numbers, n_c.shape), n)
        elif level == "ordinal":
            a = np.cumsum(n_c, axis=1) - n_c / 2  # mid-cumulative frequencies, per row
            observed = (o * (a[:, c] - a[:, k]) ** 2).sum(axis=1)
            expected = _spread(n_c, a, n)
        else:
            observed = o @ _ratio_distance(numbers[c], numbers[k])
            expected = _ratio_expected(n_c, numbers)
        # observed = n * D_o and expected = n (n - 1) * D_e, hence the (n - 1).
        alpha = 1.0 - (n - 1) * observed / expected
    defined = (n >= 2) & ((n_c > 0).sum(axis=1) >= 2)
    return np.where(defined, alpha, np.nan)


def as_result(alpha: np.ndarray, n_c: np.ndarray) -> list[float]:
    """Floats, with Undefined(reason) in place of each NaN."""
    out: list[float] = []
    for value, counts in zip(alpha, n_c):
        if not np.isnan(value):
            out.append(float(value))
        elif counts.sum() < 2:
            out.append(Undefined(NO_PAIRS))
        else:
            out.append(Undefined(ONE_VALUE))
    return out


def _spread(n_c: np.ndarray, x: np.ndarray, n: np.ndarray) -> np.ndarray:
    """sum_ck n_c n_k (x_c - x_k)^2 = 2 n sum_c n_c (x_c - mean)^2, centred for accuracy."""
    mean = (n_c * x).sum(axis=1) / n
    return 2 * n * (n_c * (x - mean[:, None]) ** 2).sum(axis=1)


def _ratio_distance(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    total = x + y
    safe = np.where(total == 0, 1.0, total)  # 0 vs 0 is no distance (Krippendorff's convention)
    return np.where(total == 0, 0.0, ((x - y) / safe) ** 2)


def _ratio_expected(n_c: np.ndarray, numbers: np.ndarray, block: int = 512) -> np.ndarray:
    """sum_ck n_c n_k d_ck for the ratio metric, in blocks of rows so q x q never has to
    exist at once when there are many distinct values."""
    total = np.zeros(len(n_c))
    for start in range(0, len(numbers), block):
        rows = numbers[start:start + block]
        d = _ratio_distance(rows[:, None], numbers[None, :])
        total += ((n_c[:, start:start + block] @ d) * n_c).sum(axis=1)
    return total


def _direct(enc: Encoded, level: str) -> float:
    """Alpha from per-item sums, without coincidences (for many distinct values)."""
    codes = enc.codes[(enc.codes >= 0).sum(axis=1) >= 2]
    if codes.size == 0:
        return Undefined(NO_PAIRS)
    rated = codes >= 0
    m = rated.sum(axis=1).astype(float)
    n_c = np.bincount(codes[rated], minlength=enc.q).astype(float)[None, :]
    n = n_c.sum(axis=1)
    if level == "nominal":
        # sum_c n_uc^2 per item, from the counts of distinct (item, code) keys.
        keys = (np.arange(len(codes))[:, None] * enc.q + codes)[rated]
        unique, counts = np.unique(keys, return_counts=True)
        same = np.bincount(unique // enc.q, weights=counts.astype(float) ** 2,
                           minlength=len(codes))
        observed = ((m * m - same) / (m - 1)).sum()
        expected = n * n - (n_c * n_c).sum(axis=1)
    else:
        x = enc.numbers if level == "interval" else (np.cumsum(n_c[0]) - n_c[0] / 2)
        grid = np.where(rated, x[np.where(rated, codes, 0)], np.nan)
        deviations = grid - np.nanmean(grid, axis=1)[:, None]
        observed = (2 * m * np.nansum(deviations ** 2, axis=1) / (m - 1)).sum()
        expected = _spread(n_c, x[None, :], n)
    if (n_c > 0).sum() < 2:
        return Undefined(ONE_VALUE)
    return float(1.0 - (n[0] - 1) * observed / expected[0])
