"""What a calibration reports: named estimates (each with its interval and n), exact
p-values, and a confusion matrix of the humans' answer against the judge's."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from honing.stats import Estimate, Undefined, reason_undefined

N_RESAMPLES = 1000  # bootstrap resamples behind every bootstrap interval


@dataclass(frozen=True)
class Confusion:
    """counts[i][j]: units whose human answer is row_values[i] and the judge's column_values[j]."""

    rows: str  # what a row is, e.g. "human consensus"
    columns: str
    row_values: list[Any]
    column_values: list[Any]
    counts: list[list[int]]

    @classmethod
    def of(cls, rows: str, columns: str, row_values: list[Any], column_values: list[Any],
           pairs: list[tuple[Any, Any]]) -> Confusion:
        counts = [[0] * len(column_values) for _ in row_values]
        where_row = {v: i for i, v in enumerate(row_values)}
        where_column = {v: j for j, v in enumerate(column_values)}
        for human, judge in pairs:
            counts[where_row[human]][where_column[judge]] += 1
        return cls(rows, columns, list(row_values), list(column_values), counts)

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": self.columns, "row_values": self.row_values,
                "column_values": self.column_values, "counts": self.counts}


@dataclass(frozen=True)
class Figures:
    """`metrics`: judge against humans; `bias`: what sways the judge; `headline`: the
    metric the adoption threshold applies to (Spearman's rho)."""

    metrics: dict[str, Estimate]
    bias: dict[str, Estimate]
    confusion: Confusion
    p_values: dict[str, float] = field(default_factory=dict)

    @property
    def headline(self) -> Estimate:
        return self.metrics["spearman"]

    def as_dict(self) -> dict[str, Any]:
        return {"metrics": {k: e.as_dict() for k, e in self.metrics.items()},
                "bias": {k: e.as_dict() for k, e in self.bias.items()},
                "p_values": {k: p_value_dict(p) for k, p in self.p_values.items()},
                "confusion": self.confusion.as_dict()}


def p_value_dict(p: float) -> dict[str, Any]:
    return {"value": None if math.isnan(p) else p, "reason": reason_undefined(p)}


def undefined(reason: str, n: int, conf: float, method: str) -> Estimate:
    """An estimate that cannot be made, and why."""
    return Estimate(Undefined(reason), Undefined(reason), Undefined(reason), n, conf, method)


def relabel(estimate: Estimate, method: str) -> Estimate:
    """The same estimate, with a method that says what was measured as well as how."""
    return Estimate(estimate.value, estimate.low, estimate.high, estimate.n, estimate.conf, method)


def estimate_from_dict(data: dict[str, Any]) -> Estimate:
    """An Estimate back from `Estimate.as_dict()` (a missing number returns as Undefined
    with its reason)."""
    reason = data.get("reason") or "undefined"

    def number(key: str) -> float:
        value = data.get(key)
        return Undefined(reason if key == "value" else "no interval") if value is None else float(value)

    return Estimate(number("value"), number("low"), number("high"), int(data.get("n") or 0),
                    float(data.get("conf") or 0.95), str(data.get("method") or ""))
