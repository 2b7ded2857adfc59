"""Gold scoring: a rater's answers against an item's known answers, with tolerances.

Accuracy is None when nothing was scored: a rater who answered no scorable gold question
has no gold accuracy, not 0% and not 100%.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from honing._errors import InvalidInput, Problem
from honing.rubrics._questions import (
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    ResponseEditQuestion,
    SpanQuestion,
    TextQuestion,
)
from honing.rubrics._rubric import Rubric
from honing.rubrics._values import (
    PAIRWISE_STRENGTH,
    is_blank,
    is_per_response,
    jaccard,
    span_f1,
    value_problems,
)

# Which tolerance knobs mean something for which question type; setting another one is
# almost certainly a mistake (e.g. `within` on a label), so it is refused.
_KNOBS: dict[type, set[str]] = {
    LikertQuestion: {"within"},
    LabelQuestion: set(),
    MultiLabelQuestion: {"min_jaccard"},
    PairwiseQuestion: {"direction_only"},
    RankingQuestion: {"top1_only"},
    SpanQuestion: {"min_f1"},
}
_UNSCORED = (TextQuestion, ResponseEditQuestion)


class Tolerance(BaseModel):
    """How close an answer must be to the gold answer to count as correct."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    within: Annotated[int, Field(ge=0, description="likert: |answer - gold| <= within")] = 0
    min_jaccard: Annotated[float, Field(ge=0, le=1, description=(
        "multi_label: Jaccard similarity of the selections >= min_jaccard"))] = 1.0
    direction_only: Annotated[bool, Field(description=(
        "pairwise: A>>B and A>B count as the same verdict; tie must still match tie"))] = False
    top1_only: Annotated[bool, Field(
        description="ranking: only the first place must match")] = False
    min_f1: Annotated[float, Field(ge=0, le=1, description=(
        "span: character-overlap F1 (same target and label) >= min_f1"))] = 0.5


class GoldScore(BaseModel):
    """Per question: True / False, or None when not scored (no gold, or text/response_edit)."""

    model_config = ConfigDict(frozen=True)

    per_question: dict[str, bool | None]
    per_response: dict[str, dict[str, bool]] = Field(default_factory=dict, description=(
        "For per-response questions: correctness per response letter."))
    correct: int
    scored: int
    accuracy: float | None


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _matches(q: Question, answer: Any, gold: Any, tol: Tolerance) -> bool:
    if value_problems(q, answer, "answer", letters=None):
        return False  # a malformed answer is a wrong answer, never a crash
    if isinstance(q, LikertQuestion):
        return abs(answer - gold) <= tol.within
    if isinstance(q, MultiLabelQuestion):
        return jaccard(answer, gold) >= tol.min_jaccard
    if isinstance(q, PairwiseQuestion):
        if tol.direction_only:
            return _sign(PAIRWISE_STRENGTH[answer]) == _sign(PAIRWISE_STRENGTH[gold])
        return answer == gold
    if isinstance(q, RankingQuestion):
        if sorted(answer) != sorted(gold):
            return False
        return answer[0] == gold[0] if tol.top1_only else answer == gold
    if isinstance(q, SpanQuestion):
        return span_f1(answer, gold) >= tol.min_f1
    return answer == gold


def _tolerances(rubric: Rubric, tolerances: Mapping[str, Any] | None,
                problems: list[Problem]) -> dict[str, Tolerance]:
    result: dict[str, Tolerance] = {}
    for qid, raw in (tolerances or {}).items():
        field = f"tolerances.{qid}"
        try:
            q = rubric.question(qid)
        except KeyError:
            problems.append(Problem(f"{qid!r} is not a question of this rubric", field=field))
            continue
        allowed = _KNOBS.get(type(q), set())
        takes = f"{q.type} takes: {', '.join(sorted(allowed)) or 'none'}"
        try:
            tol = raw if isinstance(raw, Tolerance) else Tolerance.model_validate(raw)
        except ValidationError as exc:
            # A misspelt knob ("withn") is named with the knobs this question does take.
            problems += [Problem(f"{e['loc'][0]!r} is not a tolerance"
                                 if e["type"] == "extra_forbidden" and e["loc"] else e["msg"],
                                 field=f"{field}.{'.'.join(map(str, e['loc']))}",
                                 hint=takes if e["type"] == "extra_forbidden" else None)
                         for e in exc.errors()]
            continue
        for knob in sorted(tol.model_fields_set - allowed):
            problems.append(Problem(f"{knob!r} does not apply to a {q.type} question",
                                    field=f"{field}.{knob}",
                                    hint=takes))
        result[qid] = tol
    return result


