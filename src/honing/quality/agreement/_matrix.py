"""Check and encode an items x raters matrix of ratings into integer category codes.

Every coefficient in this package starts here, so the rules live in one place: a matrix is
a sequence of items, each a sequence with one entry per rater; None (or a float NaN) means
"not rated"; values are text labels, booleans or real numbers, never a mix of kinds. Items
and raters in error messages are 0-based positions in the matrix as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from honing._errors import InvalidInput
from honing.quality.agreement._kinds import (
    grid_kind,
    is_missing,
    object_grid,
    rated_cells,
    value_kind,
)

MISSING = -1
# Integer-valued numbers spanning fewer values than this are encoded with a lookup table
# (O(n)) instead of a sort; rating scales almost always qualify.
_LOOKUP_SPAN = 1 << 20


@dataclass(frozen=True)
class Encoded:
    """Ratings as codes: `codes[item, rater]` indexes `categories`, MISSING when unrated.

    `numbers` holds each category's numeric value (None for text labels); `kind` is
    "number", "bool", "text", or "empty" when nothing was rated."""

    codes: np.ndarray
    categories: tuple[Any, ...]
    numbers: np.ndarray | None
    kind: str

    @property
    def q(self) -> int:
        return len(self.categories)

    def first_rated(self, mask: np.ndarray | None = None) -> tuple[int, int]:
        """(item, rater) of the first rated cell, optionally among cells where `mask`."""
        cells = self.codes >= 0 if mask is None else (self.codes >= 0) & mask
        item, rater = np.argwhere(cells)[0]
        return int(item), int(rater)


def _encode_numbers(values: np.ndarray, name: str, domain: Sequence[Any] | None,
                    kind: str) -> Encoded:
    """Encode a float grid (NaN missing) via a lookup table or a sort, never a Python loop."""
    if values.size == 0:
        low = high = np.nan
    else:
        low, high = np.fmin.reduce(values, axis=None), np.fmax.reduce(values, axis=None)
    if np.isinf(low) or np.isinf(high):  # min/max see any infinity; no extra pass
        item, rater = np.argwhere(np.isinf(values))[0]
        raise InvalidInput(f"{name}: item {item}, rater {rater} is infinite; "
                           "ratings must be finite")
    if domain is None:
        fast = _lookup_codes(values, low, high, kind)
        if fast is not None:
            return fast
    rated = ~np.isnan(values)
    codes = np.full(values.shape, MISSING, dtype=np.int64)
    observed = values[rated]
    if domain is None:
        numbers, codes[rated] = np.unique(observed, return_inverse=True)
        return Encoded(codes, _python_values(numbers, kind), numbers.astype(float), kind)
    numbers = np.asarray([float(v) for v in domain], dtype=float)
    order = np.argsort(numbers, kind="stable")
    sorted_numbers = numbers[order]
    pos = np.searchsorted(sorted_numbers, observed).clip(0, max(len(numbers) - 1, 0))
    found = sorted_numbers[pos] == observed if len(numbers) else np.zeros(len(observed), bool)
    if not found.all():
        cells = np.argwhere(rated)[np.argmin(found)]
        raise InvalidInput(f"{name}: item {cells[0]}, rater {cells[1]} has value "
                           f"{observed[np.argmin(found)]!r}, which is not in values")
    codes[rated] = order[pos]
    return Encoded(codes, tuple(domain), numbers, kind)


def _lookup_codes(values: np.ndarray, low: float, high: float, kind: str) -> Encoded | None:
    """Whole numbers over a modest span (rating scales): code = table[value - min], in a
    few full-grid passes and no boolean gathers. None when the data do not qualify."""
    if np.isnan(low) or high - low >= _LOOKUP_SPAN:
        return None
    span = int(high - low)
    shifted = values - low
    np.copyto(shifted, span + 1, where=np.isnan(shifted))  # unrated -> one spare slot
    offset = shifted.astype(np.int64)
    if not np.array_equal(offset, shifted):
        return None  # fractional values
    present = np.bincount(offset.ravel(), minlength=span + 2)[: span + 1] > 0
    table = np.append(np.cumsum(present) - 1, MISSING)
    numbers = np.flatnonzero(present) + low
    return Encoded(table[offset], _python_values(numbers, kind), numbers.astype(float), kind)


def _python_values(numbers: np.ndarray, kind: str) -> tuple[Any, ...]:
    if kind == "bool":
        return tuple(bool(v) for v in numbers)
    return tuple(int(v) if float(v).is_integer() else float(v) for v in numbers)


def _encode_text(grid: np.ndarray, name: str, domain: Sequence[Any] | None) -> Encoded:
    flat = grid.ravel()
    rated = rated_cells(grid).ravel()
    if domain is None:
        categories = tuple(sorted(set(flat[rated].tolist())))
    else:
        categories = tuple(domain)
    lookup: dict[Any, int] = {v: i for i, v in enumerate(categories)}
    codes = np.full(flat.size, MISSING, dtype=np.int64)
    codes[rated] = np.fromiter((lookup.get(v, MISSING) for v in flat[rated]), dtype=np.int64,
                               count=int(rated.sum()))
    unknown = rated & (codes == MISSING)
    if unknown.any():
        item, rater = divmod(int(np.argmax(unknown)), grid.shape[1])
        raise InvalidInput(f"{name}: item {item}, rater {rater} has value "
                           f"{flat[item * grid.shape[1] + rater]!r}, which is not in values")
    return Encoded(codes.reshape(grid.shape), categories, None, "text")


def _check_domain(domain: Sequence[Any], kind: str, name: str) -> None:
    if isinstance(domain, str | bytes) or not isinstance(domain, Sequence | np.ndarray):
        raise InvalidInput(f"{name}: values must be a list of the possible ratings")
    items = list(domain)
    kinds = {_kind_or_error(v, name) for v in items}
    if None in kinds:
        raise InvalidInput(f"{name}: values must not contain None or NaN")
    if len(kinds) > 1 or (kind != "empty" and kinds and kinds != {kind}):
        raise InvalidInput(f"{name}: values are {sorted(kinds)} but the ratings are {kind}")
    if len(set(items)) != len(items):
        raise InvalidInput(f"{name}: values contain duplicates")


def _kind_or_error(value: Any, name: str) -> str | None:
    try:
        return value_kind(value)
    except TypeError:
        raise InvalidInput(f"{name}: {value!r} is not a valid rating value") from None


def encode(matrix: Any, *, values: Sequence[Any] | None = None, name: str = "matrix") -> Encoded:
    """Check `matrix` and encode it; `values` fixes the category list and its order.

    Without `values`, categories are the sorted distinct observed values."""
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind in "biuf":
        if matrix.ndim != 2:
            raise InvalidInput(f"{name} must be 2-D (items x raters), got {matrix.ndim}-D")
        kind = "bool" if matrix.dtype.kind == "b" else "number"
        if values is not None:
            _check_domain(values, kind, name)
        return _encode_numbers(np.asarray(matrix, dtype=float), name, values, kind)
    if isinstance(matrix, np.ndarray) and matrix.ndim != 2:
        raise InvalidInput(f"{name} must be 2-D (items x raters), got {matrix.ndim}-D")
    grid = object_grid(matrix, name)
    kind = grid_kind(grid, name)
    if values is not None:
        _check_domain(values, kind, name)
    if kind == "text":
        return _encode_text(grid, name, values)
    if kind == "empty":
        domain = tuple(values) if values is not None else ()
        numbers = None
        if domain and value_kind(domain[0]) != "text":
            numbers = np.asarray([float(v) for v in domain])
        return Encoded(np.full(grid.shape, MISSING, dtype=np.int64), domain, numbers, kind)
    numbers = np.where(np.equal(grid, None), np.nan, grid).astype(float)
    return _encode_numbers(numbers, name, values, kind)


def value_counts(codes: np.ndarray, q: int) -> np.ndarray:
    """items x q matrix: how many raters gave each category to each item (one bincount)."""
    n_items = codes.shape[0]
    # Stride q + 1: slot 0 of each item takes its unrated cells (code -1), so no masking.
    keys = codes + (np.arange(n_items, dtype=np.int64) * (q + 1) + 1)[:, None]
    counts = np.bincount(keys.ravel(), minlength=n_items * (q + 1))
    return counts.reshape(n_items, q + 1)[:, 1:].astype(float)


def rated_per_row(matrix: Any) -> np.ndarray:
    """How many entries of each row are rated (not None, not NaN), for any entry type."""
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind in "biuf":
        return (~np.isnan(matrix.astype(float))).sum(axis=1) if matrix.ndim == 2 else np.zeros(0)
    return np.asarray([sum(1 for v in row if not is_missing(v)) for row in matrix], dtype=int)
