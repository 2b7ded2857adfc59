"""How much the raters of one item disagree on one question, on a 0 (all agree) to 1 scale.

This is a per-item ranking signal for the disagreement finder and for adjudication queues,
not a chance-corrected agreement coefficient (those are computed over many items).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from honing._errors import InvalidInput
from honing.rubrics._questions import (
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    SpanQuestion,
)
from honing.rubrics._values import (
    PAIRWISE_STRENGTH,
    is_per_response,
    jaccard,
    kendall_tau,
    span_f1,
    value_problems,
)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _pairs(values: Sequence[Any]) -> list[tuple[Any, Any]]:
    return list(combinations(values, 2))


def _one(question: Question, values: list[Any]) -> float | None:
    values = [v for v in values if v is not None]
    if len(values) < 2 or not isinstance(question, LabelQuestion | LikertQuestion
                                         | MultiLabelQuestion | PairwiseQuestion
                                         | RankingQuestion | SpanQuestion):
        return None
    for index, value in enumerate(values):
        problems = value_problems(question, value, f"values[{index}]", letters=None)
        if problems:
            raise InvalidInput(f"cannot measure disagreement on {question.id!r}",
                               problems=problems)
    q = question
    if isinstance(q, LabelQuestion):
        return 1 - Counter(values).most_common(1)[0][1] / len(values)
    if isinstance(q, LikertQuestion):
        return _mean([abs(a - b) for a, b in _pairs(values)]) / (q.high - q.low)
    if isinstance(q, PairwiseQuestion):
        return _mean([abs(PAIRWISE_STRENGTH[a] - PAIRWISE_STRENGTH[b])
                      for a, b in _pairs(values)]) / 4
    if isinstance(q, MultiLabelQuestion):
        return 1 - _mean([jaccard(a, b) for a, b in _pairs(values)])
    if isinstance(q, RankingQuestion):
        return (1 - _mean([kendall_tau(a, b) for a, b in _pairs(values)])) / 2
    return 1 - _mean([span_f1(a, b) for a, b in _pairs(values)])


def disagreement_by_response(question: Question, values: list[Any]) -> dict[str, float | None]:
    """For a per-response question: the disagreement on each response letter (see
    `disagreement`); `values` holds one {letter: value} dict per rater. A letter some raters
    left out is measured over the raters who answered it."""
    if not is_per_response(question):
        raise InvalidInput(f"{question.id!r} is not a per-response question")
    letters: dict[str, list[Any]] = {}
    for index, value in enumerate(values):
        if value is None:
            continue
        if not isinstance(value, dict):
            raise InvalidInput(f"values[{index}] of {question.id!r} must be a dict keyed by "
                               "response letter")
        for letter, one in value.items():
            letters.setdefault(letter, []).append(one)
    return {letter: _one(question, vals) for letter, vals in sorted(letters.items())}


def disagreement(question: Question, values: list[Any]) -> float | None:
    """Disagreement among raters' answers `values` to `question` on one item, in [0, 1].

    None when fewer than two answers are given (None entries are dropped) and for text and
    response_edit questions, whose answers are not comparable this way. Measures:

    - label: 1 - share of the modal value (["a", "a", "b"] -> 1/3).
    - likert: mean absolute difference over all rater pairs / (scale max - scale min)
      ([1, 5] on 1-5 -> 1.0).
    - pairwise: the same on the strength scale A>>B=-2, A>B=-1, tie=0, B>A=1, B>>A=2,
      divided by 4 (["A>>B", "B>>A"] -> 1.0).
    - multi_label: 1 - mean pairwise Jaccard similarity (two empty selections: Jaccard 1).
    - ranking: (1 - mean pairwise Kendall tau) / 2 (identical -> 0, reversed -> 1).
    - span: 1 - mean pairwise character-overlap F1 (same target and label; two empty span
      lists: F1 1).

    For a per-response question each value is a {letter: value} dict; the result is the
    largest disagreement over the response letters (`disagreement_by_response` gives each).
    Malformed values raise `InvalidInput`.
    """
    if is_per_response(question):
        per_letter = [v for v in disagreement_by_response(question, values).values()
                      if v is not None]
        return max(per_letter) if per_letter else None
    return _one(question, values)
