"""Drift: a rater's (or cohort's) agreement figures per time window, and a flag when the
latest window differs from the windows before it.

The flag compares the latest window with all earlier windows pooled, with a two-sided
two-proportion z-test (pooled variance), for consensus agreement and for gold accuracy.
It is raised at p < 0.01 and only when both sides have at least `MIN_N` comparisons:
small windows swing by chance, and a flag that cries wolf is soon ignored. Both figures'
answers are clustered by item, so each enters the test with its effective n (the
first-order Rao-Scott correction: counts divided by the design effect).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import NormalDist
from typing import Any

from honing.quality._consensus import consensus_detail
from honing.quality._data import LabelRow, Period
from honing.quality._gold import gold_detail
from honing.stats import Estimate

MIN_N = 10
ALPHA = 0.01


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    labels: int
    consensus_agreement: Estimate
    gold_accuracy: Estimate  # n = gold items
    gold_effective_n: float = 0.0  # the gold answers' effective sample size
    consensus_effective_n: float = 0.0  # the compared answers' effective sample size

    def as_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "labels": self.labels,
                "consensus_agreement": {**self.consensus_agreement.as_dict(), "unit": "items"},
                "gold_accuracy": {**self.gold_accuracy.as_dict(), "unit": "items"}}


def window_days(period: Period, first: datetime | None) -> int:
    """Window length: a day for periods up to two weeks, a week beyond."""
    start = period.start or first or period.end
    return 1 if (period.end - start).total_seconds() <= 14 * 86400 else 7


def window_bounds(period: Period, first: datetime, days: int) -> list[tuple[datetime, datetime]]:
    """[low, high) windows of `days` ending at the period's end, back to its start (or to
    `first`, the first label, when the period is 'all'), oldest first; the oldest may be
    shorter."""
    start = period.start or first
    step = timedelta(days=days)
    bounds = []
    end = period.end
    while end > start:
        bounds.append((max(end - step, start), end))
        end -= step
    return bounds[::-1]


def windows(period: Period, labels: Sequence[LabelRow], matches: dict[int, tuple[int, int]], *,
            days: int) -> list[Window]:
    """The figures of `labels` per window (see `window_bounds`)."""
    if not labels:
        return []
    bounds = window_bounds(period, min(label.submitted_at for label in labels), days)
    found = []
    for low, high in bounds:
        inside = [label for label in labels if low <= label.submitted_at < high]
        live = [label for label in inside if label.kind == "live"]
        gold = gold_detail([label for label in inside if label.kind == "gold"])
        consensus = consensus_detail(live, matches)
        found.append(Window(low, high, len(inside), consensus.estimate, gold.estimate, gold.effective_n,
                            consensus.effective_n))
    return found


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float:
    """Two-sided p of the pooled two-proportion z-test (NaN when undefined)."""
    if n1 == 0 or n2 == 0:
        return math.nan
    pooled = (k1 + k2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance == 0:
        return 1.0  # both windows all agree (or all disagree): no evidence of a change
    z = (k1 / n1 - k2 / n2) / math.sqrt(variance)
    return 2 * (1 - NormalDist().cdf(abs(z)))


def drift_change(found: Sequence[Window]) -> str | None:
    """A sentence when the latest window with data differs from the earlier ones."""
    notes = []
    for figure, name in (("consensus_agreement", "consensus agreement"), ("gold_accuracy", "gold accuracy")):
        with_data = [w for w in found if getattr(w, figure).n > 0]
        if len(with_data) < 2:
            continue
        last, earlier = with_data[-1], with_data[:-1]
        k1, n1 = _counts(last, figure)
        k2 = sum(_counts(w, figure)[0] for w in earlier)
        n2 = sum(_counts(w, figure)[1] for w in earlier)
        if n1 < MIN_N or n2 < MIN_N:
            continue
        p = two_proportion_p(k1, n1, k2, n2)
        if p < ALPHA:
            direction = "fell" if k1 / n1 < k2 / n2 else "rose"
            notes.append(f"{name} {direction} from {k2 / n2:.2f} (n={n2:.1f} effective answers) to "
                         f"{k1 / n1:.2f} (n={n1:.1f} effective answers) in the window from "
                         f"{last.start:%Y-%m-%d} (p={p:.3g})")
    return "; ".join(notes) or None


def _counts(window: Window, figure: str) -> tuple[float, float]:
    """(successes, trials) for the test: both figures are clustered by item, so each is
    tested on its answers' effective n."""
    estimate: Estimate = getattr(window, figure)
    if not estimate.n:
        return 0, 0
    n = window.gold_effective_n if figure == "gold_accuracy" else window.consensus_effective_n
    return estimate.value * n, n
