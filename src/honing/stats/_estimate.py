"""How Honing reports a number: an estimate with its n and interval, and NaN with a reason
when the statistic is undefined (never a made-up 0 or 1)."""

from __future__ import annotations

import math
from dataclasses import dataclass


class Undefined(float):
    """NaN that says why: `math.isnan(x)` is true and `x.reason` names the cause, so code
    that only wants a number gets NaN and code that reports it can say why."""

    reason: str

    def __new__(cls, reason: str) -> Undefined:
        value = super().__new__(cls, math.nan)
        value.reason = reason
        return value

    def __repr__(self) -> str:
        return f"Undefined({self.reason!r})"

    def __reduce__(self) -> tuple[type[Undefined], tuple[str]]:
        return (Undefined, (self.reason,))


def reason_undefined(value: float) -> str | None:
    """Why `value` is NaN (None when it is a number; a generic reason for a bare NaN)."""
    if isinstance(value, Undefined):
        return value.reason
    if isinstance(value, float) and math.isnan(value):
        return "undefined"
    return None


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its confidence interval and the n it rests on.

    `low` and `high` are NaN when no interval could be computed; `value` is NaN (an
    `Undefined` with its reason) when the statistic itself is undefined."""

    value: float
    low: float
    high: float
    n: int
    conf: float = 0.95
    method: str = ""

    @property
    def reason(self) -> str | None:
        return reason_undefined(self.value)

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: NaN becomes None, and the reason travels with it."""
        return {"value": _finite(self.value), "low": _finite(self.low), "high": _finite(self.high),
                "n": self.n, "conf": self.conf, "method": self.method, "reason": self.reason}


def _finite(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
