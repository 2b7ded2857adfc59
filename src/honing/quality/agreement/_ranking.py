"""Agreement on rankings of an item's responses (e.g. "order responses A-D, best first").

Each entry of the items x raters matrix is a list of response letters, best first, or None.
An element may itself be a list of letters tied at that place. Two summaries:

* mean Kendall tau-b (Kendall 1945, tau-b handles ties): per item, the mean over rater
  pairs of tau-b on the responses both ranked, then the mean over items;
* Kendall's W, coefficient of concordance with the tie correction (Kendall & Babington
  Smith 1939; Siegel & Castellan 1988, "Nonparametric Statistics", 9.4):
  W = 12 S / (m^2 (n^3 - n) - m sum_j T_j), T_j = sum over tie groups of (t^3 - t),
  per item over the raters who ranked it, when they all ranked the same responses
  (W is not defined for partial rankings); then the mean over items.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.stats._estimate import Undefined


@dataclass(frozen=True)
class RankingAgreement:
    """Agreement on rankings; NaN fields carry their reason."""

    mean_tau: float
    """Mean over items of the mean Kendall tau-b between rater pairs on that item."""
    kendall_w: float
    """Mean over eligible items of Kendall's W (tie-corrected)."""
    n_items: int
    """Items with at least one rater pair whose tau-b is defined."""
    n_pairs: int
    """Rater pairs (within items) whose tau-b is defined."""


def ranking_agreement(matrix: Any) -> RankingAgreement:
    """Kendall tau-b and W of an items x raters matrix of rankings (None for missing)."""
    if isinstance(matrix, str | bytes) or not isinstance(matrix, Sequence | np.ndarray):
        raise InvalidInput("rankings must be a list of items, each a list with one entry per "
                           "rater")
    item_taus: list[float] = []
    item_ws: list[float] = []
    n_pairs = 0
    width = None
    for item, row in enumerate(matrix):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence | np.ndarray):
            raise InvalidInput(f"rankings: item {item} is not a list of rankings (one entry "
                               "per rater)")
        if width is not None and len(row) != width:
            raise InvalidInput(f"rankings: item {item} has {len(row)} entries but item 0 has "
                               f"{width}; every item needs one entry per rater (None for missing)")
        width = len(row)
        ranks = [_ranks(entry, item, rater) for rater, entry in enumerate(row)]
        ranks = [r for r in ranks if r is not None]
        taus = [t for i in range(len(ranks)) for j in range(i + 1, len(ranks))
                if not math.isnan(t := _tau_b(ranks[i], ranks[j]))]
        if taus:
            item_taus.append(sum(taus) / len(taus))
            n_pairs += len(taus)
        w = _kendall_w(ranks)
        if not math.isnan(w):
            item_ws.append(w)
    return RankingAgreement(
        mean_tau=(sum(item_taus) / len(item_taus) if item_taus else Undefined(
            "no item has two rankings sharing two responses that are not all tied")),
        kendall_w=(sum(item_ws) / len(item_ws) if item_ws else Undefined(
            "no item has two or more rankings of the same responses (W needs complete "
            "rankings)")),
        n_items=len(item_taus),
        n_pairs=n_pairs,
    )


def _ranks(entry: Any, item: int, rater: int) -> dict[str, float] | None:
    """Letter -> mid-rank (1 = best; tied letters share the mean of their places)."""
    if entry is None or (isinstance(entry, float) and math.isnan(entry)):
        return None
    where = f"rankings: item {item}, rater {rater}"
    if isinstance(entry, str | bytes) or not isinstance(entry, Sequence | np.ndarray):
        raise InvalidInput(f"{where} is {entry!r}; a ranking is a list of response letters, "
                           "best first (None for missing)")
    if len(entry) == 0:
        raise InvalidInput(f"{where} is an empty ranking; use None for missing")
    ranks: dict[str, float] = {}
    place = 1
    for group in entry:
        letters = [group] if isinstance(group, str) else group
        if (isinstance(letters, bytes) or not isinstance(letters, Sequence | np.ndarray)
                or not letters or not all(isinstance(x, str) for x in letters)):
            raise InvalidInput(f"{where} contains {group!r}; each place is a response letter "
                               "or a list of letters tied at that place")
        for letter in letters:
            if letter in ranks:
                raise InvalidInput(f"{where} ranks {letter!r} twice")
            ranks[letter] = place + (len(letters) - 1) / 2
        place += len(letters)
    return ranks


def _tau_b(x: dict[str, float], y: dict[str, float]) -> float:
    """Kendall's tau-b on the letters both rankings contain (NaN if fewer than 2, or if
    one ranking ties all of them)."""
    common = [letter for letter in x if letter in y]
    if len(common) < 2:
        return math.nan
    a = np.asarray([x[c] for c in common])
    b = np.asarray([y[c] for c in common])
    upper = np.triu_indices(len(common), k=1)
    da = np.sign(a[:, None] - a[None, :])[upper]
    db = np.sign(b[:, None] - b[None, :])[upper]
    untied_a, untied_b = np.count_nonzero(da), np.count_nonzero(db)
    if untied_a == 0 or untied_b == 0:
        return math.nan
    return float(np.sum(da * db) / math.sqrt(untied_a * untied_b))


def _kendall_w(ranks: list[dict[str, float]]) -> float:
    """Tie-corrected W of the rankings of one item; NaN unless they rank one common set."""
    if len(ranks) < 2 or any(r.keys() != ranks[0].keys() for r in ranks):
        return math.nan
    letters = list(ranks[0])
    m, n = len(ranks), len(letters)
    if n < 2:
        return math.nan
    table = np.asarray([[r[c] for c in letters] for r in ranks])  # raters x responses
    totals = table.sum(axis=0)
    s = float(np.sum((totals - m * (n + 1) / 2) ** 2))
    ties = sum(float(np.sum(t ** 3 - t)) for t in
               (np.unique(row, return_counts=True)[1] for row in table))
    denominator = m * m * (n ** 3 - n) - m * ties
    return 12 * s / denominator if denominator > 0 else math.nan
