"""What a ratings matrix holds: its shape as an object grid, and the one kind of value in it.

A value is text, a boolean or a real number; None, and a float NaN, mean "not rated". The
kind is decided from the set of Python types in one C-level pass; a cell-by-cell walk
happens only when it is needed to name the offending item and rater in an error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from honing._errors import InvalidInput


def value_kind(value: Any) -> str | None:
    """The kind of one entry; None for missing. Raises on anything else."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "number"
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return "number"
    if isinstance(value, str):
        return "text"
    raise TypeError(type(value).__name__)


def object_grid(matrix: Any, name: str) -> np.ndarray:
    """A 2-D object array from a sequence of equal-length rows; ragged rows are an error."""
    if isinstance(matrix, str | bytes) or not isinstance(matrix, Sequence | np.ndarray):
        raise InvalidInput(f"{name} must be a list of items, each a list with one entry per rater")
    rows = list(matrix)
    lengths = []
    for i, row in enumerate(rows):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence | np.ndarray):
            raise InvalidInput(f"{name}: item {i} is {type(row).__name__}, not a list of "
                               "ratings (one entry per rater, None for missing)")
        lengths.append(len(row))
    if lengths and min(lengths) != max(lengths):
        bad = next(i for i, n in enumerate(lengths) if n != lengths[0])
        raise InvalidInput(f"{name}: item {bad} has {lengths[bad]} entries but item 0 has "
                           f"{lengths[0]}; every item needs one entry per rater (None for missing)")
    width = lengths[0] if lengths else 0
    flat = np.fromiter(chain.from_iterable(rows), dtype=object, count=len(rows) * width)
    return flat.reshape(len(rows), width)


def _type_kind(t: type) -> str | None:
    """The kind of every value of type `t`; "float" when NaN (missing) is possible."""
    if t is type(None):
        return None
    if issubclass(t, bool | np.bool_):
        return "bool"
    if issubclass(t, int | np.integer):
        return "number"
    if issubclass(t, float | np.floating):
        return "float"
    if issubclass(t, str):
        return "text"
    return "invalid"


def grid_kind(grid: np.ndarray, name: str) -> str:
    """The single kind of all rated entries of an object grid.

    Decided from the set of Python types (one C-level pass); only an ambiguous grid (floats
    next to text, which may be NaN-for-missing) or an invalid one is walked cell by cell,
    so that the error can name the cell."""
    kinds = {_type_kind(t) for t in set(map(type, grid.flat))} - {None}
    if "invalid" not in kinds:
        if kinds <= {"number", "float"}:
            return "number" if kinds else "empty"
        if len(kinds) == 1:
            return kinds.pop()
    seen: str | None = None
    for index, value in enumerate(grid.flat):
        item, rater = divmod(index, grid.shape[1])
        try:
            kind = value_kind(value)
        except TypeError:
            raise InvalidInput(f"{name}: item {item}, rater {rater} is a "
                               f"{type(value).__name__} ({value!r}); ratings must be text, "
                               "numbers or booleans, None for missing") from None
        if kind is None:
            continue
        if seen is None:
            seen = kind
        elif kind != seen:
            raise InvalidInput(f"{name}: item {item}, rater {rater} is {kind} ({value!r}) but "
                               f"earlier ratings are {seen}; use one kind of value throughout")
    return seen or "empty"


def rated_cells(grid: np.ndarray) -> np.ndarray:
    """Boolean grid: True where a rating is present (not None, not a float NaN)."""
    rated = ~np.equal(grid, None)
    if any(_type_kind(t) == "float" for t in set(map(type, grid.flat))):
        rated &= np.fromiter((not (isinstance(v, float | np.floating) and math.isnan(v))
                              for v in grid.flat), dtype=bool, count=grid.size).reshape(grid.shape)
    return rated


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float | np.floating) and math.isnan(value))
