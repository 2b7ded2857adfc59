"""How release figures read: changes in percentage points, with their interval."""

from __future__ import annotations

import math

from honing.stats import Estimate


def pp(value: float | None) -> str:
    """A change in percentage points: `+5.6 pp`."""
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:+.1f} pp"


def difference(estimate: Estimate) -> str:
    """`+5.6 pp [-0.6 pp, +12.2 pp]`, or n/a when undefined."""
    if math.isnan(estimate.value):
        return "n/a"
    interval = "" if math.isnan(estimate.low) else f" [{pp(estimate.low)}, {pp(estimate.high)}]"
    return f"{pp(estimate.value)}{interval}"