def _gold_problems(rubric: Rubric, gold: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for qid, value in gold.items():
        field = f"gold.{qid}"
        try:
            q = rubric.question(qid)
        except KeyError:
            problems.append(Problem(f"{qid!r} is not a question of this rubric", field=field))
            continue
        if value is None or isinstance(q, _UNSCORED):
            continue
        if is_per_response(q):
            if not isinstance(value, dict):
                problems.append(Problem("a per-response gold answer is a dict keyed by letter",
                                        field=field))
                continue
            for letter, one in value.items():
                if one is not None:
                    problems += value_problems(q, one, f"{field}.{letter}", letters=None)
        else:
            problems += value_problems(q, value, field, letters=None)
    return problems


def gold_problems(rubric: Rubric, gold: Mapping[str, Any],
                  tolerances: Mapping[str, Tolerance | Mapping[str, Any]] | None = None,
                  ) -> list[Problem]:
    """What `score_gold` would refuse in this gold and these tolerances: unknown questions,
    malformed gold values, invalid tolerances or knobs that do not apply to the question's
    type (e.g. `within` on a label). Check gold when it is imported, not when a rater
    submits."""
    problems: list[Problem] = []
    _tolerances(rubric, tolerances, problems)
    return problems + _gold_problems(rubric, gold)


def score_gold(rubric: Rubric, answers: Mapping[str, Any], gold: Mapping[str, Any],
               tolerances: Mapping[str, Tolerance | Mapping[str, Any]] | None = None) -> GoldScore:
    """Score `answers` against `gold` (both keyed by question id, shaped as in
    `validate_answers`). A per-response question is correct when every response letter the
    gold gives is correct. A question missing from gold (or None there) and text and
    response_edit questions are not scored (None); a scored question the rater left
    unanswered is wrong. Bad gold or tolerances raise `InvalidInput`."""
    problems: list[Problem] = []
    tols = _tolerances(rubric, tolerances, problems)
    problems += _gold_problems(rubric, gold)
    if problems:
        raise InvalidInput("the gold answers or tolerances are not valid", problems=problems)
    per_question: dict[str, bool | None] = {}
    per_response: dict[str, dict[str, bool]] = {}
    for q in rubric.questions:
        expected = gold.get(q.id)
        if expected is None or isinstance(q, _UNSCORED):
            per_question[q.id] = None
            continue
        tol = tols.get(q.id, Tolerance())
        answer = answers.get(q.id)
        if is_per_response(q):
            # Letters the gold leaves at None are not scored; if none is left, neither is
            # the question.
            letters = {letter: g for letter, g in expected.items() if g is not None}
            if not letters:
                per_question[q.id] = None
                continue
            mine = answer if isinstance(answer, dict) else {}
            per_response[q.id] = {
                letter: not is_blank(mine.get(letter)) and _matches(q, mine[letter], g, tol)
                for letter, g in letters.items()}
            per_question[q.id] = all(per_response[q.id].values())
        else:
            per_question[q.id] = not is_blank(answer) and _matches(q, answer, expected, tol)
    scored = [v for v in per_question.values() if v is not None]
    correct = sum(scored)
    return GoldScore(per_question=per_question, per_response=per_response, correct=correct,
                     scored=len(scored), accuracy=correct / len(scored) if scored else None)
