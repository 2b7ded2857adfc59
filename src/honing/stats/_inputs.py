"""Checking and cleaning what callers hand to the statistics: counts, probabilities,
confidence levels, and sequences of numbers where None or NaN means "missing"."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from statistics import NormalDist

import numpy as np

from honing._errors import InvalidInput

Values = Iterable[float | int | None] | np.ndarray


def check_count(value: object, name: str) -> int:
    """A non-negative integer (bool is refused: True is not a count)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidInput(f"{name} must be a whole number; got {value!r}")
    if value < 0:
        raise InvalidInput(f"{name} must not be negative; got {value}")
    return int(value)


def check_conf(conf: object) -> float:
    """A confidence level strictly between 0 and 1."""
    if isinstance(conf, bool) or not isinstance(conf, numbers.Real) or not 0 < conf < 1:
        raise InvalidInput(f"conf must be strictly between 0 and 1 (e.g. 0.95); got {conf!r}")
    return float(conf)


def check_probability(p: object, name: str) -> float:
    """A probability in [0, 1]; NaN passes through so callers can propagate its reason."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise InvalidInput(f"{name} must be a probability between 0 and 1; got {p!r}")
    if not math.isnan(p) and not 0 <= p <= 1:
        raise InvalidInput(f"{name} must be a probability between 0 and 1; got {p!r}")
    return p if isinstance(p, float) else float(p)


def critical_value(conf: float) -> float:
    """Two-sided standard normal quantile z such that P(|Z| <= z) = conf."""
    return NormalDist().inv_cdf(1 - (1 - conf) / 2)


def as_values(values: Values, name: str) -> np.ndarray:
    """A 1-D float array; None becomes NaN (missing). Strings, nested data and infinities
    are refused: a rank or a mean of them would be a made-up number."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        array = values.astype(float)
    else:
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise InvalidInput(f"{name} must be a sequence of numbers; got {type(values).__name__}")
        items = list(values)
        for position, item in enumerate(items):
            if item is not None and not isinstance(item, numbers.Real):
                raise InvalidInput(f"{name}[{position}] is {item!r}, not a number "
                                   "(use None for a missing value)")
        array = np.array([math.nan if item is None else float(item) for item in items],
                         dtype=float)
    if array.ndim != 1:
        raise InvalidInput(f"{name} must be one-dimensional; got shape {array.shape}")
    infinite = np.flatnonzero(np.isinf(array))
    if infinite.size:
        raise InvalidInput(f"{name}[{int(infinite[0])}] is infinite; only finite numbers "
                           "(or None for missing) are accepted")
    return array


def present(values: Values, name: str = "values") -> np.ndarray:
    """The non-missing values (None and NaN dropped)."""
    array = as_values(values, name)
    return array[~np.isnan(array)]


def paired(x: Values, y: Values) -> tuple[np.ndarray, np.ndarray]:
    """Two equally long sequences as arrays, with every pair that has a missing side dropped."""
    xs, ys = as_values(x, "x"), as_values(y, "y")
    if xs.size != ys.size:
        raise InvalidInput(f"x and y must be paired, one y per x: x has {xs.size} values, "
                           f"y has {ys.size}")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    return xs[keep], ys[keep]
