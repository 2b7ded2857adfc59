"""Figures per rater and per cohort (a team or annotation vendor): the rater scorecard.

Every proportion is an `Estimate` with its interval and n; a figure with no data is NaN
with the reason, never 0.

- gold accuracy: questions scored right on hidden gold items / questions scored, with the
  queue's tolerances (`honing.rubrics.score_gold`). The answers to one item's questions
  are correlated, so the item is the unit: n is gold items and the interval is Wilson's on
  the effective n of the clustered answers (`honing.stats._clustered`); the answer count
  travels beside it;
- pairwise kappa: the rater against every other rater on the units they share, and per
  partner (`_pairwise`), defined from overlap 2 on;
- agreement with adjudicated answers: the leads' final answers scored like gold
  (`_adjudicated`), n items;
- consensus agreement: the leave-one-out comparison in `_consensus` (needs two other
  raters on a unit, so overlap 3 or more);
- rework rate: live labels returned for rework at least once / live labels;
- audit pass rate: reviewed labels whose first verdict was accept / reviewed labels;
- throughput: labels per day on the days the rater worked, and the number of those days;
- median active time: the workbench's active-time timer per label, in seconds;
- drift: the two agreement figures per time window, with a flag when the latest window
  differs from the windows before it (`_drift`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from honing.quality._adjudicated import adjudicated_agreement
from honing.quality._consensus import consensus_detail, consensus_matches
from honing.quality._data import LabelRow, QueueData
from honing.quality._drift import Window, drift_change, window_days, windows
from honing.quality._gold import gold_detail
from honing.quality._pairwise import (
    Answers,
    PairAgreement,
    answers_by_rater,
    pair_agreements,
    pooled_kappa,
)
from honing.stats import Estimate, Undefined, median, proportion


@dataclass(frozen=True)
class Scorecard:
    name: str
    kind: str  # rater | cohort
    raters: list[str]
    labels: int  # live and gold labels submitted in the period
    gold_accuracy: Estimate  # n = gold items
    gold_items: int
    gold_answers: int  # the questions scored on those items
    pairwise_kappa: Estimate  # against every other rater; n = shared items
    adjudicated_agreement: Estimate  # n = adjudicated items
    adjudicated_answers: int
    consensus_agreement: Estimate  # n = items compared
    consensus_answers: int  # the questions and units compared on those items
    rework_rate: Estimate
    audit_pass_rate: Estimate
    per_active_day: float
    active_days: int
    median_active_s: float
    drift: list[Window] = field(default_factory=list)
    drift_flag: str | None = None
    pairwise: list[PairAgreement] = field(default_factory=list)  # per partner (raters only)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "raters": self.raters, "labels": self.labels,
                "gold_accuracy": {**self.gold_accuracy.as_dict(), "unit": "items",
                                  "answers": self.gold_answers},
                "gold_items": self.gold_items,
                "pairwise_kappa": {**self.pairwise_kappa.as_dict(), "unit": "items"},
                "pairwise": [p.as_dict() for p in self.pairwise],
                "adjudicated_agreement": {**self.adjudicated_agreement.as_dict(), "unit": "items",
                                          "answers": self.adjudicated_answers},
                "consensus_agreement": {**self.consensus_agreement.as_dict(), "unit": "items",
                                        "answers": self.consensus_answers},
                "rework_rate": self.rework_rate.as_dict(),
                "audit_pass_rate": self.audit_pass_rate.as_dict(),
                "per_active_day": _number(self.per_active_day), "active_days": self.active_days,
                "median_active_s": _number(self.median_active_s),
                "drift": [w.as_dict() for w in self.drift], "drift_flag": self.drift_flag}


def _number(value: float) -> float | None:
    return None if value != value else round(value, 3)


def scorecards(data: QueueData, *, by: str = "rater",
               matches: dict[int, tuple[int, int]] | None = None, n_resamples: int = 1000,
               seed: int = 0) -> list[Scorecard]:
    """One scorecard per rater (`by="rater"`) or per cohort (`by="cohort"`) with labels in
    the period, by name. `matches` is `consensus_matches(data.rubric, data.labels)`, when
    the caller has it already; `n_resamples` bootstrap resamples give the kappa intervals."""
    key: Callable[[LabelRow], str] = (lambda label: label.rater) if by == "rater" else (lambda label: label.cohort)
    # Consensus is computed over every label of the queue, so a rater's label in the period
    # is compared with the others' labels on the same unit whenever they were given.
    if matches is None:
        matches = consensus_matches(data.rubric, data.labels)
    first_verdicts = _first_verdicts(data)
    groups: dict[str, list[LabelRow]] = defaultdict(list)
    for label in data.in_period():
        if label.kind in ("live", "gold"):
            groups[key(label)].append(label)
    # Pairwise kappa compares the period's labels with each other, like agreement per question.
    answers = answers_by_rater(data.rubric, data.in_period())
    return [_card(name, by, labels, matches, first_verdicts, data, answers, n_resamples, seed)
            for name, labels in sorted(groups.items())]


def _first_verdicts(data: QueueData) -> dict[int, str]:
    first: dict[int, str] = {}
    for review in data.reviews:  # oldest first
        first.setdefault(review.label_id, review.verdict)
    return first


def _card(name: str, kind: str, labels: list[LabelRow], matches: dict[int, tuple[int, int]],
          first_verdicts: dict[int, str], data: QueueData, answers: Answers, n_resamples: int,
          seed: int) -> Scorecard:
    live = [label for label in labels if label.kind == "live"]
    gold = gold_detail([label for label in labels if label.kind == "gold"])
    consensus = consensus_detail(live, matches)
    adjudicated = adjudicated_agreement(data.rubric, live, data.adjudications)
    raters = sorted({label.rater for label in labels})
    days = defaultdict(int)
    for label in labels:
        days[label.submitted_at.date()] += 1
    reviewed = [first_verdicts[label.id] for label in live if label.id in first_verdicts]
    first = min((label.submitted_at for label in data.labels), default=None)
    window_list = windows(data.period, labels, matches, days=window_days(data.period, first))
    return Scorecard(
        name=name, kind=kind, raters=raters, labels=len(labels),
        gold_accuracy=gold.estimate, gold_items=gold.estimate.n, gold_answers=gold.answers,
        pairwise_kappa=pooled_kappa(data.rubric, answers, raters, n_resamples=n_resamples, seed=seed),
        adjudicated_agreement=adjudicated.estimate, adjudicated_answers=adjudicated.answers,
        consensus_agreement=consensus.estimate, consensus_answers=consensus.answers,
        rework_rate=proportion(sum(1 for label in live if label.rework_count > 0 or label.status == "returned"),
                               len(live)),
        audit_pass_rate=proportion(reviewed.count("accept"), len(reviewed)),
        per_active_day=len(labels) / len(days) if days else Undefined("no labels"),
        active_days=len(days),
        median_active_s=median([label.active_ms / 1000 for label in labels]) if labels
        else Undefined("no labels"),
        drift=window_list, drift_flag=drift_change(window_list),
        pairwise=pair_agreements(data.rubric, answers, name, n_resamples=n_resamples, seed=seed)
        if kind == "rater" else [])
