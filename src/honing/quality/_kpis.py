"""The KPI table of the weekly quality report: the label-quality and delivery KPIs of the
lead trainer and associate trainer role blueprints that a queue's data supports, each
with its value, interval, n and the usual target, formatted once for Markdown and HTML."""

from __future__ import annotations

import math
from dataclasses import dataclass

from honing.quality._production import ProductionRate
from honing.quality._raters import Scorecard
from honing.quality._report import QualityReport
from honing.stats import Estimate, reason_undefined


@dataclass(frozen=True)
class Kpi:
    name: str
    value: str
    interval: str
    n: str
    target: str
    definition: str


# What `QueueFigures.labels` counts, said wherever it is shown: the queue's own count
# includes qualification labels, and the dataset card counts kept live labels only.
PERIOD_LABELS = "live and gold labels submitted in the period"


def pct(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.1f}%"


def num(value: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def interval(estimate: Estimate, *, percent: bool = True) -> str:
    if math.isnan(estimate.low) or math.isnan(estimate.high):
        return ""
    show = pct if percent else num
    return f"[{show(estimate.low)}, {show(estimate.high)}]"


def value_or_reason(estimate: Estimate, *, percent: bool = True) -> str:
    if math.isnan(estimate.value):
        return f"n/a ({estimate.reason})"
    return pct(estimate.value) if percent else num(estimate.value, 3)


def with_n(estimate: Estimate) -> str:
    """'81.2% [74.0%, 86.9%] n=120', for tables with one cell per figure."""
    return " ".join(part for part in (value_or_reason(estimate), interval(estimate), f"n={estimate.n}") if part)


def with_units(estimate: Estimate, unit: str, *, answers: int | None = None, percent: bool = True) -> str:
    """'80.0% [52.1%, 95.0%] n=5 items (15 answers)': a figure whose unit is not a single
    answer says what it counts, and how many answers lie behind it."""
    detail = f" ({answers} answers)" if answers is not None and estimate.n else ""
    return " ".join(part for part in (value_or_reason(estimate, percent=percent),
                                      interval(estimate, percent=percent),
                                      f"n={estimate.n} {unit}{detail}") if part)


def partner_figures(card: Scorecard) -> list[str]:
    """'vs bob: 0.620 [0.410, 0.800] n=12 items', one per partner of a rater's scorecard."""
    return [f"vs {pair.partner}: {with_units(pair.kappa, 'items', percent=False)}" for pair in card.pairwise]


SCORECARD_CELLS = ("gold accuracy", "pairwise kappa", "per partner", "agreement with adjudicated",
                   "agreement with consensus")


def scorecard_cells(card: Scorecard) -> dict[str, str]:
    """The agreement and accuracy cells of a scorecard row, shared by every view."""
    return {"gold accuracy": with_units(card.gold_accuracy, "items", answers=card.gold_answers),
            "pairwise kappa": with_units(card.pairwise_kappa, "items", percent=False),
            "per partner": "; ".join(partner_figures(card)),
            "agreement with adjudicated": with_units(card.adjudicated_agreement, "items",
                                                     answers=card.adjudicated_answers),
            "agreement with consensus": with_units(card.consensus_agreement, "items",
                                                   answers=card.consensus_answers)}


PRODUCTION_CELLS = ("question", "answer", "estimated production rate", "estimate n", "sample's raw rate",
                    "sample n")


def production_cells(rate: ProductionRate) -> dict[str, str]:
    """One row of the estimated production rates: the weighted estimate with its interval
    and n (and the effective n its interval rests on) beside the sample's raw rate."""
    effective = f" (effective {rate.effective_n:.0f})" if rate.estimate.n else ""
    return {"question": rate.question, "answer": rate.answer,
            "estimated production rate": " ".join(
                part for part in (value_or_reason(rate.estimate), interval(rate.estimate)) if part),
            "estimate n": f"{rate.estimate.n} items{effective}",
            "sample's raw rate": " ".join(
                part for part in (value_or_reason(rate.sample), interval(rate.sample)) if part),
            "sample n": f"{rate.sample.n} items"}


PRODUCTION_NOTE = ("The queue's items were drawn by a sampling design: each reviewed item counts 1/π times "
                   "(π its inclusion probability), so the estimated production rate corrects for items "
                   "the design oversampled; the sample's raw rate does not. Hájek estimator, design-based "
                   "variance (with replacement, within strata), 95% Wilson interval on the effective n.")


def _proportion(name: str, estimate: Estimate, target: str, definition: str) -> Kpi:
    return Kpi(name, value_or_reason(estimate), interval(estimate), str(estimate.n), target, definition)


def kpi_table(report: QualityReport) -> list[Kpi]:
    f = report.figures
    days = len(f.days)
    rows = [
        Kpi("Gold set accuracy", value_or_reason(f.gold_accuracy), interval(f.gold_accuracy),
            f"{f.gold_accuracy.n} items ({f.gold_answers} answers)", "≥ 95% mature, ≥ 90% early",
            "gold questions answered right (within tolerance) / gold questions scored; "
            "interval clustered by item"),
        _proportion("Audit pass rate", f.audit_pass_rate, "≥ 95% high-stakes",
                    "first review verdicts that accepted the label / first verdicts"),
        _proportion("First-pass QA score", f.first_pass_qa, "≥ 92–97%",
                    "first reviews accepted + gold labels fully right / both"),
        _proportion("Rework rate (label defect rate)", f.rework_rate, "≤ 5–10%",
                    "live labels returned for rework / live labels"),
        Kpi("Throughput", f"{num(f.labels_per_day, 1)} labels/day, "
            f"{num(f.completed_per_day, 1)} items completed/day", "", f"{f.labels} {PERIOD_LABELS}, {days} days",
            "60–150 items/day per rater", "labels submitted and items completed per calendar day"),
        Kpi("Backlog", f"{f.backlog} items open", "", f"{f.live_items} live items", "",
            "live items without their full overlap of labels at the end of the period"),
        Kpi("Backlog age (median)", num(f.backlog_median_age_days, 1) + " days"
            if not math.isnan(f.backlog_median_age_days)
            else f"n/a ({reason_undefined(f.backlog_median_age_days)})", "", str(f.backlog),
            "< 14 days", "median age of open items, from when they entered the queue"),
        _proportion("On-time rate", f.on_time_rate, "≥ 95%",
                    "items completed within the queue's turnaround / items due"),
        _proportion("Calibration pass rate", f.calibration_pass_rate, "≥ 90%",
                    "raters who passed the qualification pack / raters scored on it"),
        Kpi("Escalations", ", ".join(f"{s}: {c}" for s, c in f.escalations.items())
            + f" ({f.open_escalations} open)", "", str(sum(f.escalations.values())),
            "severity-1/2 handled fast", "escalations raised in the period, by severity"),
        _proportion("Escalation completeness", f.escalation_completeness, "all actionable",
                    "escalations with repro, policy reference, expected and observed filled in"),
        Kpi("Guideline clarity: escalations per 100 labels",
            num(f.escalations_per_100_labels, 2) if not math.isnan(f.escalations_per_100_labels)
            else "n/a", "", f"{f.labels} {PERIOD_LABELS}", "downward trend", "escalations / labels × 100"),
        _proportion("Guideline clarity: disputed items", f.disputed_items, "downward trend",
                    "items whose labels disagree by ≥ 0.5 on some question / items with ≥ 2 labels"),
    ]
    for a in report.agreement:
        if a.primary:
            rows.append(Kpi(f"Inter-annotator agreement: {a.question}",
                            value_or_reason(a.estimate, percent=False),
                            interval(a.estimate, percent=False), f"{a.estimate.n} units, {a.raters} raters",
                            "≥ 0.67 tentative, ≥ 0.8 reliable", a.coefficient))
    return rows
