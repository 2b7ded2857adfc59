"""What most raters of one item answered, and whose answers stand apart from it.

The adjudication page starts the lead from the majority answer and marks the answers that
disagree. Answers are compared as answers, not as stored JSON: a multi_label's picks in
another order are the same answer. A per-response question is compared per response.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import orjson

from honing.rubrics._questions import MultiLabelQuestion, Question
from honing.rubrics._values import is_per_response


def _key(question: Question, value: Any) -> bytes:
    if isinstance(question, MultiLabelQuestion) and isinstance(value, list):
        value = sorted(value, key=str)
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _strict_majority(question: Question, values: list[Any]) -> Any | None:
    given = [v for v in values if v is not None]
    if not given:
        return None
    counts = Counter(_key(question, v) for v in given)
    key, count = counts.most_common(1)[0]
    if count * 2 <= len(given):
        return None
    return next(v for v in given if _key(question, v) == key)


def _units(question: Question, value: Any) -> dict[str, Any]:
    if is_per_response(question) and isinstance(value, dict):
        return dict(value)
    return {"": value}


def majority_answer(question: Question, values: Sequence[Any]) -> Any | None:
    """The answer more than half of the raters who answered gave, else None. For a
    per-response question, {letter: answer} over the responses that have one (None when
    none has)."""
    if not is_per_response(question):
        return _strict_majority(question, list(values))
    letters = sorted({letter for v in values if isinstance(v, dict) for letter in v})
    found = {letter: _strict_majority(question, [v.get(letter) for v in values if isinstance(v, dict)])
             for letter in letters}
    found = {letter: v for letter, v in found.items() if v is not None}
    return found or None


def disagreeing_answers(question: Question, values: Sequence[Any]) -> list[bool]:
    """For each answer, whether it stands apart: when the raters do not all agree, every
    answer unlike the majority (on any response), and every answer when there is none.
    Missing answers (None) are never marked."""
    given = [v for v in values if v is not None]
    units = [_units(question, v) for v in given]
    letters = {letter for u in units for letter in u}
    if all(len({_key(question, u.get(letter)) for u in units}) <= 1 for letter in letters):
        return [False] * len(values)
    majority = _units(question, majority_answer(question, given) or {}) if is_per_response(question) \
        else {"": majority_answer(question, given)}
    marks = []
    for value in values:
        if value is None:
            marks.append(False)
            continue
        mine = _units(question, value)
        marks.append(any(majority.get(letter) is None
                         or _key(question, mine.get(letter)) != _key(question, majority[letter])
                         for letter in letters))
    return marks
