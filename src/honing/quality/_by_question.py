"""Agreement per rubric question, with the coefficient its answer type calls for.

A unit is what raters answer once: an item, or for a per-response question one response
of an item (item 7, response A). Units are rows and raters are columns of the matrix the
coefficients take. Only live labels count, and not labels returned for rework (their
answers are about to change).

| question type | coefficients |
|---|---|
| label | Krippendorff's alpha (nominal); Gwet's AC1; percent agreement |
| likert | alpha (ordinal, on the scale's points) and alpha (interval) |
| pairwise | alpha (ordinal) on the strength scale A>>B..B>>A; alpha (nominal) on the direction A / tie / B, ties a class of their own |
| multi_label | alpha (nominal) on chosen / not chosen, one row per option that was chosen at least once (none is the question's headline figure) |
| ranking | mean Kendall tau-b between raters of a unit |

Text, response edits and spans have no agreement coefficient here (the disagreement
finder compares spans). Every alpha carries a percentile bootstrap interval over units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from honing.quality._data import LabelRow
from honing.quality.agreement import (
    alpha_interval,
    bootstrap_agreement,
    gwet_ac1,
    percent_agreement,
    preference_agreement,
    ranking_agreement,
)
from honing.quality.agreement._matrix import encode
from honing.quality.agreement._preference import STRENGTH
from honing.rubrics import (
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    Rubric,
)
from honing.rubrics._values import PAIRWISE_DIRECTION, PAIRWISE_STRENGTH, is_per_response
from honing.stats import Estimate


@dataclass(frozen=True)
class QuestionAgreement:
    question: str  # question id, or "question:option" for one option of a multi_label
    type: str
    coefficient: str  # e.g. "alpha (ordinal)"
    estimate: Estimate  # n = pairable units
    raters: int
    labels: int
    primary: bool  # the question's headline figure (KPI table, dashboard chart)

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "type": self.type, "coefficient": self.coefficient,
                **self.estimate.as_dict(), "raters": self.raters, "labels": self.labels,
                "primary": self.primary}


@dataclass(frozen=True)
class Matrix:
    """Units x raters, None where a rater did not answer the unit."""

    rows: list[list[Any]]
    raters: int
    labels: int

    @property
    def pairable(self) -> int:
        return sum(1 for row in self.rows if sum(v is not None for v in row) >= 2)


def answer_matrix(question: Question, labels: Sequence[LabelRow],
                  transform: Callable[[Any], Any] = lambda v: v) -> Matrix:
    """The matrix of one question's answers over live labels (one column per rater)."""
    per_response = is_per_response(question)
    columns: dict[int, int] = {}
    units: dict[tuple[int, str], dict[int, Any]] = {}
    count = 0
    for label in labels:
        if label.kind != "live" or label.status == "returned" or question.id not in label.answers:
            continue
        answer = label.answers[question.id]
        pieces = answer.items() if per_response and isinstance(answer, dict) else [("", answer)]
        column = columns.setdefault(label.rater_id, len(columns))
        count += 1
        for letter, value in pieces:
            if value is not None:
                units.setdefault((label.queue_item_id, letter), {})[column] = transform(value)
    rows = [[cells.get(c) for c in range(len(columns))] for _, cells in sorted(units.items())]
    return Matrix(rows, len(columns), count)


def question_agreement(rubric: Rubric, labels: Sequence[LabelRow], *, n_resamples: int = 1000,
                       seed: int = 0) -> list[QuestionAgreement]:
    """Every coefficient of every question that has one, in rubric order."""
    found: list[QuestionAgreement] = []
    for question in rubric.questions:
        found.extend(_for_question(question, labels, n_resamples, seed))
    return found


