"""Figures of a whole queue over a period: delivery (throughput, backlog, on-time rate),
quality control (audit pass rate, first-pass QA score, rework, gold accuracy, calibration
pass rate), escalations by severity, and the distribution of answers.

Definitions, so the report can state them:

- an item is complete when it has `overlap` live labels that are not returned for
  rework; it completed when the last of those was submitted;
- backlog: live items not complete at the end of a day; their age counts from when the
  queue was created (items enter a queue with it);
- on-time rate: items completed within the queue's `turnaround_hours` / items that were
  due: those completed in the period and those still open whose deadline passed;
- audit pass rate: reviews in the period that were a label's first verdict and accepted
  it / first verdicts in the period;
- gold accuracy: questions right / questions scored on gold items, clustered by item (n
  is gold items; `_gold`);
- first-pass QA score: first-time checks passed / checks, where a check is a label's first
  review verdict or a gold label scored in full (all its gold questions right);
- escalation completeness: escalations with repro, policy reference, expected and
  observed behaviour all filled in / escalations;
- guideline clarity: escalations per 100 labels, and the share of items with at least two
  labels whose answers disagree by 0.5 or more on some question (the measure is
  `honing.rubrics.disagreement`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from honing.charts import AnswerScale
from honing.quality._data import LabelRow, QueueData
from honing.quality._drift import window_bounds, window_days
from honing.quality._gold import gold_detail
from honing.rubrics import LabelQuestion, LikertQuestion, PairwiseQuestion, Rubric, disagreement
from honing.rubrics._values import is_per_response
from honing.stats import Estimate, Undefined, proportion

SEVERITIES = ("S0", "S1", "S2", "S3")
DISPUTE = 0.5


@dataclass(frozen=True)
class Day:
    day: date
    labels: int
    completed: int
    backlog: int  # at the end of the day
    backlog_median_age_days: float


@dataclass
class QueueFigures:
    live_items: int
    complete_items: int
    backlog: int
    backlog_median_age_days: float
    labels: int  # live and gold labels submitted in the period
    labels_per_day: float
    completed_per_day: float
    on_time_rate: Estimate
    audit_pass_rate: Estimate
    first_pass_qa: Estimate
    rework_rate: Estimate
    gold_accuracy: Estimate  # n = gold items, all raters' answers to one item a cluster
    gold_answers: int
    calibration_pass_rate: Estimate
    escalations: dict[str, int]
    open_escalations: int
    escalations_per_100_labels: float
    escalation_completeness: Estimate
    disputed_items: Estimate
    days: list[Day] = field(default_factory=list)
    distributions: dict[str, dict[str, int]] = field(default_factory=dict)
    # rater -> question -> answer counts: how raters differ.
    rater_distributions: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # (window start, question -> answer counts), oldest first: label distribution drift.
    distribution_windows: list[tuple[datetime, dict[str, dict[str, int]]]] = field(default_factory=list)
    # question -> its answers in rubric order and whether they are ordinal: one colour per
    # answer, and the rubric's order, in every chart that shows the question's answers.
    answer_scales: dict[str, AnswerScale] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            if isinstance(value, Estimate):
                out[name] = value.as_dict()
            elif isinstance(value, float):
                out[name] = None if value != value else round(value, 3)
            elif name == "distribution_windows":
                out[name] = [{"start": start.isoformat(), "counts": counts} for start, counts in value]
            elif name == "answer_scales":
                out[name] = {q: {"options": list(sc.options), "ordinal": sc.ordinal} for q, sc in value.items()}
            elif name == "days":
                out[name] = [{"day": d.day.isoformat(), "labels": d.labels, "completed": d.completed,
                              "backlog": d.backlog,
                              "backlog_median_age_days": round(d.backlog_median_age_days, 2)}
                             for d in value]
            else:
                out[name] = value
        return out


def completion_times(data: QueueData) -> dict[int, datetime]:
    """queue item -> when its `overlap`-th kept live label was submitted."""
    kept: dict[int, list[datetime]] = defaultdict(list)
    for label in data.labels:
        if label.kind == "live" and label.status != "returned":
            kept[label.queue_item_id].append(label.submitted_at)
    overlap = data.policy.overlap
    return {item: sorted(times)[overlap - 1] for item, times in kept.items() if len(times) >= overlap}


def queue_figures(data: QueueData) -> QueueFigures:
    period, end = data.period, data.period.end
    in_period = [label for label in data.in_period() if label.kind in ("live", "gold")]
    live = [label for label in in_period if label.kind == "live"]
    done = completion_times(data)
    complete = sum(1 for at in done.values() if at < end)
    backlog = data.live_items - complete
    age = _age_days(data.created_at, end)
    days = _days(data, done)
    span_days = len(days) or 1
    first_reviews = _first_reviews_in_period(data)
    gold = [label for label in in_period if label.kind == "gold" and label.gold_scored]
    gold_figure = gold_detail(gold)
    checks_passed = first_reviews.count("accept") + sum(
        1 for label in gold if label.gold_correct == label.gold_scored)
    escalations = [e for e in data.escalations if period.contains(e.created_at)]
    by_severity = Counter(e.severity for e in escalations)
    decided = sum(data.qualification.values())
    disputed, multi = _disputes(data, live)
    return QueueFigures(
        live_items=data.live_items, complete_items=complete, backlog=backlog,
        backlog_median_age_days=age if backlog else Undefined("no backlog"),
        labels=len(in_period),
        labels_per_day=len(in_period) / span_days,
        completed_per_day=sum(d.completed for d in days) / span_days,
        on_time_rate=_on_time(data, done),
        audit_pass_rate=proportion(first_reviews.count("accept"), len(first_reviews)),
        first_pass_qa=proportion(checks_passed, len(first_reviews) + len(gold)),
        rework_rate=proportion(sum(1 for label in live if label.rework_count > 0 or label.status == "returned"),
                               len(live)),
        gold_accuracy=gold_figure.estimate, gold_answers=gold_figure.answers,
        calibration_pass_rate=proportion(data.qualification.get("passed", 0), decided),
        escalations={s: by_severity.get(s, 0) for s in SEVERITIES},
        open_escalations=sum(1 for e in escalations if e.status != "resolved"),  # assigned too
        escalations_per_100_labels=(100 * len(escalations) / len(in_period)) if in_period
        else Undefined("no labels in the period"),
        escalation_completeness=proportion(sum(e.complete for e in escalations), len(escalations)),
        disputed_items=proportion(disputed, multi),
        days=days, distributions=distributions(data, live),
        rater_distributions={rater: distributions(data, [label for label in live if label.rater == rater])
                             for rater in sorted({label.rater for label in live})},
        distribution_windows=_distribution_windows(data, live), answer_scales=answer_scales(data.rubric))


def _distribution_windows(data: QueueData, live: list[LabelRow]) -> list[tuple[datetime, dict[str, dict[str, int]]]]:
    if not live:
        return []
    first = min(label.submitted_at for label in live)
    bounds = window_bounds(data.period, first, window_days(data.period, first))
    return [(low, distributions(data, [label for label in live if low <= label.submitted_at < high]))
            for low, high in bounds]


def _age_days(since: datetime, until: datetime) -> float:
    return max(0.0, (until - since).total_seconds() / 86400)


def _days(data: QueueData, done: dict[int, datetime]) -> list[Day]:
    """One row per calendar day (UTC) of the period that is after the queue was created."""
    period = data.period
    first = max(period.start or data.created_at, data.created_at).date()
    last = (period.end - timedelta(microseconds=1)).date()
    labels_per_day = Counter(label.submitted_at.date() for label in data.in_period()
                             if label.kind in ("live", "gold"))
    completed_per_day = Counter(at.date() for at in done.values() if period.contains(at))
    rows = []
    day = first
    while day <= last:
        day_end = min(datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=period.end.tzinfo),
                      period.end)
        open_items = data.live_items - sum(1 for at in done.values() if at < day_end)
        rows.append(Day(day, labels_per_day.get(day, 0), completed_per_day.get(day, 0), open_items,
                        _age_days(data.created_at, day_end) if open_items else 0.0))
        day += timedelta(days=1)
    return rows


def _on_time(data: QueueData, done: dict[int, datetime]) -> Estimate:
    hours = data.policy.turnaround_hours
    if hours is None:
        reason = Undefined("the queue policy sets no turnaround_hours")
        return Estimate(reason, reason, reason, 0, method="wilson")
    deadline = data.created_at + timedelta(hours=hours)
    completed = [at for at in done.values() if data.period.contains(at)]
    on_time = sum(1 for at in completed if at <= deadline)
    overdue_open = (data.live_items - sum(1 for at in done.values() if at < data.period.end)
                    if deadline < data.period.end else 0)
    return proportion(on_time, len(completed) + overdue_open)


def _first_reviews_in_period(data: QueueData) -> list[str]:
    seen: set[int] = set()
    verdicts = []
    for review in data.reviews:
        if review.label_id in seen:
            continue
        seen.add(review.label_id)
        if data.period.contains(review.created_at):
            verdicts.append(review.verdict)
    return verdicts


def _disputes(data: QueueData, live: list[LabelRow]) -> tuple[int, int]:
    """(items with a disagreement >= DISPUTE on some question, items with two or more
    labels), over items that got a label in the period."""
    items = {label.queue_item_id for label in live}
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for label in data.labels:
        if label.kind == "live" and label.status != "returned" and label.queue_item_id in items:
            answers[label.queue_item_id].append(label.answers)
    disputed = multi = 0
    for given in answers.values():
        if len(given) < 2:
            continue
        multi += 1
        scores = [disagreement(q, [a[q.id] for a in given if q.id in a]) for q in data.rubric.questions]
        disputed += any(s is not None and s >= DISPUTE for s in scores)
    return disputed, multi


def distributions(data: QueueData, labels: list[LabelRow]) -> dict[str, dict[str, int]]:
    """Counts of each answer per label, likert and pairwise question, in the rubric's order
    of values (per-response answers pooled over responses)."""
    found: dict[str, dict[str, int]] = {}
    scales = answer_scales(data.rubric)
    for q in data.rubric.questions:
        if q.id not in scales:
            continue
        order = scales[q.id].options
        counts = Counter()
        for label in labels:
            answer = label.answers.get(q.id)
            values = answer.values() if is_per_response(q) and isinstance(answer, dict) else [answer]
            counts.update(str(v) for v in values if v is not None)
        found[q.id] = {value: counts.get(value, 0) for value in order}
    return found


def answer_scales(rubric: Rubric) -> dict[str, AnswerScale]:
    """question -> its answers in the rubric's order, for the label, likert and pairwise
    questions whose answers are counted. Likert points, pairwise verdicts (A≫B … B≫A) and
    options taken from the severity scale are ordinal; other label options are nominal."""
    scales = {}
    for q in rubric.questions:
        if isinstance(q, LikertQuestion):
            scales[q.id] = AnswerScale(tuple(str(v) for v in q.values()), ordinal=True)
        elif isinstance(q, LabelQuestion):
            scales[q.id] = AnswerScale(tuple(q.option_values()), ordinal=q.options_from == "severity")
        elif isinstance(q, PairwiseQuestion):
            scales[q.id] = AnswerScale(tuple(o.value for o in q.options), ordinal=True)
    return scales
