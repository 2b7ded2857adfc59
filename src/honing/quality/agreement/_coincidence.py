"""Krippendorff's coincidence matrix, built without a Python loop over items.

Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: every
pairable unit u (one with m_u >= 2 values) adds each ordered pair of its values, from
different coders, with weight 1 / (m_u - 1):

    o_ck = sum_u (n_uc * n_uk - [c == k] * n_uc) / (m_u - 1)

Two vectorized routes give the same matrix. With few categories (rating scales, labels) the
per-unit counts n_uc fit in an items x q array and o is one matrix product. With many
distinct values (continuous interval data) that array would be huge, so the ordered pairs
of values are enumerated column pair by column pair and summed with np.unique/bincount,
leaving a sparse list of the pairs that occur. Both report the coincidences as
(first code, second code, weight) triples so the metric code does not care which ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from honing.quality.agreement._matrix import value_counts

# Up to this many categories the dense items x q route is used (its cost grows with q^2).
DENSE_MAX_CATEGORIES = 32


@dataclass(frozen=True)
class Coincidences:
    """Coincidences as parallel arrays over the value pairs (c, k) that occur.

    `o[p]` is the coincidence of codes `c[p]` and `k[p]` (both orders are listed), and
    `n_c[c]` the number of pairable values in category c; n = n_c.sum()."""

    c: np.ndarray
    k: np.ndarray
    o: np.ndarray
    n_c: np.ndarray


def per_item_contributions(counts: np.ndarray) -> np.ndarray:
    """Each pairable item's coincidence contribution, flattened: items x (q*q).

    Summing rows (with bootstrap weights) gives the coincidence matrix of a resample."""
    m = counts.sum(axis=1)
    q = counts.shape[1]
    outer = counts[:, :, None] * counts[:, None, :]
    outer[:, np.arange(q), np.arange(q)] -= counts
    return (outer / (m - 1)[:, None, None]).reshape(len(counts), q * q)


def coincidences(codes: np.ndarray, q: int) -> Coincidences:
    """The coincidence matrix of encoded ratings, by whichever route suits q."""
    if q <= DENSE_MAX_CATEGORIES:
        return _dense(value_counts(codes, q))
    return _sparse(codes, q)


def dense_pairs(q: int) -> tuple[np.ndarray, np.ndarray]:
    """The (c, k) index arrays of a flattened q x q matrix."""
    grid = np.arange(q * q)
    return grid // q, grid % q


def _dense(counts: np.ndarray) -> Coincidences:
    """o = counts^T diag(w) counts - diag(w^T counts), w = 1 / (m - 1) on pairable items and
    0 elsewhere (weighting instead of filtering rows: matrix products, no copies)."""
    q = counts.shape[1]
    m = counts @ np.ones(q)
    pairable = m >= 2
    weight = np.divide(1.0, m - 1, out=np.zeros_like(m), where=pairable)
    o = (counts * weight[:, None]).T @ counts
    o[np.arange(q), np.arange(q)] -= weight @ counts
    c, k = dense_pairs(q)
    return Coincidences(c, k, o.ravel(), pairable.astype(float) @ counts)


def _sparse(codes: np.ndarray, q: int) -> Coincidences:
    m = (codes >= 0).sum(axis=1)
    keep = m >= 2
    if not keep.any():
        return Coincidences(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                            np.zeros(q))
    # Sort each row descending so its rated cells come first; then a row with m values
    # has them in columns 0..m-1 and only the first max(m) columns matter.
    rows = -np.sort(-codes[keep], axis=1)
    m = m[keep]
    rows = rows[:, : int(m.max())]
    weight = 1.0 / (m - 1)
    keys, weights = [], []
    for a in range(rows.shape[1]):
        for b in range(a + 1, rows.shape[1]):
            both = rows[:, b] >= 0  # descending order: column b rated implies column a rated
            first, second, w = rows[both, a], rows[both, b], weight[both]
            keys += [first * q + second, second * q + first]
            weights += [w, w]
    unique, inverse = np.unique(np.concatenate(keys), return_inverse=True)
    o = np.bincount(inverse, weights=np.concatenate(weights), minlength=len(unique))
    n_c = np.bincount(rows[rows >= 0], minlength=q).astype(float)
    return Coincidences(unique // q, unique % q, o, n_c)
