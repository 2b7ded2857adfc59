"""A rater's answers to one item: checking them against the rubric, and undoing a swap of
the left/right order in which the two responses were shown (position-bias control)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from honing._errors import Problem
from honing.rubrics._questions import (
    PairwiseQuestion,
    RankingQuestion,
    ResponseEditQuestion,
    SpanQuestion,
    TextQuestion,
)
from honing.rubrics._rubric import Rubric
from honing.rubrics._values import (
    PAIRWISE_STRENGTH,
    edit_text,
    is_blank,
    is_per_response,
    response_letters,
    value_problems,
)

_MIRROR = {v: next(m for m, s in PAIRWISE_STRENGTH.items() if s == -strength)
           for v, strength in PAIRWISE_STRENGTH.items()}
_SWAP = {"A": "B", "B": "A"}


def _condition_holds(question: TextQuestion, rubric: Rubric, answers: dict[str, Any]) -> bool:
    condition = question.condition()
    if condition is None:
        return False
    by_id = {q.id: q for q in rubric.questions}

    def candidates(question_id: str) -> list[Any]:
        value = answers.get(question_id)
        referenced = by_id.get(question_id)
        if referenced is not None and is_per_response(referenced):
            # Per-response question: the rule holds when any response's value meets it.
            return list(value.values()) if isinstance(value, dict) else []
        return [value]

    return condition.evaluate(candidates)


def validate_answers(rubric: Rubric, answers: dict[str, Any], *, response_count: int,
                     texts: dict[str, str] | None = None,
                     responses: Sequence[str | None] | None = None) -> list[Problem]:
    """Everything wrong with one rater's answers to one item; an empty list means valid.

    `answers` maps question id to value. A per-response question takes a dict keyed by
    response letter ("A", "B", ...); a required one must answer every response, an optional
    one may leave some out. None, "" and whitespace-only text count as not answered. A text
    question with `required_if` is required when its condition holds, and then needs
    `min_length` characters (after stripping). `texts` maps span targets ("response:A",
    "message:3") to their text; when given, spans are checked against its bounds.
    `responses` are the item's response texts; when given, a response_edit answer that
    copies one of them unchanged is refused unless marked (`prefill_problems`).
    """
    letters = response_letters(response_count)
    if not isinstance(answers, dict):
        return [Problem("answers must be a mapping of question id to answer", field="answers")]
    problems: list[Problem] = []
    known = {q.id for q in rubric.questions}
    for key in answers:
        if key not in known:
            problems.append(Problem(f"{key!r} is not a question of this rubric",
                                    field=f"answers.{key}",
                                    hint=f"questions: {', '.join(sorted(known))}"))

    for q in rubric.questions:
        field = f"answers.{q.id}"
        value = answers.get(q.id)
        required = q.required
        if isinstance(q, TextQuestion) and q.required_if is not None:
            required = _condition_holds(q, rubric, answers)
        if isinstance(q, PairwiseQuestion) and response_count != 2 and \
                (required or not is_blank(value)):
            problems.append(Problem(f"a pairwise question needs exactly 2 responses; this item "
                                    f"has {response_count}", field=field))
            continue
        if is_blank(value):
            if required:
                why = f" because {q.required_if}" if isinstance(q, TextQuestion) and \
                    q.required_if else ""
                problems.append(Problem(f"an answer is required{why}", field=field))
            continue
        if is_per_response(q):
            if not isinstance(value, dict):
                problems.append(Problem("expected one answer per response, keyed by letter",
                                        field=field, hint='e.g. {"A": 4, "B": 2}'))
                continue
            for letter, one in value.items():
                if letter not in letters:
                    problems.append(Problem(f"the item has no response {letter!r}",
                                            field=f"{field}.{letter}",
                                            hint=f"responses: {', '.join(letters)}"))
                elif one is None:
                    continue
                else:
                    problems += value_problems(q, one, f"{field}.{letter}", letters=letters,
                                               texts=texts)
            if required:
                problems += [Problem(f"an answer for response {letter} is required",
                                     field=f"{field}.{letter}")
                             for letter in letters if value.get(letter) is None]
            continue
        found = value_problems(q, value, field, letters=letters, texts=texts)
        problems += found
        if not found and required and isinstance(q, TextQuestion | ResponseEditQuestion):
            minimum = getattr(q, "min_length", 0)
            length = len((edit_text(value) or "").strip())
            if length < minimum:
                problems.append(Problem(f"write at least {minimum} characters (now {length})",
                                        field=field))
    if responses is not None:
        problems += prefill_problems(rubric, answers, responses)
    return problems


def prefill_problems(rubric: Rubric, answers: dict[str, Any],
                     responses: Sequence[str | None]) -> list[Problem]:
    """response_edit answers that copy one of the item's `responses` word for word without
    saying so, and ones that say so but do not.

    An edit box prefilled with a response and left untouched is not an answer: stored, it
    would become the 'ideal response' that SFT exports train on. So a verbatim copy (ignoring
    surrounding whitespace) is refused unless given as {"text": ..., "accepted_as_is": true},
    the rater's explicit 'keep this response unchanged'; and `accepted_as_is` on a text that
    is not a response is refused too, so that the mark always means what it says.
    """
    if not isinstance(answers, dict):
        return []
    candidates = {r.strip() for r in responses if isinstance(r, str) and r.strip()}
    problems = []
    for q in rubric.questions:
        value = answers.get(q.id)
        text = edit_text(value)
        if not isinstance(q, ResponseEditQuestion) or text is None or is_blank(value) or \
                value_problems(q, value, f"answers.{q.id}", letters=None):  # reported as shape
            continue
        accepted = isinstance(value, dict) and value.get("accepted_as_is") is True
        copied = text.strip() in candidates
        if copied and not accepted:
            problems.append(Problem(
                "this is one of the responses unchanged; an untouched prefill is not an answer",
                field=f"answers.{q.id}",
                hint='edit the text, leave the question out, or send {"text": ..., '
                     '"accepted_as_is": true} to keep that response as the ideal one'))
        elif accepted and not copied:
            problems.append(Problem("accepted_as_is is true but the text is not one of the "
                                    "responses unchanged", field=f"answers.{q.id}.accepted_as_is",
                                    hint="leave accepted_as_is out for an edited text"))
    return problems


def _swap_span(span: Any) -> Any:
    if isinstance(span, dict) and span.get("target") in ("response:A", "response:B"):
        return {**span, "target": "response:" + _SWAP[span["target"][-1]]}
    return span


def _swap_value(question: Any, value: Any) -> Any:
    if isinstance(question, PairwiseQuestion):
        return _MIRROR.get(value, value) if isinstance(value, str) else value
    if isinstance(question, RankingQuestion) and isinstance(value, list):
        return [_SWAP.get(v, v) if isinstance(v, str) else v for v in value]
    if isinstance(question, SpanQuestion) and isinstance(value, list):
        return [_swap_span(s) for s in value]
    if isinstance(question, ResponseEditQuestion) and isinstance(value, dict):
        start = value.get("start_from")
        if isinstance(start, str) and start in _SWAP:
            return {**value, "start_from": _SWAP[start]}
    return value


def swap_responses(rubric: Rubric, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers given with responses A and B shown swapped, put back in canonical order.

    Per-response dicts exchange their A and B entries, pairwise verdicts are mirrored
    ("A>>B" <-> "B>>A", "A>B" <-> "B>A", "tie" stays), ranking letters and span targets
    ("response:A" <-> "response:B") are exchanged, as is a response_edit `start_from`.
    Other responses (C, ...) and unknown keys are left alone. Applying it twice gives the
    answers back; the input is not modified.
    """
    by_id = {q.id: q for q in rubric.questions}
    result: dict[str, Any] = {}
    for key, value in answers.items():
        value = copy.deepcopy(value)
        question = by_id.get(key)
        if question is None:
            result[key] = value
        elif is_per_response(question) and isinstance(value, dict):
            result[key] = {(_SWAP.get(k, k) if isinstance(k, str) else k): v
                           for k, v in value.items()}
        else:
            result[key] = _swap_value(question, value)
    return result
