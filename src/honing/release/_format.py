"""How release figures read: changes in percentage points, with their interval. The
formatters are the comparison's own, so a slice reads the same in `eval compare`, the gate,
the report and the compare page."""

from honing.evaluate import difference, pp

__all__ = ["difference", "pp"]