def _for_question(q: Question, labels: Sequence[LabelRow], n_resamples: int,
                  seed: int) -> list[QuestionAgreement]:
    def row(coefficient: str, estimate: Estimate, matrix: Matrix, *, primary: bool = False,
            name: str = q.id) -> QuestionAgreement:
        return QuestionAgreement(name, q.type, coefficient, estimate, matrix.raters, matrix.labels,
                                 primary)

    def alpha(matrix: Matrix, level: str, values: list[Any] | None = None) -> Estimate:
        return alpha_interval(matrix.rows, level, values=values, n_resamples=n_resamples, seed=seed)

    def boot(matrix: Matrix, statistic: Callable[[Any], float]) -> Estimate:
        # Gwet's AC1 and percent agreement depend only on which answers are equal, so they
        # are resampled over the answers' category codes (in the categories' sorted order,
        # the order encoding the answers themselves gives): each resample is then an array
        # slice, not a re-encoding of Python lists. Same draws, same figures, bit for bit.
        return bootstrap_agreement(statistic, _codes(matrix.rows), n_resamples=n_resamples, seed=seed)

    if isinstance(q, LabelQuestion):
        m = answer_matrix(q, labels)
        return [row("alpha (nominal)", alpha(m, "nominal"), m, primary=True),
                row("Gwet's AC1", boot(m, gwet_ac1), m),
                row("percent agreement", boot(m, percent_agreement), m)]
    if isinstance(q, LikertQuestion):
        m = answer_matrix(q, labels)
        return [row("alpha (ordinal)", alpha(m, "ordinal", q.values()), m, primary=True),
                row("alpha (interval)", alpha(m, "interval"), m)]
    if isinstance(q, PairwiseQuestion):
        strength = answer_matrix(q, labels, PAIRWISE_STRENGTH.get)
        direction = answer_matrix(q, labels, PAIRWISE_DIRECTION.get)
        return [row("alpha (ordinal, strength)", alpha(strength, "ordinal", [-2, -1, 0, 1, 2]), strength,
                    primary=True),
                row("alpha (nominal, direction A/tie/B)", alpha(direction, "nominal"), direction),
                row("direction agreement (ties a class)", _direction_agreement(
                    answer_matrix(q, labels), n_resamples, seed), direction)]
    if isinstance(q, MultiLabelQuestion):
        rows = []
        for option in q.option_values():
            m = answer_matrix(q, labels, lambda chosen, o=option: o in chosen)
            chosen = sum(1 for r in m.rows if any(r))
            if chosen:
                # Rare options give wide, lumpy intervals: the count says why.
                rows.append(row(f"alpha (nominal, chosen or not; chosen in {chosen} units)",
                                alpha(m, "nominal"), m, name=f"{q.id}:{option}"))
        return rows
    if isinstance(q, RankingQuestion):
        m = answer_matrix(q, labels, tuple)
        return [row("mean Kendall tau-b", bootstrap_agreement(lambda rows: ranking_agreement(
            [[list(v) if v is not None else None for v in r] for r in rows]).mean_tau, m.rows,
            n_resamples=n_resamples, seed=seed), m, primary=True)]
    return []


def _codes(rows: list[list[Any]]) -> Any:
    """The matrix as float category codes (NaN unrated), or as it is when empty."""
    if not rows or not any(v is not None for row in rows for v in row):
        return rows
    codes = encode(rows).codes
    return np.where(codes >= 0, codes, np.nan)


def _direction_agreement(matrix: Matrix, n_resamples: int, seed: int) -> Estimate:
    """`preference_agreement(rows).direction_agreement` with its bootstrap interval: the
    answers are checked and turned into directions (-1 A, 0 tie, 1 B) once, and each
    resample takes percent agreement of its rows of directions, which is what
    preference_agreement computes for those rows."""
    if not matrix.rows or not any(v is not None for row in matrix.rows for v in row):
        return bootstrap_agreement(lambda rows: preference_agreement(rows).direction_agreement, matrix.rows,
                                   n_resamples=n_resamples, seed=seed)
    preference_agreement(matrix.rows)  # refuses an answer that is not a preference
    strength = np.asarray([[np.nan if v is None else STRENGTH[v] for v in row] for row in matrix.rows],
                          dtype=float)
    return bootstrap_agreement(percent_agreement, np.sign(strength), n_resamples=n_resamples, seed=seed)
