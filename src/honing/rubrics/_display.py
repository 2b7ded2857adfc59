"""Answers as people read them: the rubric's own labels, never a list or mapping literal.

Leads and raters compare answers on many pages (labels side by side, review, feedback,
disagreements, quality tables); they know the rubric's words ("Incomplete", "A is
better"), not its stored values (`['incomplete']`, `"A>B"`). One function formats them all
so the pages cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from honing.rubrics._questions import (
    LabelQuestion,
    LikertQuestion,
    MultiLabelQuestion,
    PairwiseQuestion,
    Question,
    RankingQuestion,
    ResponseEditQuestion,
    SpanQuestion,
)
from honing.rubrics._values import is_per_response

NO_ANSWER = "—"
NOTHING_PICKED = "none"


def display_answer(question: Question | None, value: Any) -> str:
    """One answer to `question` as text: option labels for choices, "4 – anchor" for a
    likert point, "B > A" for a ranking, "A: …; B: …" for a per-response question.

    A value the question does not know (a stale or hand-written answer, or no question at
    all) is still shown in words, so a page never fails or falls back to a repr."""
    if value is None:
        return NO_ANSWER
    if question is not None and is_per_response(question) and isinstance(value, dict):
        return "; ".join(f"{letter}: {_one(question, v)}" for letter, v in value.items())
    return _one(question, value)


def _one(question: Question | None, value: Any) -> str:
    if value is None:
        return NO_ANSWER
    if isinstance(question, LikertQuestion) and not isinstance(value, bool):
        point = next((p for p in question.scale if p.value == value), None)
        if point is not None:
            return f"{point.value} – {point.label or point.anchor}"
    if isinstance(question, LabelQuestion | PairwiseQuestion) and isinstance(value, str):
        return _option_label(question, value)
    if isinstance(question, MultiLabelQuestion) and isinstance(value, list):
        return ", ".join(_option_label(question, v) for v in value) or NOTHING_PICKED
    if isinstance(question, RankingQuestion) and isinstance(value, list):
        return " > ".join(_plain(v) for v in value) or NOTHING_PICKED
    if isinstance(question, ResponseEditQuestion) and isinstance(value, dict) and "text" in value:
        if value.get("accepted_as_is"):
            return f"response {value.get('start_from', '?')} kept unchanged"
        return _plain(value["text"])
    if isinstance(question, SpanQuestion) and isinstance(value, list):
        return "; ".join(_span(s) for s in value) or NOTHING_PICKED
    return _plain(value)


def _option_label(question: LabelQuestion | MultiLabelQuestion | PairwiseQuestion, value: Any) -> str:
    for option in question.options or ():
        if option.value == value:
            return option.label
    return _plain(value)


def _span(span: Any) -> str:
    if not isinstance(span, dict):
        return _plain(span)
    kind, _, name = str(span.get("target", "")).partition(":")
    where = f"response {name}" if kind == "response" else f"message {name}" if kind == "message" else kind
    return f"{_plain(span.get('label'))} in {where}, characters {span.get('start')}–{span.get('end')}"


def _plain(value: Any) -> str:
    # Whatever shape is left is spelled out in words rather than as a literal.
    if value is None:
        return NO_ANSWER
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value) or NOTHING_PICKED
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items()) or NOTHING_PICKED
    return str(value)
