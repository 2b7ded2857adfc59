"""Agreement between raters pair by pair: Cohen's kappa on the units two raters share.

Agreement with the others' consensus needs two other raters on a unit, so at overlap 2
it has nothing to compare. Pairwise kappa needs only two, and says who agrees with whom.
Per question, on its categories in scale order:

| question type | kappa |
|---|---|
| label | Cohen's kappa (unweighted) on the options |
| likert | weighted kappa (quadratic) on the scale's points |
| pairwise | weighted kappa (quadratic) on the strength scale A>>B .. B>>A |

Other question types have no kappa here. A unit is an item, or one response of an item
for a per-response question; only live labels that are not returned for rework count.

- A pair's figure is the mean of its per-question kappas, each question also reported.
- A rater's (or cohort's) summary pools every pair it is part of: per question, one
  confusion matrix of its answers against every other rater's answer on the same unit
  (so partners weigh by the units they share), then the mean over questions.

Every interval is a percentile bootstrap that resamples items (`mean_kappa_by_item`), and
n is the number of shared items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from honing.quality._data import LabelRow
from honing.quality.agreement import KappaTable, kappa_by_item, mean_kappa_by_item
from honing.rubrics import LabelQuestion, LikertQuestion, PairwiseQuestion, Question, Rubric
from honing.rubrics._values import PAIRWISE_STRENGTH, is_per_response
from honing.stats import Estimate, Undefined

COEFFICIENT = "Cohen's kappa (pairwise, mean over questions)"


@dataclass(frozen=True)
class KappaQuestion:
    question: str
    coefficient: str
    labels: list[Any]
    weights: str | None
    transform: Callable[[Any], Any] = lambda v: v


@dataclass(frozen=True)
class PairAgreement:
    """One rater's agreement with one partner on the items both labeled."""

    rater: str
    partner: str
    kappa: Estimate  # mean over questions; n = shared items
    questions: dict[str, Estimate] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"partner": self.partner, "coefficient": COEFFICIENT, **self.kappa.as_dict(),
                "questions": {q: e.as_dict() for q, e in self.questions.items()}}


def kappa_questions(rubric: Rubric) -> list[KappaQuestion]:
    found = []
    for q in rubric.questions:
        if isinstance(q, LabelQuestion):
            found.append(KappaQuestion(q.id, "kappa", list(q.option_values()), None))
        elif isinstance(q, LikertQuestion):
            found.append(KappaQuestion(q.id, "weighted kappa (quadratic)", list(q.values()), "quadratic"))
        elif isinstance(q, PairwiseQuestion):
            found.append(KappaQuestion(q.id, "weighted kappa (quadratic, strength)", [-2, -1, 0, 1, 2],
                                       "quadratic", PAIRWISE_STRENGTH.get))
    return found


# rater -> question -> (queue item, response letter) -> answer
Answers = dict[str, dict[str, dict[tuple[int, str], Any]]]


def answers_by_rater(rubric: Rubric, labels: Iterable[LabelRow]) -> Answers:
    questions = {k.question: (k, rubric.question(k.question)) for k in kappa_questions(rubric)}
    found: Answers = defaultdict(lambda: defaultdict(dict))
    for label in labels:
        if label.kind != "live" or label.status == "returned":
            continue
        for question_id, (k, q) in questions.items():
            for unit, value in _units(q, label):
                converted = k.transform(value)
                if converted in k.labels:
                    found[label.rater][question_id][(label.queue_item_id, unit)] = converted
    # In unit order, so `_shared`'s sort, once per rater pair and question, is a linear pass.
    for by_question in found.values():
        for question_id, units in by_question.items():
            by_question[question_id] = dict(sorted(units.items()))
    return found


def _units(question: Question, label: LabelRow) -> list[tuple[str, Any]]:
    answer = label.answers.get(question.id)
    if answer is None:
        return []
    pieces = answer.items() if is_per_response(question) and isinstance(answer, dict) else [("", answer)]
    return [(letter, value) for letter, value in pieces if value is not None]


def pair_agreements(rubric: Rubric, answers: Answers, rater: str, *, n_resamples: int = 1000,
                    seed: int = 0) -> list[PairAgreement]:
    """`rater` against each other rater it shares a unit with, by partner name."""
    questions = kappa_questions(rubric)
    mine = answers.get(rater, {})
    found = []
    for partner in sorted(set(answers) - {rater}):
        theirs = answers[partner]
        tables = {k.question: KappaTable(_shared(mine.get(k.question, {}), theirs.get(k.question, {})),
                                         k.labels, k.weights) for k in questions}
        tables = {q: t for q, t in tables.items() if t.units}
        if not tables:
            continue
        found.append(PairAgreement(
            rater, partner, mean_kappa_by_item(list(tables.values()), n_resamples=n_resamples, seed=seed),
            {q: kappa_by_item(t, n_resamples=n_resamples, seed=seed) for q, t in tables.items()}))
    return found


def pooled_kappa(rubric: Rubric, answers: Answers, group: Sequence[str], *, n_resamples: int = 1000,
                 seed: int = 0) -> Estimate:
    """The raters of `group` against every other rater on the units they share: one pooled
    table per question, the mean of their kappas, items resampled."""
    tables = []
    for k in kappa_questions(rubric):
        units = [unit for rater in group for partner in answers if partner != rater
                 for unit in _shared(answers.get(rater, {}).get(k.question, {}),
                                     answers[partner].get(k.question, {}))]
        if units:
            tables.append(KappaTable(units, k.labels, k.weights))
    if not tables:
        reason = Undefined("no unit shared with another rater")
        return Estimate(reason, reason, reason, 0, method="bootstrap (items, percentile)")
    return mean_kappa_by_item(tables, n_resamples=n_resamples, seed=seed)


def _shared(mine: dict[tuple[int, str], Any], theirs: dict[tuple[int, str], Any]) -> list[tuple[int, Any, Any]]:
    """(queue item, my answer, their answer) for every unit both answered."""
    return [(unit[0], value, theirs[unit]) for unit, value in sorted(mine.items()) if unit in theirs]
