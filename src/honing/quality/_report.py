"""The label-quality report of one queue over a period: every figure the dashboard, the
CLI and the weekly report show, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from honing import annotate, datasets
from honing.quality._by_question import QuestionAgreement, question_agreement
from honing.quality._consensus import consensus_matches
from honing.quality._data import Period, QueueData, load_queue_data
from honing.quality._production import ProductionRate, production_rates
from honing.quality._queue_figures import QueueFigures, queue_figures
from honing.quality._raters import Scorecard, scorecards
from honing.storage import Queue, Workspace, utcnow

EXCERPT = 160


@dataclass(frozen=True)
class DisagreementExample:
    queue_item_id: int
    question: str
    score: float
    adjudicated: bool
    excerpt: str  # the conversation's first user message, shortened
    answers: list[tuple[str, Any]]  # (rater, answer)

    def as_dict(self) -> dict[str, Any]:
        return {"queue_item_id": self.queue_item_id, "question": self.question,
                "score": round(self.score, 3), "adjudicated": self.adjudicated,
                "excerpt": self.excerpt, "answers": [{"rater": r, "answer": a} for r, a in self.answers]}


@dataclass
class QualityReport:
    workspace: str
    queue: str
    rubric: str
    period: Period
    generated_at: datetime
    agreement: list[QuestionAgreement]
    raters: list[Scorecard]
    cohorts: list[Scorecard]
    figures: QueueFigures
    disagreements: list[DisagreementExample]
    # Estimated production rates, only for a queue whose items carry inclusion probabilities.
    production: list[ProductionRate] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"workspace": self.workspace, "queue": self.queue, "rubric": self.rubric,
                "period": {"text": self.period.text,
                           "start": self.period.start.isoformat() if self.period.start else None,
                           "end": self.period.end.isoformat()},
                "generated_at": self.generated_at.isoformat(),
                "agreement": [a.as_dict() for a in self.agreement],
                "raters": [r.as_dict() for r in self.raters],
                "cohorts": [c.as_dict() for c in self.cohorts],
                "queue_figures": self.figures.as_dict(),
                "disagreements": [d.as_dict() for d in self.disagreements],
                "production_rates": [{"question": r.question, "answer": r.answer,
                                      "estimated_production_rate": r.estimate.as_dict(),
                                      "sample_rate": r.sample.as_dict(),
                                      "effective_n": round(r.effective_n, 1), "strata": r.strata}
                                     for r in self.production]}


def quality_report(session: Session, workspace: Workspace, queue: Queue, period: Period, *,
                   n_resamples: int = 1000, top: int = 10) -> QualityReport:
    data = load_queue_data(session, workspace, queue, period)
    matches = consensus_matches(data.rubric, data.labels)
    return QualityReport(
        workspace=workspace.name, queue=queue.name, rubric=data.rubric_ref, period=period,
        generated_at=utcnow(),
        agreement=question_agreement(data.rubric, data.in_period(), n_resamples=n_resamples),
        raters=scorecards(data, by="rater", matches=matches, n_resamples=n_resamples),
        cohorts=scorecards(data, by="cohort", matches=matches, n_resamples=n_resamples),
        figures=queue_figures(data), disagreements=top_disagreements(session, queue, data, top),
        production=production_rates(data))


def agreement_only(session: Session, workspace: Workspace, queue: Queue, period: Period, *,
                   n_resamples: int = 1000) -> list[QuestionAgreement]:
    data = load_queue_data(session, workspace, queue, period)
    return question_agreement(data.rubric, data.in_period(), n_resamples=n_resamples)


def rater_scorecards(session: Session, workspace: Workspace, queue: Queue, period: Period, *,
                     by: str = "rater", n_resamples: int = 1000) -> list[Scorecard]:
    return scorecards(load_queue_data(session, workspace, queue, period), by=by, n_resamples=n_resamples)


def top_disagreements(session: Session, queue: Queue, data: QueueData, top: int) -> list[DisagreementExample]:
    """The most disagreed items of the period, at most one row per item (its worst question)."""
    recent = {label.queue_item_id for label in data.in_period() if label.kind == "live"}
    chosen, seen = [], set()
    for found in annotate.disagreements(session, queue):
        if found.queue_item_id in recent and found.queue_item_id not in seen:
            seen.add(found.queue_item_id)
            chosen.append(found)
        if len(chosen) == top:
            break
    items = {stored.id: stored for stored in datasets.load_items(session, [d.item_id for d in chosen])}
    examples = []
    for d in chosen:
        answers = [(label.rater, label.answers.get(d.question)) for label in data.labels
                   if label.queue_item_id == d.queue_item_id and label.kind == "live"
                   and label.status != "returned"]
        examples.append(DisagreementExample(d.queue_item_id, d.question, d.score, d.adjudicated,
                                            _excerpt(items.get(d.item_id)), answers))
    return examples


def _excerpt(stored: Any) -> str:
    if stored is None:
        return ""
    for message in stored.item.messages:
        if message.role == "user" and isinstance(message.content, str):
            text = " ".join(message.content.split())
            return text if len(text) <= EXCERPT else text[:EXCERPT - 1] + "…"
    return ""
