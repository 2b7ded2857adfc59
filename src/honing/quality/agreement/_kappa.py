"""Cohen's kappa, Scott's pi (two raters) and Fleiss' kappa (many raters, count table).

All are (p_o - p_e) / (1 - p_e); they differ in the chance agreement p_e. Cohen (1960)
takes it from each rater's own marginals, Scott (1955) from the pooled marginals, Fleiss
(1971) from the pooled category proportions over all ratings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._matrix import MISSING, Encoded, encode
from honing.stats._estimate import Undefined

NO_PAIRS = "no item was rated by both raters"
CHANCE_IS_ONE = "expected (chance) agreement is 1: every rating is the same label"


def _paired(a: Sequence[Any], b: Sequence[Any], labels: Sequence[Any] | None) -> Encoded:
    """Encode two raters' labels as a 2-column matrix of the items both rated."""
    for name, seq in (("a", a), ("b", b)):
        if isinstance(seq, str | bytes) or not isinstance(seq, Sequence | np.ndarray):
            raise InvalidInput(f"{name} must be a list of labels, one per item (None for missing)")
    if len(a) != len(b):
        raise InvalidInput(f"a has {len(a)} labels but b has {len(b)}; both raters need one "
                           "entry per item (None for missing)")
    pairs = [[x, y] for x, y in zip(a, b)]
    whole = encode(pairs, values=labels, name="ratings (a, b), rater 0 is a and rater 1 is b")
    both = (whole.codes != MISSING).all(axis=1)
    if labels is not None:
        return Encoded(whole.codes[both], whole.categories, whole.numbers, whole.kind)
    # Default labels are those of the complete pairs only, as sklearn sees them: a label
    # seen only next to a missing rating would shift the positions weights are built on.
    return encode([pair for pair, keep in zip(pairs, both) if keep])


def kappa_weights(q: int, weights: str | None) -> np.ndarray:
    """Disagreement weights between the positions of q ordered categories: 1 off the
    diagonal (None), their distance ('linear') or its square ('quadratic'; Cohen 1968)."""
    if weights not in (None, "linear", "quadratic"):
        raise InvalidInput(f"weights must be None, 'linear' or 'quadratic', not {weights!r}")
    position = np.arange(q, dtype=float)
    distance = np.abs(position[:, None] - position[None, :])
    if weights is None:
        return (distance > 0).astype(float)
    return distance if weights == "linear" else distance ** 2


def cohen_kappa(a: Sequence[Any], b: Sequence[Any], weights: str | None = None,
                labels: Sequence[Any] | None = None) -> float:
    """Cohen's (1960) kappa between rater `a` and rater `b`; pairs with a None are dropped.

    `weights` None, 'linear' or 'quadratic' (Cohen 1968) weigh a disagreement by the
    distance between the *positions* of the two labels in `labels` (default: sorted union
    of the labels used), as sklearn's cohen_kappa_score and R's irr::kappa2 do; the
    arithmetic follows sklearn step for step so results match it to the last bit or so.
    A label outside `labels` is an error here (sklearn silently drops such pairs)."""
    kappa_weights(0, weights)  # a bad `weights` is refused before any label is read
    enc = _paired(a, b, labels)
    if len(enc.codes) == 0:
        return Undefined(NO_PAIRS)
    q = enc.q
    confusion = np.bincount(enc.codes[:, 0] * q + enc.codes[:, 1], minlength=q * q)
    confusion = confusion.reshape(q, q).astype(float)
    sum0, sum1 = confusion.sum(axis=0), confusion.sum(axis=1)
    expected = np.outer(sum0, sum1) / np.sum(sum0)
    w = kappa_weights(q, weights)
    denominator = np.sum(w * expected)
    if denominator == 0:  # a sum of non-negative terms: exactly 0 iff p_e == 1
        return Undefined(CHANCE_IS_ONE)
    return float(1 - np.sum(w * confusion) / denominator)


def scott_pi(a: Sequence[Any], b: Sequence[Any]) -> float:
    """Scott's (1955) pi: chance agreement from the two raters' pooled label proportions.

    Equals Fleiss' kappa with two ratings per item; pairs with a None are dropped."""
    enc = _paired(a, b, None)
    n = len(enc.codes)
    if n == 0:
        return Undefined(NO_PAIRS)
    pooled = np.bincount(enc.codes.ravel(), minlength=enc.q) / (2 * n)
    p_e = float(np.sum(pooled * pooled))
    if p_e >= 1:
        return Undefined(CHANCE_IS_ONE)
    p_o = float(np.mean(enc.codes[:, 0] == enc.codes[:, 1]))
    return (p_o - p_e) / (1 - p_e)


def count_table(counts: Any, name: str = "counts") -> np.ndarray:
    """Check an items x categories table of non-negative whole counts; drop empty items."""
    try:
        table = np.asarray(counts, dtype=float)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a table of whole numbers: one row per item, one "
                           "column per category") from None
    if table.size == 0:
        return table.reshape(0, table.shape[-1] if table.ndim == 2 else 0)
    if table.ndim != 2:
        raise InvalidInput(f"{name} must be 2-D (items x categories), got {table.ndim}-D")
    bad = ~np.isfinite(table) | (table < 0) | (table != np.round(table))
    if bad.any():
        item, category = np.argwhere(bad)[0]
        raise InvalidInput(f"{name}: item {item}, category {category} is "
                           f"{table[item, category]!r}; counts must be whole numbers >= 0")
    return table[table.sum(axis=1) > 0]


def fleiss_kappa(counts: Any) -> float:
    """Fleiss' (1971) kappa from an items x categories table of rating counts.

    With the same number of ratings on every item this is Fleiss' formula exactly as
    statsmodels' fleiss_kappa(method='fleiss') computes it. With unequal numbers it is
    Gwet's generalisation (Gwet 2014, "Handbook of Inter-Rater Reliability", ch. 2; the
    irrCAC package's fleiss.kappa.raw): items with one rating count towards the category
    proportions but not towards observed agreement, and p_e comes from the mean of the
    per-item proportions. Items with no ratings are ignored."""
    table = count_table(counts)
    if len(table) == 0:
        return Undefined("no item has any ratings")
    per_item = table.sum(axis=1)
    if (per_item < 2).all():
        return Undefined("no item has two or more ratings")
    if (per_item == per_item[0]).all():
        # statsmodels.stats.inter_rater.fleiss_kappa, step for step.
        n_rat = per_item[0]
        p_cat = table.sum(axis=0) / table.sum()
        p_rat = ((table * table).sum(axis=1) - n_rat) / (n_rat * (n_rat - 1.0))
        p_o, p_e = p_rat.mean(), (p_cat * p_cat).sum()
    else:
        pairable = per_item >= 2
        agree = (table * (table - 1)).sum(axis=1)
        p_o = np.mean(agree[pairable] / (per_item * (per_item - 1))[pairable])
        p_cat = (table / per_item[:, None]).mean(axis=0)
        p_e = (p_cat * p_cat).sum()
    if p_e >= 1:
        return Undefined(CHANCE_IS_ONE)
    return float((p_o - p_e) / (1 - p_e))
